"""Warm ask latency with English questions translated by the local 1.5B (RAG_QUESTION_TRANSLATION).

Why: translation adds a model call to every new English question; this measures what a user waits
for, once the engine and the translation server are warm (one English question is asked first and
not counted): English questions whose translation is not cached yet, the same questions again
(cached translations), and Chinese questions (never translated). Settings come from the
environment (``RAG_INDEX_DIR`` must hold an index of the dataset's documents). Bounded: ``--count``
questions of each language, asked once each (the English ones twice).

    RAG_INDEX_DIR=... .venv/bin/python bench/question_translation.py --dataset eval/datasets/corpus_qa.jsonl
"""

from __future__ import annotations

import argparse
import json
import shlex
import statistics
import sys
import time
from pathlib import Path

from rag.engine import Engine
from rag.settings import Settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def timed(engine: Engine, questions: list[str]) -> list[float]:
    """Milliseconds of ``engine.ask`` for each question."""
    times = []
    for question in questions:
        began = time.perf_counter()
        engine.ask(question)
        times.append((time.perf_counter() - began) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=PROJECT_ROOT / "eval" / "datasets" / "corpus_qa.jsonl")
    parser.add_argument("--count", type=int, default=10, help="questions of each language")
    args = parser.parse_args()
    items = [json.loads(line) for line in args.dataset.open(encoding="utf-8") if line.strip()]
    single = [item for item in items if not item.get("history")]
    english = [item["question"] for item in single if item["lang"] == "en"]
    chinese = [item["question"] for item in single if item["lang"] == "zh"][: args.count]
    warm_up, english = english[0], english[1 : args.count + 1]

    engine = Engine.open(Settings(question_translation="local"))
    try:
        engine.ask(warm_up)  # starts the translation server, loads the dictionary
        if engine.translator is None or engine.translator.unavailable:
            sys.exit(f"translation unavailable: {engine.translator and engine.translator.unavailable}")
        rows = [
            ("English, translated now", timed(engine, english)),
            ("English, translation cached", timed(engine, english)),
            ("Chinese (not translated)", timed(engine, chinese)),
        ]
        translator = engine.translator
        print(f"$ {shlex.join(['python', *sys.argv])}")
        print(f"translations used {translator.used}, rejected {translator.rejected}, model calls {translator.calls}")
        print("| questions | n | p50 ms | max ms |")
        print("|---|---|---|---|")
        for name, times in rows:
            print(f"| {name} | {len(times)} | {statistics.median(times):.0f} | {max(times):.0f} |")
    finally:
        engine.close()


if __name__ == "__main__":
    main()
