"""Aggregation of graded records (``eval/metrics.py``) on hand-made records: no engine involved."""

from __future__ import annotations

from typing import Any

import pytest

from eval.metrics import Ratio, aggregate, percentile, summarize
from eval.records import ItemRecord


def answered(id: str, *, correct: bool = True, type: str = "amount", lang: str = "zh", rank: int | None = 1,
             cited: bool = True, exact: bool = True, latency: float = 100.0) -> ItemRecord:
    """An answerable item the system answered; ``rank`` is where the evidence was retrieved (None: not in top 5)."""
    return ItemRecord(
        id=id, type=type, lang=lang, answerable=True, correct=correct, refused=False, refusal_ok=True,
        short_exact=exact, citation_ok=cited, hit_at_1=rank == 1, hit_at_5=rank is not None,
        reciprocal_rank=1 / rank if rank else 0.0, latency_ms=latency,
    )


def refused(id: str, *, answerable: bool, type: str = "unanswerable", lang: str = "zh", latency: float = 100.0) -> ItemRecord:
    """A refusal: correct for an unanswerable item, a false refusal for an answerable one."""
    fields: dict[str, Any] = {}
    if answerable:
        fields = {"short_exact": False, "hit_at_1": False, "hit_at_5": False, "reciprocal_rank": 0.0}
    return ItemRecord(
        id=id, type=type, lang=lang, answerable=answerable, correct=not answerable, refused=True,
        refusal_ok=not answerable, latency_ms=latency, **fields,
    )


def test_percentile_interpolates_between_ranks() -> None:
    assert percentile([40, 10, 30, 20], 50) == pytest.approx(25.0)
    assert percentile([10, 20, 30, 40], 95) == pytest.approx(38.5)
    assert percentile([10, 20, 30, 40], 0) == 10
    assert percentile([10, 20, 30, 40], 100) == 40
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) is None


def test_latency_p50_p95_over_all_items() -> None:
    records = [answered(f"a{i}", latency=float(ms)) for i, ms in enumerate(range(10, 110, 10))]
    records.append(refused("n1", answerable=False, latency=1000.0))
    metrics = aggregate(records)
    # 11 values: 10..100 and 1000 -> median is the 6th value, p95 interpolates between 100 and 1000.
    assert metrics.latency_p50_ms == 60.0
    assert metrics.latency_p95_ms == pytest.approx(100 + 0.5 * 900)


def test_refusal_recall_counts_unanswerable_items_only() -> None:
    records = [
        refused("n1", answerable=False),
        refused("n2", answerable=False),
        ItemRecord(id="n3", type="unanswerable", lang="zh", answerable=False, correct=False, refused=False),
        answered("a1"),
    ]
    metrics = aggregate(records)
    assert metrics.refusal_recall == Ratio(2, 3)
    assert metrics.refusal_recall.value == pytest.approx(2 / 3)
    assert metrics.false_refusal == Ratio(0, 1)


def test_false_refusal_rate_counts_answerable_items_only() -> None:
    records = [answered("a1"), answered("a2", correct=False), refused("a3", answerable=True, type="count"),
               refused("n1", answerable=False)]
    metrics = aggregate(records)
    assert metrics.false_refusal == Ratio(1, 3)
    assert metrics.accuracy == Ratio(2, 4)  # a1 and the correct refusal n1


def test_mrr_and_hits_over_answerable_items() -> None:
    records = [answered("a1", rank=1), answered("a2", rank=2), answered("a3", rank=4), answered("a4", rank=None),
               refused("n1", answerable=False)]
    metrics = aggregate(records)
    assert metrics.hit_at_1 == Ratio(1, 4)
    assert metrics.hit_at_5 == Ratio(3, 4)
    assert metrics.mrr.value == pytest.approx((1 + 1 / 2 + 1 / 4 + 0) / 4)
    assert metrics.mrr.denominator == 4  # the unanswerable item is not counted


def test_citation_accuracy_counts_answered_answerable_items() -> None:
    records = [answered("a1", cited=True), answered("a2", cited=False, correct=False),
               refused("a3", answerable=True), refused("n1", answerable=False)]
    metrics = aggregate(records)
    assert metrics.citation == Ratio(1, 2)
    assert metrics.short_exact == Ratio(2, 3)  # a3's refusal has no short answer


def test_breakdowns_by_type_and_language() -> None:
    records = [
        answered("a1", type="amount", lang="zh"),
        answered("a2", type="amount", lang="en", correct=False, rank=None),
        answered("c1", type="count", lang="zh"),
        refused("n1", answerable=False, lang="en"),
    ]
    report = summarize(records)
    assert list(report.by_type) == ["amount", "count", "unanswerable"]
    assert report.by_type["amount"].items == 2
    assert report.by_type["amount"].accuracy == Ratio(1, 2)
    assert report.by_type["amount"].hit_at_5 == Ratio(1, 2)
    assert report.by_type["count"].accuracy.value == 1.0
    assert report.by_type["unanswerable"].refusal_recall == Ratio(1, 1)
    assert report.by_type["unanswerable"].hit_at_5.value is None  # not computed for unanswerable items
    assert report.by_lang["en"].accuracy == Ratio(1, 2)
    assert report.by_lang["zh"].accuracy == Ratio(2, 2)
    assert report.overall.items == 4


def test_empty_groups_have_no_value_and_serialise() -> None:
    metrics = aggregate([answered("a1")])
    assert metrics.refusal_recall.value is None
    data = summarize([answered("a1")]).to_dict()
    assert data["overall"]["refusal_recall"] == {"value": None, "numerator": 0, "denominator": 0}
    assert data["overall"]["accuracy"]["value"] == 1.0
    assert data["by_type"]["amount"]["items"] == 1
