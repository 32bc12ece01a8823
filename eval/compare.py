"""Running several named configurations over the same items, loading the models only once.

Loading the embedding model and the index is the slow part of a run, so configurations share them:
per-call options (retrieval mode, top_k, backend) run on the base engine itself; other settings get
an engine built around the base engine's embedder and index snapshot; only a configuration with
its own ``index_dir`` opens a separate engine.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from eval.configs import EvalConfig
from eval.harness import Harness
from eval.items import EvalItem
from eval.records import RunResult
from rag.engine import Engine
from rag.settings import Settings

__all__ = ["EnginePool", "run_configs"]


class EnginePool:
    """Engines for configurations, built on demand from one base engine and cached by settings."""

    def __init__(self, base: Engine) -> None:
        self.base = base
        self._engines: dict[tuple[tuple[str, str], ...], Engine] = {(): base}

    def engine_for(self, config: EvalConfig) -> Engine:
        """The engine a configuration runs on (the base one when it overrides no setting)."""
        key = tuple(sorted((name, repr(value)) for name, value in config.engine_overrides.items()))
        if key not in self._engines:
            base_settings = self.base.settings.model_dump()
            settings = Settings(**{**base_settings, **config.engine_overrides})
            if config.needs_own_index:
                self._engines[key] = Engine.open(settings)
            else:
                self._engines[key] = Engine(settings, self.base.embedder, self.base.index)
        return self._engines[key]


def run_configs(
    base: Engine,
    configs: Sequence[EvalConfig],
    items: Sequence[EvalItem],
    *,
    progress: bool = True,
    on_done: Callable[[EvalConfig, RunResult], Any] | None = None,
) -> list[tuple[EvalConfig, RunResult]]:
    """Run every configuration over ``items`` in order; ``on_done`` is told after each one."""
    pool = EnginePool(base)
    results = []
    for config in configs:
        harness = Harness(pool.engine_for(config), progress=progress)
        run = harness.run(items, config.options, label=config.name)
        run.settings["config_description"] = config.description
        if on_done is not None:
            on_done(config, run)
        results.append((config, run))
    return results
