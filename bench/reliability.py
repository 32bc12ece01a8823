"""Reliability figures anyone can rerun: fuzzing, kill -9 during writes, readers beside a writer.

Why: issue 10 asks for figures, not impressions — requests fuzzed and how many got a 5xx; kill -9
points and whether the index was loadable with no document lost each time; concurrent clients for
minutes while a writer adds and deletes documents, with errors, wrong answers, latency and the
server's memory at start and end. Every part is bounded by its arguments; CI runs small versions
(``tests/bench/test_reliability.py``), and the README gives the full command and its figures.

* ``--store-kills N``: a child process adds and deletes documents in a private index (real
  ``IndexStore`` saves of entries with random vectors, no model), printing each committed write;
  it is killed with SIGKILL at a random moment N times. After each kill the index must load and
  hold every document whose addition was reported (and none whose deletion was).
* ``--server-kills N``: the same against the real server process during ``POST /documents``
  uploads (each restart loads the embedding model: slow).
* ``--fuzz-examples N``: schemathesis against the live server's OpenAPI spec, every check, N
  examples per operation (``bench/schemathesis.toml``; the LLM backends are left out by
  ``bench/schemathesis_hooks.py``); 5xx are counted from the server's own ``/metrics``.
* ``--clients C --minutes M``: C threads asking the Harbin question (the answer must hold 5万元)
  while a writer adds and deletes a document every ``--write-every`` seconds; the server's RSS is
  sampled every 15 s.
* ``--memory-rounds N``: the writer's rounds in this process, without HTTP or threads (add a
  document, ask the Harbin question, delete it), after 10 warm-up rounds: RSS and the Python
  objects ``tracemalloc`` sees still allocated, before and after — whether writes keep memory.

    .venv/bin/python bench/reliability.py --store-kills 100 --server-kills 5 --fuzz-examples 300 \\
        --clients 50 --minutes 10
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from local_server import local_server  # bench/local_server.py, beside this script

PROJECT_ROOT = Path(__file__).resolve().parent.parent
HARBIN_QUESTION = "哈尔滨市对大工匠每人奖励多少钱？"
HARBIN_ANSWER = "5万元"
KEY = "reliability-bench-key-0123456789"


# ----- kill -9 during store writes -----
CHILD = r"""
import sys, random, numpy as np
from pathlib import Path
from rag.schema import Chunk, Document
from rag.store.index import DocumentIndex, IndexedDocument
from rag.store import index as index_module
from rag.store.index_store import IndexStore
DIM = 8
index_module.MERGE_MIN_CHUNKS = int(sys.argv[3])
def entry(doc_id, seed):
    rng = np.random.default_rng(seed)
    v = rng.normal(size=(2, DIM)).astype(np.float32); v /= np.linalg.norm(v, axis=1, keepdims=True)
    text = f"文档{doc_id}的内容。第二句话{seed}。"
    doc = Document(doc_id, doc_id, text, content_hash=f"h{seed}")
    chunk = Chunk(f"{doc_id}#0", doc_id, doc_id, "", text, text, 0, len(text))
    return IndexedDocument(doc, [chunk], [list(text)], v[:1], [(0, len(text))], [text], v[1:])
store = IndexStore(Path(sys.argv[1]))
index = store.load() if store.exists() else store.snapshot(DocumentIndex("bench-model", DIM, "flat"))
rng = random.Random(int(sys.argv[2]))
print("ready", "-", flush=True)
while True:
    present = list(index.documents)
    if present and rng.random() < 0.35:
        victim = rng.choice(present)
        print("deleting", victim, flush=True)
        index = index.without_documents([victim])
        store.save(index)
        print("deleted", victim, flush=True)
    else:
        doc_id = f"d{rng.randrange(10**9)}.txt"
        print("adding", doc_id, flush=True)
        index = index.with_documents([entry(doc_id, rng.randrange(10**9))])
        store.save(index)
        print("added", doc_id, flush=True)
