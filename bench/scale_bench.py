"""Scale benchmark: build, load, ask, add and delete at N chunks, through the product's own code.

Run:  python bench/scale_bench.py --chunks 100000 [--real-model-sample 2000] [--questions 100]

A synthetic corpus is written as text files: each document has a real title of the bundled corpus
(with a number) and paragraphs of real sentences of ``corpus/`` recombined at random (seeded), so
chunking, jieba, place hints, BM25 and the extractive backend see real Chinese. It is indexed by
``Engine.index_paths`` exactly as ``rag index`` does, except that embeddings come from a stand-in
(deterministic unit vectors from a hash of the text, microseconds per text) so that the index code,
not the model, is measured. ``--real-model-sample N`` encodes N of the index's own texts (chunks and
sentences in their proportion) with the configured real model and extrapolates the embedding time
of the whole build from that rate.

The index is then served by a fresh process (so its memory is the memory of a loaded index, not of
the build): load time, RSS after load, ask p50/p95 (extractive backend, questions of
``eval/datasets/corpus_qa.jsonl``, each asked once after a warm-up), search-only p50, and the time
to add one new document and to delete one document (each saved, as the API does). Every loop is
bounded by ``--time-limit``. Figures are printed with the command that produced them.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from rag.engine import Engine
from rag.ingest.indexing import chunk_context_text
from rag.ingest.loading import load_document
from rag.settings import PROJECT_ROOT, Settings
from rag.store.embedding import Embedder
from rag.store.index import IVF_NPROBE, DocumentIndex
from rag.store.index_store import IndexStore
from rag.text.sentences import split_sentences

#: Characters per synthetic document: about ten chunks of the default size.
DOCUMENT_CHARS = 3000
#: Distinct stand-in vectors; each text gets the normalised sum of two, picked by two hashes.
POOL = 1 << 16
DIMENSION = 384


class StandInEmbedder(Embedder):
    """Deterministic unit vectors from a hash of each text: the index code sees real shapes and
    dimensions without paying for a model (``--real-model-sample`` measures the model apart)."""

    def __init__(self, model_name: str, dimension: int = DIMENSION) -> None:  # noqa: D107 - no model
        self._model_name = model_name
        self._dimension = dimension
        self.query_prefix = self.passage_prefix = ""
        self.batch_size = 0
        self.runtime = "onnx"  # float32 vectors, as recorded in the index's pipeline
        pool = np.random.default_rng(7).standard_normal((POOL, dimension)).astype(np.float32)
        self._pool = pool
        self.seconds = 0.0

    def _encode(self, texts: list[str], show_progress: bool) -> np.ndarray:
        started = time.perf_counter()
        data = [t.encode("utf-8") for t in texts]
        first = np.fromiter((zlib.crc32(d) % POOL for d in data), dtype=np.int64, count=len(data))
        second = np.fromiter((zlib.adler32(d) % POOL for d in data), dtype=np.int64, count=len(data))
        vectors = self._pool[first] + self._pool[second]
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        self.seconds += time.perf_counter() - started
        return vectors


def corpus_material(corpus: Path) -> tuple[list[str], list[str]]:
    """The titles (first lines) and every sentence of the bundled corpus, via the one splitter."""
    titles: list[str] = []
    sentences: list[str] = []
    for path in sorted(corpus.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        titles.append(next(line.strip() for line in text.splitlines() if line.strip()))
        for start, end in split_sentences(text):
            sentence = text[start:end].strip()
            if len(sentence) >= 8 and "\n" not in sentence:
                sentences.append(sentence)
    return titles, sentences


def synthetic_document(rng: random.Random, number: int, titles: list[str], sentences: list[str]) -> str:
    """A title and paragraphs of 2-5 random real sentences, about ``DOCUMENT_CHARS`` long."""
    parts = [f"{rng.choice(titles)}（{number}）", ""]
    size = 0
    while size < DOCUMENT_CHARS:
        paragraph = "".join(rng.choice(sentences) for _ in range(rng.randint(2, 5)))
        parts.extend((paragraph, ""))
        size += len(paragraph)
    return "\n".join(parts)


def write_corpus(folder: Path, chunks: int, chunk_size: int, seed: int) -> int:
    """Write enough documents for about ``chunks`` chunks; returns how many files."""
    titles, sentences = corpus_material(PROJECT_ROOT / "corpus")
    rng = random.Random(seed)
    sample = [synthetic_document(random.Random(seed + n), n, titles, sentences) for n in range(20)]
    per_document = statistics.mean(len(text) for text in sample) / (chunk_size * 0.7)  # overlap and short ends
    count = max(1, round(chunks / per_document))
    for number in range(count):
        sub = folder / f"{number // 1000:04d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"syn_{number:07d}.txt").write_text(synthetic_document(rng, number, titles, sentences), encoding="utf-8")
    return count


def rss_mb(field: str = "VmRSS") -> float:
    """This process's resident (VmRSS), peak resident (VmHWM) or anonymous resident (RssAnon)
    memory in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


