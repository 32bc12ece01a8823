"""Comparisons and totals (``rag/answering/composite.py``): split, answer per item, compute in code."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.answering.composite import combine, split_composite
from rag.answering.question import QuestionAnalyzer
from rag.engine import Engine
from rag.schema import Answer, Citation
from tests.conftest import index_texts


@pytest.mark.parametrize(
    ("question", "operation", "items", "parts"),
    [
        ("甲县和乙县哪个新增企业更多？", "more", ("甲县", "乙县"), ("甲县新增企业是多少？", "乙县新增企业是多少？")),
        ("示范园区和示范企业的奖励一共多少？", "total", ("示范园区", "示范企业"), ("示范园区的奖励是多少？", "示范企业的奖励是多少？")),
        ("示范园区比示范企业多奖励多少？", "difference", ("示范园区", "示范企业"), ("示范园区奖励多少？", "示范企业奖励多少？")),
        ("2022年和2023年全县生产总值一共多少？", "total", ("2022年", "2023年"), ("2022年全县生产总值是多少？", "2023年全县生产总值是多少？")),
        ("甲市与乙市相比哪个补贴较少？", "less", ("甲市", "乙市"), ("甲市补贴是多少？", "乙市补贴是多少？")),
        # the items are two years: what the first item says besides its year is shared
        ("甲市2022年财政收入比2019年多多少？", "difference", ("2022年", "2019年"),
         ("甲市2022年财政收入多少？", "甲市2019年财政收入多少？")),
        ("甲市2019年和2022年相比，哪一年投资更多？", "more", ("2019年", "2022年"),
         ("甲市2019年，投资是多少？", "甲市2022年，投资是多少？")),
    ],
)
def test_split(question: str, operation: str, items: tuple[str, ...], parts: tuple[str, ...]) -> None:
    composite = split_composite(question)
    assert composite is not None
    assert (composite.operation, composite.items, composite.parts) == (operation, items, parts)


def test_english_comparison_splits_on_capitalised_names() -> None:
    composite = split_composite("Which county trained more workers, Jiaocheng or Jiaokou?")
    assert composite is not None and composite.items == ("Jiaocheng", "Jiaokou")
    assert all("how many" in part.lower() for part in composite.parts)


def test_ordinary_questions_are_not_composite() -> None:
    assert split_composite("某市对大工匠每人奖励多少钱？") is None
    assert split_composite("牵头单位和配合单位是什么？") is None


def part(short: str | None, doc: str, refused: bool = False) -> Answer:
    citation = Citation(n=1, doc=doc, title=doc, text=f"……{short}……", start=0, end=5, score=1.0)
    return Answer(question="q", answer=f"……{short}……[1]", short_answer=short, refused=refused, citations=[citation])


def refusal(missing: list[str]) -> str:
    return "资料中未找到关于" + "、".join(missing) + "的信息"


def test_total_is_computed_in_code_and_cites_both_facts() -> None:
    composite = split_composite("示范园区和示范企业的奖励一共多少？")
    assert composite is not None
    answer = combine(composite, [part("50万元", "a.txt"), part("20万元", "b.txt")], "q", refusal)
    assert answer.short_answer == "70万元" and not answer.refused
    assert [c.n for c in answer.citations] == [1, 2] and [c.doc for c in answer.citations] == ["a.txt", "b.txt"]
    assert "[1]" in answer.answer and "[2]" in answer.answer


def test_comparison_names_the_larger_item_and_difference_is_absolute() -> None:
    more = split_composite("甲县和乙县哪个新增企业更多？")
    assert more is not None
    assert combine(more, [part("120家", "a"), part("300家", "b")], "q", refusal).short_answer == "乙县"
    less = split_composite("甲市与乙市相比哪个补贴较少？")
    assert less is not None
    assert combine(less, [part("3万元", "a"), part("5万元", "b")], "q", refusal).short_answer == "甲市"
    difference = split_composite("示范园区比示范企业多奖励多少？")
    assert difference is not None
    assert combine(difference, [part("20万元", "a"), part("50万元", "b")], "q", refusal).short_answer == "30万元"
    rates = split_composite("甲县2021年GDP增速比2019年低了多少？")
    assert rates is not None  # two rates differ by percentage points
    assert combine(rates, [part("0.5%", "a"), part("8%", "b")], "q", refusal).short_answer == "7.5个百分点"


def test_a_refused_part_or_mixed_units_refuse_the_whole_question() -> None:
    composite = split_composite("甲县和乙县哪个新增企业更多？")
    assert composite is not None
    missing = combine(composite, [part("120家", "a"), part(None, "b", refused=True)], "q", refusal)
    assert missing.refused and missing.refusal is not None
    assert missing.refusal.reason == "incomplete_comparison" and missing.refusal.missing == ["乙县"]
    mixed = combine(composite, [part("120家", "a"), part("5万元", "b")], "q", refusal)
    assert mixed.refused and mixed.short_answer is None


def test_two_tiers_of_one_noun_share_the_noun() -> None:
    composite = split_composite("某县对国家级和省级制造业创新中心的奖补加起来是多少？")
    assert composite is not None and composite.items == ("国家级", "省级")
    assert composite.parts == ("某县对国家级制造业创新中心的奖补是多少？", "某县对省级制造业创新中心的奖补是多少？")


def test_a_change_against_an_earlier_value_is_not_a_comparison_of_two_items() -> None:
    assert split_composite("业务员5月份比原来多发了多少工资？") is None


def test_short_place_items_followed_by_a_year_keep_the_shared_rest() -> None:
    composite = split_composite("甲城和乙城2022年生产总值合计多少？")
    assert composite is not None and composite.items == ("甲城", "乙城")
    assert composite.parts == ("甲城2022年生产总值是多少？", "乙城2022年生产总值是多少？")


def test_each_item_is_answered_and_nothing_is_computed() -> None:
    composite = split_composite("甲县和乙县的新增企业分别有多少？")
    assert composite is not None and composite.operation == "each"
    assert composite.parts == ("甲县的新增企业是多少？", "乙县的新增企业是多少？")
    question = "甲县和乙县的新增企业分别有多少？"
    answer = combine(composite, [part("12家", "a.txt"), part("3人", "b.txt")], question, refusal)
    assert answer.short_answer == "甲县：12家；乙县：3人" and not answer.refused
    assert [c.doc for c in answer.citations] == ["a.txt", "b.txt"]


def test_a_place_led_item_shares_its_rest_with_the_other_place() -> None:
    composite = split_composite("甲省高技能人才比乙省多多少万人？")
    assert composite is not None and composite.operation == "difference"
    assert composite.items == ("甲省", "乙省")
    assert composite.parts == ("甲省高技能人才多少万人？", "乙省高技能人才多少万人？")


def test_place_names_without_suffix_split_where_the_gazetteer_says() -> None:
    def place_at_start(text: str) -> str | None:
        return next((p for p in ("黑龙江", "河北") if text.startswith(p)), None)

    composite = split_composite("黑龙江、河北高技能人才各有多少万人？", place_at_start)
    assert composite is not None and composite.items == ("黑龙江", "河北")
    assert composite.parts == ("黑龙江高技能人才有多少万人？", "河北高技能人才有多少万人？")


def test_english_which_has_more_asks_each_item_how_many() -> None:
    composite = split_composite("Which has more skilled workers, Jiaocheng or Jiaokou?")
    assert composite is not None and composite.operation == "more"
    assert composite.parts == (
        "How many skilled workers does Jiaocheng have?", "How many skilled workers does Jiaokou have?"
    )
    each = split_composite("How many workers do Jiaocheng and Jiaokou each have?")
    assert each is not None and each.operation == "each"
    assert each.parts == ("How many workers do Jiaocheng have?", "How many workers do Jiaokou have?")


def test_two_years_after_a_shared_subject_are_the_items() -> None:
    composite = split_composite("甲省2020年和2021年设立的奖励资金一共多少？")
    assert composite is not None and composite.items == ("2020年", "2021年")
    assert composite.parts == ("甲省2020年设立的奖励资金是多少？", "甲省2021年设立的奖励资金是多少？")


def test_each_year_or_each_person_is_not_a_question_about_each_item() -> None:
    assert split_composite("Harbin raised the number selected each year; how many are selected now?") is None
    assert split_composite("How much does Harbin award each of its great craftsmen?") is None


def test_two_whole_noun_phrases_are_the_items_and_the_second_borrows_the_subject() -> None:
    composite = split_composite("某市对“专精特新”企业的奖励和对引进项目的奖励，哪个更高？")
    assert composite is not None and composite.operation == "more"
    assert composite.items == ("“专精特新”企业", "引进项目")
    assert composite.parts == ("某市对“专精特新”企业的奖励是多少？", "某市对引进项目的奖励是多少？")
    own = split_composite("甲县对新入库企业的一次性奖励，和乙县对新产品的奖补，哪个更多？")
    assert own is not None and own.parts == ("甲县对新入库企业的一次性奖励是多少？", "乙县对新产品的奖补是多少？")


def test_which_grew_faster_compares_growth_rates() -> None:
    composite = split_composite("某县城镇和农村居民人均可支配收入，哪个增长更快？")
    assert composite is not None and composite.items == ("城镇", "农村")
    analyzer = QuestionAnalyzer()
    for part in composite.parts:
        assert "增速" in part
        assert analyzer.analyze(part).kind == "percent"


def test_each_part_of_a_comparison_is_answered_about_its_own_item(fresh_engine: Engine, tmp_path: Path) -> None:
    index_texts(fresh_engine, tmp_path / "docs", {
        "dongchuan.txt": "东川区2022年经济运行情况\n全年东川区城镇居民人均可支配收入增长5.1%，农村居民人均可支配收入增长7.2%。\n",
    })
    answer = fresh_engine.ask("东川区城镇和农村居民人均可支配收入，哪个增长更快？")
    assert answer.short_answer == "农村", answer.answer
    assert "5.1%" in answer.answer and "7.2%" in answer.answer


def test_two_items_given_one_figure_of_one_sentence_are_not_told_apart() -> None:
    composite = split_composite("示范园区和示范企业的奖励一共多少？")
    assert composite is not None
    same = combine(composite, [part("20万元", "a.txt"), part("20万元", "a.txt")], "q", refusal)
    assert same.refused and same.refusal is not None
    assert same.refusal.reason == "incomplete_comparison" and same.refusal.missing == ["示范企业"]
    # equal figures from two sources are a real answer
    equal = combine(composite, [part("20万元", "a.txt"), part("20万元", "b.txt")], "q", refusal)
    assert equal.short_answer == "40万元" and not equal.refused


def test_two_years_of_one_report_are_compared_from_sentences_that_do_not_repeat_the_year(
    fresh_engine: Engine, tmp_path: Path
) -> None:
    """Each report names its year once (dateline, heading); the part about 2019 must not require
    a sentence holding 年."""
    index_texts(fresh_engine, tmp_path / "docs", {
        "r2019.txt": "丙市政府工作报告\n2020年1月19日在丙市人民代表大会上\n2019年工作回顾\n预计,固定资产投资355亿元、增长17.7%。\n",
        "r2022.txt": "丙市政府工作报告\n2023年1月10日在丙市人民代表大会上\n2022年,固定资产投资380.2亿元、增长6%。\n",
    })
    answer = fresh_engine.ask("丙市2022年固定资产投资比2019年多多少？")
    assert answer.short_answer == "25.2亿元", answer.answer


def test_two_towns_joined_are_the_items_however_long_the_rest() -> None:
    composite = split_composite("嘉定区安亭镇和马陆镇2017年12月困难残疾人生活补贴合计发了多少元？")
    assert composite is not None and composite.operation == "total"
    assert composite.items == ("安亭镇", "马陆镇")
    assert composite.parts == (
        "嘉定区安亭镇2017年12月困难残疾人生活补贴发了多少元？",
        "嘉定区马陆镇2017年12月困难残疾人生活补贴发了多少元？",
    )


def _places(*names: str):  # type: ignore[no-untyped-def]
    """A gazetteer stand-in that knows ``names``: the place a text starts with."""

    def place_at_start(text: str) -> str | None:
        return next((name for name in names if text.startswith(name)), None)

    return place_at_start


def test_a_list_of_places_is_cut_from_the_words_that_run_into_it() -> None:
    places = _places("海东市", "平安区", "循化县", "天长市", "来安县", "全椒县")
    pair = split_composite("海东市给平安区和循化县一共安排了多少扶贫协作资金？", places)
    assert pair is not None and pair.items == ("平安区", "循化县")
    assert pair.parts == ("海东市给平安区安排了多少扶贫协作资金？", "海东市给循化县安排了多少扶贫协作资金？")
    three = split_composite("某市森林城镇奖补，天长市、来安县、全椒县三地合计多少？", places)
    assert three is not None and three.items == ("天长市", "来安县", "全椒县")
    assert three.parts[2] == "某市森林城镇奖补，全椒县是多少？", "the count 三地 is no part of a part"
    towns = split_composite("某县救灾资金中，新州镇、安场镇、凤仪镇三个镇一共多少？", places)
    assert towns is not None and towns.items == ("新州镇", "安场镇", "凤仪镇")


def test_a_counted_list_splits_at_and_only_where_the_count_needs_it() -> None:
    places = _places("某县")
    listed = split_composite("某县2023年教育、卫生健康、社会保障和就业、一般公共服务四项支出中，哪项增长最快？", places)
    assert listed is not None and listed.operation == "more"
    assert listed.items == ("教育", "卫生健康", "社会保障和就业", "一般公共服务")
    assert listed.parts[0] == "某县2023年教育支出中，增速是多少？", "the place and year are shared, 增长最快 asks a rate"
    bracketed = split_composite("某市2021年衔接资金前三项（甲项目资金、乙园区、丙园区）合计多少？", places)
    assert bracketed is not None and bracketed.items == ("甲项目资金", "乙园区", "丙园区")
    assert "（" not in bracketed.parts[0]


def test_the_place_and_year_a_pair_opens_with_are_shared() -> None:
    composite = split_composite("某县2022年小麦和玉米哪个产量更高？", _places("某县"))
    assert composite is not None and composite.items == ("小麦", "玉米")
    assert composite.parts == ("某县2022年小麦产量是多少？", "某县2022年玉米产量是多少？")
    which_county = split_composite("2023年甲县和乙县哪个县地区生产总值更高？", _places("甲县", "乙县"))
    assert which_county is not None and which_county.parts[1] == "2023年乙县地区生产总值是多少？", "no 县 left of 哪个县"


def test_a_fall_is_a_negative_value_in_a_comparison() -> None:
    composite = split_composite("甲项和乙项哪个增长更快？")
    assert composite is not None
    fall = Answer(question="q", answer="乙项支出比上年下降28.37%[1]", short_answer="28.37%", refused=False,
                  citations=[Citation(n=1, doc="b", title="b", text="…", start=0, end=5, score=1.0)])
    assert combine(composite, [part("5.1%", "a"), fall], "q", refusal).short_answer == "甲项"


def test_a_change_against_last_years_end_is_not_two_items() -> None:
    assert split_composite("某县2021年末常住人口比上年末减少了多少？") is None


def test_an_english_question_quoting_a_chinese_term_is_split_as_english() -> None:
    question = 'Harbin raised the number of "Great Craftsmen" (大工匠) selected each year; how many are selected now?'
    assert split_composite(question) is None, "'and'/'or' inside English words is no Chinese conjunction"
    english = split_composite("Which county had more enterprises (企业), Jiaocheng or Jiaokou?")
    assert english is not None and english.items == ("Jiaocheng", "Jiaokou")


def test_a_place_the_gazetteer_knows_only_by_a_shorter_name_keeps_its_suffix() -> None:
    composite = split_composite("某市补助资金，资阳区和大通湖区加起来多少？", _places("资阳区", "大通"))
    assert composite is not None and composite.items == ("资阳区", "大通湖区")


def test_two_short_items_share_the_measure_written_once_after_the_second() -> None:
    composite = split_composite("某县2022年小麦和玉米总产量合计多少万吨？", _places("某县"))
    assert composite is not None and composite.items == ("小麦", "玉米")
    assert composite.parts == ("某县2022年小麦总产量多少万吨？", "某县2022年玉米总产量多少万吨？")
    other = split_composite("某县2023年教育和社会保障支出哪个增长更快？", _places("某县"))
    assert other is not None and other.items == ("教育", "社会保障支出"), "保障支出 is no measure both share"


def test_a_place_holding_tong_is_not_split_into_two_items() -> None:
    assert split_composite("大同市第七批非遗代表性项目名录共计多少项？") is None


def test_a_joint_inside_a_place_name_joins_nothing() -> None:
    from rag.text.places import Gazetteer

    gazetteer = Gazetteer()

    def place_at_start(text: str) -> str | None:
        mentions = gazetteer.find(text)
        return mentions[0].surface if mentions and mentions[0].start == 0 else None

    composite = split_composite("海东市这批资金，民和县和化隆县哪个分得更多？", place_at_start)
    assert composite is not None and composite.items == ("民和县", "化隆县")
    funds = split_composite("某市奖励中市财政和区财政哪个出得多？", place_at_start)  # 政和 is a county's short form
    assert funds is not None and funds.items[1] == "区财政"
    assert composite.parts[0] == "海东市这批资金，民和县分得是多少？"


def test_an_english_comparison_part_asks_for_the_compared_figure_of_its_item() -> None:
    larger = split_composite("Which county had the larger GDP in 2022, Jiaocheng or Jiaokou?")
    assert larger is not None and larger.parts == (
        "What was the GDP in 2022 of Jiaocheng?", "What was the GDP in 2022 of Jiaokou?"
    )
    total = split_composite("What is the total subsidy of Jiaocheng and Jiaokou combined?")
    assert total is not None and total.parts[0] == "What is the total subsidy of Jiaocheng?"


def test_two_figure_questions_in_one_are_each_answered() -> None:
    two = split_composite("某县2023年引进投资2亿元以上项目多少个，总投资多少？")
    assert two is not None and two.operation == "each"
    assert two.items == ("引进投资2亿元以上项目", "总投资")
    assert two.parts == ("某县2023年引进投资2亿元以上项目多少个？", "某县2023年引进投资2亿元以上项目，总投资多少？")
    apart = split_composite("某县2021年全年出生人口多少？出生率是多少？")
    assert apart is not None and apart.items == ("出生人口", "出生率")
    assert split_composite("某市对大工匠每人奖励多少钱？") is None


def test_a_difference_of_parallel_words_keeps_the_first_items_place_year_and_measure() -> None:
    """「甲县2022年第二产业增加值比第一产业多多少」: the second part asks 甲县2022年第一产业增加值, not a
    bare 第一产业 that any document's sentence answers."""
    composite = split_composite("甲县2022年第二产业增加值比第一产业多多少？")
    assert composite is not None and composite.operation == "difference"
    assert composite.parts == ("甲县2022年第二产业增加值多少？", "甲县2022年第一产业增加值多少？")
    # a second item that is no parallel word of the first is asked as it stands
    other = split_composite("示范园区比示范企业多奖励多少？")
    assert other is not None and other.parts[1] == "示范企业奖励多少？"


