"""A base part's columns and how they are written to, and memory-mapped from, a folder.

A base is written once and never changed: ``records.bin`` + ``record_offsets.npy`` (the documents'
records, ``rag.store.records``), ``catalog.json`` (ids and content hashes, the only per-document
data parsed at load), ``chunk_counts.npy`` and ``sentence_counts.npy``, ``chunk_vectors.npy``
(float32), ``sentence_vectors.npy`` (float16), the BM25 postings (one ``.npy`` per array of
``Postings``), ``vocab.json`` and, when dense search is not exact flat search, ``dense.faiss``.
Everything but the catalog and the vocabulary is memory-mapped on load, so start-up reads no
records and no vectors, and the pages a query touches are the only ones read.

A merge fills the columns through a ``ColumnSink``: ``MemorySink`` keeps them in memory (small
indexes, tests), ``FolderSink`` writes each to a file as soon as it is made (big matrices are filled
in place in a memory-mapped file), so merging a base of 1M chunks never holds a second copy of it
in memory. Every file is fsynced; whoever made the folder renames it into place when complete.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from rag.store.lexical import Postings, Vocabulary
from rag.store.records import CatalogEntry, Records, catalog_columns

RECORDS_BLOB = "records.bin"
RECORD_OFFSETS = "record_offsets.npy"
CATALOG_FILE = "catalog.json"
#: A format-3 base's records: one JSON list, parsed whole (still read).
FORMAT_3_RECORDS = "records.json"
VOCABULARY_FILE = "vocab.json"
DENSE_FILE = "dense.faiss"
#: Rows copied per step when a matrix is gathered from the parts (bounds the temporary copies).
BLOCK_ROWS = 65_536


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def write_json(path: Path, payload: Any) -> None:
    with path.open("w", encoding="utf-8") as handle:
        json.dump(payload, handle, ensure_ascii=False)
        handle.flush()
        os.fsync(handle.fileno())


def write_array(path: Path, array: np.ndarray) -> None:
    with path.open("wb") as handle:
        np.save(handle, np.asarray(array), allow_pickle=False)
        handle.flush()
        os.fsync(handle.fileno())


def gather_rows(out: np.ndarray, sources: list[tuple[np.ndarray, np.ndarray]]) -> None:
    """Fill ``out`` with the rows each ``(matrix, keep)`` keeps, in order, a block at a time."""
    at = 0
    for matrix, keep in sources:
        for start in range(0, len(keep), BLOCK_ROWS):
            mask = keep[start : start + BLOCK_ROWS]
            rows = np.asarray(matrix[start : start + len(mask)])[mask]
            out[at : at + len(rows)] = rows
            at += len(rows)
    if at != len(out):
        raise ValueError("gathered rows do not fill the matrix")


class MemorySink:
    """Columns kept in memory."""

    def __init__(self) -> None:
        self.columns: dict[str, Any] = {}

    def matrix(self, name: str, rows: int, dimension: int, dtype: Any) -> np.ndarray:
        self.columns[name] = np.empty((rows, dimension), dtype=dtype)
        return self.columns[name]

    def records(self, raws: Iterable[bytes]) -> None:
        self.columns["records"] = Records.of(list(raws))

    def put(self, name: str, value: Any) -> None:
        self.columns[name] = value

    def finish(self) -> dict[str, Any]:
        return self.columns


class FolderSink:
    """Columns written to files in ``folder`` as they come; ``finish`` maps them back."""

    def __init__(self, folder: Path, create: bool = True) -> None:
        self.folder = folder
        if create:
            folder.mkdir(parents=True)
        self._open: list[tuple[Path, np.memmap]] = []

    def matrix(self, name: str, rows: int, dimension: int, dtype: Any) -> np.ndarray:
        array = np.lib.format.open_memmap(self.folder / f"{name}.npy", mode="w+", dtype=dtype,
                                          shape=(rows, dimension))
        self._open.append((self.folder / f"{name}.npy", array))
        return array

    def records(self, raws: Iterable[bytes]) -> None:
        """Write the records one after the other (never all in memory) and their offsets."""
        offsets = [0]
        with (self.folder / RECORDS_BLOB).open("wb") as handle:
            for raw in raws:
                handle.write(raw)
                offsets.append(offsets[-1] + len(raw))
            handle.flush()
            os.fsync(handle.fileno())
        write_array(self.folder / RECORD_OFFSETS, np.asarray(offsets, dtype=np.int64))

    def put(self, name: str, value: Any) -> None:
        path = self.folder
        if isinstance(value, Postings):
            for array in Postings.ARRAYS:
                write_array(path / f"{array}.npy", getattr(value, array))
        elif isinstance(value, Vocabulary):
            write_json(path / VOCABULARY_FILE, value.tokens[:])
        elif isinstance(value, faiss.Index):
            faiss.write_index(value, str(path / DENSE_FILE))
            fsync_file(path / DENSE_FILE)
        elif isinstance(value, np.ndarray):
            write_array(path / f"{name}.npy", value)
        elif value is not None:
            write_json(path / CATALOG_FILE if name == "catalog" else path / f"{name}.json", value)

    def finish(self) -> dict[str, Any]:
        for path, array in self._open:
            array.flush()
            fsync_file(path)
        self._open.clear()
        fsync_dir(self.folder)
        return open_columns(self.folder)


def open_columns(folder: Path) -> dict[str, Any]:
    """A base folder's columns, arrays memory-mapped (``ValueError``/``OSError`` when damaged)."""

    def mapped(name: str) -> np.ndarray:
        return np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False)

    dense = folder / DENSE_FILE
    if (folder / FORMAT_3_RECORDS).is_file():
        columns = _format_3_records(folder)
    else:
        blob_path = folder / RECORDS_BLOB
        blob = np.memmap(blob_path, dtype=np.uint8, mode="r") if blob_path.stat().st_size else b""
        columns = {
            "records": Records(blob, mapped(RECORD_OFFSETS.removesuffix(".npy"))),
            "catalog": json.loads((folder / CATALOG_FILE).read_text(encoding="utf-8")),
            "chunk_counts": mapped("chunk_counts"),
            "sentence_counts": mapped("sentence_counts"),
        }
    return {
        **columns,
        "chunk_vectors": mapped("chunk_vectors"),
        "sentence_vectors": mapped("sentence_vectors"),
        "postings": Postings(*(mapped(array) for array in Postings.ARRAYS)),
        "vocabulary": json.loads((folder / VOCABULARY_FILE).read_text(encoding="utf-8")),
        "dense": faiss.read_index(str(dense), faiss.IO_FLAG_MMAP) if dense.is_file() else None,
    }


