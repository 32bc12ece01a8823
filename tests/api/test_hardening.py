"""Hostile and malformed input through the real server: invalid Unicode, contentless questions,
types the spec does not allow, slow bodies, the docs routes, and ``/search`` offsets."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import httpx
import pytest

from rag.api.app import create_app
from rag.engine import Engine

from .support import API_KEYS, HARBIN_QUESTION, LiveServer, api_settings, live_server

SURROGATE_BODIES = [
    b'{"question": "\\ud800\\u54c8\\u5c14\\u6ee8\\u5956\\u52b1"}',
    b'{"question": "' + HARBIN_QUESTION.encode() + b'", "history": [{"role": "user", "content": "\\udc00x"}]}',
    b'{"question": "' + HARBIN_QUESTION.encode() + b'", "backend": "\\ud800"}',
]


@pytest.mark.parametrize("body", SURROGATE_BODIES)
def test_lone_surrogates_are_a_422_not_a_500(client: httpx.Client, body: bytes) -> None:
    response = client.post("/ask", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    assert set(response.json()) == {"error"}


@pytest.mark.parametrize("question", ["\u200b\u200b\u200b", "？？？。。", "asdfgh", "1"])
def test_contentless_questions_are_refused_with_a_clear_message(client: httpx.Client, question: str) -> None:
    for response in (client.post("/ask", json={"question": question}), client.get("/search", params={"q": question})):
        assert response.status_code == 422, response.text
        assert "no content to search for" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "body",
    [
        {"question": HARBIN_QUESTION, "stream": 0},
        {"question": HARBIN_QUESTION, "top_k": "5"},
        {"question": HARBIN_QUESTION, "backend": "gpt-9"},
        {"question": HARBIN_QUESTION, "history": [{"role": "user", "content": "你好", "extra": 1}]},
    ],
)
def test_types_the_spec_does_not_allow_are_rejected(client: httpx.Client, body: dict[str, object]) -> None:
    response = client.post("/ask", json=body)
    assert response.status_code == 422, response.text


def test_search_passages_are_exact_slices_of_their_documents(client: httpx.Client, corpus_engine: Engine) -> None:
    passages = client.get("/search", params={"q": "大工匠 奖励", "k": 10}).json()["passages"]
    assert passages
    for passage in passages:
        assert passage["text"] == corpus_engine.index.document(passage["doc"]).text[passage["start"]:passage["end"]]


def test_docs_routes_follow_the_key_rule(corpus_server: LiveServer, keyed_server: LiveServer) -> None:
    with corpus_server.client() as open_client, keyed_server.client() as anonymous, \
            keyed_server.client(API_KEYS[0]) as keyed:
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert open_client.get(path).status_code == 200, path
            refused = anonymous.get(path)
            assert refused.status_code == 401 and "error" in refused.json(), path
            assert keyed.get(path).status_code == 200, path


def test_the_spec_lists_every_status_and_the_event_stream(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    ask = spec["paths"]["/ask"]["post"]["responses"]
    assert {"200", "400", "401", "408", "413", "422", "503"} <= set(ask)
    assert "description" in ask["200"]["content"]["text/event-stream"]["schema"]
    assert "401" in spec["paths"]["/metrics"]["get"]["responses"]
    backend = spec["components"]["schemas"]["AskRequest"]["properties"]["backend"]
    assert ["extractive", "openai", "local"] in [option.get("enum") for option in backend["anyOf"]]


def raw_request(server: LiveServer, head: bytes, wait: float) -> bytes:
    """Send ``head`` (headers and perhaps part of a body) and read what comes back within ``wait``."""
    host, port = server.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=wait) as sock:
        sock.sendall(head)
        try:
            return sock.recv(4096)
        except TimeoutError:
            return b""


def test_a_caller_without_a_key_is_refused_before_sending_its_body(keyed_server: LiveServer) -> None:
    head = b"POST /ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"
    started = time.monotonic()
    reply = raw_request(keyed_server, head, wait=10)
    assert reply.startswith(b"HTTP/1.1 401"), reply[:200]
    assert time.monotonic() - started < 5


def test_a_slow_body_is_cut_off_with_408(corpus_index_dir: Path, corpus_engine: Engine) -> None:
    app = create_app(api_settings(corpus_index_dir, body_read_timeout=1.0), engine=corpus_engine, mount_ui=False)
    with live_server(app) as server:
        head = b"POST /ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
        started = time.monotonic()
        reply = raw_request(server, head, wait=15)
        assert reply.startswith(b"HTTP/1.1 408"), reply[:200]
        assert time.monotonic() - started < 10
        with server.client() as http:
            assert http.get("/health").status_code == 200