def test_a_list_of_places_takes_the_longest_place_that_ends_its_first_piece() -> None:
    """「2022年南漳县和宜城市」: the first item is 南漳县, not the county 漳县 that ends it too."""
    analyzer = QuestionAnalyzer()

    def place_at_start(text: str) -> str | None:
        found = analyzer.gazetteer.find(text)
        return found[0].surface if found and found[0].start == 0 else None

    composite = split_composite("2022年南漳县和宜城市的第三产业增加值，哪个更多？", place_at_start)
    assert composite is not None and composite.items == ("南漳县", "宜城市")


def test_english_names_of_three_words_and_with_an_apostrophe_are_whole_items() -> None:
    composite = split_composite("In 2021, which had the larger GDP: Hangjin Banner or Hangjin Rear Banner?")
    assert composite is not None and composite.items == ("Hangjin Banner", "Hangjin Rear Banner")
    apostrophe = split_composite("Which city had the larger GDP in 2018, Ma'anshan or Wuhu?")
    assert apostrophe is not None and apostrophe.items == ("Ma'anshan", "Wuhu")


def test_an_english_comparison_names_the_winning_place_in_chinese_too(fresh_engine: Engine, tmp_path: Path) -> None:
    """The documents and citations name 杭锦后旗; the answer says which place that is."""
    index_texts(fresh_engine, tmp_path / "docs", {
        "a.txt": "2021年杭锦旗国民经济和社会发展统计公报\n全旗第一产业增加值为26.3亿元,同比增长3.5%。\n",
        "b.txt": "2021年杭锦后旗国民经济和社会发展统计公报\n全旗第一产业增加值49.82亿元,同比增长5.3%。\n",
    })
    answer = fresh_engine.ask(
        "In 2021, which had the larger primary-industry value added: Hangjin Banner or Hangjin Rear Banner?"
    )
    assert not answer.refused, answer.answer
    assert answer.short_answer == "Hangjin Rear Banner (杭锦后旗)", answer.answer
    assert "26.3亿元" in answer.answer and "49.82亿元" in answer.answer


