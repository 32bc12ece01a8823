"""The search index: FAISS over chunk vectors plus BM25 over jieba tokens.

A ``DocumentIndex`` is an immutable snapshot. Adding or deleting documents returns a *new* snapshot,
so a reader holding the old snapshot never sees a half-updated index (the API swaps the reference
once the new one is complete).

A snapshot is made of *parts* (``IndexPart``, each immutable and shared between snapshots): a large
*base*, merged and saved in columns (``IndexStore``), and small *delta* parts, one per update, whose
documents are saved one segment each. Rebuilding FAISS and BM25 over every chunk on each upload cost
60-90 s at 100k chunks; now an upload builds a part of its own chunks only, and a deletion or a
replacement only marks the old chunks dead (a boolean per chunk of each part). BM25 is scored from
the live statistics of all parts (``rag.store.lexical``), so scores equal those of a full rebuild;
dense search asks each part's FAISS index for enough extra hits to skip its dead chunks. When the
deltas and the dead chunks together outgrow ``MERGE_RATIO`` of the base (and ``MERGE_MIN_CHUNKS``),
all live chunks are merged into a new base by concatenating arrays (no re-tokenising), inline or,
with ``defer_merges``, by the engine in a thread (``merged``, ``rebased``); when there are more than
``MAX_DELTA_PARTS`` deltas, they are merged into one. An empty index given many documents at once
is written straight into one base (``bulk_built``).

A base keeps its documents' records as bytes and parses one when it is asked for
(``rag.store.records``), so nothing grows per chunk in Python objects: ``chunks``, ``sentences``
and ``documents`` are views that read on demand. Positions (``chunks[i]``, ``sentences[i]``) are
positions in one snapshot: its parts' items one after the other, dead ones included (they are never
returned by a search).
"""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
import uuid
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, overload

import faiss
import numpy as np

from rag.schema import Chunk, Document
from rag.store.columns import BaseWriter, FolderSink, MemorySink, gather_rows
from rag.store.lexical import (
    LiveStatistics,
    Postings,
    Vocabulary,
    idf,
    length_norms,
    live_statistics,
    score,
)
from rag.store.records import (
    CatalogEntry,
    IndexedDocument,
    LazyItems,
    Records,
    SentenceRef,
    base_record,
    catalog_columns,
)

__all__ = ["DocumentIndex", "IndexInfo", "IndexPart", "IndexType", "IndexedDocument", "SentenceRef"]

#: ``flat``: exact search; ``hnsw``: an HNSW graph per part; ``auto``: exact below
#: ``IVF_MIN_CHUNKS`` chunks a part, FAISS IVF (approximate) above.
IndexType = Literal["flat", "hnsw", "auto"]


def stack_vectors(parts: list[np.ndarray], dimension: int) -> np.ndarray:
    """Concatenate per-document vector blocks into one contiguous float32 matrix."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return np.zeros((0, dimension), dtype=np.float32)
    return np.ascontiguousarray(np.vstack(parts), dtype=np.float32)


@dataclass(frozen=True)
class IndexInfo:
    """What ``rag info`` and ``GET /health`` report about an index."""

    embedding_model: str
    dimension: int
    index_type: str
    documents: int
    chunks: int
    sentences: int


#: Deltas and dead chunks are merged into a new base once they exceed this share of the live base...
MERGE_RATIO = 0.05
#: ... and this many chunks (small indexes are not merged on every upload).
MERGE_MIN_CHUNKS = 1000
#: More delta parts than this are merged into one (each part costs a search per query).
MAX_DELTA_PARTS = 8
#: FAISS threads per search. One query gains nothing from OpenMP's team, and on a busy machine its
#: spinning threads cost more than the search: 84 ms with 2 threads, 28 ms with 1 (100k chunks).
SEARCH_THREADS = 1
#: Parts with at least this many chunks get an HNSW graph when ``index_type`` is ``hnsw``.
HNSW_MIN_CHUNKS = 1
#: Parts with at least this many chunks are searched with IVF when ``index_type`` is ``auto``:
#: exact search costs about 0.3 ms per 1,000 chunks and query on this machine, so a 1M base would
#: take 0.3 s a question; smaller parts (and every test index) keep exact results.
IVF_MIN_CHUNKS = 200_000
#: Lists probed per query of an IVF index (of about sqrt(chunks) lists); recall@10 against exact
#: search is measured by ``bench/scale_bench.py``.
IVF_NPROBE = 64
#: Training vectors per IVF list (FAISS warns below 39).
IVF_TRAINING_PER_LIST = 40


@contextmanager
def paused_gc() -> Iterator[None]:
    """Collect no garbage while a part's millions of small objects are made: each generation-2
    pass walks every live object, and loading 10k chunks took 1.5 s of such passes instead of 0.05 s."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Rows(Sequence[Any]):
    """The chunks (or sentences) of some parts as one read-only sequence, read when indexed."""

    def __init__(self, parts: Sequence[IndexPart], sentences: bool) -> None:
        self._parts = parts
        self._sentences = sentences
        sizes = [p.n_sentences if sentences else p.n_chunks for p in parts]
        self._offsets = np.cumsum([0, *sizes])

    def __len__(self) -> int:
        return int(self._offsets[-1])

    @overload
    def __getitem__(self, position: int) -> Any: ...
    @overload
    def __getitem__(self, position: slice) -> Sequence[Any]: ...
    def __getitem__(self, position: int | slice) -> Any:
        if isinstance(position, slice):
            return [self[i] for i in range(*position.indices(len(self)))]
        if not -len(self) <= position < len(self):
            raise IndexError(position)
        position %= len(self)
        number = int(np.searchsorted(self._offsets, position, side="right")) - 1
        local = position - int(self._offsets[number])
        part = self._parts[number]
        return part.sentence(local) if self._sentences else part.chunk(local)


