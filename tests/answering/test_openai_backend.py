"""The OpenAI-compatible backend: grounding, fallback, refusal, streaming, retries.

The fast tests talk to a scripted server (httpx.MockTransport); the slow ones to a real llama.cpp
server running the packaged Qwen2.5-0.5B (fixtures in conftest.py).
"""

from __future__ import annotations

import json
import re
import socket
import time

import httpx
import pytest

from rag.answering.base import AnswerBackend, AnswerRequest
from rag.answering.openai_backend import OpenAIBackend
from rag.errors import BackendUnavailableError
from rag.schema import Answer, Passage, Refusal
from rag.settings import Settings

HARBIN = "哈尔滨市出台提高技术工人待遇的具体措施。哈尔滨市对大工匠的奖励由每人1万元提高到每人5万元。"
PROVINCE = "黑龙江省总工会牵头推进产业工人队伍建设改革，全省累计培训职工120万人次。"
QIQIHAR = "齐齐哈尔市开展职工技能大赛，参赛职工达3万人。"


def passage(i: int, text: str) -> Passage:
    return Passage(chunk_id=f"d{i}#0", doc=f"doc{i}.txt", title=f"文件{i}", text=text, start=0,
                   end=len(text), score=1.0 / i)


def request(question: str, *texts: str, language: str = "zh") -> AnswerRequest:
    return AnswerRequest(
        question=question,
        passages=[passage(i, t) for i, t in enumerate(texts, start=1)],
        language=language,  # type: ignore[arg-type]
    )


class RefusingBackend(AnswerBackend):
    """A stand-in for the extractive backend: always refuses, showing the passages.

    With ``refusal`` it says why (as the extractive backend does); without, it is a fallback that
    forgot to, which the LLM backend must make up for."""

    name = "refusing"

    def __init__(self, refusal: Refusal | None = None) -> None:
        self.calls = 0
        self.refusal = refusal

    def answer(self, request: AnswerRequest) -> Answer:
        self.calls += 1
        return Answer(question=request.question, answer="资料中未找到相关信息。", refused=True,
                      refusal=self.refusal, backend=self.name)


class FactBackend(AnswerBackend):
    """A stand-in for the extractive backend that found the fact 5万元 (its short answer)."""

    name = "fact"

    def answer(self, request: AnswerRequest) -> Answer:
        return Answer(question=request.question, answer="由每人1万元提高到每人5万元。[1]", short_answer="5万元",
                      backend=self.name)


def settings(**overrides) -> Settings:
    values = {"openai_retries": 2, "llm_max_tokens": 128, "openai_timeout": 60.0}
    values.update(overrides)
    return Settings(**values)


# ------------------------------------------------------------------ scripted server


def scripted(*replies: tuple[int, str], calls: list | None = None) -> httpx.MockTransport:
    """A server answering each request with the next (status, content) in turn."""
    queue = list(replies)

    def handle(req: httpx.Request) -> httpx.Response:
        body = json.loads(req.content)
        if calls is not None:
            calls.append(body)
        status, content = queue.pop(0) if len(queue) > 1 else queue[0]
        if status != 200:
            return httpx.Response(status, json={"error": {"message": content}})
        if body.get("stream"):
            words = re.findall(r"\[\d+\]|.", content)
            lines = [
                "data: " + json.dumps({"choices": [{"index": 0, "delta": {"content": w}}]}, ensure_ascii=False)
                for w in words
            ]
            lines.append("data: [DONE]")
            return httpx.Response(200, text="\n\n".join(lines) + "\n\n",
                                  headers={"content-type": "text/event-stream"})
        return httpx.Response(200, json={"choices": [{"index": 0, "message": {"role": "assistant", "content": content}}]})

    return httpx.MockTransport(handle)


def backend(transport: httpx.MockTransport, fallback: AnswerBackend | None = None, **kw) -> OpenAIBackend:
    b = OpenAIBackend(settings(**kw), fallback, base_url="http://model.test/v1", transport=transport)
    b._sleep = lambda seconds: None  # no real backoff waits
    return b


