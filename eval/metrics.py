"""Aggregating graded records into the figures QA staff track, overall and per type and language.

Every rate keeps its numerator and denominator, so a report can say "0.85 (170/200)" and a
breakdown with no applicable item shows "—" instead of a misleading 0. Which items each metric
counts:

* answer accuracy -- all items (an unanswerable item is correct when refused);
* wrong -- all items: answered but not correct, a wrong bold short answer included (lower is better);
* short answer holds gold, short-answer exact match, hit@1, hit@5, MRR, false-refusal rate -- answerable items;
* citation accuracy -- answerable items the system answered (a refusal cites nothing to support);
* refusal recall -- unanswerable items;
* latency p50/p95 -- all items.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from eval.records import ItemRecord

__all__ = ["METRICS", "MetricSpec", "Metrics", "MetricsReport", "Ratio", "aggregate", "percentile", "summarize"]


@dataclass(frozen=True)
class Ratio:
    """A rate or mean: ``numerator / denominator``; no value when nothing was counted."""

    numerator: float
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    def to_dict(self) -> dict[str, Any]:
        value = self.value
        return {
            "value": None if value is None else round(value, 4),
            "numerator": round(self.numerator, 4),
            "denominator": self.denominator,
        }


@dataclass(frozen=True)
class Metrics:
    """The figures of one group of records."""

    items: int
    accuracy: Ratio
    wrong: Ratio
    short_holds: Ratio
    short_exact: Ratio
    citation: Ratio
    hit_at_1: Ratio
    hit_at_5: Ratio
    mrr: Ratio
    refusal_recall: Ratio
    false_refusal: Ratio
    latency_p50_ms: float | None
    latency_p95_ms: float | None

    def get(self, key: str) -> float | None:
        """A metric's value by its key in :data:`METRICS` (ratios give their value)."""
        attribute = getattr(self, key)
        return attribute.value if isinstance(attribute, Ratio) else attribute

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"items": self.items}
        for spec in METRICS:
            attribute = getattr(self, spec.key)
            data[spec.key] = attribute.to_dict() if isinstance(attribute, Ratio) else attribute
        return data


@dataclass(frozen=True)
class MetricSpec:
    """How a metric is named and shown; ``higher_is_better`` drives gates and comparisons."""

    key: str
    label: str
    counted_on: str
    higher_is_better: bool = True
    is_latency: bool = False


#: Every metric in report order.
METRICS: tuple[MetricSpec, ...] = (
    MetricSpec("accuracy", "Answer accuracy", "all items"),
    MetricSpec("wrong", "Answered but wrong", "all items", higher_is_better=False),
    MetricSpec("short_holds", "Short answer holds gold", "answerable items"),
    MetricSpec("short_exact", "Short answer exact", "answerable items"),
    MetricSpec("citation", "Citation accuracy", "answered answerable items"),
    MetricSpec("hit_at_1", "Retrieval hit@1", "answerable items"),
    MetricSpec("hit_at_5", "Retrieval hit@5", "answerable items"),
    MetricSpec("mrr", "Retrieval MRR", "answerable items"),
    MetricSpec("refusal_recall", "Refusal recall", "unanswerable items"),
    MetricSpec("false_refusal", "False-refusal rate", "answerable items", higher_is_better=False),
    MetricSpec("latency_p50_ms", "Latency p50 (ms)", "all items", higher_is_better=False, is_latency=True),
    MetricSpec("latency_p95_ms", "Latency p95 (ms)", "all items", higher_is_better=False, is_latency=True),
)


@dataclass(frozen=True)
class MetricsReport:
    """Overall figures and the breakdowns by question type and by language."""

    overall: Metrics
    by_type: dict[str, Metrics]
    by_lang: dict[str, Metrics]

    def to_dict(self) -> dict[str, Any]:
        return {
            "overall": self.overall.to_dict(),
            "by_type": {name: m.to_dict() for name, m in self.by_type.items()},
            "by_lang": {name: m.to_dict() for name, m in self.by_lang.items()},
        }


def percentile(values: Iterable[float], pct: float) -> float | None:
    """The ``pct``-th percentile with linear interpolation between ranks (numpy's default).

    ``None`` for no values. ``percentile([10, 20, 30, 40], 50) == 25``.
    """
    ordered = sorted(values)
    if not ordered:
        return None
    position = (len(ordered) - 1) * pct / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _ratio(records: Sequence[ItemRecord], value: Callable[[ItemRecord], float | bool | None]) -> Ratio:
    """Sum of ``value`` over the records where it applies (is not None)."""
    counted = [float(v) for v in map(value, records) if v is not None]
    return Ratio(sum(counted), len(counted))


def aggregate(records: Sequence[ItemRecord]) -> Metrics:
    """The figures of one group of records (see the module docstring for what each counts)."""
    answerable = [r for r in records if r.answerable]
    unanswerable = [r for r in records if not r.answerable]
    latencies = [r.latency_ms for r in records]
    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    return Metrics(
        items=len(records),
        accuracy=_ratio(records, lambda r: r.correct),
        wrong=_ratio(records, lambda r: r.wrong),
        short_holds=_ratio(answerable, lambda r: bool(r.short_holds)),
        short_exact=_ratio(answerable, lambda r: bool(r.short_exact)),
        citation=_ratio(answerable, lambda r: None if r.refused else bool(r.citation_ok)),
        hit_at_1=_ratio(answerable, lambda r: bool(r.hit_at_1)),
        hit_at_5=_ratio(answerable, lambda r: bool(r.hit_at_5)),
        mrr=_ratio(answerable, lambda r: r.reciprocal_rank or 0.0),
        refusal_recall=_ratio(unanswerable, lambda r: r.refused),
        false_refusal=_ratio(answerable, lambda r: r.refused),
        latency_p50_ms=None if p50 is None else round(p50, 1),
        latency_p95_ms=None if p95 is None else round(p95, 1),
    )


def _groups(records: Sequence[ItemRecord], key: Callable[[ItemRecord], str]) -> dict[str, Metrics]:
    names: dict[str, list[ItemRecord]] = {}
    for record in records:
        names.setdefault(key(record), []).append(record)
    return {name: aggregate(names[name]) for name in sorted(names)}


def summarize(records: Sequence[ItemRecord]) -> MetricsReport:
    """Overall figures plus one :class:`Metrics` per question type and per language."""
    return MetricsReport(
        overall=aggregate(records),
        by_type=_groups(records, lambda r: r.type),
        by_lang=_groups(records, lambda r: r.lang),
    )