"""


@dataclass
class KillFigures:
    kills: int = 0
    loadable: int = 0
    lost: int = 0
    resurrected: int = 0
    writes_committed: int = 0


def store_kills(count: int, seed: int = 0, merge_chunks: int = 1000) -> KillFigures:
    """Kill a writing child ``count`` times; after each kill check the index (see module doc).
    ``merge_chunks``: the child's ``MERGE_MIN_CHUNKS`` (small: a new base, written through the
    store's spill folder, on most saves)."""
    from rag.store.index_store import IndexStore

    figures = KillFigures()
    rng = random.Random(seed)
    expected: set[str] = set()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (str(PROJECT_ROOT), os.environ.get("PYTHONPATH"))))}
    with tempfile.TemporaryDirectory(prefix="rag-kill-") as scratch:
        directory = Path(scratch) / "index"
        for number in range(count):
            child = subprocess.Popen(
                [sys.executable, "-c", CHILD, str(directory), str(rng.randrange(10**9)), str(merge_chunks)],
                stdout=subprocess.PIPE, env=env, text=True,
            )
            lines: list[str] = []
            reader = threading.Thread(target=lines.extend, args=(child.stdout or [],), daemon=True)
            reader.start()
            deadline = time.monotonic() + 120
            while not lines and time.monotonic() < deadline and child.poll() is None:
                time.sleep(0.02)  # until the child has imported and says "ready"
            time.sleep(rng.uniform(0.0, 0.6))  # then kill it somewhere inside its writes
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
            reader.join(timeout=10)
            in_flight = ""  # the write the kill interrupted: either outcome is consistent
            # A kill can cut the last line short ("adding" alone): that write had not begun.
            complete = [line.split() for line in lines[1:] if len(line.split()) == 2 or line is not lines[-1]]
            for action, doc_id in complete:
                if action in ("added", "deleted"):
                    (expected.add if action == "added" else expected.discard)(doc_id)
                    figures.writes_committed += 1
                    in_flight = ""
                else:
                    in_flight = doc_id
            figures.kills = number + 1
            store = IndexStore(directory)
            try:
                IndexStore(directory).clean()
                present = set(store.load().documents) if store.exists() else set()
            except Exception as error:  # noqa: BLE001 - counted, and reported below
                print(f"kill {number + 1}: index not loadable: {error}", file=sys.stderr)
                continue
            figures.loadable += 1
            figures.lost += len(expected - present - {in_flight})
            figures.resurrected += len(present - expected - {in_flight})
            expected = present
    return figures


# ----- a server process -----
def environment(index_dir: Path, keys: bool) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p)
    env.update({"RAG_INDEX_DIR": str(index_dir), "HF_HUB_OFFLINE": "1"})
    if keys:
        env["RAG_API_KEYS"] = KEY
    else:
        env.pop("RAG_API_KEYS", None)
        env["RAG_OPEN_LOCAL_MODE"] = "true"
    return env


def serve_command(port: int) -> list[str]:
    return [
        sys.executable, "-m", "uvicorn", "--factory", "rag.api.app:app_from_environment",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "error", "--no-access-log",
    ]


def server_rss_kib(url: str) -> int:
    """VmRSS of the process listening on ``url``'s port (Linux /proc), 0 if unknown."""
    pid = _server_pid(url)
    if not pid:
        return 0
    status = Path(f"/proc/{pid}/status").read_text()
    found = re.search(r"VmRSS:\s+(\d+)", status)
    return int(found.group(1)) if found else 0


def server_errors(http: httpx.Client) -> tuple[int, int]:
    """(requests, 5xx responses) the server has counted in ``/metrics``."""
    text = http.get("/metrics").text
    total = errors = 0
    for line in text.splitlines():
        if line.startswith("rag_http_requests_total{"):
            value = int(float(line.rsplit(" ", 1)[1]))
            total += value
            if re.search(r'status="5\d\d"', line):
                errors += value
    return total, errors


