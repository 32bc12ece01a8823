"""App lifecycle and plumbing: loading in the background, /health, errors, request ids, docs, UI."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest

from rag.api.app import create_app
from rag.engine import Engine
from rag.settings import Settings
from rag.store.index_store import IndexStore

from .support import HARBIN_QUESTION, LiveServer, api_settings, live_server


def wait_for_status(client: httpx.Client, status: int, timeout: float = 600.0) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        response = client.get("/health")
        if response.status_code == status or time.monotonic() > deadline:
            return response
        time.sleep(0.1)


def test_health_is_503_loading_until_the_engine_is_ready(corpus_engine: Engine, corpus_index_dir: Path) -> None:
    release = threading.Event()

    def slow_loader(settings: Settings) -> Engine:
        assert release.wait(120), "the test never released the loader"
        return Engine(settings, corpus_engine.embedder, IndexStore(settings.index_path).load())

    app = create_app(api_settings(corpus_index_dir), loader=slow_loader, mount_ui=False)
    with live_server(app, wait_ready=False) as server, server.client() as client:
        loading = client.get("/health")
        assert loading.status_code == 503 and loading.json() == {"status": "loading", "ui": "off"}
        assert app.state.engine is None
        busy = client.post("/ask", json={"question": HARBIN_QUESTION})
        assert busy.status_code == 503 and "loading" in busy.json()["error"]["message"]
        assert client.get("/documents").status_code == 401  # auth is checked before readiness
        release.set()
        ready = wait_for_status(client, 200, timeout=60)
        assert ready.status_code == 200
        body = ready.json()
        assert set(body) == {"status", "documents", "chunks", "model", "ui"}
        assert body["status"] == "ok" and body["documents"] == 5 and body["chunks"] > 0
        assert body["model"] == corpus_engine.embedder.model_name
        assert app.state.engine is not None
        assert client.post("/ask", json={"question": HARBIN_QUESTION}).json()["short_answer"] == "5万元"


def test_a_failed_load_is_reported_not_raised(tmp_path: Path) -> None:
    def broken_loader(settings: Settings) -> Engine:
        raise RuntimeError("disk on fire")

    app = create_app(api_settings(tmp_path / "index"), loader=broken_loader, mount_ui=False)
    with live_server(app, wait_ready=False) as server, server.client() as client:
        deadline = time.monotonic() + 10
        health = client.get("/health")
        while health.json()["status"] == "loading" and time.monotonic() < deadline:
            time.sleep(0.05)
            health = client.get("/health")
        assert health.status_code == 503
        assert health.json()["status"] == "error" and "disk on fire" in health.json()["message"]
        response = client.post("/ask", json={"question": HARBIN_QUESTION})
        assert response.status_code == 503 and "disk on fire" in response.json()["error"]["message"]


@pytest.mark.slow  # loads the embedding model and indexes the corpus
def test_builds_the_index_from_the_corpus_when_none_exists(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = "绥芬河市技能人才奖励办法\n\n绥芬河市对首席技师每人奖励3万元。\n"
    (corpus / "suifenhe.txt").write_text(text, encoding="utf-8")
    settings = api_settings(tmp_path / "index", corpus_dir=corpus)
    app = create_app(settings, mount_ui=False)  # the default loader: Engine.open + index the corpus
    with live_server(app) as server, server.client() as client:
        assert client.get("/health").json()["documents"] == 1
        assert IndexStore(settings.index_path).exists()
        answer = client.post("/ask", json={"question": "绥芬河市对首席技师每人奖励多少钱？"}).json()
        assert answer["citations"][0]["doc"] == "suifenhe.txt"


def test_errors_are_json_without_tracebacks(client: httpx.Client) -> None:
    for response, status in (
        (client.get("/no-such-endpoint"), 404),
        (client.put("/ask", json={}), 405),
    ):
        assert response.status_code == status
        assert response.json() == {"error": {"status": status, "message": response.json()["error"]["message"]}}


def test_unexpected_exceptions_become_a_json_500(corpus_engine: Engine, corpus_index_dir: Path) -> None:
    app = create_app(api_settings(corpus_index_dir), engine=corpus_engine, mount_ui=False)

    @app.get("/boom")
    def boom() -> None:
        raise ZeroDivisionError("secret internals")

    with live_server(app) as server, server.client() as client:
        response = client.get("/boom", headers={"X-Request-ID": "req-boom-1"})
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "req-boom-1"
    message = response.json()["error"]["message"]
    assert "req-boom-1" in message and "secret" not in message and "Traceback" not in response.text


def test_request_ids_are_echoed_or_generated(client: httpx.Client) -> None:
    assert client.get("/health", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"] == "abc-123"
    generated = client.get("/health").headers["x-request-id"]
    assert len(generated) == 32
    unsafe = client.get("/health", headers={"X-Request-ID": "bad id\twith spaces"}).headers["x-request-id"]
    assert unsafe != "bad id\twith spaces" and len(unsafe) == 32


def test_openapi_docs(client: httpx.Client) -> None:
    assert client.get("/docs").status_code == 200
    schema = client.get("/openapi.json").json()
    assert {"/ask", "/search", "/documents", "/documents/{doc_id}", "/health", "/metrics"} <= set(schema["paths"])
    assert "multipart/form-data" in schema["paths"]["/documents"]["post"]["requestBody"]["content"]
    assert "HTTPBearer" in schema["components"]["securitySchemes"]



def test_openapi_documents_the_structured_refusal(client: httpx.Client) -> None:
    schema = client.get("/openapi.json").json()
    components = schema["components"]["schemas"]
    refusal = components["Answer"]["properties"]["refusal"]
    assert {"$ref": "#/components/schemas/Refusal"} in refusal["anyOf"]
    assert set(components["Refusal"]["properties"]["reason"]["enum"]) == {
        "no_passages", "weak_evidence", "missing_entity", "unanswerable_kind", "incomplete_comparison",
    }
    content = schema["paths"]["/ask"]["post"]["responses"]["200"]["content"]["application/json"]
    assert content["schema"] == {"$ref": "#/components/schemas/Answer"}
    example = content["examples"]["refused"]["value"]
    assert example["refused"] is True and example["refusal"]["reason"] == "missing_entity"


def test_root_redirects_to_the_docs_without_the_chat_page(client: httpx.Client) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code in (302, 307) and response.headers["location"] == "/docs"


def test_chat_page_is_mounted_at_ui(corpus_engine: Engine, corpus_index_dir: Path) -> None:
    app = create_app(api_settings(corpus_index_dir), engine=corpus_engine)
    with live_server(app) as server, server.client() as client:
        response = client.get("/", follow_redirects=False)
        assert response.headers["location"] == "/ui"
        assert client.get("/ui/", follow_redirects=True).status_code == 200
        assert client.post("/ask", json={"question": HARBIN_QUESTION}).status_code == 200


def test_engine_is_exposed_to_other_components(corpus_server: LiveServer, corpus_engine: Engine) -> None:
    assert corpus_server.app.state.engine is corpus_engine
