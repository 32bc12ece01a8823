"""The bounded versions of ``bench/reliability.py`` that CI runs: kill -9 during index writes,
schemathesis against the live server's spec with every check, and readers beside a writer.

The script runs as its own process, exactly as a person reruns it for the full figures; these
tests only choose small bounds and assert that nothing failed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from rag.settings import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "bench" / "reliability.py"


def run_bench(*args: str, timeout: float) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=timeout, cwd=PROJECT_ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(json.loads(done.stdout[done.stdout.index("{"):]))


@pytest.mark.slow
def test_kill_9_during_index_writes_never_loses_a_document() -> None:
    figures = run_bench("--store-kills", "6", "--seed", "7", timeout=600)["store_kills"]
    assert figures["kills"] == figures["loadable"] == 6
    assert figures["lost"] == 0 and figures["resurrected"] == 0
    assert figures["writes_committed"] > 0  # the kills landed among real writes


@pytest.mark.slow
def test_fuzzing_the_live_server_finds_no_failure(corpus_index_dir: Path) -> None:
    result = run_bench("--fuzz-examples", "60", "--index", str(corpus_index_dir), timeout=1200)
    fuzz = result["fuzz"]
    assert fuzz["exit_code"] == 0, fuzz
    assert fuzz["server_errors"] == 0
    assert fuzz["requests"] > 200


@pytest.mark.slow
def test_readers_beside_a_writer_get_no_error_and_no_wrong_answer(corpus_index_dir: Path) -> None:
    result = run_bench(
        "--clients", "2", "--minutes", "0.3", "--write-every", "2", "--index", str(corpus_index_dir), timeout=900
    )
    load = result["load"]
    assert load["requests"] > 0 and load["errors"] == 0 and load["wrong_answers"] == 0
    assert load["writes"] >= 2 and load["write_errors"] == 0
    samples = load["rss_kib_samples"]  # (seconds into the load, server RSS in KiB, load average)
    assert len(samples) >= 2 and all(kib > 0 for _, kib, _ in samples)
    assert samples[-1][0] >= 0.3 * 60 - 1  # the last sample is taken at the end of the load
