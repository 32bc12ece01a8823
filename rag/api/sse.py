"""Server-sent events for streamed answers.

Each engine ``StreamEvent`` becomes one SSE event whose ``data`` is a single line of JSON:
``citations`` (a list of citations), ``delta`` (a JSON string: the next piece of answer text),
``answer`` (the complete ``Answer`` object), or ``error`` (the usual error envelope) if the answer
fails after the stream has started. JSON keeps newlines in answer text from breaking the framing.

The engine's stream is a blocking iterator (retrieval, embedding, an LLM call), so it is advanced in
the threadpool. Events are pulled up to the first text (or the answer) before the response starts:
bad input and an unreachable LLM server then still get a proper HTTP status (422, 503) instead of a
200 stream that only says so in an ``error`` event. Citations are held back until then, which costs
a streamed LLM answer its prompt-processing time before the first byte, not more.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import suppress

from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.responses import StreamingResponse

from rag.answering.base import StreamEvent
from rag.api.errors import error_body
from rag.errors import RagError
from rag.schema import Answer

logger = logging.getLogger("rag.api")

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def format_sse(event: str, data: str) -> bytes:
    """One SSE frame; ``data`` must be a single line (JSON always is)."""
    return f"event: {event}\ndata: {data}\n\n".encode()


def encode_event(event: StreamEvent) -> bytes:
    if event.kind == "citations":
        payload = json.dumps([c.model_dump(mode="json") for c in event.citations or []], ensure_ascii=False)
    elif event.kind == "delta":
        payload = json.dumps(event.delta, ensure_ascii=False)
    else:
        payload = event.answer.model_dump_json() if event.answer is not None else "null"
    return format_sse(event.kind, payload)


def _until_text(events: Iterator[StreamEvent]) -> list[StreamEvent]:
    """The events up to and including the first that is not ``citations`` (errors raise here)."""
    pulled: list[StreamEvent] = []
    for event in events:
        pulled.append(event)
        if event.kind != "citations":
            break
    return pulled


async def start_stream(events: Iterator[StreamEvent], on_answer: Callable[[Answer], None]) -> StreamingResponse:
    """Pull events up to the first text (errors raise here, before any byte is sent), then stream."""
    pending = await run_in_threadpool(_until_text, events)

    async def body() -> AsyncIterator[bytes]:
        try:
            for event in pending:
                yield _observed(event, on_answer)
            async for event in iterate_in_threadpool(events):
                yield _observed(event, on_answer)
        except RagError as error:
            yield format_sse("error", json.dumps(error_body(error.http_status, str(error)), ensure_ascii=False))
        except Exception as error:
            logger.error("streamed answer failed: %s", error, exc_info=error)
            yield format_sse("error", json.dumps(error_body(500, "internal server error"), ensure_ascii=False))
        finally:
            _close_quietly(events)

    return StreamingResponse(body(), media_type="text/event-stream", headers=SSE_HEADERS)


def _observed(event: StreamEvent, on_answer: Callable[[Answer], None]) -> bytes:
    if event.kind == "answer" and event.answer is not None:
        on_answer(event.answer)
    return encode_event(event)


def _close_quietly(events: Iterator[StreamEvent]) -> None:
    """Close the engine's generator (e.g. an LLM HTTP stream) when the client goes away early."""
    close = getattr(events, "close", None)
    if callable(close):
        with suppress(ValueError):  # still running in a worker thread: collected when it finishes
            close()
