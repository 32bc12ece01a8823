"""Milvus as the index store, behind the interface of the files under ``index_dir`` (``IndexStore``).

Selected by ``RAG_STORE=milvus``. ``RAG_MILVUS_URI`` is a milvus-lite file (``*.db``: Milvus
embedded in this process, for one machine and the tests) or ``http://host:19530`` (a Milvus
cluster, credentials in ``RAG_MILVUS_TOKEN``); the same client calls serve both.

What lives where. Three collections named ``<RAG_MILVUS_COLLECTION>_chunks``, ``_sentences`` and
``_records``:

- chunks: one row per chunk, keyed by its chunk id, holding the dense vector (FLAT or HNSW, inner
  product) and the chunk's BM25 terms, which Milvus's own full-text search analyses with its jieba
  analyzer (the domain pack's user dictionary added) into a sparse BM25 vector. Dense and BM25
  search both run in Milvus.
- sentences: one vector per sentence, fetched only for the sentences of the retrieved chunks when an
  answer scores them (``sentence_similarities``): no process holds every sentence vector.
- records: each document's entry exactly as the file store writes it (text, headings, chunk records
  with their offsets, tokens, sentence offsets), split into parts under Milvus's 64 KB string limit,
  and the manifest (model, dimension, pipeline). The records are read at open into the snapshot, so
  document ids, chunk ids and offsets are those of the embedded store and citations are identical;
  only the vectors and the search structures stay in Milvus.

Why the BM25 field holds the chunk's tokens (the stored jieba search-mode tokens joined by spaces)
rather than its raw text: documents and questions must be segmented by the same function (the
tokenizer's stopwords, lower-casing and punctuation rules, the pack's dictionary with its
frequencies). Milvus's jieba analyzer in exact mode keeps each such token whole, and the question's
tokens are sent the same way, so Milvus ranks over the same terms as the embedded BM25, with the same
k1 and b.

Fusion stays in the retriever (``weighted_rrf``, language-dependent weights): Milvus's RRFRanker is
unweighted and returns only the fused list, while each passage reports its dense and BM25 ranks.

Consistency without transactions: a document's record is written after its chunk and sentence rows
and deleted before them, so after a crash every document is whole or absent; rows left without a
record are never returned (a snapshot keeps only hits on its own chunks) and ``clean`` removes them
after a save that did not finish. A snapshot keeps answering from its records while a later save
changes Milvus: hits on chunks it does not hold are dropped.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from pymilvus import DataType, Function, FunctionType, MilvusClient, MilvusException

from rag.errors import BackendUnavailableError, IndexCorruptError, IndexNotFoundError
from rag.store.index import DocumentIndex, IndexedDocument, IndexType
from rag.store.index_store import (
    FORMAT_VERSION,
    READABLE_FORMATS,
    IndexStore,
    segment_name,
)
from rag.store.records import document_from_record, document_record

logger = logging.getLogger("rag.store")

#: Characters per record part: at most 4 bytes each in UTF-8, under Milvus's 65,535-byte VARCHAR.
PART_CHARS = 16_000
MAX_VARCHAR = 65_535
MAX_CHUNK_ID = 1024
MANIFEST_OWNER = "manifest"
KEY_CHARS = 32
#: bm25s's defaults (the embedded store's BM25), so both stores score terms alike.
BM25_PARAMS = {"bm25_k1": 1.5, "bm25_b": 0.75}
HNSW_BUILD = {"M": 32, "efConstruction": 200}
HNSW_SEARCH = {"ef": 64}  # the embedded store's efSearch
WRITE_BATCH = 256
LITE_GRPC_OPTIONS = {"grpc.keepalive_time_ms": 3_600_000, "grpc.keepalive_permit_without_calls": 0}
#: Rows one Milvus query may return (Milvus's limit on offset + limit).
QUERY_WINDOW = 16_384


def document_key(doc_id: str) -> str:
    """A document's key in Milvus: a digest, so filter expressions never quote a file name."""
    return hashlib.sha256(doc_id.encode("utf-8")).hexdigest()[:KEY_CHARS]


def analyzer_params(dictionary: list[str]) -> dict[str, Any]:
    """Milvus's jieba analyzer in exact mode with the domain pack's words, so each stored token
    (大工匠 included) is one term."""
    words = ["_default_", *dictionary] if dictionary else ["_default_"]
    return {"tokenizer": {"type": "jieba", "mode": "exact", "hmm": False, "dict": words}}


