"""One JSON error shape for every failure: ``{"error": {"status": 422, "message": "..."}}``.

Clients (and the tests) can rely on that body whatever went wrong: a product error (``RagError``
carries its own HTTP status), a FastAPI validation error, a Starlette HTTP error (404 for an unknown
path, 405) or a bug. A bug becomes a 500 with a generic message (``rag.api.request_log`` does
that, since it knows the request id); the traceback goes to the log, never to the client.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from rag.errors import RagError

logger = logging.getLogger("rag.api")


class ApiError(RagError):
    """An error only the HTTP layer raises; ``headers`` are added to the response."""

    http_status = 400
    headers: ClassVar[Mapping[str, str]] = {}


class UnauthorizedError(ApiError):
    """Missing or wrong API key (or document endpoints with no key configured)."""

    http_status = 401
    headers: ClassVar[Mapping[str, str]] = {"WWW-Authenticate": "Bearer"}


class NotFoundError(ApiError):
    """A document id that is not in the index."""

    http_status = 404


class UnprocessableError(ApiError):
    """Well-formed but unusable input the models cannot express (no file uploaded, duplicates)."""

    http_status = 422


class PayloadTooLargeError(ApiError):
    """An upload over ``max_upload_bytes`` (or with too many files)."""

    http_status = 413


class NotReadyError(ApiError):
    """The engine is still loading, or failed to load."""

    http_status = 503
    headers: ClassVar[Mapping[str, str]] = {"Retry-After": "5"}


def error_body(status: int, message: str) -> dict[str, Any]:
    """The error envelope every non-2xx JSON response uses. A message that repeats invalid input
    (a lone surrogate) is made encodable, so reporting bad input can never itself fail."""
    printable = message.encode("utf-8", "replace").decode("utf-8")
    return {"error": {"status": status, "message": printable}}


def error_response(status: int, message: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(status, message), status_code=status, headers=dict(headers or {}))


def _validation_message(error: RequestValidationError) -> str:
    """A short human message from pydantic's error list: where and what, for each problem."""
    parts = []
    for item in error.errors()[:5]:
        location = ".".join(str(p) for p in item.get("loc", ()) if p != "body") or "body"
        parts.append(f"{location}: {item.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def _is_malformed_json(error: RequestValidationError) -> bool:
    return any(item.get("type") == "json_invalid" for item in error.errors())


async def _on_rag_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RagError)
    status = error.http_status
    if status >= 500:
        logger.warning("request failed: %s", error)
    return error_response(status, str(error), getattr(error, "headers", None))


async def _on_validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    if _is_malformed_json(error):
        return error_response(400, "malformed JSON in the request body")
    return error_response(422, _validation_message(error))


async def _on_http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    message = error.detail if isinstance(error.detail, str) else str(error.detail)
    headers = dict(error.headers or {})
    if error.status_code == 405:
        headers["Allow"] = ", ".join(_allowed_methods(request))
    return error_response(error.status_code, message, headers)


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path (Starlette names only the first route's)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches({**request.scope, "method": "GET"})
        route_methods = getattr(route, "methods", None)
        if match != Match.NONE and route_methods:
            methods.update(route_methods)
    return sorted(methods)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers; call once from ``create_app``."""
    app.add_exception_handler(RagError, _on_rag_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    # Unexpected exceptions are turned into a 500 by the request middleware (rag.api.request_log),
    # which knows the request id and logs the traceback.
