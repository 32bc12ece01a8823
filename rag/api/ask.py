"""``POST /ask``: a cited answer as JSON, or streamed as server-sent events.

Engine calls block (embedding, retrieval, an LLM), so they run in the threadpool and the event loop
keeps serving other requests. The question is validated before any work, so an empty or over-long
question is a 422 even for a streamed request.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from rag.api.auth import require_api_key
from rag.api.metrics import ApiMetrics
from rag.api.schemas import AskRequest, error_responses
from rag.api.sse import start_stream
from rag.api.state import current_engine
from rag.engine import Engine, validate_question
from rag.schema import Answer

router = APIRouter(tags=["answers"], dependencies=[Depends(require_api_key)])

_ANSWERED: dict[str, Any] = {
    "question": "哈尔滨市对大工匠每人奖励多少钱？",
    "answer": "哈尔滨市大工匠由每年评选10人增加到50人，由每人奖励1万元提高到5万元。[1]",
    "short_answer": "5万元",
    "refused": False,
    "refusal": None,
    "citations": [{"n": 1, "doc": "000_02af32df5c880f4c.txt", "title": "为龙江凝聚起振兴发展的磅礴伟力", "text": "…",
                   "start": 3213, "end": 3510, "score": 1.0,
                   "highlight": "哈尔滨市大工匠由每年评选10人增加到50人，由每人奖励1万元提高到5万元。"}],
    "backend": "extractive",
    "latency_ms": 21.4,
    "resolved_question": None,
    "grounded": None,
}
_REFUSED: dict[str, Any] = {
    "question": "齐齐哈尔市对大工匠每人奖励多少钱？",
    "answer": "资料中未找到关于“齐齐哈尔”的相关信息。以下是最相关的段落，仅供参考。",
    "short_answer": None,
    "refused": True,
    "refusal": {"reason": "missing_entity", "missing": ["齐齐哈尔"]},
    "citations": [],
    "backend": "extractive",
    "latency_ms": 18.2,
    "resolved_question": None,
    "grounded": None,
}
_ANSWER_DOC: dict[str, Any] = {
    "application/json": {
        "examples": {
            "answered": {"summary": "An answer with its short answer and citation", "value": _ANSWERED},
            "refused": {
                "summary": "A refusal: `refusal.reason` says why, `refusal.missing` what the documents lack",
                "value": _REFUSED,
            },
        }
    },
    "text/event-stream": {
        # One schema per event (how OpenAPI tools read an event stream): the event's name and its
        # `data`, one line of JSON.
        "schema": {
            "type": "object",
            "required": ["event", "data"],
            "properties": {
                "event": {"type": "string", "enum": ["citations", "delta", "answer", "error"]},
                "data": {"type": "string", "description": "One line of JSON (see the event's meaning)."},
            },
            "description": "Server-sent events (with `\"stream\": true`): `citations` (a JSON array of "
            "citations, first), `delta` (a JSON string of answer text, repeated), then `answer` (the same "
            "object as the JSON response) — or `error` (`{\"error\": {status, message}}`) if the backend "
            "fails after the stream started.",
        },
        "example": 'event: citations\ndata: [...]\n\nevent: delta\ndata: "哈尔滨市…"\n\n'
        'event: answer\ndata: {"question": "...", "answer": "...", "refused": false, "refusal": null, ...}\n\n',
    },
}


@router.post(
    "/ask",
    response_model=Answer,
    summary="Answer a question with citations",
    responses={200: {"content": _ANSWER_DOC, "description": "The answer (JSON, or SSE with stream=true)."},
               **error_responses(400, 401, 408, 413, 422, 503)},
)
async def ask(
    body: AskRequest, request: Request, engine: Annotated[Engine, Depends(current_engine)]
) -> Answer | Response:
    """Answer from the indexed documents only.

    When they do not contain the answer, `refused` is true and `refusal` says why, for programs:
    `reason` is one of `no_passages`, `weak_evidence`, `missing_entity` (the passages are about
    another place, year or programme; `missing` names it), `unanswerable_kind` (no figure of the kind
    asked for) or `incomplete_comparison` (a part of a comparison or total is missing; `missing`
    names it). The wording of `answer` is for people and may change; read `refusal`, not the text.
    With `stream: true` the final `answer` event carries the same object.
    """
    question = validate_question(body.question, request.app.state.settings.max_question_chars)
    metrics: ApiMetrics = request.app.state.metrics
    if body.stream:
        events = engine.ask_stream(question, body.history, body.top_k, body.backend)
        return await start_stream(events, metrics.observe_answer)
    answer = await run_in_threadpool(engine.ask, question, body.history, body.top_k, body.backend)
    metrics.observe_answer(answer)
    return answer