def terms_text(tokens: list[str]) -> str:
    """The BM25 field of a chunk, or a question's BM25 query: its tokens joined by spaces."""
    return " ".join(tokens)


def _not_rpc_traceback(record: logging.LogRecord) -> bool:
    """pymilvus logs every failed call with a traceback; the store reports it as one message
    (``milvus_errors``), so the user never sees a traceback."""
    return "Traceback:" not in record.getMessage()


def quiet_pymilvus() -> None:
    """Filter pymilvus's noise out of the product's logs (adding a filter twice is a no-op)."""
    logging.getLogger("pymilvus.decorators").addFilter(_not_rpc_traceback)
    logging.getLogger("jieba").setLevel(logging.WARNING)  # milvus-lite's analyzer builds jieba's dictionary


@contextmanager
def milvus_errors(location: str) -> Iterator[None]:
    """Milvus failures (server down, refused credentials) as a message naming the server."""
    try:
        yield
    except MilvusException as error:
        raise BackendUnavailableError(f"Milvus at {location}: {error.message or error}") from None


class MilvusCollections:
    """The three collections of one index in one Milvus, and every call the store makes on them."""

    def __init__(self, client: MilvusClient, prefix: str, location: str) -> None:
        self.client = client
        self.location = location
        self.chunks = f"{prefix}_chunks"
        self.sentences = f"{prefix}_sentences"
        self.records = f"{prefix}_records"

    # ----- schema -----
    def exist(self) -> bool:
        with milvus_errors(self.location):
            return all(self.client.has_collection(n) for n in (self.chunks, self.sentences, self.records))

    def create(self, dimension: int, index_type: str, dictionary: list[str]) -> None:
        """Create the collections that are missing (and load them: Milvus searches only loaded ones)."""
        with milvus_errors(self.location):
            if not self.client.has_collection(self.chunks):
                self._create_chunks(dimension, index_type, dictionary)
            if not self.client.has_collection(self.sentences):
                schema = self.client.create_schema(auto_id=False)
                schema.add_field("pk", DataType.VARCHAR, is_primary=True, max_length=80)
                schema.add_field("doc_key", DataType.VARCHAR, max_length=64)
                schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dimension)
                self._create(self.sentences, schema, "vector", "FLAT", "IP", {})
            if not self.client.has_collection(self.records):
                schema = self.client.create_schema(auto_id=False)
                schema.add_field("pk", DataType.VARCHAR, is_primary=True, max_length=80)
                schema.add_field("owner", DataType.VARCHAR, max_length=64)
                schema.add_field("entry", DataType.VARCHAR, max_length=64)
                schema.add_field("ordinal", DataType.INT64)
                schema.add_field("part", DataType.INT64)
                schema.add_field("parts", DataType.INT64)
                schema.add_field("data", DataType.VARCHAR, max_length=MAX_VARCHAR)
                # Milvus requires a vector field in every collection; records are never searched.
                schema.add_field("pad", DataType.FLOAT_VECTOR, dim=2)
                self._create(self.records, schema, "pad", "FLAT", "L2", {})
        self.load()

    def load(self) -> None:
        with milvus_errors(self.location):
            for name in (self.chunks, self.sentences, self.records):
                self.client.load_collection(name)

    def _create_chunks(self, dimension: int, index_type: str, dictionary: list[str]) -> None:
        schema = self.client.create_schema(auto_id=False)
        schema.add_field("pk", DataType.VARCHAR, is_primary=True, max_length=MAX_CHUNK_ID)
        schema.add_field("doc_key", DataType.VARCHAR, max_length=64)
        schema.add_field(
            "terms", DataType.VARCHAR, max_length=MAX_VARCHAR, enable_analyzer=True,
            analyzer_params=analyzer_params(dictionary),
        )
        schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_field("dense", DataType.FLOAT_VECTOR, dim=dimension)
        schema.add_function(Function(
            name="bm25", function_type=FunctionType.BM25, input_field_names=["terms"], output_field_names=["sparse"],
        ))
        params = self.client.prepare_index_params()
        params.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25", params=BM25_PARAMS)
        hnsw = index_type == "hnsw"
        params.add_index("dense", index_type="HNSW" if hnsw else "FLAT", metric_type="IP",
                         params=HNSW_BUILD if hnsw else {})
        self.client.create_collection(self.chunks, schema=schema, index_params=params, consistency_level="Strong")

    def _create(self, name: str, schema: Any, field: str, kind: str, metric: str, extra: dict[str, Any]) -> None:
        params = self.client.prepare_index_params()
        params.add_index(field, index_type=kind, metric_type=metric, params=extra)
        self.client.create_collection(name, schema=schema, index_params=params, consistency_level="Strong")

    def drop(self) -> None:
        with milvus_errors(self.location):
            for name in (self.chunks, self.sentences, self.records):
                if self.client.has_collection(name):
                    self.client.drop_collection(name)

    # ----- searches -----
    def dense_search(self, vector: np.ndarray, k: int, hnsw: bool) -> list[str]:
        """Chunk ids by inner product with ``vector``, best first."""
        params: dict[str, Any] = {"metric_type": "IP", "params": HNSW_SEARCH if hnsw else {}}
        with milvus_errors(self.location):
            hits = self.client.search(self.chunks, data=[vector.astype(np.float32).tolist()], anns_field="dense",
                                      limit=k, search_params=params, output_fields=[])
        return [str(hit["pk"]) for hit in hits[0]]

    def bm25_search(self, text: str, k: int) -> list[str]:
        """Chunk ids by Milvus's BM25 over the analysed ``text``, best first. The order is Milvus's
        (milvus-lite reports BM25 as negative distances, a cluster as positive scores)."""
        with milvus_errors(self.location):
            hits = self.client.search(self.chunks, data=[text], anns_field="sparse", limit=k,
                                      search_params={"metric_type": "BM25"}, output_fields=[])
        return [str(hit["pk"]) for hit in hits[0]]

    def sentence_vectors(self, keys: list[str]) -> dict[str, list[float]]:
        with milvus_errors(self.location):
            rows = self.client.get(self.sentences, ids=keys, output_fields=["vector"])
        return {str(row["pk"]): row["vector"] for row in rows}

    # ----- records -----
    def scan_records(self, owner: str | None = None) -> list[dict[str, Any]]:
        """Every record row (or one owner's), in batches (a single query is capped by Milvus)."""
        expression = f'owner == "{owner}"' if owner else "part >= 0"
        fields = ["owner", "entry", "ordinal", "part", "parts", "data"]
        return self._scan(self.records, "owner", expression, fields)

    def entries(self) -> dict[str, tuple[str, int]]:
        """Each stored document's key -> (entry digest, ordinal), from the first part of its record."""
        rows = self._scan(self.records, "owner", f'part == 0 and owner != "{MANIFEST_OWNER}"',
                          ["owner", "entry", "ordinal"])
        return {str(r["owner"]): (str(r["entry"]), int(r["ordinal"])) for r in rows}

    def row_owners(self) -> set[str]:
        """Document keys that have chunk or sentence rows."""
        found: set[str] = set()
        for collection in (self.chunks, self.sentences):
            found.update(str(r["doc_key"]) for r in self._scan(collection, "doc_key", 'doc_key != ""', ["doc_key"]))
        return found

    def _scan(
        self, collection: str, key: str, expression: str, fields: list[str], prefix: str = ""
    ) -> list[dict[str, Any]]:
        """Every row matching ``expression``, by prefixes of the hex ``key`` field: Milvus caps one
        query's result (``QUERY_WINDOW``), so a prefix that fills it is split into 16 longer ones.
        (pymilvus's query iterator needs timestamps milvus-lite does not serve.)"""
        query = f'{expression} and {key} like "{prefix}%"' if prefix else expression
        with milvus_errors(self.location):
            rows = [dict(row) for row in self.client.query(collection, filter=query, output_fields=fields,
                                                           limit=QUERY_WINDOW)]
        if len(rows) < QUERY_WINDOW or len(prefix) == KEY_CHARS:
            return rows  # (a whole key with more rows than the window: one document's, never that many)
        return [row for digit in "0123456789abcdef" for row in self._scan(collection, key, expression, fields,
                                                                           prefix + digit)]

    def write_blob(self, owner: str, entry: str, ordinal: int, payload: Any) -> None:
        """Upsert ``payload`` as JSON in parts, then remove parts a longer earlier version left."""
        text = json.dumps(payload, ensure_ascii=False)
        parts = [text[i : i + PART_CHARS] for i in range(0, len(text), PART_CHARS)] or [""]
        rows = [
            {"pk": f"{owner}:{n}", "owner": owner, "entry": entry, "ordinal": ordinal, "part": n,
             "parts": len(parts), "data": data, "pad": [0.0, 0.0]}
            for n, data in enumerate(parts)
        ]
        with milvus_errors(self.location):
            for start in range(0, len(rows), WRITE_BATCH):
                self.client.upsert(self.records, rows[start : start + WRITE_BATCH])
            self.client.delete(self.records, filter=f'owner == "{owner}" and part >= {len(parts)}')

    def write_rows(self, key: str, item: IndexedDocument) -> None:
        """A document's chunk rows (vector, BM25 terms) and sentence rows (vector)."""
        chunks = [
            {"pk": c.chunk_id, "doc_key": key, "terms": terms_text(tokens), "dense": vector.tolist()}
            for c, tokens, vector in zip(item.chunks, item.chunk_tokens, item.chunk_vectors, strict=True)
        ]
        sentences = [
            {"pk": f"{key}:{n}", "doc_key": key, "vector": vector.tolist()}
            for n, vector in enumerate(item.sentence_vectors)
        ]
        with milvus_errors(self.location):
            for collection, rows in ((self.chunks, chunks), (self.sentences, sentences)):
                for start in range(0, len(rows), WRITE_BATCH):
                    self.client.insert(collection, rows[start : start + WRITE_BATCH])

    def delete_records(self, keys: list[str]) -> None:
        if keys:
            with milvus_errors(self.location):
                self.client.delete(self.records, filter=f"owner in {json.dumps(keys)}")

    def delete_rows(self, keys: list[str]) -> None:
        if keys:
            with milvus_errors(self.location):
                for collection in (self.chunks, self.sentences):
                    self.client.delete(collection, filter=f"doc_key in {json.dumps(keys)}")

    def flush(self) -> None:
        with milvus_errors(self.location):
            for name in (self.chunks, self.sentences, self.records):
                self.client.flush(name)


