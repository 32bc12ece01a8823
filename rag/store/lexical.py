"""BM25 over jieba tokens, scored at query time from the live statistics of every part of an index.

A precomputed BM25 matrix (what bm25s stores) bakes each term's IDF and the average chunk length
into every entry, so adding or deleting one document changes every entry and forces a rebuild:
60-90 s per upload at 100k chunks. Here a part keeps only term frequencies, as postings by term
(to score) and by chunk (to subtract a deleted chunk's terms from the document frequencies), and
the score is computed when a question comes in, from N, df and the average length over the chunks
alive in *all* parts. An index of several parts, with deletions, therefore scores exactly like one
rebuilt from scratch, and an update only builds postings for the new chunks.

The formula is bm25s's default (Lucene): idf = ln(1 + (N - df + 0.5) / (df + 0.5)), term part
tf / (tf + k1 (1 - b + b dl / avgdl)), k1 = 1.5, b = 0.75; a repeated query token counts each time,
and a chunk without tokens counts one placeholder token, as bm25s does.

Token ids come from one ``Vocabulary`` per index, shared by all its parts and snapshots: it only
grows (a snapshot never looks up an id beyond its own arrays), so merging parts is a concatenation.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

K1 = 1.5
B = 0.75
#: Stands for a chunk without tokens, which still counts one token (bm25s cannot index an empty one).
PLACEHOLDER = "\u0000"


class Vocabulary:
    """Token to id, append-only; shared by every part of one index."""

    def __init__(self, tokens: Iterable[str] = ()) -> None:
        self.tokens: list[str] = list(tokens)
        self._ids = {token: i for i, token in enumerate(self.tokens)}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.tokens)

    def get(self, token: str) -> int | None:
        return self._ids.get(token)

    def ids(self, tokens: Sequence[str]) -> list[int]:
        """Ids of ``tokens``, adding the new ones (under a lock: two writers may prepare at once)."""
        ids = self._ids
        missing = [t for t in tokens if t not in ids]
        if missing:
            with self._lock:
                for token in missing:
                    if token not in ids:
                        ids[token] = len(self.tokens)
                        self.tokens.append(token)
        return [ids[t] for t in tokens]


@dataclass(frozen=True)
class Postings:
    """Term frequencies of one part's chunks, by term (CSC) and by chunk (CSR); arrays may be
    memory-mapped from disk."""

    term_ptr: np.ndarray  # int64 (terms + 1): term t's postings are [term_ptr[t], term_ptr[t+1])
    term_rows: np.ndarray  # int32 (nnz): chunk row of each posting
    term_tf: np.ndarray  # float32 (nnz)
    row_ptr: np.ndarray  # int64 (rows + 1)
    row_terms: np.ndarray  # int32 (nnz): each chunk's distinct term ids
    row_tf: np.ndarray  # float32 (nnz)
    lengths: np.ndarray  # float32 (rows): tokens per chunk (a chunk without tokens counts 1)

    ARRAYS = ("term_ptr", "term_rows", "term_tf", "row_ptr", "row_terms", "row_tf", "lengths")

    @property
    def rows(self) -> int:
        return len(self.lengths)

    @property
    def terms(self) -> int:
        return len(self.term_ptr) - 1

    @classmethod
    def build(cls, token_lists: Sequence[Sequence[str]], vocabulary: Vocabulary) -> Postings:
        """Postings of chunks given as token lists (new tokens join ``vocabulary``)."""
        row_terms: list[np.ndarray] = []
        row_tf: list[np.ndarray] = []
        lengths = np.empty(len(token_lists), dtype=np.float32)
        for row, tokens in enumerate(token_lists):
            ids = np.asarray(vocabulary.ids(tokens or [PLACEHOLDER]), dtype=np.int32)
            terms, counts = np.unique(ids, return_counts=True)
            row_terms.append(terms.astype(np.int32))
            row_tf.append(counts.astype(np.float32))
            lengths[row] = len(ids)
        sizes = np.fromiter((len(t) for t in row_terms), dtype=np.int64, count=len(row_terms))
        row_ptr = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
        flat_terms = np.concatenate(row_terms) if row_terms else np.zeros(0, np.int32)
        flat_tf = np.concatenate(row_tf) if row_tf else np.zeros(0, np.float32)
        return cls.from_rows(row_ptr, flat_terms, flat_tf, lengths, len(vocabulary))

    @classmethod
    def from_rows(cls, row_ptr: np.ndarray, row_terms: np.ndarray, row_tf: np.ndarray,
                  lengths: np.ndarray, terms: int) -> Postings:
        """The by-term view computed from the by-chunk one (a stable sort by term id)."""
        rows = np.repeat(np.arange(len(lengths), dtype=np.int32), np.diff(row_ptr))
        order = np.argsort(row_terms, kind="stable")
        counts = np.bincount(row_terms, minlength=terms) if len(row_terms) else np.zeros(terms, np.int64)
        term_ptr = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        return cls(term_ptr, rows[order], row_tf[order].astype(np.float32), row_ptr.astype(np.int64),
                   row_terms.astype(np.int32), row_tf.astype(np.float32), lengths.astype(np.float32))

    @classmethod
    def concat(cls, parts: Sequence[tuple[Postings, np.ndarray]], terms: int) -> Postings:
        """One part from several, keeping in each only the rows its mask marks alive."""
        ptrs, all_terms, all_tf, all_lengths = [np.zeros(1, np.int64)], [], [], []
        offset = 0
        for postings, alive in parts:
            starts, ends = postings.row_ptr[:-1][alive], postings.row_ptr[1:][alive]
            sizes = ends - starts
            if len(sizes):
                index = np.repeat(starts - np.concatenate(([0], np.cumsum(sizes)[:-1])), sizes) + np.arange(sizes.sum())
                all_terms.append(np.asarray(postings.row_terms)[index])
                all_tf.append(np.asarray(postings.row_tf)[index])
            ptrs.append(offset + np.cumsum(sizes))
            offset += int(sizes.sum())
            all_lengths.append(np.asarray(postings.lengths)[alive])
        row_terms = np.concatenate(all_terms) if all_terms else np.zeros(0, np.int32)
        row_tf = np.concatenate(all_tf) if all_tf else np.zeros(0, np.float32)
        return cls.from_rows(np.concatenate(ptrs), row_terms, row_tf, np.concatenate(all_lengths), terms)

    def document_frequencies(self, rows: np.ndarray | None = None) -> np.ndarray:
        """Chunks holding each term (over ``rows`` only when given), as int64 of ``terms`` length."""
        if rows is None:
            return np.diff(self.term_ptr)
        if not len(rows):
            return np.zeros(self.terms, dtype=np.int64)
        pieces = [self.row_terms[self.row_ptr[r] : self.row_ptr[r + 1]] for r in rows]
        return np.bincount(np.concatenate(pieces), minlength=self.terms)


@dataclass(frozen=True)
class LiveStatistics:
    """N, total length and document frequencies over the live chunks of all parts."""

    chunks: int
    total_length: float
    #: per part: document frequency of each term among its live chunks
    frequencies: tuple[np.ndarray, ...]

    def df(self, term: int) -> int:
        return sum(int(f[term]) for f in self.frequencies if term < len(f))

    @property
    def average_length(self) -> float:
        return self.total_length / self.chunks if self.chunks else 1.0


def live_statistics(parts: Sequence[tuple[Postings, np.ndarray]]) -> LiveStatistics:
    """Statistics over the chunks each part's boolean mask marks alive."""
    frequencies = []
    chunks = 0
    total = 0.0
    for postings, alive in parts:
        dead = np.flatnonzero(~alive)
        frequencies.append(postings.document_frequencies() - postings.document_frequencies(dead))
        chunks += int(alive.sum())
        total += float(np.asarray(postings.lengths, dtype=np.float64)[alive].sum())
    return LiveStatistics(chunks, total, tuple(frequencies))


