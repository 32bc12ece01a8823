"""Answers of a fixed written shape: contacts and ratios (rag.text.shapes)."""

from __future__ import annotations

import pytest

from rag.text.shapes import asked_shape, shaped_values


def values(sentence: str, kind: str) -> list[str]:
    return [sentence[start:end] for start, end in shaped_values(sentence, kind)]


@pytest.mark.parametrize(
    ("question", "shape"),
    [
        ("卢氏县连翘奖补公告中县财政局的监督电话是多少？", "phone"),
        ("县乡村振兴局的电子邮箱是什么？", "email"),
        ("传真电话是多少？", "fax"),
        ("What telephone number does the bureau give in the notice?", "phone"),
        ("望江县2022年三次产业结构是多少？", "ratio"),
        ("平江县2019年三次产业结构比调整为多少？", "ratio"),
        ("What was the county's three-sector structure in 2022?", "ratio"),
        # the last one named decides: a follow-up read with its history asks for its own
        ("县财政局的电话是多少，它的电子邮箱？", "email"),
    ],
)
def test_the_asked_shape_is_read_from_the_question(question: str, shape: str) -> None:
    assert asked_shape(question) == shape


@pytest.mark.parametrize(
    "question",
    [
        "2019年11月8日全国推进产业工人队伍建设改革工作电视电话会议在哪里召开？",  # a meeting, not a number
        "全县开通了几条服务热线？",  # counts lines
        "2022年三次产业结构中，哪个县第一产业所占比重更高？",  # a comparison of shares
        "区财政最高按什么比例配套？",  # 比例 may be a percentage
    ],
)
def test_a_question_that_only_mentions_a_shape_asks_for_none(question: str) -> None:
    assert asked_shape(question) is None


def test_telephone_numbers_are_found_and_figures_are_not() -> None:
    assert values("监督电话:2.县财政局:0398-7862268", "phone") == ["0398-7862268"]
    assert values("联系人:彭海军,电话:0876—3124262。", "phone") == ["0876—3124262"]
    assert values("联系人和电话:黄万伟,13887692697。", "phone") == ["13887692697"]
    assert values("拨打12345热线", "phone") == ["12345"]
    assert values("奖励10000元,共1259万元", "phone") == []


def test_numbers_of_one_field_side_by_side_are_one_value() -> None:
    assert values("联系电话:6995029,6995031", "phone") == ["6995029,6995031"]
    assert values("监督电话:0375-2686000 ; 0375-3312317。", "phone") == ["0375-2686000 ; 0375-3312317"]


def test_email_addresses_are_found() -> None:
    assert values("电子邮箱:3.县财政局:lsxczjnyg2268@163.com", "email") == ["lsxczjnyg2268@163.com"]
    assert values("电子邮箱:3.县财政局:lsxczjnyg2268@163.com", "phone") == []


def test_a_ratio_has_three_parts_or_says_it_is_a_ratio() -> None:
    sentence = "三次产业比例由上年的12.5:28.4:59.1调整为11.8:29.2:59.0。8:30开会"
    assert values(sentence, "ratio") == ["12.5:28.4:59.1", "11.8:29.2:59.0"]
    assert values("最高按1:1比例配套", "ratio") == ["1:1"]
    assert values("三次产业结构比为23.3∶36.3∶40.4", "ratio") == ["23.3∶36.3∶40.4"]
