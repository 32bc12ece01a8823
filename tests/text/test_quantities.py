"""Typed figures (``rag/text/quantities.py``) on sentences written in the test."""

from __future__ import annotations

import pytest

from rag.text.quantities import find_quantities, format_value, parse_number, unit_class


def kinds(text: str) -> list[tuple[str, str, float | None]]:
    return [(q.text, q.kind, q.value) for q in find_quantities(text)]


def test_money_counts_and_people_are_told_apart_in_one_sentence() -> None:
    found = find_quantities("某市工匠由每年评选10人增加到50人，由每人奖励1万元提高到5万元。")
    assert [(q.text, unit_class(q)) for q in found] == [
        ("10人", "people"), ("50人", "people"), ("1万元", "money"), ("5万元", "money"),
    ]
    assert found[3].value == 50000


def test_dates_are_not_durations_and_ordinals_are_not_counts() -> None:
    assert kinds("自2024年1月1日起施行，有效期3年，第二批名单") == [
        ("2024年1月1日", "date", 2024.0), ("3年", "duration", 3.0), ("第二批", "ordinal", 2.0),
    ]


def test_chinese_numerals_and_approximations() -> None:
    found = find_quantities("为期六个月，70余个项目，500多家企业，二〇二三年三月十五日")
    assert [(q.text, q.kind, q.value, q.approx) for q in found] == [
        ("六个月", "duration", 6.0, False),
        ("70余个", "count", 70.0, True),
        ("500多家", "count", 500.0, True),
        ("二〇二三年三月十五日", "date", 2023.0, False),
    ]


def test_an_article_one_is_not_a_figure() -> None:
    assert find_quantities("一批企业获得一项奖励") == []


def test_percentages_points_and_measures() -> None:
    assert [(q.text, unit_class(q), q.value) for q in find_quantities("增长2.5个百分点，占比26%，种植3万亩")] == [
        ("2.5个百分点", "percent", 2.5), ("26%", "percent", 26.0), ("3万亩", "亩", 30000.0),
    ]


def test_working_day_limits_are_durations() -> None:
    assert [(q.text, q.kind) for q in find_quantities("受理后30个工作日内办结，15日内答复")] == [
        ("30个工作日", "duration"), ("15日", "duration"),
    ]


@pytest.mark.parametrize(("text", "value"), [("1,234.5", 1234.5), ("一百二十", 120.0), ("两", 2.0), ("x", None)])
def test_parse_number(text: str, value: float | None) -> None:
    assert parse_number(text) == value


def test_format_value_keeps_the_magnitude_of_the_inputs() -> None:
    assert format_value(80000, "元", like="5万元") == "8万元"
    assert format_value(1.45e9, "元", like="3.2亿元") == "14.5亿元"
    assert format_value(180, "元") == "180元"


def test_official_dates_written_with_a_circle_for_zero() -> None:
    found = find_quantities("二○○五年六月二十八日")
    assert [(q.text, q.kind, q.value) for q in found] == [("二○○五年六月二十八日", "date", 2005.0)]


def test_ratios_and_fractions_are_shares() -> None:
    found = find_quantities("补助资金市县按1:1比例承担，补贴购置费的1/6，给予三分之一的补助，10:30开会")
    assert [(q.text, unit_class(q), q.value) for q in found] == [
        ("1:1", "percent", 50.0), ("1/6", "percent", 16.67), ("三分之一", "percent", 33.33),
    ]


def test_a_small_number_before_a_noun_counted_without_a_counter_is_a_count() -> None:
    found = find_quantities("人力资源社会保障部等七部门联合印发，三部委随后跟进，第二部门不算。")
    counts = [(q.text, q.value, q.unit) for q in found if q.kind == "count"]
    assert counts == [("七部门", 7.0, "个"), ("三部委", 3.0, "个")]


