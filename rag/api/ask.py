"""``POST /ask``: a cited answer as JSON, or streamed as server-sent events.

Engine calls block (embedding, retrieval, an LLM), so they run in the threadpool and the event loop
keeps serving other requests. The question is validated before any work, so an empty or over-long
question is a 422 even for a streamed request.
"""

from __future__ import annotations

from typing import Annotated

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

_STREAM_DOC = {
    "text/event-stream": {
        "schema": {"type": "string"},
        "example": 'event: citations\ndata: [...]\n\nevent: delta\ndata: "哈尔滨市…"\n\n'
        'event: answer\ndata: {"question": "...", "answer": "...", ...}\n\n',
    }
}


@router.post(
    "/ask",
    response_model=Answer,
    summary="Answer a question with citations",
    responses={200: {"content": _STREAM_DOC, "description": "The answer (JSON, or SSE with stream=true)."},
               **error_responses(400, 401, 422, 503)},
)
async def ask(
    body: AskRequest, request: Request, engine: Annotated[Engine, Depends(current_engine)]
) -> Answer | Response:
    """Answer from the indexed documents only; ``refused`` is true when they do not say."""
    question = validate_question(body.question, request.app.state.settings.max_question_chars)
    metrics: ApiMetrics = request.app.state.metrics
    if body.stream:
        events = engine.ask_stream(question, body.history, body.top_k, body.backend)
        return await start_stream(events, metrics.observe_answer)
    answer = await run_in_threadpool(engine.ask, question, body.history, body.top_k, body.backend)
    metrics.observe_answer(answer)
    return answer
