"""Saving and loading an index on disk, atomically, in time proportional to what changed.

Layout (format 4): ``INDEX_DIR/CURRENT`` names the generation folder in use (``gen-000007``). The
index's *base* part (``DocumentIndex``: most documents, merged) is a folder in ``INDEX_DIR/bases/``
written once in columns (``rag.store.columns``: records kept as bytes with an offsets array, a
catalog of ids and content hashes, chunk and sentence counts, float32 chunk and float16 sentence
vectors, the BM25 postings, the vocabulary and, for IVF or HNSW, the FAISS index). Everything but
the catalog and the vocabulary is memory-mapped on load: start-up parses no record, and a
document's record is parsed when a query first needs it. A merge writes its base into this
store's spill folder (``INDEX_DIR/spill/<pid>/``) as it makes it, and a save only moves that folder
into ``bases/``. Each document of a *delta* part (uploads since the last merge) is a *segment* in
``INDEX_DIR/segments/`` (record with tokens, and two vector files), named by a digest of its id,
content hash and pipeline and written once (temp file, fsync, rename). A generation holds only the
manifest: the base's name, the base documents deleted or replaced since, and the delta segments in
order. So an upload writes one segment and a manifest, a deletion only a manifest; a merge moves a
new base in.

Every file is written under a temporary name, fsynced and renamed; a base is written in a hidden
folder renamed when complete. A save writes a complete new generation beside the old one, fsyncs
it, and only then replaces ``CURRENT`` with ``os.replace`` (atomic on POSIX). A crash at any
moment before that leaves ``CURRENT`` pointing at the last good generation, whose base and
segments are all still there (they are only removed once no kept generation lists them). The
previous generation is kept as a fallback; older ones, unreferenced bases and segments and the
leftovers of an interrupted save are removed after each save and at start (``clean``), with the
spill folders of processes that are gone. Indexes of format 1 (one ``documents.json`` per
generation) and 2 (segments and a bm25s index) still load, their documents as one delta part, and a
format-3 base (one ``records.json``) is read into memory; the next merge writes format 4.

The manifest records the embedding model and dimension, so an index is never silently searched
with vectors of another model (FlashRAG #73's bare ``assert d == self.d``), and the whole pipeline
that made the entries (``pipeline``: chunk size and overlap, sha256 of the user dictionary and
stopwords whose tokens are stored, the embedding text recipe, ...): opening an index made with
other settings says exactly what changed instead of silently mixing two pipelines.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

import numpy as np

from rag.errors import IndexCorruptError, IndexNotFoundError, ModelMismatchError
from rag.store.columns import fsync_dir, open_columns, write_array, write_json
from rag.store.index import DocumentIndex, IndexedDocument, IndexPart, IndexType, paused_gc
from rag.store.lexical import Vocabulary
from rag.store.records import document_from_record, document_record

logger = logging.getLogger("rag.store")

FORMAT_VERSION = 4
READABLE_FORMATS = frozenset({1, 2, 3, 4})
CURRENT_FILE = "CURRENT"
MANIFEST_FILE = "manifest.json"
SEGMENTS_DIR = "segments"
BASES_DIR = "bases"
SPILL_DIR = "spill"
KEEP_GENERATIONS = 2
REBUILD_HINT = "Re-index with `rag index --rebuild`"

#: How each pipeline entry is named in messages; digests are reported as "changed".
_PIPELINE_LABELS = {
    "embedding_model": "embedding model",
    "passage_prefix": "passage prefix",
    "chunk_size": "chunk_size",
    "chunk_overlap": "chunk_overlap",
    "embedding_text_recipe": "embedding text recipe",
    "tokenizer": "tokenizer",
    "user_dictionary": "user dictionary",
    "stopwords": "stopword list",
    "place_data": "place data",
    "loader": "document loader (structure, tables, OCR)",
}
_DIGESTS = frozenset({"user_dictionary", "stopwords", "place_data"})
_INFORMATIONAL = frozenset({"domain_pack"})  # reported with the user dictionary, never compared


def pipeline_changes(recorded: dict[str, Any] | None, expected: dict[str, Any]) -> list[str]:
    """What differs between the pipeline an index was made with and the configured one, as short
    phrases ("chunk_size 300 -> 500", "user dictionary changed"); empty when they agree."""
    if recorded is None:
        return []
    changes: list[str] = []
    for key, new in expected.items():
        if key in _INFORMATIONAL:
            continue
        label = _PIPELINE_LABELS.get(key, key.replace("_", " "))
        if key not in recorded:
            changes.append(f"{label} not recorded")
            continue
        old = recorded[key]
        if old == new:
            continue
        if key == "user_dictionary":
            what = "added" if old is None else "removed" if new is None else "changed"
            packs = (recorded.get("domain_pack"), expected.get("domain_pack"))
            detail = f" (domain pack {packs[0]} -> {packs[1]})" if packs[0] != packs[1] else ""
            changes.append(f"{label} {what}{detail}")
        elif key in _DIGESTS:
            changes.append(f"{label} changed")
        else:
            changes.append(f"{label} {_shown(old)} -> {_shown(new)}")
    return changes


def _shown(value: Any) -> str:
    if value is None:
        return "default"
    return str(value) if isinstance(value, int) else repr(value)


def segment_name(item: IndexedDocument, pipeline: dict[str, Any] | None) -> str:
    """A segment's file stem: a digest of the document's id, content and provenance and of the
    pipeline that made its entry, so the same name always means the same bytes."""
    recipe = json.dumps(pipeline or {}, sort_keys=True, ensure_ascii=False)
    key = "\x00".join((item.document.doc_id, item.document.content_hash, item.added_by, item.added_at, recipe))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class IndexStore:
    """Reads and writes ``DocumentIndex`` snapshots under one directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @property
    def location(self) -> str:
        """Where the index lives, as messages name it."""
        return str(self.directory)

    def snapshot(self, index: DocumentIndex) -> DocumentIndex:
        """``index`` as this store searches it. Files are searched in memory (FAISS and BM25 of
        the snapshot itself); another store (``MilvusStore``) returns a snapshot whose searches go
        to it. Its merges write new bases to this store's spill folder."""
        index.spill = self.spill_directory
        return index

    def exists(self) -> bool:
        return (self.directory / CURRENT_FILE).is_file()

    def current_generation(self) -> Path:
        pointer = self.directory / CURRENT_FILE
        if not pointer.is_file():
            raise IndexNotFoundError(
                f"no index at {self.directory}; build one with `rag index` first"
            )
        name = pointer.read_text(encoding="utf-8").strip()
        if not name or "/" in name or name.startswith("."):
            raise IndexCorruptError(f"index pointer {pointer} is damaged; rebuild with `rag index --rebuild`")
        return self.directory / name

    def read_manifest(self) -> dict[str, Any]:
        path = self.current_generation() / MANIFEST_FILE
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise IndexCorruptError(
                f"index manifest {path} is unreadable ({exc}); rebuild with `rag index --rebuild`"
            ) from exc
        if not isinstance(manifest, dict) or manifest.get("format_version") not in READABLE_FORMATS:
            raise IndexCorruptError(
                f"index at {self.directory} has an unknown format; rebuild with `rag index --rebuild`"
            )
        return manifest

    def check_model(self, embedding_model: str, dimension: int | None = None) -> None:
        """Raise ``ModelMismatchError`` unless the index was built with this model (and dim)."""
        manifest = self.read_manifest()
        built_with = manifest["embedding_model"]
        built_dim = int(manifest["dimension"])
        if built_with != embedding_model or (dimension is not None and dimension != built_dim):
            raise ModelMismatchError(
                f"the index at {self.location} was built with embedding model '{built_with}' "
                f"(dimension {built_dim}), but '{embedding_model}'"
                f"{f' (dimension {dimension})' if dimension is not None else ''} is configured. "
                "Re-index with `rag index --rebuild`, or configure the model the index was built with."
            )

    def check_pipeline(self, expected: dict[str, Any]) -> None:
        """Raise ``ModelMismatchError`` unless the index was made with the ``expected`` pipeline
        (``rag.ingest.indexing.index_pipeline``); the message lists exactly what changed. An index
        written before the pipeline was recorded gets the same kind of message."""
        manifest = self.read_manifest()
        built_with = manifest.get("embedding_model")
        recorded = manifest.get("pipeline")
        if isinstance(recorded, dict):
            recorded = {"embedding_model": built_with, **recorded}
            changes = pipeline_changes(recorded, expected)
            if not changes:
                return
            model_hint = (
                ", or configure the model the index was built with"
                if recorded.get("embedding_model") != expected.get("embedding_model") else ""
            )
            raise ModelMismatchError(
                f"the index at {self.location} was built with other settings: {'; '.join(changes)}. "
                f"{REBUILD_HINT}{model_hint}."
            )
        changes = pipeline_changes({"embedding_model": built_with}, {
            k: v for k, v in expected.items() if k == "embedding_model"
        })
        raise ModelMismatchError(
            f"the index at {self.location} was built before indexes recorded their pipeline "
            "(chunk size and overlap, user dictionary and stopwords, embedding text recipe), so it "
            "cannot be checked against the current settings"
            f"{': ' + '; '.join(changes) if changes else ''}. {REBUILD_HINT}."
        )

    def load(self) -> DocumentIndex:
        """Load the current generation; damaged files give ``IndexCorruptError``, not a traceback."""
        manifest = self.read_manifest()
        generation = self.current_generation()
        try:
            with paused_gc():  # millions of small objects: see paused_gc
                index_type = manifest.get("index_type", "flat")
                vocabulary = Vocabulary()
                parts: list[IndexPart] = []
                alive: list[np.ndarray] = []
                if manifest["format_version"] == 1:
                    documents = self._load_documents_v1(generation)
                else:
                    if manifest.get("base"):
                        base, vocabulary = self._load_base(manifest["base"], index_type)
                        mask = np.ones(len(base.doc_ids), dtype=bool)
                        for doc_id in manifest.get("base_deleted", []):
                            mask[base.numbers[doc_id]] = False
                        parts, alive = [base], [mask]
                    documents = self._load_segments(manifest["segments"])
                index = DocumentIndex(
                    embedding_model=manifest["embedding_model"],
                    dimension=int(manifest["dimension"]),
                    index_type=index_type,
                    documents=documents,
                    pipeline=manifest.get("pipeline") if isinstance(manifest.get("pipeline"), dict) else None,
                    parts=parts,
                    alive=alive,
                    vocabulary=vocabulary,
                    spill=self.spill_directory,
                )
        except (OSError, ValueError, KeyError, TypeError, EOFError, RuntimeError) as exc:
            raise IndexCorruptError(
                f"index at {generation} is damaged ({type(exc).__name__}: {exc}); "
                "rebuild with `rag index --rebuild`"
            ) from exc
        return index

    @staticmethod
    def _load_documents_v1(generation: Path) -> dict[str, IndexedDocument]:
        """Format 1: every document in one ``documents.json``, all vectors in two matrices."""
        records = json.loads((generation / "documents.json").read_text(encoding="utf-8"))
        chunk_matrix = np.load(generation / "chunk_vectors.npy", allow_pickle=False)
        sentence_matrix = np.load(generation / "sentence_vectors.npy", allow_pickle=False)
        documents: dict[str, IndexedDocument] = {}
        chunk_pos = sentence_pos = 0
        for record in records:
            n_chunks = len(record["chunks"])
            n_sentences = len(record["sentence_spans"])
            item = document_from_record(
                record,
                chunk_matrix[chunk_pos : chunk_pos + n_chunks],
                sentence_matrix[sentence_pos : sentence_pos + n_sentences],
            )
            chunk_pos += n_chunks
            sentence_pos += n_sentences
            documents[item.document.doc_id] = item
        if chunk_pos != len(chunk_matrix) or sentence_pos != len(sentence_matrix):
            raise ValueError("vector counts do not match the documents")
        return documents

    def _load_segments(self, names: list[str]) -> dict[str, IndexedDocument]:
        folder = self.directory / SEGMENTS_DIR
        documents: dict[str, IndexedDocument] = {}
        for name in names:
            record = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
            chunk_vectors = np.load(folder / f"{name}.chunks.npy", allow_pickle=False)
            sentence_vectors = np.load(folder / f"{name}.sentences.npy", allow_pickle=False)
            if len(chunk_vectors) != len(record["chunks"]) or len(sentence_vectors) != len(record["sentence_spans"]):
                raise ValueError(f"segment {name}: vector counts do not match the document")
            item = document_from_record(record, chunk_vectors, sentence_vectors)
            documents[item.document.doc_id] = item
        return documents

    def _load_base(self, name: str, index_type: IndexType) -> tuple[IndexPart, Vocabulary]:
        """A base part: nothing parsed but its catalog and vocabulary, arrays memory-mapped."""
        folder = self.directory / BASES_DIR / name
        columns = open_columns(folder)
        return IndexPart.from_columns(columns, index_type, name=name, folder=folder), Vocabulary(columns["vocabulary"])

    @property
    def spill_directory(self) -> Path:
        """Where this process's merges write new bases until a save moves them into ``bases/``
        (one folder per process, so starting another never removes a running one's)."""
        return self.directory / SPILL_DIR / str(os.getpid())

    def _write_base(self, part: IndexPart, index: DocumentIndex) -> str:
        """Put a base part in ``bases/`` once: a part merged into this store's spill folder is moved
        there (its files are complete and fsynced); any other is written to the spill folder first.
        Returns its name."""
        name = uuid.uuid4().hex[:24]
        folder = self.directory / BASES_DIR
        folder.mkdir(exist_ok=True)
        if part.folder is None or part.folder.parent != self.spill_directory:
            written = IndexPart.merge([(part, np.ones(len(part.doc_ids), dtype=bool))], index.vocabulary,
                                      index.dimension, index.index_type, base=True, spill=self.spill_directory)
            written.adopt(folder / name)
        else:
            part.adopt(folder / name)
        fsync_dir(folder)
        return name

    def save(self, index: DocumentIndex) -> Path:
        """Write ``index`` as a new generation and switch to it atomically; only segments of
        documents not yet on disk are written."""
        self.directory.mkdir(parents=True, exist_ok=True)
        base, deleted, names = "", [], []
        for part, alive in zip(index.parts, index.alive, strict=True):
            if part.base:
                part.name = part.name or self._write_base(part, index)
                base = part.name
                deleted = [part.doc_ids[n] for n in np.flatnonzero(~alive).tolist()]
            else:
                names += [self._write_segment(part.items[n], index.pipeline) for n in np.flatnonzero(alive).tolist()]
        generation = self._next_generation_name()
        staging = self.directory / f".{generation}.partial"
        if staging.exists():
            shutil.rmtree(staging)
        staging.mkdir()
        info = index.info()
        write_json(
            staging / MANIFEST_FILE,
            {
                "format_version": FORMAT_VERSION,
                "embedding_model": index.embedding_model,
                "dimension": index.dimension,
                "index_type": index.index_type,
                "documents": info.documents,
                "chunks": info.chunks,
                "sentences": info.sentences,
                "base": base,
                "base_deleted": deleted,
                "segments": names,
                **({"pipeline": index.pipeline} if index.pipeline is not None else {}),
            },
        )
        fsync_dir(staging)
        final = self.directory / generation
        os.replace(staging, final)
        pointer_tmp = self.directory / f".{CURRENT_FILE}.tmp"
        pointer_tmp.write_text(generation, encoding="utf-8")
        with pointer_tmp.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(pointer_tmp, self.directory / CURRENT_FILE)
        fsync_dir(self.directory)
        self._remove_old_generations(keep=generation)
        return final

    def _write_segment(self, item: IndexedDocument, pipeline: dict[str, Any] | None) -> str:
        """Write one document's segment unless it is already there; returns its name."""
        folder = self.directory / SEGMENTS_DIR
        folder.mkdir(exist_ok=True)
        name = segment_name(item, pipeline)
        files = {
            f"{name}.chunks.npy": lambda path: write_array(path, np.asarray(item.chunk_vectors, np.float32)),
            f"{name}.sentences.npy": lambda path: write_array(path, np.asarray(item.sentence_vectors, np.float32)),
            f"{name}.json": lambda path: write_json(path, document_record(item)),  # last: marks it complete
        }
        if (folder / f"{name}.json").is_file():
            return name
        for file_name, write in files.items():
            temporary = folder / f".{file_name}.tmp"
            write(temporary)
            os.replace(temporary, folder / file_name)
        fsync_dir(folder)
        return name

    def clean(self) -> None:
        """Remove what an interrupted save left (partial generations, temp files), generations
        older than the kept ones, and segments no kept generation lists; run at start. Never
        touches the current generation or anything it lists."""
        self._remove_dead_spills()
        if not self.exists():
            return
        self._remove_old_generations(keep=self.current_generation().name)

    def _remove_dead_spills(self) -> None:
        """Spill folders of processes that are gone (a merge's base never saved, or a crash)."""
        spills = self.directory / SPILL_DIR
        if not spills.is_dir():
            return
        for folder in spills.iterdir():
            if folder.name.isdigit() and int(folder.name) != os.getpid() and _process_alive(int(folder.name)):
                continue
            if folder.name != str(os.getpid()):
                shutil.rmtree(folder, ignore_errors=True)

    def size_bytes(self) -> int:
        """Bytes on disk of the current generation: its own files, its base and its segments."""
        generation = self.current_generation()
        total = sum(p.stat().st_size for p in generation.rglob("*") if p.is_file())
        manifest = self.read_manifest()
        if manifest.get("base"):
            total += sum(p.stat().st_size for p in (self.directory / BASES_DIR / manifest["base"]).iterdir())
        names = set(manifest.get("segments", []))
        folder = self.directory / SEGMENTS_DIR
        if names and folder.is_dir():
            total += sum(p.stat().st_size for p in folder.iterdir() if p.name.split(".")[0] in names)
        return total

    def _generations(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        return sorted(p for p in self.directory.iterdir() if p.is_dir() and p.name.startswith("gen-"))

    def _next_generation_name(self) -> str:
        numbers = [int(p.name.split("-")[1]) for p in self._generations() if p.name[4:].isdigit()]
        return f"gen-{(max(numbers) + 1) if numbers else 1:06d}"

    def _remove_old_generations(self, keep: str) -> None:
        generations = [p for p in self._generations() if p.name != keep]
        for old in generations[: max(0, len(generations) - (KEEP_GENERATIONS - 1))]:
            shutil.rmtree(old, ignore_errors=True)
        for partial in self.directory.glob(".gen-*.partial"):
            shutil.rmtree(partial, ignore_errors=True)
        self._remove_unreferenced_segments()

    def _remove_unreferenced_segments(self) -> None:
        """Delete segments and bases that no remaining generation lists (skipped when any manifest
        cannot be read: they are only ever deleted when certainly unused)."""
        referenced: set[str] = set()
        for generation in self._generations():
            try:
                manifest = json.loads((generation / MANIFEST_FILE).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                logger.warning("not cleaning index segments: %s has no readable manifest", generation)
                return
            if isinstance(manifest, dict):
                referenced.update(manifest.get("segments", []))
                referenced.add(str(manifest.get("base") or ""))
        bases = self.directory / BASES_DIR
        if bases.is_dir():
            for path in bases.iterdir():
                if path.name not in referenced:  # a crashed write's hidden folder too
                    shutil.rmtree(path, ignore_errors=True)
        folder = self.directory / SEGMENTS_DIR
        if not folder.is_dir():
            return
        for path in folder.iterdir():
            stem = path.name.split(".")[0] if not path.name.startswith(".") else ""
            if stem not in referenced:
                path.unlink(missing_ok=True)
