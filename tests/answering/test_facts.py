"""Choosing the fact that answers (``rag/answering/facts.py``) on sentences built in the test."""

from __future__ import annotations

import pytest

from rag.answering.facts import (
    AskedFor, asked_for, candidate_facts, choose_fact, compatible_classes, is_compatible, sentence_facts,
)


def weights(*terms: str, heavy: str = "") -> dict[str, float]:
    return {term: (3.0 if term == heavy else 1.0) for term in terms}


CHANGE = "某市大工匠由每年评选10人增加到50人，由每人奖励1万元提高到5万元。"
ENUMERATION = "到2025年，培养1000名左右省级工匠、200名左右省级首席技师、50名左右大工匠。"


def test_the_new_value_of_a_change_answers_and_the_old_one_only_when_asked() -> None:
    facts = sentence_facts(CHANGE)
    current = choose_fact(facts, AskedFor("amount", ("money",)), weights("奖励"))
    assert current.best is not None and current.best.text == "5万元" and current.confident
    previous = choose_fact(facts, AskedFor("amount", ("money",), before=True), weights("奖励"))
    assert previous.best is not None and previous.best.text == "1万元"


def test_an_enumeration_answers_with_the_figure_of_the_asked_item() -> None:
    facts = sentence_facts(ENUMERATION)
    asked = AskedFor("count", ("people",))
    chief = choose_fact(facts, asked, weights("培养", "省级", "首席技师", heavy="首席技师"))
    assert chief.best is not None and chief.best.text == "200名" and chief.confident
    master = choose_fact(facts, asked, weights("培养", "大工匠", heavy="大工匠"))
    assert master.best is not None and master.best.text == "50名"


def test_a_tie_between_items_is_not_confident() -> None:
    facts = sentence_facts(ENUMERATION)
    choice = choose_fact(facts, AskedFor("count", ("people",)), weights("培养"))
    assert choice.best is not None and not choice.confident


def test_respectively_pairs_items_with_figures() -> None:
    sentence = "对新认定的示范园区、示范企业，分别给予50万元、20万元一次性奖励。"
    choice = choose_fact(sentence_facts(sentence), AskedFor("amount", ("money",)), weights("示范企业"))
    assert choice.best is not None and choice.best.text == "20万元"


def test_a_question_for_years_gets_no_count_of_people() -> None:
    sentence = "全省投入466万元，培训一线职工15484名。"
    asked = asked_for("培训期限是多少年？")
    assert asked is not None and asked.kind == "duration"
    assert choose_fact(sentence_facts(sentence), asked, weights("培训")).best is None
    people = asked_for("培训了多少人？")
    assert people is not None
    assert choose_fact(sentence_facts(sentence), people, weights("培训")).best.text == "15484名"  # type: ignore[union-attr]


def test_a_figure_the_question_already_names_is_not_the_answer() -> None:
    sentence = "2023年全县投入3000万元。"
    asked = asked_for("2023年全县投入资金多少？")
    assert asked is not None
    choice = choose_fact(sentence_facts(sentence), asked, weights("投入"), "2023年全县投入资金多少？")
    assert choice.best is not None and choice.best.text == "3000万元"


@pytest.mark.parametrize(
    ("question", "kind", "classes"),
    [
        ("对每户补贴多少钱？", "amount", ("money",)),
        ("有多少家企业获得补贴？", "count", ("家", "个")),
        ("计划用几年时间完成？", "duration", ("duration",)),
        ("政策什么时候开始施行？", "date", ("date",)),
        ("农村居民收入增长了多少？", "percent", ("percent",)),
        ("高技能人才占比多少？", "percent", ("percent",)),
        ("How much funding does each county get?", "amount", ("money",)),
        ("How many enterprises were rewarded?", "count", ("家", "个")),
        ("How many people were trained?", "count", ("people",)),
        ("When does the policy take effect?", "date", ("date",)),
        # a verb of paying before 多少 asks for money; 几个人 counts people; a money noun after 多少
        ("农村牧区低保每人每月补多少？", "amount", ("money",)),
        ("徐行镇有几个人领补贴？", "count", ("people",)),
        ("真新街道当月发了多少困难残疾人生活补贴？", "amount", ("money",)),
        ("当月补了多少户？", "count", ("户", "个")),
        # 投资 inside a company's name asks for no money: the task is counted (1500亩)
        ("县农业投资有限公司2023年的新种任务是多少？", "count", ()),
    ],
)
def test_asked_for(question: str, kind: str, classes: tuple[str, ...]) -> None:
    asked = asked_for(question)
    assert asked is not None and (asked.kind, asked.classes) == (kind, classes)


def test_questions_that_ask_for_no_figure() -> None:
    assert asked_for("牵头单位是哪个部门？") is None
    assert asked_for("Who is the contact person?") is None


def test_a_condition_figure_describes_the_figure_after_it() -> None:
    sentence = "集中连片400亩以上的示范方补助1万元，600亩以上的补助2万元，800亩以上补助3万元。"
    asked = AskedFor("amount", ("money",))
    choice = choose_fact(sentence_facts(sentence), asked, weights("600", "补助", heavy="600"))
    assert choice.best is not None and choice.best.text == "2万元" and choice.confident


YEARS = "甲省2019年、2020年先后开展补贴性培训1500万人、2700多万人，完成学徒制培训26.9万人、53.8万人。"
YEARLY = "自2018年起，要求比例不得低于35%，2018年、2019年和2020年分别达到41.61%、40.3%和42.5%。"


def test_each_run_of_figures_pairs_with_the_years_before_the_marker() -> None:
    facts = {f.text: f for f in sentence_facts(YEARS)}
    assert facts["26.9万人"].years == ("2019",) and facts["53.8万人"].years == ("2020",)
    asked = AskedFor("count", ("people",))
    chosen = choose_fact(list(facts.values()), asked, weights("学徒制", "培训"), "2020年甲省完成学徒制培训多少人？")
    assert chosen.best is not None and chosen.best.text == "53.8万人" and chosen.confident


def test_a_figure_belongs_to_the_year_of_its_own_clause() -> None:
    facts = sentence_facts("2019年招生142万人，2020年招生160万人。")
    assert [(f.text, f.years) for f in facts if f.unit_class != "date"] == [("142万人", ("2019",)), ("160万人", ("2020",))]
    chosen = choose_fact(facts, AskedFor("count", ("people",)), weights("招生"), "2020年招生多少人？")
    assert chosen.best is not None and chosen.best.text == "160万人" and chosen.confident