class AnonymousPeak:
    """The highest RssAnon seen, sampled every ``interval`` s in a thread. VmHWM also counts the
    pages of memory-mapped index files a build writes and reads, which the kernel can drop at any
    time; anonymous memory is what the process really holds."""

    def __init__(self, interval: float = 0.2) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)

    def _run(self, interval: float) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mb("RssAnon"))
            self._stop.wait(interval)

    def __enter__(self) -> AnonymousPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb("RssAnon"))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def questions_of(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as handle:
        return [item["question"] for item in map(json.loads, handle) if not item.get("history")]


def build(args: argparse.Namespace, root: Path) -> dict[str, Any]:
    """Write the corpus and index it with the stand-in embedder; returns the build figures."""
    settings = Settings(index_dir=root / "index")
    corpus = root / "corpus"
    started = time.perf_counter()
    files = write_corpus(corpus, args.chunks, settings.chunk_size, args.seed)
    generate_seconds = time.perf_counter() - started
    embedder = StandInEmbedder(settings.embedding_model)
    store = IndexStore(settings.index_path)
    engine = Engine(settings, embedder,
                    store.snapshot(DocumentIndex(embedder.model_name, embedder.dimension, settings.index_type)), store)
    started = time.perf_counter()
    with AnonymousPeak() as anonymous:
        engine.index_paths([corpus])
    build_seconds = time.perf_counter() - started
    info = engine.info()
    figures: dict[str, Any] = {
        "files": files,
        "generate_s": generate_seconds,
        "documents": info.documents,
        "chunks": info.chunks,
        "sentences": info.sentences,
        "build_s": build_seconds,
        "standin_embed_s": embedder.seconds,
        "build_peak_rss_mb": rss_mb("VmHWM"),
        "build_peak_anon_mb": anonymous.peak,
        "disk_mb": IndexStore(settings.index_path).size_bytes() / 1e6,
    }
    if args.real_model_sample:
        figures.update(real_model_rate(settings, engine, args.real_model_sample, args.seed))
    return figures


def real_model_rate(settings: Settings, engine: Engine, sample: int, seed: int) -> dict[str, Any]:
    """Encode ``sample`` of the index's texts with the real model: texts per second."""
    index = engine.index
    rng = random.Random(seed)
    n_chunks = len(index.chunks)
    n_sentences = len(index.sentences)
    share = n_chunks / max(1, n_chunks + n_sentences)
    picked = rng.sample(range(n_chunks), min(n_chunks, round(sample * share)))
    chunk_sample = [chunk_context_text(index.chunks[i]) for i in picked]
    sentence_sample = [
        index.sentences[i].text for i in rng.sample(range(n_sentences), min(n_sentences, sample - len(chunk_sample)))
    ]
    started = time.perf_counter()
    model = Embedder(settings.embedding_model, cache_dir=settings.cache_dir, batch_size=settings.embed_batch_size)
    load_seconds = time.perf_counter() - started
    texts = chunk_sample + sentence_sample
    started = time.perf_counter()
    vectors = model.encode_passages(texts)
    seconds = time.perf_counter() - started
    questions = questions_of(PROJECT_ROOT / "eval/datasets/corpus_qa.jsonl")[:100]
    stand_in = StandInEmbedder(model.model_name)
    return {"real_model": model.model_name, "real_sample": len(texts), "real_sample_s": seconds,
            "real_model_load_s": load_seconds, "real_texts_per_s": len(texts) / seconds,
            "ivf_recall_real": ivf_recall(vectors, model.encode_queries(questions)),
            "ivf_recall_standin": ivf_recall(stand_in.encode_passages(texts), stand_in.encode_queries(questions))}


def ivf_recall(vectors: np.ndarray, queries: np.ndarray, k: int = 10, at_chunks: int = 1_000_000) -> float:
    """Recall@k against exact search of an IVF index over ``vectors`` (about sqrt(n) lists, as the
    index makes) probing the share of its lists that the index probes at ``at_chunks`` chunks: how
    well the vectors' clusters suit IVF, for real model vectors and for the stand-in's."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    lists = max(1, round(len(vectors) ** 0.5))
    ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(vectors.shape[1]), vectors.shape[1], lists, faiss.METRIC_INNER_PRODUCT)
    ivf.train(vectors)
    ivf.add(vectors)
    ivf.nprobe = max(1, round(lists * IVF_NPROBE / round(at_chunks ** 0.5)))
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    queries = np.ascontiguousarray(queries, dtype=np.float32)
    _, approximate_ids = ivf.search(queries, k)
    _, exact_ids = exact.search(queries, k)
    return float(np.mean([len(set(a) & set(b)) / k for a, b in zip(approximate_ids, exact_ids, strict=True)]))


def serve(args: argparse.Namespace) -> dict[str, Any]:
    """In a fresh process: load the index, ask, search, add one document, delete one."""
    root = Path(args.serve)
    settings = Settings(index_dir=root / "index")
    store = IndexStore(settings.index_path)
    embedder = StandInEmbedder(settings.embedding_model)
    Engine(settings, embedder, DocumentIndex(embedder.model_name, embedder.dimension))  # loads jieba etc.
    baseline = rss_mb()
    started = time.perf_counter()
    index = store.load()
    load_seconds = time.perf_counter() - started
    engine = Engine(settings, embedder, index)
    figures: dict[str, Any] = {"load_s": load_seconds, "rss_after_load_mb": rss_mb(), "rss_empty_mb": baseline}
    questions = questions_of(PROJECT_ROOT / "eval/datasets/corpus_qa.jsonl")
    warmup, timed = questions[: args.warmup], questions[args.warmup : args.warmup + args.questions]
    started = time.perf_counter()
    engine.ask(warmup[0])  # the first question also gathers every document's place (Engine)
    figures["first_ask_ms"] = (time.perf_counter() - started) * 1000
    for question in warmup[1:]:
        engine.ask(question)
    figures["ask_ms"] = timed_calls(engine.ask, timed, args.time_limit)
    figures["search_ms"] = timed_calls(engine.search, timed, args.time_limit)
    figures["dense_type"] = type(index.parts[0].dense).__name__ if index.parts else "none"
    queries = embedder.encode_queries(timed)
    figures["recall_questions"] = dense_recall(index, queries, 10, args.time_limit)
    rng_vectors = np.random.default_rng(args.seed)
    figures["recall_near"] = dense_recall(index, near_queries(index, rng_vectors, len(timed)), 10, args.time_limit)
    rng = random.Random(args.seed + 1)
    titles, sentences = corpus_material(PROJECT_ROOT / "corpus")
    present = sorted(engine.index.documents)
    add_ms, delete_ms = [], []
    deadline = time.perf_counter() + args.time_limit
    for attempt in range(args.updates):
        path = root / f"added_{attempt}.txt"
        path.write_text(synthetic_document(rng, 10_000_000 + attempt, titles, sentences), encoding="utf-8")
        started = time.perf_counter()
        engine.add_documents([load_document(path)], added_by="bench")
        add_ms.append((time.perf_counter() - started) * 1000)
        victim = present[rng.randrange(len(present))]
        started = time.perf_counter()
        engine.delete_documents([victim])
        delete_ms.append((time.perf_counter() - started) * 1000)
        present.remove(victim)
        if time.perf_counter() > deadline:
            break
    figures.update(add_ms=add_ms, delete_ms=delete_ms, serve_peak_rss_mb=rss_mb("VmHWM"))
    return figures


def near_queries(index: DocumentIndex, rng: np.random.Generator, count: int) -> np.ndarray:
    """Queries near stored chunks, as a real question lies near its answer: a chunk's vector plus
    noise of the same norm spread over all dimensions (cosine about 0.7 to the chunk)."""
    picked = rng.choice(len(index.chunks), size=min(count, len(index.chunks)), replace=False)
    offsets = np.cumsum([0] + [p.n_chunks for p in index.parts])
    rows = []
    for position in np.sort(picked):
        number = int(np.searchsorted(offsets, position, side="right")) - 1
        rows.append(np.asarray(index.parts[number].chunk_matrix[position - offsets[number]], dtype=np.float32))
    vectors = np.asarray(rows)
    noise = rng.standard_normal(vectors.shape).astype(np.float32)
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    queries = vectors + noise
    return queries / np.linalg.norm(queries, axis=1, keepdims=True)


def exact_top(index: DocumentIndex, query: np.ndarray, k: int) -> set[int]:
    """The ``k`` live chunks most similar to ``query`` by brute force over every part's matrix."""
    scores = []
    for part, documents_alive in zip(index.parts, index.alive, strict=True):
        alive = part.chunk_mask(documents_alive)
        block = np.empty(part.n_chunks, dtype=np.float32)
        for start in range(0, part.n_chunks, 1 << 17):
            block[start : start + (1 << 17)] = np.asarray(part.chunk_matrix[start : start + (1 << 17)]) @ query
        scores.append(np.where(alive, block, -np.inf))
    flat = np.concatenate(scores)
    return {int(i) for i in np.argpartition(-flat, k - 1)[:k]}


def dense_recall(index: DocumentIndex, queries: np.ndarray, k: int, limit: float) -> dict[str, float]:
    """Recall@k of ``dense_search`` against exact search, over ``queries`` (bounded by ``limit`` s)."""
    found = total = 0
    deadline = time.perf_counter() + limit
    for query in queries:
        exact = exact_top(index, query.astype(np.float32), k)
        found += len(exact & {position for position, _ in index.dense_search(query, k)})
        total += len(exact)
        if time.perf_counter() > deadline:
            break
    return {"recall": found / max(total, 1), "queries": total // k}


def timed_calls(call: Any, questions: list[str], limit: float) -> list[float]:
    """Milliseconds of ``call(question)`` for each question, stopping after ``limit`` seconds."""
    latencies: list[float] = []
    deadline = time.perf_counter() + limit
    for question in questions:
        started = time.perf_counter()
        call(question)
        latencies.append((time.perf_counter() - started) * 1000)
        if time.perf_counter() > deadline:
            break
    return latencies


def report(args: argparse.Namespace, built: dict[str, Any], served: dict[str, Any]) -> None:
    command = " ".join(shlex.quote(a) for a in ["python", *sys.argv])
    print(f"command: {command}")
    chunks, sentences = built["chunks"], built["sentences"]
    print(f"corpus: {built['files']} files, {built['documents']} documents, {chunks} chunks, "
          f"{sentences} sentences (written in {built['generate_s']:.1f} s)")
    without = built["build_s"] - built["standin_embed_s"]
    print(f"build without embedding: {without:.1f} s ({chunks / max(without, 1e-9):.0f} chunks/s); "
          f"stand-in embedding {built['standin_embed_s']:.1f} s; peak RSS {built['build_peak_rss_mb']:.0f} MB "
          f"(anonymous {built['build_peak_anon_mb']:.0f} MB, the rest mapped index files)")
    if "real_texts_per_s" in built:
        embed = (chunks + sentences) / built["real_texts_per_s"]
        print(f"real model {built['real_model']}: {built['real_sample']} texts in {built['real_sample_s']:.1f} s = "
              f"{built['real_texts_per_s']:.1f} texts/s; build with embedding (extrapolated): "
              f"{without + embed:.0f} s = {without:.0f} s + {embed:.0f} s embedding")
        print(f"IVF recall@10 over these {built['real_sample']} texts, probing the share of lists probed at 1M "
              f"({IVF_NPROBE} of 1,000), 100 questions: real model vectors {built['ivf_recall_real']:.3f}, "
              f"stand-in vectors {built['ivf_recall_standin']:.3f}")
    print(f"disk: {built['disk_mb']:.0f} MB ({built['disk_mb'] * 1e6 / max(chunks, 1):.0f} bytes/chunk)")
    print(f"load: {served['load_s']:.2f} s; RSS after load {served['rss_after_load_mb']:.0f} MB "
          f"(engine with an empty index: {served['rss_empty_mb']:.0f} MB); "
          f"serve peak RSS {served['serve_peak_rss_mb']:.0f} MB")
    ask, search = served["ask_ms"], served["search_ms"]
    print(f"first question after load: {served['first_ask_ms']:.0f} ms")
    print(f"ask (extractive), {len(ask)} questions: p50 {statistics.median(ask):.1f} ms, "
          f"p95 {percentile(ask, 95):.1f} ms")
    print(f"search only, {len(search)} questions: p50 {statistics.median(search):.1f} ms, "
          f"p95 {percentile(search, 95):.1f} ms")
    for name, label in (("recall_questions", "the timed questions"), ("recall_near", "queries near stored chunks")):
        recall = served[name]
        print(f"dense search ({served['dense_type']}) recall@10 against exact search, {label}: "
              f"{recall['recall']:.3f} over {recall['queries']} queries")
    print(f"add one document (saved): median {statistics.median(served['add_ms']):.0f} ms of "
          f"{len(served['add_ms'])} ({', '.join(f'{v:.0f}' for v in served['add_ms'])})")
    print(f"delete one document (saved): median {statistics.median(served['delete_ms']):.0f} ms of "
          f"{len(served['delete_ms'])} ({', '.join(f'{v:.0f}' for v in served['delete_ms'])})")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--chunks", type=int, default=10_000, help="about how many chunks to build")
    parser.add_argument("--real-model-sample", type=int, default=0,
                        help="encode this many of the index's texts with the real model and extrapolate")
    parser.add_argument("--questions", type=int, default=100, help="questions timed (after the warm-up)")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--updates", type=int, default=3, help="add/delete rounds timed")
    parser.add_argument("--time-limit", type=float, default=300.0, help="seconds per timed loop at most")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--work-dir", type=Path, default=None,
                        help="where the corpus and index go (default: a temporary folder, removed)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (its path is printed)")
    parser.add_argument("--serve", help=argparse.SUPPRESS)  # internal: the serving process
    args = parser.parse_args()
    if args.serve:
        print(json.dumps(serve(args)))
        return
    root = Path(tempfile.mkdtemp(prefix="scale-bench-", dir=args.work_dir))
    try:
        built = build(args, root)
        child = [sys.executable, __file__, "--serve", str(root), *sys.argv[1:]]
        output = subprocess.run(child, check=True, capture_output=True, text=True, env=os.environ.copy())
        served = json.loads(output.stdout.strip().splitlines()[-1])
        report(args, built, served)
    finally:
        if args.keep:
            print(f"kept: {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
