"""Short-answer spans of each kind, and the choice among several candidates."""

import pytest

from rag.answering.answer_spans import SpanFinder
from rag.text.tokenizing import ChineseTokenizer


@pytest.fixture(scope="module")
def finder() -> SpanFinder:
    return SpanFinder(ChineseTokenizer())


HARBIN = "哈尔滨市大工匠由每年评选10人增加到50人，由每人奖励1万元提高到5万元。"


def test_amount_prefers_the_raised_figure(finder: SpanFinder) -> None:
    span = finder.best(HARBIN, "amount", ["哈尔滨", "大工匠", "每人", "奖励"])
    assert span is not None and span.text == "5万元"
    assert HARBIN[span.start : span.end] == "5万元"


def test_count_is_not_an_amount(finder: SpanFinder) -> None:
    texts = [s.text for s in finder.find(HARBIN, "count")]
    assert texts == ["10人", "50人"]
    assert finder.best(HARBIN, "count", ["评选"]).text == "50人"


@pytest.mark.parametrize(
    ("sentence", "kind", "expected"),
    [
        ("全省高技能人才达到78.6万人，占技能人才总量的31%。", "percent", "31%"),
        ("全年全额返还小微企业工会经费1.53亿元。", "amount", "1.53亿元"),
        ("2017年4月14日，《新时期产业工人队伍建设改革方案》由中共中央、国务院颁发。", "date", "2017年4月14日"),
        ("建成高技能人才培训基地98个、技能大师工作室155个。", "count", "98个"),
        ("河钢集团邯钢公司用户技术研究中心主任张龙柱来到武汉。", "person", "张龙柱"),
        ("连续五年每月可以获得500~1000元的生活补贴。", "amount", "500~1000元"),
    ],
)
def test_span_kinds(finder: SpanFinder, sentence: str, kind: str, expected: str) -> None:
    span = finder.best(sentence, kind, [])
    assert span is not None and span.text == expected


def test_organisation(finder: SpanFinder) -> None:
    spans = [s.text for s in finder.find("省总工会牵头协调13个成员单位。", "org")]
    assert "省总工会" in spans


def test_no_span_of_the_kind(finder: SpanFinder) -> None:
    assert finder.best("工会组织履职尽责的重要使命。", "amount", []) is None
    assert finder.find("任何句子", "fact") == []


def test_entity_the_question_names_is_not_the_answer(finder: SpanFinder) -> None:
    sentence = "河北省代表队在成都取得团体总分第5名。"
    assert finder.best(sentence, "place", [], "河北代表队在哪个城市比赛？", excluded={"河北"}).text == "成都"
    assert finder.best(sentence, "place", [], "").text == "河北省"


def test_person_needs_a_surname_and_prefers_a_title(finder: SpanFinder) -> None:
    sentence = "2021年金秋十月，隆重举行了第七届全国职工职业技能大赛决赛。全国总工会副主席陈刚宣布开幕。"
    assert finder.best(sentence, "person", ["宣布", "开幕"]).text == "陈刚"
    assert finder.find("形成了一批宝贵经验。", "person") == []


def test_ordinal_answers(finder: SpanFinder) -> None:
    sentence = "习近平总书记主持召开中央全面深化改革领导小组第三十二次会议，审议通过改革方案。"
    assert finder.best(sentence, "ordinal", ["领导小组"], "领导小组第几次会议审议通过了方案？").text == "第三十二次"