def _format_3_records(folder: Path) -> dict[str, Any]:
    """A format-3 base's records (one JSON list, written before records were kept as bytes), held
    in memory as format 4 holds them on disk."""
    records = json.loads((folder / FORMAT_3_RECORDS).read_text(encoding="utf-8"))
    return {
        "records": Records.of([json.dumps(r, ensure_ascii=False).encode("utf-8") for r in records]),
        "catalog": {"doc_ids": [r["doc_id"] for r in records], "content_hashes": [r["content_hash"] for r in records]},
        "chunk_counts": np.array([len(r["chunks"]) for r in records], dtype=np.int64),
        "sentence_counts": np.array([len(r["sentence_spans"]) for r in records], dtype=np.int64),
    }


class BaseWriter:
    """A base written a batch of documents at a time (a bulk build: memory of one batch, no
    merges): records, vectors and the BM25 rows are appended to files; ``finish`` turns them into
    the columns a merge writes (the by-term postings sorted once, the dense index built once)."""

    RAW = ("records", "chunk_vectors", "sentence_vectors", "row_terms", "row_tf", "lengths")

    def __init__(self, folder: Path, dimension: int) -> None:
        self.folder = folder
        self.dimension = dimension
        folder.mkdir(parents=True)
        self._files = {name: (folder / f".{name}.raw").open("wb") for name in self.RAW}
        self.offsets = [0]
        self.entries: list[CatalogEntry] = []
        self.chunk_counts: list[int] = []
        self.sentence_counts: list[int] = []
        self.row_sizes: list[np.ndarray] = []

    def add(self, raws: list[bytes], entries: list[CatalogEntry], chunk_counts: list[int],
            sentence_counts: list[int], chunk_vectors: np.ndarray, sentence_vectors: np.ndarray,
            postings: Postings) -> None:
        for raw in raws:
            self._files["records"].write(raw)
            self.offsets.append(self.offsets[-1] + len(raw))
        self.entries += entries
        self.chunk_counts += chunk_counts
        self.sentence_counts += sentence_counts
        self._files["chunk_vectors"].write(np.ascontiguousarray(chunk_vectors, dtype=np.float32).tobytes())
        self._files["sentence_vectors"].write(np.ascontiguousarray(sentence_vectors, dtype=np.float16).tobytes())
        self._files["row_terms"].write(np.asarray(postings.row_terms, dtype=np.int32).tobytes())
        self._files["row_tf"].write(np.asarray(postings.row_tf, dtype=np.float32).tobytes())
        self._files["lengths"].write(np.asarray(postings.lengths, dtype=np.float32).tobytes())
        self.row_sizes.append(np.diff(postings.row_ptr))

    def _raw(self, name: str, dtype: Any, shape: tuple[int, ...]) -> np.ndarray:
        path = self.folder / f".{name}.raw"
        if not path.stat().st_size:
            return np.zeros(shape, dtype=dtype)
        return np.memmap(path, dtype=dtype, mode="r", shape=shape)

    def finish(self, vocabulary: Vocabulary, dense: Callable[[np.ndarray], faiss.Index]) -> dict[str, Any]:
        """Write the final files (``dense`` makes the FAISS index from the chunk matrix) and map them."""
        for handle in self._files.values():
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
        folder = self.folder
        os.replace(folder / ".records.raw", folder / RECORDS_BLOB)
        write_array(folder / RECORD_OFFSETS, np.asarray(self.offsets, dtype=np.int64))
        write_json(folder / CATALOG_FILE, catalog_columns(self.entries))
        write_array(folder / "chunk_counts.npy", np.asarray(self.chunk_counts, dtype=np.int64))
        write_array(folder / "sentence_counts.npy", np.asarray(self.sentence_counts, dtype=np.int64))
        sink = FolderSink(folder, create=False)  # the same writer of the remaining columns
        chunks, sentences = sum(self.chunk_counts), sum(self.sentence_counts)
        for name, dtype, rows in (("chunk_vectors", np.float32, chunks), ("sentence_vectors", np.float16, sentences)):
            raw = self._raw(name, dtype, (rows, self.dimension))
            gather_rows(sink.matrix(name, rows, self.dimension, dtype), [(raw, np.ones(rows, dtype=bool))])
            del raw
            (folder / f".{name}.raw").unlink()  # disk: never both copies of every column at once
        sizes = np.concatenate([np.zeros(0, np.int64), *self.row_sizes])
        nnz = int(sizes.sum())
        postings = Postings.from_rows(
            np.concatenate(([0], np.cumsum(sizes))).astype(np.int64), self._raw("row_terms", np.int32, (nnz,)),
            self._raw("row_tf", np.float32, (nnz,)), self._raw("lengths", np.float32, (chunks,)), len(vocabulary),
        )
        sink.put("postings", postings)
        del postings
        for name in self.RAW[3:]:
            (folder / f".{name}.raw").unlink()
        sink.put("vocabulary", vocabulary)
        columns = sink.finish()
        index = dense(columns["chunk_vectors"])
        if not isinstance(index, faiss.IndexFlat):
            sink.put("dense", index)
        del index
        fsync_dir(folder)
        return open_columns(folder)
