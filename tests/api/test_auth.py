"""API keys: every endpoint but /health needs one when configured; document endpoints always do
unless open local mode is on."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from rag.api.auth import key_is_valid
from rag.settings import Settings

from .support import API_KEYS, HARBIN_QUESTION, LiveServer, api_settings

PROTECTED = [
    ("POST", "/ask", {"json": {"question": HARBIN_QUESTION}}),
    ("GET", "/search", {"params": {"q": "大工匠"}}),
    ("GET", "/metrics", {}),
    ("GET", "/documents", {}),
    ("DELETE", "/documents/none.txt", {}),
    ("POST", "/documents", {"files": [("files", ("a.txt", b"x", "text/plain"))]}),
]


@pytest.mark.parametrize(("method", "path", "kwargs"), PROTECTED, ids=[f"{m} {p}" for m, p, _ in PROTECTED])
def test_missing_or_wrong_key_is_401(keyed_server: LiveServer, method: str, path: str, kwargs: dict) -> None:
    for key in (None, "wrong-key", API_KEYS[0] + "x"):
        with keyed_server.client(key) as client:
            response = client.request(method, path, **kwargs)
        assert response.status_code == 401, (key, response.text)
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["error"]["status"] == 401


def test_other_auth_schemes_are_401(keyed_server: LiveServer) -> None:
    with keyed_server.client() as client:
        response = client.get("/search", params={"q": "大工匠"}, headers={"Authorization": f"Basic {API_KEYS[0]}"})
        assert response.status_code == 401


def test_right_key_is_accepted(keyed_server: LiveServer) -> None:
    for key in API_KEYS:
        with keyed_server.client(key) as client:
            assert client.post("/ask", json={"question": HARBIN_QUESTION}).json()["short_answer"] == "5万元"
            assert client.get("/search", params={"q": "大工匠"}).status_code == 200
            assert client.get("/metrics").status_code == 200
            assert client.get("/documents").json()["count"] == 5
            assert client.delete("/documents/none.txt").status_code == 404


def test_health_needs_no_key_but_the_docs_do(keyed_server: LiveServer) -> None:
    with keyed_server.client() as client:
        assert client.get("/health").status_code == 200
        assert client.get("/docs").status_code == 401
        assert client.get("/openapi.json").status_code == 401
    with keyed_server.client(API_KEYS[0]) as client:
        assert client.get("/openapi.json").status_code == 200


def test_document_endpoints_are_locked_without_keys_or_open_mode(client: httpx.Client) -> None:
    for method, path, kwargs in PROTECTED[3:]:
        response = client.request(method, path, **kwargs)
        assert response.status_code == 401, path
        message = response.json()["error"]["message"]
        assert "RAG_API_KEYS" in message and "RAG_OPEN_LOCAL_MODE" in message
    assert client.post("/ask", json={"question": HARBIN_QUESTION}).status_code == 200  # the rest stays open


def test_open_local_mode_opens_document_endpoints(open_server: LiveServer) -> None:
    with open_server.client() as client:
        assert client.get("/documents").json()["count"] == 5


def test_key_comparison() -> None:
    settings = api_settings(Path("unused"), api_keys=["k1", "密钥"])
    assert key_is_valid(settings, "k1") and key_is_valid(settings, "密钥")
    assert not key_is_valid(settings, "k") and not key_is_valid(settings, "k1 ") and not key_is_valid(settings, "")


def test_keys_from_the_environment_as_a_json_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_API_KEYS", '["one", "two"]')
    assert Settings().api_keys == ["one", "two"]


def test_keys_from_the_environment_are_split_on_commas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_API_KEYS", "one, two")
    assert Settings().api_keys == ["one", "two"]
    monkeypatch.setenv("RAG_API_KEYS", "solo")
    assert Settings().api_keys == ["solo"]