def test_grounded_answer_is_returned_with_its_citations() -> None:
    calls: list = []
    b = backend(scripted((200, "哈尔滨市对大工匠的奖励提高到每人5万元[2]。"), calls=calls))
    answer = b.answer(request("哈尔滨市对大工匠的奖励是多少？", PROVINCE, HARBIN))
    assert answer.answer == "哈尔滨市对大工匠的奖励提高到每人5万元[1]。"
    assert [(c.n, c.doc) for c in answer.citations] == [(1, "doc2.txt")]
    assert answer.grounded is True and answer.refused is False and answer.backend == "openai"
    body = calls[0]
    assert body["temperature"] == 0 and body["max_tokens"] == 128 and body["model"] == "qwen2.5"
    assert b.stats.snapshot()["grounded"] == 1


def test_ungrounded_answer_goes_to_the_fallback() -> None:
    fallback = RefusingBackend()
    b = backend(scripted((200, "哈尔滨市对大工匠的奖励提高到每人8万元[1]。")), fallback)
    answer = b.answer(request("哈尔滨市对大工匠的奖励是多少？", HARBIN))
    assert fallback.calls == 1
    assert answer.backend == "openai+fallback" and answer.refused
    assert "8万" not in answer.answer
    assert answer.refusal == Refusal(reason="weak_evidence")  # the fallback gave no reason
    stats = b.stats.snapshot()
    assert stats["failures"] == 1 and stats["fallbacks"] == 1


def test_an_answer_that_agrees_with_the_extracted_fact_carries_its_short_answer() -> None:
    b = backend(scripted((200, "哈尔滨市对大工匠的奖励提高到每人５万元[1]。")), FactBackend())
    answer = b.answer(request("哈尔滨市对大工匠的奖励是多少？", HARBIN))
    assert answer.backend == "openai" and answer.grounded is True
    assert answer.short_answer == "5万元" and answer.short_answer_agreed is True  # the exact extracted form
    streamed = list(b.stream(request("哈尔滨市对大工匠的奖励是多少？", HARBIN)))[-1].answer
    assert streamed is not None and streamed.short_answer == "5万元" and streamed.short_answer_agreed


def test_without_an_extracted_fact_there_is_no_short_answer_and_it_says_so() -> None:
    b = backend(scripted((200, "哈尔滨市对大工匠的奖励提高到每人5万元[1]。")), RefusingBackend())
    answer = b.answer(request("哈尔滨市对大工匠的奖励是多少？", HARBIN))
    assert answer.backend == "openai" and answer.short_answer is None and answer.short_answer_agreed is False


def test_a_disagreeing_answer_falls_back_to_the_extracted_fact() -> None:
    b = backend(scripted((200, "哈尔滨市对大工匠的奖励原为每人1万元[1]。")), FactBackend())
    answer = b.answer(request("哈尔滨市对大工匠的奖励是多少？", HARBIN))
    assert answer.backend == "openai+fallback" and answer.short_answer == "5万元"
    assert answer.short_answer_agreed is None  # the fallback's own answer, not an agreement


def test_the_fallbacks_refusal_is_kept() -> None:
    reason = Refusal(reason="unanswerable_kind")
    b = backend(scripted((200, "哈尔滨市对大工匠的奖励提高到每人8万元[1]。")), RefusingBackend(reason))
    answer = b.answer(request("哈尔滨市对大工匠的奖励是多少？", HARBIN))
    assert answer.backend == "openai+fallback" and answer.refusal == reason


def test_without_fallback_unsupported_sentences_are_dropped() -> None:
    b = backend(scripted((200, "齐齐哈尔市参赛职工达3万人[3]。哈尔滨市奖励8万元[1]。全省培训120万人次[2]。")))
    answer = b.answer(request("有哪些数字？", HARBIN, PROVINCE, QIQIHAR))
    assert answer.answer == "齐齐哈尔市参赛职工达3万人[1]。全省培训120万人次[2]。"
    assert [c.doc for c in answer.citations] == ["doc3.txt", "doc2.txt"]
    assert answer.grounded is False and not answer.refused
    assert b.stats.snapshot()["dropped_sentences"] == 1


