"""The in-memory search index: FAISS over chunk vectors plus BM25 over jieba tokens.

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
all live chunks are merged into a new base by concatenating arrays (no re-tokenising); when there
are more than ``MAX_DELTA_PARTS`` deltas, they are merged into one.

Positions (``chunks[i]``, ``sentences[i]``) are positions in one snapshot: a snapshot's lists hold
its parts' items one after the other, dead ones included (they are never returned by a search).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, Literal

import faiss
import numpy as np

from rag.schema import Chunk, Document
from rag.store.lexical import LiveStatistics, Postings, Vocabulary, idf, live_statistics, score

IndexType = Literal["flat", "hnsw"]


def stack_vectors(parts: list[np.ndarray], dimension: int) -> np.ndarray:
    """Concatenate per-document vector blocks into one contiguous float32 matrix."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return np.zeros((0, dimension), dtype=np.float32)
    return np.ascontiguousarray(np.vstack(parts), dtype=np.float32)


@dataclass
class IndexedDocument:
    """Everything the index keeps for one document: its chunks, tokens, sentences and vectors."""

    document: Document
    chunks: list[Chunk]
    chunk_tokens: list[list[str]]  # empty once merged into a base (kept there as postings)
    chunk_vectors: np.ndarray  # (n_chunks, dim) float32, L2-normalised (a view into its part)
    sentence_spans: list[tuple[int, int]]  # offsets in document.text
    sentence_texts: list[str]  # repaired text of each sentence
    sentence_vectors: np.ndarray  # (n_sentences, dim) L2-normalised; float16 once merged into a base
    #: Who added the document: an API key's id (``key-…``, never the key), ``local`` (open local
    #: mode), ``cli`` (``rag index``); empty for documents indexed before this was recorded.
    added_by: str = ""
    #: When it was added (UTC, ISO 8601), empty when not recorded.
    added_at: str = ""


@dataclass(frozen=True)
class IndexInfo:
    """What ``rag info`` and ``GET /health`` report about an index."""

    embedding_model: str
    dimension: int
    index_type: str
    documents: int
    chunks: int
    sentences: int


@dataclass(slots=True)
class SentenceRef:
    """A sentence of the index, located by document and offsets."""

    doc_id: str
    start: int
    end: int
    text: str


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