def test_a_limit_answers_only_a_question_about_a_limit() -> None:
    facts = sentence_facts(YEARLY)
    limit = next(f for f in facts if f.text == "35%")
    assert limit.bound and not any(f.bound for f in facts if f.text != "35%")
    asked_min = asked_for("自2018年起，该比例最低不得低于多少？")
    assert asked_min is not None and asked_min.bound
    minimum = choose_fact(facts, asked_min, weights("比例"), "自2018年起，该比例最低不得低于多少？")
    assert minimum.best is not None and minimum.best.text == "35%"
    actual = sentence_facts("一线工人393名，规定不少于企业职工人选的60%，实际占比73.5%。")
    asked = asked_for("一线工人实际占企业职工人选的比例是多少？")
    assert asked is not None and not asked.bound
    chosen = choose_fact(actual, asked, weights("实际", "企业职工", "人选"), "一线工人实际占企业职工人选的比例是多少？")
    assert chosen.best is not None and chosen.best.text == "73.5%"


def test_a_question_counting_people_asks_for_people_not_for_other_counts() -> None:
    asked = asked_for("甲省的高技能人才是多少？")
    assert asked is not None and asked.classes == ("people",)
    facts = sentence_facts("全省高技能人才达到78.6万人，建成高技能人才培训基地98个。")
    chosen = choose_fact(facts, asked, weights("高技能人才"), "甲省的高技能人才是多少？")
    assert chosen.best is not None and chosen.best.text == "78.6万人" and chosen.confident
    english = asked_for("How many high-skilled talents does the province have?")
    assert english is not None and english.classes == ("people",)
    money = asked_for("职工工资是多少？")
    assert money is not None and money.kind == "amount"


def test_for_english_questions_only_the_words_make_a_choice_confident() -> None:
    facts = sentence_facts("企业从仅有8名职工的手工作坊，成长为拥有82名党员的企业。")
    asked = AskedFor("count", ("people",))
    undecided = choose_fact(facts, asked, weights("企业"), "how many", words_must_decide=True)
    assert not undecided.confident
    decided = choose_fact(facts, asked, weights("企业", "作坊"), "how many", words_must_decide=True)
    assert decided.best is not None and decided.best.text == "8名" and decided.confident
    change = choose_fact(sentence_facts(CHANGE), AskedFor("amount", ("money",)), weights("奖励"), words_must_decide=True)
    assert change.best is not None and change.best.text == "5万元" and change.confident


def test_an_english_possessor_is_not_what_is_counted() -> None:
    assert asked_for("How many model workers' homes did the city build?").classes != ("people",)
    assert asked_for("How many workers were promoted?").classes == ("people",)


def test_the_noun_after_the_count_word_picks_the_figure_that_counts_it() -> None:
    sentence = "《十五件民生实事任务分解》细化15项具体任务,涉及10个责任单位;"
    facts = sentence_facts(sentence)
    question = "十五件民生实事涉及几个责任单位？"
    asked = asked_for(question)
    assert asked is not None and asked.kind == "count"
    # the words alone prefer 15项 (its attribute holds 民生实事); the counted noun decides
    chosen = choose_fact(facts, asked, weights("民生", "实事", "涉及", "责任", "单位"), question)
    assert chosen.best is not None and chosen.best.text == "10个" and chosen.confident
    tasks = choose_fact(facts, asked, weights("民生", "实事", "具体", "任务"), "十五件民生实事细化多少项具体任务？")
    assert tasks.best is not None and tasks.best.text == "15项"


def test_tiers_before_respectively_pair_with_its_figures_when_the_items_do_not() -> None:
    sentence = "对新认定国家级及省级制造业创新中心、技术创新示范企业,分别给予50万元、20万元一次性奖补;"
    by_figure = {fact.text: fact.attribute for fact in sentence_facts(sentence)}
    assert by_figure["50万元"].startswith("国家级") and "省级" not in by_figure["50万元"]
    assert by_figure["20万元"].startswith("省级") and "国家级" not in by_figure["20万元"]
    assert "制造业创新中心" in by_figure["50万元"], "the items' words stay with each tier's figure"
    asked = AskedFor("amount", ("money",))
    national = choose_fact(sentence_facts(sentence), asked, weights("国家级", "制造业", "创新", "中心"))
    assert national.best is not None and national.best.text == "50万元"


def test_a_counter_after_ji_ge_is_the_unit_asked_for() -> None:
    asked = asked_for("外派支援的医务人员分了几个批次？")
    assert asked is not None and asked.classes == ("批次",)
    facts = sentence_facts("选派16批次162人次医务人员赶赴外地支援。")
    chosen = choose_fact(facts, asked, weights("外派", "支援", "医务"), "外派支援的医务人员分了几个批次？")
    assert chosen.best is not None and chosen.best.text == "16批次"
    plain = asked_for("涉及几个责任单位？")
    assert plain is not None and "个" in plain.classes, "a noun after 几个 is not a counter"


def test_a_growth_rate_after_a_figure_is_described_by_that_figures_words() -> None:
    sentence = "地区生产总值77.41亿元、增长7.9%,固定资产投资增长31.1%,地方财政收入1.62亿元、增长7.8%。"
    asked = AskedFor("percent", ("percent",))
    chosen = choose_fact(sentence_facts(sentence), asked, weights("地区", "生产总值", "增速"))
    assert chosen.best is not None and chosen.best.text == "7.9%" and chosen.confident
    revenue = choose_fact(sentence_facts(sentence), asked, weights("地方", "财政收入", "增速"))
    assert revenue.best is not None and revenue.best.text == "7.8%"


def test_the_places_of_a_top_range_pair_with_its_figures() -> None:
    sentence = "市级通用工种前三名获得者分获3000元、2000元、1000元奖励。"
    by_figure = {fact.text: fact.attribute for fact in sentence_facts(sentence)}
    assert by_figure["3000元"].startswith("第一名") and by_figure["1000元"].startswith("第三名")
    asked = AskedFor("amount", ("money",))
    third = choose_fact(sentence_facts(sentence), asked, weights("第三名", "获得者", "奖励"))
    assert third.best is not None and third.best.text == "1000元" and third.confident
    # a range whose size is not the number of figures pairs nothing
    unpaired = {f.text: f.attribute for f in sentence_facts("前两名获得者分获3000元、2000元、1000元奖励。")}
    assert not any(attribute.startswith("第") for attribute in unpaired.values())


def test_chengxiang_before_respectively_pairs_urban_then_rural() -> None:
    sentence = "城乡居民人均可支配收入分别增长4.6%和7.1%,社会消费品零售总额29.67亿元、增长2.7%。"
    by_figure = {fact.text: fact.attribute for fact in sentence_facts(sentence)}
    assert by_figure["4.6%"].startswith("城镇") and by_figure["7.1%"].startswith("农村")
    assert not by_figure["2.7%"].startswith(("城镇", "农村")), "only the run right after 分别 pairs"


