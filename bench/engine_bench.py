"""Benchmark the core engine: index build throughput beside raw encode throughput, and warm ask latency.

Run:  .venv/bin/python bench/engine_bench.py [--questions eval/datasets/corpus_qa.jsonl] [--n 100]

It builds a fresh index of the bundled corpus in a temporary folder (the model folder is reused from
the cache), encodes the same chunk texts once more with the bare model, warms the engine up with 20
questions of the dataset, then times N *other* questions of it, each asked once (so no cache of a
sentence's facts or of a question's answer flatters the figure), and prints the median and the 95th
percentile.
"""

from __future__ import annotations

import argparse
import json
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rag.engine import Engine
from rag.ingest.indexing import chunk_context_text
from rag.settings import PROJECT_ROOT, Settings


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    position = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[position]


def load_questions(path: Path, n: int) -> list[str]:
    questions = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            if not item.get("history"):
                questions.append(item["question"])
    return questions[:n]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=PROJECT_ROOT / "eval/datasets/corpus_qa.jsonl")
    parser.add_argument("--n", type=int, default=100, help="questions to time (at least 50)")
    parser.add_argument("--warmup", type=int, default=20, help="questions asked before timing (not timed)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(index_dir=Path(tmp) / "index")
        started = time.perf_counter()
        engine = Engine.open(settings, allow_empty=True)
        load_seconds = time.perf_counter() - started

        started = time.perf_counter()
        engine.index_paths([settings.corpus_path])
        build_seconds = time.perf_counter() - started
        info = engine.info()

        chunk_texts = [chunk_context_text(c) for c in engine.index.chunks]
        started = time.perf_counter()
        engine.embedder.encode_passages(chunk_texts)
        encode_seconds = time.perf_counter() - started

        questions = load_questions(args.questions, args.warmup + args.n)
        warmup, timed = questions[: args.warmup], questions[args.warmup :]
        for question in warmup:  # loads lazy parts (gazetteer, jieba tags) before timing
            engine.ask(question)
        latencies = []
        for question in timed:  # each asked once: new questions, not a second pass
            started = time.perf_counter()
            engine.ask(question)
            latencies.append((time.perf_counter() - started) * 1000)

    print(f"command: {' '.join(shlex.quote(a) for a in [sys.executable.split('/')[-1], *sys.argv])}")
    print(f"model load: {load_seconds:.1f} s  ({engine.embedder.model_name}, dim {engine.embedder.dimension})")
    print(
        f"index build: {info.documents} docs, {info.chunks} chunks + {info.sentences} sentences in "
        f"{build_seconds:.1f} s = {info.chunks / build_seconds:.1f} chunks/s "
        f"({(info.chunks + info.sentences) / build_seconds:.1f} texts/s embedded)"
    )
    print(
        f"raw encode of the same {len(chunk_texts)} chunk texts: {encode_seconds:.1f} s = "
        f"{len(chunk_texts) / encode_seconds:.1f} chunks/s"
    )
    print(
        f"warm ask (extractive), {len(latencies)} new questions after {len(warmup)} warm-up ones: p50 {statistics.median(latencies):.1f} ms, "
        f"p95 {percentile(latencies, 95):.1f} ms, max {max(latencies):.1f} ms"
    )


if __name__ == "__main__":
    main()