class IndexPart:
    """Some documents with their chunks, sentences, vectors and BM25 postings; never changed once
    built, so snapshots share it. A *delta* part (``of_items``) holds its entries in memory, token
    lists included, and is saved one segment per document. A *base* part (``from_columns``, made
    by a merge or read from disk) holds columns: its records stay bytes until a document is asked
    for (``rag.store.records``) and its arrays are memory-mapped once on disk. ``name`` is set once
    the part is saved; ``folder`` is where its columns are when they are files."""

    def __init__(self, items: Sequence[IndexedDocument], catalog: dict[str, list[Any]],
                 chunk_counts: np.ndarray, sentence_counts: np.ndarray, chunk_matrix: np.ndarray,
                 sentence_matrix: np.ndarray, postings: Postings, dense: faiss.Index, base: bool,
                 records: Records | None = None, name: str = "", folder: Path | None = None) -> None:
        self.items = items
        #: per document: ``CatalogEntry.FIELDS`` (a format-3 base has only ids and content hashes)
        self.catalog = catalog
        self.doc_ids: list[str] = catalog["doc_ids"]
        self.content_hashes: list[str] = catalog["content_hashes"]
        self.chunk_counts = np.asarray(chunk_counts, dtype=np.int64)
        self.sentence_counts = np.asarray(sentence_counts, dtype=np.int64)
        self.chunk_matrix = chunk_matrix
        self.sentence_matrix = sentence_matrix
        self.postings = postings
        self.dense = dense
        self.base = base
        self.records = records
        self.name = name
        self.folder = folder
        self._finalizer: weakref.finalize | None = None
        self.numbers = {doc_id: n for n, doc_id in enumerate(self.doc_ids)}
        self.chunk_starts = np.concatenate(([0], np.cumsum(self.chunk_counts))).astype(np.int64)
        self.sentence_starts = np.concatenate(([0], np.cumsum(self.sentence_counts))).astype(np.int64)
        self.n_chunks = int(self.chunk_starts[-1])
        self.n_sentences = int(self.sentence_starts[-1])
        if len(chunk_matrix) != self.n_chunks or len(sentence_matrix) != self.n_sentences:
            raise ValueError("vector counts do not match the documents")
        if postings.rows != self.n_chunks:
            raise ValueError("BM25 postings do not match the chunks")

    @classmethod
    def of_items(cls, items: Sequence[IndexedDocument], chunk_matrix: np.ndarray, sentence_matrix: np.ndarray,
                 postings: Postings, index_type: IndexType) -> IndexPart:
        """A delta part of entries held in memory."""
        items = tuple(items)
        return cls(items, catalog_columns([CatalogEntry.of(i) for i in items]),
                   np.array([len(i.chunks) for i in items], dtype=np.int64),
                   np.array([len(i.sentence_spans) for i in items], dtype=np.int64),
                   chunk_matrix, sentence_matrix, postings, _faiss_index(chunk_matrix, index_type), base=False)

    @classmethod
    def from_columns(cls, columns: dict[str, Any], index_type: IndexType, name: str = "",
                     folder: Path | None = None) -> IndexPart:
        """A base part from its columns (``rag.store.columns``); entries are parsed when asked for."""
        chunk_matrix, sentence_matrix = columns["chunk_vectors"], columns["sentence_vectors"]
        records: Records = columns["records"]
        chunk_starts = np.concatenate(([0], np.cumsum(columns["chunk_counts"]))).astype(np.int64)
        sentence_starts = np.concatenate(([0], np.cumsum(columns["sentence_counts"]))).astype(np.int64)

        def vectors(n: int) -> tuple[np.ndarray, np.ndarray]:
            return (chunk_matrix[chunk_starts[n] : chunk_starts[n + 1]],
                    sentence_matrix[sentence_starts[n] : sentence_starts[n + 1]])

        catalog, counts = columns["catalog"], columns["chunk_counts"]
        if not len(records) == len(catalog["doc_ids"]) == len(counts) == len(columns["sentence_counts"]):
            raise ValueError("the base's records, catalog and counts disagree")
        if int(records.offsets[-1]) != len(records.blob):
            raise ValueError("the base's records file is truncated")
        dense = columns.get("dense")
        if dense is None:
            dense = _faiss_index(chunk_matrix, index_type)
        ivf = faiss.try_extract_index_ivf(dense)
        if ivf is not None:
            ivf.nprobe = IVF_NPROBE
        return cls(LazyItems(records, vectors), columns["catalog"], columns["chunk_counts"],
                   columns["sentence_counts"], chunk_matrix, sentence_matrix,
                   columns["postings"], dense, base=True, records=records, name=name, folder=folder)

    def chunk_mask(self, alive: np.ndarray) -> np.ndarray:
        """One boolean per chunk from one per document."""
        return np.repeat(alive, self.chunk_counts)

    def _document_at(self, local: int, starts: np.ndarray) -> int:
        return int(np.searchsorted(starts, local, side="right")) - 1

    def chunk(self, local: int) -> Chunk:
        n = self._document_at(local, self.chunk_starts)
        return self.items[n].chunks[local - int(self.chunk_starts[n])]

    def sentence(self, local: int) -> SentenceRef:
        n = self._document_at(local, self.sentence_starts)
        item = self.items[n]
        k = local - int(self.sentence_starts[n])
        start, end = item.sentence_spans[k]
        return SentenceRef(item.document.doc_id, start, end, item.sentence_texts[k])

    def entry(self, n: int) -> CatalogEntry:
        """Document ``n``'s catalog entry, from the catalog (its record only in an old base)."""
        catalog = self.catalog
        if all(name in catalog for name in CatalogEntry.FIELDS):
            return CatalogEntry(*(catalog[name][n] for name in CatalogEntry.FIELDS))
        return CatalogEntry.of(self.items[n])

    def raw_record(self, n: int) -> bytes:
        """Document ``n``'s base record (copied as bytes from a base, made for a delta entry)."""
        return self.records.raw(n) if self.records is not None else base_record(self.items[n])

    def spilled(self, folder: Path) -> None:
        """The part's columns are in ``folder``, which is removed with the part unless a store
        ``adopt``s it first."""
        self.folder = folder
        self._finalizer = weakref.finalize(self, shutil.rmtree, folder, True)

    def adopt(self, target: Path) -> None:
        """Move the part's folder to ``target`` (a store's base); the mapped files stay valid."""
        if self.folder is None:
            raise ValueError("the part has no folder to move")
        os.replace(self.folder, target)
        self.folder = target
        if self._finalizer is not None:
            self._finalizer.detach()
            self._finalizer = None

    @classmethod
    def build(cls, items: Sequence[IndexedDocument], vocabulary: Vocabulary, dimension: int,
              index_type: IndexType) -> IndexPart:
        """A delta part from new entries (tokens and float32 vectors); each entry's vectors become
        views into the part's matrices."""
        chunk_matrix = stack_vectors([i.chunk_vectors for i in items], dimension)
        sentence_matrix = stack_vectors([i.sentence_vectors for i in items], dimension)
        postings = Postings.build([t for item in items for t in item.chunk_tokens], vocabulary)
        return cls.of_items(_repointed(items, chunk_matrix, sentence_matrix), chunk_matrix, sentence_matrix,
                            postings, index_type)

    @classmethod
    def merge(cls, parts: Sequence[tuple[IndexPart, np.ndarray]], vocabulary: Vocabulary, dimension: int,
              index_type: IndexType, base: bool, spill: Path | None = None) -> IndexPart:
        """One part from the live documents of several (``alive``: one boolean per document); arrays
        are concatenated, nothing is re-tokenised. A base stores sentence vectors as float16 (the
        scores they feed move by about 1e-3), drops the token lists and keeps records as bytes;
        with ``spill`` (a folder) its columns are written there as they are made and mapped back,
        so a merge never holds two copies of a large base in memory."""
        chunk_keep = [(part, part.chunk_mask(alive)) for part, alive in parts]
        if not base:
            items = [item for part, alive in parts for item, keep in zip(part.items, alive, strict=True) if keep]
            chunk_matrix = stack_vectors([np.asarray(p.chunk_matrix)[keep] for p, keep in chunk_keep], dimension)
            sentence_matrix = stack_vectors(
                [np.asarray(p.sentence_matrix)[np.repeat(a, p.sentence_counts)] for p, a in parts], dimension)
            postings = Postings.concat([(p.postings, keep) for p, keep in chunk_keep], len(vocabulary))
            return cls.of_items(_repointed(items, chunk_matrix, sentence_matrix), chunk_matrix, sentence_matrix,
                                postings, index_type)
        name = uuid.uuid4().hex[:24]
        sink: MemorySink | FolderSink = MemorySink() if spill is None else FolderSink(spill / f".{name}.partial")
        try:
            kept = [(part, np.flatnonzero(alive)) for part, alive in parts]
            sink.records(part.raw_record(int(n)) for part, numbers in kept for n in numbers)
            sink.put("catalog", catalog_columns([p.entry(int(n)) for p, numbers in kept for n in numbers]))
            chunk_counts = np.concatenate([np.zeros(0, np.int64), *(p.chunk_counts[a] for p, a in parts)])
            sentence_counts = np.concatenate([np.zeros(0, np.int64), *(p.sentence_counts[a] for p, a in parts)])
            sink.put("chunk_counts", chunk_counts)
            sink.put("sentence_counts", sentence_counts)
            chunk_matrix = sink.matrix("chunk_vectors", int(chunk_counts.sum()), dimension, np.float32)
            gather_rows(chunk_matrix, [(p.chunk_matrix, keep) for p, keep in chunk_keep])
            sentence_matrix = sink.matrix("sentence_vectors", int(sentence_counts.sum()), dimension, np.float16)
            gather_rows(sentence_matrix, [(p.sentence_matrix, np.repeat(a, p.sentence_counts)) for p, a in parts])
            sink.put("postings", Postings.concat([(p.postings, keep) for p, keep in chunk_keep], len(vocabulary)))
            sink.put("vocabulary", vocabulary)
            whole = len(parts) == 1 and parts[0][0].base and bool(parts[0][1].all())
            dense = parts[0][0].dense if whole else _faiss_index(chunk_matrix, index_type)  # a base written as is
            sink.put("dense", dense if not isinstance(dense, faiss.IndexFlat) else None)
            del dense
            columns = sink.finish()
        except BaseException:
            if isinstance(sink, FolderSink):
                shutil.rmtree(sink.folder, ignore_errors=True)
            raise
        if isinstance(sink, MemorySink):
            return cls.from_columns(columns, index_type)
        assert spill is not None
        folder = spill / name
        os.replace(sink.folder, folder)
        part = cls.from_columns(columns, index_type, folder=folder)
        part.spilled(folder)
        return part


