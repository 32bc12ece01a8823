"""Quality gates (``eval/gate.py``): minimums, maximums, and gates that cannot be measured."""

from __future__ import annotations

import pytest

from eval.gate import Threshold, check_thresholds
from eval.metrics import aggregate
from eval.records import ItemRecord


def _metrics(correct: int, wrong: int, refusals: int = 0):  # type: ignore[no-untyped-def]
    records = [ItemRecord(id=f"c{i}", type="amount", lang="zh", answerable=True, correct=True) for i in range(correct)]
    records += [ItemRecord(id=f"w{i}", type="amount", lang="zh", answerable=True, refused=True) for i in range(wrong)]
    records += [ItemRecord(id=f"n{i}", type="unanswerable", lang="zh", answerable=False, correct=True, refused=True)
                for i in range(refusals)]
    return aggregate(records)


def test_all_met_gives_no_problem() -> None:
    metrics = _metrics(correct=3, wrong=1, refusals=1)  # accuracy 0.8, false refusal 0.25
    assert check_thresholds(metrics, [Threshold("accuracy", 0.8), Threshold("refusal_recall", 1.0),
                                      Threshold("false_refusal", 0.25, "max")]) == []
    assert check_thresholds(metrics, []) == []


def test_each_unmet_threshold_is_named() -> None:
    metrics = _metrics(correct=3, wrong=1, refusals=1)
    problems = check_thresholds(metrics, [Threshold("accuracy", 1.01), Threshold("false_refusal", 0.1, "max")])
    assert problems == [
        "Answer accuracy 0.800 is below the minimum 1.01",
        "False-refusal rate 0.250 is above the maximum 0.1",
    ]


def test_unmeasurable_gate_fails() -> None:
    problems = check_thresholds(_metrics(correct=2, wrong=0), [Threshold("refusal_recall", 0.0)])
    assert len(problems) == 1 and "could not be measured" in problems[0] and "unanswerable" in problems[0]


def test_unknown_metric_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown metric"):
        Threshold("accuracy_typo", 0.5)
