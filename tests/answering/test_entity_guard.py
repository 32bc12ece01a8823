"""The entity guard: evidence must be about the question's place, year, edition and tier.

Documents are built in the test, so every place here is judged by the national division list and
the document's own title, not by what the bundled corpus happens to cover.
"""

from __future__ import annotations

import pytest

from rag.answering.entity_guard import EntityGuard
from rag.answering.question import QuestionAnalyzer
from rag.schema import Document, Heading
from rag.text.places import Gazetteer


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer()


@pytest.fixture(scope="module")
def analyzer(gazetteer: Gazetteer) -> QuestionAnalyzer:
    return QuestionAnalyzer(gazetteer=gazetteer)


@pytest.fixture()
def guard(gazetteer: Gazetteer) -> EntityGuard:
    return EntityGuard(gazetteer)  # per test: it caches each document's place by content hash


def make_document(doc_id: str, title: str, text: str) -> Document:
    return Document(doc_id=doc_id, title=title, text=text, content_hash=doc_id)


def missing_for(
    guard: EntityGuard, analyzer: QuestionAnalyzer, question: str, document: Document, sentence: str,
    before_answer: str | None = None, answer_words: str | None = None,
) -> list[str]:
    """What ``guard`` finds missing when ``sentence`` (a slice of the document) answers ``question``."""
    start = document.text.index(sentence)
    return guard.missing(
        analyzer.analyze(question), document, start, start + len(sentence), before_answer, answer_words
    )


HUAIHUA_TITLE = "怀化市人民政府关于印发《怀化市大工匠评选管理办法》的通知"
HUAIHUA_SENTENCE = "我市对认定的大工匠每人奖励5万元。"


# ----- 1. the document's city stands behind 我市 -----
def test_city_document_supports_its_own_city_and_not_a_sibling(
    guard: EntityGuard, analyzer: QuestionAnalyzer
) -> None:
    document = make_document("huaihua", HUAIHUA_TITLE, f"为弘扬工匠精神，制定本办法。\n{HUAIHUA_SENTENCE}\n")
    assert missing_for(guard, analyzer, "怀化市对大工匠每人奖励多少钱？", document, HUAIHUA_SENTENCE) == []
    assert "邵阳市" in missing_for(guard, analyzer, "邵阳市对大工匠每人奖励多少钱？", document, HUAIHUA_SENTENCE)


# ----- 2. any county of the country, not only the corpus's -----
LUEYANG_TITLE = "略阳县人民政府关于印发略阳县技能人才奖励办法的通知"
LUEYANG_SENTENCE = "对认定的县级技能大师每人奖励2万元。"


@pytest.fixture()
def lueyang() -> Document:
    return make_document("lueyang", LUEYANG_TITLE, f"第一条 为加强技能人才队伍建设，制定本办法。\n{LUEYANG_SENTENCE}\n")


def test_uncovered_county_document_supports_its_own_county(
    guard: EntityGuard, analyzer: QuestionAnalyzer, lueyang: Document
) -> None:
    assert missing_for(guard, analyzer, "略阳县对技能大师每人奖励多少钱？", lueyang, LUEYANG_SENTENCE) == []


def test_uncovered_county_document_does_not_support_a_sibling_county(
    guard: EntityGuard, analyzer: QuestionAnalyzer, lueyang: Document
) -> None:
    # 勉县 lies in 汉中市 like 略阳县
    assert "勉县" in missing_for(guard, analyzer, "勉县对技能大师每人奖励多少钱？", lueyang, LUEYANG_SENTENCE)


def test_province_qualifying_the_county_is_satisfied_by_the_county(
    guard: EntityGuard, analyzer: QuestionAnalyzer, lueyang: Document
) -> None:
    question = "陕西省略阳县对技能大师每人奖励多少钱？"
    assert missing_for(guard, analyzer, question, lueyang, LUEYANG_SENTENCE) == []


def test_jiaocheng_document_supports_shanxi_jiaocheng_and_not_wenshui(
    guard: EntityGuard, analyzer: QuestionAnalyzer
) -> None:
    sentence = "全县地区生产总值完成120亿元。"
    document = make_document("jiaocheng", "交城县2022年政府工作报告", f"各位代表：\n{sentence}\n")
    assert missing_for(guard, analyzer, "交城县地区生产总值是多少？", document, sentence) == []
    assert missing_for(guard, analyzer, "山西省交城县地区生产总值是多少？", document, sentence) == []
    assert "文水县" in missing_for(guard, analyzer, "文水县地区生产总值是多少？", document, sentence)