class IndexPart:
    """Some documents with their chunks, sentences, vectors and BM25 postings; never changed once
    built, so snapshots share it. ``base`` parts hold merged documents without their token lists
    (the postings have them) and are saved in columns; delta parts keep the token lists and are
    saved one segment per document. ``name`` is set once the part is on disk."""

    def __init__(self, items: Sequence[IndexedDocument], chunk_matrix: np.ndarray, sentence_matrix: np.ndarray,
                 postings: Postings, index_type: IndexType, base: bool, name: str = "",
                 dense: faiss.Index | None = None) -> None:
        self.items = tuple(items)
        self.chunk_matrix = chunk_matrix
        self.sentence_matrix = sentence_matrix
        self.postings = postings
        self.base = base
        self.name = name
        self.chunks: list[Chunk] = [c for item in self.items for c in item.chunks]
        with paused_gc():
            self.sentences: list[SentenceRef] = [
                SentenceRef(item.document.doc_id, s, e, t)
                for item in self.items
                for (s, e), t in zip(item.sentence_spans, item.sentence_texts, strict=True)
            ]
        self.chunk_counts = np.array([len(item.chunks) for item in self.items], dtype=np.int64)
        self.sentence_counts = np.array([len(item.sentence_spans) for item in self.items], dtype=np.int64)
        self.numbers = {item.document.doc_id: n for n, item in enumerate(self.items)}
        self.chunk_ranges: dict[str, tuple[int, int]] = {}
        self.sentence_ranges: dict[str, tuple[int, int]] = {}
        chunk_at = sentence_at = 0
        for item in self.items:
            key = item.document.doc_id
            self.chunk_ranges[key] = (chunk_at, chunk_at + len(item.chunks))
            self.sentence_ranges[key] = (sentence_at, sentence_at + len(item.sentence_spans))
            chunk_at += len(item.chunks)
            sentence_at += len(item.sentence_spans)
        if len(chunk_matrix) != len(self.chunks) or len(sentence_matrix) != len(self.sentences):
            raise ValueError("vector counts do not match the documents")
        if postings.rows != len(self.chunks):
            raise ValueError("BM25 postings do not match the chunks")
        self.dense = dense if dense is not None else _faiss_index(chunk_matrix, index_type)

    def chunk_mask(self, alive: np.ndarray) -> np.ndarray:
        """One boolean per chunk from one per document."""
        return np.repeat(alive, self.chunk_counts)

    @classmethod
    def build(cls, items: Sequence[IndexedDocument], vocabulary: Vocabulary, dimension: int,
              index_type: IndexType) -> IndexPart:
        """A delta part from new entries (tokens and float32 vectors); each entry's vectors become
        views into the part's matrices."""
        chunk_matrix = stack_vectors([i.chunk_vectors for i in items], dimension)
        sentence_matrix = stack_vectors([i.sentence_vectors for i in items], dimension)
        postings = Postings.build([t for item in items for t in item.chunk_tokens], vocabulary)
        return cls(_repointed(items, chunk_matrix, sentence_matrix, keep_tokens=True), chunk_matrix,
                   sentence_matrix, postings, index_type, base=False)

    @classmethod
    def merge(cls, parts: Sequence[tuple[IndexPart, np.ndarray]], vocabulary: Vocabulary, dimension: int,
              index_type: IndexType, base: bool) -> IndexPart:
        """One part from the live documents of several (``alive``: one boolean per document); arrays
        are concatenated, nothing is re-tokenised. A base stores sentence vectors as float16 (the
        scores they feed move by about 1e-3) and drops the token lists."""
        items = [item for part, alive in parts for item, keep in zip(part.items, alive, strict=True) if keep]
        chunk_keep = [(part, part.chunk_mask(alive)) for part, alive in parts]
        sentence_keep = [(part, np.repeat(alive, part.sentence_counts)) for part, alive in parts]
        chunk_matrix = stack_vectors([np.asarray(p.chunk_matrix)[keep] for p, keep in chunk_keep], dimension)
        sentence_dtype = np.float16 if base else np.float32
        sentence_matrix = np.concatenate([
            np.zeros((0, dimension), sentence_dtype),
            *(np.asarray(p.sentence_matrix)[keep].astype(sentence_dtype) for p, keep in sentence_keep),
        ])
        postings = Postings.concat([(p.postings, keep) for p, keep in chunk_keep], len(vocabulary))
        return cls(_repointed(items, chunk_matrix, sentence_matrix, keep_tokens=not base), chunk_matrix,
                   sentence_matrix, postings, index_type, base=base)


def _repointed(items: Sequence[IndexedDocument], chunk_matrix: np.ndarray, sentence_matrix: np.ndarray,
               keep_tokens: bool) -> list[IndexedDocument]:
    """The entries with their vectors as views into the part's matrices (no second copy)."""
    result = []
    c = s = 0
    for item in items:
        n_chunks, n_sentences = len(item.chunks), len(item.sentence_spans)
        result.append(replace(
            item,
            chunk_tokens=item.chunk_tokens if keep_tokens else [],
            chunk_vectors=chunk_matrix[c : c + n_chunks],
            sentence_vectors=sentence_matrix[s : s + n_sentences],
        ))
        c += n_chunks
        s += n_sentences
    return result