def test_nothing_supported_and_no_fallback_is_a_refusal() -> None:
    b = backend(scripted((200, "大庆市奖励每人8万元[1]。")))
    answer = b.answer(request("大庆市奖励多少？", HARBIN))
    assert answer.refused and answer.answer == "资料中未找到相关信息。"
    assert answer.refusal == Refusal(reason="missing_entity", missing=["大庆市"])
    assert [c.doc for c in answer.citations] == ["doc1.txt"]


def test_nothing_checkable_left_is_a_weak_evidence_refusal() -> None:
    b = backend(scripted((200, "哈尔滨市奖励8万元[1]。")))  # 8万元 is in no passage: dropped, nothing left
    answer = b.answer(request("奖励多少？", HARBIN))
    assert answer.refused and answer.grounded is False
    assert answer.refusal == Refusal(reason="weak_evidence")


def test_an_answer_about_another_place_is_refused_without_fallback() -> None:
    # the figure is Harbin's; the question is about Daqing and the answer names no city
    b = backend(scripted((200, "奖励提高到每人5万元[1]。")))
    answer = b.answer(request("大庆市对大工匠的奖励是多少？", HARBIN))
    assert answer.refused and answer.grounded is False
    assert answer.refusal is not None and answer.refusal.reason == "missing_entity"
    assert answer.refusal.missing == ["大庆市"]


def test_the_refusal_phrase_is_a_refusal_with_the_passages() -> None:
    b = backend(scripted((200, "资料中未找到相关信息。")), RefusingBackend())
    answer = b.answer(request("大庆市奖励多少？", HARBIN, PROVINCE))
    assert answer.refused and answer.backend == "openai"
    assert answer.refusal == Refusal(reason="weak_evidence")  # the model's own verdict, made structured
    assert [c.n for c in answer.citations] == [1, 2]
    english = backend(scripted((200, "The documents do not say how much Daqing pays.")))
    refused = english.answer(request("How much does Daqing pay?", HARBIN, language="en"))
    assert refused.refused and refused.refusal == Refusal(reason="weak_evidence")


def test_no_passages_means_no_call() -> None:
    calls: list = []
    b = backend(scripted((200, "x"), calls=calls))
    answer = b.answer(request("问题？"))
    assert answer.refused and calls == []
    assert answer.refusal == Refusal(reason="no_passages")
    streamed = [e.answer for e in b.stream(request("问题？")) if e.kind == "answer"]
    assert streamed[0].refusal == Refusal(reason="no_passages") and calls == []


def test_a_streamed_model_refusal_is_structured() -> None:
    b = backend(scripted((200, "资料中未找到相关信息。")))
    final = list(b.stream(request("大庆市奖励多少？", HARBIN)))[-1].answer
    assert final.refused and final.refusal == Refusal(reason="weak_evidence")


def test_answers_carry_no_refusal() -> None:
    b = backend(scripted((200, "哈尔滨市对大工匠的奖励提高到每人5万元[1]。")))
    answer = b.answer(request("哈尔滨市对大工匠的奖励是多少？", HARBIN))
    assert not answer.refused and answer.refusal is None


def test_stream_sends_citations_then_deltas_then_the_answer() -> None:
    b = backend(scripted((200, "哈尔滨市对大工匠的奖励提高到每人5万元[1]。")))
    events = list(b.stream(request("哈尔滨市对大工匠的奖励是多少？", HARBIN, PROVINCE)))
    kinds = [e.kind for e in events]
    assert kinds[0] == "citations" and kinds[-1] == "answer" and set(kinds[1:-1]) == {"delta"}
    assert [c.n for c in events[0].citations] == [1, 2]
    assert "".join(e.delta for e in events[1:-1]) == "哈尔滨市对大工匠的奖励提高到每人5万元[1]。"
    assert events[-1].answer.grounded


def test_5xx_and_429_are_retried_then_succeed() -> None:
    calls: list = []
    b = backend(scripted((503, "loading"), (429, "busy"), (200, "参赛职工达3万人[1]。"), calls=calls))
    answer = b.answer(request("参赛职工多少？", QIQIHAR))
    assert len(calls) == 3 and answer.grounded


