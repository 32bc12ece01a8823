"""``/v1``: the OpenAI chat-completions contract over the same engine, keys and limits as ``/ask``.

Chat clients (Open WebUI, Cherry Studio, LobeChat, the ``openai`` SDK, LangChain's ``ChatOpenAI``)
speak ``POST /v1/chat/completions`` and ``GET /v1/models``; this module translates that contract:

* ``model`` picks the answer backend: ``rag-extractive``, ``rag-local``, ``rag-openai`` (see
  ``available_models``), or ``rag`` for the server's default backend.
* The last message must be the user's question; earlier user and assistant messages become the
  history, so follow-ups such as 「那河北呢？」 are resolved by the engine as on ``/ask``. System
  messages are ignored (the answer policy is the product's, not the client's prompt).
* The reply's ``content`` is the answer with its ``[n]`` markers followed by a compact source list;
  the complete ``Answer`` (citations with offsets and highlight, ``short_answer``, ``refused``,
  ``refusal``) travels in the extra top-level field ``rag`` (on the last chunk when streaming).
* ``stream: true`` answers in the OpenAI chunk format ending with ``data: [DONE]``. The answer is
  computed and checked first (an LLM backend's text is grounding-checked before anyone sees it), then
  sent in sentence-sized chunks, so the streamed text is exactly the non-streamed content and a bad
  request still gets its HTTP status instead of a 200 stream.

It is mounted as a sub-application so that every error under ``/v1`` (including 401, 404 and
validation errors) has OpenAI's shape ``{"error": {"message", "type", "code"}}``, which the SDKs
turn into their typed exceptions, while the rest of the API keeps its own envelope.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import re
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response, StreamingResponse

from rag.api.auth import require_api_key
from rag.api.errors import _validation_message
from rag.api.limits import JsonBodyLimitMiddleware
from rag.api.metrics import ApiMetrics
from rag.api.schemas import MAX_HISTORY_TURNS
from rag.api.sse import SSE_HEADERS
from rag.api.state import current_engine
from rag.engine import Engine, validate_question
from rag.errors import RagError
from rag.schema import Answer, ChatTurn
from rag.settings import Settings
from rag.text.language import detect_language

logger = logging.getLogger("rag.api")

PREFIX = "/v1"
MODEL_PREFIX = "rag-"
#: ``model: "rag"`` answers with the server's default backend (``RAG_BACKEND``).
DEFAULT_MODEL = "rag"
CREATED = 1_767_225_600  # 2026-01-01: a fixed "created" for the model list

_OPENAI_TYPES = {
    401: "authentication_error",
    403: "permission_error",
    404: "invalid_request_error",
    429: "rate_limit_error",
}
_CODES = {401: "invalid_api_key", 404: "not_found", 413: "request_too_large", 503: "service_unavailable"}


class OpenAIError(RagError):
    """An error raised by this module with OpenAI's ``code`` (e.g. ``model_not_found``)."""

    def __init__(self, status: int, message: str, code: str) -> None:
        super().__init__(message)
        self.http_status = status
        self.code = code


def openai_error_body(status: int, message: str, code: str | None = None) -> dict[str, Any]:
    """OpenAI's error envelope; ``type`` follows OpenAI's families by status."""
    kind = _OPENAI_TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
    return {"error": {"message": message, "type": kind, "param": None, "code": code or _CODES.get(status)}}


def _error(status: int, message: str, code: str | None = None, headers: Any = None) -> JSONResponse:
    return JSONResponse(openai_error_body(status, message, code), status_code=status, headers=dict(headers or {}))


