"""Web pages (the Gradio chat page at ``/ui``), built after the API is up so they never delay it.

Why: importing Gradio and building the page took about 5 s of a 17–22 s start, and issue 10 asks
for ``/health`` ready within 10 s. ``/health`` means "``/ask`` can answer", which needs the engine,
not the page. So the app serves ``/ui`` through ``PagesDispatch`` from the start, and
``DeferredPages.serve`` (a task of the app's lifespan) waits until the engine has loaded or
failed — a page import beside the model load would only compete with it for the GIL and both
cores — then builds the pages in a daemon thread inside a host app of their own (Gradio adds
middleware, which an app that has started may no longer do) and runs that host's lifespan (Gradio's
queue) until shutdown. Until then ``/ui`` answers 503 with ``Retry-After``: JSON in the API's
error shape, or for a browser a short page that reloads itself. A page that cannot be imported
or built is logged and the path is left to the API (404), as before.

Pages are plugins: ``[project.entry-points."rag.web_pages"]`` entries name functions
``mount(app, engine_provider, settings, path=...)`` (``ui.chat_page:mount_chat_page``), so the API
never imports the UI package itself.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Literal

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from rag.api.errors import error_response, install_error_handlers
from rag.engine import Engine
from rag.settings import Settings

logger = logging.getLogger("rag.api")

#: Entry-point group of the web pages mounted into the app.
WEB_PAGES_GROUP = "rag.web_pages"
#: Seconds a client is told to wait while the pages start.
RETRY_AFTER = "3"

PagesStatus = Literal["starting", "ready", "off"]

STARTING_PAGE = f"""<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><meta http-equiv="refresh" content="{RETRY_AFTER}">
<title>正在启动</title></head>
<body><p>页面正在启动，请稍候（{RETRY_AFTER} 秒后自动刷新）。</p>
<p>The page is starting; it reloads itself in {RETRY_AFTER} s.</p></body></html>
"""


class DeferredPages:
    """The pages of one app: ``starting`` until built, then ``ready``; ``off`` if there are none."""

    def __init__(
        self, path: str, settings: Settings, engine_provider: Callable[[], Engine | None],
        found: list[EntryPoint] | None = None,
    ) -> None:
        """``found``: the pages' entry points (default: those installed in ``WEB_PAGES_GROUP``)."""
        self.path = path
        self._settings = settings
        self._engine_provider = engine_provider
        self._found = list(entry_points(group=WEB_PAGES_GROUP)) if found is None else found
        self._host: FastAPI | None = None
        self._off = not self._found
        self._stop = asyncio.Event()
        if self._off:
            logger.info("no page mounted at %s: no %s entry point is installed", path, WEB_PAGES_GROUP)

    @property
    def status(self) -> PagesStatus:
        if self._host is not None:
            return "ready"
        return "off" if self._off else "starting"

    @property
    def host(self) -> FastAPI | None:
        """The app serving the pages once they are ready (``None`` before)."""
        return self._host

    async def serve(self, engine_settled: Callable[[], None]) -> None:
        """Lifespan task: after ``engine_settled`` returns, build the pages and run them until ``stop``."""
        if self._off:
            return
        loop = asyncio.get_running_loop()
        built: asyncio.Future[FastAPI | None] = loop.create_future()

        def build_in_thread() -> None:  # a daemon thread: an unfinished import must not hold up shutdown
            engine_settled()
            host = self.build()

            def deliver() -> None:
                if not built.done():
                    built.set_result(host)

            try:
                loop.call_soon_threadsafe(deliver)
            except RuntimeError:  # the loop closed while the pages were being built
                pass

        threading.Thread(target=build_in_thread, name="rag-pages-loader", daemon=True).start()
        stopping = asyncio.ensure_future(self._stop.wait())
        waiting: list[asyncio.Future[Any]] = [built, stopping]
        await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        host = built.result() if built.done() else None
        if host is None:  # no page could be built, or the server stops first
            stopping.cancel()
            self._off = True
            return
        async with host.router.lifespan_context(host):
            self._host = host
            logger.info("page ready at %s", self.path)
            await stopping
        self._host = None

    def stop(self) -> None:
        self._stop.set()

    def build(self) -> FastAPI | None:
        """Import and mount every page into a fresh host app; ``None`` if none could be."""
        host = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
        install_error_handlers(host)
        mounted = False
        for entry in self._found:
            try:
                mount = entry.load()
            except ImportError as error:
                logger.info("page not mounted: %s is not importable (%s)", entry.value, error)
                continue
            try:
                mount(host, self._engine_provider, self._settings, path=self.path)
            except Exception as error:  # the API stays up even if a page cannot
                logger.error("page not mounted: %s", error, exc_info=error)
                continue
            mounted = True
        return host if mounted else None


class PagesDispatch:
    """ASGI middleware: requests under the pages' path go to the pages' host app once it is ready,
    get a 503 with ``Retry-After`` while it starts, and fall through to the API when there is none."""

    def __init__(self, app: ASGIApp, pages: DeferredPages) -> None:
        self.app = app
        self.pages = pages

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] in ("http", "websocket") else ""
        if not (path == self.pages.path or path.startswith(self.pages.path + "/")):
            await self.app(scope, receive, send)
            return
        host = self.pages.host
        if host is not None:
            await host(scope, receive, send)
        elif self.pages.status == "off":
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1013, "reason": "starting"})  # 1013: try again later
        else:
            await _starting_response(scope)(scope, receive, send)


def _starting_response(scope: Scope) -> ASGIApp:
    headers = {"Retry-After": RETRY_AFTER, "Cache-Control": "no-store"}
    accept = dict(scope.get("headers") or []).get(b"accept", b"").decode("latin-1")
    if "text/html" in accept:
        return HTMLResponse(STARTING_PAGE, status_code=503, headers=headers)
    return error_response(503, "the page is starting; retry in a few seconds", headers)
