"""The FastAPI application: ``create_app(settings, engine=None)``.

Everything is built inside the factory (no module-level app), so tests and ``rag serve`` each get
their own app, metrics registry and engine slot. Without an engine the app loads one in a
background thread at startup (building the index from the corpus on a fresh checkout) while
``/health`` already answers 503 ``loading``; API routes answer 503 until the engine is ready.
The chat page is built only after that (``rag.api.pages``), so it never delays readiness.

``uvicorn --factory rag.api.app:app_from_environment`` serves with settings from the environment.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress

from fastapi import Depends, FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from rag.api import ask, documents, health, metrics, search
from rag.api.auth import bearer_refusal, require_api_key
from rag.api.errors import install_error_handlers
from rag.api.limits import JsonBodyLimitMiddleware, header
from rag.api.mcp_server import mount_mcp
from rag.api.metrics import ApiMetrics, MetricsMiddleware
from rag.api.openai_compat import mount_openai_api
from rag.api.pages import DeferredPages, PagesDispatch
from rag.api.request_log import RequestContextMiddleware
from rag.api.server import check_keys
from rag.api.state import EngineState, close_backends, open_or_build_engine
from rag.engine import Engine
from rag.settings import Settings, load_settings

logger = logging.getLogger("rag.api")

UI_PATH = "/ui"

DESCRIPTION = """Question answering over Chinese official documents, with cited passages.

* `POST /ask` answers (JSON, or server-sent events with `"stream": true`); refuses when the
  documents do not contain the answer, with `refused: true` and a machine-readable `refusal`
  (`reason`: no_passages, weak_evidence, missing_entity, unanswerable_kind or incomplete_comparison;
  `missing`: what the documents lack). Read `refusal`, never the wording of `answer`.
* `GET /search` shows the ranked passages and why they matched.
* `/documents` uploads, lists and deletes documents (indexed incrementally).

When the server has API keys (`RAG_API_KEYS`), send `Authorization: Bearer KEY` on every call but
`/health` (this spec, `/docs` and `/redoc` included). Document endpoints always need a key unless
the server runs in open local mode (`RAG_OPEN_LOCAL_MODE=true`, single-user use on one's own machine). Errors are
`{"error": {"status": ..., "message": ...}}`.
"""

EngineLoader = Callable[[Settings], Engine]


def create_app(
    settings: Settings,
    engine: Engine | None = None,
    *,
    loader: EngineLoader | None = None,
    mount_ui: bool = True,
) -> FastAPI:
    """Build the app. With ``engine`` it is ready at once (and the caller keeps ownership of it);
    otherwise ``loader`` (default: open the index, or build it from the corpus) runs at startup.
    ``mount_ui=False`` skips the Gradio chat page (API-only uses and tests); with it, the page
    is built once the engine has loaded or failed, and ``/ui`` answers 503 until then."""
    check_keys(settings)
    state = EngineState(engine)
    app_metrics = ApiMetrics(lambda: state.engine)
    load = loader or open_or_build_engine
    pages = DeferredPages(UI_PATH, settings, lambda: app.state.engine) if mount_ui else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned: list[Engine] = []
        loading: threading.Thread | None = None
        if state.engine is None:
            loading = threading.Thread(
                target=_load_engine, args=(app, state, load, settings, owned), name="rag-engine-loader", daemon=True
            )
            loading.start()
        serving_pages = asyncio.ensure_future(pages.serve(loading.join if loading else lambda: None)) if pages else None
        try:
            yield
        finally:
            if pages is not None and serving_pages is not None:
                pages.stop()
                with suppress(Exception):
                    await asyncio.wait_for(serving_pages, timeout=10)
            for loaded in owned:  # only engines this app opened; a given engine belongs to the caller
                close_backends(loaded.backends.loaded().values())
                loaded.close()

    app = FastAPI(
        title="rag: answers from Chinese official documents",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served below, behind the same key rule as the API
        redoc_url=None,
        openapi_url=None,
    )
    _add_docs_routes(app)
    app.state.settings = settings
    app.state.engine_state = state
    app.state.engine = engine  # for other components (the chat page): None until ready
    app.state.metrics = app_metrics
    app.state.pages = pages
    install_error_handlers(app)
    for module in (health, ask, search, documents, metrics):
        app.include_router(module.router)
    mount_openai_api(app)  # /v1: the OpenAI chat-completions contract
    mount_mcp(app)  # /mcp: the MCP tools over streamable HTTP
    # The pages first: their own middleware (the file guard) must sit inside the ones below.
    if pages is not None:
        app.add_middleware(PagesDispatch, pages=pages)
    app.add_middleware(
        JsonBodyLimitMiddleware, paths={"/ask"}, timeout=settings.body_read_timeout,
        authorize=lambda scope: bearer_refusal(settings, header(scope, b"authorization")),
    )
    app.add_middleware(MetricsMiddleware, metrics=app_metrics)
    app.add_middleware(RequestContextMiddleware)  # added last = outermost: sees every request

    @app.get("/", include_in_schema=False)
    async def root() -> RedirectResponse:
        return RedirectResponse(UI_PATH if pages is not None and pages.status != "off" else "/docs")

    return app


def _add_docs_routes(app: FastAPI) -> None:
    """``/openapi.json``, ``/docs`` and ``/redoc``, which need a key when the server has keys: the
    spec names every route and setting, nothing an anonymous caller of a keyed server should read.
    (A browser cannot send the bearer header, so with keys fetch the spec with curl instead.)"""
    guarded = [Depends(require_api_key)]

    @app.get("/openapi.json", include_in_schema=False, dependencies=guarded)
    async def openapi() -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False, dependencies=guarded)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title=f"{app.title} — docs")

    @app.get("/redoc", include_in_schema=False, dependencies=guarded)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(openapi_url="/openapi.json", title=f"{app.title} — ReDoc")


def _load_engine(
    app: FastAPI, state: EngineState, load: EngineLoader, settings: Settings, owned: list[Engine]
) -> None:
    """Background thread body: load, then publish the engine (or the reason it failed)."""
    try:
        logger.info("loading the engine (index %s)", settings.index_path)
        engine = load(settings)
    except BaseException as error:  # reported via /health, never raised into the server
        logger.error("the engine failed to load: %s", error, exc_info=error)
        state.set_failed(error)
        return
    owned.append(engine)
    app.state.engine = engine
    state.set_ready(engine)
    info = engine.info()
    logger.info("ready: %d documents, %d chunks", info.documents, info.chunks)


def app_from_environment() -> FastAPI:
    """Zero-argument factory for ``uvicorn --factory``: settings from RAG_* / rag.toml."""
    return create_app(load_settings())
