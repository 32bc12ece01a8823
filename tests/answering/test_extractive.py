"""The extractive backend: exact short answers with citations, and refusals instead of borrowed figures."""

from pathlib import Path

import pytest

from rag.answering.extractive import _pieced
from rag.engine import Engine
from rag.schema import ChatTurn
from tests.conftest import HARBIN_DOC, index_texts


def test_harbin_award(corpus_engine: Engine) -> None:
    answer = corpus_engine.ask("哈尔滨市对大工匠每人奖励多少钱？")
    assert not answer.refused
    assert answer.short_answer == "5万元"
    assert "1万元" in answer.answer and "[1]" in answer.answer
    citation = answer.citations[0]
    assert citation.n == 1 and citation.doc == HARBIN_DOC
    assert "由每人奖励1万元提高到5万元" in citation.text
    assert "5万元" in (citation.highlight or "")
    # the citation's offsets point at its text in the document
    assert corpus_engine.index.document(HARBIN_DOC).text[citation.start : citation.end] == citation.text


def test_english_question_cites_the_same_passage(corpus_engine: Engine) -> None:
    answer = corpus_engine.ask("How much did Harbin award each of its great craftsmen?")
    assert not answer.refused
    assert answer.citations[0].doc == HARBIN_DOC
    assert "由每人奖励1万元提高到5万元" in answer.citations[0].text
    assert answer.short_answer == "5万元"


@pytest.mark.parametrize(
    "question",
    [
        "齐齐哈尔市对大工匠每人奖励多少钱？",  # another city: only Harbin's figure exists
        "2015年哈尔滨市对大工匠每人奖励多少钱？",  # a year the documents do not cover
        "How much did Qiqihar award each of its great craftsmen?",
    ],
)
def test_refuses_instead_of_borrowing_a_figure(corpus_engine: Engine, question: str) -> None:
    answer = corpus_engine.ask(question)
    assert answer.refused
    assert answer.short_answer is None
    assert "5万元" not in answer.answer
    assert answer.answer.startswith(("资料中未找到", "The documents do not"))
    assert answer.citations, "the nearest passages are shown"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("2020年黑龙江省总工会设立了多少抗疫资金？", "7710万元"),  # amount
        ("河北省高技能人才有多少万人？", "309.7万人"),  # count
        ("黑龙江省高技能人才占技能人才总量的比例是多少？", "31%"),  # percent
        ("《新时期产业工人队伍建设改革方案》是哪一天由中共中央、国务院颁发的？", "2017年4月14日"),  # date
        ("河钢集团邯钢公司用户技术研究中心主任是谁？", "张龙柱"),  # person
    ],
)
def test_short_answer_kinds(corpus_engine: Engine, question: str, expected: str) -> None:
    answer = corpus_engine.ask(question)
    assert not answer.refused, answer.answer
    assert answer.short_answer == expected


def test_followup_is_resolved_against_history(corpus_engine: Engine) -> None:
    first = corpus_engine.ask("黑龙江省高技能人才达到多少万人？")
    assert first.short_answer == "78.6万人"
    history = [ChatTurn(role="user", content=first.question), ChatTurn(role="assistant", content=first.answer)]
    followup = corpus_engine.ask("那河北呢？", history)
    assert followup.resolved_question and "河北" in followup.resolved_question
    assert followup.question == "那河北呢？"
    assert not followup.refused
    assert followup.short_answer == "309.7万人"
    assert followup.citations[0].doc == "002_4480d7c3f3502e36.txt"


def test_a_sentence_referring_back_borrows_the_words_of_the_one_before(fresh_engine: Engine, tmp_path: Path) -> None:
    index_texts(fresh_engine, tmp_path / "docs", {"jixi_games.txt": (
        "鸡西市职工技术运动会情况\n"
        "2021年是鸡西市职工技术运动会举办30周年，鸡西市总工会举办鸡西市第十七届职工技术运动会。"
        "与往年不同的是，这一次的“技运会”共设置36个职业（工种）市级比赛，涉及17个行业。\n"
    )})
    answer = fresh_engine.ask("鸡西市第十七届职工技术运动会共设置了多少个职业（工种）市级比赛？")
    assert not answer.refused, answer.answer
    assert answer.short_answer == "36个"


def test_a_heading_is_never_quoted_as_the_answer(fresh_engine: Engine, tmp_path: Path) -> None:
    index_texts(fresh_engine, tmp_path / "docs", {"lanxi_tasks.txt": (
        "兰西县2025年民生实事安排\n"
        "一、2025年十二件民生实事任务清单\n"
        "各责任单位要细化措施，按月报送进展，确保年底前全部完成。\n"
    )})
    answer = fresh_engine.ask("兰西县民生实事任务清单有多少件？")
    assert answer.short_answer != "十二件", answer.answer
    assert "一、2025年十二件民生实事任务清单[1]" not in answer.answer


def test_a_followup_answers_only_from_a_sentence_about_its_own_subject(
    fresh_engine: Engine, tmp_path: Path
) -> None:
    index_texts(fresh_engine, tmp_path / "docs", {"anda_awards.txt": (
        "安达市支持工业发展若干措施\n"
        "对新认定省级专精特新企业给予30万元一次性奖补；对新认定市级品牌示范企业给予10万元一次性奖补。"
        "对新认定黑龙江工业精品企业给予20万元一次性奖补。\n"
    )})
    first = fresh_engine.ask("安达市对新认定省级专精特新企业奖补多少？")
    assert first.short_answer == "30万元", first.answer
    history = [ChatTurn(role="user", content=first.question), ChatTurn(role="assistant", content=first.answer)]
    followup = fresh_engine.ask("那黑龙江工业精品企业呢？", history)
    # 市级品牌示范企业 shares only 企业 with the new subject: it is not about it
    assert followup.short_answer in ("20万元", None), followup.answer
    assert followup.short_answer != "10万元"


