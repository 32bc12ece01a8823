"""Turning documents into index entries, and keeping an index in step with a set of files.

The only slow step is embedding, so it is batched (``DOCUMENTS_PER_BATCH`` documents per encode
call) and shown with one progress bar over the documents. Documents whose content hash is
unchanged are skipped: re-indexing an unchanged file does nothing. A long run hands the index
built so far to a ``checkpoint`` (the engine saves it) at most every ``CHECKPOINT_SECONDS``, so a
run killed midway loses at most that much work: the next run skips what was saved.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from rag.errors import DocumentError
from rag.ingest.chunking import chunk_document
from rag.ingest.cleaning import repair
from rag.ingest.limits import ParseLimits
from rag.ingest.loading import LOADER_VERSION, load_documents
from rag.schema import Chunk, Document
from rag.settings import Settings
from rag.store.embedding import RUNTIME_PRECISION, Embedder
from rag.store.index import DocumentIndex, IndexedDocument
from rag.text.places import Gazetteer, Place, place_key
from rag.text.sentences import split_sentences
from rag.text.tokenizing import ChineseTokenizer, resource_digests

#: Documents embedded per encode call by ``Indexer.update``: enough texts for full batches.
DOCUMENTS_PER_BATCH = 16
#: An empty index given at least this many documents is built in bulk: one base written a batch
#: at a time, no merges and no checkpoints (a killed run starts again), where adding batch after
#: batch rewrote a growing base at every merge (and held it twice in memory).
BULK_MIN_DOCUMENTS = 2000
#: Least seconds between two checkpoints of a long ``Indexer.update`` (each saves the whole index).
CHECKPOINT_SECONDS = 60.0

#: Sentences shorter than this (after repair) are not candidates for answers.
MIN_SENTENCE_CHARS = 4

#: Version of the recipe that makes a chunk's embedded and BM25-indexed text
#: (``chunk_context_text`` and ``Indexer.place_hint``). Bump it whenever either changes: the index
#: manifest records it, and an index made with another recipe must be rebuilt.
EMBEDDING_TEXT_RECIPE = "place-title-heading/2"


def _place_data() -> str:
    """What place hints are computed from: ``places.tsv`` and the jionlp division list."""
    places = resources.files("rag").joinpath("data", "places.tsv").read_bytes()
    try:
        jionlp = metadata.version("jionlp")
    except metadata.PackageNotFoundError:
        jionlp = "missing"
    return f"{hashlib.sha256(places).hexdigest()} jionlp-{jionlp}"


def embedder_for(settings: Settings) -> Embedder:
    """The embedding model the settings name: the engine's, and each Ray worker's when indexing
    runs on a cluster (``rag index --ray``), so both make the same vectors."""
    return Embedder(
        settings.embedding_model,
        cache_dir=settings.cache_dir,
        query_prefix=settings.query_prefix,
        passage_prefix=settings.passage_prefix,
        batch_size=settings.embed_batch_size,
        runtime=settings.embedding_runtime,
    )


def index_pipeline(
    settings: Settings, embedding_model: str | None = None, embedding_precision: str | None = None
) -> dict[str, Any]:
    """Everything that shapes the stored entries besides the documents: the embedding model, the
    precision its runtime computes in (float32 or int8: an int8 index searched with float32
    queries or the reverse loses accuracy) and the passage prefix, chunking, the tokenizer
    resources whose tokens are stored (sha256), the place data and the embedding text recipe.
    Saved in the index manifest and compared on open."""
    return {
        "embedding_model": embedding_model or settings.embedding_model,
        "embedding_precision": embedding_precision or RUNTIME_PRECISION[settings.embedding_runtime],
        "passage_prefix": settings.passage_prefix,
        "chunk_size": settings.chunk_size,
        "chunk_overlap": settings.chunk_overlap,
        "embedding_text_recipe": EMBEDDING_TEXT_RECIPE,
        "tokenizer": f"jieba-{metadata.version('jieba')}",
        "domain_pack": settings.domain_pack,
        **resource_digests(settings.domain_pack_dir),
        "place_data": _place_data(),
        "loader": LOADER_VERSION,
    }


@dataclass
class IndexReport:
    """What an indexing run did, for the CLI and the API to report."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    failed: list[DocumentError] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.replaced or self.deleted)

    def extend(self, other: IndexReport) -> None:
        """Add the outcome of another batch of the same run."""
        for name in ("added", "replaced", "unchanged", "deleted", "failed"):
            getattr(self, name).extend(getattr(other, name))