def test_a_threshold_the_question_names_picks_the_figure_of_its_tier() -> None:
    sentence = "2、早稻示范方:集中连片100亩以上的示范方补助1万元,300亩以上的补助2万元。"
    facts = sentence_facts(sentence)
    asked = AskedFor("amount", ("money",))
    question = "早稻示范方集中连片300亩以上补助多少？"
    chosen = choose_fact(facts, asked, weights("早稻", "示范方", "集中", "连片", "补助"), question)
    assert chosen.best is not None and chosen.best.text == "2万元" and chosen.confident
    # a figure that only names something (十五件 of 十五件民生实事) is not a threshold
    names = "《十五件民生实事任务分解》细化15项具体任务,涉及10个责任单位;"
    counted = choose_fact(sentence_facts(names), AskedFor("count", ()), weights("民生", "实事", "责任", "单位"),
                          "十五件民生实事涉及几个责任单位？")
    assert counted.best is not None and counted.best.text == "10个"


BREAKDOWN = "下达认证奖补资金共计20万元,其中甲县承担5万元,乙县承担3万元,丙镇承担12万元。"


def test_a_breakdown_part_is_chosen_by_its_own_words_and_the_total_otherwise() -> None:
    facts = sentence_facts(BREAKDOWN)
    asked = AskedFor("amount", ("money",))
    part = choose_fact(facts, asked, weights("认证", "奖补", "乙县", "承担"))
    assert part.best is not None and part.best.text == "3万元" and part.confident
    total = choose_fact(facts, asked, weights("认证", "奖补", "资金"))
    assert total.best is not None and total.best.text == "20万元" and total.confident


def test_qizhong_inside_a_clause_is_no_breakdown() -> None:
    sentence = "某市劳模中，企业职工占总人数的40%，一线工人占其中的70%。"
    facts = {f.text: f for f in sentence_facts(sentence)}
    assert "总人数" not in facts["70%"].attribute
    choice = choose_fact(list(facts.values()), AskedFor("percent", ("percent",)), weights("企业职工", "总人数"))
    assert choice.best is not None and choice.best.text == "40%"


def test_a_bracketed_aside_does_not_cut_a_figures_clause() -> None:
    sentence = "全国8个省(区、市)将改革纳入考核，5个省(区、市)设立专项资金。"
    facts = {f.text: f for f in sentence_facts(sentence)}
    assert "纳入考核" in facts["8个"].attribute and "专项资金" in facts["5个"].attribute
    choice = choose_fact(list(facts.values()), AskedFor("count", ("个",)), weights("专项资金"))
    assert choice.best is not None and choice.best.text == "5个"


def test_a_noun_phrase_clause_shares_the_next_clauses_predicate() -> None:
    sentence = "6个市的副市长，4个市的秘书长担任领导小组组长，3个市设立办公室。"
    facts = {f.text: f for f in sentence_facts(sentence)}
    assert "担任领导小组组长" in facts["6个"].attribute
    choice = choose_fact(
        list(facts.values()), AskedFor("count", ("个",)), weights("副市长", "担任", "领导小组", "组长")
    )
    assert choice.best is not None and choice.best.text == "6个" and choice.confident


def test_duoda_asks_for_a_figure() -> None:
    area = asked_for("某园区占地面积有多大？")
    assert area is not None and area.kind == "count"  # any figure; its words decide which
    money = asked_for("某县减税降费规模有多大？")
    assert money is not None and money.kind == "amount"


def test_labelled_items_of_an_enumeration_keep_their_own_labels() -> None:
    facts = {f.text: f for f in sentence_facts("出台政策20条，减税降费1.5亿元、惠企奖励30万元。")}
    assert "减税降费" not in facts["30万元"].attribute
    choice = choose_fact(list(facts.values()), AskedFor("amount", ("money",)), weights("减税降费"))
    assert choice.best is not None and choice.best.text == "1.5亿元" and choice.confident


def test_a_limit_asked_for_decides_even_when_the_words_cannot() -> None:
    facts = sentence_facts("该奖项中一线职工所占比例不得低于35%，2020年达到42.5%。")
    choice = choose_fact(facts, asked_for("what is the minimum share?") or AskedFor("percent"), {}, words_must_decide=True)
    assert choice.best is not None and choice.best.text == "35%" and choice.confident


def test_a_since_opening_dates_the_figures_without_a_year_of_their_own() -> None:
    facts = {f.text: f for f in sentence_facts("自2018年起，该奖项要求不得低于35%，2019年达到40%。")}
    assert facts["35%"].years == ("2018",) and facts["40%"].years == ("2019",)


def test_a_figure_equal_to_one_the_question_states_still_answers_when_it_counts_something_else() -> None:
    question = "某集团在国家确定的5个技能等级基础上，为技术工人增设了几个发展层级？"
    facts = sentence_facts("某集团在国家确定5个技能等级基础上，为技术工人增设5个发展层级。")
    choice = choose_fact(facts, asked_for(question) or AskedFor("count"), weights("增设", "发展层级"), question)
    assert choice.best is not None and choice.best.follows.startswith("发展层级") and choice.confident
    assert [f.follows[:4] for f in choice.compatible] == ["发展层级"]


def test_by_how_much_did_it_grow_asks_for_a_rate() -> None:
    asked = asked_for("By how much did the county's fixed-asset investment grow in 2022?")
    assert asked is not None and asked.kind == "percent"


def test_figures_naming_the_items_of_respectively_are_conditions_not_answers() -> None:
    sentence = "对年营业收入首次突破100亿元、300亿元、500亿元的园区,分别奖励100万元、200万元、300万元。"
    question = "园区年营业收入首次突破300亿元奖励多少？"
    facts = sentence_facts(sentence)
    assert [f.text for f in facts if f.key] == ["100亿元", "300亿元", "500亿元"]
    choice = choose_fact(facts, asked_for(question) or AskedFor("amount"), weights("园区", "营业收入", "突破", "奖励"), question)
    assert choice.best is not None and choice.best.text == "200万元" and choice.confident


def test_the_halves_of_chengxiang_take_only_their_own_clause() -> None:
    sentence = "固定资产投资增长31.1%,城乡居民人均可支配收入分别增长4.6%和7.1%。"
    facts = {f.text: f for f in sentence_facts(sentence)}
    assert "固定资产投资" not in facts["4.6%"].attribute and "农村" in facts["7.1%"].attribute


