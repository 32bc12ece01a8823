"""A size cap on JSON request bodies, enforced before anything parses them.

FastAPI reads a JSON body completely, and before any dependency runs, so without a cap an
unauthenticated client could make the server buffer a gigabyte before being told 401. Bodies of the
capped routes are read here up to ``max_bytes`` (``Content-Length`` is checked first, chunked bodies
are counted) and replayed to the app; anything larger gets a JSON 413. Uploads have their own,
per-file limit (``rag.api.uploads``) and the chat page's routes are left alone.
"""

from __future__ import annotations

from collections.abc import Collection

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rag.api.errors import error_response

#: Far above any valid /ask body (a 2,000-character question with 50 turns of history).
JSON_BODY_LIMIT = 1024 * 1024


class JsonBodyLimitMiddleware:
    """413 for bodies over ``max_bytes`` on the given paths (pure ASGI)."""

    def __init__(self, app: ASGIApp, paths: Collection[str], max_bytes: int = JSON_BODY_LIMIT) -> None:
        self.app = app
        self.paths = frozenset(paths)
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") not in self.paths:
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", ())).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # disconnected: let the app see it
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: wait for the disconnect like a normal receive

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(413, f"request body too large: the limit is {self.max_bytes} bytes")
        await response(scope, receive, send)