# ----- 3. the sentence's own place decides, up to the answer -----
def test_sentence_naming_a_rival_city_before_the_figure_is_not_evidence(
    guard: EntityGuard, analyzer: QuestionAnalyzer
) -> None:
    rival = "邵阳市大工匠每人奖励3万元。"
    document = make_document("huaihua-rival", HUAIHUA_TITLE, f"{HUAIHUA_SENTENCE}{rival}\n")
    assert "怀化市" in missing_for(guard, analyzer, "怀化市对大工匠每人奖励多少钱？", document, rival)


def test_places_named_after_the_answer_are_destinations_not_rivals(
    guard: EntityGuard, analyzer: QuestionAnalyzer
) -> None:
    sentence = "选派162人次医务人员赶赴上海、贵阳支援"
    document = make_document(
        "huaihua-health", "怀化市卫生健康委员会2022年工作总结", f"一、疫情防控\n{sentence}，圆满完成任务。\n"
    )
    question = "怀化市选派了多少人次医务人员外出支援？"
    assert missing_for(guard, analyzer, question, document, sentence, before_answer="选派") == []


# ----- 4. years -----
def test_document_number_year_is_not_the_figure_year(guard: EntityGuard, analyzer: QuestionAnalyzer) -> None:
    sentence = "根据金政发〔2021〕7号文件，下达2022年奖励资金6320万元。"
    document = make_document("jinhua", "金华市财政局关于下达奖励资金的通知", f"各县（市、区）财政局：\n{sentence}\n")
    assert "2021年" in missing_for(guard, analyzer, "2021年金华市下达奖励资金多少万元？", document, sentence)
    assert missing_for(guard, analyzer, "2022年金华市下达奖励资金多少万元？", document, sentence) == []


# ----- 5. editions -----
EDITION_SENTENCE = "第二批认定的大工匠每人奖励5万元。"


@pytest.fixture()
def edition_document() -> Document:
    return make_document("huaihua-batch", HUAIHUA_TITLE, f"{HUAIHUA_SENTENCE}\n{EDITION_SENTENCE}\n")


def test_other_edition_question_is_missing_its_edition(
    guard: EntityGuard, analyzer: QuestionAnalyzer, edition_document: Document
) -> None:
    question = "怀化市第一批大工匠每人奖励多少钱？"
    assert "1批" in missing_for(guard, analyzer, question, edition_document, EDITION_SENTENCE)


@pytest.mark.parametrize("question", ["怀化市第二批大工匠每人奖励多少钱？", "怀化市第2批大工匠每人奖励多少钱？"])
def test_same_edition_in_words_or_digits_is_supported(
    guard: EntityGuard, analyzer: QuestionAnalyzer, edition_document: Document, question: str
) -> None:
    assert missing_for(guard, analyzer, question, edition_document, EDITION_SENTENCE) == []


def test_english_ordinal_edition_is_held_to_its_batch(
    guard: EntityGuard, analyzer: QuestionAnalyzer, edition_document: Document
) -> None:
    question = "How much was each great craftsman in Huaihua awarded in the third batch?"
    assert "3批" in missing_for(guard, analyzer, question, edition_document, EDITION_SENTENCE)


# ----- 6. tiers -----
TIER_SENTENCE = "对新认定的国家级制造业创新中心给予一次性奖励1000万元，省级给予一次性奖励300万元。"


@pytest.fixture()
def tier_document() -> Document:
    return make_document("huaihua-tier", "怀化市人民政府关于支持制造业创新中心建设的若干措施", f"{TIER_SENTENCE}\n")


def test_other_tier_answer_words_leave_the_asked_tier_missing(
    guard: EntityGuard, analyzer: QuestionAnalyzer, tier_document: Document
) -> None:
    missing = missing_for(
        guard, analyzer, "怀化市对省级制造业创新中心奖励多少钱？", tier_document, TIER_SENTENCE,
        answer_words="国家级制造业创新中心 一次性奖励",
    )
    assert missing == ["省级"]


