"""Running the API with uvicorn for ``rag serve``: where it may listen, and what to print.

Listening beyond loopback exposes the index and, in open local mode, its document endpoints, so it
takes an explicit ``--allow-remote`` *and* configured API keys.
"""

from __future__ import annotations

from rag.errors import RagError
from rag.net import is_loopback
from rag.settings import Settings

LOG_LEVELS = ("critical", "error", "warning", "info", "debug")


class ServeOptionError(RagError):
    """An option of ``rag serve`` that cannot be used."""

    exit_code = 2


class UnsafeBindError(ServeOptionError):
    """A listen address the settings do not allow."""


class WeakKeyError(ServeOptionError):
    """An API key too short to resist guessing."""


def check_keys(settings: Settings) -> None:
    """Refuse to serve with a key shorter than ``min_api_key_chars`` (the key itself is never shown)."""
    short = [n for n, key in enumerate(settings.api_keys, start=1) if len(key) < settings.min_api_key_chars]
    if short:
        which = ", ".join(f"#{n}" for n in short)
        raise WeakKeyError(
            f"refusing to start: API key {which} of RAG_API_KEYS is shorter than {settings.min_api_key_chars} "
            "characters (RAG_MIN_API_KEY_CHARS); use long random keys, e.g. `python -c "
            "\"import secrets; print(secrets.token_urlsafe(32))\"`"
        )


def check_bind(host: str, allow_remote: bool, settings: Settings) -> None:
    """Refuse short API keys, and a non-loopback host unless ``allow_remote`` and API keys are both set."""
    check_keys(settings)
    if is_loopback(host):
        return
    if not allow_remote:
        raise UnsafeBindError(
            f"refusing to listen on {host}: only loopback addresses are allowed by default; "
            "pass --allow-remote (with RAG_API_KEYS set) to accept other machines"
        )
    if not settings.api_keys:
        raise UnsafeBindError(
            f"refusing to listen on {host} without API keys: set RAG_API_KEYS=KEY1,KEY2 "
            "(clients send 'Authorization: Bearer KEY')"
        )


def browse_url(host: str, port: int, path: str = "") -> str:
    """The address to open in a browser for a listen address (0.0.0.0 → 127.0.0.1)."""
    name = host.strip().strip("[]")
    if name in ("0.0.0.0", "::", ""):
        name = "127.0.0.1"
    if ":" in name:
        name = f"[{name}]"
    return f"http://{name}:{port}{path}"


def startup_lines(host: str, port: int, settings: Settings) -> list[str]:
    """What ``rag serve`` prints before starting: addresses, and warnings about open access."""
    lines = [
        f"Chat page:  {browse_url(host, port, '/ui')}",
        f"API docs:   {browse_url(host, port, '/docs')}",
        f"Health:     {browse_url(host, port, '/health')} (503 while the index loads)",
    ]
    if settings.open_local_mode and settings.api_keys:
        lines.append("note: RAG_OPEN_LOCAL_MODE has no effect while API keys are configured.")
    elif settings.open_local_mode:
        lines.append(
            "WARNING: open local mode is on (RAG_OPEN_LOCAL_MODE): anyone who can reach this port "
            "can upload and delete documents without a key. Use it on your own machine only."
        )
    elif not settings.api_keys:
        lines.append("No API keys configured: document endpoints are locked (set RAG_API_KEYS to use them).")
    return lines


def run(settings: Settings, host: str, port: int, log_level: str = "info") -> None:
    """Serve until interrupted; logs are JSON lines on stderr (uvicorn's included)."""
    if log_level not in LOG_LEVELS:
        raise ServeOptionError(f"unknown log level '{log_level}'; choose one of: {', '.join(LOG_LEVELS)}")
    import uvicorn

    from rag.api.app import create_app
    from rag.api.request_log import configure_logging

    configure_logging(log_level)
    app = create_app(settings)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_config=None,  # keep the JSON handlers configure_logging installed
        log_level=log_level,
        access_log=False,  # RequestContextMiddleware writes one access line per request, with its id
        timeout_graceful_shutdown=5,  # do not wait forever for open event streams
    )
