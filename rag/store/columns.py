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
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from rag.store.lexical import Postings, Vocabulary
from rag.store.records import Records

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

    def __init__(self, folder: Path) -> None:
        self.folder = folder
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