def test_answer_words_naming_the_asked_tier_are_supported(
    guard: EntityGuard, analyzer: QuestionAnalyzer, tier_document: Document
) -> None:
    missing = missing_for(
        guard, analyzer, "怀化市对省级制造业创新中心奖励多少钱？", tier_document, TIER_SENTENCE,
        answer_words="国家级及省级",
    )
    assert missing == []


# ----- 7. aliases and short forms only as whole words -----
def test_alias_is_not_read_across_a_word_boundary(gazetteer: Gazetteer) -> None:
    mentions = gazetteer.find("黑龙江省和龙江")
    assert [m.surface for m in mentions] == ["黑龙江省", "龙江"]
    assert all(m.place.name == "黑龙江" and m.place.level == "province" for m in mentions)
    assert not any(m.place.name.startswith("和龙") for m in mentions)


def test_person_name_containing_a_county_does_not_make_the_document_place(gazetteer: Gazetteer) -> None:
    document = make_document("yuping", "玉屏侗族自治县人民政府县长 田兴国", "田兴国，男，汉族。\n")
    home = gazetteer.document_place(document)
    assert home is not None and home.name == "玉屏侗族自治县"
    xingguo = [m for m in gazetteer.find(document.title) if m.surface == "兴国"]
    assert xingguo and not any(m.reliable for m in xingguo)  # read, but not trusted


# ----- 8. English place names -----
def test_english_county_name_is_recognised(analyzer: QuestionAnalyzer) -> None:
    analysis = analyzer.analyze("What was Jiaocheng County's GDP in 2022?")
    assert "交城县" in [m.place.name for m in analysis.places]
    assert analysis.years == ["2022"]


def test_conventional_english_city_name_is_recognised(analyzer: QuestionAnalyzer) -> None:
    analysis = analyzer.analyze("How much did Harbin award each of its great craftsmen?")
    assert [m.place.name for m in analysis.places] == ["哈尔滨"]


def test_a_figure_the_question_states_must_be_the_evidences(gazetteer: Gazetteer) -> None:
    analysis = QuestionAnalyzer(gazetteer).analyze("油菜示范方集中连片600亩以上补助多少？")
    assert [q.text for q in analysis.figures] == ["600亩"]
    guard = EntityGuard(gazetteer)
    other = "油菜示范方：集中连片300亩以上的示范方补助0.6万元。"
    same = "油菜示范方：集中连片600亩以上的示范方补助1万元。"
    for text, expected in ((other, ["600亩"]), (same, [])):
        document = Document(doc_id="d.txt", title="扶持意见", text=text)
        assert guard.missing(analysis, document, 0, len(text)) == expected


def test_a_place_that_begins_a_company_name_the_document_holds_is_not_a_jurisdiction(
    guard: EntityGuard, analyzer: QuestionAnalyzer
) -> None:
    sentence = "培训过后，企业还举办焊工技能大赛，目前已有65人获得技能津贴。"
    text = (
        "黑龙江省产业工人队伍建设改革纪实\n"
        "鸡西红星锅炉有限公司是一家私营企业，该公司特别注重培养一线职工技能。\n"
        "近年来，红星锅炉举办了“三级培训”。\n"
        "公司还组织了岗位练兵。\n"
        f"{sentence}\n"
    )
    report = make_document("report.txt", "黑龙江省产业工人队伍建设改革纪实", text)
    assert missing_for(guard, analyzer, "鸡西红星锅炉有限公司有多少人获得了技能津贴？", report, sentence) == []
    # the city itself, not a company named after it, must still be supported
    assert missing_for(guard, analyzer, "鸡西市有多少人获得了技能津贴？", report, sentence) == ["鸡西市"]
    # a company the document does not name leaves the place unsupported
    assert missing_for(guard, analyzer, "鸡西蓝天锅炉有限公司有多少人获得了技能津贴？", report, sentence) == ["鸡西"]


def test_a_list_item_about_a_sibling_kind_does_not_answer(
    guard: EntityGuard, analyzer: QuestionAnalyzer
) -> None:
    late = "3、单季晚稻示范方:集中连片400亩以上的示范方补助1万元,600亩以上的补助2万元。"
    rape = "4、“双低”油菜示范方:集中连片300亩以上的示范方补助0.6万元。"
    text = f"某县扶持粮食生产的意见\n{late}\n{rape}\n"
    notice = make_document("grain.txt", "某县扶持粮食生产的意见", text)
    assert missing_for(guard, analyzer, "油菜示范方集中连片600亩以上补助多少？", notice, late) == ["油菜示范方"]
    assert missing_for(guard, analyzer, "油菜示范方集中连片300亩以上补助多少？", notice, rape) == []
    assert missing_for(guard, analyzer, "单季晚稻示范方集中连片600亩以上补助多少？", notice, late) == []


