"""Request ids and structured (JSON-lines) logs.

Every request gets an id: the client's ``X-Request-ID`` when it is a sane token, otherwise a fresh
one. It is echoed in the response header, stored in a context variable so every log record written
while serving the request (in the event loop or in a worker thread) carries it, and written in one
access-log line per request. The middleware is also the last resort for bugs: an unexpected
exception becomes a JSON 500 naming the request id, and its traceback goes to the log only.

Nothing here configures logging on import; ``configure_logging`` is called by ``rag serve``.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rag.api.errors import error_response

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")

#: The id of the request being served ('' outside a request).
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("rag_request_id", default="")

access_logger = logging.getLogger("rag.api.access")

# Attributes every LogRecord has; anything else was passed with ``extra=`` and is logged as a field
# (uvicorn's ANSI-coloured duplicate of its message is dropped too).
_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message", "asctime", "color_message",
}


class RequestIdFilter(logging.Filter):
    """Stamps each record with the current request id (attach it to handlers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and any ``extra`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_") and value not in ("", None):
                payload[key] = value
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False, default=str)


def configure_logging(level: str = "info") -> None:
    """Send every logger (ours, uvicorn's) to stderr as JSON lines; replaces root handlers."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(level.upper())  # libraries that lower their own logger's level stay quiet
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            candidate = value.decode("latin-1").strip()
            return candidate if _VALID_ID.match(candidate) else None
    return None


def route_label(scope: Scope) -> str:
    """The matched route's path template (bounded cardinality for logs and metrics)."""
    route = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    if not template:
        return "unmatched"
    return f"{scope.get('root_path', '').rstrip('/')}{template}" if scope.get("root_path") else template


class RequestContextMiddleware:
    """Request id, access log and the JSON 500 for unexpected exceptions (pure ASGI, stream-safe)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope) or uuid.uuid4().hex
        token = request_id_var.set(request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as error:  # the last resort: never a traceback to the client
            access_logger.error("unhandled error: %s", error, exc_info=error)
            if not response_started:
                response = error_response(
                    500, f"internal server error (request id {request_id})", {REQUEST_ID_HEADER: request_id}
                )
                await response(scope, receive, send)
                status = 500
        finally:
            access_logger.info(
                "%s %s %s",
                scope.get("method", ""),
                scope.get("path", ""),
                status,
                extra={
                    "method": scope.get("method", ""),
                    "path": scope.get("path", ""),
                    "route": route_label(scope),
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "client": (scope.get("client") or ("", 0))[0],
                },
            )
            request_id_var.reset(token)