def _repointed(items: Sequence[IndexedDocument], chunk_matrix: np.ndarray,
               sentence_matrix: np.ndarray) -> list[IndexedDocument]:
    """The entries with their vectors as views into the part's matrices (no second copy)."""
    result = []
    c = s = 0
    for item in items:
        n_chunks, n_sentences = len(item.chunks), len(item.sentence_spans)
        result.append(replace(
            item,
            chunk_vectors=chunk_matrix[c : c + n_chunks],
            sentence_vectors=sentence_matrix[s : s + n_sentences],
        ))
        c += n_chunks
        s += n_sentences
    return result


def _faiss_index(matrix: np.ndarray, index_type: IndexType) -> faiss.Index:
    """Exact inner product by default; HNSW when configured; IVF for a large part under ``auto``."""
    dimension = matrix.shape[1]
    if index_type == "hnsw" and len(matrix) >= HNSW_MIN_CHUNKS:
        hnsw = faiss.IndexHNSWFlat(dimension, 32, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efSearch = 64
        index: faiss.Index = hnsw
    elif index_type == "auto" and len(matrix) >= IVF_MIN_CHUNKS:
        return _ivf_index(matrix)
    else:
        index = faiss.IndexFlatIP(dimension)
    if len(matrix):
        index.add(np.ascontiguousarray(matrix, dtype=np.float32))
    return index


def _ivf_index(matrix: np.ndarray) -> faiss.Index:
    """An IVF index of about sqrt(n) lists, trained on a fixed sample (the same vectors give the
    same index), filled a block at a time from ``matrix`` (which may be memory-mapped)."""
    rows, dimension = matrix.shape
    lists = max(1, round(rows ** 0.5))
    quantizer = faiss.IndexFlatIP(dimension)
    index = faiss.IndexIVFFlat(quantizer, dimension, lists, faiss.METRIC_INNER_PRODUCT)
    sample = np.sort(np.random.default_rng(0).choice(rows, min(rows, IVF_TRAINING_PER_LIST * lists), replace=False))
    faiss.omp_set_num_threads(os.cpu_count() or 1)  # building, unlike one query, uses every core
    try:
        index.train(np.ascontiguousarray(matrix[sample], dtype=np.float32))
        for start in range(0, rows, 1 << 16):
            index.add(np.ascontiguousarray(matrix[start : start + (1 << 16)], dtype=np.float32))
    finally:
        faiss.omp_set_num_threads(SEARCH_THREADS)
    index.nprobe = IVF_NPROBE
    return index


def _merge_due(parts: list[IndexPart], alive: list[np.ndarray]) -> bool:
    """Deltas and dead chunks together above ``MERGE_RATIO`` of the live base (and ``MERGE_MIN_CHUNKS``)."""
    has_base = bool(parts) and parts[0].base
    base_live = int(parts[0].chunk_counts[alive[0]].sum()) if has_base else 0
    delta_chunks = sum(p.n_chunks for p in (parts[1:] if has_base else parts))
    dead = sum(int(p.chunk_counts[~a].sum()) for p, a in zip(parts, alive, strict=True))
    return delta_chunks + dead > max(MERGE_MIN_CHUNKS, MERGE_RATIO * base_live)


class _LiveDocuments(Mapping[str, IndexedDocument]):
    """A snapshot's live documents by id; a base document is parsed when asked for."""

    def __init__(self, index: DocumentIndex) -> None:
        self._index = index

    def __getitem__(self, doc_id: str) -> IndexedDocument:
        number, n = self._index._where[doc_id]
        return self._index.parts[number].items[n]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index._where)

    def __len__(self) -> int:
        return len(self._index._where)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._index._where