def test_the_words_since_the_previous_figure_tell_records_apart() -> None:
    sentence = "获得甲类认证奖补的企业共3家,累计奖补资金30万元,获得乙类认证奖补的企业共14家,累计奖补资金14.5万元。"
    facts = sentence_facts(sentence)
    asked = AskedFor("amount", ("money",))
    first = choose_fact(facts, asked, weights("甲类", "认证", "奖补", "资金"))
    assert first.best is not None and first.best.text == "30万元" and first.confident
    second = choose_fact(facts, asked, weights("乙类", "认证", "奖补", "资金"))
    assert second.best is not None and second.best.text == "14.5万元" and second.confident


def test_a_figure_after_another_in_its_clause_has_no_lead_to_tie_break_with() -> None:
    facts = sentence_facts(CHANGE)
    assert not facts[0].lead  # the sentence's first figure: its opening governs every figure
    choice = choose_fact(facts, AskedFor("amount", ("money",)), weights("哈尔滨", "大工匠", "奖励"))
    assert choice.best is not None and choice.best.text == "5万元"


def test_an_english_count_of_attendances_asks_for_person_times() -> None:
    asked = asked_for("How many industrial-worker trainee attendances did the classes reach?")
    assert asked is not None and asked.classes == ("人次",)
    choice = choose_fact(sentence_facts("先后举办各类培训班27期，培训产业工人3600多人次。"), asked, {})
    assert choice.best is not None and choice.best.text == "3600多人次"


def test_the_tier_a_question_names_picks_the_figure_respectively_pairs_with_it() -> None:
    sentence = ("对于高技能人才，每月可以获得500元的生活补贴，领军人才工作满10年以上，在办理退休手续时，"
                "按照国家级、省级、市级获奖类别，分别给予一次性10万元、8万元、5万元退休补助。")
    question = "领军人才工作满10年以上，退休时按市级获奖类别一次性给予多少退休补助？"
    facts = sentence_facts(sentence)
    assert "生活补贴" not in next(f for f in facts if f.text == "8万元").attribute
    choice = choose_fact(facts, asked_for(question) or AskedFor("amount"), weights("退休", "市级", "获奖", "补助"), question)
    assert choice.best is not None and choice.best.text == "5万元" and choice.confident


def test_a_tier_word_opening_a_clause_is_not_a_paired_tier() -> None:
    sentence = "农村低保保障标准提高到320元/月,月人均救助水平不低于197元。"
    facts = sentence_facts(sentence)
    assert all(not f.tier for f in facts)
    question = "某区农村低保月人均救助水平不低于多少？"
    choice = choose_fact(facts, asked_for(question) or AskedFor("amount"), weights("农村", "月人均", "救助", "水平"), question)
    assert choice.best is not None and choice.best.text == "197元"


def test_a_since_clause_inside_a_sentence_dates_the_figures_after_it() -> None:
    facts = {f.text: f for f in sentence_facts("全省各领域持续推进，2020年以来，全省共举办竞赛3.4万场。")}
    assert facts["3.4万场"].years == ("2020",)


def test_an_english_count_noun_picks_the_figure_that_counts_it() -> None:
    question = "How many lead units are involved in the county's 2025 work report tasks?"
    facts = sentence_facts("《2025年县政府工作报告任务分解》明确133项具体任务,涉及34个牵头单位;")
    assert next(f for f in facts if f.text == "34个").years == ("2025",)  # one year for the sentence
    choice = choose_fact(facts, asked_for(question) or AskedFor("count"), {}, question, words_must_decide=True)
    assert choice.best is not None and choice.best.text == "34个" and choice.confident


def test_two_years_in_a_sentence_leave_its_undated_figures_undated() -> None:
    facts = {f.text: f for f in sentence_facts("2019年招生142万人，2020年招生160万人，累计培训300万人。")}
    assert facts["300万人"].years == ()


def test_which_ones_is_no_count() -> None:
    assert asked_for("哪几位以一线劳动者身份当选兼职副主席？") is None
    assert asked_for("有几位劳动者当选兼职副主席？") is not None


@pytest.mark.parametrize(("question", "classes"), [
    ("这次消费券一共循环发几轮？", ("轮",)),
    ("面额50元的有几张？", ("张",)),
    ("共种植多少棵？", ("棵",)),
    ("需要几个工作日？", ("duration",)),
])
def test_a_counter_the_question_names_is_the_class_it_asks_for(question: str, classes: tuple[str, ...]) -> None:
    asked = asked_for(question)
    assert asked is not None and asked.classes == classes
    if classes == ("轮",):
        facts = sentence_facts("发放3000张,领券后7天未使用回收,循环发放二轮。")
        choice = choose_fact(facts, asked, {"循环": 1.0, "发放": 0.5}, question)
        assert choice.best is not None and choice.best.text == "二轮"


def test_a_price_right_before_a_count_qualifies_it_and_a_question_stating_the_price_picks_it() -> None:
    sentence = "油品券900张6万元(面额100元300张、面额50元600张)。"
    facts = sentence_facts(sentence)
    assert "50元" in next(f for f in facts if f.text == "600张").attribute
    question = "油品券里面额50元的有几张？"
    asked = asked_for(question)
    assert asked is not None
    choice = choose_fact(facts, asked, {"油品券": 2.0, "面额": 1.0}, question)
    assert choice.best is not None and choice.best.text == "600张" and choice.confident
    plain = choose_fact(facts, asked, {"油品券": 2.0}, "油品券一共有几张？")
    assert plain.best is not None and plain.best.text == "900张"


def test_a_bare_year_is_no_end_date_for_a_question_about_validity() -> None:
    asked = asked_for("How long are the coupons valid after they are claimed?")
    assert asked is not None and asked.also_dates
    facts = sentence_facts("2024年电子消费券活动开始,领券后使用核销期限为7天。")
    assert [f.text for f in facts if is_compatible(asked, f)] == ["7天"]
    dated = sentence_facts("消费券有效期至2024年12月31日。")
    assert [f.text for f in dated if is_compatible(asked, f)] == ["2024年12月31日"]


def test_a_figure_chosen_by_its_year_against_the_words_is_not_confident() -> None:
    sentence = "2.2024年某区城镇居民人均可支配收入为86702元,2025年义务兵家庭优待金标准为39016元。"
    question = "某区2024年义务兵家庭优待金标准是多少元？"
    asked = asked_for(question)
    assert asked is not None
    words = {"义务兵": 3.0, "家庭": 1.0, "优待金": 3.0, "标准": 1.0}
    choice = choose_fact(sentence_facts(sentence), asked, words, question)
    assert not choice.confident  # the 2024 figure is an income, the 优待金 is 2025's
    asked_2025 = choose_fact(sentence_facts(sentence), asked, words, question.replace("2024", "2025"))
    assert asked_2025.best is not None and asked_2025.best.text == "39016元" and asked_2025.confident