def test_the_day_of_a_full_date_stands_for_its_year_in_a_sentence_with_no_year(
    guard: EntityGuard, analyzer: QuestionAnalyzer
) -> None:
    sentence = "4月6日,省总工会出台方案,培训1.5万名思想政治引领骨干。"
    text = f"某省工会工作纪实\n第一段写别的事情。\n第二段也写别的事情。\n{sentence}\n"
    report = make_document("union.txt", "某省工会工作纪实", text)
    question = "2021年4月6日省总工会出台的方案计划培训多少名思想政治引领骨干？"
    assert missing_for(guard, analyzer, question, report, sentence) == []
    other_day = "2021年5月6日省总工会出台的方案计划培训多少名骨干？"
    assert missing_for(guard, analyzer, other_day, report, sentence) == ["2021年", "5月6日"]  # a day it never names
    dated = "2020年4月6日,省总工会出台方案,培训1.5万名思想政治引领骨干。"
    other = make_document("other.txt", "某省工会工作纪实", f"某省工会工作纪实\n{dated}\n")
    assert missing_for(guard, analyzer, question, other, dated) == ["2021年"], "a sentence's own year decides"


def test_a_figure_split_from_its_unit_by_a_space_still_states_the_asked_threshold() -> None:
    analysis = QuestionAnalyzer().analyze("园区年营业收入首次突破1000亿元奖励多少？")
    assert [f.text for f in analysis.figures] == ["1000亿元"]
    stated = "对年营业收入首次突破100 亿元、1000 亿元的园区,分别奖励100万元、500万元。"
    assert EntityGuard._missing_figures(analysis, stated, "") == []
    assert EntityGuard._missing_figures(analysis, "对年营业收入首次突破300 亿元的园区奖励200万元。", "") == ["1000亿元"]


def test_a_quoted_newspaper_is_satisfied_by_the_documents_header(
    guard: EntityGuard, analyzer: QuestionAnalyzer
) -> None:
    body = "2021年是“产业工人队伍建设改革提升年”，某省又确定了119个试点单位。"
    filler = "。".join(["某省持续推进产业工人队伍建设改革工作"] * 30)
    carried = make_document("paper.txt", "深化产改", f"深化产改\n\n大众日报\n\n{filler}。\n\n{body}\n")
    question = "《大众日报》关于深化产改的报道中，2021年被称为什么年？"
    assert missing_for(guard, analyzer, question, carried, body) == []
    other = make_document("other.txt", "深化产改", f"深化产改\n\n某某晚报\n\n{filler}。\n\n{body}\n")
    assert missing_for(guard, analyzer, question, other, body) == ["大众日报"]


def test_a_day_the_question_names_must_be_one_the_document_mentions() -> None:
    from rag.answering.entity_guard import _missing_days

    may = "核定补贴标准为93.21元/亩,即日起开始公示,5月16日公示结束。\n2024年5月11日"
    june = "核定补贴标准为93.6元/亩,即日起开始公示,7月3日公示结束。\n2024年6月28日"
    assert _missing_days("西平县5月11日通知里核定的补贴标准是多少？", may) == []
    assert _missing_days("西平县5月11日通知里核定的补贴标准是多少？", june) == ["5月11日"]
    assert _missing_days("5月份那次公示的面积是多少？", june) == ["5月份"]
    assert _missing_days("5月份那次公示的面积是多少？", may) == []
    assert _missing_days("1月份的标准是多少？", "2024年11月1日") == ["1月份"]  # 11月 is not 1月
    assert _missing_days("补贴标准是多少？", june) == []
    # a month written after its year asks for that month's edition (the November table, not December's)
    december = "嘉定区2017年12月困难残疾人生活补贴资金发放情况"
    assert _missing_days("嘉定区2017年11月补贴发放总额是多少？", december) == ["11月"]
    assert _missing_days("嘉定区2017年12月补贴发放总额是多少？", december) == []
    assert _missing_days("2007年7月下达了多少资金？", "二○○七年七月十六日") == []
    assert _missing_days("2007年1月下达了多少资金？", "二○○七年十一月十六日") == ["1月"]