def _faiss_index(matrix: np.ndarray, index_type: IndexType) -> faiss.Index:
    """Exact inner product by default; HNSW when configured for large corpora."""
    dimension = matrix.shape[1]
    if index_type == "hnsw" and len(matrix) >= HNSW_MIN_CHUNKS:
        hnsw = faiss.IndexHNSWFlat(dimension, 32, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efSearch = 64
        index: faiss.Index = hnsw
    else:
        index = faiss.IndexFlatIP(dimension)
    if len(matrix):
        index.add(np.ascontiguousarray(matrix, dtype=np.float32))
    return index


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
    ) -> None:
        """``documents`` (new entries, with tokens) become one delta part; ``parts`` and ``alive``
        (one boolean per document of each part) are how snapshots and the store assemble an index.
        ``pipeline``: how the entries were made (chunking, tokenizer resources, embedding text
        recipe); saved in the manifest and checked on open, None when not recorded."""
        self.embedding_model = embedding_model
        self.dimension = dimension
        self.index_type: IndexType = index_type
        self.pipeline = pipeline
        self.vocabulary = vocabulary or Vocabulary()
        faiss.omp_set_num_threads(SEARCH_THREADS)
        parts, alive = list(parts), list(alive)
        if documents:
            parts.append(IndexPart.build(list(documents.values()), self.vocabulary, dimension, index_type))
            alive.append(np.ones(len(parts[-1].items), dtype=bool))
        self.parts: tuple[IndexPart, ...] = tuple(parts)
        self.alive: tuple[np.ndarray, ...] = tuple(alive)
        self._chunk_alive = tuple(part.chunk_mask(mask) for part, mask in zip(self.parts, self.alive, strict=True))
        self.chunks: list[Chunk] = [c for part in self.parts for c in part.chunks]
        self.sentences: list[SentenceRef] = [s for part in self.parts for s in part.sentences]
        self._chunk_offsets = np.cumsum([0] + [len(p.chunks) for p in self.parts])
        self._sentence_offsets = np.cumsum([0] + [len(p.sentences) for p in self.parts])
        #: live documents: id -> (part number, entry); a replaced document's old chunks are dead
        self._where: dict[str, tuple[int, IndexedDocument]] = {}
        for number, (part, mask) in enumerate(zip(self.parts, self.alive, strict=True)):
            for item, keep in zip(part.items, mask, strict=True):
                if keep:
                    self._where[item.document.doc_id] = (number, item)
        self.documents: dict[str, IndexedDocument] = {key: item for key, (_, item) in self._where.items()}

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
        return self._maintained([*self.parts, part], [*alive, np.ones(len(part.items), dtype=bool)],
                                pipeline or self.pipeline)

    def without_documents(self, doc_ids: list[str]) -> DocumentIndex:
        """A new snapshot without the given documents (unknown ids are ignored)."""
        return self._maintained(list(self.parts), self._killed(doc_ids), self.pipeline)

    def _killed(self, doc_ids: list[str]) -> list[np.ndarray]:
        """The alive masks with ``doc_ids`` marked dead (copies where changed)."""
        alive = list(self.alive)
        for doc_id in doc_ids:
            if doc_id not in self._where:
                continue
            number, _ = self._where[doc_id]
            if alive[number] is self.alive[number]:
                alive[number] = alive[number].copy()
            alive[number][self.parts[number].numbers[doc_id]] = False
        return alive

    def _maintained(
        self, parts: list[IndexPart], alive: list[np.ndarray], pipeline: dict[str, Any] | None
    ) -> DocumentIndex:
        """The snapshot of ``parts``, merged first when the deltas or the dead chunks grew too big."""
        has_base = bool(parts) and parts[0].base
        base_live = int(parts[0].chunk_counts[alive[0]].sum()) if has_base else 0
        deltas = parts[1:] if has_base else parts
        delta_chunks = sum(len(p.chunks) for p in deltas)
        dead = sum(int(p.chunk_counts[~a].sum()) for p, a in zip(parts, alive, strict=True))
        if delta_chunks + dead > max(MERGE_MIN_CHUNKS, MERGE_RATIO * base_live):
            merged = IndexPart.merge(list(zip(parts, alive, strict=True)), self.vocabulary, self.dimension,
                                     self.index_type, base=True)
            parts, alive = [merged], [np.ones(len(merged.items), dtype=bool)]
        elif len(deltas) > MAX_DELTA_PARTS:
            first = 1 if has_base else 0
            merged = IndexPart.merge(list(zip(parts[first:], alive[first:], strict=True)), self.vocabulary,
                                     self.dimension, self.index_type, base=False)
            parts, alive = [*parts[:first], merged], [*alive[:first], np.ones(len(merged.items), dtype=bool)]
        return DocumentIndex(self.embedding_model, self.dimension, self.index_type, None, pipeline,
                             parts=parts, alive=alive, vocabulary=self.vocabulary)

    # ----- queries -----
    def info(self) -> IndexInfo:
        return IndexInfo(
            embedding_model=self.embedding_model,
            dimension=self.dimension,
            index_type=self.index_type,
            documents=len(self.documents),
            chunks=sum(len(item.chunks) for item in self.documents.values()),
            sentences=sum(len(item.sentence_spans) for item in self.documents.values()),
        )

    def chunk_position(self, chunk_id: str) -> int:
        """The chunk's position in this snapshot (``KeyError`` when it is not a live chunk)."""
        doc_id, _, ordinal = chunk_id.rpartition("#")
        number, _ = self._where[doc_id]
        start, end = self.parts[number].chunk_ranges[doc_id]
        offset = int(self._chunk_offsets[number])
        guess = offset + start + int(ordinal) if ordinal.isdigit() else -1
        if offset + start <= guess < offset + end and self.chunks[guess].chunk_id == chunk_id:
            return guess
        for position in range(offset + start, offset + end):
            if self.chunks[position].chunk_id == chunk_id:
                return position
        raise KeyError(chunk_id)

    def document(self, doc_id: str) -> Document:
        return self.documents[doc_id].document

    def dense_search(self, query_vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Chunk positions and cosine similarities, best first."""
        query = query_vector.reshape(1, -1).astype(np.float32)
        hits: list[tuple[int, float]] = []
        for part, alive, offset in zip(self.parts, self._chunk_alive, self._chunk_offsets, strict=False):
            n = len(part.chunks)
            if not n:
                continue
            wanted = min(n, k + n - int(alive.sum()))
            scores, ids = part.dense.search(query, wanted)
            hits.extend((int(offset) + int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True)
                        if i >= 0 and alive[i])
        hits.sort(key=lambda hit: -hit[1])
        return hits[:k]

    def bm25_search(self, query_tokens: list[str], k: int) -> list[tuple[int, float]]:
        """Chunk positions and BM25 scores, best first; chunks sharing no term are left out."""
        ids = [i for i in (self.vocabulary.get(t) for t in query_tokens) if i is not None]
        if not ids or not self.chunks:
            return []
        scores = np.concatenate([
            np.where(alive, score(part.postings, ids, self._statistics), np.float32(0))
            for part, alive in zip(self.parts, self._chunk_alive, strict=True)
        ])
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k] if len(scores) > k else np.arange(len(scores))
        order = top[np.argsort(-scores[top], kind="stable")]
        return [(int(i), float(scores[i])) for i in order if scores[i] > 0]

    @cached_property
    def _statistics(self) -> LiveStatistics:
        return live_statistics([(p.postings, a) for p, a in zip(self.parts, self._chunk_alive, strict=True)])

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
        return [
            i
            for i in self._sentence_range(chunk.doc_id)
            if self.sentences[i].start >= chunk.start and self.sentences[i].end <= chunk.end
        ]

    def _sentence_range(self, doc_id: str) -> range:
        if doc_id not in self._where:
            return range(0)
        number, _ = self._where[doc_id]
        start, end = self.parts[number].sentence_ranges[doc_id]
        offset = int(self._sentence_offsets[number])
        return range(offset + start, offset + end)
