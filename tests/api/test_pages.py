"""The chat page is built after the engine and never holds ``/health`` back; ``/ui`` says
"starting" (503 + Retry-After) until then; a page that cannot be built leaves the path to the API."""

from __future__ import annotations

import asyncio
import threading
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from rag.api.app import create_app
from rag.api.pages import WEB_PAGES_GROUP, DeferredPages, PagesDispatch
from rag.engine import Engine
from rag.settings import Settings
from rag.store.index_store import IndexStore

from .support import HARBIN_QUESTION, api_settings, live_server, wait_for_page


def tiny_page(app: FastAPI, engine_provider: Any, settings: Settings, path: str) -> None:
    """A page plugin small enough to build in a test: one route under ``path``."""

    @app.get(f"{path}/")
    def page() -> dict[str, str]:
        return {"page": "tiny"}


def broken_page(app: FastAPI, engine_provider: Any, settings: Settings, path: str) -> None:
    raise RuntimeError("this page cannot be built")


def entry(function: str) -> EntryPoint:
    return EntryPoint(name=function, value=f"{__name__}:{function}", group=WEB_PAGES_GROUP)


def api_behind(pages: DeferredPages) -> PagesDispatch:
    """The dispatch in front of a one-route API, as ``create_app`` puts it in front of the real one."""
    api = FastAPI()

    @api.get("/ui/")
    def not_a_page() -> dict[str, str]:
        return {"api": "fallthrough"}

    return PagesDispatch(api, pages)


def test_the_page_is_served_only_once_built_and_after_the_engine_settled(tmp_path: Path) -> None:
    settled = threading.Event()
    pages = DeferredPages("/ui", api_settings(tmp_path / "index"), lambda: None, found=[entry("tiny_page")])
    dispatch = api_behind(pages)

    async def scenario() -> None:
        serving = asyncio.ensure_future(pages.serve(lambda: settled.wait(30) or None))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(dispatch), base_url="http://t") as http:
            await asyncio.sleep(0.3)
            assert pages.status == "starting"  # the engine has not settled: nothing is built yet
            starting = await http.get("/ui/")
            assert starting.status_code == 503 and starting.headers["retry-after"] == "3"
            assert starting.json()["error"]["status"] == 503
            html = await http.get("/ui/", headers={"Accept": "text/html,*/*"})
            assert html.status_code == 503 and 'http-equiv="refresh"' in html.text and "正在启动" in html.text
            assert (await http.get("/elsewhere")).status_code == 404  # other paths go to the API
            settled.set()
            for _ in range(100):
                if pages.status == "ready":
                    break
                await asyncio.sleep(0.05)
            assert pages.status == "ready"
            assert (await http.get("/ui/")).json() == {"page": "tiny"}
        pages.stop()
        await asyncio.wait_for(serving, 10)
        assert pages.host is None  # stopped: the host's lifespan has ended

    asyncio.run(scenario())


def test_a_page_that_cannot_be_built_leaves_its_path_to_the_api(tmp_path: Path) -> None:
    pages = DeferredPages("/ui", api_settings(tmp_path / "index"), lambda: None, found=[entry("broken_page")])
    dispatch = api_behind(pages)

    async def scenario() -> None:
        await asyncio.wait_for(pages.serve(lambda: None), 30)
        assert pages.status == "off"
        async with httpx.AsyncClient(transport=httpx.ASGITransport(dispatch), base_url="http://t") as http:
            assert (await http.get("/ui/")).json() == {"api": "fallthrough"}

    asyncio.run(scenario())


def test_no_installed_page_is_off_at_once(tmp_path: Path) -> None:
    assert DeferredPages("/ui", api_settings(tmp_path / "index"), lambda: None, found=[]).status == "off"


def test_health_is_ready_before_the_chat_page_which_follows(corpus_engine: Engine, corpus_index_dir: Path) -> None:
    release = threading.Event()

    def slow_loader(settings: Settings) -> Engine:
        assert release.wait(120), "the test never released the loader"
        return Engine(settings, corpus_engine.embedder, IndexStore(settings.index_path).load())

    app = create_app(api_settings(corpus_index_dir), loader=slow_loader)  # the real chat page plugin
    with live_server(app, wait_ready=False, wait_page=False) as server, server.client() as client:
        assert client.get("/health").json() == {"status": "loading", "ui": "starting"}
        assert client.get("/ui/").status_code == 503
        assert client.get("/", follow_redirects=False).headers["location"] == "/ui"
        release.set()
        wait_for_page(server.base_url, 300)
        health = client.get("/health")
        assert health.status_code == 200 and health.json()["ui"] == "ready"
        assert client.get("/ui/", follow_redirects=True).status_code == 200
        assert client.post("/ask", json={"question": HARBIN_QUESTION}).json()["short_answer"] == "5万元"