def test_a_document_naming_one_county_only_in_its_body_is_about_that_county(
    guard: EntityGuard, analyzer: QuestionAnalyzer
) -> None:
    sentence = "1.义务兵服现役期间,按照本区上年度城镇居民人均可支配收入的45%标准发放义务兵家庭优待金;"
    text = (
        "根据《关于调整义务兵家庭优待金标准的通知》文件要求,对标准进行调整。\n《江苏省征兵工作条例》\n"
        f"{sentence}\n2.2024年吴江区城镇居民人均可支配收入为86702元。\n"
    )
    notice = make_document("notice.txt", "关于调整义务兵家庭优待金标准的通知", text)
    assert missing_for(guard, analyzer, "吴江区义务兵家庭优待金按多少比例发放？", notice, sentence) == []
    assert missing_for(guard, analyzer, "昆山市义务兵家庭优待金按多少比例发放？", notice, sentence) == ["昆山市"]
    both = make_document("both.txt", "关于调整义务兵家庭优待金标准的通知", text + "昆山市参照执行。\n")
    assert missing_for(guard, analyzer, "吴江区义务兵家庭优待金按多少比例发放？", both, sentence) == ["吴江区"]


# ----- towns below the county: named in the sentence, else in its context or title -----
JIADING_TITLE = "嘉定区2017年12月困难残疾人生活补贴资金发放情况"
JIADING_TEXT = (
    "街镇名称：安亭镇，人数：192人，金额：61220元。\n"
    "街镇名称：真新街道，人数：259人，金额：84470元。\n"
    "备注：纳入最低生活保障范围的本市重残无业人员，补贴标准为每人每月330元。\n"
)


def test_a_town_question_is_answered_only_by_that_towns_evidence(
    guard: EntityGuard, analyzer: QuestionAnalyzer
) -> None:
    document = make_document("jiading", JIADING_TITLE, JIADING_TEXT)
    question = "嘉定区真新街道当月发了多少困难残疾人生活补贴？"
    assert missing_for(guard, analyzer, question, document, "街镇名称：真新街道，人数：259人，金额：84470元。") == []
    # another town's row, and a rule for the whole city, are not about 真新街道
    assert "真新街道" in missing_for(guard, analyzer, question, document, "街镇名称：安亭镇，人数：192人，金额：61220元。")
    note = "备注：纳入最低生活保障范围的本市重残无业人员，补贴标准为每人每月330元。"
    assert "真新街道" in missing_for(guard, analyzer, question, document, note)


def test_a_town_the_documents_title_names_stands_behind_its_sentences(
    guard: EntityGuard, analyzer: QuestionAnalyzer
) -> None:
    document = make_document("town", "泗顶镇2023年金桔种植工作方案", "全镇新种金桔450亩。\n")
    assert missing_for(guard, analyzer, "泗顶镇2023年新种金桔多少亩？", document, "全镇新种金桔450亩。") == []
    assert "长安镇" in missing_for(guard, analyzer, "长安镇2023年新种金桔多少亩？", document, "全镇新种金桔450亩。")


def test_this_city_in_a_districts_document_is_the_city_around_it(
    guard: EntityGuard, analyzer: QuestionAnalyzer
) -> None:
    document = make_document("jiading", JIADING_TITLE, JIADING_TEXT)
    note = "备注：纳入最低生活保障范围的本市重残无业人员，补贴标准为每人每月330元。"
    question = "上海纳入低保的重残无业人员每月补贴多少？"
    assert missing_for(guard, analyzer, question, document, note) == []
    # but a sentence that does not say 本市 is the district's own figure, not the city's
    row = "街镇名称：安亭镇，人数：192人，金额：61220元。"
    assert "上海" in missing_for(guard, analyzer, "上海安亭镇发了多少补贴？", document, row)


def test_a_county_level_city_calls_itself_this_city(guard: EntityGuard, analyzer: QuestionAnalyzer) -> None:
    # 简阳市 is a county-level city: its 本市 is 简阳市, not 成都
    document = make_document("jianyang", "简阳市人民政府关于发放补贴的通知", "本市低保对象每人补贴300元。\n")
    assert "成都" in missing_for(guard, analyzer, "成都低保对象每人补贴多少？", document, "本市低保对象每人补贴300元。")


