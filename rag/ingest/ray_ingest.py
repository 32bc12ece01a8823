"""Indexing beyond one machine: loading, chunking and embedding as Ray Data batches (``rag index --ray``).

The driver lists the files (``document_files``, the single-process order) and the content hashes
already indexed. Ray Data then loads the files in batches of tasks, and chunks and embeds the new or
changed documents in a pool of actors, each holding the embedding model once (``Indexer.build_entries``,
the single-process code). The driver collects the results in file order and applies them as the
single-process path does (``collect_loaded``: the same duplicate-name rule; ``Indexer.apply``: the same
skip of unchanged documents, the same ``added_by``), so the engine writes the same documents, chunk
ids, offsets and texts to the configured store. Only the batching of the embedding differs, which
moves vectors by float rounding, not answers.

Objects cross Ray as pickled bytes (Ray Data's columns hold Arrow values, and these are Python
dataclasses). Workers read files by path: on a cluster the corpus must be on storage every node
mounts, and every node needs this package installed with the same settings (``RAG_*``).
Without an address Ray starts locally with two CPUs; the local Ray is stopped when the run ends.
"""

from __future__ import annotations

import logging
import os
import pickle
from collections import Counter
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import ray

from rag.errors import BackendUnavailableError, DocumentError
from rag.ingest.indexing import Indexer, IndexReport, _key, embedder_for
from rag.ingest.limits import ParseLimits
from rag.ingest.loading import collect_loaded, document_files, try_load
from rag.schema import Document
from rag.settings import Settings
from rag.store.index import DocumentIndex, IndexedDocument
from rag.text.places import Gazetteer
from rag.text.tokenizing import shared_tokenizer

logger = logging.getLogger("rag.ingest")

#: ``rag index --ray`` without an address: Ray started in this process's machine, two CPUs.
LOCAL = "local"
LOCAL_CPUS = 2
LOCAL_OBJECT_STORE = 256 * 1024 * 1024  # bytes; the entries of one run pass through it
#: Files per loading task and documents per embedding call: small enough to spread a corpus over
#: the workers, large enough that the model's batches stay full.
LOAD_BATCH = 4
EMBED_BATCH = 8
#: Loading is light next to embedding; half a CPU per task keeps it schedulable beside the actors.
LOAD_CPUS = 0.5


def _load_batch(batch: dict[str, np.ndarray], limits: ParseLimits) -> dict[str, np.ndarray]:
    """Ray Data task: each file's ``Document`` or ``DocumentError``, pickled."""
    loaded = [pickle.dumps(try_load(Path(str(path)), limits)) for path in batch["path"]]
    return {"order": batch["order"], "path": batch["path"], "loaded": np.array(loaded, dtype=object)}


class _EntryBuilder:
    """Ray Data actor: chunks and embeds the loaded documents that are not indexed unchanged."""

    def __init__(self, settings: Settings, known: dict[str, str]) -> None:
        tokenizer = shared_tokenizer(settings.domain_pack_dir)
        gazetteer = Gazetteer(is_common_word=tokenizer.is_common_word)
        self.indexer = Indexer(settings, embedder_for(settings), tokenizer, gazetteer)
        self.known = known

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        loaded = [pickle.loads(item) for item in batch["loaded"]]
        todo = [d for d in loaded if isinstance(d, Document) and self.known.get(d.doc_id) != d.content_hash]
        # Files of the same name (one of them is refused later, by ``collect_loaded``) are embedded
        # in separate calls: ``build_entries`` keys its work by document id.
        rounds: dict[int, list[Document]] = {}
        seen: Counter[str] = Counter()
        for document in todo:
            rounds.setdefault(seen[document.doc_id], []).append(document)
            seen[document.doc_id] += 1
        entries = {_key(e.document): e for group in rounds.values() for e in self.indexer.build_entries(group)}
        built = [entries.get(_key(d)) if isinstance(d, Document) else None for d in loaded]
        return {**batch, "entry": np.array([pickle.dumps(entry) for entry in built], dtype=object)}


def start_ray(address: str) -> bool:
    """Connect to the Ray at ``address`` (``ray://host:10001``, ``host:6379``, ``auto``) or start a
    local one for ``local``; True when this call started it (and should stop it)."""
    if ray.is_initialized():
        return False
    try:
        if address == LOCAL:
            # The local workers import this very checkout of the package, installed or not.
            paths = [str(Path(__file__).resolve().parents[2]), os.environ.get("PYTHONPATH", "")]
            ray.init(num_cpus=LOCAL_CPUS, object_store_memory=LOCAL_OBJECT_STORE, include_dashboard=False,
                     log_to_driver=False, configure_logging=False,
                     runtime_env={"env_vars": {"PYTHONPATH": os.pathsep.join(p for p in paths if p)}})
        else:
            ray.init(address=address, log_to_driver=False, configure_logging=False)
    except (ConnectionError, RuntimeError, ValueError) as error:
        raise BackendUnavailableError(f"cannot reach Ray at {address}: {error}") from None
    return True


def build_remotely(
    settings: Settings, files: list[Path], known: dict[str, str], progress: bool = False,
) -> list[dict[str, Any]]:
    """Rows of (order, path, loaded, entry) for ``files``, computed by Ray Data (Ray running)."""
    import ray.data

    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = progress
    cpus = int(ray.cluster_resources().get("CPU", 1))
    items = [{"order": n, "path": str(path)} for n, path in enumerate(files)]
    files_dataset = ray.data.from_items(items, override_num_blocks=max(1, min(len(items), cpus * 2)))
    loaded = files_dataset.map_batches(
        partial(_load_batch, limits=ParseLimits.from_settings(settings)), batch_size=LOAD_BATCH, num_cpus=LOAD_CPUS,
    )
    built = loaded.map_batches(
        _EntryBuilder, fn_constructor_kwargs={"settings": settings, "known": known}, batch_size=EMBED_BATCH,
        num_cpus=1, compute=ray.data.ActorPoolStrategy(min_size=1, max_size=max(1, cpus - 1)),
    )
    return sorted(built.take_all(), key=lambda row: int(row["order"]))


def ray_update(
    indexer: Indexer, index: DocumentIndex, paths: Iterable[Path], address: str = LOCAL, progress: bool = False,
) -> tuple[DocumentIndex, IndexReport]:
    """``Indexer.update`` with loading, chunking and embedding on Ray: the new snapshot and report."""
    files = document_files(paths)
    known = {doc_id: index.content_hash(doc_id) or "" for doc_id in index.documents}
    rows: list[dict[str, Any]] = []
    if files:
        started = start_ray(address)
        try:
            rows = build_remotely(indexer.settings, files, known, progress)
        except ray.exceptions.RayError as error:  # a worker died or raised: one line, not Ray's traceback
            message = str(error).strip().splitlines()[-1] if str(error).strip() else type(error).__name__
            raise BackendUnavailableError(f"indexing on Ray at {address} failed: {message}") from None
        finally:
            if started:
                ray.shutdown()
    results: list[tuple[Path, Document | DocumentError]] = [
        (Path(str(row["path"])), pickle.loads(row["loaded"])) for row in rows
    ]
    documents, failures = collect_loaded(results)
    entries: list[IndexedDocument | None] = [pickle.loads(row["entry"]) for row in rows]
    prepared = {_key(entry.document): entry for entry in entries if entry is not None}
    new_index, report = indexer.apply(index, documents, prepared, added_by="cli")
    report.failed = failures
    logger.info("Ray built %d entries from %d files", len(prepared), len(files))
    return new_index, report
