"""Answers written by a language model behind any OpenAI-compatible ``/v1/chat/completions``.

The model sees at most a few numbered, trimmed passages and the question (``rag.answering.prompting``),
at temperature 0. What it writes is never shown unchecked: its ``[n]`` markers are parsed and every
figure and name of every sentence is looked up in the passages that sentence cites
(``rag.answering.grounding``). An answer that fails the check is replaced by the fallback backend's
answer (the extractive one in the product), or, without a fallback, loses its unsupported sentences.
A generated answer that agrees with the extractive reference (contains its exact ``short_answer``)
carries that short answer too, with ``short_answer_agreed`` saying where it came from, so every
backend gives the same bold figure for the same fact.
When the model writes the template's fixed refusal sentence (or another refusal opening, see
``MODEL_REFUSAL_OPENINGS``) that is parsed as its verdict and returned as a structured refusal
(``Answer.refusal``, reason ``weak_evidence``). Every refused answer this backend returns carries a
``Refusal``; the fallback's refusals are passed on with their own reason. Nothing downstream reads
the refusal's wording.

The HTTP transport (retries with backoff, streaming, no proxy for loopback servers) is
``rag.llm.client.ChatCompletionsClient``; this module is the answer policy around it.
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from rag.answering.base import AnswerBackend, AnswerRequest, StreamEvent
from rag.answering.grounding import check_grounding, strip_markers
from rag.answering.prompting import BuiltPrompt, PromptBuilder, PromptTemplate
from rag.answering.refusal import refused_for_other_entity
from rag.llm.client import ChatCompletionsClient
from rag.schema import Answer, Refusal, RefusalReason
from rag.settings import Settings

#: Openings with which a *model* says the passages lack the answer, in either language (besides the
#: template's own refusal sentence). Only generated text is parsed with these; answers of this
#: product are recognised by ``Answer.refused`` / ``Answer.refusal``, never by their wording.
MODEL_REFUSAL_OPENINGS = ("资料中未找到", "资料中没有", "The documents do not say", "The documents do not contain")


@dataclass
class GroundingStats:
    """Counters of what the grounding check did, per backend instance (thread-safe)."""

    answers: int = 0  # generated answers checked (refusals included)
    grounded: int = 0  # passed the check as generated
    failures: int = 0  # failed the check
    fallbacks: int = 0  # failures answered by the fallback backend instead
    dropped_sentences: int = 0  # unsupported sentences removed (no fallback)
    refusals: int = 0  # the model wrote the refusal
    removed_citations: int = 0  # [n] markers that pointed at no passage
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, **increments: int) -> None:
        with self._lock:
            for name, value in increments.items():
                setattr(self, name, getattr(self, name) + value)

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return {
                name: getattr(self, name)
                for name in ("answers", "grounded", "failures", "fallbacks", "dropped_sentences",
                             "refusals", "removed_citations")
            }


def normalize(text: str) -> str:
    """Full-width folded, without spaces or digit grouping: 「５ 万元」 and 「5万元」 compare equal."""
    return re.sub(r"(?<=\d),(?=\d{3})", "", unicodedata.normalize("NFKC", text)).replace(" ", "")


class OpenAIBackend(AnswerBackend):
    """Generated, cited answers from an OpenAI-compatible server, checked for grounding."""

    name = "openai"

    def __init__(
        self,
        settings: Settings,
        fallback: AnswerBackend | None = None,
        *,
        base_url: str | None = None,
        model: str | None = None,
        api_key: str | None = None,
        max_tokens: int | None = None,
        max_passages: int = 3,
        passage_chars: int = 840,
        attribute_uncited: bool = True,
        name: str | None = None,
        stats: GroundingStats | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.fallback = fallback
        if name:
            self.name = name
        self.base_url = (base_url or settings.openai_base_url).rstrip("/")
        self.model = model or settings.openai_model
        self.api_key = settings.openai_api_key if api_key is None else api_key
        self.max_tokens = max_tokens or settings.llm_max_tokens
        self.retries = settings.openai_retries
        self.timeout = settings.openai_timeout
        self.stats = stats or GroundingStats()
        self.attribute_uncited = attribute_uncited
        self.prompts = PromptBuilder(
            settings.prompts_path, max_passages=max_passages, max_chars=passage_chars
        )
        self.client = ChatCompletionsClient(
            self.base_url,
            self.model,
            api_key=self.api_key,
            timeout=self.timeout,
            retries=self.retries,
            max_tokens=self.max_tokens,
            transport=transport,
        )

    @property
    def endpoint(self) -> str:
        return self.client.endpoint

    @property
    def last_timings(self) -> dict[str, Any] | None:
        """llama.cpp's ``timings`` (prompt/generation tokens per second) of the last generation."""
        return self.client.last_timings

    @property
    def _sleep(self) -> Callable[[float], None]:
        return self.client.sleep

    @_sleep.setter
    def _sleep(self, sleep: Callable[[float], None]) -> None:  # tests skip the backoff waits
        self.client.sleep = sleep

    def close(self) -> None:
        self.client.close()

    # ------------------------------------------------------------ the interface

    def answer(self, request: AnswerRequest) -> Answer:
        started = time.perf_counter()
        built = self.prompts.build(request)
        if not built.citations:
            return self._refusal(request, built, started, grounded=None, reason="no_passages")
        reference = self._reference(request)
        if reference is not None and refused_for_other_entity(reference):
            return self._fallen_back(reference, started)
        text = self.client.complete(built.messages)
        return self._finish(request, built, text, started, reference)

    def stream(self, request: AnswerRequest) -> Iterator[StreamEvent]:
        """``citations`` (the passages given to the model), ``delta`` pieces as the server sends
        them, then the checked ``answer`` (which may differ from the streamed text: renumbered
        citations, dropped sentences, or the fallback's answer)."""
        started = time.perf_counter()
        built = self.prompts.build(request)
        yield StreamEvent(kind="citations", citations=built.citations)
        if not built.citations:
            yield StreamEvent(
                kind="answer",
                answer=self._refusal(request, built, started, grounded=None, reason="no_passages"),
            )
            return
        reference = self._reference(request)
        if reference is not None and refused_for_other_entity(reference):
            yield StreamEvent(kind="answer", answer=self._fallen_back(reference, started))
            return
        pieces: list[str] = []
        for delta in self.client.stream(built.messages):
            pieces.append(delta)
            yield StreamEvent(kind="delta", delta=delta)
        final = self._finish(request, built, "".join(pieces), started, reference)
        yield StreamEvent(kind="answer", answer=final)

    # ------------------------------------------------------------ after generation

    @staticmethod
    def _model_refused(text: str, template: PromptTemplate) -> bool:
        """Whether the *generated* text is the model declining to answer (parsing model output)."""
        if template.is_refusal(text):
            return True
        head = text.lstrip(" \t\n[]【】0123456789").lower()
        return any(head.startswith(opening.lower()) for opening in MODEL_REFUSAL_OPENINGS)

    def _reference(self, request: AnswerRequest) -> Answer | None:
        """The fallback's (extractive) answer, computed in milliseconds before generating: it vetoes
        questions about another city or year, and its exact figure must appear in the generated
        answer (a small model happily quotes the old figure of 由1万元提高到5万元)."""
        return self.fallback.answer(request) if self.fallback is not None else None

    def _fallen_back(self, reference: Answer, started: float) -> Answer:
        """The fallback's answer, with its own refusal (a fallback that refuses without saying why
        gets ``weak_evidence``, so no refused answer leaves this backend without a reason)."""
        self.stats.add(fallbacks=1)
        update: dict[str, object] = {
            "backend": f"{self.name}+fallback",
            "latency_ms": (time.perf_counter() - started) * 1000,
        }
        if reference.refused and reference.refusal is None:
            update["refusal"] = Refusal(reason="weak_evidence")
        return reference.model_copy(update=update)

    def _finish(
        self, request: AnswerRequest, built: BuiltPrompt, text: str, started: float,
        reference: Answer | None = None,
    ) -> Answer:
        text = text.strip()
        self.stats.add(answers=1)
        if text and self._model_refused(text, built.template):
            self.stats.add(refusals=1)
            return self._refusal(request, built, started, grounded=True, reason="weak_evidence")
        result = check_grounding(
            text, built.citations, question=request.question, attribute_uncited=self.attribute_uncited
        )
        self.stats.add(removed_citations=len(result.removed))
        agrees = not (
            reference is not None
            and not reference.refused
            and reference.short_answer
            and normalize(reference.short_answer) not in normalize(strip_markers(text))
        )
        if result.grounded and agrees and re.search(r"\w", strip_markers(text)):
            self.stats.add(grounded=1)
            return self._answer(request, result.text, result.citations or built.citations, started,
                                grounded=True, short_answer=self._agreed_short_answer(reference))
        self.stats.add(failures=1)
        if self.fallback is not None:
            return self._fallen_back(reference or self.fallback.answer(request), started)
        kept = result.supported_only()
        self.stats.add(dropped_sentences=len(result.sentences) - len(kept.sentences))
        if kept.question_missing:
            # the cited passages are about another place, organisation or person than the question's
            return self._refusal(request, built, started, grounded=False, reason="missing_entity",
                                 missing=list(kept.question_missing))
        if not any(sentence.facts for sentence in kept.sentences):
            # nothing checkable is left
            return self._refusal(request, built, started, grounded=False, reason="weak_evidence")
        return self._answer(request, kept.text, kept.citations or built.citations, started,
                            grounded=False)

    @staticmethod
    def _agreed_short_answer(reference: Answer | None) -> str | None:
        """The reference's exact short answer; only called once the generated text is known to
        contain it (``agrees`` in ``_finish``), so it is the fact both backends found."""
        if reference is None or reference.refused or not reference.short_answer:
            return None
        return reference.short_answer

    def _answer(self, request: AnswerRequest, text: str, citations: list, started: float, *,
                grounded: bool, short_answer: str | None = None) -> Answer:
        return Answer(
            question=request.original_question or request.question,
            answer=text,
            short_answer=short_answer,
            short_answer_agreed=short_answer is not None if grounded else None,
            refused=False,
            refusal=None,
            citations=citations,
            backend=self.name,
            latency_ms=(time.perf_counter() - started) * 1000,
            resolved_question=self._resolved(request),
            grounded=grounded,
        )

    def _refusal(self, request: AnswerRequest, built: BuiltPrompt, started: float, *,
                 grounded: bool | None, reason: RefusalReason, missing: list[str] | None = None) -> Answer:
        return Answer(
            question=request.original_question or request.question,
            answer=built.template.refusal,
            refused=True,
            refusal=Refusal(reason=reason, missing=missing or []),
            citations=built.citations,
            backend=self.name,
            latency_ms=(time.perf_counter() - started) * 1000,
            resolved_question=self._resolved(request),
            grounded=grounded,
        )

    @staticmethod
    def _resolved(request: AnswerRequest) -> str | None:
        if request.original_question and request.original_question != request.question:
            return request.question
        return None