@pytest.mark.parametrize(
    ("text", "rank"),
    [("增速居全市第一，", "第一"), ("位列全国百强县第4。", "第4"), ("排名第3", "第3"), ("位居第二", "第二")],
)
def test_a_rank_after_a_ranking_word_is_an_ordinal_without_a_counter(text: str, rank: str) -> None:
    ranks = [q for q in find_quantities(text) if q.kind == "ordinal"]
    assert [q.text for q in ranks] == [rank]


def test_an_edition_or_batch_is_not_read_as_a_bare_rank() -> None:
    assert [q.text for q in find_quantities("列入第二批试点")] == ["第二批"]
    assert find_quantities("居民收入增长第") == []


def test_a_negative_rate_keeps_its_sign_and_a_range_is_not_read_as_one() -> None:
    found = {q.text: q.value for q in find_quantities("规上工业增加值增速-7.8%,增长5-10%,下降－2.5%")}
    assert found == {"-7.8%": -7.8, "5-10%": 10.0, "－2.5%": -2.5}


def test_one_before_a_unit_of_time_is_a_length_after_words_of_duration_and_an_article_elsewhere() -> None:
    assert [(q.text, q.value) for q in find_quantities("在职期间工作满一年计发一次优待金")] == [("一年", 1.0)]
    assert [q.text for q in find_quantities("为期一个月的集中整治")] == ["一个月"]
    assert find_quantities("这一年,我们埋头苦干") == []
    assert find_quantities("每一年都评选") == []


def test_a_rate_per_two_units_keeps_both() -> None:
    [standard] = find_quantities("(三)补贴标准:829元/月/人。")
    assert (standard.text, standard.value) == ("829元/月/人", 829.0)


def test_a_multiple_is_a_figure_of_its_own_kind() -> None:
    found = {q.text: unit_class(q) for q in find_quantities("人均年纯收入达到2.9万元，高于全国脱贫标准7倍。")}
    assert found == {"2.9万元": "money", "7倍": "倍"}


def test_a_yield_per_unit_of_land_keeps_its_land_unit_and_is_measured_in_its_weight() -> None:
    single, change = find_quantities("单产461.74公斤/亩,较上年增加2.5公斤/亩;")
    assert (single.text, single.unit, single.value) == ("461.74公斤/亩", "公斤", 461.74)
    assert change.text == "2.5公斤/亩"
    assert [q.text for q in find_quantities("产量5吨，面积3亩")] == ["5吨", "3亩"]
    [dense] = find_quantities("亩产折合1.2千克/平方米")
    assert (dense.text, dense.unit) == ("1.2千克/平方米", "千克")


def test_a_figure_in_wan_right_before_the_noun_it_counts_is_a_count() -> None:
    found = find_quantities("共有37万中小学校师生参加了竞赛活动,2700万人次浏览")
    assert [(q.text, q.kind) for q in found] == [("37万", "count"), ("2700万人次", "count")]
    assert found[0].value == 370000
    # a figure in 万 with its unit, or in 万亿, keeps its own reading
    assert [q.text for q in find_quantities("突破2万亿大关,奖励5万元,追加4000万资金")] == ["5万元"]


def test_a_span_of_days_is_one_date_and_a_year_as_a_period_keeps_its_du() -> None:
    found = find_quantities("报名时间:2011年8月9日—8月12日(上午8:30—11:30)")
    assert [(q.text, q.kind) for q in found][:1] == [("2011年8月9日—8月12日", "date")]
    assert [q.text for q in find_quantities("于8月9日至12日报名")] == ["8月9日至12日"]
    assert [q.text for q in find_quantities("按2019年度农村居民人均可支配收入核定")] == ["2019年度"]
    assert [q.text for q in find_quantities("2019—2021年")] == ["2019—2021年"]


def test_an_age_is_a_figure_in_years_of_age_not_a_length_of_weeks() -> None:
    found = find_quantities("年龄在30周岁以下,60岁以上老人,为期2周")
    assert [(q.text, q.kind) for q in found] == [("30周岁", "count"), ("60岁", "count"), ("2周", "duration")]