class _OpenAIBodyLimit(JsonBodyLimitMiddleware):
    """The body cap of ``/ask``, answering 413 in OpenAI's error shape."""

    def error(self, status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
        return _error(status, message, headers=headers)


# ------------------------------------------------------------------ request and response bodies


class ContentPart(BaseModel):
    """One part of a multi-part message; only text parts carry a question."""

    model_config = ConfigDict(extra="allow")
    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(part.text or "" for part in self.content if part.type == "text")
        return self.content or ""


class ChatCompletionRequest(BaseModel):
    """The fields this server reads; others that clients send (temperature, top_p, max_tokens,
    user, stream_options...) are accepted and ignored, as the answer is not sampled."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={"examples": [{
            "model": "rag-extractive", "messages": [{"role": "user", "content": "哈尔滨市对大工匠每人奖励多少钱？"}],
        }]},
    )
    model: str = Field(max_length=64, description="rag-extractive, rag-local, rag-openai, or rag (the default).")
    messages: list[ChatMessage] = Field(min_length=1, max_length=4 * MAX_HISTORY_TURNS)
    stream: bool = False


# ------------------------------------------------------------------ models


def backend_of(model: str, settings: Settings) -> str:
    """The backend name a model id stands for (``rag`` = the configured default)."""
    if model == DEFAULT_MODEL:
        return settings.backend
    return model.removeprefix(MODEL_PREFIX)


def available_models(settings: Settings) -> list[str]:
    """One model per backend that can answer here, without starting anything:

    * ``rag-extractive``: always;
    * ``rag-local``: when the llama.cpp runtime (``xllamacpp``) is installed and the configured
      local model is either assembled in the cache or its first part package is installed;
    * ``rag-openai``: when an OpenAI-compatible server is configured, i.e. ``RAG_OPENAI_API_KEY`` or
      ``RAG_OPENAI_BASE_URL`` is set, or ``RAG_BACKEND=openai``.
    """
    models = [f"{MODEL_PREFIX}extractive"]
    if _local_model_installed(settings):
        models.append(f"{MODEL_PREFIX}local")
    if settings.openai_api_key or "openai_base_url" in settings.model_fields_set or settings.backend == "openai":
        models.append(f"{MODEL_PREFIX}openai")
    return models


def _local_model_installed(settings: Settings) -> bool:
    from rag.llm.model_files import get_spec, model_path

    if importlib.util.find_spec("xllamacpp") is None:
        return False
    spec = get_spec(settings.local_model)
    if model_path(spec, settings.resolve(settings.cache_dir)).is_file():
        return True
    return importlib.util.find_spec(spec.modules[0]) is not None


# ------------------------------------------------------------------ translation


def split_messages(messages: list[ChatMessage]) -> tuple[str, list[ChatTurn]]:
    """The question (the last message, which must be the user's) and the earlier turns as history
    (the most recent ``MAX_HISTORY_TURNS``, the limit of ``/ask``)."""
    last = messages[-1]
    if last.role != "user":
        raise OpenAIError(400, "the last message must be the user's question (role 'user')", "invalid_messages")
    history = [
        ChatTurn(role="user" if message.role == "user" else "assistant", content=message.text())
        for message in messages[:-1]
        if message.role in ("user", "assistant") and message.text().strip()
    ]
    return last.text(), history[-MAX_HISTORY_TURNS:]


def reply_content(answer: Answer) -> str:
    """The answer with its ``[n]`` markers, then one line per source: ``[n] 《title》 (doc)``."""
    if not answer.citations:
        return answer.answer
    english = detect_language(answer.question) == "en"
    if answer.refused:
        label = "Related passages:" if english else "相关段落："
    else:
        label = "Sources:" if english else "来源："
    lines = [f"[{c.n}] 《{c.title or c.doc}》 ({c.doc})" for c in answer.citations]
    return answer.answer.rstrip() + "\n\n" + label + "\n" + "\n".join(lines)


def _pieces(text: str) -> list[str]:
    """Sentence-sized pieces (ending at 。！？；, a newline, or every 40 characters)."""
    return [piece for piece in re.findall(r"[^。！？；\n]{0,40}[。！？；\n]?", text) if piece]


def _completion_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex[:24]}"


def completion_body(answer: Answer, model: str) -> dict[str, Any]:
    """A ``chat.completion`` object; ``rag`` holds the full answer object."""
    return {
        "id": _completion_id(),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": reply_content(answer)},
            "finish_reason": "stop",
            "logprobs": None,
        }],
        "rag": answer.model_dump(mode="json"),
    }


def completion_chunks(answer: Answer, model: str) -> list[dict[str, Any]]:
    """The ``chat.completion.chunk`` objects of a streamed answer: the role, the text in pieces,
    then an empty delta with ``finish_reason`` and the ``rag`` field."""
    ident, created = _completion_id(), int(time.time())

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {"id": ident, "object": "chat.completion.chunk", "created": created, "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}]}

    chunks = [chunk({"role": "assistant", "content": ""})]
    chunks += [chunk({"content": piece}) for piece in _pieces(reply_content(answer))]
    final = chunk({}, "stop")
    final["rag"] = answer.model_dump(mode="json")
    chunks.append(final)
    return chunks


async def _sse(chunks: list[dict[str, Any]]) -> AsyncIterator[bytes]:
    for item in chunks:
        yield f"data: {json.dumps(item, ensure_ascii=False)}\n\n".encode()
    yield b"data: [DONE]\n\n"


# ------------------------------------------------------------------ the sub-application


def create_openai_app(parent: FastAPI) -> FastAPI:
    """The ``/v1`` application; it shares the parent's settings, engine slot and metrics."""
    sub = FastAPI(
        title="rag: OpenAI-compatible chat completions",
        version="0.1.0",
        description=__doc__,
        dependencies=[Depends(require_api_key)],
    )
    sub.state.settings = parent.state.settings
    sub.state.engine_state = parent.state.engine_state
    sub.state.metrics = parent.state.metrics
    sub.add_middleware(_OpenAIBodyLimit, paths={"/chat/completions", f"{PREFIX}/chat/completions"})

    @sub.get("/models", summary="One model per answer backend available here")
    async def list_models(request: Request) -> dict[str, Any]:
        settings: Settings = request.app.state.settings
        return {
            "object": "list",
            "data": [{"id": name, "object": "model", "created": CREATED, "owned_by": "rag"}
                     for name in available_models(settings)],
        }

    @sub.post("/chat/completions", summary="Answer the last user message, with citations")
    async def chat_completions(
        body: ChatCompletionRequest, request: Request, engine: Annotated[Engine, Depends(current_engine)]
    ) -> Any:
        settings: Settings = request.app.state.settings
        known = available_models(settings)
        if body.model != DEFAULT_MODEL and body.model not in known:
            raise OpenAIError(
                404, f"the model '{body.model}' does not exist here; available: {', '.join(known)}", "model_not_found"
            )
        question, history = split_messages(body.messages)
        question = validate_question(question, settings.max_question_chars)
        answer = await run_in_threadpool(engine.ask, question, history, None, backend_of(body.model, settings))
        metrics: ApiMetrics = request.app.state.metrics
        metrics.observe_answer(answer)
        if body.stream:
            return StreamingResponse(_sse(completion_chunks(answer, body.model)),
                                     media_type="text/event-stream", headers=SSE_HEADERS)
        return completion_body(answer, body.model)

    _install_openai_errors(sub)
    return sub


def _install_openai_errors(sub: FastAPI) -> None:
    async def on_rag_error(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RagError)
        if error.http_status >= 500:
            logger.warning("request failed: %s", error)
        return _error(error.http_status, str(error), getattr(error, "code", None), getattr(error, "headers", None))

    async def on_validation_error(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        if any(item.get("type") == "json_invalid" for item in error.errors()):
            return _error(400, "malformed JSON in the request body", "invalid_json")
        return _error(422, _validation_message(error), "invalid_request")

    async def on_http_error(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, StarletteHTTPException)
        message = error.detail if isinstance(error.detail, str) else str(error.detail)
        return _error(error.status_code, message, None, error.headers)

    async def on_unexpected(request: Request, error: Exception) -> JSONResponse:
        logger.error("/v1 request failed: %s", error, exc_info=error)
        return _error(500, "internal server error", "internal_error")

    sub.add_exception_handler(RagError, on_rag_error)
    sub.add_exception_handler(RequestValidationError, on_validation_error)
    sub.add_exception_handler(StarletteHTTPException, on_http_error)
    sub.add_exception_handler(Exception, on_unexpected)


def mount_openai_api(app: FastAPI) -> None:
    """Mount ``/v1`` into the product's app (called once from ``create_app``)."""
    app.mount(PREFIX, create_openai_app(app))