def test_a_sentence_silent_on_the_tier_has_its_sections(guard: EntityGuard, analyzer: QuestionAnalyzer) -> None:
    text = "城镇居民最低生活保障补助服务指南\n（三）补贴标准：829元/月/人。\n二、农村牧区最低生活保障补助\n（三）补贴标准：625元/月/人。\n"
    rural = text.index("二、")
    document = Document(
        doc_id="guide", title="城镇居民最低生活保障补助服务指南", text=text, content_hash="guide",
        headings=[Heading(start=0, text="城镇居民最低生活保障补助服务指南", level=0),
                  Heading(start=rural, text="二、农村牧区最低生活保障补助", level=3)],
    )
    question = "城镇居民低保补贴标准是多少？"
    assert missing_for(guard, analyzer, question, document, "（三）补贴标准：829元/月/人。") == []
    assert "城镇" in missing_for(guard, analyzer, question, document, "（三）补贴标准：625元/月/人。")


def test_a_threshold_stated_only_with_the_other_bound_is_another_threshold(
    guard: EntityGuard, analyzer: QuestionAnalyzer
) -> None:
    text = (
        "第七条 日供水能力在100立方米以上的农村饮水安全工程，由县农村供水管理总站统一管理；\n"
        "日供水能力在100立方米以下分散的农村饮水安全工程，由村委会管理。\n"
    )
    document = make_document("mulei", "木垒县农村饮水安全工程建设运行管理办法", text)
    question = "木垒县日供水能力100立方米以上的工程归谁统一管理？"
    above = "第七条 日供水能力在100立方米以上的农村饮水安全工程，由县农村供水管理总站统一管理；"
    below = "日供水能力在100立方米以下分散的农村饮水安全工程，由村委会管理。"
    assert missing_for(guard, analyzer, question, document, above) == []
    assert missing_for(guard, analyzer, question, document, below) == ["100立方米以上"]


def test_a_work_reports_review_is_about_the_year_before_the_report(
    guard: EntityGuard, analyzer: QuestionAnalyzer
) -> None:
    review = "一年来，全县社会消费品零售总额增长4.5%。"
    document = make_document("taining2022", "2022年泰宁县政府工作报告", f"各位代表：\n{review}\n")
    assert missing_for(guard, analyzer, "泰宁县2021年社会消费品零售总额增长多少？", document, review) == []
    # the report's own year is not the year its review speaks of
    assert "2022年" in missing_for(guard, analyzer, "泰宁县2022年社会消费品零售总额增长多少？", document, review)
    plan = "今年主要预期目标是社会消费品零售总额增长8%。"
    planned = make_document("taining2022p", "2022年泰宁县政府工作报告", f"各位代表：\n{plan}\n")
    assert missing_for(guard, analyzer, "泰宁县2022年社会消费品零售总额目标增长多少？", planned, plan) == []


# ----- years a document states at its top, not in its title -----
def test_a_bulletins_lead_year_is_the_year_of_its_figures(guard: EntityGuard, analyzer: QuestionAnalyzer) -> None:
    sentence = "全年实现地区生产总值363.92亿元。"
    text = f"2023年,在县委、县政府的坚强领导下,各项工作迈上新台阶。\n一、综合\n{sentence}\n"
    bulletin = make_document("jinxian", "进贤县统计局", text)
    assert missing_for(guard, analyzer, "进贤县2023年地区生产总值是多少？", bulletin, sentence) == []
    assert missing_for(guard, analyzer, "进贤县2022年地区生产总值是多少？", bulletin, sentence) == ["2022年"]


def test_a_question_naming_the_reports_year_is_answered_by_that_report_only(
    guard: EntityGuard, analyzer: QuestionAnalyzer
) -> None:
    sentence = "41家省直部门出台支持“桥头堡”建设若干配套政策。"
    report_2023 = make_document(
        "liping2023", "政府工作报告", f"(2023年1月6日在黎平县第十八届人民代表大会第二次会议上)\n一、2022年工作回顾\n{sentence}\n"
    )
    question = "黎平县2023年政府工作报告提到，有多少家省直部门出台了配套政策？"
    assert missing_for(guard, analyzer, question, report_2023, sentence) == []
    assert missing_for(guard, analyzer, question.replace("2023", "2022"), report_2023, sentence) == ["2022年"]