class DocumentIndex:
    """An immutable snapshot of all indexed documents with its search structures."""

    def __init__(
        self,
        embedding_model: str,
        dimension: int,
        index_type: IndexType = "flat",
        documents: dict[str, IndexedDocument] | None = None,
        pipeline: dict[str, Any] | None = None,
        *,
        parts: Sequence[IndexPart] = (),
        alive: Sequence[np.ndarray] = (),
        vocabulary: Vocabulary | None = None,
        spill: Path | None = None,
        defer_merges: bool = False,
    ) -> None:
        """``documents`` (new entries, with tokens) become one delta part; ``parts`` and ``alive``
        (one boolean per document of each part) are how snapshots and the store assemble an index.
        ``pipeline``: how the entries were made (chunking, tokenizer resources, embedding text
        recipe); saved in the manifest and checked on open, None when not recorded. ``spill``: a
        folder where merges write new bases (a store's), None to keep them in memory.
        ``defer_merges``: a base merge that falls due is left to the caller (``merge_due``,
        ``merged``, ``rebased``: the engine runs it in a thread) instead of made inline."""
        self.embedding_model = embedding_model
        self.dimension = dimension
        self.index_type: IndexType = index_type
        self.pipeline = pipeline
        self.vocabulary = vocabulary or Vocabulary()
        self.spill = spill
        self.defer_merges = defer_merges
        faiss.omp_set_num_threads(SEARCH_THREADS)
        parts, alive = list(parts), list(alive)
        if documents:
            parts.append(IndexPart.build(list(documents.values()), self.vocabulary, dimension, index_type))
            alive.append(np.ones(len(parts[-1].doc_ids), dtype=bool))
        self.parts: tuple[IndexPart, ...] = tuple(parts)
        self.alive: tuple[np.ndarray, ...] = tuple(alive)
        self._chunk_alive = tuple(part.chunk_mask(mask) for part, mask in zip(self.parts, self.alive, strict=True))
        #: every chunk and sentence of the parts by position, dead ones included (read when indexed)
        self.chunks: Sequence[Chunk] = _Rows(self.parts, sentences=False)
        self.sentences: Sequence[SentenceRef] = _Rows(self.parts, sentences=True)
        self._chunk_offsets = np.cumsum([0] + [p.n_chunks for p in self.parts])
        self._sentence_offsets = np.cumsum([0] + [p.n_sentences for p in self.parts])
        #: live documents: id -> (part number, document number); a replaced document's old chunks are dead
        self._where: dict[str, tuple[int, int]] = {}
        for number, (part, mask) in enumerate(zip(self.parts, self.alive, strict=True)):
            ids = part.doc_ids
            for n in np.flatnonzero(mask).tolist():
                self._where[ids[n]] = (number, n)
        self.documents: Mapping[str, IndexedDocument] = _LiveDocuments(self)

    # ----- snapshots -----
    def with_documents(
        self, added: list[IndexedDocument], pipeline: dict[str, Any] | None = None
    ) -> DocumentIndex:
        """A new snapshot where ``added`` replace documents of the same id or are appended;
        ``pipeline`` (when given) is what the new entries were made with. Only ``added`` is
        indexed: the replaced documents' chunks are marked dead."""
        if not added:
            return self
        latest = {item.document.doc_id: item for item in added}
        alive = self._killed(list(latest))
        part = IndexPart.build(list(latest.values()), self.vocabulary, self.dimension, self.index_type)
        return self._maintained([*self.parts, part], [*alive, np.ones(len(part.doc_ids), dtype=bool)],
                                pipeline or self.pipeline)

    def bulk_built(self, batches: Iterable[Sequence[IndexedDocument]],
                   pipeline: dict[str, Any] | None = None) -> DocumentIndex:
        """A snapshot of the documents of ``batches`` alone, written straight into one base a batch
        at a time (in the spill folder, or a temporary one): a bulk build holds one batch in
        memory and merges nothing, where adding batch after batch would rewrite a growing base
        at every merge. A later entry of the same id replaces an earlier one."""
        if self._where:
            raise ValueError("a bulk build starts from an empty index")
        spill = self.spill or Path(tempfile.mkdtemp(prefix="rag-base-"))
        name = uuid.uuid4().hex[:24]
        writer = BaseWriter(spill / f".{name}.partial", self.dimension)
        try:
            for batch in batches:
                items = list(batch)
                if not items:
                    continue
                part = IndexPart.build(items, self.vocabulary, self.dimension, "flat")
                writer.add([base_record(item) for item in part.items], [part.entry(n) for n in range(len(items))],
                           part.chunk_counts.tolist(), part.sentence_counts.tolist(), part.chunk_matrix,
                           part.sentence_matrix, part.postings)
            columns = writer.finish(self.vocabulary, lambda matrix: _faiss_index(matrix, self.index_type))
        except BaseException:
            shutil.rmtree(writer.folder, ignore_errors=True)
            raise
        folder = spill / name
        os.replace(writer.folder, folder)
        base = IndexPart.from_columns(columns, self.index_type, folder=folder)
        base.spilled(folder if self.spill else spill)
        last = {doc_id: n for n, doc_id in enumerate(base.doc_ids)}
        alive = np.zeros(len(base.doc_ids), dtype=bool)
        alive[list(last.values())] = True
        return self.assembled([base], [alive], pipeline or self.pipeline)

    def without_documents(self, doc_ids: list[str]) -> DocumentIndex:
        """A new snapshot without the given documents (unknown ids are ignored)."""
        return self._maintained(list(self.parts), self._killed(doc_ids), self.pipeline)

    def _killed(self, doc_ids: list[str]) -> list[np.ndarray]:
        """The alive masks with ``doc_ids`` marked dead (copies where changed)."""
        alive = list(self.alive)
        for doc_id in doc_ids:
            if doc_id not in self._where:
                continue
            number, n = self._where[doc_id]
            if alive[number] is self.alive[number]:
                alive[number] = alive[number].copy()
            alive[number][n] = False
        return alive

    def _maintained(
        self, parts: list[IndexPart], alive: list[np.ndarray], pipeline: dict[str, Any] | None
    ) -> DocumentIndex:
        """The snapshot of ``parts``, merged first when the deltas or the dead chunks grew too big
        (unless merges are deferred: then nothing is merged while a base merge is due, so the
        parts a background merge started from stay the first parts of every later snapshot)."""
        has_base = bool(parts) and parts[0].base
        deltas = parts[1:] if has_base else parts
        if _merge_due(parts, alive):
            if not self.defer_merges:
                merged = IndexPart.merge(list(zip(parts, alive, strict=True)), self.vocabulary, self.dimension,
                                         self.index_type, base=True, spill=self.spill)
                parts, alive = [merged], [np.ones(len(merged.doc_ids), dtype=bool)]
        elif len(deltas) > MAX_DELTA_PARTS:
            first = 1 if has_base else 0
            merged = IndexPart.merge(list(zip(parts[first:], alive[first:], strict=True)), self.vocabulary,
                                     self.dimension, self.index_type, base=False)
            parts, alive = [*parts[:first], merged], [*alive[:first], np.ones(len(merged.doc_ids), dtype=bool)]
        return self.assembled(parts, alive, pipeline)

    def deferring(self, defer: bool) -> DocumentIndex:
        """This snapshot with merges deferred (``defer``) or made inline; itself when already so."""
        if defer == self.defer_merges:
            return self
        return DocumentIndex(self.embedding_model, self.dimension, self.index_type, None, self.pipeline,
                             parts=self.parts, alive=self.alive, vocabulary=self.vocabulary, spill=self.spill,
                             defer_merges=defer)

    def merge_due(self) -> bool:
        """Whether the deltas and dead chunks have outgrown the base (``MERGE_RATIO``)."""
        return _merge_due(list(self.parts), list(self.alive))

    def merged(self) -> IndexPart:
        """A new base of every live document of this snapshot: slow (a minute at 1M chunks), so
        the engine makes it in a thread while this snapshot and its successors serve."""
        return IndexPart.merge(list(zip(self.parts, self.alive, strict=True)), self.vocabulary, self.dimension,
                               self.index_type, base=True, spill=self.spill)

    def rebased(self, source: DocumentIndex, base: IndexPart) -> DocumentIndex | None:
        """This snapshot with the parts of ``source`` (an earlier snapshot it grew from) replaced
        by ``base`` (``source.merged()``): documents deleted or replaced since ``source`` stay dead
        in the base, deltas added since are kept. None when this snapshot does not start with
        ``source``'s parts (the merge is then of no use)."""
        count = len(source.parts)
        if len(self.parts) < count or any(a is not b for a, b in zip(self.parts, source.parts, strict=False)):
            return None
        base_alive = np.concatenate([np.zeros(0, dtype=bool), *(
            now[then] for now, then in zip(self.alive[:count], source.alive, strict=True)
        )])
        if len(base_alive) != len(base.doc_ids):
            raise ValueError("the merged base is not the merge of the source snapshot")
        return self.assembled([base, *self.parts[count:]], [base_alive, *self.alive[count:]], self.pipeline)

    def assembled(self, parts: Sequence[IndexPart], alive: Sequence[np.ndarray],
                  pipeline: dict[str, Any] | None) -> DocumentIndex:
        """A snapshot of ``parts`` with this one's model, vocabulary, spill folder and merge policy."""
        return DocumentIndex(self.embedding_model, self.dimension, self.index_type, None, pipeline,
                             parts=parts, alive=alive, vocabulary=self.vocabulary, spill=self.spill,
                             defer_merges=self.defer_merges)

    # ----- queries -----
    def info(self) -> IndexInfo:
        return IndexInfo(
            embedding_model=self.embedding_model,
            dimension=self.dimension,
            index_type=self.index_type,
            documents=len(self._where),
            chunks=sum(int(p.chunk_counts[a].sum()) for p, a in zip(self.parts, self.alive, strict=True)),
            sentences=sum(int(p.sentence_counts[a].sum()) for p, a in zip(self.parts, self.alive, strict=True)),
        )

    def catalog(self, doc_id: str) -> CatalogEntry:
        """The live document's catalog entry (``KeyError`` when absent), without its record."""
        number, n = self._where[doc_id]
        return self.parts[number].entry(n)

    def chunk_count(self, doc_id: str) -> int:
        """The live document's number of chunks (``KeyError`` when absent)."""
        number, n = self._where[doc_id]
        return int(self.parts[number].chunk_counts[n])

    def content_hash(self, doc_id: str) -> str | None:
        """The live document's content hash (None when absent), without reading its record."""
        where = self._where.get(doc_id)
        return None if where is None else self.parts[where[0]].content_hashes[where[1]]

    def chunk_position(self, chunk_id: str) -> int:
        """The chunk's position in this snapshot (``KeyError`` when it is not a live chunk)."""
        doc_id, _, ordinal = chunk_id.rpartition("#")
        number, n = self._where[doc_id]
        part = self.parts[number]
        offset = int(self._chunk_offsets[number]) + int(part.chunk_starts[n])
        chunks = part.items[n].chunks
        guess = int(ordinal) if ordinal.isdigit() else -1
        if 0 <= guess < len(chunks) and chunks[guess].chunk_id == chunk_id:
            return offset + guess
        for local, chunk in enumerate(chunks):
            if chunk.chunk_id == chunk_id:
                return offset + local
        raise KeyError(chunk_id)

    def document(self, doc_id: str) -> Document:
        return self.documents[doc_id].document

    def dense_search(self, query_vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Chunk positions and cosine similarities, best first. Each part is asked for ``k`` hits
        plus some to skip its dead chunks, and again for more while dead ones crowd them out."""
        query = query_vector.reshape(1, -1).astype(np.float32)
        hits: list[tuple[int, float]] = []
        for part, alive, offset in zip(self.parts, self._chunk_alive, self._chunk_offsets, strict=False):
            n = part.n_chunks
            if not n:
                continue
            dead = n - int(alive.sum())
            wanted = min(n, k + min(dead, k))
            while True:
                scores, ids = part.dense.search(query, wanted)
                found = [(int(offset) + int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True)
                         if i >= 0 and alive[i]]
                if len(found) >= k or wanted >= min(n, k + dead) or (ids[0] < 0).any():
                    break
                wanted = min(n, k + dead, wanted * 4)
            hits.extend(found)
        hits.sort(key=lambda hit: -hit[1])
        return hits[:k]

    def bm25_search(self, query_tokens: list[str], k: int) -> list[tuple[int, float]]:
        """Chunk positions and BM25 scores, best first; chunks sharing no term are left out."""
        ids = [i for i in (self.vocabulary.get(t) for t in query_tokens) if i is not None]
        if not ids or not len(self.chunks):
            return []
        scores = np.concatenate([
            np.where(alive, score(part.postings, ids, self._statistics, norms), np.float32(0))
            for part, alive, norms in zip(self.parts, self._chunk_alive, self._norms, strict=True)
        ])
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k] if len(scores) > k else np.arange(len(scores))
        order = top[np.argsort(-scores[top], kind="stable")]
        return [(int(i), float(scores[i])) for i in order if scores[i] > 0]

    @cached_property
    def _statistics(self) -> LiveStatistics:
        return live_statistics([(p.postings, a) for p, a in zip(self.parts, self._chunk_alive, strict=True)])

    @cached_property
    def _norms(self) -> list[np.ndarray]:
        return [length_norms(p.postings, self._statistics) for p in self.parts]

    def idf(self, token: str) -> float:
        """Inverse document frequency over chunks: rare terms weigh more in answer scoring."""
        term = self.vocabulary.get(token)
        stats = self._statistics
        return idf(stats.df(term) if term is not None else 0, max(stats.chunks, 1))

    def sentence_similarities(self, query_vector: np.ndarray, positions: list[int]) -> np.ndarray:
        """Cosine similarity of the query to the given sentences (vectors stored at index time)."""
        result = np.zeros(len(positions), dtype=np.float32)
        if not positions:
            return result
        wanted = np.asarray(positions, dtype=np.int64)
        numbers = np.searchsorted(self._sentence_offsets, wanted, side="right") - 1
        query = query_vector.astype(np.float32)
        for number in np.unique(numbers):
            picked = np.flatnonzero(numbers == number)
            local = wanted[picked] - self._sentence_offsets[number]
            rows = np.asarray(self.parts[number].sentence_matrix[local], dtype=np.float32)
            result[picked] = rows @ query
        return result

    def sentences_of_chunk(self, chunk: Chunk) -> list[int]:
        """Positions of the sentences that lie inside ``chunk``."""
        positions = self._sentence_range(chunk.doc_id)
        if not positions:
            return []
        spans = self.documents[chunk.doc_id].sentence_spans
        return [positions.start + k for k, (start, end) in enumerate(spans)
                if start >= chunk.start and end <= chunk.end]

    def _sentence_range(self, doc_id: str) -> range:
        if doc_id not in self._where:
            return range(0)
        number, n = self._where[doc_id]
        part = self.parts[number]
        offset = int(self._sentence_offsets[number])
        return range(offset + int(part.sentence_starts[n]), offset + int(part.sentence_starts[n + 1]))
