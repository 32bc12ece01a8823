"""API keys: who may call what.

* With ``settings.api_keys`` set, every endpoint except ``/health`` (the API docs and
  ``/openapi.json`` included) needs ``Authorization: Bearer KEY``.
* Document endpoints change the index, so they always need a valid key; the one exception is
  ``settings.open_local_mode`` (single-user use on one's own machine), which opens them when no
  key is configured. Without keys and without that mode they answer 401 with how to fix it.

Keys are compared in constant time against every configured key, so timing reveals nothing.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from rag.api.errors import UnauthorizedError
from rag.settings import Settings

#: Shown in the OpenAPI docs (the "Authorize" button); missing headers are handled below.
bearer_scheme = HTTPBearer(
    auto_error=False,
    description="An API key from RAG_API_KEYS, sent as `Authorization: Bearer KEY`.",
)

Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]

DOCUMENTS_LOCKED_MESSAGE = (
    "document endpoints need an API key: set RAG_API_KEYS=KEY1,KEY2 on the server and send "
    "'Authorization: Bearer KEY', or, for single-user use on your own machine only, start the "
    "server with RAG_OPEN_LOCAL_MODE=true"
)


def key_is_valid(settings: Settings, presented: str) -> bool:
    """True when ``presented`` equals one of the configured keys (constant-time comparison)."""
    candidate = presented.encode("utf-8")
    matched = False
    for key in settings.api_keys:
        matched |= hmac.compare_digest(candidate, key.encode("utf-8"))
    return matched


MISSING_KEY_MESSAGE = "missing API key: send 'Authorization: Bearer KEY'"
INVALID_KEY_MESSAGE = "invalid API key"


def key_id(key: str) -> str:
    """A stable, non-secret name for a key, recorded as who added a document: ``key-`` and the
    first 12 hex digits of its SHA-256 (keys are long and random, so this reveals nothing)."""
    return "key-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


def caller_id(settings: Settings, credentials: HTTPAuthorizationCredentials | None) -> str:
    """Who is calling a document endpoint: the key's id, or ``local`` in open local mode."""
    if settings.api_keys and credentials is not None and key_is_valid(settings, credentials.credentials):
        return key_id(credentials.credentials)
    return "local"


def _check_key(settings: Settings, credentials: HTTPAuthorizationCredentials | None) -> None:
    if credentials is None or not credentials.credentials:
        raise UnauthorizedError(MISSING_KEY_MESSAGE)
    if not key_is_valid(settings, credentials.credentials):
        raise UnauthorizedError(INVALID_KEY_MESSAGE)


def bearer_refusal(settings: Settings, authorization: str | None) -> str | None:
    """Why an ``Authorization`` header value does not grant API access (None when it does).

    The same rule as ``require_api_key``, for middleware that must decide from the headers alone,
    before a request body is read.
    """
    if not settings.api_keys:
        return None
    scheme, _, key = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        return MISSING_KEY_MESSAGE
    return None if key_is_valid(settings, key.strip()) else INVALID_KEY_MESSAGE


def require_api_key(request: Request, credentials: Credentials) -> None:
    """Dependency for every API endpoint but ``/health``: a valid key when keys are configured."""
    settings: Settings = request.app.state.settings
    if settings.api_keys:
        _check_key(settings, credentials)


def require_document_access(request: Request, credentials: Credentials) -> None:
    """Dependency for the document endpoints: a valid key, unless open local mode is on."""
    settings: Settings = request.app.state.settings
    if settings.api_keys:
        _check_key(settings, credentials)
    elif not settings.open_local_mode:
        raise UnauthorizedError(DOCUMENTS_LOCKED_MESSAGE)