@pytest.mark.parametrize(("question", "answer"), [
    ("第三产业增加值增长了多少？", "8.9%"),
    ("第一产业增加值增长了多少？", "7.6%"),
])
def test_items_written_as_bare_numerals_share_the_last_items_noun(question: str, answer: str) -> None:
    facts = sentence_facts("一、二、三产业增加值分别增长7.6%、7.7%、8.9%;")
    asked = asked_for(question)
    assert asked is not None
    noun = "第三产业" if "第三" in question else "第一产业"
    choice = choose_fact(facts, asked, {noun: 3.0, "增加值": 1.0}, question)
    assert choice.best is not None and choice.best.text == answer and choice.confident


def test_prize_grades_written_as_bare_numerals_pair_with_their_awards() -> None:
    facts = sentence_facts("一、二、三等奖分别奖励3000元、2000元、1000元。")
    assert next(f for f in facts if f.text == "2000元").attribute.startswith("第二等奖 二等奖")


def test_how_fast_something_grew_asks_for_a_rate() -> None:
    asked = asked_for("How fast did the tertiary industry's value added grow in 2021?")
    assert asked is not None and asked.kind == "percent"
    assert asked_for("How fast is the new train?") is None


def test_a_rate_after_a_milestone_phrase_is_the_milestone_figures_rate() -> None:
    facts = sentence_facts("预计,GDP总量迈上500亿元台阶、增长8.5%,规模以上工业增加值增速9.5%。")
    assert "GDP" in next(f for f in facts if f.text == "8.5%").attribute
    assert "GDP" not in next(f for f in facts if f.text == "9.5%").attribute


def test_an_area_asked_for_is_a_measure_even_in_a_question_about_a_subsidy() -> None:
    question = "某县耕地地力保护补贴面积是多少？"
    asked = asked_for(question)
    assert asked is not None and asked.kind == "measure"
    sentence = "汇总确认全县耕地地力保护补贴面积1104318.046亩,核定补贴标准为93.6元/亩。"
    choice = choose_fact(sentence_facts(sentence), asked, {"补贴": 1.0, "面积": 2.0}, question)
    assert choice.best is not None and choice.best.text == "1104318.046亩"
    standard = asked_for("某县耕地地力保护补贴标准是多少？")
    assert standard is not None and standard.kind == "amount"


def test_a_date_is_the_questions_own_when_the_question_names_its_day() -> None:
    question = "某县5月11日开始的补贴标准公示哪天结束？"
    asked = asked_for(question)
    assert asked is not None
    facts = sentence_facts("2024年5月11日起开始公示,5月16日公示结束。")
    assert [f.text for f in candidate_facts(facts, asked, question)] == ["5月16日"]


def test_a_labelled_value_in_a_row_sentence_is_described_by_its_label_and_row() -> None:
    sentence = "乡镇：甲镇，新种任务：2150亩，备注：其中县农业投资有限公司新种任务1500亩,不计入甲镇绩效考核。"
    facts = sentence_facts(sentence)
    total = next(f for f in facts if f.text == "2150亩")
    assert "新种任务" in total.attribute and "甲镇" in total.attribute
    question = "甲镇要新种多少亩？"
    asked = asked_for(question)
    assert asked is not None
    choice = choose_fact(facts, asked, {"甲镇": 3.0, "新种": 2.0}, question)
    assert choice.best is not None and choice.best.text == "2150亩" and choice.confident


def test_how_many_times_asks_for_a_multiple() -> None:
    asked = asked_for("人均年纯收入高出全国脱贫标准几倍？")
    assert asked is not None and asked.classes == ("倍",)
    choice = choose_fact(sentence_facts("人均年纯收入达到2.9万元，高于全国脱贫标准7倍。"), asked, weights("高于"))
    assert choice.best is not None and choice.best.text == "7倍"


def test_a_question_per_unit_is_answered_only_by_a_figure_stated_per_that_unit() -> None:
    from rag.answering.facts import per_units

    asked = asked_for("每户奖励总金额最多多少？")
    assert asked is not None and per_units("每人每月补多少？") == ["人", "月"]
    total = sentence_facts("镇政府下达发展庭院经济奖补资金10万元。")
    assert candidate_facts(total, asked, "每户奖励总金额最多多少？") == []
    capped = sentence_facts("发展多项产业的，分别核算，每户奖励总金额不超过2000元。")
    assert [f.text for f in candidate_facts(capped, asked, "每户奖励总金额最多多少？")] == ["2000元"]
    rate = sentence_facts("补贴标准：625元/月/人。")
    monthly = asked_for("低保每人每月补多少？")
    assert monthly is not None and [f.text for f in candidate_facts(rate, monthly, "低保每人每月补多少？")] == ["625元/月/人"]


def test_an_english_question_per_unit_asks_for_the_same_rate() -> None:
    from rag.answering.facts import per_units

    assert per_units("What is the per-mu award for growing vegetables?") == ["亩"]
    assert per_units("How much is awarded per pig, cattle or sheep raised?") == ["头"]
    assert per_units("What was the GDP in 2019?") == []


def test_a_date_written_in_figures_names_its_day_or_month() -> None:
    """「发布日期:2022-07-29」 answers 「哪天发布的」 and 「几月」 as 「2022年7月29日」 would; a year alone neither."""
    day, month = asked_for("公示是哪天发布的？"), asked_for("公示是几月发布的？")
    assert day is not None and day.precision == "day" and month is not None and month.precision == "month"
    assert [f.text for f in sentence_facts("发布日期:2022-07-29") if is_compatible(day, f)] == ["2022-07-29"]
    assert [f.text for f in sentence_facts("发布日期:2022-07-29") if is_compatible(month, f)] == ["2022-07-29"]
    assert [f.text for f in sentence_facts("发布于2022年") if is_compatible(day, f) or is_compatible(month, f)] == []


def test_a_price_rising_by_how_much_asks_for_a_share() -> None:
    asked = asked_for("某县2022年居民消费价格比上年上涨多少？")
    assert asked is not None and asked.classes == ("percent",)
    money = asked_for("某县猪肉价格是多少？")
    assert money is not None and money.classes == ("money",)


