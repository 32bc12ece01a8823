"""What the index keeps per document (``IndexedDocument``) and how a document's record is read
lazily from a base part.

A base part at 1M chunks holds about 66k documents, 1M chunks and 3.4M sentences. Parsed into
Python objects at load (one JSON file), they took most of the memory (about 6 KB a chunk) and of the
start-up time (1.8 s at 100k, so about 18 s at 1M). A base now keeps every document's record as
bytes (``Records``: one blob, memory-mapped from disk once saved, and an offsets array) and parses
a record only when a search hit, an answer or a listing asks for that document; the parsed entries
of the most recently used documents are cached (``RECORD_CACHE``), so a question touching the
same few documents again parses nothing.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, overload

import numpy as np

from rag.schema import Chunk, Document, DocumentMeta, Heading, Page

#: Parsed base documents kept per part: a question touches at most a few dozen documents.
RECORD_CACHE = 512


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
    #: The place the document is about (``Gazetteer.document_place``, computed at index time) as
    #: its national code, else its name; empty for none, None when not recorded.
    place: str | None = None


@dataclass(frozen=True)
class CatalogEntry:
    """What listings and the engine's place lookup need of a document, kept in memory for every
    document of a base (its catalog), so neither parses the document's record."""

    doc_id: str
    content_hash: str
    title: str
    characters: int
    added_by: str
    added_at: str
    place: str | None

    FIELDS = ("doc_ids", "content_hashes", "titles", "characters", "added_by", "added_at", "places")

    @classmethod
    def of(cls, item: IndexedDocument) -> CatalogEntry:
        doc = item.document
        return cls(doc.doc_id, doc.content_hash, doc.title, len(doc.text), item.added_by, item.added_at, item.place)


def catalog_columns(entries: Sequence[CatalogEntry]) -> dict[str, list[Any]]:
    """A base's catalog: one list per field (``CatalogEntry.FIELDS``)."""
    rows = [(e.doc_id, e.content_hash, e.title, e.characters, e.added_by, e.added_at, e.place) for e in entries]
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in CatalogEntry.FIELDS]
    return {name: list(values) for name, values in zip(CatalogEntry.FIELDS, columns, strict=True)}


@dataclass(slots=True)
class SentenceRef:
    """A sentence of the index, located by document and offsets."""

    doc_id: str
    start: int
    end: int
    text: str


def document_record(item: IndexedDocument) -> dict[str, Any]:
    """A delta document's record (a segment's JSON): everything but the vectors."""
    doc = item.document
    return {
        "doc_id": doc.doc_id,
        "title": doc.title,
        "text": doc.text,
        "source": doc.source,
        "content_hash": doc.content_hash,
        "headings": [[h.start, h.text, h.level, h.end, h.outline] for h in doc.headings],
        "meta": asdict(doc.meta),
        "pages": [asdict(page) for page in doc.pages],
        "chunks": [asdict(c) for c in item.chunks],
        "chunk_tokens": item.chunk_tokens,
        "sentence_spans": [list(s) for s in item.sentence_spans],
        "sentence_texts": item.sentence_texts,
        "added_by": item.added_by,
        "added_at": item.added_at,
        "place": item.place,
    }


def base_record(item: IndexedDocument) -> bytes:
    """A base's record, as UTF-8 JSON: no tokens (the postings hold them), no chunk text (a slice of
    the document's text, restored on load) and no sentence text equal to its slice of the text
    (``null``; most are)."""
    record = document_record(item)
    del record["chunk_tokens"]
    for chunk in record["chunks"]:
        del chunk["text"]
    text = item.document.text
    record["sentence_texts"] = [None if t == text[s:e] else t
                                for (s, e), t in zip(item.sentence_spans, item.sentence_texts, strict=True)]
    return json.dumps(record, ensure_ascii=False).encode("utf-8")


def _heading(fields: list[Any]) -> Heading:
    """A heading from its record: [start, text] in indexes written before the heading tree, then
    level, end and outline."""
    start, text, *rest = fields
    level, end, outline = (rest + [0, None, False][len(rest) :])[:3]
    return Heading(int(start), str(text), int(level), None if end is None else int(end), bool(outline))


