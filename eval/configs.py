"""Named evaluation configurations: the built-in ones and those of ``eval/configs.toml``.

A configuration is what ``rag eval --compare`` runs side by side. It separates what can change per
question on one shared engine (retrieval mode, top_k, backend) from settings the engine is built
with (thresholds, fusion weights, ...): the harness reuses loaded models and the index for both
kinds, and only a configuration naming its own ``index_dir`` needs an engine of its own.

TOML format::

    [configs.hybrid-top3]
    description = "hybrid retrieval, only three passages"
    retrieval_mode = "hybrid"
    top_k = 3
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from eval.records import RunOptions
from rag.settings import Settings

__all__ = [
    "BUILTIN_CONFIGS",
    "DEFAULT_CONFIG_FILE",
    "ConfigError",
    "EvalConfig",
    "INDEX_KEYS",
    "load_config_file",
    "resolve_configs",
]

#: The project's configuration file, package data next to this module.
DEFAULT_CONFIG_FILE: Traversable = resources.files("eval").joinpath("configs.toml")

_PER_CALL = ("retrieval_mode", "top_k", "backend")
#: Settings that shape the index itself: changing them needs an index built with them.
INDEX_KEYS = frozenset({
    "embedding_model", "embedding_runtime", "query_prefix", "passage_prefix", "chunk_size", "chunk_overlap",
    "index_type", "domain_pack",
})
#: Settings that say where the index and models are; a configuration setting them gets its own engine.
LOCATION_KEYS = frozenset({"index_dir", "corpus_dir", "cache_dir"})


class ConfigError(ValueError):
    """An unknown configuration name or an invalid configuration file."""


@dataclass(frozen=True)
class EvalConfig:
    """One named configuration: per-call options plus settings overrides for the engine."""

    name: str
    options: RunOptions = RunOptions()
    engine_overrides: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""

    @property
    def needs_own_index(self) -> bool:
        """True when the configuration points at another index (and so its own engine)."""
        return bool(LOCATION_KEYS & set(self.engine_overrides))

    def with_default_backend(self, backend: str | None) -> EvalConfig:
        """This configuration, answering with ``backend`` unless it names a backend itself."""
        if backend is None or self.options.backend is not None:
            return self
        options = RunOptions(backend=backend, mode=self.options.mode, top_k=self.options.top_k)
        return EvalConfig(self.name, options, self.engine_overrides, self.description)


BUILTIN_CONFIGS: dict[str, EvalConfig] = {
    **{
        mode: EvalConfig(mode, RunOptions(mode=mode), description=f"{mode} retrieval")
        for mode in ("bm25", "dense", "hybrid")
    },
    **{
        backend: EvalConfig(backend, RunOptions(backend=backend), description=f"{backend} backend")
        for backend in ("extractive", "openai", "local")
    },
}


def _parse_config(name: str, table: Any) -> EvalConfig:
    """One ``[configs.NAME]`` table, checked against the ``Settings`` fields."""
    if not isinstance(table, dict):
        raise ConfigError(f"[configs.{name}] must be a table of settings")
    values = dict(table)
    description = values.pop("description", "")
    unknown = sorted(set(values) - set(Settings.model_fields))
    if unknown:
        raise ConfigError(f"[configs.{name}]: unknown setting(s) {', '.join(unknown)}")
    if INDEX_KEYS & set(values) and "index_dir" not in values:
        keys = ", ".join(sorted(INDEX_KEYS & set(values)))
        raise ConfigError(f"[configs.{name}]: {keys} change the index; also give the index_dir built with them")
    try:
        checked = Settings(**values)  # explicit values win over the environment
    except ValidationError as error:
        reasons = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise ConfigError(f"[configs.{name}]: {reasons}") from None
    options = RunOptions(
        backend=checked.backend if "backend" in values else None,
        mode=checked.retrieval_mode if "retrieval_mode" in values else None,
        top_k=checked.top_k if "top_k" in values else None,
    )
    overrides = {key: getattr(checked, key) for key in values if key not in _PER_CALL}
    return EvalConfig(name, options, overrides, str(description))


def load_config_file(path: Path | Traversable) -> dict[str, EvalConfig]:
    """The ``[configs.*]`` tables of a TOML file; a missing file holds no configuration."""
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML ({error})") from None
    tables = data.get("configs", {})
    if not isinstance(tables, dict):
        raise ConfigError(f"{path}: 'configs' must be a table of [configs.NAME] tables")
    clash = sorted(set(tables) & set(BUILTIN_CONFIGS))
    if clash:
        raise ConfigError(f"{path}: {', '.join(clash)} are built-in names; choose another name")
    return {name: _parse_config(name, table) for name, table in tables.items()}


def resolve_configs(
    names: Sequence[str], config_file: Path | Traversable = DEFAULT_CONFIG_FILE
) -> list[EvalConfig]:
    """The configurations called ``names``, in order; unknown names are reported all at once."""
    available = {**BUILTIN_CONFIGS, **load_config_file(config_file)}
    unknown = [name for name in names if name not in available]
    if unknown:
        raise ConfigError(
            f"unknown configuration(s): {', '.join(unknown)}; choose from: {', '.join(available)}"
        )
    duplicates = sorted({name for name in names if list(names).count(name) > 1})
    if duplicates:
        raise ConfigError(f"configuration(s) named twice: {', '.join(duplicates)}")
    return [available[name] for name in names]