def test_retries_are_bounded() -> None:
    calls: list = []
    b = backend(scripted((500, "boom"), calls=calls), openai_retries=1)
    with pytest.raises(BackendUnavailableError, match="HTTP 500"):
        b.answer(request("参赛职工多少？", QIQIHAR))
    assert len(calls) == 2


def test_a_client_error_is_not_retried() -> None:
    calls: list = []
    b = backend(scripted((400, "the request exceeds the available context size"), calls=calls))
    with pytest.raises(BackendUnavailableError, match="context size"):
        list(b.stream(request("参赛职工多少？", QIQIHAR)))
    assert len(calls) == 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_server_is_unavailable_quickly() -> None:
    b = OpenAIBackend(settings(openai_retries=2), base_url=f"http://127.0.0.1:{free_port()}/v1")
    started = time.perf_counter()
    with pytest.raises(BackendUnavailableError, match="cannot reach") as info:
        b.answer(request("参赛职工多少？", QIQIHAR))
    assert "3 attempt" in str(info.value)
    assert time.perf_counter() - started < 5  # 0.5 s + 1 s of backoff
    with pytest.raises(BackendUnavailableError, match="cannot reach"):
        list(b.stream(request("参赛职工多少？", QIQIHAR)))


# ------------------------------------------------------------------ the real model


@pytest.fixture(scope="module")
def real(llm_server: str) -> OpenAIBackend:
    return OpenAIBackend(settings(), RefusingBackend(), base_url=llm_server)


@pytest.mark.slow
def test_real_model_answers_with_the_figure_and_a_citation(real: OpenAIBackend) -> None:
    answer = real.answer(request("哈尔滨市对大工匠的奖励提高到多少？", HARBIN, PROVINCE, QIQIHAR))
    assert answer.backend == "openai", answer
    assert "5万元" in answer.answer
    assert re.search(r"\[\d\]", answer.answer)
    assert answer.grounded is True and not answer.refused
    assert answer.citations[0].doc == "doc1.txt"


@pytest.mark.slow
def test_real_model_answer_carries_the_agreed_short_answer(llm_server: str) -> None:
    checked = OpenAIBackend(settings(), FactBackend(), base_url=llm_server)
    answer = checked.answer(request("哈尔滨市对大工匠的奖励提高到多少？", HARBIN, PROVINCE, QIQIHAR))
    assert answer.backend == "openai" and answer.grounded, answer
    assert answer.short_answer == "5万元" and answer.short_answer_agreed is True


@pytest.mark.slow
def test_real_model_refuses_when_the_passages_lack_the_answer(real: OpenAIBackend) -> None:
    answer = real.answer(request("大庆市对劳动模范的奖励是多少？", PROVINCE, QIQIHAR))
    assert answer.refused, answer
    assert answer.refusal is not None, answer
    assert "5万" not in answer.answer
    assert answer.backend in ("openai", "openai+fallback")


@pytest.mark.slow
def test_real_model_streams(real: OpenAIBackend) -> None:
    started = time.perf_counter()
    events = list(real.stream(request("齐齐哈尔市参赛职工有多少人？", QIQIHAR, HARBIN)))
    kinds = [e.kind for e in events]
    assert kinds[0] == "citations" and kinds[-1] == "answer"
    assert kinds.count("delta") >= 2 and set(kinds[1:-1]) == {"delta"}
    final = events[-1].answer
    assert "3万人" in final.answer and final.grounded
    assert real.last_timings and real.last_timings["predicted_n"] > 0
    assert time.perf_counter() - started < 60


@pytest.mark.slow
def test_local_backend_runs_the_packaged_model(model_path) -> None:
    from rag.answering.local_backend import LocalBackend

    local = LocalBackend(settings(), RefusingBackend(), model_path=model_path)
    try:
        answer = local.answer(request("哈尔滨市对大工匠的奖励提高到多少？", HARBIN))
        assert answer.backend == "local" and "5万元" in answer.answer and answer.grounded
        assert local.server is not None and local.server.running
    finally:
        local.close()
    assert local.server is None
