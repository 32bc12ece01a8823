"""Benchmark the stores: index time and warm ask latency, embedded (FAISS + BM25) vs Milvus-lite,
and the index time of ``rag index --ray`` on a local Ray (2 CPUs).

Run:  .venv/bin/python bench/store_bench.py [--n 60] [--warmup 10] [--no-ray]

Each store indexes the bundled corpus into a fresh temporary folder (the model folder is reused
from the cache; timed), then the Ray run indexes it into a third (embedded) store. Both stores are
reopened (timed: start-up reads the records) and, after a warm-up, N questions of the dataset are
asked of both, interleaved and alternating which goes first (the machine is shared: both see the
same load), for the median and the 95th percentile.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path

from engine_bench import load_questions, percentile  # this folder is on sys.path when run as a script

from rag.engine import Engine
from rag.settings import PROJECT_ROOT, Settings


def build(settings: Settings, ray: str | None = None) -> float:
    """Seconds to index the bundled corpus into a fresh store (model load included)."""
    started = time.perf_counter()
    engine = Engine.open(settings, allow_empty=True)
    engine.index_paths([settings.corpus_path], ray=ray)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=PROJECT_ROOT / "eval/datasets/corpus_qa.jsonl")
    parser.add_argument("--n", type=int, default=60, help="questions to time")
    parser.add_argument("--warmup", type=int, default=10, help="questions asked before timing (not timed)")
    parser.add_argument("--no-ray", action="store_true", help="skip the Ray index run")
    args = parser.parse_args()
    questions = load_questions(args.questions, args.n + args.warmup)
    load_before = os.getloadavg()[0]

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        stores = {"embedded": Settings(index_dir=root / "embedded"),
                  "milvus-lite": Settings(index_dir=root / "milvus", store="milvus")}
        index_s = {label: build(settings) for label, settings in stores.items()}
        if not args.no_ray:
            index_s["embedded, --ray local"] = build(Settings(index_dir=root / "ray"), ray="local")
        open_s, engines = {}, {}
        for label, settings in stores.items():
            started = time.perf_counter()
            engines[label] = Engine.open(settings)
            open_s[label] = time.perf_counter() - started
        for question in questions[: args.warmup]:
            for engine in engines.values():
                engine.ask(question)
        # Interleaved, alternating which store goes first, so both see the same machine load.
        timings: dict[str, list[float]] = {label: [] for label in engines}
        for n, question in enumerate(questions[args.warmup :]):
            for label in (list(engines) if n % 2 == 0 else list(reversed(engines))):
                started = time.perf_counter()
                engines[label].ask(question)
                timings[label].append((time.perf_counter() - started) * 1000)
        chunks = {label: engine.info().chunks for label, engine in engines.items()}

    print(f"command: {shlex.join([Path(sys.executable).name, *sys.argv])}")
    print(f"load average (1 min) before {load_before:.1f}, after {os.getloadavg()[0]:.1f}")
    print("| store | chunks | index (s) | open (s) | ask p50 (ms) | ask p95 (ms) |")
    print("|---|---|---|---|---|---|")
    for label, seconds in index_s.items():
        if label in timings:
            values = timings[label]
            extra = f"{open_s[label]:.1f} | {statistics.median(values):.0f} | {percentile(values, 95):.0f}"
            print(f"| {label} | {chunks[label]} | {seconds:.1f} | {extra} |")
        else:
            print(f"| {label} | - | {seconds:.1f} | - | - | - |")
    print(f"({len(questions) - args.warmup} questions timed per store, interleaved, after {args.warmup} warm-up "
          "questions; one run, shared machine)")


if __name__ == "__main__":
    main()
