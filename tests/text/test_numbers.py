"""The one Chinese-numeral parser and the canonical editions (rag.text.numbers)."""

from __future__ import annotations

import pytest

from rag.text.numbers import ORDINAL, canonical_ordinal, chinese_number, english_ranks, ordinals_in


@pytest.mark.parametrize(
    ("word", "value"),
    [("五万", 50_000), ("一百二十", 120), ("三千五百万", 35_000_000), ("十八", 18), ("两", 2), ("一百零五", 105)],
)
def test_chinese_numerals(word: str, value: int) -> None:
    assert chinese_number(word) == value


def test_not_a_numeral() -> None:
    assert chinese_number("一二") is None
    assert chinese_number("万") is None


def test_editions_in_either_wording_are_equal() -> None:
    assert canonical_ordinal(("十八", "届")) == canonical_ordinal(("18", "届")) == "18届"
    assert ordinals_in("第十八届和第3批") == ["18届", "3批"]
    assert ORDINAL.findall("第二十次") == [("二十", "次")]


def test_english_ordinals_use_the_canonical_chinese_form() -> None:
    from rag.text.numbers import english_ordinals

    assert english_ordinals("How much was allocated in the third batch?") == ["3批"]
    assert english_ordinals("the 18th session and the second edition") == ["18届", "2届"]
    assert english_ordinals("How much in 2023?") == []


def test_first_batch_is_batch_one() -> None:
    from rag.text.numbers import ordinals_in

    assert ordinals_in("首批试点单位和第二批名单") == ["2批", "1批"]
    assert ordinals_in("首次开展") == []


def test_english_ranks() -> None:
    assert english_ranks("How much does the second-ranked county receive?") == [2]
    assert english_ranks("Which district ranked third, and which came in first place?") == [3, 1]
    assert english_ranks("the second batch of funds") == []
