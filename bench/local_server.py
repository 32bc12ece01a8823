"""Starting a server process on a free loopback port for a benchmark, and stopping it afterwards.

Shared by ``api_load.py`` and ``ui_latency.py``: the server runs in its own process so the driving
clients do not compete with it for the GIL, and it is always stopped, even when the run fails.
"""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def local_server(
    command_for_port: Callable[[int], list[str]],
    *,
    cwd: Path,
    env: dict[str, str],
    ready_timeout: float,
    output: IO[bytes] | None = None,
    failure_hint: str = "",
) -> Iterator[str]:
    """Run ``command_for_port(port)``, wait until ``/health`` answers 200, yield the base URL, stop."""
    port = free_port()
    process = subprocess.Popen(
        command_for_port(port), cwd=cwd, env=env, stdout=output,
        stderr=subprocess.STDOUT if output is not None else None, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + ready_timeout
        while True:
            if process.poll() is not None:
                raise SystemExit(f"the server exited with code {process.returncode}{failure_hint}")
            with suppress(urllib.error.URLError, OSError):
                with urllib.request.urlopen(f"{url}/health", timeout=5) as response:
                    if response.status == 200:
                        break
            if time.monotonic() > deadline:
                raise SystemExit(f"the server was not ready within {ready_timeout:.0f} s")
            time.sleep(0.25)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