def document_from_record(record: dict[str, Any], chunk_vectors: np.ndarray,
                         sentence_vectors: np.ndarray) -> IndexedDocument:
    """An entry from its record; a base record's chunks and sentences get their text back from the
    document."""
    document = Document(
        doc_id=record["doc_id"],
        title=record["title"],
        text=record["text"],
        source=record.get("source", ""),
        content_hash=record["content_hash"],
        headings=[_heading(h) for h in record["headings"]],
        meta=DocumentMeta(**record.get("meta", {})),
        pages=[Page(**page) for page in record.get("pages", [])],
    )
    spans = [(int(s), int(e)) for s, e in record["sentence_spans"]]
    return IndexedDocument(
        document=document,
        chunks=[Chunk(**c) if "text" in c else Chunk(text=document.text[c["start"] : c["end"]], **c)
                for c in record["chunks"]],
        chunk_tokens=[list(t) for t in record.get("chunk_tokens", [])],
        chunk_vectors=chunk_vectors,
        sentence_spans=spans,
        sentence_texts=[document.text[s:e] if t is None else str(t)
                        for (s, e), t in zip(spans, record["sentence_texts"], strict=True)],
        sentence_vectors=sentence_vectors,
        added_by=str(record.get("added_by", "")),
        added_at=str(record.get("added_at", "")),
        place=None if record.get("place") is None else str(record["place"]),
    )


class Records:
    """Base records as bytes: record ``n`` is ``blob[offsets[n]:offsets[n + 1]]``. ``blob`` is
    ``bytes`` for a base made in memory, a read-only ``np.memmap`` of uint8 once on disk."""

    def __init__(self, blob: bytes | np.ndarray, offsets: np.ndarray) -> None:
        self.blob = blob
        self.offsets = offsets

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def raw(self, number: int) -> bytes:
        start, end = int(self.offsets[number]), int(self.offsets[number + 1])
        return bytes(self.blob[start:end])

    def record(self, number: int) -> dict[str, Any]:
        value = json.loads(self.raw(number))
        if not isinstance(value, dict):
            raise ValueError(f"base record {number} is not an object")
        return value

    @classmethod
    def of(cls, raws: Sequence[bytes]) -> Records:
        """Records held in memory."""
        sizes = np.fromiter((len(r) for r in raws), dtype=np.int64, count=len(raws))
        return cls(b"".join(raws), np.concatenate(([0], np.cumsum(sizes))).astype(np.int64))


class LazyItems(Sequence[IndexedDocument]):
    """A base part's entries, parsed from ``Records`` when first asked for; the most recently used
    ``RECORD_CACHE`` are kept. ``vectors(n)`` gives entry ``n``'s chunk and sentence vectors (views
    into the part's matrices)."""

    def __init__(self, records: Records, vectors: Callable[[int], tuple[np.ndarray, np.ndarray]]) -> None:
        self.records = records
        self._vectors = vectors
        self._cache: OrderedDict[int, IndexedDocument] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.records)

    @overload
    def __getitem__(self, number: int) -> IndexedDocument: ...
    @overload
    def __getitem__(self, number: slice) -> Sequence[IndexedDocument]: ...
    def __getitem__(self, number: int | slice) -> IndexedDocument | Sequence[IndexedDocument]:
        if isinstance(number, slice):
            return [self[n] for n in range(*number.indices(len(self)))]
        if not -len(self) <= number < len(self):
            raise IndexError(number)
        number %= len(self)
        with self._lock:
            cached = self._cache.get(number)
            if cached is not None:
                self._cache.move_to_end(number)
                return cached
        chunk_vectors, sentence_vectors = self._vectors(number)
        item = document_from_record(self.records.record(number), chunk_vectors, sentence_vectors)
        with self._lock:
            self._cache[number] = item
            if len(self._cache) > RECORD_CACHE:
                self._cache.popitem(last=False)
        return item
