"""Answer backends by name: created on first use, so an unused LLM backend costs nothing."""

from __future__ import annotations

import threading
from collections.abc import Callable

from rag.answering.base import AnswerBackend
from rag.answering.extractive import ExtractiveBackend
from rag.answering.question import QuestionAnalyzer
from rag.errors import UnknownBackendError
from rag.settings import Settings
from rag.text.tokenizing import ChineseTokenizer

BACKEND_NAMES = ("extractive", "openai", "local")


class BackendRegistry:
    """Holds one instance per backend name; LLM backends fall back to the extractive one."""

    def __init__(self, settings: Settings, tokenizer: ChineseTokenizer, analyzer: QuestionAnalyzer) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._instances: dict[str, AnswerBackend] = {
            "extractive": ExtractiveBackend(
                tokenizer, analyzer, min_answer_score=settings.min_answer_score
            )
        }
        self._factories: dict[str, Callable[[], AnswerBackend]] = {
            "openai": self._make_openai,
            "local": self._make_local,
        }

    @property
    def extractive(self) -> AnswerBackend:
        return self._instances["extractive"]

    def names(self) -> list[str]:
        return list(BACKEND_NAMES)

    def get(self, name: str | None) -> AnswerBackend:
        """The backend called ``name`` (the configured default when None)."""
        name = (name or self.settings.backend).strip().lower()
        if name in self._instances:
            return self._instances[name]
        if name not in self._factories:
            raise UnknownBackendError(
                f"unknown backend '{name}'; choose one of: {', '.join(BACKEND_NAMES)}"
            )
        with self._lock:
            if name not in self._instances:
                self._instances[name] = self._factories[name]()
        return self._instances[name]

    def loaded(self) -> dict[str, AnswerBackend]:
        return dict(self._instances)

    def _make_openai(self) -> AnswerBackend:
        from rag.answering.openai_backend import OpenAIBackend

        return OpenAIBackend(self.settings, fallback=self.extractive)

    def _make_local(self) -> AnswerBackend:
        from rag.answering.local_backend import LocalBackend

        return LocalBackend(self.settings, fallback=self.extractive)
