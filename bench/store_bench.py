"""Benchmark the stores: index time and warm ask latency, embedded (FAISS + BM25) vs Milvus-lite,
and the index time of ``rag index --ray`` on a local Ray (2 CPUs).

Run:  .venv/bin/python bench/store_bench.py [--n 60] [--warmup 10] [--no-ray]

Each configuration indexes the bundled corpus into a fresh temporary folder (the model folder is
reused from the cache) and is timed; the store is then reopened (timed: start-up reads the records)
and N questions of the dataset, each asked once after a warm-up, are timed for the median and the
95th percentile. The Ray run writes to the embedded store and is timed for its index only.
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from engine_bench import load_questions, percentile  # this folder is on sys.path when run as a script

from rag.engine import Engine
from rag.settings import PROJECT_ROOT, Settings


def run(label: str, settings: Settings, questions: list[str], warmup: int, ray: str | None = None) -> dict[str, Any]:
    started = time.perf_counter()
    engine = Engine.open(settings, allow_empty=True)
    engine.index_paths([settings.corpus_path], ray=ray)
    index_seconds = time.perf_counter() - started
    figures: dict[str, Any] = {"label": label, "index_s": index_seconds, "chunks": engine.info().chunks}
    if ray is not None:
        return figures
    started = time.perf_counter()
    engine = Engine.open(settings)
    figures["open_s"] = time.perf_counter() - started
    for question in questions[:warmup]:
        engine.ask(question)
    timings = []
    for question in questions[warmup:]:
        started = time.perf_counter()
        engine.ask(question)
        timings.append((time.perf_counter() - started) * 1000)
    figures.update(p50_ms=statistics.median(timings), p95_ms=percentile(timings, 95), asked=len(timings))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=PROJECT_ROOT / "eval/datasets/corpus_qa.jsonl")
    parser.add_argument("--n", type=int, default=60, help="questions to time")
    parser.add_argument("--warmup", type=int, default=10, help="questions asked before timing (not timed)")
    parser.add_argument("--no-ray", action="store_true", help="skip the Ray index run")
    args = parser.parse_args()
    questions = load_questions(args.questions, args.n + args.warmup)

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        results.append(run("embedded", Settings(index_dir=root / "embedded"), questions, args.warmup))
        results.append(run("milvus-lite", Settings(index_dir=root / "milvus", store="milvus"), questions, args.warmup))
        if not args.no_ray:
            results.append(run("embedded, --ray local", Settings(index_dir=root / "ray"), [], 0, ray="local"))

    print(f"command: {shlex.join([Path(sys.executable).name, *sys.argv])}")
    print("| store | chunks | index (s) | open (s) | ask p50 (ms) | ask p95 (ms) |")
    print("|---|---|---|---|---|---|")
    for r in results:
        extra = (f"{r['open_s']:.1f} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f}" if "p50_ms" in r else "- | - | -")
        print(f"| {r['label']} | {r['chunks']} | {r['index_s']:.1f} | {extra} |")
    asked = next((r["asked"] for r in results if "asked" in r), 0)
    print(f"({asked} questions timed per store after {args.warmup} warm-up questions; one run, shared machine)")


if __name__ == "__main__":
    main()
