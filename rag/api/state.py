"""The engine slot an app serves from: loading, then ready (or failed), never half-loaded.

The API starts answering ``/health`` at once while the models and index load in a background
thread, so a supervisor or a test can tell "still loading" (503) from "down". Routes get the engine
through ``current_engine``, which turns "not ready" into a 503 with a message instead of a crash.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Literal

from fastapi import Request

from rag.api.errors import NotReadyError
from rag.engine import Engine
from rag.errors import RagError
from rag.settings import Settings

logger = logging.getLogger("rag.api")

EngineStatus = Literal["loading", "ready", "error"]


class EngineState:
    """Holds the engine once it is ready, or the reason it could not be loaded (thread-safe)."""

    def __init__(self, engine: Engine | None = None) -> None:
        self._lock = threading.Lock()
        self._engine = engine
        self._error: str | None = None

    @property
    def status(self) -> EngineStatus:
        with self._lock:
            if self._engine is not None:
                return "ready"
            return "error" if self._error is not None else "loading"

    @property
    def engine(self) -> Engine | None:
        return self._engine

    @property
    def error(self) -> str | None:
        return self._error

    def set_ready(self, engine: Engine) -> None:
        with self._lock:
            self._engine, self._error = engine, None

    def set_failed(self, error: BaseException) -> None:
        message = str(error) if isinstance(error, RagError) else f"{type(error).__name__}: {error}"
        with self._lock:
            self._error = message or type(error).__name__

    def require(self) -> Engine:
        """The engine, or ``NotReadyError`` (503) saying why there is none yet."""
        with self._lock:
            engine, error = self._engine, self._error
        if engine is not None:
            return engine
        if error is not None:
            raise NotReadyError(f"the engine failed to load: {error}")
        raise NotReadyError("the index is still loading; retry in a few seconds (GET /health says when ready)")


def open_or_build_engine(settings: Settings) -> Engine:
    """Open the saved index, or build one from ``settings.corpus_path`` when none exists yet.

    Mirrors ``rag chat``: a first ``rag serve`` on a fresh checkout indexes the bundled corpus
    instead of failing, and every later start just loads the saved index.
    """
    from rag.store.stores import open_store

    if open_store(settings).exists():
        return Engine.open(settings)
    engine = Engine.open(settings, allow_empty=True)
    corpus = settings.corpus_path
    if not corpus.exists():
        logger.warning("no index at %s and no corpus folder %s: starting empty", settings.index_path, corpus)
        return engine
    logger.info("no index at %s yet: indexing %s", settings.index_path, corpus)
    report = engine.index_paths([corpus])
    for failure in report.failed:
        logger.warning("skipped while indexing: %s", failure)
    info = engine.info()
    logger.info("indexed %d documents, %d chunks", info.documents, info.chunks, extra={"added": len(report.added)})
    return engine


def close_backends(backends: Iterable[object]) -> None:
    """Stop what backends hold open (HTTP clients, a llama.cpp server process); never raises."""
    for backend in backends:
        close = getattr(backend, "close", None)
        if callable(close):
            try:
                close()
            except Exception:  # shutting down: report and go on with the others
                logger.warning("closing backend %r failed", backend, exc_info=True)


def current_engine(request: Request) -> Engine:
    """FastAPI dependency: the ready engine of this app, or a 503."""
    state: EngineState = request.app.state.engine_state
    return state.require()
