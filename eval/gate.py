"""Quality gates: minimum (or maximum) figures a run must reach, as CI and QA staff set them.

A gate that cannot be measured (no item of the kind it counts, e.g. refusal recall on a dataset
without unanswerable questions) fails: a shrinking dataset must not pass a gate by accident.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from eval.metrics import METRICS, Metrics

__all__ = ["Threshold", "check_thresholds"]

_LABELS = {spec.key: spec for spec in METRICS}


@dataclass(frozen=True)
class Threshold:
    """``metric`` (a key of ``eval.metrics.METRICS``) must be at least / at most ``bound``."""

    metric: str
    bound: float
    kind: Literal["min", "max"] = "min"

    def __post_init__(self) -> None:
        if self.metric not in _LABELS:
            raise ValueError(f"unknown metric '{self.metric}'")


def check_thresholds(metrics: Metrics, thresholds: Sequence[Threshold]) -> list[str]:
    """One message per threshold not met (empty when all pass), e.g.
    ``"Answer accuracy 0.812 is below the minimum 0.85"``."""
    problems = []
    for threshold in thresholds:
        spec = _LABELS[threshold.metric]
        value = metrics.get(threshold.metric)
        if value is None:
            problems.append(f"{spec.label} could not be measured (no {spec.counted_on}); gate {threshold.kind} {threshold.bound:g}")
        elif threshold.kind == "min" and value < threshold.bound:
            problems.append(f"{spec.label} {value:.3f} is below the minimum {threshold.bound:g}")
        elif threshold.kind == "max" and value > threshold.bound:
            problems.append(f"{spec.label} {value:.3f} is above the maximum {threshold.bound:g}")
    return problems
