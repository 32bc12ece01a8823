"""``/v1``: the official ``openai`` package against the real server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest

from rag.api.openai_compat import available_models, reply_content
from rag.schema import Answer, Citation

from .support import API_KEYS, HARBIN_DOC, HARBIN_QUESTION, LiveServer, api_settings


def _client(server: LiveServer, key: str = "unused") -> openai.OpenAI:
    # trust_env=False: loopback traffic must never go through a proxy from the environment
    return openai.OpenAI(base_url=f"{server.base_url}/v1", api_key=key, max_retries=0,
                         http_client=httpx.Client(trust_env=False, timeout=300))


@pytest.fixture()
def sdk(corpus_server: LiveServer) -> Iterator[openai.OpenAI]:
    with _client(corpus_server) as client:
        yield client


def test_chat_completion_answers_with_sources_and_the_answer_object(sdk: openai.OpenAI) -> None:
    completion = sdk.chat.completions.create(
        model="rag-extractive", messages=[{"role": "user", "content": HARBIN_QUESTION}]
    )
    content = completion.choices[0].message.content or ""
    assert "5万元" in content and "[1]" in content
    assert "来源：" in content and HARBIN_DOC in content
    assert completion.choices[0].finish_reason == "stop" and completion.model == "rag-extractive"
    extra = completion.model_extra or {}
    answer = Answer.model_validate(extra["rag"])
    assert answer.short_answer == "5万元" and answer.refused is False
    assert answer.citations[0].doc == HARBIN_DOC and answer.citations[0].highlight


def test_streaming_yields_the_same_text(sdk: openai.OpenAI) -> None:
    messages: list = [{"role": "user", "content": HARBIN_QUESTION}]
    whole = sdk.chat.completions.create(model="rag-extractive", messages=messages).choices[0].message.content
    pieces, extras = [], []
    with sdk.chat.completions.create(model="rag-extractive", messages=messages, stream=True) as stream:
        for chunk in stream:
            pieces.append(chunk.choices[0].delta.content or "")
            if chunk.model_extra and "rag" in chunk.model_extra:
                extras.append(chunk.model_extra["rag"])
    assert len([p for p in pieces if p]) > 1  # really sent in pieces
    assert "".join(pieces) == whole
    assert len(extras) == 1 and extras[0]["short_answer"] == "5万元"


def test_raw_stream_ends_with_done(corpus_server: LiveServer) -> None:
    with corpus_server.client() as http:
        body = {"model": "rag", "stream": True, "messages": [{"role": "user", "content": HARBIN_QUESTION}]}
        response = http.post("/v1/chat/completions", json=body)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    frames = [line for line in response.text.split("\n\n") if line.strip()]
    assert frames[-1] == "data: [DONE]" and all(frame.startswith("data: ") for frame in frames)


def test_follow_up_as_the_second_user_message_is_resolved(sdk: openai.OpenAI) -> None:
    first = sdk.chat.completions.create(model="rag-extractive",
                                        messages=[{"role": "user", "content": HARBIN_QUESTION}])
    follow_up = sdk.chat.completions.create(
        model="rag-extractive",
        messages=[
            {"role": "system", "content": "You are a helpful assistant."},
            {"role": "user", "content": HARBIN_QUESTION},
            {"role": "assistant", "content": first.choices[0].message.content or ""},
            {"role": "user", "content": "那齐齐哈尔市呢？"},
        ],
    )
    answer = Answer.model_validate((follow_up.model_extra or {})["rag"])
    assert answer.question == "那齐齐哈尔市呢？"
    assert answer.resolved_question is not None and "齐齐哈尔" in answer.resolved_question
    assert "大工匠" in answer.resolved_question
    assert answer.refused and answer.refusal is not None and answer.refusal.reason == "missing_entity"


def test_models_list_the_available_backends(sdk: openai.OpenAI) -> None:
    ids = [model.id for model in sdk.models.list()]
    assert ids[0] == "rag-extractive"
    assert set(ids) <= {"rag-extractive", "rag-local", "rag-openai"}


def test_openai_backend_is_listed_only_when_configured() -> None:
    assert "rag-openai" not in available_models(api_settings(Path("unused")))
    assert "rag-openai" in available_models(api_settings(Path("unused"), openai_base_url="http://127.0.0.1:9/v1"))


def test_errors_have_the_openai_shape(sdk: openai.OpenAI, corpus_server: LiveServer) -> None:
    with pytest.raises(openai.NotFoundError) as unknown:
        sdk.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": HARBIN_QUESTION}])
    assert unknown.value.code == "model_not_found" and "rag-extractive" in unknown.value.message
    with pytest.raises(openai.BadRequestError) as last_not_user:
        sdk.chat.completions.create(model="rag", messages=[{"role": "assistant", "content": "你好"}])
    assert last_not_user.value.code == "invalid_messages"
    with pytest.raises(openai.UnprocessableEntityError) as empty:
        sdk.chat.completions.create(model="rag", messages=[{"role": "user", "content": "   "}])
    assert "empty" in empty.value.message
    with corpus_server.client() as http:
        response = http.post("/v1/chat/completions", content=b"{not json", headers={"Content-Type": "application/json"})
        assert response.status_code == 400
        assert set(response.json()["error"]) == {"message", "type", "param", "code"}
        too_long = http.post("/v1/chat/completions", json={"model": "rag", "messages": [
            {"role": "user", "content": "哈" * 5000}]})
        assert too_long.status_code == 422 and "limit" in too_long.json()["error"]["message"]
        huge = http.post("/v1/chat/completions", json={"model": "rag", "messages": [
            {"role": "user", "content": "x" * 2_000_000}]})
        assert huge.status_code == 413 and huge.json()["error"]["code"] == "request_too_large"


def test_keys_are_required_when_configured(keyed_server: LiveServer) -> None:
    with _client(keyed_server, key="wrong") as client, pytest.raises(openai.AuthenticationError) as denied:
        client.chat.completions.create(model="rag", messages=[{"role": "user", "content": HARBIN_QUESTION}])
    assert denied.value.status_code == 401 and denied.value.code == "invalid_api_key"
    with keyed_server.client() as http:  # no key at all
        response = http.get("/v1/models")
        assert response.status_code == 401 and response.json()["error"]["type"] == "authentication_error"
    with _client(keyed_server, key=API_KEYS[1]) as client:
        completion = client.chat.completions.create(
            model="rag-extractive", messages=[{"role": "user", "content": HARBIN_QUESTION}])
    assert "5万元" in (completion.choices[0].message.content or "")


def test_reply_content_lists_sources_in_the_question_language() -> None:
    citation = Citation(n=1, doc="a.txt", title="标题", text="……", start=0, end=2, score=1.0)
    english = Answer(question="How much is the reward?", answer="50,000 yuan [1]", citations=[citation])
    assert reply_content(english).endswith("Sources:\n[1] 《标题》 (a.txt)")
    refused = Answer(question="奖励多少？", answer="资料中未找到。", refused=True, citations=[citation])
    assert "相关段落：" in reply_content(refused)
    assert reply_content(Answer(question="q", answer="无")) == "无"