def test_a_total_asked_with_gong_ji_is_the_figure_the_sentence_sums_up() -> None:
    sentence = "本次共拨付55名补助对象助学补助每人3000元，共计16.5万元，此项资金专项用于助学补助。"
    facts = sentence_facts(sentence)
    asked = AskedFor("amount", ("money",))
    total = choose_fact(facts, asked, weights("助学", "补助", "资金"), "某县第二批助学补助资金共计多少？")
    assert total.best is not None and total.best.text == "16.5万元"
    each = choose_fact(facts, asked, weights("助学", "补助"), "某县助学补助每人多少？")
    assert each.best is not None and each.best.text == "3000元", "a question asking per person keeps its figure"


def test_the_first_n_ranks_pair_with_the_figures_paid_respectively() -> None:
    sentence = "县区在年度目标考核中居前3名的,授予先进县区称号,一次性分别奖励资金100万元、50万元、30万元。"
    facts = sentence_facts(sentence)
    asked = AskedFor("amount", ("money",))
    third = choose_fact(facts, asked, weights("考核", "奖励"), "考核居第三名的县区奖励多少？")
    assert third.best is not None and third.best.text == "30万元" and third.confident
    second = choose_fact(facts, asked, weights("奖励"), "How much does the second-ranked county receive?")
    assert second.best is not None and second.best.text == "50万元"
    unranked = sentence_facts("居前3名的单位分别奖励100万元、50万元。")  # two figures for three ranks: no pairing
    assert not any(f.tier for f in unranked)


def test_a_parallel_label_shares_the_verb_before_the_first_label() -> None:
    facts = sentence_facts("全年签约项目27个,实际使用内资30.2亿元、外资381万美元。")
    foreign = choose_fact(facts, AskedFor("amount", ("money",)), weights("实际", "使用", "外资"), "实际使用外资多少？")
    assert foreign.best is not None and foreign.best.text == "381万美元" and foreign.confident
    unrelated = sentence_facts("城镇居民人均可支配收入4万元、农村居民2万元。")
    assert unrelated[1].attribute.strip() == "农村居民", "labels that are not parallel share nothing"


def test_an_english_question_about_output_asks_for_a_measure_not_money() -> None:
    assert asked_for("How much grain did the county produce in 2022?").kind == "measure"
    assert asked_for("What was the county's total grain output in 2022?").kind == "measure"
    assert asked_for("What was the gross output value of agriculture?").kind == "amount"
    assert asked_for("嵩县2022年棉花产量比上年变化多少？").kind == "percent"


def test_a_measured_noun_asks_for_its_own_units() -> None:
    output = asked_for("某县2022年棉花产量是多少？")
    assert output.kind == "measure" and "吨" in output.classes and "亩" not in output.classes
    area = asked_for("某县补贴面积是多少？")
    assert "亩" in area.classes and "吨" not in area.classes
    follow_up = asked_for("某县2022年粮食播种面积是多少，它的总产量？")
    assert "吨" in follow_up.classes, "the follow-up's own noun, the last one, decides"


def test_names_holding_he_pair_with_their_figures_respectively() -> None:
    sentence = (
        "在第三产业中交通运输仓储和邮政业、批发和零售业、住宿和餐饮业、金融业、房地产业、营利性服务业及"
        "非营利性服务业增加值分别增长11.3%、5.5%、2.6%、5.1%、2.4%、0.2%和5.8%。"
    )
    facts = sentence_facts(sentence)
    asked = AskedFor("percent", ("percent",))
    finance = choose_fact(facts, asked, weights("金融业", "增加值"), "金融业增加值增长多少？")
    assert finance.best is not None and finance.best.text == "5.1%"
    lodging = choose_fact(facts, asked, weights("住宿", "餐饮业", "增加值"), "住宿和餐饮业增加值增长多少？")
    assert lodging.best is not None and lodging.best.text == "2.6%"
    tiers = sentence_facts("对新认定国家级及省级制造业创新中心、技术创新示范企业,分别给予50万元、20万元一次性奖补;")
    assert [f.tier for f in tiers] == ["国家级", "省级"], "two 、-items against two figures: the tiers pair"


def test_the_other_items_before_fen_bie_are_not_a_figures_words() -> None:
    facts = sentence_facts("全年接待游客人次、旅游总收入分别增长40%和50%。")
    assert "旅游总收入" not in facts[0].attribute and "旅游总收入" in facts[1].attribute
    asked = AskedFor("percent", ("percent",))
    income = choose_fact(facts, asked, weights("旅游", "总收入"), "旅游总收入增长了多少？")
    assert income.best is not None and income.best.text == "50%"
    halves = sentence_facts("城镇和农村居民人均可支配收入分别增长4.6%和7.1%")
    assert "居民人均可支配收入" in halves[0].attribute, "a bare qualifier keeps the noun the last item carries"


def test_a_contact_or_ratio_question_asks_for_no_figure() -> None:
    assert asked_for("县财政局的监督电话是多少？") is None
    assert asked_for("望江县2022年三次产业结构是多少？") is None
    assert asked_for("全县开通了几条服务热线？") is not None


def test_how_much_a_figure_fell_is_a_rate_and_an_area_counted_in_total_is_an_area() -> None:
    long_subject = "By how much did the value added of industry above designated size in Wangjiang County decline in 2022?"
    assert asked_for(long_subject).kind == "percent"
    area = asked_for("卢氏县2022年符合奖补条件的基地面积共计多少？")
    assert area.kind == "measure" and "亩" in area.classes


def test_a_figure_in_ge_before_another_noun_does_not_count_the_asked_noun() -> None:
    asked = AskedFor("count", compatible_classes("个"))
    facts = sentence_facts("6.项目管理费(全县2个村发展集体经济项目管理费) 投资:14万元。")
    assert candidate_facts(facts, asked, "全县共安排了多少个项目？") == []
    counted = sentence_facts("按照资金下达规模,共安排了6个项目,项目总投资为1259万元。")
    assert [f.text for f in candidate_facts(counted, asked, "全县共安排了多少个项目？")] == ["6个"]


def test_a_named_currency_is_the_figures_currency() -> None:
    question = "某县2021年人均地区生产总值折合多少美元？"
    asked = asked_for(question)
    assert asked is not None and asked.currency == "美元"
    facts = sentence_facts("人均地区生产总值27711元,按2021年平均汇率计算为4295美元。")
    assert [f.text for f in candidate_facts(facts, asked, question)] == ["4295美元"]
    assert asked_for("每人奖励多少元？").currency == ""  # type: ignore[union-attr]


def test_a_per_person_question_is_not_answered_by_a_total() -> None:
    asked = AskedFor("amount", ("money",))
    totals = sentence_facts("全市实现地区生产总值(GDP)567.9亿元,比上年增长6.8%。")
    assert candidate_facts(totals, asked, "某市2021年人均GDP达到多少元？") == []
    per_person = sentence_facts("人均GDP达37080元,比上年增长7.3%。")
    assert [f.text for f in candidate_facts(per_person, asked, "What was the city's per-capita GDP in 2021?")] == ["37080元"]


