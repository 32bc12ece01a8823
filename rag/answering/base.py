"""The one small interface every answer backend implements.

A backend gets the question and the passages the retriever found and returns an ``Answer``. It never
retrieves by itself, so backends are interchangeable and testable on fixed passages. Streaming is
optional: the default ``stream`` yields the finished answer as one piece.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from rag.schema import Answer, Citation, Passage

if TYPE_CHECKING:  # only for annotations: backends that need the index get it from the request
    import numpy as np

    from rag.answering.question import QuestionAnalysis
    from rag.store.index import DocumentIndex


@dataclass(frozen=True)
class AnswerRequest:
    """What a backend answers: the (follow-up-resolved) question and the ranked passages."""

    question: str  # the question as resolved against the conversation history
    passages: list[Passage]
    original_question: str = ""  # as the user typed it; '' when identical
    language: Literal["zh", "en"] = "zh"
    # The snapshot the passages came from and the query's embedding: the extractive backend scores
    # single sentences with them; LLM backends ignore them.
    index: DocumentIndex | None = None
    query_vector: np.ndarray | None = None
    # The question's analysis, made once by the engine (None: the backend analyses it itself).
    analysis: QuestionAnalysis | None = None
    # The words the answer must be about when the question alone does not single them out: one
    # item of a comparison (「城镇」 of 「城镇和农村居民收入哪个增长更快」). '' for none.
    subject: str = ""


@dataclass(frozen=True)
class StreamEvent:
    """One server-sent event: ``citations`` first, then ``delta`` text pieces, then ``answer``."""

    kind: Literal["citations", "delta", "answer"]
    citations: list[Citation] | None = None
    delta: str = ""
    answer: Answer | None = None


class AnswerBackend(ABC):
    """Turns passages into a cited answer, or a refusal when they do not contain it."""

    name: str = "abstract"

    @abstractmethod
    def answer(self, request: AnswerRequest) -> Answer:
        """Answer from ``request.passages`` only; refuse when they do not contain the answer."""

    def stream(self, request: AnswerRequest) -> Iterator[StreamEvent]:
        """Default streaming: the whole answer at once, wrapped in the three event kinds."""
        result = self.answer(request)
        yield StreamEvent(kind="citations", citations=result.citations)
        yield StreamEvent(kind="delta", delta=result.answer)
        yield StreamEvent(kind="answer", answer=result)
