"""``GET /search``: the ranked passages for a query, for developers tuning retrieval."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from rag.api.auth import require_api_key
from rag.api.schemas import SearchResponse, error_responses
from rag.api.state import current_engine
from rag.engine import Engine, validate_question
from rag.schema import Passage
from rag.store.index import DocumentIndex

router = APIRouter(tags=["retrieval"], dependencies=[Depends(require_api_key)])


@router.get(
    "/search",
    response_model=SearchResponse,
    summary="Ranked passages with scores and reasons",
    responses=error_responses(401, 422, 503),
)
async def search(
    request: Request,
    engine: Annotated[Engine, Depends(current_engine)],
    q: Annotated[str, Query(min_length=1, description="The query (422 when contentless: see POST /ask).")],
    k: Annotated[int | None, Query(ge=1, le=50, description="Passages to return; default RAG_TOP_K.")] = None,
    mode: Annotated[Literal["hybrid", "dense", "bm25"] | None, Query(description="Retrieval mode.")] = None,
) -> SearchResponse:
    """Hybrid (dense + BM25) retrieval without answering: fused score, ranks and matched terms.
    Each passage's `text` is exactly `document[start:end]`."""
    settings = request.app.state.settings
    query = validate_question(q, settings.max_question_chars)
    count = k or settings.top_k
    index = engine.index  # one snapshot for the search and the passages' text
    result = await run_in_threadpool(engine.retrieve, query, count, mode, index)
    passages = [_original_text(passage, index) for passage in result.passages]
    return SearchResponse(query=query, k=count, mode=mode or settings.retrieval_mode, passages=passages)


def _original_text(passage: Passage, index: DocumentIndex) -> Passage:
    """The passage with ``text == document[start:end]``, as ``/ask`` citations have it (retrieval
    works on repaired text, with line breaks inside sentences removed)."""
    document = index.document(passage.doc)
    return passage.model_copy(update={"text": document.text[passage.start : passage.end]})
