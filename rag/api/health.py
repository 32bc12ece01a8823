"""``GET /health``: open to everyone, 503 while loading, 200 with index counts once ready."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from rag.api.pages import DeferredPages
from rag.api.schemas import HealthResponse
from rag.api.state import EngineState

router = APIRouter(tags=["operations"])


@router.get(
    "/health",
    response_model=HealthResponse,
    response_model_exclude_none=True,
    summary="Readiness",
    responses={503: {"model": HealthResponse, "description": "Loading, or failed to load."}},
)
async def health(request: Request) -> HealthResponse | JSONResponse:
    """200 ``{"status": "ok", documents, chunks, model, ui}`` when ``/ask`` can answer (engine, index
    and query embedder loaded); 503 ``{"status": "loading", ui}`` (or ``"error"`` with a message)
    otherwise. ``ui`` says whether the chat page is ``starting``, ``ready`` or ``off``; it never
    holds readiness back. Needs no API key."""
    state: EngineState = request.app.state.engine_state
    pages: DeferredPages | None = request.app.state.pages
    ui = pages.status if pages is not None else "off"
    status = state.status  # read before the engine: once ready, the engine is never unset
    engine = state.engine
    if engine is None or status != "ready":
        body = HealthResponse(status="error" if status == "error" else "loading", message=state.error, ui=ui)
        return JSONResponse(body.model_dump(exclude_none=True), status_code=503, headers={"Retry-After": "5"})
    info = engine.info()
    return HealthResponse(
        status="ok", documents=info.documents, chunks=info.chunks, model=info.embedding_model, ui=ui
    )
