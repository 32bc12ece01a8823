"""Measure the local LLM path: model assembly, server start, prompt/generation speed, latency.

Why: the LLM backends' latency on 2 CPU cores decides how many passages and tokens they can
afford. One Harbin question (three passages cut from the corpus, as the retriever would hand them
over) is asked through ``OpenAIBackend.stream`` against a fresh llama.cpp server; llama.cpp's own
timings give the prompt-eval and generation tokens/s.

    .venv/bin/python bench/llm_latency.py --model qwen2.5-0.5b --runs 3
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from rag.answering.base import AnswerRequest  # noqa: E402
from rag.answering.openai_backend import OpenAIBackend  # noqa: E402
from rag.llm.model_files import ensure_model  # noqa: E402
from rag.llm.server import run_model_server  # noqa: E402
from rag.schema import Passage  # noqa: E402
from rag.settings import Settings  # noqa: E402

QUESTION = "哈尔滨市对大工匠的奖励提高到多少？"


def passages() -> list[Passage]:
    """Three ~300-character passages of the corpus: the answer's and two others."""
    text = (PROJECT_ROOT / "corpus" / "000_02af32df5c880f4c.txt").read_text(encoding="utf-8")
    text = " ".join(text.split())
    at = text.find("哈尔滨市大工匠")
    spans = [(max(at - 150, 0), at + 150), (2000, 2300), (5000, 5300)] if at >= 0 else [(0, 300)]
    return [
        Passage(chunk_id=f"bench#{i}", doc="000_02af32df5c880f4c.txt", title="bench",
                text=text[a:b], start=a, end=b, score=1.0 / (i + 1))
        for i, (a, b) in enumerate(spans)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="qwen2.5-0.5b", choices=["qwen2.5-0.5b", "qwen2.5-1.5b"])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--fresh-cache", action="store_true", help="assemble into a temporary cache")
    args = parser.parse_args()

    settings = Settings(llm_threads=args.threads, llm_max_tokens=args.max_tokens)
    cache = Path(tempfile.mkdtemp()) if args.fresh_cache else settings.resolve(settings.cache_dir)
    started = time.perf_counter()
    path = ensure_model(args.model, cache)
    print(f"model ready ({'assembled' if args.fresh_cache else 'cache'}): {time.perf_counter() - started:.2f} s  {path}")

    started = time.perf_counter()
    with run_model_server(path, threads=args.threads, context=settings.llm_context) as url:
        print(f"server start: {time.perf_counter() - started:.2f} s  {url}")
        backend = OpenAIBackend(settings, base_url=url)
        original = passages()
        for run in range(1, args.runs + 1):
            # the passages rotate each run, so llama.cpp's prompt cache keeps only the system prompt
            shift = (run - 1) % len(original)
            request = AnswerRequest(question=QUESTION, passages=original[shift:] + original[:shift])
            started = time.perf_counter()
            first = None
            for event in backend.stream(request):
                if event.kind == "delta" and first is None:
                    first = time.perf_counter() - started
                if event.kind == "answer":
                    answer = event.answer
            total = time.perf_counter() - started
            t = backend.last_timings or {}
            print(
                f"run {run}: first token {first or 0:.2f} s, total {total:.2f} s; "
                f"prompt {t.get('prompt_n')} tok (cached {t.get('cache_n')}) at {t.get('prompt_per_second', 0):.0f} tok/s, "
                f"generated {t.get('predicted_n')} tok at {t.get('predicted_per_second', 0):.1f} tok/s; "
                f"grounded={answer.grounded} refused={answer.refused}\n  {answer.answer}"
            )
        if args.fresh_cache:
            path.unlink()


if __name__ == "__main__":
    main()
