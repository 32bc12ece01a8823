"""Fixtures for the HTTP API tests: real uvicorn servers on loopback, driven with httpx.

Each server runs ``uvicorn.Server.run`` in a background thread on a socket bound to a free port of
127.0.0.1 (bound here, so there is no race for the port), and the fixture waits until ``/health``
answers 200. Read-only tests share one server over the session's corpus engine; tests that change
documents get a server over ``fresh_engine`` (a private copy of the index, from tests/conftest.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from rag.api.app import create_app
from rag.engine import Engine

from .support import API_KEYS, LiveServer, api_settings, live_server


@pytest.fixture(scope="session")
def corpus_server(corpus_index_dir: Path, corpus_engine: Engine) -> Iterator[LiveServer]:
    """Read-only server over the corpus: no API keys, document endpoints locked."""
    app = create_app(api_settings(corpus_index_dir), engine=corpus_engine, mount_ui=False)
    with live_server(app) as server:
        yield server


@pytest.fixture()
def client(corpus_server: LiveServer) -> Iterator[httpx.Client]:
    with corpus_server.client() as http:
        yield http


@pytest.fixture(scope="session")
def keyed_server(corpus_index_dir: Path, corpus_engine: Engine) -> Iterator[LiveServer]:
    """Read-only server over the corpus with API keys configured."""
    app = create_app(api_settings(corpus_index_dir, api_keys=API_KEYS), engine=corpus_engine, mount_ui=False)
    with live_server(app) as server:
        yield server


@pytest.fixture()
def open_server_factory(fresh_engine: Engine) -> Iterator[Callable[..., LiveServer]]:
    """Start servers in open local mode over this test's private index (settings overridable)."""
    with ExitStack() as stack:

        def start(**overrides: object) -> LiveServer:
            settings = api_settings(fresh_engine.settings.index_dir, open_local_mode=True, **overrides)
            return stack.enter_context(live_server(create_app(settings, engine=fresh_engine, mount_ui=False)))

        yield start


@pytest.fixture()
def open_server(open_server_factory: Callable[..., LiveServer]) -> LiveServer:
    """A server in open local mode over a private copy of the index (safe to change documents)."""
    return open_server_factory()


