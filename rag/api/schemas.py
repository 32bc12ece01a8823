"""Request and response bodies of the HTTP API (what ``/docs`` shows).

Answers, passages and chat turns reuse ``rag.schema`` so the API, CLI, UI and evaluation share one
contract; only the envelopes specific to HTTP live here.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, field_validator

from rag.answering.registry import BACKEND_NAMES
from rag.engine import has_lone_surrogate
from rag.schema import ChatTurn, Passage

MAX_HISTORY_TURNS = 50

UploadStatus = Literal["added", "replaced", "unchanged"]


def _unicode_text(value: str) -> str:
    """Refuse a lone surrogate (valid JSON, invalid Unicode) as a 422, before any work sees it."""
    if has_lone_surrogate(value):
        raise ValueError("not valid Unicode text (it holds a lone surrogate)")
    return value


class HistoryTurn(ChatTurn):
    """One earlier turn: unknown keys are rejected here as at the top level."""

    model_config = ConfigDict(extra="forbid")

    content: str = Field(max_length=20_000, description="What was said.")

    @field_validator("content")
    @classmethod
    def _valid_unicode(cls, value: str) -> str:
        return _unicode_text(value)


class AskRequest(BaseModel):
    """``POST /ask``. Unknown fields are rejected so a misspelt option is not silently ignored."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"question": "哈尔滨市对大工匠每人奖励多少钱？"}]},
    )

    question: str = Field(
        json_schema_extra={"minLength": 1},  # documented; checked with a clearer message by validate_question
        description="The question. 422 when empty, over RAG_MAX_QUESTION_CHARS, not valid Unicode (a lone "
        "surrogate) or contentless (fewer than two CJK characters or words: only punctuation, digits or "
        "invisible characters)."
    )
    history: list[HistoryTurn] = Field(
        default_factory=list, max_length=MAX_HISTORY_TURNS,
        description="Earlier turns, oldest first, for follow-up questions.",
    )
    top_k: StrictInt | None = Field(None, ge=1, le=50, description="Passages to retrieve; default RAG_TOP_K.")
    backend: Literal[BACKEND_NAMES] | None = Field(  # type: ignore[valid-type]
        None, description="Answer backend; default RAG_BACKEND."
    )
    stream: StrictBool = Field(
        False,
        description="Answer as server-sent events: `citations`, `delta`s, then `answer` (each data is JSON).",
    )

    @field_validator("question")
    @classmethod
    def _valid_unicode(cls, value: str) -> str:
        return _unicode_text(value)


class SearchResponse(BaseModel):
    """``GET /search``: the ranked passages, best first, with fused scores and match reasons."""

    query: str
    k: int
    mode: str
    passages: list[Passage]


class DocumentInfo(BaseModel):
    """One indexed document."""

    id: str = Field(description="The document id (its sanitised file name).")
    title: str
    chunks: int
    characters: int
    content_hash: str
    added_by: str | None = Field(
        None, description="Who added it: `key-…` (an API key's id, never the key), `local` (open local mode), "
        "`cli` (`rag index`); null when not recorded."
    )
    added_at: str | None = Field(None, description="When it was added (UTC, ISO 8601); null when not recorded.")


class IndexCounts(BaseModel):
    documents: int
    chunks: int


class DocumentList(BaseModel):
    """``GET /documents``."""

    documents: list[DocumentInfo]
    count: int


class UploadedDocument(BaseModel):
    """What happened to one uploaded file."""

    id: str = Field(description="Document id: the sanitised file name.")
    filename: str = Field(description="The file name as uploaded.")
    title: str
    status: UploadStatus


class UploadResponse(BaseModel):
    """``POST /documents``."""

    documents: list[UploadedDocument]
    index: IndexCounts


class DeleteResponse(BaseModel):
    """``DELETE /documents/{id}``."""

    id: str
    deleted: bool = True
    index: IndexCounts


class HealthResponse(BaseModel):
    """``GET /health``: 200 when ready; 503 with ``status`` loading or error otherwise."""

    status: Literal["ok", "loading", "error"]
    documents: int | None = None
    chunks: int | None = None
    model: str | None = None
    message: str | None = None
    ui: Literal["starting", "ready", "off"] = Field(
        "off",
        description="The chat page at /ui: built after the engine, so it may still be starting while status "
        "is ok; off when the server has none. Readiness (status ok) never waits for it.",
    )


class ErrorDetail(BaseModel):
    status: int
    message: str


class ErrorResponse(BaseModel):
    """Every error response: ``{"error": {"status": ..., "message": ...}}``."""

    error: ErrorDetail


def error_responses(*statuses: int) -> dict[int | str, dict[str, object]]:
    """OpenAPI ``responses=`` entries documenting the error envelope for the given statuses."""
    descriptions = {
        400: "Malformed request body",
        401: "Missing or invalid API key",
        404: "Not found",
        408: "Request body not received in time",
        413: "Request body or upload too large",
        415: "Unsupported or mismatched file type",
        422: "Invalid input (e.g. empty, over-long, contentless or non-Unicode question; wrong types)",
        503: "Engine still loading, or a backend is unavailable",
    }
    return {s: {"model": ErrorResponse, "description": descriptions.get(s, "Error")} for s in statuses}
