"""The server-sent-event encoding of streamed answers."""

from __future__ import annotations

import json

from rag.api.sse import encode_event
from rag.backends.base import StreamEvent
from rag.schema import Answer, Citation

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
