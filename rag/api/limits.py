"""Limits on request bodies, enforced before anything parses them: size and time.

FastAPI reads a JSON body completely, and before any dependency runs, so without a cap an
unauthenticated client could make the server buffer a gigabyte before being told 401, or hold a
worker by sending headers and then a byte a minute. Bodies of the capped routes are read here up to
``max_bytes`` (``Content-Length`` is checked first, chunked bodies are counted) within
``timeout`` seconds, and replayed to the app; anything larger gets a JSON 413 and anything slower a
JSON 408. Uploads have their own, per-file limit (``rag.api.uploads``).

``read_body`` and ``replay`` are shared with the chat page's file guard (``ui.upload_guard``),
which must see an event's whole body before Gradio touches any file it names.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

import anyio
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rag.api.errors import error_response

#: Far above any valid /ask body (a 2,000-character question with 50 turns of history).
JSON_BODY_LIMIT = 1024 * 1024
#: Seconds a client may take to send a whole JSON body (a slow-body client holds a connection).
BODY_READ_TIMEOUT = 30.0


def header(scope: Scope, name: bytes) -> str | None:
    """One request header (lower-case ``name``) of an ASGI scope, decoded as Latin-1."""
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


class BodyTooLargeError(Exception):
    """The body is over the limit (declared or counted)."""


class BodyTimeoutError(Exception):
    """The client did not send the whole body in time."""


class ClientDisconnectedError(Exception):
    """The client went away before the body was complete."""


async def read_body(scope: Scope, receive: Receive, max_bytes: int, timeout: float) -> bytes:
    """The whole request body, at most ``max_bytes``, received within ``timeout`` seconds."""
    declared = header(scope, b"content-length") or ""
    if declared.isdigit() and int(declared) > max_bytes:
        raise BodyTooLargeError
    chunks: list[bytes] = []
    size = 0
    with anyio.move_on_after(timeout) as scope_timer:
        while True:
            message = await receive()
            if message["type"] != "http.request":
                raise ClientDisconnectedError
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > max_bytes:
                raise BodyTooLargeError
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
    if scope_timer.cancelled_caught:
        raise BodyTimeoutError
    return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the app the already read ``body``, then waits like the original."""
    replayed = False

    async def replaying() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # after the body: wait for the disconnect like a normal receive

    return replaying


#: Makes the response for an error status and message (the API's shape, or /v1's OpenAI shape).
ErrorResponder = Callable[..., Response]


async def read_limited_body(
    scope: Scope, receive: Receive, send: Send, max_bytes: int, timeout: float,
    respond: ErrorResponder = error_response,
) -> bytes | None:
    """``read_body`` that answers 413 / 408 itself (through ``respond``); None when it did (or
    the client left)."""
    try:
        return await read_body(scope, receive, max_bytes, timeout)
    except BodyTooLargeError:
        response = respond(413, f"request body too large: the limit is {max_bytes} bytes")
    except BodyTimeoutError:
        response = respond(408, f"request body not received within {timeout:g} seconds")
    except ClientDisconnectedError:
        return None
    await response(scope, receive, send)
    return None


class JsonBodyLimitMiddleware:
    """413 for bodies over ``max_bytes``, 408 for bodies slower than ``timeout`` (pure ASGI).

    ``authorize`` (when given) runs on the request's headers before the body is read, so a client
    without a valid key is told 401 without the server waiting for, or buffering, its body.
    """

    def __init__(
        self, app: ASGIApp, paths: Collection[str], max_bytes: int = JSON_BODY_LIMIT,
        timeout: float = BODY_READ_TIMEOUT, authorize: Callable[[Scope], str | None] | None = None,
    ) -> None:
        self.app = app
        self.paths = frozenset(paths)
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.authorize = authorize

    def error(self, status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
        """The response for a refused body: the API's ``{"error": …}`` (a subclass may change it)."""
        return error_response(status, message, headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") not in self.paths:
            await self.app(scope, receive, send)
            return
        refusal = self.authorize(scope) if self.authorize is not None else None
        if refusal is not None:
            response = self.error(401, refusal, {"WWW-Authenticate": "Bearer"})
            await response(scope, receive, send)
            return
        body = await read_limited_body(scope, receive, send, self.max_bytes, self.timeout, self.error)
        if body is None:
            return
        await self.app(scope, replay(body, receive), send)
