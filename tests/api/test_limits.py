"""The JSON body cap, on a bare ASGI app (no server needed)."""

from __future__ import annotations

import asyncio

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


def call(path: str, chunks: list[bytes], headers: list[tuple[bytes, bytes]] | None = None) -> tuple[int, bytes]:
    app = JsonBodyLimitMiddleware(echo_length, paths={"/ask"}, max_bytes=100)
    incoming = [
        {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)
    ]
    sent: list[Message] = []

    async def receive() -> Message:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": path, "headers": headers or []}
    asyncio.run(app(scope, receive, send))
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


def test_small_bodies_are_replayed_whole() -> None:
    assert call("/ask", [b"a" * 60, b"b" * 40]) == (200, b"100")


def test_large_bodies_are_refused_whether_declared_or_chunked() -> None:
    status, body = call("/ask", [b"a" * 60, b"b" * 41])
    assert status == 413 and b'"status":413' in body
    assert call("/ask", [b"a"], headers=[(b"content-length", b"5000")])[0] == 413


def test_other_paths_are_untouched() -> None:
    assert call("/documents", [b"a" * 500]) == (200, b"500")