def chunk_context_text(chunk: Chunk, place_hint: str = "") -> str:
    """The text embedded and BM25-indexed for a chunk: the document's province (when its title does
    not name it), title and heading first ("title enhancement"), so a passage that says only 全省
    is still found by a question that names the province."""
    prefix = " ".join(part for part in (place_hint, chunk.title, chunk.heading) if part)
    return f"{prefix}\n{chunk.search_text}" if prefix else chunk.search_text


class Indexer:
    """Builds ``IndexedDocument`` entries with one chunker, tokenizer and embedder."""

    def __init__(
        self, settings: Settings, embedder: Embedder, tokenizer: ChineseTokenizer, gazetteer: Gazetteer
    ) -> None:
        self.settings = settings
        self.embedder = embedder
        self.tokenizer = tokenizer
        self.gazetteer = gazetteer
        self.pipeline = index_pipeline(settings, embedder.model_name, embedder.precision)

    def place_hint(self, document: Document, place: Place | None = None) -> str:
        """The place the document is about (from its opening lines or its main province; ``place``
        when already known) when its title does not already name it: a chunk that says only 我县
        or 全省 is then still found by a question that names the place."""
        place = place or self.gazetteer.document_place(document)
        if place is None or self.gazetteer.mentions_place(document.title, place):
            return ""
        return place.name

    def empty_index(self) -> DocumentIndex:
        return DocumentIndex(
            embedding_model=self.embedder.model_name,
            dimension=self.embedder.dimension,
            index_type=self.settings.index_type,
            pipeline=self.pipeline,
        )

    def build_entries(self, documents: list[Document], progress: bool = False) -> list[IndexedDocument]:
        """Chunk, tokenize and embed documents; one batched encode for all of them."""
        chunked: list[tuple[Document, list[Chunk], list[tuple[int, int]], list[str]]] = []
        places = {doc.doc_id: self.gazetteer.document_place(doc) for doc in documents}
        hints = {doc.doc_id: self.place_hint(doc, places[doc.doc_id]) for doc in documents}
        for doc in documents:
            chunks = chunk_document(doc, self.settings.chunk_size, self.settings.chunk_overlap)
            spans, texts = [], []
            for start, end in split_sentences(doc.text):
                text = repair(doc.text, start, end)
                if len(text) >= MIN_SENTENCE_CHARS:
                    spans.append((start, end))
                    texts.append(text)
            chunked.append((doc, chunks, spans, texts))
        contexts = {
            doc.doc_id: [chunk_context_text(c, hints[doc.doc_id]) for c in chunks]
            for doc, chunks, _, _ in chunked
        }
        chunk_texts = [text for texts in contexts.values() for text in texts]
        sentence_texts = [t for *_, texts in chunked for t in texts]
        all_vectors = self._encode(chunk_texts + sentence_texts, progress)
        chunk_vectors, sentence_vectors = all_vectors[: len(chunk_texts)], all_vectors[len(chunk_texts) :]
        entries: list[IndexedDocument] = []
        c_pos = s_pos = 0
        for doc, chunks, spans, texts in chunked:
            entries.append(
                IndexedDocument(
                    document=doc,
                    chunks=chunks,
                    chunk_tokens=[self.tokenizer.tokenize(t) for t in contexts[doc.doc_id]],
                    chunk_vectors=chunk_vectors[c_pos : c_pos + len(chunks)],
                    sentence_spans=spans,
                    sentence_texts=texts,
                    sentence_vectors=sentence_vectors[s_pos : s_pos + len(texts)],
                    place=place_key(places[doc.doc_id]),
                )
            )
            c_pos += len(chunks)
            s_pos += len(texts)
        return entries

    def _encode(self, texts: list[str], progress: bool) -> np.ndarray:
        """One encode call for everything: sentence-transformers then sorts all texts by length,
        so short sentences are batched together instead of padded to the longest chunk."""
        if not texts:
            return np.zeros((0, self.embedder.dimension), dtype=np.float32)
        return self.embedder.encode_passages(texts, show_progress=progress).astype(np.float32)

    def update(
        self,
        index: DocumentIndex,
        paths: Iterable[Path],
        progress: bool = False,
        checkpoint: Callable[[DocumentIndex], None] | None = None,
        checkpoint_seconds: float | None = None,
    ) -> tuple[DocumentIndex, IndexReport]:
        """Load files and index them; unreadable files are reported, the rest still index.

        Documents are embedded ``DOCUMENTS_PER_BATCH`` at a time; after a batch that changed the
        index, ``checkpoint`` (if given) receives the index so far once ``checkpoint_seconds``
        (default ``CHECKPOINT_SECONDS``) have passed since the last one. The caller commits the
        returned index at the end.
        """
        interval = CHECKPOINT_SECONDS if checkpoint_seconds is None else checkpoint_seconds
        documents, failures = load_documents(paths, ParseLimits.from_settings(self.settings))
        report = IndexReport(failed=failures)
        if not index.documents and len(documents) >= BULK_MIN_DOCUMENTS:
            return self._bulk(index, documents, report, progress), report
        last_checkpoint = time.monotonic()
        with tqdm(total=len(documents), desc="Indexing", unit="doc", disable=not progress) as bar:
            for start in range(0, len(documents), DOCUMENTS_PER_BATCH):
                batch = documents[start : start + DOCUMENTS_PER_BATCH]
                index, batch_report = self.add_documents(index, batch, added_by="cli")
                report.extend(batch_report)
                bar.update(len(batch))
                if checkpoint and batch_report.changed and time.monotonic() - last_checkpoint >= interval:
                    checkpoint(index)
                    last_checkpoint = time.monotonic()
        return index, report

    def _bulk(self, index: DocumentIndex, documents: list[Document], report: IndexReport,
              progress: bool) -> DocumentIndex:
        """Many documents into an empty index: entries made ``DOCUMENTS_PER_BATCH`` at a time and
        written straight into one base (``DocumentIndex.bulk_built``), never merged."""
        seen: set[str] = set()

        def batches() -> Iterator[list[IndexedDocument]]:
            with tqdm(total=len(documents), desc="Indexing", unit="doc", disable=not progress) as bar:
                for start in range(0, len(documents), DOCUMENTS_PER_BATCH):
                    batch = documents[start : start + DOCUMENTS_PER_BATCH]
                    added_at = datetime.now(UTC).isoformat(timespec="seconds")
                    for doc in batch:
                        (report.replaced if doc.doc_id in seen else report.added).append(doc.doc_id)
                        seen.add(doc.doc_id)
                    yield [replace(entry, added_by="cli", added_at=added_at) for entry in self.build_entries(batch)]
                    bar.update(len(batch))

        return index.bulk_built(batches(), self.pipeline)

    def add_documents(
        self, index: DocumentIndex, documents: list[Document], progress: bool = False, added_by: str = "",
    ) -> tuple[DocumentIndex, IndexReport]:
        """Add new documents, replace changed ones, skip unchanged ones; return the new snapshot."""
        return self.apply(index, documents, self.prepare(index, documents, progress), added_by=added_by)

    @staticmethod
    def _changed(index: DocumentIndex, documents: list[Document]) -> list[Document]:
        """The documents whose content is not already in ``index`` under their id."""
        changed = []
        for doc in documents:
            if index.content_hash(doc.doc_id) != doc.content_hash:
                changed.append(doc)
        return changed

    def prepare(
        self, index: DocumentIndex, documents: list[Document], progress: bool = False
    ) -> dict[tuple[str, str], IndexedDocument]:
        """The slow part of adding documents, needing no lock: entries (chunks, tokens, vectors)
        for those not already in ``index``, by (id, content hash)."""
        todo = self._changed(index, documents)
        return {_key(entry.document): entry for entry in self.build_entries(todo, progress)}

    def apply(
        self, index: DocumentIndex, documents: list[Document], prepared: dict[tuple[str, str], IndexedDocument],
        progress: bool = False, added_by: str = "",
    ) -> tuple[DocumentIndex, IndexReport]:
        """The new snapshot with ``documents`` added or replaced, from ``prepared`` entries; fast.
        Compared with ``index`` as it is now (another write may have come in since ``prepare``);
        a document ``prepare`` did not see is built here. New entries record ``added_by`` (who:
        a key id, ``local``, ``cli``) and the time of this call."""
        report = IndexReport()
        todo = self._changed(index, documents)
        changing = {id(doc) for doc in todo}
        for doc in documents:
            if id(doc) not in changing:
                report.unchanged.append(doc.doc_id)
            else:
                (report.replaced if doc.doc_id in index.documents else report.added).append(doc.doc_id)
        if not todo:
            return index, report
        missing = [doc for doc in todo if _key(doc) not in prepared]
        built = {_key(entry.document): entry for entry in self.build_entries(missing, progress)}
        added_at = datetime.now(UTC).isoformat(timespec="seconds")
        entries = [
            replace(prepared.get(_key(doc)) or built[_key(doc)], added_by=added_by, added_at=added_at)
            for doc in todo
        ]
        return index.with_documents(entries, self.pipeline), report


def _key(document: Document) -> tuple[str, str]:
    return document.doc_id, document.content_hash