def idf(df: int, n: int) -> float:
    """Lucene's IDF, as bm25s computes it."""
    return float(np.log(1.0 + (n - df + 0.5) / (df + 0.5)))


def length_norms(postings: Postings, stats: LiveStatistics) -> np.ndarray:
    """Each row's k1 (1 - b + b dl / avgdl), float32: the same for every query of a snapshot, so
    computed once instead of per term (a common term has postings in a third of 1M chunks)."""
    average = np.float32(stats.average_length)
    lengths = np.asarray(postings.lengths)
    return np.float32(K1) * (np.float32(1 - B) + np.float32(B) * lengths / average)


def score(postings: Postings, term_ids: Sequence[int], stats: LiveStatistics,
          norms: np.ndarray | None = None) -> np.ndarray:
    """BM25 of every row of ``postings`` for the query's term ids (dead rows are the caller's
    to mask); float32, zero for rows sharing no term. ``norms``: ``length_norms`` of these
    postings and statistics, when the caller keeps them."""
    scores = np.zeros(postings.rows, dtype=np.float32)
    if norms is None:
        norms = length_norms(postings, stats)
    for term in term_ids:
        if term >= postings.terms:
            continue
        start, end = int(postings.term_ptr[term]), int(postings.term_ptr[term + 1])
        if start == end:
            continue
        rows = np.asarray(postings.term_rows[start:end])
        tf = np.asarray(postings.term_tf[start:end])
        weight = np.float32(idf(stats.df(term), stats.chunks))
        scores[rows] += weight * (tf / (norms[rows] + tf))
    return scores
