"""How long a restart takes until ``/health`` is ready, and how long one small upload takes.

Why: both were slow (a restart 22–55 s, an upload 10–18 s, issue 10) and the targets are ≤ 10 s
and ≤ 2 s on the bundled corpus. The run is bounded: it builds (or copies) an index of the bundled
corpus into a temporary folder, then ``--starts`` times starts the real server process (uvicorn with
the product's app, chat page included) and times spawn → first ``/health`` 200, and within the last
start uploads ``--uploads`` small new documents through ``POST /documents`` (open local mode) and
times each. Figures are printed with the command, so they can be reproduced.

``--breakdown`` also runs the start's steps once in a child process under ``python -X importtime``
and prints where the time goes: the imports before the server listens (by top-level package), the
app's construction, the engine's load (index, query embedder, and what it imports lazily), and the
chat page's build — which now follows readiness instead of preceding it.

    .venv/bin/python bench/write_and_start.py --starts 3 --uploads 5 --breakdown
    .venv/bin/python bench/write_and_start.py --index index/default     # copy an existing index
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from local_server import local_server  # bench/local_server.py, beside this script

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def small_document(number: int) -> bytes:
    """A new one-paragraph notice (about 120 characters), different each time."""
    return (
        f"青松县第{number}号护林员奖励通知\n\n"
        f"为鼓励护林防火，青松县对第{number}批优秀护林员每人一次性奖励{1000 + number}元。"
        "本通知自发布之日起施行，由青松县林业局负责解释。\n"
    ).encode()


def environment(index_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p)
    env.update({"RAG_INDEX_DIR": str(index_dir), "RAG_OPEN_LOCAL_MODE": "true", "HF_HUB_OFFLINE": "1"})
    env.pop("RAG_API_KEYS", None)
    return env


def prepare_index(index_dir: Path, source: Path | None) -> None:
    """Copy ``source``, or build the bundled corpus's index with ``rag index`` (not timed)."""
    if source is not None:
        shutil.copytree(source, index_dir)
        return
    command = [sys.executable, "-c", "from rag.cli import app; app()", "index", str(PROJECT_ROOT / "corpus")]
    subprocess.run(command, cwd=PROJECT_ROOT, env=environment(index_dir), check=True, stdout=subprocess.DEVNULL)


EMBEDDING_MODULE = "rag.store.embedding"

#: The start's steps, timed in a child process; markers on stderr split ``-X importtime``'s lines by step.
STEPS = r"""
import sys, time
def mark(step, began):
    print(f"@@step {step} {time.perf_counter() - began:.3f}", file=sys.stderr, flush=True)
    return time.perf_counter()
t = time.perf_counter()
import uvicorn, rag.api.app
t = mark("imports before the server listens (uvicorn, rag.api.app)", t)
from rag.settings import load_settings
settings = load_settings()
app = rag.api.app.create_app(settings, mount_ui=False)
t = mark("app construction (routes, /v1, /mcp)", t)
from rag.api.state import open_or_build_engine
engine = open_or_build_engine(settings)
t = mark("engine load (index, query embedder; /health ready after this)", t)
from rag.api.pages import DeferredPages
DeferredPages("/ui", settings, lambda: engine).build()
mark("chat page build (after readiness now)", t)
"""


def breakdown(env: dict[str, str], top: int = 6) -> list[str]:
    """Run ``STEPS`` once under ``-X importtime``; each step's seconds and its heaviest imports."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", STEPS], cwd=PROJECT_ROOT, env=env, capture_output=True,
        text=True, check=True,
    )
    lines: list[str] = []
    spent: collections.Counter[str] = collections.Counter()
    embedder = 0  # cumulative import time of the embedding module: the part the embedder's runtime costs
    for line in done.stderr.splitlines():
        found = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|\s*(\S+)", line)
        if found:
            spent[found.group(3).split(".")[0]] += int(found.group(1))
            embedder += int(found.group(2)) if found.group(3) == EMBEDDING_MODULE else 0
        elif line.startswith("@@step "):
            name, seconds = line[len("@@step "):].rsplit(" ", 1)
            heaviest = ", ".join(f"{package} {us / 1e6:.1f}" for package, us in spent.most_common(top) if us > 5e4)
            lines.append(f"  {float(seconds):5.1f} s  {name}" + (f"; imports (s): {heaviest}" if heaviest else ""))
            if embedder:
                lines.append(f"           of which {EMBEDDING_MODULE} and what it imports: {embedder / 1e6:.1f} s")
            spent.clear()
            embedder = 0
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=3, help="Server starts to time.")
    parser.add_argument("--uploads", type=int, default=5, help="Small uploads to time (in the last start).")
    parser.add_argument("--index", type=Path, help="Copy this index instead of building one from corpus/.")
    parser.add_argument("--ready-timeout", type=float, default=600.0)
    parser.add_argument("--breakdown", action="store_true", help="Also time the start's steps and imports once.")
    args = parser.parse_args(argv)
    arguments = sys.argv if argv is None else ["bench/write_and_start.py", *argv]
    command = shlex.join([Path(sys.executable).name, *arguments])
    with tempfile.TemporaryDirectory(prefix="rag-bench-") as scratch:
        index_dir = Path(scratch) / "index"
        prepare_index(index_dir, args.index)
        env = environment(index_dir)

        def serve(port: int) -> list[str]:
            return [
                sys.executable, "-m", "uvicorn", "--factory", "rag.api.app:app_from_environment",
                "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log",
            ]

        ready: list[float] = []
        uploads: list[float] = []
        for start in range(args.starts):
            began = time.monotonic()
            with local_server(serve, cwd=PROJECT_ROOT, env=env, ready_timeout=args.ready_timeout) as url:
                ready.append(time.monotonic() - began)
                if start < args.starts - 1:
                    continue
                with httpx.Client(base_url=url, timeout=120, trust_env=False) as http:
                    for number in range(args.uploads):
                        name = f"bench_upload_{number}.txt"
                        sent = time.monotonic()
                        response = http.post("/documents", files=[("files", (name, small_document(number)))])
                        uploads.append(time.monotonic() - sent)
                        response.raise_for_status()
                        assert response.json()["documents"][0]["status"] == "added", response.text
                    documents = http.get("/documents").json()["count"]
        print(f"command:   {command}")
        print(f"index:     {'copy of ' + str(args.index) if args.index else 'bundled corpus, built fresh'}; "
              f"{documents} documents after the uploads")
        print(f"start → /health 200 (s): {', '.join(f'{s:.1f}' for s in ready)}; median {statistics.median(ready):.1f}")
        if uploads:
            print(f"one small upload (s):    {', '.join(f'{s:.2f}' for s in uploads)}; "
                  f"median {statistics.median(uploads):.2f}, first {uploads[0]:.2f} (warms the model up)")
        if args.breakdown:
            print("one start, step by step (python -X importtime, import times are self times per package):")
            print("\n".join(breakdown(env)))
        print(f"load average (1, 5, 15 min): {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