def test_a_per_person_questions_change_and_each_person_figures_stay() -> None:
    asked = AskedFor("amount", ("money",))
    change = sentence_facts("人均地区生产总值5.18万元,比上年增加0.17万元,比全省高1.18万元;")
    kept = [f.text for f in candidate_facts(change, asked, "某市2018年人均地区生产总值，比上年增加了多少？")]
    assert "0.17万元" in kept
    each = sentence_facts("对符合条件的学生每人补助3000元。")
    assert [f.text for f in candidate_facts(each, asked, "How much is the study subsidy per person?")] == ["3000元"]


def test_the_per_capita_figure_does_not_answer_for_the_total_indicator() -> None:
    """「地区生产总值是多少」 asks the total, not 「人均地区生产总值」; with 人均 it asks that one."""
    sentence = "人均地区生产总值为99270元,比去年增长13.7%"
    total = asked_for("某市地区生产总值是多少？")
    assert total is not None
    assert choose_fact(sentence_facts(sentence), total, weights("地区生产总值"), "某市地区生产总值是多少？").best is None
    per_capita = "某市人均地区生产总值是多少？"
    asked = asked_for(per_capita)
    assert asked is not None
    chosen = choose_fact(sentence_facts(sentence), asked, weights("人均", "地区生产总值"), per_capita).best
    assert chosen is not None and chosen.text == "99270元"


def test_an_english_figure_question_asks_what_its_chinese_renderings_name() -> None:
    from rag.answering.facts import asked_through_renderings

    asked = asked_through_renderings("What were the county's total retail sales in 2022?", ["社会消费品零售总额"])
    assert asked is not None and asked.kind == "amount"
    assert asked_through_renderings("What were the county's main tasks in 2022?", ["主要任务"]) is None
    assert asked_through_renderings("What is the name of the fund?", ["资金"]) is None


def test_counts_of_an_enumeration_share_the_noun_written_after_the_last() -> None:
    """「东庄街道4个、西城镇31个、南岩镇22个、北坞镇18个共75个行政村」: each town's count counts 行政村;
    the town the question names picks its count, and a question naming no town asks the total."""
    sentence = "原则同意东庄街道4个、西城镇31个、南岩镇22个、北坞镇18个共75个行政村的整治项目实施方案。"
    facts = sentence_facts(sentence)
    town = "南岩镇有多少个行政村纳入整治？"
    asked = asked_for(town)
    assert asked is not None
    chosen = choose_fact(facts, asked, weights("南岩", "行政村", "整治"), town).best
    assert chosen is not None and chosen.text == "22个"
    first = choose_fact(facts, asked, weights("东庄", "街道", "行政村"), "东庄街道有多少个行政村？").best
    assert first is not None and first.text == "4个"
    total = "某县批复同意多少个行政村的整治方案？"
    chosen_total = choose_fact(facts, asked, weights("批复", "同意", "行政村", "整治", "方案"), total).best
    assert chosen_total is not None and chosen_total.text == "75个"


def test_counts_without_names_of_their_own_stay_paired_by_respectively() -> None:
    sentence = "14项、48项工作分别获省政府和市政府督查激励。"
    question = "获得市政府督查激励的工作有多少项？"
    asked = asked_for(question)
    assert asked is not None
    chosen = choose_fact(sentence_facts(sentence), asked, weights("市政府", "督查", "激励", "工作"), question).best
    assert chosen is not None and chosen.text == "48项"


def test_a_fee_after_duoshao_asks_money_and_an_age_takes_either_spelling() -> None:
    fee = asked_for("每人要交多少报名费？")
    assert fee is not None and fee.kind == "amount"
    age = asked_for("研究生的年龄放宽到多少岁？")
    assert age is not None
    chosen = choose_fact(sentence_facts("研究生年龄放宽至35周岁以下。"), age, weights("研究生", "年龄"), "研究生的年龄放宽到多少岁？")
    assert chosen.best is not None and chosen.best.text == "35周岁"


def test_an_english_question_naming_a_tier_takes_that_tiers_figure() -> None:
    sentence = "城市低保保障标准提高到500元/月,农村低保保障标准提高到320元/月。"
    question = "What is the new rural minimum living allowance standard?"
    chosen = choose_fact(sentence_facts(sentence), AskedFor("amount", ("money",)), weights("低保", "标准"), question).best
    assert chosen is not None and chosen.text == "320元/月"


def test_a_list_keyed_by_place_answers_with_the_figure_after_the_asked_place() -> None:
    """「皮山县58.97万元,墨玉县118.71万元,和田县78.2万元」 for 「分配给墨玉县多少」: the figure right after
    墨玉县, not the first one, whose attribute also holds the words before the list."""
    sentence = "2020年中央农村环境整治资金(统筹整合部分)皮山县58.97万元,墨玉县118.71万元,和田县78.2万元。"
    question = "某地区2020年中央农村环境整治资金(统筹整合部分)分配给墨玉县多少？"
    asked = asked_for(question)
    assert asked is not None and asked.kind == "amount"
    words = weights("中央", "农村环境整治资金", "统筹整合部分", "分配")
    chosen = choose_fact(sentence_facts(sentence), asked, words, question, places=["墨玉县", "墨玉"])
    assert chosen.best is not None and chosen.best.text == "118.71万元" and chosen.confident
    last = choose_fact(sentence_facts(sentence), asked, words, question.replace("墨玉县", "和田县"), places=["和田县"])
    assert last.best is not None and last.best.text == "78.2万元"
    # a key no division list holds (a development zone) is read back from the question itself
    zone = "某市水利发展资金中乐山高新区分到多少？"
    zone_list = sentence_facts("某市水利发展资金:乐山高新区348万元,夹江县150万元,沐川县210万元。")
    chosen_zone = choose_fact(zone_list, asked, weights("水利发展资金", "分到"), zone)
    assert chosen_zone.best is not None and chosen_zone.best.text == "348万元"
    # a question naming none of the list's places asks about the whole: no one place's figure is it
    whole = choose_fact(sentence_facts(sentence), asked, words, "某地区2020年中央农村环境整治资金是多少？")
    assert not whole.confident


def test_figures_written_before_their_keys_are_no_list_keyed_by_place() -> None:
    """「资金来源:70%中央和自治区,10%盟市,20%本级资金」: each share is written before whose it is."""
    sentence = "(五)资金来源:70%中央和自治区,10%盟市,20%本级资金。"
    question = "某市低保资金中，中央和自治区承担多大比例？"
    asked = asked_for(question)
    assert asked is not None
    chosen = choose_fact(sentence_facts(sentence), asked, weights("低保资金", "中央", "自治区", "承担"), question)
    assert chosen.best is not None and chosen.best.text == "70%"


