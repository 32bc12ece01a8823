"""Named evaluation configurations (``eval/configs.py`` and ``eval/configs.toml``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.configs import BUILTIN_CONFIGS, DEFAULT_CONFIG_FILE, ConfigError, load_config_file, resolve_configs
from eval.records import RunOptions


def _toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "configs.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_builtin_names() -> None:
    bm25, dense, local = resolve_configs(["bm25", "dense", "local"], Path("missing.toml"))
    assert bm25.options == RunOptions(mode="bm25") and not bm25.engine_overrides
    assert dense.options.mode == "dense"
    assert local.options == RunOptions(backend="local")


def test_project_config_file_is_valid() -> None:
    configs = load_config_file(DEFAULT_CONFIG_FILE)
    assert "hybrid-top3" in configs
    assert configs["hybrid-top3"].options == RunOptions(mode="hybrid", top_k=3)
    assert all(not config.needs_own_index for config in configs.values())


def test_toml_splits_per_call_options_from_engine_settings(tmp_path: Path) -> None:
    path = _toml(tmp_path, """
[configs.strict]
description = "stricter refusals"
min_answer_score = 0.5
top_k = 3
backend = "extractive"
""")
    (strict,) = resolve_configs(["strict"], path)
    assert strict.options == RunOptions(backend="extractive", top_k=3)
    assert dict(strict.engine_overrides) == {"min_answer_score": 0.5}
    assert strict.description == "stricter refusals"


def test_default_backend_applies_only_when_unset() -> None:
    assert BUILTIN_CONFIGS["bm25"].with_default_backend("openai").options == RunOptions(backend="openai", mode="bm25")
    assert BUILTIN_CONFIGS["local"].with_default_backend("openai").options.backend == "local"
    assert BUILTIN_CONFIGS["dense"].with_default_backend(None) is BUILTIN_CONFIGS["dense"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[configs.x]\ntop_kk = 3\n", "unknown setting(s) top_kk"),
        ("[configs.x]\ntop_k = 0\n", "top_k"),
        ("[configs.x]\nretrieval_mode = \"fuzzy\"\n", "retrieval_mode"),
        ("[configs.x]\nchunk_size = 200\n", "give the index_dir"),
        ("[configs.bm25]\ntop_k = 3\n", "built-in"),
        ("[configs\n", "invalid TOML"),
    ],
)
def test_invalid_config_files(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        resolve_configs(["x"], _toml(tmp_path, text))


def test_unknown_and_repeated_names(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown configuration\\(s\\): nope, zilch; choose from: bm25"):
        resolve_configs(["bm25", "nope", "zilch"], Path("missing.toml"))
    with pytest.raises(ConfigError, match="named twice: dense"):
        resolve_configs(["dense", "dense"], Path("missing.toml"))


def test_own_index_configuration(tmp_path: Path) -> None:
    path = _toml(tmp_path, '[configs.small-chunks]\nchunk_size = 150\nindex_dir = "index/small"\n')
    (config,) = resolve_configs(["small-chunks"], path)
    assert config.needs_own_index
    assert config.engine_overrides["chunk_size"] == 150
