"""Running several configurations (``eval/compare.py``): models and index are loaded once."""

from __future__ import annotations

from eval.compare import EnginePool, run_configs
from eval.configs import BUILTIN_CONFIGS, EvalConfig
from eval.items import load_items
from eval.records import RunOptions
from rag.engine import Engine
from rag.settings import PROJECT_ROOT

DATASET = PROJECT_ROOT / "eval" / "datasets" / "corpus_qa.jsonl"


def test_per_call_configurations_share_the_engine(corpus_engine: Engine) -> None:
    pool = EnginePool(corpus_engine)
    for name in ("bm25", "dense", "hybrid", "extractive"):
        assert pool.engine_for(BUILTIN_CONFIGS[name]) is corpus_engine


def test_setting_overrides_reuse_model_and_index(corpus_engine: Engine) -> None:
    pool = EnginePool(corpus_engine)
    strict = EvalConfig("strict", RunOptions(top_k=3), {"min_answer_score": 0.6})
    engine = pool.engine_for(strict)
    assert engine is not corpus_engine
    assert engine.settings.min_answer_score == 0.6
    assert engine.settings.index_dir == corpus_engine.settings.index_dir
    assert engine.embedder is corpus_engine.embedder and engine.index is corpus_engine.index
    assert pool.engine_for(EvalConfig("again", RunOptions(), {"min_answer_score": 0.6})) is engine


def test_run_configs_runs_each_in_order(corpus_engine: Engine) -> None:
    items = [item for item in load_items(DATASET) if item.id in ("hlj5y-01", "na-01")]
    seen: list[str] = []
    results = run_configs(
        corpus_engine, [BUILTIN_CONFIGS["bm25"], BUILTIN_CONFIGS["dense"]], items, progress=False,
        on_done=lambda config, run: seen.append(config.name),
    )
    assert seen == ["bm25", "dense"]
    assert [run.label for _, run in results] == ["bm25", "dense"]
    assert [run.settings["retrieval_mode"] for _, run in results] == ["bm25", "dense"]
    assert all(len(run.records) == 2 for _, run in results)
