"""The shared patterns (rag.text.patterns) and the one tokenizer instance."""

from __future__ import annotations

import pytest

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


def test_tiers_are_named_in_chinese_or_in_english() -> None:
    from rag.text.patterns import tiers_named

    assert tiers_named("农村低保标准是多少？") == {"农村"}
    assert tiers_named("What is the rural minimum living allowance standard?") == {"农村"}
    assert tiers_named("urban residents' income") == {"城市", "城镇"}
    assert tiers_named("How much does a provincial-level award get?") == {"省级"}
    assert tiers_named("What was the national economy's growth?") == set()
    assert tiers_named("中央资金分配了多少") == {"中央"} and tiers_named("中央提出") == set()


@pytest.mark.parametrize(("text", "number"), [
    ("请你们严格按照舟财农〔2018〕18号文件等有关要求", "舟财农〔2018〕18号"),
    ("根据京财预字[2004]586号精神", "京财预字[2004]586号"),
    ("你局上报的请示(兰陵环请〔2019〕1号)已收悉", "兰陵环请〔2019〕1号"),
])
def test_a_document_number_starts_at_its_issuer_code_not_at_the_words_leading_to_it(text: str, number: str) -> None:
    from rag.text.patterns import DOCUMENT_NUMBER

    found = DOCUMENT_NUMBER.search(text)
    assert found is not None and found.group(0) == number
