"""The chat page's HTTP hygiene: login attempts throttled, Gradio's errors in the API's shape.

* ``LoginThrottle``: Gradio's login form accepts as many guesses as a client can send (about 400
  a second). Per client address, after ``max_failures`` failed logins every further failure
  doubles a wait (1 s, 2 s, 4 s, … up to ``MAX_WAIT`` seconds) during which logins get a JSON 429
  with ``Retry-After``; a successful login clears the address's record. Keys are long
  (``min_api_key_chars``), so even without the wait guessing is hopeless; the wait keeps a
  guesser from costing the server CPU.
* ``GradioErrorShape``: Gradio answers errors with ``{"detail": ...}`` or plain text; the API
  promises ``{"error": {"status", "message"}}`` everywhere, so JSON and text errors under the
  page's path are rewritten into that shape (HTML pages and event streams are left alone).
"""

from __future__ import annotations

import json
import math
import time
from collections import OrderedDict
from dataclasses import dataclass

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rag.api.errors import error_body, error_response

#: Longest wait imposed after repeated failures (seconds).
MAX_WAIT = 900.0
#: Client addresses remembered at most (the oldest are forgotten first).
MAX_CLIENTS = 10_000


@dataclass
class _Failures:
    count: int = 0
    blocked_until: float = 0.0


class LoginThrottle:
    """Backoff for failed logins at ``{mount_path}/login`` (see module doc)."""

    def __init__(self, app: ASGIApp, mount_path: str, max_failures: int) -> None:
        self.app = app
        self.login_path = mount_path.rstrip("/") + "/login"
        self.max_failures = max_failures
        self.clients: OrderedDict[str, _Failures] = OrderedDict()

    def wait_after(self, failures: int) -> float:
        """Seconds a client must wait after its ``failures``-th failed login."""
        extra = failures - self.max_failures
        return 0.0 if extra < 0 else min(MAX_WAIT, math.pow(2.0, extra))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST" or scope.get("path") != self.login_path:
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        record = self.clients.get(client)
        now = time.monotonic()
        if record is not None and record.blocked_until > now:
            retry = math.ceil(record.blocked_until - now)
            response = error_response(
                429, f"too many failed logins: try again in {retry} seconds", {"Retry-After": str(retry)}
            )
            await response(scope, receive, send)
            return
        status = 0

        async def watching_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        await self.app(scope, receive, watching_send)
        if status == 200:
            self.clients.pop(client, None)
        elif 400 <= status < 500:
            self._failed(client)

    def _failed(self, client: str) -> None:
        record = self.clients.pop(client, None) or _Failures()
        record.count += 1
        record.blocked_until = time.monotonic() + self.wait_after(record.count)
        self.clients[client] = record
        while len(self.clients) > MAX_CLIENTS:
            self.clients.popitem(last=False)


class GradioErrorShape:
    """Rewrites Gradio's JSON and plain-text error responses under ``mount_path`` (see module doc)."""

    def __init__(self, app: ASGIApp, mount_path: str) -> None:
        self.app = app
        self.prefix = mount_path.rstrip("/") + "/"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def shaping_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = MutableHeaders(raw=list(message.get("headers", [])))
                kind = headers.get("content-type", "")
                if int(message["status"]) >= 400 and kind.startswith(("application/json", "text/plain")):
                    start = message  # hold it until the whole body is known
                    return
                await send(message)
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            status = int(start["status"])
            body = json.dumps(error_body(status, _message_of(b"".join(chunks))), ensure_ascii=False).encode()
            headers = MutableHeaders(raw=list(start.get("headers", [])))
            headers["content-type"] = "application/json"
            headers["content-length"] = str(len(body))
            await send({"type": "http.response.start", "status": status, "headers": headers.raw})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, shaping_send)


def _message_of(body: bytes) -> str:
    """The human message of a Gradio error body (``detail``, ``error`` or the text itself)."""
    text = body.decode("utf-8", "replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        return text or "error"
    if isinstance(data, dict):
        inner = data.get("error")
        if isinstance(inner, dict) and "message" in inner:
            return str(inner["message"])
        for key in ("detail", "error", "message"):
            if key in data:
                return data[key] if isinstance(data[key], str) else json.dumps(data[key], ensure_ascii=False)
    return text