def test_a_byline_heading_still_answers_who(fresh_engine: Engine, tmp_path: Path) -> None:
    index_texts(fresh_engine, tmp_path / "docs", {"mingshui_report.txt": (
        "政 府 工 作 报 告\n"
        "(2023年2月20日在明水县第十八届人民代表大会第二次会议上)\n"
        "明水县人民政府县长 田兴国\n"
        "各位代表:\n现在,我代表县人民政府向大会报告工作,请予审议。\n"
    )})
    answer = fresh_engine.ask("明水县的县长叫什么名字？")
    assert not answer.refused, answer.answer
    assert answer.short_answer == "田兴国"


def test_other_counties_reports_do_not_set_the_bar_for_the_asked_county(fresh_engine: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    for name, county, gdp in (("a.txt", "拜泉县", "107.2"), ("b.txt", "依安县", "59.33"), ("c.txt", "克山县", "77.41")):
        index_texts(fresh_engine, folder, {name: (
            f"{county}2023年政府工作报告\n一、2022年工作回顾\n"
            f"2022年全县地区生产总值完成{gdp}亿元。\n"
        )})
    index_texts(fresh_engine, folder, {"d.txt": (
        "克东县2023年政府工作报告\n一、2022年工作回顾\n"
        "过去一年，面对错综复杂的外部环境，我们经受住了安全稳定、疫情防控、债务风险等多方面的挑战考验，"
        "稳住了经济基本盘，完成地区生产总值105.85亿元，增长0.6%、排全市第4位，财政收支保持平衡。\n"
    )})
    answer = fresh_engine.ask("克东县2022年地区生产总值是多少？")
    assert answer.short_answer == "105.85亿元", answer.answer
    assert answer.citations[0].doc == "d.txt"


def test_a_figure_of_another_noun_does_not_answer(fresh_engine: Engine, tmp_path: Path) -> None:
    index_texts(fresh_engine, tmp_path / "docs", {"hegang_union.txt": (
        "鹤岗市总工会2021年工作情况\n"
        "2021年，鹤岗市总工会设立485万元奖励资金，奖励全市职工科技创新能手和劳模创新工作室。\n"
    )})
    asked = fresh_engine.ask("2021年鹤岗市总工会设立了多少奖励资金？")
    assert asked.short_answer == "485万元", asked.answer
    other = fresh_engine.ask("2021年鹤岗市总工会设立了多少防汛资金？")
    assert other.refused, f"answered {other.short_answer!r}: {other.answer}"


def test_a_followup_about_a_place_of_a_top_range(fresh_engine: Engine, tmp_path: Path) -> None:
    index_texts(fresh_engine, tmp_path / "docs", {"shuangyashan_games.txt": (
        "双鸭山市职工技术运动会情况\n"
        "双鸭山市职工技术运动会市级通用工种前三名获得者分获3000元、2000元、1000元奖励。\n"
    )})
    first = fresh_engine.ask("双鸭山市职工技术运动会市级通用工种第一名获得者奖励多少钱？")
    assert first.short_answer == "3000元", first.answer
    history = [ChatTurn(role="user", content=first.question), ChatTurn(role="assistant", content=first.answer)]
    third = fresh_engine.ask("第三名呢？", history)
    assert third.short_answer == "1000元", third.answer


def test_a_runner_up_about_the_same_event_answers_where_it_was_held(fresh_engine: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    index_texts(fresh_engine, folder, {"jilin_reform.txt": (
        "吉林省职业教育改革纪实\n"
        "5月12日，吉林职教改革经验在全国推进职业教育改革工作经验交流会上被作为典型推广，为我省下一步工作注入动力。\n"
    )})
    index_texts(fresh_engine, folder, {"national_reform.txt": (
        "全国职业教育改革综述\n"
        "2021年5月12日，全国推进职业教育改革工作经验交流会议在浙江宁波召开，会议对改革进行再部署。\n"
    )})
    answer = fresh_engine.ask("吉林职教改革经验被作为典型推广的那次全国推进职业教育改革工作经验交流会议是在哪里召开的？")
    assert answer.short_answer == "浙江宁波", answer.answer
    # a year the bridge cannot stand in for
    trap = fresh_engine.ask("2019年吉林全国推进职业教育改革工作经验交流会议是在哪里召开的？")
    assert trap.short_answer != "浙江宁波", trap.answer


def test_a_compound_is_held_when_pieces_of_it_are() -> None:
    assert _pieced("农村居民", ("城乡居民人均可支配收入", "农村 城乡居民"))
    assert not _pieced("工业精品", ("市级品牌示范企业",))
    assert not _pieced("农村居民", ("农村居民",)), "a whole word is found directly, not pieced"


def test_question_words_found_in_no_document_do_not_weaken_the_evidence(fresh_engine: Engine, tmp_path: Path) -> None:
    index_texts(fresh_engine, tmp_path / "docs", {"hailun_report.txt": (
        "海伦市2023年政府工作报告\n"
        "强力落实稳经济的一揽子政策,出台助企纾困政策24条,减税降费2.08亿元、惠企奖励46.7万元,"
        "发放纾困贷款3379.3万元,发放政府消费券208.6万元,有效提振了市场信心。\n"
    )})
    question = "海伦市的惠企奖励咔嚓嘀嗒多少？"  # 咔嚓, 嘀嗒: words of no document
    answer = fresh_engine.ask(question)
    assert answer.short_answer == "46.7万元", answer.answer
    backend = fresh_engine.backends.get("extractive")
    request = fresh_engine._request(question, [], None, None)
    analysis = request.analysis
    assert analysis is not None and request.index is not None
    weights = backend.content_weights(analysis, request.index)
    best = backend._score_sentences(request, analysis, request.index, [], weights)[0]
    assert "惠企奖励46.7万元" in best.text
    assert best.lexical == 1.0, "the words no document holds are left out of the sentence's coverage"


def test_a_per_item_figure_does_not_answer_a_question_about_a_budget(fresh_engine: Engine, tmp_path: Path) -> None:
    index_texts(fresh_engine, tmp_path / "docs", {"baiquan_awards.txt": (
        "拜泉县规上企业培育奖励办法\n"
        "对全县符合条件的在统规上企业,县政府每年给予企业2400元奖补,主要用于改善统计工作条件。\n"
    )})
    per_item = fresh_engine.ask("拜泉县每年给予在统规上企业多少奖补？")
    assert per_item.short_answer == "2400元", per_item.answer
    budget = fresh_engine.ask("拜泉县对在统规上企业每年给予的奖补预算多少？")
    assert budget.refused, f"answered {budget.short_answer!r}: {budget.answer}"


def test_a_short_sentence_between_carries_the_introduction_on(fresh_engine: Engine, tmp_path: Path) -> None:
    index_texts(fresh_engine, tmp_path / "docs", {"nenjiang_models.txt": (
        "嫩江市劳模评选工作综述\n"
        "在刚刚公示出的嫩江市第五届劳动模范建议人选中，重点向一线倾斜的特点更加凸显。"
        "在推荐人选中，职工77名，农民17名。"
        "其中，企业职工人选53名，占总名额的56.4%。\n"
    )})
    answer = fresh_engine.ask("嫩江市第五届劳动模范推荐人选中，企业职工人选有多少名？")
    assert answer.short_answer == "53名", answer.answer


def test_a_follow_ups_own_place_decides_between_the_figures_of_one_sentence(fresh_engine: Engine, tmp_path: Path) -> None:
    index_texts(fresh_engine, tmp_path / "docs", {"lishui_awards.txt": (
        "丽水市市场监督管理局关于下达认证奖补资金的通知\n"
        "下达管理体系认证奖补资金共计14.5万元,其中市本级承担金额0.35万元,莲都区承担0.15万元,"
        "经开区承担金额9.5万元。\n"
    )})
    first = "丽水市管理体系认证奖补中市本级承担多少？"
    assert fresh_engine.ask(first).short_answer == "0.35万元"
    history = [ChatTurn(role="user", content=first), ChatTurn(role="assistant", content="0.35万元。")]
    follow_up = fresh_engine.ask("莲都区呢？", history=history)
    assert follow_up.short_answer == "0.15万元", follow_up.answer


def test_an_attached_documents_title_line_is_never_quoted_as_the_answer(fresh_engine: Engine, tmp_path: Path) -> None:
    index_texts(fresh_engine, tmp_path / "docs", {"anqing_housing.txt": (
        "关于印发安庆市住房保障办法实施细则的通知\n"
        "各镇人民政府：\n"
        "《安庆市住房保障办法实施细则》业经市人民政府同意，现印发给你们，请认真贯彻执行。\n"
        "安庆市住房保障办法实施细则\n"
        "第一条 申请住房保障以家庭为单位，夫妻双方及未婚子女构成一个家庭单位。\n"
    )})
    answer = fresh_engine.ask("安庆市住房保障办法实施细则里家庭单位怎么认定？")
    assert not answer.answer.startswith("安庆市住房保障办法实施细则["), answer.answer


def test_an_english_follow_ups_own_words_do_not_filter_chinese_sentences(fresh_engine: Engine, tmp_path: Path) -> None:
    index_texts(fresh_engine, tmp_path / "docs", {"jixi_unions.txt": (
        "鸡西市新就业形态工会建设情况\n鸡西市已建新就业形态工会372个，发展会员2.1万余名。\n"
    )})
    first = "How many new-employment-form trade unions (新就业形态工会) has Jixi set up?"
    history = [ChatTurn(role="user", content=first), ChatTurn(role="assistant", content="372个。")]
    answer = fresh_engine.ask("And how many members have they recruited?", history=history)
    assert not answer.refused, answer.answer
    assert answer.short_answer == "2.1万余名", answer.answer


def test_a_sentence_details_the_short_lead_in_before_it(fresh_engine: Engine, tmp_path: Path) -> None:
    index_texts(fresh_engine, tmp_path / "docs", {"shuangyashan_awards.txt": (
        "双鸭山市总工会工作综述\n"
        "双鸭山市总工会拿出真金白银，给予竞赛和技能提升的奖励资金达到70万元。"
        "首次设置一系列人才激励项目。"
        "选树10名工匠、30对师徒,评选3项创新项目等,合计给予奖励资金69万元。\n"
    )})
    answer = fresh_engine.ask("双鸭山市总工会首次设置的一系列人才激励项目合计给予奖励资金多少？")
    assert answer.short_answer == "69万元", answer.answer


def test_an_english_question_ranks_a_referring_sentence_by_its_introduction_too(
    fresh_engine: Engine, tmp_path: Path
) -> None:
    index_texts(fresh_engine, tmp_path / "docs", {"yichun_models.txt": (
        "伊春市劳模评选工作综述\n"
        "在刚刚公示出的伊春市第五届劳动模范建议人选中，重点向一线倾斜的特点更加凸显。"
        "在推荐人选中，职工77名，农民17名。"
        "其中，企业职工人选53名，占总名额的56.4%。"
        "一线工人和专业技术人员39名，规定不少于企业职工人选的60%，实际占比73.6%。\n"
    )})
    answer = fresh_engine.ask(
        "What share of the recommended candidates for Yichun's 5th model workers are enterprise employees (企业职工)?"
    )
    assert answer.short_answer in (None, "56.4%"), answer.answer
    assert "56.4%" in answer.answer, answer.answer


def test_an_english_sentence_holding_every_translated_word_is_strong_enough_whatever_its_embedding(
    corpus_engine: Engine,
) -> None:
    from rag.answering.extractive import ScoredSentence

    backend = corpus_engine.backends.get("extractive")
    english = corpus_engine.analyzer.analyze("What was the per capita disposable income of urban residents?")
    covered = ScoredSentence(0, 0, lexical=1.0, dense=0.1, score=1.0, has_span=True)
    uncovered = ScoredSentence(0, 0, lexical=0.2, dense=0.1, score=1.0, has_span=True)
    threshold = backend._threshold(english)  # type: ignore[attr-defined]
    assert backend._strength(covered, english) >= threshold > backend._strength(uncovered, english)  # type: ignore[attr-defined]


def test_an_english_question_naming_a_town_in_pinyin_is_answered_from_that_towns_row(
    fresh_engine: Engine, tmp_path: Path
) -> None:
    index_texts(fresh_engine, tmp_path / "docs", {
        "tasks.txt": "某县2023年金桔生产任务分解表\n乡镇 | 新种任务(亩) |\n长安镇 | 2150 |\n板榄镇 | 600 |\n大将镇 | 650 |\n",
    })
    answer = fresh_engine.ask("How many mu of new kumquat planting is assigned to Banlan town in 2023?")
    assert answer.short_answer == "600亩", answer.answer


GUIDE = (
    "城镇居民最低生活保障补助服务指南\n"
    "（一）政策依据：《社会救助暂行办法》。\n"
    "（二）补贴标准：829元/月/人。\n"
    "（三）责任单位：乌兰浩特市民政局、财政局\n"
    "二、农村牧区最低生活保障补助\n"
    "（一）政策依据：《社会救助暂行办法》。\n"
    "（二）补贴标准：625元/月/人。\n"
    "（三）责任单位：乌兰浩特市民政局、财政局\n"
)


def test_a_labelled_field_is_read_with_its_sections_heading(fresh_engine: Engine, tmp_path: Path) -> None:
    """「（二）补贴标准：625元/月/人」 says whose standard it is only in its section's heading: the
    heading's words count for it, and its tier (农村牧区) keeps it from answering for 城镇."""
    index_texts(fresh_engine, tmp_path / "docs", {"wulanhaote_guide.txt": GUIDE})
    urban = fresh_engine.ask("乌兰浩特市城镇居民低保补贴标准是多少？")
    assert not urban.refused and urban.short_answer == "829元/月/人"
    rural = fresh_engine.ask("乌兰浩特市农村牧区最低生活保障补贴标准是多少？")
    assert not rural.refused and rural.short_answer == "625元/月/人"


TOWN_TABLE = (
    "嘉定区2017年12月困难残疾人生活补贴资金发放情况\n"
    "街镇名称 | 人数 | 金额(元) |\n"
    "安亭镇 | 192 | 61220 |\n"
    "马陆镇 | 134 | 43800 |\n"
    "嘉定镇街道 | 146 | 46240 |\n"
    "真新街道 | 259 | 84470 |\n"
    "合计 | 731 | 235730 |\n"
)


def test_a_towns_row_answers_for_that_town_only(fresh_engine: Engine, tmp_path: Path) -> None:
    index_texts(fresh_engine, tmp_path / "docs", {"jiading_table.txt": TOWN_TABLE})
    town = fresh_engine.ask("嘉定区真新街道2017年12月发了多少困难残疾人生活补贴？")
    assert not town.refused and town.short_answer == "84470元"
    # the district's total is the totals row, not the row of 嘉定镇街道 (which shares 嘉定)
    whole = fresh_engine.ask("嘉定区2017年12月有多少人领到困难残疾人生活补贴？")
    assert not whole.refused and whole.short_answer == "731人"
    # a town the table does not list gets no other town's figure
    absent = fresh_engine.ask("嘉定区江桥镇2017年12月发了多少困难残疾人生活补贴？")
    assert absent.refused
    total = fresh_engine.ask("嘉定区安亭镇和马陆镇2017年12月困难残疾人生活补贴合计发了多少元？")
    assert not total.refused and total.short_answer is not None and "105020" in total.short_answer


def test_another_years_report_does_not_set_the_bar_for_the_asked_year(fresh_engine: Engine, tmp_path: Path) -> None:
    """The same county's report of another year says the same thing better; its sentence fails the
    guard for the year and must not crowd out the weaker sentence of the asked year's report."""
    index_texts(fresh_engine, tmp_path / "docs", {
        "taining_2020.txt": "2020年泰宁县政府工作报告\n一、2019年工作回顾\n城镇、农村居民人均可支配收入分别增长8.5%、9%。\n",
        "taining_2022.txt": (
            "2022年政府工作报告\n现在，我代表泰宁县人民政府向大会报告工作。\n一、2021年工作回顾\n"
            "一年来，全县经济持续恢复，社会消费品零售总额增长4.5%，城乡居民人均可支配收入分别增长7%、9%，重点工作实现新开局。\n"
        ),
    })
    answer = fresh_engine.ask("泰宁县2021年城镇居民人均可支配收入增长多少？")
    assert not answer.refused and answer.short_answer == "7%", answer.answer
    assert fresh_engine.ask("泰宁县2017年城镇居民人均可支配收入增长多少？").refused  # no report of that year


def test_a_rows_other_cell_answers_for_the_subject_it_names(fresh_engine: Engine, tmp_path: Path) -> None:
    index_texts(fresh_engine, tmp_path / "docs", {"tasks.txt": (
        "某县2023年金桔生产任务分解表\n乡镇 | 新种任务(亩) | 备注 |\n"
        "长安镇 | 2150 | 其中县农业投资有限公司新种任务1500亩,不计入长安镇考核 |\n板榄镇 | 600 | 无 |\n"
    )})
    answer = fresh_engine.ask("某县农业投资有限公司2023年的金桔新种任务是多少？")
    assert not answer.refused and answer.short_answer == "1500亩", answer.answer


def test_a_notice_citing_anothers_number_is_answered_with_its_own(fresh_engine: Engine, tmp_path: Path) -> None:
    index_texts(fresh_engine, tmp_path / "docs", {
        "own_number.txt": (
            "仙农〔2018〕4号\n各乡镇人民政府：\n"
            "根据省财政厅《关于提前下达2018年度第一批扶贫发展资金的通知》【闽财农指[2017]172号】文件精神，现将有关事项通知如下：\n"
            "全县共安排671万元。\n仙游县农业局\n2018年1月5日\n"
        ),
        "no_own_number.txt": (
            "根据《关于调整义务兵家庭优待金标准的通知》(吴退役军人〔2025〕9号)文件要求，对吴江区义务兵家庭优待金标准进行调整。\n"
        ),
    })
    own = fresh_engine.ask("仙游县下达2018年度第一批扶贫发展资金的文件是什么文号？")
    assert own.short_answer == "仙农〔2018〕4号", own.answer
    # a page that only explains a notice has no number of its own: the notice's number answers
    cited = fresh_engine.ask("吴江区调整义务兵家庭优待金标准的文件文号是什么？")
    assert cited.short_answer == "吴退役军人〔2025〕9号", cited.answer


def test_a_follow_ups_own_words_decide_between_two_tiers_of_one_rule(fresh_engine: Engine, tmp_path: Path) -> None:
    index_texts(fresh_engine, tmp_path / "docs", {"yunnan_awards.txt": (
        "云南省见义勇为基金会奖励办法\n第五条 奖励标准如下：\n"
        "（一）因见义勇为牺牲或事迹特别突出，有特殊贡献的，给予五万元以上的奖金，并颁发奖章和荣誉证书；\n"
        "（二）见义勇为事迹突出，有重大贡献的，给予三万元以上的奖金，并颁发奖章和荣誉证书；\n"
    )})
    history = [
        ChatTurn(role="user", content="云南见义勇为牺牲的，基金会给多少奖金？"),
        ChatTurn(role="assistant", content="给予五万元以上的奖金。"),
    ]
    answer = fresh_engine.ask("事迹突出、有重大贡献的呢？", history)
    assert answer.short_answer == "三万元以上", answer.answer



def test_an_english_questions_phrases_count_once_however_many_senses_they_have() -> None:
    from rag.answering.extractive import _rendered

    # "fixed-asset investment" (固定资产投资) and "grow" (增长, 生长, 成长, 种植): both rendered
    phrases = [["固定资产投资"], ["增长", "生长", "成长", "种植"]]
    assert _rendered("固定资产投资增长31.1%", phrases) == 1.0
    assert _rendered("地区生产总值增长0.6%", phrases) == 0.5
    assert _rendered("任何句子", []) == 0.0


BULLETIN = (
    "进贤县统计局\n"
    "2023年,在县委、县政府的坚强领导下,全县各项工作迈上新台阶。\n"
    "一、综 合\n"
    "地区生产总值 初步核算,全年实现地区生产总值(GDP)363.92亿元,按可比价格计算,比上年增长3.5%。"
    "人均地区生产总值56046元。在全县地区生产总值中,非公有制经济实现增加值221.72亿元,比上年增长3.7%。\n"
)


def test_a_figure_of_another_thing_in_a_sentence_naming_the_asked_one_gives_way(
    fresh_engine: Engine, tmp_path: Path
) -> None:
    """「在全县地区生产总值中，非公有制经济实现增加值221.72亿元」 names 地区生产总值, but its figure is
    非公有制经济's; the bulletin's year is the one its lead opens with."""
    index_texts(fresh_engine, tmp_path / "docs", {"jinxian_2023.txt": BULLETIN})
    answer = fresh_engine.ask("进贤县2023年地区生产总值是多少？")
    assert not answer.refused and answer.short_answer == "363.92亿元", answer.answer
    assert fresh_engine.ask("进贤县2021年地区生产总值是多少？").refused


def test_a_table_under_a_unit_line_answers_with_the_unit(fresh_engine: Engine, tmp_path: Path) -> None:
    table = (
        "各乡(镇)财政所:\n经研究,决定下拨救灾补助资金(详见指标分配表)。\n正安县财政局\n"
        "救灾补助资金指标分配表\n单位:万元\n乡 镇 | 金 额 |\n杨兴乡 | 2 |\n中观镇 | 1 |\n合计 | 3 |\n"
    )
    index_texts(fresh_engine, tmp_path / "docs", {"zhengan.txt": table})
    answer = fresh_engine.ask("正安县救灾补助资金中观镇分了多少？")
    assert not answer.refused and answer.short_answer == "1万元", answer.answer


def test_a_per_household_question_is_not_answered_by_the_schemes_total(fresh_engine: Engine, tmp_path: Path) -> None:
    notice = (
        "某镇印发庭院经济奖补项目实施方案,下达发展庭院经济奖补资金10万元,用于对符合条件的庭院经济项目给予支持。\n"
        "种植蔬菜每亩奖励300元,养殖生猪每头奖励150元。\n"
    )
    index_texts(fresh_engine, tmp_path / "docs", {"yuanyi.txt": notice})
    assert fresh_engine.ask("某镇庭院经济奖补养殖兔子每只奖励多少？").short_answer is None
    pigs = fresh_engine.ask("某镇庭院经济奖补养殖生猪每头奖励多少？")
    assert pigs.short_answer == "150元", pigs.answer


def test_a_per_capita_figure_gives_way_to_the_plain_one_asked(fresh_engine: Engine, tmp_path: Path) -> None:
    bulletin = (
        "遂川县2023年国民经济和社会发展统计公报\n一、综合\n"
        "初步核算,全年实现地区生产总值227.90亿元,比上年增长4.8%。\n"
        "按常住人口计算,全县人均地区生产总值为45385元,增长5.6%。\n"
    )
    index_texts(fresh_engine, tmp_path / "docs", {"suichuan.txt": bulletin})
    plain = fresh_engine.ask("遂川县2023年地区生产总值是多少？")
    assert plain.short_answer == "227.90亿元", plain.answer
    averaged = fresh_engine.ask("遂川县2023年人均地区生产总值是多少？")
    assert averaged.short_answer == "45385元", averaged.answer


def test_a_names_list_grouped_by_county_answers_for_one_county(fresh_engine: Engine, tmp_path: Path) -> None:
    listing = (
        "近日,中共晋城市委农村工作领导小组对晋城市第三届最美乡村名单进行公示。\n"
        "评定出5个晋城市第三届“最美乡村”,公示期7个工作日。\n具体名单公布如下\n"
        "泽州县\n下村镇上村村\n巴公镇山耳东村\n阳城县\n北留镇杏王村\n西河乡郭河村\n沁水县\n土沃乡下沃泉村\n"
    )
    index_texts(fresh_engine, tmp_path / "docs", {"jincheng_list.txt": listing})
    answer = fresh_engine.ask("晋城市第三届“最美乡村”名单里阳城县有哪些村？")
    assert not answer.refused and "杏王村" in (answer.short_answer or "") and "上村村" not in answer.answer, answer.answer


def test_a_form_field_answers_a_how_much_question_about_it(fresh_engine: Engine, tmp_path: Path) -> None:
    page = (
        "关于印发《某区实施草原生态保护补助奖励政策实施方案(2023年)》的通知\n"
        "索 引 号 010600106/2023-00071 发布机构 某区政府办公室 公开日 2023-07-04\n"
        "各乡镇人民政府:\n为全面落实我区2023年草原生态保护补助奖励机制,制定本方案。\n"
    )
    index_texts(fresh_engine, tmp_path / "docs", {"caoyuan.txt": page})
    answer = fresh_engine.ask("某区2023年草原生态保护补助奖励实施方案的索引号是多少？")
    assert answer.short_answer == "010600106/2023-00071", answer.answer


PROVINCE_LIST = (
    "湖北一批乡村要获省里补贴啦\n"
    "11月11日,湖北省财政厅官网公示2020年度美丽乡村建设试点村名单,其中崇阳县铜钟乡佛岭村、高枧乡高枧村上榜。\n"
    "湖北省2020年度\n美丽乡村建设试点村名单\n"
    "咸宁市咸安区(1个)\n马桥镇曾铺村\n赤壁市(2个)\n车埠镇鸡公山村\n官塘驿镇葛仙山村\n崇阳县(2个)\n铜钟乡佛岭村\n高枧乡高枧村\n"
)


def test_a_county_line_of_a_provinces_list_answers_though_a_sibling_counties_sentence_scores_higher(
    fresh_engine: Engine, tmp_path: Path
) -> None:
    """The news lead names 崇阳县's villages in the question's words; 赤壁市's own group line of the
    list shares none of them, but it is 赤壁市's entry and the lead is another county's."""
    index_texts(fresh_engine, tmp_path / "docs", {"hubei_list.txt": PROVINCE_LIST})
    answer = fresh_engine.ask("赤壁市入选2020年度美丽乡村建设试点村的是哪几个村？")
    assert not answer.refused and "鸡公山村" in (answer.short_answer or ""), answer.answer
    assert "佛岭村" not in (answer.short_answer or "")
    assert fresh_engine.ask("通城县入选2020年度美丽乡村建设试点村的是哪几个村？").refused


def test_a_total_asked_with_yi_gong_is_answered_past_a_long_aside(fresh_engine: Engine, tmp_path: Path) -> None:
    """一共 says a total is asked, not of what: it is no noun the sentence must hold; the bracketed
    aside between the fund's name and its figure does not hide the figure."""
    index_texts(fresh_engine, tmp_path / "docs", {"some_city_funds.txt": (
        "某市财政补助资金分配情况公示\n"
        "一、资金来源\n"
        "2022年第三批市级财政衔接推进乡村振兴补助资金(巩固脱贫攻坚成果和乡村振兴任务)2960万元(某财预〔2022〕376号)。\n"
    )})
    answer = fresh_engine.ask("某市2022年第三批市级财政衔接推进乡村振兴补助资金一共多少？")
    assert answer.short_answer == "2960万元", answer.answer


def test_a_portals_publication_date_answers_when_it_was_published(fresh_engine: Engine, tmp_path: Path) -> None:
    index_texts(fresh_engine, tmp_path / "docs", {"some_city_notice.txt": (
        "某市财政衔接推进乡村振兴补助资金(某财预[2022]376号)分配情况公告公示\n"
        "发布日期:2022-07-29\n"
        "根据补助资金管理有关规定,现将某市补助资金分配下达情况公示如下:\n"
        "一、资金来源\n2022年第三批补助资金2960万元。\n"
    )})
    answer = fresh_engine.ask("某市财政衔接资金分配情况公示是哪天发布的？")
    assert answer.short_answer == "2022-07-29", answer.answer
    number = fresh_engine.ask("某市这批衔接资金的文号是什么？")
    assert number.short_answer == "某财预[2022]376号", number.answer


def test_an_english_question_about_a_county_of_a_city_takes_that_countys_figure(
    fresh_engine: Engine, tmp_path: Path
) -> None:
    """Pingdingshan (平 read ping) and Lushan County inside it: the county is a part the document
    lists beside its siblings, so it picks the figure."""
    index_texts(fresh_engine, tmp_path / "docs", {"pingdingshan_funds.txt": (
        "平顶山市财政衔接补助资金分配情况公示\n"
        "根据各县(市、区)监测对象和脱贫人口数量测算,分配鲁山县2024万元,舞钢市154万元,宝丰县89万元。\n"
    )})
    answer = fresh_engine.ask("How much of the connection funds did Pingdingshan allocate to Lushan County?")
    assert answer.short_answer == "2024万元", answer.answer


def test_an_over_long_sentence_is_quoted_as_the_clauses_around_its_answer() -> None:
    from rag.answering.extractive import QUOTE_MAX_CHARS, excerpt

    short = "某县某镇甲村安排20万元。"
    assert excerpt(short, "20万元") == short  # a sentence of ordinary length is quoted whole
    long = "，".join(f"某镇第{i}村安排{i}3万元" for i in range(1, 40)) + "。"
    assert len(long) > QUOTE_MAX_CHARS
    quoted = excerpt(long, "253万元")
    assert "第25村安排253万元" in quoted and quoted.startswith("…") and quoted.endswith("…")
    assert len(quoted) < len(long) / 2
    assert excerpt(long, "53万元").startswith("某镇第1村")  # 53万元 of 第5村, not the 53万元 of 253万元
    assert excerpt(long, None) == long  # no answer to centre on: the whole sentence


def test_a_unit_standing_where_the_questions_which_unit_stands_answers(fresh_engine: Engine, tmp_path: Path) -> None:
    notice = (
        "某区农林局关于下拨经济林果补贴资金的通知\n"
        "为积极推进我区经济林果板块发展,调动农民种植经济林果的积极性,根据全区农业工作会议精神和区领导的意见,"
        "在经济林果板块的五个镇新发展经济林果的,由区政府按每亩100元实行补贴。"
        "该资金由区财政局农财科拨至各镇财政所。请你们于5月31日前将资金分发给种植户。\n"
    )
    index_texts(fresh_engine, tmp_path / "docs", {"forest_notice.txt": notice})
    answer = fresh_engine.ask("某区经济林果补贴资金由哪个部门拨至各镇财政所？")
    assert answer.short_answer == "区财政局农财科", answer.answer



def test_a_label_line_the_question_names_answers_though_it_repeats_few_of_its_words(
    fresh_engine: Engine, tmp_path: Path
) -> None:
    plan = (
        "【文字解读】某县2019年农牧民补助奖励政策项目实施方案\n"
        "一、政策背景及依据\n"
        "结合我县实际,特制定《某县2019年农牧民补助奖励政策实施方案》。\n"
        "二、办事受理单位和地址、联系方式\n"
        "联系人和电话:黄某某,13887692697。\n"
        "三、解读材料审定人、联系人及联系方式\n"
        "审定人:郑某某,电话:0876—3122191;\n"
        "联系人:彭某某,电话:0876—3124262。\n"
    )
    index_texts(fresh_engine, tmp_path / "docs", {"grassland_plan.txt": plan})
    answer = fresh_engine.ask("某县2019年农牧民补助奖励政策解读材料的审定人是谁？")
    assert answer.short_answer == "郑某某", answer.answer


def test_the_noun_before_shi_duoshao_is_what_the_figure_must_be_of(fresh_engine: Engine, tmp_path: Path) -> None:
    bulletin = (
        "某县2022年国民经济和社会发展统计公报\n"
        "全年粮食种植面积172.89万亩,比上年略增0.12万亩;总产量79.83万吨,较上年增长0.49万吨。\n"
        "全年棉花种植面积1.2万亩。\n"
    )
    index_texts(fresh_engine, tmp_path / "docs", {"bulletin.txt": bulletin})
    cotton = fresh_engine.ask("某县2022年棉花产量是多少？")
    assert cotton.refused, "the grain output is no answer about cotton"
    grain = fresh_engine.ask("某县2022年粮食总产量是多少？")
    assert grain.short_answer == "79.83万吨", grain.answer


def test_a_subjectless_clause_goes_on_about_the_subject_before_its_semicolon(
    fresh_engine: Engine, tmp_path: Path
) -> None:
    bulletin = (
        "某县2022年国民经济和社会发展统计公报\n"
        "全年粮食种植面积172.89万亩;总产量79.83万吨,较上年增长0.49万吨。"
        "其中,小麦种植面积89.35万亩,较上年增长422亩;总产量40.71万吨,较上年增加997吨。"
        "玉米种植面积81.46万亩,较上年减少4750亩;总产量38.67万吨,较上年增加2805吨。\n"
    )
    index_texts(fresh_engine, tmp_path / "docs", {"grain_bulletin.txt": bulletin})
    first = fresh_engine.ask("某县2022年小麦总产量是多少？")
    assert first.short_answer == "40.71万吨", first.answer
    history = [ChatTurn(role="user", content="某县2022年小麦总产量是多少？"),
               ChatTurn(role="assistant", content=first.answer)]
    corn = fresh_engine.ask("那玉米呢？", history)
    assert corn.short_answer == "38.67万吨", corn.answer


def test_a_total_asked_of_a_noun_is_that_nouns_total() -> None:
    from rag.answering.extractive import _total_nouns_joined

    assert _total_nouns_joined([("项目", "n"), ("总", "b"), ("投资", "vn"), ("是", "v")]) == [
        ("项目", "n"), ("总投资", "n"), ("是", "v")
    ]
    assert _total_nouns_joined([("总", "b"), ("是", "v")]) == [("总", "b"), ("是", "v")]


def test_a_sentence_giving_the_asked_indicators_rate_does_not_answer_its_amount() -> None:
    from rag.answering.extractive import _figure_of_another
    from rag.answering.facts import AskedFor, choose_fact, sentence_facts

    sentence = "实现地区生产总值440.5亿元、增长5.4%,社会消费品零售总额增长7.9%。"
    weights = {"社会消费品零售总额": 3.0, "零售": 1.0}
    choice = choose_fact(sentence_facts(sentence), AskedFor("amount", ("money",)), weights, "社会消费品零售总额是多少亿元？")
    assert choice.best is not None and choice.best.text == "440.5亿元"
    assert _figure_of_another(choice, sentence, weights)
    gdp = choose_fact(sentence_facts(sentence), AskedFor("amount", ("money",)), {"地区生产总值": 3.0}, "地区生产总值是多少？")
    assert not _figure_of_another(gdp, sentence, {"地区生产总值": 3.0})


def test_the_number_of_a_forwarded_document_is_not_the_forwarding_notices(fresh_engine: Engine, tmp_path: Path) -> None:
    index_texts(fresh_engine, tmp_path / "docs", {"zhuanfa.txt": (
        "转发省农业厅关于开展耕地轮作休耕制度专题调研的通知\n某农通〔2018〕461号\n各县(市、区)农业局:\n"
        "现将省农业厅《关于开展耕地轮作休耕制度专题调研的通知》(某农办〔2018〕587号)转发给你们,请认真填写调查表。\n"
    )})
    own = fresh_engine.ask("What is the document number of the notice forwarding the provincial crop-rotation survey?")
    assert own.short_answer == "某农通〔2018〕461号", own.answer


def test_which_village_is_answered_by_the_entry_of_its_list(fresh_engine: Engine, tmp_path: Path) -> None:
    index_texts(fresh_engine, tmp_path / "docs", {"mingdan.txt": (
        "关于2021年推荐美丽休闲乡村的公示\n拟推荐2021年中国美丽休闲乡村名单\n1.长春市双阳区太平镇小石村\n"
        "2.吉林市桦甸市桦郊乡晓光村\n3.白山市长白县十四道沟镇望天鹅新村\n"
    )})
    answer = fresh_engine.ask("白山市哪个村被拟推荐为2021年中国美丽休闲乡村？")
    assert answer.short_answer == "白山市长白县十四道沟镇望天鹅新村", answer.answer


def test_field_lines_are_about_their_own_items_heading(fresh_engine: Engine, tmp_path: Path) -> None:
    """「资金来源:…」 lines under 「(一)…项目」 headings: each is about its own item, though one chunk
    holds several items and the lines repeat the same label."""
    index_texts(fresh_engine, tmp_path / "docs", {"plan.txt": (
        "某区少数民族发展资金使用计划\n二、资金安排\n(一)甲镇甲村渠道改造项目\n该项目砌护渠道7.59千米。\n"
        "资金规模:206.7万元。\n资金来源:少数民族发展项目资金173万元。\n(二)乙乡乙村道路硬化项目\n"
        "该项目硬化道路2.9千米。\n资金规模:141.77万元。\n资金来源:少数民族发展项目资金125万元。\n"
    )})
    asked = {
        "甲村渠道改造项目使用少数民族发展项目资金多少？": "173万元",
        "乙村道路硬化项目使用少数民族发展项目资金多少？": "125万元",
        "乙村道路硬化项目资金规模是多少？": "141.77万元",
    }
    answers = {question: fresh_engine.ask(question).short_answer for question in asked}
    assert answers == asked


def test_a_task_lists_section_heading_names_its_lead_unit(fresh_engine: Engine, tmp_path: Path) -> None:
    index_texts(fresh_engine, tmp_path / "docs", {"tasks.txt": (
        "某县2025年政府工作报告重点任务分解\n一、县示范区管委会牵头工作(2项)\n"
        "1.投资3000万元建设南美白对虾工厂化循环水养殖基地。\n2.新建标准化厂房5万平方米。\n"
        "二、县发改局牵头工作(1项)\n1.争取专项债券资金10亿元。\n"
    )})
    leads = {"某县南美白对虾养殖基地这项工作由哪个单位牵头？": "县示范区管委会", "某县争取专项债券资金由哪个单位牵头？": "县发改局"}
    assert {question: fresh_engine.ask(question).short_answer for question in leads} == leads


NOTICE_WITH_PHONES = (
    "某县财政衔接资金分配公告\n请相关单位按照资金管理办法的指导意见做好监督电话公示和资金使用工作。\n"
    "公告期10天(2025年1月21日-2025年1月30日)。\n监督电话:12317 0478-5235020\n某县财政局\n"
)


def test_a_contact_question_is_answered_only_by_a_line_holding_a_contact(fresh_engine: Engine, tmp_path: Path) -> None:
    """The first sentence speaks of 监督电话 but holds no number: only the line with one answers."""
    index_texts(fresh_engine, tmp_path / "docs", {"gonggao.txt": NOTICE_WITH_PHONES})
    short = fresh_engine.ask("某县衔接资金公告留的监督电话是多少？").short_answer
    assert short == "12317 0478-5235020"


def test_a_contact_the_question_states_is_not_its_answer() -> None:
    from rag.answering.extractive import _shaped_values_not_asked
    from rag.answering.question import QuestionAnalyzer
    from rag.text.places import Gazetteer

    analysis = QuestionAnalyzer(gazetteer=Gazetteer()).analyze("公告除12317外的监督电话是多少？")
    assert _shaped_values_not_asked("监督电话:12317", analysis) == []
    assert _shaped_values_not_asked("监督电话:0973-8752868", analysis) == [(5, 17)]


def test_the_unit_a_count_is_asked_in_does_not_pick_a_part_of_the_total(fresh_engine: Engine, tmp_path: Path) -> None:
    """「新增市场主体多少户」: 户 is the unit, not a word of what is counted, so the 个体工商户 of the
    breakdown after 其中 does not win over the total the question names."""
    index_texts(fresh_engine, tmp_path / "docs", {"bulletin.txt": (
        "某县2022年国民经济和社会发展统计公报\n"
        "2022年全年新增市场主体8146户,其中企业1059户,个体工商户7040户,农民专业合作社47户。\n"
    )})
    assert fresh_engine.ask("某县2022年全年新增市场主体多少户？").short_answer == "8146户"
    assert fresh_engine.ask("某县2022年新增个体工商户多少户？").short_answer == "7040户"


def test_a_batch_reply_states_its_own_number_on_the_line_under_its_title(fresh_engine: Engine, tmp_path: Path) -> None:
    index_texts(fresh_engine, tmp_path / "docs", {"pifu.txt": (
        "某市物价局关于某纪念塔讲解费的批复\n(某价服[2010]16号)\n某纪念塔管理局:\n"
        "你局《关于重新核准讲解费的请示》(塔[2009]33号)收悉。经研究批复如下:\n1、全园林讲解费每批次100元。\n"
    )})
    assert fresh_engine.ask("某市物价局这份讲解费批复的文号是什么？").short_answer == "某价服[2010]16号"
