"""POST /ask over a real server: JSON answers, streamed answers, and input validation."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx

from rag.api.app import create_app
from rag.engine import Engine
from rag.schema import Answer, Citation

from .support import HARBIN_DOC, HARBIN_QUESTION, QIQIHAR_QUESTION, api_settings, live_server, parse_sse


def test_answers_the_harbin_question_with_a_citation(client: httpx.Client) -> None:
    response = client.post("/ask", json={"question": HARBIN_QUESTION})
    assert response.status_code == 200
    answer = Answer.model_validate(response.json())
    assert answer.short_answer == "5万元"
    assert not answer.refused
    assert HARBIN_DOC in {c.doc for c in answer.citations}
    assert answer.backend == "extractive"
    assert answer.latency_ms > 0


def test_streams_citations_then_deltas_then_the_answer(client: httpx.Client) -> None:
    with client.stream("POST", "/ask", json={"question": HARBIN_QUESTION, "stream": True}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        body = response.read().decode("utf-8")
    events = parse_sse(body)
    kinds = [name for name, _ in events]
    assert kinds[0] == "citations"
    assert kinds[-1] == "answer"
    assert kinds[1:-1] and set(kinds[1:-1]) == {"delta"}
    citations = [Citation.model_validate(c) for c in json.loads(events[0][1])]
    assert HARBIN_DOC in {c.doc for c in citations}
    answer = Answer.model_validate_json(events[-1][1])
    assert answer.short_answer == "5万元"
    assert "".join(json.loads(data) for name, data in events if name == "delta") == answer.answer


def test_refuses_when_the_documents_do_not_say(client: httpx.Client) -> None:
    response = client.post("/ask", json={"question": "火星上的企鹅每年奖励多少枚金币？"})
    assert response.status_code == 200
    body = response.json()
    assert body["refused"] is True
    assert body["refusal"]["reason"] in {"no_passages", "weak_evidence", "missing_entity", "unanswerable_kind"}


def test_a_refusal_says_why_in_the_json_answer(client: httpx.Client) -> None:
    response = client.post("/ask", json={"question": QIQIHAR_QUESTION})
    assert response.status_code == 200
    body = response.json()
    assert body["refused"] is True and body["short_answer"] is None
    assert body["refusal"]["reason"] == "missing_entity"
    assert any("齐齐哈尔" in name for name in body["refusal"]["missing"])  # 齐齐哈尔市


def test_a_refusal_says_why_in_the_streamed_answer(client: httpx.Client) -> None:
    with client.stream("POST", "/ask", json={"question": QIQIHAR_QUESTION, "stream": True}) as response:
        assert response.status_code == 200
        body = response.read().decode("utf-8")
    name, data = parse_sse(body)[-1]
    assert name == "answer"
    final = json.loads(data)
    assert final["refused"] is True
    assert final["refusal"]["reason"] == "missing_entity"
    assert any("齐齐哈尔" in name for name in final["refusal"]["missing"])


def test_an_answer_has_a_null_refusal(client: httpx.Client) -> None:
    body = client.post("/ask", json={"question": HARBIN_QUESTION}).json()
    assert body["refused"] is False and "refusal" in body and body["refusal"] is None


def test_accepts_conversation_history(client: httpx.Client) -> None:
    history = [
        {"role": "user", "content": HARBIN_QUESTION},
        {"role": "assistant", "content": "哈尔滨市大工匠由每人奖励1万元提高到5万元。"},
    ]
    response = client.post("/ask", json={"question": "每年评选多少人？", "history": history, "top_k": 3})
    assert response.status_code == 200
    Answer.model_validate(response.json())


def _error(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and body["error"]["status"] == status
    assert "Traceback" not in response.text
    return body["error"]["message"]


def test_empty_question_is_422(client: httpx.Client) -> None:
    assert "empty" in _error(client.post("/ask", json={"question": ""}), 422)
    assert "empty" in _error(client.post("/ask", json={"question": "  \n "}), 422)


def test_empty_question_is_422_when_streaming_too(client: httpx.Client) -> None:
    _error(client.post("/ask", json={"question": " ", "stream": True}), 422)


def test_over_long_question_is_rejected_not_truncated(client: httpx.Client) -> None:
    message = _error(client.post("/ask", json={"question": "哈" * 100_000}), 422)
    assert "100000" in message and "RAG_MAX_QUESTION_CHARS" in message


def test_malformed_json_is_400_with_a_json_error(client: httpx.Client) -> None:
    response = client.post("/ask", content=b'{"question": "x"', headers={"Content-Type": "application/json"})
    assert "JSON" in _error(response, 400)


def test_missing_or_mistyped_fields_are_422(client: httpx.Client) -> None:
    assert "question" in _error(client.post("/ask", json={}), 422)
    _error(client.post("/ask", json={"question": 42}), 422)
    _error(client.post("/ask", json={"question": HARBIN_QUESTION, "top_k": 0}), 422)
    assert "topk" in _error(client.post("/ask", json={"question": HARBIN_QUESTION, "topk": 3}), 422)
    _error(client.post("/ask", json=["not", "an", "object"]), 422)


def test_unknown_backend_is_422(client: httpx.Client) -> None:
    message = _error(client.post("/ask", json={"question": HARBIN_QUESTION, "backend": "gpt-9"}), 422)
    assert "backend" in message and "extractive" in message and "local" in message  # the allowed names


def test_huge_bodies_are_413_before_parsing(client: httpx.Client) -> None:
    huge = json.dumps({"question": "哈" * 10, "history": [{"role": "user", "content": "x" * 2_000_000}]})
    _error(client.post("/ask", content=huge.encode(), headers={"Content-Type": "application/json"}), 413)

    def chunked() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"question": "'
        for _ in range(40):
            yield b"x" * 50_000
        yield b'"}'

    _error(client.post("/ask", content=chunked(), headers={"Content-Type": "application/json"}), 413)


def test_unreachable_llm_backend_is_503_streamed_or_not(corpus_engine: Engine, corpus_index_dir: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = api_settings(
        corpus_index_dir, openai_base_url=f"http://127.0.0.1:{port}/v1", openai_retries=0, openai_timeout=5
    )
    engine = Engine(settings, corpus_engine.embedder, corpus_engine.index)  # same snapshot, other backends
    with live_server(create_app(settings, engine=engine, mount_ui=False)) as server, server.client() as client:
        for stream in (False, True):
            response = client.post("/ask", json={"question": HARBIN_QUESTION, "backend": "openai", "stream": stream})
            assert str(port) in _error(response, 503)