def test_a_section_headed_by_its_year_is_of_that_year_not_the_titles(
    guard: EntityGuard, analyzer: QuestionAnalyzer
) -> None:
    sentence = "全县地区生产总值完成106.6亿元。"
    text = f"各位代表:\n一、2022年工作回顾\n{sentence}\n"
    report = make_document("r2023", "2023年黎平县人民政府工作报告", text)
    report.headings = [Heading(text.index("一、"), "一、2022年工作回顾", level=1)]
    assert missing_for(guard, analyzer, "黎平县2022年地区生产总值是多少？", report, sentence) == []
    assert missing_for(guard, analyzer, "黎平县2023年地区生产总值是多少？", report, sentence) == ["2023年"]


def test_an_amount_of_four_digits_is_no_year() -> None:
    from rag.answering.entity_guard import years_in

    assert years_in("每户奖励总金额不超过2000元，面积1990亩") == set()
    assert years_in("2000年至2002年") == {"2000", "2002"}


def test_an_edition_the_opening_names_holds_for_a_list_far_below(guard: EntityGuard, analyzer: QuestionAnalyzer) -> None:
    row = "阳城县：北留镇杏王村、西河乡郭河村。"
    text = "近日,某市委农村工作领导小组对晋城市第三届最美乡村名单进行公示。\n" + "联系电话:6995029\n" * 12 + f"{row}\n"
    listing = make_document("jincheng", "jincheng_list", text)
    assert missing_for(guard, analyzer, "晋城市第三届“最美乡村”名单里阳城县有哪些村？", listing, row) == []
    assert "2届" in missing_for(guard, analyzer, "晋城市第二届“最美乡村”名单里阳城县有哪些村？", listing, row)


def test_a_tier_word_inside_the_questions_place_is_no_tier(guard: EntityGuard, analyzer: QuestionAnalyzer) -> None:
    line = "联系地址:泽州路1241号市农业农村局402室"
    notice = make_document("jincheng-notice", "晋城市最美乡村名单公示", f"如有意见请联系。\n{line}\n")
    assert missing_for(guard, analyzer, "对晋城市最美乡村名单有意见，联系地址在哪里？", notice, line) == []


def test_all_residents_figure_does_not_answer_for_urban_or_rural_residents(
    guard: EntityGuard, analyzer: QuestionAnalyzer
) -> None:
    sentence = "全体居民人均可支配收入25977元,同比增长6.2%;"
    report = make_document("yizhang-income", "政府工作报告", f"2023年宜章县经济运行良好。{sentence}\n")
    assert missing_for(guard, analyzer, "宜章县2023年城镇居民人均可支配收入是多少？", report, sentence) == ["城镇居民"]
    assert missing_for(guard, analyzer, "宜章县2023年居民人均可支配收入是多少？", report, sentence) == []
    halves = "城、乡居民人均可支配收入分别为22694元、9527元"
    both = make_document("yuanling-income", "政府工作报告", f"2018年沅陵县{halves}。\n")
    assert missing_for(guard, analyzer, "沅陵县2018年农村居民人均可支配收入是多少？", both, halves) == []


def test_a_notice_that_names_no_year_is_of_the_year_it_is_dated(guard: EntityGuard, analyzer: QuestionAnalyzer) -> None:
    """A 批复 whose title and body name no year is of the year of its 成文日期: a question about that
    year's 批复 is answered by it, one about another year is not."""
    from rag.schema import DocumentMeta

    sentence = "同意你镇农村环境整治项目实施方案,涉及村庄23个。"
    text = f"某镇人民政府:\n{sentence}\n兰陵县人民政府\n2019年5月27日\n"
    reply = Document(
        doc_id="pifu", title="兰陵县人民政府关于同意农村环境整治项目实施方案的批复", text=text,
        content_hash="pifu", meta=DocumentMeta(issuer="兰陵县人民政府", date="2019-05-27"),
    )
    assert missing_for(guard, analyzer, "兰陵县2019年批复的整治项目涉及多少个村庄？", reply, sentence) == []
    assert missing_for(guard, analyzer, "兰陵县2018年批复的整治项目涉及多少个村庄？", reply, sentence) == ["2018年"]


