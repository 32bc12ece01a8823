"""The shared patterns (rag.text.patterns) and the one tokenizer instance."""

from __future__ import annotations

from rag.text.patterns import CJK, YEAR, YEAR_RANGE, is_cjk


def test_cjk_covers_the_extension_blocks() -> None:
    for ch in ("中", "\u3400", "\uf900", "\U00020000"):
        assert is_cjk(ch) and CJK.fullmatch(ch)
    for ch in ("a", "1", "，", "。"):
        assert not is_cjk(ch) and not CJK.fullmatch(ch)


def test_year_is_four_digits_not_inside_a_longer_number() -> None:
    assert YEAR.findall("2023年，2019—2021年，20231，12023") == ["2023", "2019", "2021"]
    assert YEAR_RANGE.findall("2019—2021年") == [("2019", "2021")]


def test_one_shared_tokenizer_with_the_user_dictionary() -> None:
    from rag.text.tokenizing import shared_tokenizer

    tokenizer = shared_tokenizer()
    assert shared_tokenizer() is tokenizer
    assert "大工匠" in tokenizer.words("哈尔滨市大工匠每人奖励5万元")