# ----- fuzzing -----
def fuzz(url: str, examples: int, seed: int = 0) -> dict[str, Any]:
    """schemathesis with every check against ``url``; returns its exit code and the 5xx count."""
    headers = {"Authorization": f"Bearer {KEY}"}
    with httpx.Client(base_url=url, headers=headers, timeout=60, trust_env=False) as http:
        before = server_errors(http)
        command = [
            sys.executable, "-m", "schemathesis.cli", "--no-color",
            "--config-file", str(PROJECT_ROOT / "bench" / "schemathesis.toml"),
            "run", f"{url}/openapi.json", "--checks", "all",
            "--max-examples", str(examples), "--seed", str(seed), "--header", f"Authorization: Bearer {KEY}",
            "--request-timeout", "60", "--workers", "1",
        ]
        hooks = {"SCHEMATHESIS_HOOKS": "schemathesis_hooks", "PYTHONPATH": str(PROJECT_ROOT / "bench")}
        run = subprocess.run(
            command, capture_output=True, text=True, cwd=PROJECT_ROOT, check=False, env={**os.environ, **hooks}
        )
        after = server_errors(http)
    return {
        "exit_code": run.returncode, "requests": after[0] - before[0] - 1, "server_errors": after[1] - before[1],
        "summary": run.stdout[-3000:],
    }


# ----- readers beside a writer -----
@dataclass
class LoadFigures:
    requests: int = 0
    errors: int = 0
    wrong: int = 0
    writes: int = 0
    write_errors: int = 0
    latencies: list[float] = field(default_factory=list)
    rss_samples: list[tuple[float, int, float]] = field(default_factory=list)  # (s into the load, KiB, load avg)


