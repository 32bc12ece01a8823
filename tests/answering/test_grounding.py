"""The grounding check: figures and names of each sentence must be in the passages it cites."""

from __future__ import annotations

from rag.answering.grounding import (
    check_grounding,
    entity_facts,
    number_facts,
    passage_numbers,
    split_sentences,
)
from rag.schema import Citation

HARBIN = "哈尔滨市大工匠由每年评选10人增加到50人，由每人奖励1万元提高到5万元。"
QIQIHAR = "齐齐哈尔市开展职工技能大赛，参赛职工达3万人，共投入1.2亿元。"
PROVINCE = "黑龙江省总工会牵头推进产业工人队伍建设改革，全省累计培训职工120万人次。"


def cite(n: int, text: str) -> Citation:
    return Citation(n=n, doc=f"doc{n}.txt", title=f"t{n}", text=text, start=0, end=len(text), score=1.0 / n)


def passages(*texts: str) -> list[Citation]:
    return [cite(n, text) for n, text in enumerate(texts, start=1)]


def test_a_figure_not_in_the_passages_fails() -> None:
    result = check_grounding("哈尔滨市对大工匠的奖励提高到每人8万元[1]。", passages(HARBIN))
    assert not result.grounded
    assert result.sentences[0].missing == ("8万",)


def test_a_figure_present_passes() -> None:
    result = check_grounding("哈尔滨市对大工匠的奖励提高到每人5万元[1]。", passages(HARBIN, QIQIHAR))
    assert result.grounded
    assert result.text == "哈尔滨市对大工匠的奖励提高到每人5万元[1]。"
    assert [c.doc for c in result.citations] == ["doc1.txt"]
    assert result.citations[0].highlight == HARBIN


def test_a_figure_of_another_passage_fails_under_the_wrong_citation() -> None:
    # 5万元 is in passage 2, but the sentence cites [1]
    result = check_grounding("奖励提高到每人5万元[1]。", passages(QIQIHAR, HARBIN))
    assert not result.grounded
    assert "5万" in result.sentences[0].missing
    # cited right, it passes
    assert check_grounding("奖励提高到每人5万元[2]。", passages(QIQIHAR, HARBIN)).grounded


def test_a_name_not_in_the_cited_passage_fails() -> None:
    result = check_grounding("大庆市奖励每人5万元[1]。", passages(HARBIN))
    assert not result.grounded
    assert result.sentences[0].missing == ("大庆市",)


def test_bogus_citation_removed_and_the_rest_renumbered() -> None:
    answer = "齐齐哈尔市参赛职工达3万人[2]。黑龙江省总工会牵头[9]。哈尔滨市大工匠奖励5万元[1]。"
    result = check_grounding(answer, passages(HARBIN, QIQIHAR, PROVINCE))
    assert result.removed == (9,)
    assert result.text == "齐齐哈尔市参赛职工达3万人[1]。黑龙江省总工会牵头。哈尔滨市大工匠奖励5万元[2]。"
    assert [(c.n, c.doc) for c in result.citations] == [(1, "doc2.txt"), (2, "doc1.txt")]
    assert result.grounded  # the uncited sentence is found in some passage


def test_grouped_and_ranged_markers() -> None:
    result = check_grounding("哈尔滨市奖励5万元[1, 3]，齐齐哈尔市参赛3万人【2-3】。", passages(HARBIN, QIQIHAR, PROVINCE))
    assert result.text == "哈尔滨市奖励5万元[1][2]，齐齐哈尔市参赛3万人[3][2]。"
    assert [c.doc for c in result.citations] == ["doc1.txt", "doc3.txt", "doc2.txt"]


def test_an_uncited_sentence_is_checked_against_any_passage() -> None:
    assert check_grounding("全省累计培训职工120万人次。", passages(HARBIN, PROVINCE)).grounded
    assert not check_grounding("全省累计培训职工150万人次。", passages(HARBIN, PROVINCE)).grounded


def test_uncited_sentence_attributed_to_its_passage() -> None:
    result = check_grounding("全省累计培训职工120万人次。", passages(HARBIN, PROVINCE), attribute_uncited=True)
    assert result.text == "全省累计培训职工120万人次。[1]"
    assert [c.doc for c in result.citations] == ["doc2.txt"]


def test_unsupported_sentences_can_be_dropped() -> None:
    answer = "哈尔滨市大工匠奖励5万元[1]。齐齐哈尔市奖励8万元[2]。参赛职工达3万人[2]。"
    result = check_grounding(answer, passages(HARBIN, QIQIHAR))
    assert not result.grounded
    kept = result.supported_only()
    assert kept.grounded
    assert kept.text == "哈尔滨市大工匠奖励5万元[1]。参赛职工达3万人[2]。"


def test_question_names_must_be_in_the_cited_passages() -> None:
    # the answer names no city, yet quotes Harbin's figure for a question about Daqing
    result = check_grounding("奖励每人5万元[1]。", passages(HARBIN), question="大庆市对大工匠奖励多少？")
    assert result.question_missing == ("大庆市",)
    assert not result.grounded
    assert check_grounding("奖励每人5万元[1]。", passages(HARBIN), question="哈尔滨市对大工匠奖励多少？").grounded


def test_numbers_compare_by_value() -> None:
    keys = {key for _, key in number_facts("50,000元、5万元、0.5万、1.2亿、20%、2023年、1.5 million")}
    assert (50000.0, False) in keys and (5000.0, False) in keys
    assert (120000000.0, False) in keys and (20.0, True) in keys
    assert (2023.0, False) in keys and (1500000.0, False) in keys
    assert (150000.0, False) not in {key for _, key in number_facts("5万元")}  # 15万 is not 5万
    assert (50000.0, False) in passage_numbers("每人奖励五万元")
    english = "Harbin raised the award to 50,000 yuan per person [1]."
    assert check_grounding(english, passages(HARBIN)).grounded
    assert not check_grounding("Harbin raised it to 80,000 yuan [1].", passages(HARBIN)).grounded


def test_sentences_keep_their_markers() -> None:
    text = "第一句[1]。第二句。[2]\n1. 第三句 Third one is 5.5 million [3]. Last"
    pieces = split_sentences(text)
    assert "".join(pieces) == text
    assert pieces[:2] == ["第一句[1]。", "第二句。[2]"]
    assert entity_facts("黑龙江省总工会和哈尔滨市") == ["黑龙江省", "总工会", "哈尔滨市"]