def test_a_question_about_the_whole_takes_the_total_beside_a_list_keyed_by_place() -> None:
    sentence = "中央资金共476万元,其中皮山县58.97万元,墨玉县118.71万元,和田县78.2万元。"
    question = "某地区2020年中央资金是多少？"
    asked = asked_for(question)
    assert asked is not None
    chosen = choose_fact(sentence_facts(sentence), asked, weights("中央", "资金"), question)
    assert chosen.best is not None and chosen.best.text == "476万元"
    county = choose_fact(sentence_facts(sentence), asked, weights("中央", "资金"), question, places=["墨玉县"])
    assert county.best is not None and county.best.text == "118.71万元"


def test_a_place_the_question_names_picks_nothing_in_a_sentence_not_keyed_by_place() -> None:
    """「某县大工匠由每人奖励1万元提高到5万元」: no figure follows a place's name, so the asked county
    changes nothing (the new value answers)."""
    sentence = "某县大工匠由每年评选10人增加到50人，由每人奖励1万元提高到5万元。"
    asked = AskedFor("amount", ("money",))
    chosen = choose_fact(sentence_facts(sentence), asked, weights("奖励"), "某县对大工匠每人奖励多少钱？", places=["某县"])
    assert chosen.best is not None and chosen.best.text == "5万元"


@pytest.mark.parametrize("question", [
    "某县2019年建筑业总产值比增多少？",
    "某旗2021年城镇登记失业率控制在多少以内？",
    "How much did the secondary industry value added of the banner grow in 2021?",
])
def test_growth_and_rate_questions_ask_a_percentage(question: str) -> None:
    asked = asked_for(question)
    assert asked is not None and asked.kind == "percent"


def test_a_money_question_about_growth_in_money_still_asks_money() -> None:
    asked = asked_for("某县建筑业总产值比增多少万元？")
    assert asked is not None and asked.kind == "amount"


def test_an_english_total_indicator_is_not_answered_by_its_per_capita_figure() -> None:
    """"What was the GDP" renders as 生产总值: 「人均生产总值达到130800元」 is another indicator."""
    asked = AskedFor("amount", ("money",))
    facts = sentence_facts("人均生产总值达到130800元,同比增长1.7%。")
    question = "What was the GDP of the banner in 2021?"
    assert candidate_facts(facts, asked, question, ["地区生产总值", "生产总值"]) == []
    assert [f.text for f in candidate_facts(facts, asked, question, ["零售总额"])] == ["130800元"]
    per_capita = "What was the per capita GDP of the banner in 2021?"
    assert [f.text for f in candidate_facts(facts, asked, per_capita, ["生产总值"])] == ["130800元"]


def test_a_question_asking_the_margin_gets_the_figure_after_the_same_verb() -> None:
    """「增速超过全省多少」: 「超过全省0.4个百分点」, not the 8.5% growth it exceeds by."""
    sentence = "预计实现地区生产总值1800亿元、增长8.5%,超过全省0.4个百分点;"
    question = "某市2018年地区生产总值增速超过全省多少？"
    asked = asked_for(question)
    assert asked is not None
    chosen = choose_fact(sentence_facts(sentence), asked, weights("地区生产总值", "增速"), question)
    assert chosen.best is not None and chosen.best.text == "0.4个百分点"
    growth = "某市2018年地区生产总值增长多少？"
    plain = choose_fact(sentence_facts(sentence), asked, weights("地区生产总值", "增长"), growth)
    assert plain.best is not None and plain.best.text == "8.5%"


def test_an_english_per_capita_question_is_not_answered_by_another_indicators_figure() -> None:
    """"per capita disposable income" (可支配收入) is not 「人均地区生产总值44116元」; "per capita GDP" is."""
    asked = AskedFor("amount", ("money",))
    facts = sentence_facts("按常住人口计算,人均地区生产总值44116元。")
    income = "What was the per capita disposable income of the county's residents in 2022?"
    assert candidate_facts(facts, asked, income, ["收入", "可支配收入"]) == []
    gdp = "What was the per capita GDP of the county in 2022?"
    assert [f.text for f in candidate_facts(facts, asked, gdp, ["人均地区生产总值", "地区生产总值"])] == ["44116元"]
    # a rendering too short to name an indicator ("income") decides nothing
    assert [f.text for f in candidate_facts(facts, asked, "What was the per capita income?", ["收入"])] == ["44116元"]


@pytest.mark.parametrize("question", [
    "By how much did the value added of industry above designated size (规模工业增加值) grow in the county in 2023?",
    "What was the city's fixed-asset investment growth in 2021?",
])
def test_english_growth_questions_ask_a_rate(question: str) -> None:
    asked = asked_for(question)
    assert asked is not None and asked.kind == "percent"


def test_an_english_rate_word_inside_another_word_asks_no_percentage() -> None:
    """"integrated" holds "rate", "shareholders" holds "share": neither asks a percentage."""
    asked = asked_for("How much did the county receive from the rural environment funds (integrated part)?")
    assert asked is not None and asked.kind == "amount"
    rate = asked_for("What was the registered urban unemployment rate of the city in 2018?")
    assert rate is not None and rate.kind == "percent"


def test_the_asked_places_key_decides_over_an_english_tier_in_the_lists_lead() -> None:
    """"Moyu County's central funds": 中央 stands in the list's lead, which only the first item's words
    hold; the figure after 墨玉县 is still the answer."""
    sentence = "2020年中央农村环境整治资金(统筹整合部分)皮山县58.97万元,墨玉县118.71万元,和田县78.2万元。"
    question = "How much did Moyu County receive from the 2020 central rural environment improvement funds?"
    asked = asked_for(question)
    assert asked is not None
    chosen = choose_fact(
        sentence_facts(sentence), asked, weights("农村环境整治资金"), question, words_must_decide=True,
        places=["墨玉县", "墨玉"],
    )
    assert chosen.best is not None and chosen.best.text == "118.71万元" and chosen.confident


@pytest.mark.parametrize("question", [
    "What is the number of migrant workers trained in the county in 2022?",
    "What was the number of sewage treatment plants built?",
])
def test_an_english_money_word_inside_another_word_asks_no_money(question: str) -> None:
    """"migrant" holds "grant", "sewage" holds "wage": a count is asked, not money."""
    asked = asked_for(question)
    assert asked is not None and asked.kind == "count"