def load(url: str, clients: int, minutes: float, write_every: float, rss_every: float = 15.0) -> LoadFigures:
    """Readers and one writer for ``minutes``; the server's RSS is sampled every ``rss_every`` s.

    Why the samples: "flat RSS" needs the curve, not two points — a server that grows in its first
    minute (pools and caches warming) and then stays level is healthy, one that keeps climbing leaks.
    """
    figures = LoadFigures()
    lock = threading.Lock()
    stop = time.monotonic() + minutes * 60
    headers = {"Authorization": f"Bearer {KEY}"}

    def reader() -> None:
        with httpx.Client(base_url=url, headers=headers, timeout=120, trust_env=False) as http:
            while time.monotonic() < stop:
                began = time.monotonic()
                try:
                    response = http.post("/ask", json={"question": HARBIN_QUESTION})
                    ok = response.status_code == 200
                    right = ok and HARBIN_ANSWER in (response.json().get("short_answer") or "")
                except httpx.HTTPError:
                    ok = right = False
                with lock:
                    figures.requests += 1
                    figures.latencies.append(time.monotonic() - began)
                    figures.errors += not ok
                    figures.wrong += ok and not right

    def writer() -> None:
        with httpx.Client(base_url=url, headers=headers, timeout=300, trust_env=False) as http:
            number = 0
            while time.monotonic() < stop:
                name = f"writer_{number % 3}.txt"
                text = f"写入测试通知{number}\n\n青松县第{number}次护林检查于本月完成，共检查林地{number + 10}处。\n"
                try:
                    added = http.post("/documents", files=[("files", (name, text.encode()))])
                    deleted = http.delete(f"/documents/{name}")
                    ok = added.status_code == 200 and deleted.status_code == 200
                except httpx.HTTPError:
                    ok = False
                with lock:
                    figures.writes += 2
                    figures.write_errors += not ok
                number += 1
                time.sleep(write_every)

    def sampler() -> None:
        began = time.monotonic()
        while True:
            figures.rss_samples.append((round(time.monotonic() - began, 1), server_rss_kib(url), os.getloadavg()[0]))
            if time.monotonic() >= stop:
                return
            time.sleep(min(rss_every, max(0.0, stop - time.monotonic())))

    threads = [threading.Thread(target=reader, daemon=True) for _ in range(clients)]
    threads += [threading.Thread(target=writer, daemon=True), threading.Thread(target=sampler, daemon=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return figures


def memory_rounds(index_dir: Path, rounds: int, warm_up: int = 10) -> dict[str, Any]:
    """The writer's rounds in-process (see module doc); memory before and after ``rounds``."""
    import gc
    import tracemalloc

    from rag.engine import Engine
    from rag.schema import Document
    from rag.settings import Settings

    engine = Engine.open(Settings(index_dir=index_dir))

    def one_round(number: int) -> None:
        name = f"writer_{number % 3}.txt"
        text = f"写入测试通知{number}\n\n青松县第{number}次护林检查于本月完成，共检查林地{number + 10}处。\n"
        engine.add_documents([Document(name, name, text, content_hash=f"round-{number}")])
        if HARBIN_ANSWER not in (engine.ask(HARBIN_QUESTION).short_answer or ""):
            raise SystemExit(f"round {number}: the Harbin answer lost {HARBIN_ANSWER}")
        engine.delete_documents([name])

    def rss_kib() -> int:
        return int(re.search(r"VmRSS:\s+(\d+)", Path("/proc/self/status").read_text()).group(1))  # type: ignore[union-attr]

    for number in range(warm_up):
        one_round(number)
    gc.collect()
    tracemalloc.start()
    before = (rss_kib(), tracemalloc.get_traced_memory()[0])
    for number in range(warm_up, warm_up + rounds):
        one_round(number)
    gc.collect()
    after = (rss_kib(), tracemalloc.get_traced_memory()[0])
    tracemalloc.stop()
    return {
        "rounds": rounds, "rss_kib": {"before": before[0], "after": after[0]},
        "python_objects_kib": {"before": before[1] // 1024, "after": after[1] // 1024},
        "documents_after": len(engine.index.documents),
    }


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# ----- kill -9 of the server during uploads -----
def server_kills(index_dir: Path, count: int, seed: int = 0) -> KillFigures:
    """Upload documents to the real server and SIGKILL it at a random moment, ``count`` times."""
    figures = KillFigures()
    rng = random.Random(seed)
    confirmed: set[str] = set()
    env = environment(index_dir, keys=True)
    headers = {"Authorization": f"Bearer {KEY}"}
    for number in range(count):
        with local_server(serve_command, cwd=PROJECT_ROOT, env=env, ready_timeout=600) as url:
            with httpx.Client(base_url=url, headers=headers, timeout=120, trust_env=False) as http:
                present = {d["id"] for d in http.get("/documents").json()["documents"]}
                figures.loadable += 1
                figures.lost += len(confirmed - present)
                confirmed &= present
                pid = _server_pid(url)
                deadline = time.monotonic() + rng.uniform(1.0, 8.0)
                upload = 0
                while time.monotonic() < deadline:
                    name = f"kill_{number}_{upload}.txt"
                    try:
                        body = f"第{upload}号通知。内容{number}。".encode()
                        response = http.post("/documents", files=[("files", (name, body))],
                                             timeout=max(0.1, deadline - time.monotonic()))
                        if response.status_code == 200:
                            confirmed.add(name)
                            figures.writes_committed += 1
                    except httpx.HTTPError:
                        break
                    upload += 1
                if pid:
                    os.kill(pid, signal.SIGKILL)
                figures.kills += 1
                print(f"server kill {figures.kills}/{count}: {len(present)} documents after the restart, "
                      f"{figures.lost} lost so far, {upload} uploads sent", file=sys.stderr, flush=True)
    with local_server(serve_command, cwd=PROJECT_ROOT, env=env, ready_timeout=600) as url:
        with httpx.Client(base_url=url, headers=headers, timeout=120, trust_env=False) as http:
            present = {d["id"] for d in http.get("/documents").json()["documents"]}
            figures.loadable += 1
            figures.lost += len(confirmed - present)
    figures.loadable -= 1  # the first start was not after a kill
    return figures


def _server_pid(url: str) -> int:
    """The pid of the process listening on ``url``'s port (``ss`` from iproute2), 0 if unknown."""
    port = url.rsplit(":", 1)[1]
    try:
        out = subprocess.run(["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True, check=False).stdout
    except OSError:
        return 0
    match = re.search(r"pid=(\d+)", out)
    return int(match.group(1)) if match else 0


def build_index(index_dir: Path, source: Path | None) -> None:
    if source is not None:
        shutil.copytree(source, index_dir)
        return
    command = [sys.executable, "-c", "from rag.cli import app; app()", "index", str(PROJECT_ROOT / "corpus")]
    subprocess.run(command, cwd=PROJECT_ROOT, env=environment(index_dir, keys=False), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store-kills", type=int, default=0)
    parser.add_argument("--store-merge-chunks", type=int, default=1000,
                        help="--store-kills: merge into a new base past this many chunks (the index's default: 1000)")
    parser.add_argument("--server-kills", type=int, default=0)
    parser.add_argument("--fuzz-examples", type=int, default=0, help="schemathesis examples per operation")
    parser.add_argument("--clients", type=int, default=0)
    parser.add_argument("--memory-rounds", type=int, default=0, help="in-process writer rounds to check memory")
    parser.add_argument("--minutes", type=float, default=1.0)
    parser.add_argument("--write-every", type=float, default=3.0, help="seconds between the writer's rounds")
    parser.add_argument("--index", type=Path, help="Copy this index of the bundled corpus instead of building one.")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    command = shlex.join(["python", "bench/reliability.py", *(sys.argv[1:] if argv is None else argv)])
    results: dict[str, Any] = {"command": command}
    if args.store_kills:
        results["store_kills"] = vars(store_kills(args.store_kills, args.seed, args.store_merge_chunks))
    if args.fuzz_examples or args.clients or args.server_kills or args.memory_rounds:
        with tempfile.TemporaryDirectory(prefix="rag-reliability-") as scratch:
            index_dir = Path(scratch) / "index"
            build_index(index_dir, args.index)
            if args.fuzz_examples or args.clients:
                env = environment(index_dir, keys=True)
                with local_server(serve_command, cwd=PROJECT_ROOT, env=env, ready_timeout=600) as url:
                    rss_start = server_rss_kib(url)
                    if args.fuzz_examples:
                        results["fuzz"] = fuzz(url, args.fuzz_examples, args.seed)
                    rss_before_load = server_rss_kib(url)
                    if args.clients:
                        figures = load(url, args.clients, args.minutes, args.write_every)
                        results["load"] = {
                            "clients": args.clients, "minutes": args.minutes, "requests": figures.requests,
                            "errors": figures.errors, "wrong_answers": figures.wrong, "writes": figures.writes,
                            "write_errors": figures.write_errors,
                            "p50_ms": round(statistics.median(figures.latencies) * 1000, 1) if figures.latencies else 0,
                            "p95_ms": round(percentile(figures.latencies, 0.95) * 1000, 1),
                            "rss_kib_samples": figures.rss_samples,
                        }
                    results["rss_kib"] = {
                        "start": rss_start, "before_load": rss_before_load, "end": server_rss_kib(url)
                    }
            if args.server_kills:
                results["server_kills"] = vars(server_kills(index_dir, args.server_kills, args.seed))
            if args.memory_rounds:
                results["memory"] = memory_rounds(index_dir, args.memory_rounds)
    print(json.dumps({k: v for k, v in results.items() if k != "fuzz"} | (
        {"fuzz": {k: v for k, v in results["fuzz"].items() if k != "summary"}} if "fuzz" in results else {}
    ), ensure_ascii=False, indent=2))
    if "fuzz" in results and results["fuzz"]["exit_code"] != 0:
        print(results["fuzz"]["summary"], file=sys.stderr)
    return results


if __name__ == "__main__":
    main()
