"""The ``wrong`` verdict and the short-answer-holds verdict: a confident wrong figure is the worst outcome."""

from __future__ import annotations

from eval.grading import is_correct, is_wrong, short_answer_holds
from eval.metrics import aggregate
from eval.records import ItemRecord


def test_short_answer_holds_uses_containment_with_digit_guards() -> None:
    assert short_answer_holds("5万元", ["5万元"])
    assert short_answer_holds("每人5万元", ["5万元"])
    assert short_answer_holds("5万", ["5万元"])  # unit left off
    assert not short_answer_holds("15万元", ["5万元"])
    assert not short_answer_holds("1万元", ["5万元"])
    assert not short_answer_holds(None, ["5万元"])
    assert not short_answer_holds("5万元", [])
    assert short_answer_holds("河北和上海", ["河北", "上海"], "all")
    assert not short_answer_holds("河北", ["河北", "上海"], "all")


def test_a_wrong_bold_short_answer_makes_the_answer_wrong_even_if_the_sentence_holds_the_gold() -> None:
    record = {
        "answers": ["5万元"],
        "answer": "由每人奖励1万元提高到5万元。[1]",
        "short_answer": "1万元",
        "refused": False,
    }
    assert not is_correct(record)
    assert is_wrong(record)
    # Without a short answer the quoted sentence alone is graded by containment.
    assert is_correct({**record, "short_answer": None})
    assert not is_wrong({**record, "short_answer": None})


def test_refusals_are_never_wrong_but_answers_to_unanswerable_items_are() -> None:
    assert not is_wrong({"answers": ["5万元"], "answer": "资料中未找到", "refused": True})
    assert not is_wrong({"answers": [], "answer": "资料中未找到", "refused": True})
    assert is_wrong({"answers": [], "answer": "5万元。[1]", "short_answer": "5万元", "refused": False})


def _record(id: str, *, answerable: bool, correct: bool, refused: bool, short_holds: bool | None) -> ItemRecord:
    return ItemRecord(
        id=id, type="amount", lang="zh", answerable=answerable, correct=correct, refused=refused,
        wrong=not refused and not correct, short_holds=short_holds,
    )


def test_aggregate_counts_wrong_over_all_items_and_short_holds_over_answerable_ones() -> None:
    records = [
        _record("a", answerable=True, correct=True, refused=False, short_holds=True),
        _record("b", answerable=True, correct=False, refused=False, short_holds=False),  # wrong figure
        _record("c", answerable=True, correct=False, refused=True, short_holds=False),  # false refusal
        _record("d", answerable=False, correct=False, refused=False, short_holds=None),  # answered a trap
    ]
    metrics = aggregate(records)
    assert (metrics.wrong.numerator, metrics.wrong.denominator) == (2, 4)
    assert (metrics.short_holds.numerator, metrics.short_holds.denominator) == (1, 3)
    assert metrics.get("wrong") == 0.5
