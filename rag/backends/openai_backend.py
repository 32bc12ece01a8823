"""Answers written by a language model behind any OpenAI-compatible ``/v1/chat/completions``.

The model sees at most a few numbered, trimmed passages and the question (``rag.backends.prompting``),
at temperature 0. What it writes is never shown unchecked: its ``[n]`` markers are parsed and every
figure and name of every sentence is looked up in the passages that sentence cites
(``rag.backends.grounding``). An answer that fails the check is replaced by the fallback backend's
answer (the extractive one in the product), or, without a fallback, loses its unsupported sentences.
The fixed refusal sentence of the template is recognised and returned as a refusal.

Connection errors, HTTP 5xx and 429 are retried with exponential backoff (``openai_retries`` times);
a server that stays unreachable is a ``BackendUnavailableError``.
"""

from __future__ import annotations

import json
import re
import threading
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from rag.backends.base import AnswerBackend, AnswerRequest, StreamEvent
from rag.backends.extractive import names_missing_entities
from rag.backends.grounding import check_grounding, strip_markers
from rag.backends.prompting import BuiltPrompt, PromptBuilder, PromptTemplate
from rag.errors import BackendUnavailableError
from rag.net import is_loopback
from rag.schema import Answer
from rag.settings import Settings

#: Openings of a refusal in either language (the templates' own refusal is always recognised too).
REFUSAL_PREFIXES = ("资料中未找到", "资料中没有", "The documents do not say", "The documents do not contain")

_TRANSIENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError)
_BACKOFF_BASE = 0.5  # seconds before the first retry; doubled each time
_BACKOFF_MAX = 8.0


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
        #: llama.cpp's ``timings`` (prompt/generation tokens per second) of the last generation.
        self.last_timings: dict[str, Any] | None = None
        self._sleep = time.sleep  # tests replace it to skip the backoff waits
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        self._client = httpx.Client(
            timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 5.0)),
            headers=headers,
            trust_env=not is_loopback(urlsplit(self.base_url).hostname or ""),  # never send loopback traffic to a proxy
            transport=transport,
        )

    @property
    def endpoint(self) -> str:
        return f"{self.base_url}/chat/completions"

    def close(self) -> None:
        self._client.close()

    # ------------------------------------------------------------ the interface

    def answer(self, request: AnswerRequest) -> Answer:
        started = time.perf_counter()
        built = self.prompts.build(request)
        if not built.citations:
            return self._refusal(request, built, started, grounded=None)
        reference = self._reference(request)
        if reference is not None and names_missing_entities(reference):
            return self._fallen_back(reference, started)
        text = self._complete(built.messages)
        return self._finish(request, built, text, started, reference)

    def stream(self, request: AnswerRequest) -> Iterator[StreamEvent]:
        """``citations`` (the passages given to the model), ``delta`` pieces as the server sends
        them, then the checked ``answer`` (which may differ from the streamed text: renumbered
        citations, dropped sentences, or the fallback's answer)."""
        started = time.perf_counter()
        built = self.prompts.build(request)
        yield StreamEvent(kind="citations", citations=built.citations)
        if not built.citations:
            yield StreamEvent(kind="answer", answer=self._refusal(request, built, started, grounded=None))
            return
        reference = self._reference(request)
        if reference is not None and names_missing_entities(reference):
            yield StreamEvent(kind="answer", answer=self._fallen_back(reference, started))
            return
        pieces: list[str] = []
        for delta in self._stream_completion(built.messages):
            pieces.append(delta)
            yield StreamEvent(kind="delta", delta=delta)
        final = self._finish(request, built, "".join(pieces), started, reference)
        yield StreamEvent(kind="answer", answer=final)

    # ------------------------------------------------------------ after generation

    def _is_refusal(self, text: str, template: PromptTemplate) -> bool:
        if template.is_refusal(text):
            return True
        head = text.lstrip(" \t\n[]【】0123456789").lower()
        return any(head.startswith(prefix.lower()) for prefix in REFUSAL_PREFIXES)

    def _reference(self, request: AnswerRequest) -> Answer | None:
        """The fallback's (extractive) answer, computed in milliseconds before generating: it vetoes
        questions about another city or year, and its exact figure must appear in the generated
        answer (a small model happily quotes the old figure of 由1万元提高到5万元)."""
        return self.fallback.answer(request) if self.fallback is not None else None

    def _fallen_back(self, reference: Answer, started: float) -> Answer:
        self.stats.add(fallbacks=1)
        return reference.model_copy(update={
            "backend": f"{self.name}+fallback",
            "latency_ms": (time.perf_counter() - started) * 1000,
        })

    def _finish(
        self, request: AnswerRequest, built: BuiltPrompt, text: str, started: float,
        reference: Answer | None = None,
    ) -> Answer:
        text = text.strip()
        self.stats.add(answers=1)
        if text and self._is_refusal(text, built.template):
            self.stats.add(refusals=1)
            return self._refusal(request, built, started, grounded=True)
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
                                grounded=True)
        self.stats.add(failures=1)
        if self.fallback is not None:
            return self._fallen_back(reference or self.fallback.answer(request), started)
        kept = result.supported_only()
        self.stats.add(dropped_sentences=len(result.sentences) - len(kept.sentences))
        if kept.question_missing or not any(sentence.facts for sentence in kept.sentences):
            # nothing checkable is left, or the answer is about another place than the question's
            return self._refusal(request, built, started, grounded=False)
        return self._answer(request, kept.text, kept.citations or built.citations, started,
                            grounded=False)

    def _answer(self, request: AnswerRequest, text: str, citations: list, started: float, *,
                grounded: bool) -> Answer:
        return Answer(
            question=request.original_question or request.question,
            answer=text,
            refused=False,
            citations=citations,
            backend=self.name,
            latency_ms=(time.perf_counter() - started) * 1000,
            resolved_question=self._resolved(request),
            grounded=grounded,
        )

    def _refusal(self, request: AnswerRequest, built: BuiltPrompt, started: float, *,
                 grounded: bool | None) -> Answer:
        return Answer(
            question=request.original_question or request.question,
            answer=built.template.refusal,
            refused=True,
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

    # ------------------------------------------------------------ HTTP

    def _payload(self, messages: list[dict[str, str]], stream: bool) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "temperature": 0,
            "max_tokens": self.max_tokens,
            "stream": stream,
        }
        if stream:
            payload["stream_options"] = {"include_usage": True}
        return payload

    def _failed(self, error: httpx.HTTPError, attempts: int) -> BackendUnavailableError:
        """The user-facing error for an HTTP failure that is not retried."""
        if isinstance(error, httpx.TimeoutException):
            return BackendUnavailableError(
                f"the model server at {self.base_url} did not answer within {self.timeout:.0f} s"
            )
        return self._unreachable(error, attempts)

    def _unreachable(self, error: Exception, attempts: int) -> BackendUnavailableError:
        return BackendUnavailableError(
            f"cannot reach the OpenAI-compatible server at {self.base_url} after {attempts} "
            f"attempt(s): {error.__class__.__name__}: {error}. Start it (e.g. `rag llm-server`) or "
            "set RAG_OPENAI_BASE_URL, or use another backend."
        )

    def _rejected(self, response: httpx.Response) -> BackendUnavailableError:
        try:
            body = response.read().decode("utf-8", "replace")
        except httpx.HTTPError:
            body = ""
        try:
            error = json.loads(body).get("error", body)
            detail = error.get("message", str(error)) if isinstance(error, dict) else str(error)
        except (ValueError, AttributeError):
            detail = body
        return BackendUnavailableError(
            f"the model server at {self.base_url} answered HTTP {response.status_code}: {detail[:300]}"
        )

    def _sleep_before_retry(self, attempt: int, response: httpx.Response | None = None) -> None:
        delay = min(_BACKOFF_BASE * 2**attempt, _BACKOFF_MAX)
        if response is not None and response.status_code == 429:
            try:
                delay = min(max(delay, float(response.headers.get("retry-after", 0))), _BACKOFF_MAX)
            except ValueError:
                pass
        self._sleep(delay)

    @staticmethod
    def _retryable(response: httpx.Response) -> bool:
        return response.status_code == 429 or response.status_code >= 500

    def _complete(self, messages: list[dict[str, str]]) -> str:
        payload = self._payload(messages, stream=False)
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                response = self._client.post(self.endpoint, json=payload)
            except _TRANSIENT as exc:
                if last:
                    raise self._unreachable(exc, attempt + 1) from exc
                self._sleep_before_retry(attempt)
                continue
            except httpx.HTTPError as exc:
                raise self._failed(exc, attempt + 1) from exc
            if self._retryable(response) and not last:
                self._sleep_before_retry(attempt, response)
                continue
            if response.status_code != 200:
                raise self._rejected(response)
            try:
                data = response.json()
                self.last_timings = data.get("timings")
                return data["choices"][0]["message"]["content"] or ""
            except (ValueError, KeyError, IndexError, TypeError) as exc:
                raise BackendUnavailableError(
                    f"the model server at {self.base_url} sent an unexpected answer: {response.text[:200]}"
                ) from exc
        raise AssertionError("unreachable")

    def _stream_completion(self, messages: list[dict[str, str]]) -> Iterator[str]:
        payload = self._payload(messages, stream=True)
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            sent = False  # once a piece went out, a retry would repeat it: fail instead
            retry_response: httpx.Response | None = None
            try:
                with self._client.stream("POST", self.endpoint, json=payload) as response:
                    if self._retryable(response) and not last:
                        response.read()
                        retry_response = response
                    elif response.status_code != 200:
                        raise self._rejected(response)
                    else:
                        for piece in self._read_events(response):
                            sent = True
                            yield piece
                        return
            except _TRANSIENT as exc:
                if last or sent:
                    raise self._unreachable(exc, attempt + 1) from exc
                self._sleep_before_retry(attempt)
                continue
            except httpx.HTTPError as exc:
                raise self._failed(exc, attempt + 1) from exc
            self._sleep_before_retry(attempt, retry_response)
        raise AssertionError("unreachable")

    def _read_events(self, response: httpx.Response) -> Iterator[str]:
        """The content pieces of an SSE chat-completion stream (``data: {...}`` lines)."""
        for line in response.iter_lines():
            if not line.startswith("data:"):
                continue
            data = line[5:].strip()
            if data == "[DONE]":
                return
            try:
                event = json.loads(data)
            except ValueError:
                continue
            if "error" in event:
                error = event["error"]
                message = error.get("message", error) if isinstance(error, dict) else error
                raise BackendUnavailableError(f"the model server at {self.base_url} failed: {message}")
            if event.get("timings"):
                self.last_timings = event["timings"]
            for choice in event.get("choices") or []:
                piece = (choice.get("delta") or {}).get("content")
                if piece:
                    yield piece
