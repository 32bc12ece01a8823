"""The server-sent-event encoding of streamed answers."""

from __future__ import annotations

import json
from collections.abc import Iterator

import anyio
import pytest

from rag.answering.base import StreamEvent
from rag.api.sse import encode_event, start_stream
from rag.errors import BackendUnavailableError
from rag.schema import Answer, Citation, Refusal

from .support import parse_sse


def test_every_event_is_one_frame_of_json_even_with_newlines() -> None:
    citation = Citation(n=1, doc="a.txt", title="标题", text="第一行\n第二行", start=0, end=7, score=1.0)
    answer = Answer(question="问", answer="答\n\n[1]", citations=[citation])
    frames = b"".join(
        encode_event(e)
        for e in (
            StreamEvent(kind="citations", citations=[citation]),
            StreamEvent(kind="delta", delta="答\r\n"),
            StreamEvent(kind="answer", answer=answer),
        )
    ).decode("utf-8")
    events = parse_sse(frames)
    assert [name for name, _ in events] == ["citations", "delta", "answer"]
    assert json.loads(events[0][1])[0]["text"] == "第一行\n第二行"
    assert json.loads(events[1][1]) == "答\r\n"
    assert Answer.model_validate_json(events[2][1]) == answer


def test_the_answer_event_carries_the_structured_refusal() -> None:
    refused = Answer(question="问", answer="资料中未找到……", refused=True,
                     refusal=Refusal(reason="missing_entity", missing=["齐齐哈尔"]))
    name, data = parse_sse(encode_event(StreamEvent(kind="answer", answer=refused)).decode("utf-8"))[0]
    assert name == "answer"
    assert json.loads(data)["refusal"] == {"reason": "missing_entity", "missing": ["齐齐哈尔"]}


def _collect(events: Iterator[StreamEvent], answers: list[Answer]) -> str:
    async def run() -> str:
        response = await start_stream(events, answers.append)
        parts = [chunk async for chunk in response.body_iterator]
        return b"".join(p if isinstance(p, bytes) else p.encode() for p in parts).decode()

    return anyio.run(run)


def test_a_failure_after_the_first_text_becomes_an_error_event() -> None:
    def events() -> Iterator[StreamEvent]:
        yield StreamEvent(kind="citations", citations=[])
        yield StreamEvent(kind="delta", delta="部分")
        raise BackendUnavailableError("the model server went away")

    answers: list[Answer] = []
    parsed = parse_sse(_collect(events(), answers))
    assert [name for name, _ in parsed] == ["citations", "delta", "error"]
    assert json.loads(parsed[-1][1]) == {"error": {"status": 503, "message": "the model server went away"}}
    assert answers == []


def test_a_failure_before_any_text_raises_before_the_response_starts() -> None:
    def events() -> Iterator[StreamEvent]:
        yield StreamEvent(kind="citations", citations=[])
        raise BackendUnavailableError("no server")

    with pytest.raises(BackendUnavailableError):
        _collect(events(), [])


def test_the_final_answer_is_reported() -> None:
    answer = Answer(question="问", answer="答")
    answers: list[Answer] = []
    events = iter([StreamEvent(kind="delta", delta="答"), StreamEvent(kind="answer", answer=answer)])
    assert [name for name, _ in parse_sse(_collect(events, answers))] == ["delta", "answer"]
    assert answers == [answer]
