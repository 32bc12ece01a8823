"""Fixtures for the LLM backend tests: the packaged 0.5B Qwen behind a real llama.cpp server.

The model is assembled once into the configured cache (``RAG_CACHE_DIR``, default ~/.cache/rag) and
the server runs for the whole session on a free loopback port. Without the ``llm`` extra the tests
that need it are skipped with the reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.errors import BackendUnavailableError
from rag.settings import Settings


@pytest.fixture(scope="session")
def model_path() -> Path:
    from rag.llm.model_files import ensure_model

    settings = Settings()
    try:
        return ensure_model("qwen2.5-0.5b", settings.resolve(settings.cache_dir))
    except BackendUnavailableError as exc:  # the 'llm' extra is part of the test install
        pytest.fail(f"the packaged model is missing: {exc}")


@pytest.fixture(scope="session")
def llm_server(model_path: Path) -> Iterator[str]:
    """The base URL (``http://127.0.0.1:PORT/v1``) of a llama.cpp server for the 0.5B model."""
    from rag.llm.server import run_model_server

    settings = Settings()  # RAG_LLM_THREADS=1 is much faster on a machine busy with other work
    with run_model_server(model_path, threads=settings.llm_threads, context=2048) as base_url:
        yield base_url