def test_central_and_lower_government_funds_are_two_items() -> None:
    """「墨玉县共获得中央和自治区…资金多少」: the central and the region's allocation, added."""
    composite = split_composite("某地区2020年墨玉县共获得中央和自治区农村环境整治资金(统筹整合部分)多少？")
    assert composite is not None and composite.operation == "total"
    assert composite.items == ("中央", "自治区")
    assert composite.parts[0].startswith("某地区2020年墨玉县共获得中央农村环境整治资金")
    assert composite.parts[1].startswith("某地区2020年墨玉县共获得自治区农村环境整治资金")
    assert split_composite("某县获得中央农村环境整治资金多少？") is None


def test_a_county_total_of_two_funds_adds_the_countys_figure_in_each(fresh_engine: Engine, tmp_path: Path) -> None:
    index_texts(fresh_engine, tmp_path / "docs", {
        "fund.txt": (
            "和田地区财政局关于2020年农村环境整治资金分配情况的公示\n"
            "2020年中央农村环境整治资金皮山县58.97万元,墨玉县118.71万元,和田县78.2万元。\n"
            "2020年自治区农村环境整治资金皮山县46万元,墨玉县92.6万元,和田县61万元。\n"
        ),
    })
    answer = fresh_engine.ask("和田地区2020年墨玉县共获得中央和自治区农村环境整治资金多少？")
    assert answer.short_answer == "211.31万元", answer.answer
