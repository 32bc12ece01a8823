"""The JSON body cap, on a bare ASGI app (no server needed)."""

from __future__ import annotations

import asyncio
import time

from starlette.types import Message, Receive, Scope, Send

from rag.api.limits import JsonBodyLimitMiddleware


async def echo_length(scope: Scope, receive: Receive, send: Send) -> None:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": str(len(body)).encode()})


def call(
    path: str, chunks: list[bytes], headers: list[tuple[bytes, bytes]] | None = None,
    app: JsonBodyLimitMiddleware | None = None, stall: bool = False,
) -> tuple[int, bytes]:
    """Drive the middleware with ``chunks``; with ``stall`` the client then sends nothing more."""
    app = app or JsonBodyLimitMiddleware(echo_length, paths={"/ask"}, max_bytes=100)
    incoming = [
        {"type": "http.request", "body": c, "more_body": stall or i < len(chunks) - 1} for i, c in enumerate(chunks)
    ]
    sent: list[Message] = []
    received: list[int] = []

    async def receive() -> Message:
        received.append(1)
        if incoming:
            return incoming.pop(0)
        if stall:
            await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": path, "headers": headers or []}
    asyncio.run(app(scope, receive, send))
    call.received = len(received)  # type: ignore[attr-defined]
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


def test_small_bodies_are_replayed_whole() -> None:
    assert call("/ask", [b"a" * 60, b"b" * 40]) == (200, b"100")


def test_large_bodies_are_refused_whether_declared_or_chunked() -> None:
    status, body = call("/ask", [b"a" * 60, b"b" * 41])
    assert status == 413 and b'"status":413' in body
    assert call("/ask", [b"a"], headers=[(b"content-length", b"5000")])[0] == 413


def test_other_paths_are_untouched() -> None:
    assert call("/documents", [b"a" * 500]) == (200, b"500")


def test_a_stalled_body_gets_408_after_the_timeout() -> None:
    app = JsonBodyLimitMiddleware(echo_length, paths={"/ask"}, max_bytes=100, timeout=0.2)
    started = time.monotonic()
    status, body = call("/ask", [b'{"question": "'], app=app, stall=True)
    assert status == 408 and b'"status":408' in body
    assert time.monotonic() - started < 5


def test_a_caller_without_a_key_is_refused_before_the_body_is_read() -> None:
    app = JsonBodyLimitMiddleware(
        echo_length, paths={"/ask"}, max_bytes=100,
        authorize=lambda scope: None if (b"authorization", b"Bearer good") in scope["headers"] else "no key",
    )
    status, body = call("/ask", [b"a" * 10], app=app, stall=True)
    assert status == 401 and b"no key" in body
    assert call.received == 0  # type: ignore[attr-defined]
    assert call("/ask", [b"a" * 10], headers=[(b"authorization", b"Bearer good")], app=app) == (200, b"10")
