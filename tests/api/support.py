"""Helpers for the HTTP API tests: a real uvicorn server in a thread, settings, SSE, .docx files."""

from __future__ import annotations

import io
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI

from rag.settings import PROJECT_ROOT, Settings

HARBIN_QUESTION = "哈尔滨市对大工匠每人奖励多少钱？"
HARBIN_DOC = "000_02af32df5c880f4c.txt"
QIQIHAR_QUESTION = "齐齐哈尔市对大工匠每人奖励多少钱？"  # the documents only have Harbin's figure
API_KEYS = ["test-key-alpha-0123456789", "test-key-beta-0123456789"]
NEW_FACT_QUESTION = "绥芬河市对首席技师每人奖励多少钱？"
NEW_FACT_TEXT = "绥芬河市对首席技师每人奖励3万元。"


def api_settings(index_dir: Path, **overrides: object) -> Settings:
    """Settings for a test app; API keys and open mode are explicit so the environment cannot leak in."""
    values: dict[str, object] = {
        "index_dir": index_dir,
        "corpus_dir": PROJECT_ROOT / "corpus",
        "api_keys": [],
        "open_local_mode": False,
    }
    values.update(overrides)
    return Settings(**values)


@dataclass
class LiveServer:
    """A running server: its base URL and its app."""

    base_url: str
    app: FastAPI

    def client(self, key: str | None = None, timeout: float = 300.0) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        # trust_env=False: loopback traffic must never go through a proxy from the environment
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout, trust_env=False)


@contextmanager
def live_server(
    app: FastAPI, wait_ready: bool = True, ready_timeout: float = 600.0, wait_page: bool = True
) -> Iterator[LiveServer]:
    """Run ``app`` on 127.0.0.1:<free port> in a thread; stop it on exit. ``wait_ready`` waits for
    ``/health`` 200, ``wait_page`` until the chat page (if the app has one) is no longer starting."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_config=None, access_log=False, lifespan="on",
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        if wait_ready:
            _wait_healthy(base_url, ready_timeout)
        if wait_page and app.state.pages is not None:
            wait_for_page(base_url, ready_timeout)
        yield LiveServer(base_url, app)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


def _wait_healthy(base_url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=base_url, timeout=10, trust_env=False) as client:
        while time.monotonic() < deadline:
            if client.get("/health").status_code == 200:
                return
            time.sleep(0.1)
    raise RuntimeError(f"{base_url}/health did not become 200 within {timeout} s")


def wait_for_page(base_url: str, timeout: float) -> None:
    """Until ``/health`` says the chat page is no longer ``starting`` (it is built after the engine)."""
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=base_url, timeout=10, trust_env=False) as client:
        while time.monotonic() < deadline:
            if client.get("/health").json().get("ui") != "starting":
                return
            time.sleep(0.1)
    raise RuntimeError(f"the chat page at {base_url}/ui was still starting after {timeout} s")


def make_docx(*paragraphs: str, title: str | None = None) -> bytes:
    """A real .docx built with python-docx."""
    import docx

    document = docx.Document()
    if title:
        document.add_heading(title, level=1)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def parse_sse(text: str) -> list[tuple[str, str]]:
    """(event, data) pairs of a server-sent-events body."""
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        if not block.strip():
            continue
        name, data = "message", []
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[len("event:"):].strip()
            elif line.startswith("data:"):
                data.append(line[len("data:"):].removeprefix(" "))
        events.append((name, "\n".join(data)))
    return events
