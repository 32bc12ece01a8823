"""The in-memory search index: FAISS over chunk vectors plus BM25 over jieba tokens.

A ``DocumentIndex`` is an immutable snapshot. Adding or deleting documents returns a *new* snapshot
built from the per-document pieces, so a reader holding the old snapshot never sees a half-updated
index (the API swaps the reference once the new one is complete). Only the per-document embeddings
are expensive; the concatenated views, FAISS and BM25 are rebuilt from them in milliseconds.
"""

from __future__ import annotations

from dataclasses import InitVar, dataclass, field
from typing import Any, Literal

import bm25s
import faiss
import numpy as np

from rag.schema import Chunk, Document

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
    chunk_tokens: list[list[str]]
    chunk_vectors: np.ndarray  # (n_chunks, dim) float32, L2-normalised
    sentence_spans: list[tuple[int, int]]  # offsets in document.text
    sentence_texts: list[str]  # repaired text of each sentence
    sentence_vectors: np.ndarray  # (n_sentences, dim) float32, L2-normalised
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


@dataclass
class SentenceRef:
    """A sentence of the index, located by document and offsets."""

    doc_id: str
    start: int
    end: int
    text: str


@dataclass
class DocumentIndex:
    """An immutable snapshot of all indexed documents with its search structures."""

    embedding_model: str
    dimension: int
    index_type: IndexType = "flat"
    documents: dict[str, IndexedDocument] = field(default_factory=dict)
    #: How the entries were made (chunking, tokenizer resources, embedding text recipe); saved in
    #: the manifest and checked on open. None for an index that has not recorded it.
    pipeline: dict[str, Any] | None = None
    #: A BM25 index already built over exactly these chunks' tokens (loaded from disk), so it is
    #: not rebuilt; ignored unless it counts as many entries as there are chunks.
    bm25: InitVar[bm25s.BM25 | None] = None

    def __post_init__(self, bm25: bm25s.BM25 | None = None) -> None:
        self.chunks: list[Chunk] = [c for d in self.documents.values() for c in d.chunks]
        self._chunk_position = {c.chunk_id: i for i, c in enumerate(self.chunks)}
        self.sentences: list[SentenceRef] = [
            SentenceRef(d.document.doc_id, s, e, t)
            for d in self.documents.values()
            for (s, e), t in zip(d.sentence_spans, d.sentence_texts, strict=True)
        ]
        self._sentence_ranges: dict[str, range] = {}
        position = 0
        for key, item in self.documents.items():
            self._sentence_ranges[key] = range(position, position + len(item.sentence_spans))
            position += len(item.sentence_spans)
        self._sentence_matrix = stack_vectors([d.sentence_vectors for d in self.documents.values()], self.dimension)
        self._dense = self._build_faiss(
            stack_vectors([d.chunk_vectors for d in self.documents.values()], self.dimension)
        )
        tokens = [t for d in self.documents.values() for t in d.chunk_tokens]
        usable = bm25 is not None and tokens and int(bm25.scores.get("num_docs", -1)) == len(tokens)
        self._bm25 = bm25 if usable else self._build_bm25(tokens)
        self._doc_freq = self._document_frequencies(tokens)

    # ----- construction helpers -----
    def _build_faiss(self, matrix: np.ndarray) -> faiss.Index:
        """Exact inner product by default; HNSW when configured for large corpora."""
        if self.index_type == "hnsw":
            hnsw = faiss.IndexHNSWFlat(self.dimension, 32, faiss.METRIC_INNER_PRODUCT)
            hnsw.hnsw.efSearch = 64
            index: faiss.Index = hnsw
        else:
            index = faiss.IndexFlatIP(self.dimension)
        if len(matrix):
            index.add(matrix)
        return index

    @staticmethod
    def _build_bm25(tokens: list[list[str]]) -> bm25s.BM25 | None:
        if not tokens:
            return None
        bm25 = bm25s.BM25()
        # bm25s cannot index an empty token list; a placeholder keeps positions aligned.
        bm25.index([t if t else ["\u0000"] for t in tokens], show_progress=False)
        return bm25

    @staticmethod
    def _document_frequencies(tokens: list[list[str]]) -> dict[str, int]:
        freq: dict[str, int] = {}
        for chunk_tokens in tokens:
            for token in set(chunk_tokens):
                freq[token] = freq.get(token, 0) + 1
        return freq

    @property
    def bm25_index(self) -> bm25s.BM25 | None:
        """The BM25 index over the chunks (None when there are none), for the store to persist."""
        return self._bm25

    # ----- snapshots -----
    def with_documents(
        self, added: list[IndexedDocument], pipeline: dict[str, Any] | None = None
    ) -> DocumentIndex:
        """A new snapshot where ``added`` replace documents of the same id or are appended;
        ``pipeline`` (when given) is what the new entries were made with."""
        documents = dict(self.documents)
        for item in added:
            documents[item.document.doc_id] = item
        return DocumentIndex(
            self.embedding_model, self.dimension, self.index_type, documents, pipeline or self.pipeline
        )

    def without_documents(self, doc_ids: list[str]) -> DocumentIndex:
        """A new snapshot without the given documents (unknown ids are ignored)."""
        documents = {k: v for k, v in self.documents.items() if k not in set(doc_ids)}
        return DocumentIndex(self.embedding_model, self.dimension, self.index_type, documents, self.pipeline)

    # ----- queries -----
    def info(self) -> IndexInfo:
        return IndexInfo(
            embedding_model=self.embedding_model,
            dimension=self.dimension,
            index_type=self.index_type,
            documents=len(self.documents),
            chunks=len(self.chunks),
            sentences=len(self.sentences),
        )

    def chunk_position(self, chunk_id: str) -> int:
        return self._chunk_position[chunk_id]

    def document(self, doc_id: str) -> Document:
        return self.documents[doc_id].document

    def dense_search(self, query_vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Chunk positions and cosine similarities, best first."""
        if not self.chunks:
            return []
        k = min(k, len(self.chunks))
        scores, ids = self._dense.search(query_vector.reshape(1, -1).astype(np.float32), k)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def bm25_search(self, query_tokens: list[str], k: int) -> list[tuple[int, float]]:
        """Chunk positions and BM25 scores, best first; chunks sharing no term are left out."""
        if self._bm25 is None or not query_tokens:
            return []
        scores = np.asarray(self._bm25.get_scores(query_tokens), dtype=np.float32)
        order = np.argsort(-scores)[:k]
        return [(int(i), float(scores[i])) for i in order if scores[i] > 0]

    def idf(self, token: str) -> float:
        """Inverse document frequency over chunks: rare terms weigh more in answer scoring."""
        n = max(len(self.chunks), 1)
        df = self._doc_freq.get(token, 0)
        return float(np.log(1.0 + (n - df + 0.5) / (df + 0.5)))

    def sentence_similarities(self, query_vector: np.ndarray, positions: list[int]) -> np.ndarray:
        """Cosine similarity of the query to the given sentences (vectors stored at index time)."""
        if not positions:
            return np.zeros(0, dtype=np.float32)
        return self._sentence_matrix[positions] @ query_vector.astype(np.float32)

    def sentences_of_chunk(self, chunk: Chunk) -> list[int]:
        """Positions of the sentences that lie inside ``chunk``."""
        return [
            i
            for i in self._sentence_range(chunk.doc_id)
            if self.sentences[i].start >= chunk.start and self.sentences[i].end <= chunk.end
        ]

    def _sentence_range(self, doc_id: str) -> range:
        return self._sentence_ranges.get(doc_id, range(0))