def assemble(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """One owner's parts joined and parsed; None when a part is missing (a write cut short)."""
    rows = sorted(rows, key=lambda r: int(r["part"]))
    if not rows or [int(r["part"]) for r in rows] != list(range(int(rows[0]["parts"]))):
        return None
    value = json.loads("".join(str(r["data"]) for r in rows))
    return value if isinstance(value, dict) else None


def _without_vectors(item: IndexedDocument, dimension: int) -> IndexedDocument:
    """``item`` with zero vectors of the right shapes where it carries none (a record read back)."""
    if len(item.chunk_vectors) == len(item.chunks) and len(item.sentence_vectors) == len(item.sentence_spans):
        return item
    return replace(
        item,
        chunk_vectors=np.zeros((len(item.chunks), dimension), dtype=np.float32),
        sentence_vectors=np.zeros((len(item.sentence_spans), dimension), dtype=np.float32),
    )


class MilvusIndex(DocumentIndex):
    """A snapshot whose records (documents, chunks, sentences, tokens) are in memory, as in the
    embedded store, and whose dense, BM25 and sentence-vector lookups go to Milvus. The local
    FAISS index and postings the base class builds are never searched."""

    def __init__(
        self,
        embedding_model: str,
        dimension: int,
        index_type: IndexType = "flat",
        documents: dict[str, IndexedDocument] | None = None,
        pipeline: dict[str, Any] | None = None,
        collections: MilvusCollections | None = None,
    ) -> None:
        # Vectors stay in Milvus: entries loaded from its records carry none, so the local part
        # (records, chunk ids, postings for IDF) is built with placeholders that are never searched.
        local = {key: _without_vectors(item, dimension) for key, item in (documents or {}).items()}
        super().__init__(embedding_model, dimension, index_type, local, pipeline)
        self.collections = collections

    @property
    def milvus(self) -> MilvusCollections:
        if self.collections is None:
            raise IndexCorruptError("this Milvus snapshot is not connected to a Milvus")
        return self.collections

    def _like(self, documents: dict[str, IndexedDocument], pipeline: dict[str, Any] | None) -> MilvusIndex:
        return MilvusIndex(self.embedding_model, self.dimension, self.index_type, documents, pipeline,
                           collections=self.collections)

    def with_documents(
        self, added: list[IndexedDocument], pipeline: dict[str, Any] | None = None
    ) -> MilvusIndex:
        documents = dict(self.documents)
        documents.update((item.document.doc_id, item) for item in added)
        return self._like(documents, pipeline or self.pipeline)

    def deferring(self, defer: bool) -> MilvusIndex:
        """Milvus merges its own segments: a Milvus snapshot never merges parts."""
        return self

    def merge_due(self) -> bool:
        return False

    def bulk_built(self, batches: Iterable[Sequence[IndexedDocument]],
                   pipeline: dict[str, Any] | None = None) -> MilvusIndex:
        """Milvus holds the vectors, so there is no local base to write: the batches are added."""
        index = self
        for batch in batches:
            index = index.with_documents(list(batch), pipeline)
        return index

    def without_documents(self, doc_ids: list[str]) -> MilvusIndex:
        gone = set(doc_ids)
        return self._like({k: v for k, v in self.documents.items() if k not in gone}, self.pipeline)

    def _positions(self, chunk_ids: list[str]) -> list[tuple[int, float]]:
        """Hits as (position in this snapshot, rank score), dropping chunks the snapshot does not
        hold (Milvus is asked for ``k`` over what it holds now, which a later save may have
        changed). Milvus's scores are not comparable across its versions (BM25's sign differs), so the
        score is the reciprocal rank; the retriever fuses ranks only."""
        found = []
        for chunk_id in chunk_ids:
            try:
                found.append(self.chunk_position(chunk_id))
            except KeyError:
                continue
        return [(position, 1.0 / rank) for rank, position in enumerate(found, start=1)]

    def dense_search(self, query_vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        if not self.chunks:
            return []
        return self._positions(self.milvus.dense_search(query_vector, k, self.index_type == "hnsw"))

    def bm25_search(self, query_tokens: list[str], k: int) -> list[tuple[int, float]]:
        if not self.chunks or not query_tokens:
            return []
        return self._positions(self.milvus.bm25_search(terms_text(query_tokens), k))

    def sentence_similarities(self, query_vector: np.ndarray, positions: list[int]) -> np.ndarray:
        if not positions:
            return np.zeros(0, dtype=np.float32)
        keys = [self._sentence_key(position) for position in positions]
        vectors = self.milvus.sentence_vectors(keys)
        missing = [key for key in keys if key not in vectors]
        if missing:
            raise IndexCorruptError(
                f"Milvus at {self.milvus.location} lacks {len(missing)} sentence vectors of indexed "
                "documents; rebuild with `rag index --rebuild`"
            )
        matrix = np.asarray([vectors[key] for key in keys], dtype=np.float32)
        return matrix @ query_vector.astype(np.float32)

    def _sentence_key(self, position: int) -> str:
        doc_id = self.sentences[position].doc_id
        return f"{document_key(doc_id)}:{position - self._sentence_range(doc_id).start}"


class MilvusStore(IndexStore):
    """Reads and writes ``MilvusIndex`` snapshots in one Milvus (see the module's docstring)."""

    def __init__(
        self, location: str, token: str = "", prefix: str = "rag", dictionary: list[str] | None = None
    ) -> None:
        super().__init__(Path(location))
        self.uri = location
        self.dictionary = list(dictionary or [])
        if "://" not in location:
            Path(location).parent.mkdir(parents=True, exist_ok=True)
        quiet_pymilvus()
        # milvus-lite's in-process server refuses pymilvus's 10 s keepalive pings ("too_many_pings")
        # and drops the connection; on loopback there is nothing to keep alive.
        options: dict[str, Any] = {} if "://" in location else {"grpc_options": LITE_GRPC_OPTIONS}
        if token:
            options["token"] = token
        with milvus_errors(location):
            client = MilvusClient(uri=location, **options)
        self.collections = MilvusCollections(client, prefix, location)
        if self.collections.exist():
            self.collections.load()  # a Milvus restarted (or milvus-lite reopened) has them released

    @property
    def location(self) -> str:
        return f"{self.uri} (collections {self.collections.records.removesuffix('_records')}_*)"

    def exists(self) -> bool:
        return self.collections.exist() and bool(self.collections.scan_records(MANIFEST_OWNER))

    def current_generation(self) -> Path:
        """Raises ``IndexNotFoundError`` when Milvus holds no index (there are no generations)."""
        if not self.exists():
            raise IndexNotFoundError(f"no index in Milvus at {self.location}; build one with `rag index` first")
        return self.directory

    def read_manifest(self) -> dict[str, Any]:
        self.current_generation()
        manifest = assemble(self.collections.scan_records(MANIFEST_OWNER))
        if manifest is None or manifest.get("format_version") not in READABLE_FORMATS:
            raise IndexCorruptError(
                f"the manifest in Milvus at {self.location} is unreadable; rebuild with `rag index --rebuild`"
            )
        return manifest

    def snapshot(self, index: DocumentIndex) -> MilvusIndex:
        return MilvusIndex(index.embedding_model, index.dimension, index.index_type, dict(index.documents),
                           index.pipeline, collections=self.collections)

    def load(self) -> MilvusIndex:
        """The records of every whole document, in the order they were added; vectors stay in Milvus."""
        manifest = self.read_manifest()
        dimension = int(manifest["dimension"])
        groups: dict[str, list[dict[str, Any]]] = {}
        for row in self.collections.scan_records():
            if row["owner"] != MANIFEST_OWNER:
                groups.setdefault(str(row["owner"]), []).append(row)
        empty = np.zeros((0, dimension), dtype=np.float32)
        ordered: list[tuple[int, IndexedDocument]] = []
        try:
            for key, rows in groups.items():
                record = assemble(rows)
                if record is None:
                    logger.warning("Milvus record %s is incomplete (an interrupted save); left out", key)
                    continue
                ordered.append((int(rows[0]["ordinal"]), document_from_record(record, empty, empty)))
        except (ValueError, KeyError, TypeError) as exc:
            raise IndexCorruptError(
                f"a record in Milvus at {self.location} is damaged ({type(exc).__name__}: {exc}); "
                "rebuild with `rag index --rebuild`"
            ) from exc
        documents = {item.document.doc_id: item for _, item in sorted(ordered, key=lambda pair: pair[0])}
        pipeline = manifest.get("pipeline")
        return MilvusIndex(manifest["embedding_model"], dimension, manifest.get("index_type", "flat"), documents,
                           pipeline if isinstance(pipeline, dict) else None, collections=self.collections)

    def save(self, index: DocumentIndex) -> Path:
        """Make Milvus hold exactly ``index``: documents whose entry changed are deleted (record
        first) and written again (record last); unchanged ones are not touched."""
        collections = self.collections
        manifest = {
            "format_version": FORMAT_VERSION,
            "embedding_model": index.embedding_model,
            "dimension": index.dimension,
            "index_type": index.index_type,
            "pipeline": index.pipeline,
            "analyzer_dictionary": self.dictionary,
        }
        previous = assemble(collections.scan_records(MANIFEST_OWNER)) if collections.exist() else None
        layout = ("dimension", "index_type", "analyzer_dictionary")
        if previous is not None and any(previous.get(key) != manifest[key] for key in layout):
            collections.drop()  # another vector size, index or analyzer: the collections are remade
        collections.create(index.dimension, index.index_type, self.dictionary)
        collections.write_blob(MANIFEST_OWNER, "", 0, {**manifest, "saving": True})
        stored = collections.entries()
        wanted = {document_key(doc_id): item for doc_id, item in index.documents.items()}
        entries = {key: segment_name(item, index.pipeline) for key, item in wanted.items()}
        stale = [key for key, (entry, _) in stored.items() if entries.get(key) != entry]
        collections.delete_records(stale)
        collections.delete_rows(stale)
        next_ordinal = max((ordinal for _, ordinal in stored.values()), default=-1) + 1
        for key, item in wanted.items():
            if key in stored and key not in stale:
                continue
            if key in stored:
                ordinal = stored[key][1]
            else:
                ordinal, next_ordinal = next_ordinal, next_ordinal + 1
            collections.delete_rows([key])  # what an interrupted save of this document left
            collections.write_rows(key, item)
            collections.write_blob(key, entries[key], ordinal, document_record(item))
        collections.flush()
        collections.write_blob(MANIFEST_OWNER, "", 0, manifest)
        collections.flush()
        return self.directory

    def clean(self) -> None:
        """After a save that did not finish (the manifest still says ``saving``): remove chunk and
        sentence rows that belong to no whole document."""
        if not self.exists():
            return
        manifest = assemble(self.collections.scan_records(MANIFEST_OWNER)) or {}
        if not manifest.get("saving"):
            return
        whole = set(self.collections.entries())
        self.collections.delete_rows(sorted(self.collections.row_owners() - whole))
        self.collections.write_blob(MANIFEST_OWNER, "", 0, {k: v for k, v in manifest.items() if k != "saving"})
        self.collections.flush()

    def size_bytes(self) -> int:
        """Bytes of the milvus-lite data on disk; 0 for a cluster (its size is the cluster's to report)."""
        path = Path(self.uri)
        if "://" in self.uri or not path.exists():
            return 0
        if path.is_file():
            return path.stat().st_size
        return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
