"""The transport to any OpenAI-compatible ``/v1/chat/completions`` server (llama.cpp, Ollama, vLLM).

HTTP only: building the request, retries, streaming, the errors a user understands. What is asked
and what is done with the answer (prompts, the grounding check, fallbacks) is the answering
layer's business (``rag.answering.openai_backend``).

Connection errors, HTTP 5xx and 429 are retried with exponential backoff (``retries`` times; a 429's
``Retry-After`` is honoured up to the cap); a server that stays unreachable is a
``BackendUnavailableError``. Loopback servers are reached without any configured proxy.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx

from rag.errors import BackendUnavailableError
from rag.net import is_loopback

_TRANSIENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError)
_BACKOFF_BASE = 0.5  # seconds before the first retry; doubled each time
_BACKOFF_MAX = 8.0


class ChatCompletionsClient:
    """One HTTP client to one OpenAI-compatible server and model, at temperature 0."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str = "",
        timeout: float = 120.0,
        retries: int = 2,
        max_tokens: int = 256,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.timeout = timeout
        self.retries = retries
        self.max_tokens = max_tokens
        #: llama.cpp's ``timings`` (prompt/generation tokens per second) of the last generation.
        self.last_timings: dict[str, Any] | None = None
        self.sleep: Callable[[float], None] = time.sleep  # tests replace it to skip the backoff waits
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
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
        self.sleep(delay)

    @staticmethod
    def _retryable(response: httpx.Response) -> bool:
        return response.status_code == 429 or response.status_code >= 500

    def complete(self, messages: list[dict[str, str]]) -> str:
        """The assistant message for ``messages`` (retried as the module doc says)."""
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

    def stream(self, messages: list[dict[str, str]]) -> Iterator[str]:
        """The assistant message's pieces as the server sends them (retried only before the first)."""
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