def test_a_notice_dated_a_year_after_the_doings_its_opening_names_is_not_of_its_date(
    guard: EntityGuard, analyzer: QuestionAnalyzer
) -> None:
    from rag.schema import DocumentMeta

    sentence = "学生组评选出一等奖400名。"
    text = f"由省教育厅举办的2010年全省中小学校安全知识网络竞赛活动取得了圆满成功。\n{sentence}\n湖北省教育厅\n二O一一年三月二十二日\n"
    notice = Document(
        doc_id="jingsai", title="湖北省教育厅关于公布竞赛获奖结果的通知", text=text, content_hash="jingsai",
        meta=DocumentMeta(issuer="湖北省教育厅", date="2011-03-22"),
    )
    assert missing_for(guard, analyzer, "湖北省2011年安全知识网络竞赛一等奖评了多少名？", notice, sentence) == ["2011年"]


def test_the_years_of_a_cited_documents_title_are_not_the_figures_year(
    guard: EntityGuard, analyzer: QuestionAnalyzer
) -> None:
    """「根据《…三年攻坚行动实施意见(2018-2020年)》…现将2019年度第三批…资金80万元下达」 is the 2019 batch:
    a question about 2020 is not answered by it; the question quoting that title is."""
    sentence = (
        "根据《某市美丽乡村建设三年攻坚行动实施意见(2018-2020年)》等有关文件要求,经研究,"
        "现将2019年度第三批市级美丽乡村建设专项资金80万元下达给你们。"
    )
    document = make_document("n.txt", "关于下达2019年第三批市级美丽乡村建设专项资金的通知", f"关于下达资金的通知\n{sentence}\n")
    other_year = "舟山市2020年第三批市级美丽乡村建设专项资金下达了多少？"
    assert "2020年" in missing_for(guard, analyzer, other_year, document, sentence)
    own_year = "舟山市2019年第三批市级美丽乡村建设专项资金下达了多少？"
    assert "2019年" not in missing_for(guard, analyzer, own_year, document, sentence)
    quoted = "《某市美丽乡村建设三年攻坚行动实施意见(2018-2020年)》要求2020年下达多少资金？"
    assert "2020年" not in missing_for(guard, analyzer, quoted, document, sentence)


def test_a_sentence_dated_only_by_the_title_it_cites_keeps_that_year(
    guard: EntityGuard, analyzer: QuestionAnalyzer
) -> None:
    """「政策依据:《…关于2024年全区社会救助标准有关事宜的通知》(内政字〔2024〕131号)」 states no year of its
    own: the cited title's year is all that dates it."""
    sentence = "(一)政策依据:《某自治区人民政府关于2024年全区社会救助标准有关事宜的通知》(内政字〔2024〕131号)"
    document = make_document("g.txt", "城镇居民最低生活保障补助服务指南", f"城镇居民最低生活保障补助服务指南\n{sentence}\n")
    question = "2024年低保标准依据的自治区文件文号是什么？"
    assert "2024年" not in missing_for(guard, analyzer, question, document, sentence)


def test_a_year_naming_a_notice_is_the_year_it_is_dated(guard: EntityGuard, analyzer: QuestionAnalyzer) -> None:
    """「按某县2004年办法」 asks the 办法 dated 2004, though the paragraph speaks of 2002年底's population
    and the page's opening of other years (a database's 生效日期)."""
    from rag.schema import DocumentMeta

    sentence = "10个市定边远山区乡镇所辖行政村,每村运转经费基数为3.5万元;"
    text = (
        "某县人民政府关于印发村级基层组织运转经费使用管理办法的通知\n发文日期:2004-06-21 生效日期:2016-12-11\n"
        f"根据各行政村2002年底统计人口数量安排经费。{sentence}\n某县人民政府\n二〇〇四年六月十一日\n"
    )
    document = Document(
        doc_id="m.txt", title="某县人民政府关于印发村级基层组织运转经费使用管理办法的通知", text=text,
        content_hash="m", meta=DocumentMeta(issuer="某县人民政府", date="2004-06-11"),
    )
    asked = "按某县2004年办法，市定边远山区乡镇所辖行政村每村运转经费基数是多少？"
    assert "2004年" not in missing_for(guard, analyzer, asked, document, sentence)
    other = "按某县2006年办法，市定边远山区乡镇所辖行政村每村运转经费基数是多少？"
    assert "2006年" in missing_for(guard, analyzer, other, document, sentence)
