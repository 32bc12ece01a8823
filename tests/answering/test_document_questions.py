"""Questions about a document itself are answered from the line where it states that fact."""

from pathlib import Path

import pytest

from rag.answering.document_questions import (
    asked_document_field,
    cited_number,
    document_statement,
    named_document,
)
from rag.answering.question import QuestionAnalyzer
from rag.engine import Engine
from rag.schema import Document
from tests.conftest import index_texts
from rag.text.tokenizing import shared_tokenizer

NOTICE = (
    "某县人民政府办公室关于印发防汛工作方案的通知\n"
    "某政办发〔2024〕12号\n"
    "各乡镇人民政府：\n"
    "现将《防汛工作方案》印发给你们，请认真贯彻执行。方案依据《某省防汛条例》（某政发〔2019〕3号）制定。\n"
    "某县人民政府办公室\n"
    "2024年6月3日\n"
)
REPORT = (
    "政府工作报告\n"
    "——2023年3月1日在某县第十七届人民代表大会第二次会议上\n"
    "各位代表：现在，我代表县人民政府向大会报告工作。\n"
)
ARTICLE = "深化改革纪实\n（文/张洪岩 某省总工会宣教部供图）\n五年来，改革不断深化。\n(某省总工会)\n"


@pytest.fixture(scope="module")
def analyzer() -> QuestionAnalyzer:
    return QuestionAnalyzer()


@pytest.mark.parametrize(
    ("question", "field"),
    [
        ("这份防汛方案通知的文号是什么？", "number"),
        ("防汛工作方案是哪个单位印发的？", "issuer"),
        ("防汛通知是哪天印发的？", "date"),
        ("这份政府工作报告是在哪一天的人代会上作的？", "date"),
        ("《深化改革纪实》一文的作者是谁？", "author"),
        ("《深化改革纪实》一文的署名单位是？", "author_unit"),
        ("Which office issued the flood control plan?", "issuer"),
        ("When was the flood control notice issued?", "date"),
        ("防汛工作方案计划哪年完成？", None),
        ("防汛工作方案依据的省政府文件文号是什么？", None),
        ("Which regulation is the flood control plan based on, and what is its number?", None),
        ("该县对大工匠奖励多少钱？", None),
        ("谁获得了全国劳动模范称号？", None),
        ("这个奖励办法由哪两个单位联合印发？", "issuer"),
        ("救灾补助资金通知的落款日期是哪天？", "date"),
        # when a period the document sets ends or starts is not when the document was issued
        ("5月11日开始的补贴标准公示哪天结束？", None),
        ("某县2024年政府工作报告是谁作的？", "speaker"),
        ("某县2024年政府工作报告是哪位县长作的？", "speaker"),
        ("Who delivered the 2024 government work report of the county?", "speaker"),
        ("某县下达助学补助资金的通知是哪个单位发的？", "issuer"),
        ("某市扶贫资金分配公告的日期是哪天？", "date"),
        ("谁获得了全国劳动模范称号？", None),
        ("提高后的低保标准印发后从哪天开始执行？", None),
    ],
)
def test_which_fact_about_a_document_is_asked(analyzer: QuestionAnalyzer, question: str, field: str | None) -> None:
    assert asked_document_field(analyzer.analyze(question)) == field


def test_the_own_number_date_and_issuer_are_read_where_the_notice_states_them() -> None:
    document = Document(doc_id="n.txt", title="某县人民政府办公室关于印发防汛工作方案的通知", text=NOTICE)
    number = document_statement(document, "number")
    assert number is not None and number.value == "某政办发〔2024〕12号"
    assert NOTICE[number.start : number.end] == "某政办发〔2024〕12号", "the cited number, not 某政发〔2019〕3号"
    date = document_statement(document, "date")
    assert date is not None and date.value == "2024年6月3日" and NOTICE[date.start : date.end] == "2024年6月3日"
    issuer = document_statement(document, "issuer")
    assert issuer is not None and issuer.value == "某县人民政府办公室"


def test_a_report_is_dated_by_the_meeting_it_was_delivered_at() -> None:
    document = Document(doc_id="r.txt", title="政府工作报告", text=REPORT)
    date = document_statement(document, "date")
    assert date is not None and date.value == "2023年3月1日"
    assert REPORT[date.start : date.end] == "2023年3月1日"


def test_bylines_and_signing_units_are_the_author_but_only_when_unambiguous() -> None:
    article = Document(doc_id="a.txt", title="深化改革纪实", text=ARTICLE)
    author = document_statement(article, "author")
    assert author is not None and author.value == "张洪岩"
    unit = document_statement(article, "author_unit")
    assert unit is not None and unit.value == "某省总工会"
    pair = Document(doc_id="b.txt", title="纪实", text="纪实\n□谭政 孙兆\n正文。\n")
    both = document_statement(pair, "author")
    assert both is not None and both.value == "谭政、孙兆"
    page = Document(doc_id="p.txt", title="版面", text="版面\n（文/张洪岩）\n正文。\n（文/李明）\n另一篇。\n")
    assert document_statement(page, "author") is None, "two bylines: whose piece is asked is unknown"
    assert document_statement(Document(doc_id="x.txt", title="无", text="正文。\n"), "date") is None


def test_the_named_document_must_hold_the_questions_words_and_lead_the_others(analyzer: QuestionAnalyzer) -> None:
    notice = Document(doc_id="n.txt", title="某县人民政府办公室关于印发防汛工作方案的通知", text=NOTICE)
    report = Document(doc_id="r.txt", title="政府工作报告", text=REPORT)

    def weight(term: str) -> float:  # like IDF: a word no document holds is the rarest
        return 1.0 if term in NOTICE + REPORT else 2.0

    def named(question: str) -> Document | None:
        analysis = analyzer.analyze(question)
        terms = shared_tokenizer().tokenize(question)
        return named_document(analysis, [report, notice], terms, weight)

    found = named("防汛工作方案通知是哪天印发的？")
    assert found is not None and found.doc_id == "n.txt"
    assert named("抗旱工作方案通知是哪天印发的？") is None, "another plan's notice is not this one"
    quoted = named_document(analyzer.analyze("《政府工作报告》是哪天作的？"), [notice, report], [], weight)
    assert quoted is not None and quoted.doc_id == "r.txt"
    assert named_document(analyzer.analyze("《防汛条例》的文号是什么？"), [notice, report], [], weight) is None


def test_the_engine_answers_a_notices_own_number_date_and_issuer(fresh_engine: Engine, tmp_path: Path) -> None:
    index_texts(fresh_engine, tmp_path / "docs", {"flood_notice.txt": NOTICE})
    number = fresh_engine.ask("某县防汛工作方案通知的文号是什么？")
    assert number.short_answer == "某政办发〔2024〕12号"
    assert number.citations[0].doc == "flood_notice.txt"
    assert number.citations[0].highlight == "某政办发〔2024〕12号"
    date = fresh_engine.ask("某县防汛工作方案通知是哪天印发的？")
    assert date.short_answer == "2024年6月3日" and not date.refused
    issuer = fresh_engine.ask("某县防汛工作方案是哪个单位印发的？")
    assert issuer.short_answer == "某县人民政府办公室"
    other = fresh_engine.ask("某县抗旱工作方案通知是哪天印发的？")
    assert other.short_answer != "2024年6月3日", "a notice the documents do not hold is not this one"


def test_an_issuer_named_only_by_the_file_title_is_not_cited() -> None:
    titled = Document(doc_id="t.txt", title="某县人民政府关于加快发展的意见", text="正文没有发文机关。\n")
    assert document_statement(titled, "issuer") is None
    stated = Document(doc_id="s.txt", title="某县人民政府关于加快发展的意见", text="某县人民政府关于加快发展的意见\n正文。\n")
    issuer = document_statement(stated, "issuer")
    assert issuer is not None and stated.text[issuer.start : issuer.end] == "某县人民政府"


def test_a_report_subtitle_in_parentheses_dates_it_too() -> None:
    text = "政 府 工 作 报 告\n(2023年2月23日在自治县十届人大二次会议上)\n某某自治县人民政府县长 田某\n各位代表:\n现在,我代表自治县人民政府向大会报告工作。\n"
    date = document_statement(Document(doc_id="p.txt", title="政府工作报告", text=text), "date")
    assert date is not None and date.value == "2023年2月23日"
    assert text[date.start : date.end] == "2023年2月23日"


def test_a_quoted_attachment_names_the_notice_that_carries_it(analyzer: QuestionAnalyzer) -> None:
    notice = Document(
        doc_id="n.txt", title="n",
        text="各乡(镇)人民政府:\n现将《某县2023年生产任务分解表》下达给你们。\n附件:某县2023年生产任务分解表\n"
        "某县产业发展领导小组办公室\n2023年2月6日\n",
    )
    other = Document(doc_id="o.txt", title="某县另一份通知", text="某县另一份通知\n正文。\n")
    analysis = analyzer.analyze("《某县2023年生产任务分解表》是哪个机构下达的？")
    assert asked_document_field(analysis) == "issuer"
    assert named_document(analysis, [other, notice], [], lambda term: 1.0) is notice


def test_joint_signers_on_one_line_over_a_date_with_latin_o_for_zero() -> None:
    from rag.ingest.structure import document_meta

    text = "各乡(镇)财政所:\n经研究,决定下拨救灾补助资金。\n正安县财政局 正安县民政局\n二OO九年六月十八日\n"
    meta = document_meta(text)
    assert meta.date == "2009-06-18" and meta.issuer == "正安县财政局 正安县民政局"


SPOKEN_REPORT = (
    "政府工作报告\n——2024年2月28日在某县第十七届\n人民代表大会第四次会议上\n县长 孔某\n各位代表:\n"
    "现在,我代表县人民政府向大会作政府工作报告。\n"
)


def test_the_speaker_line_is_quoted_whole_with_the_name_as_the_value() -> None:
    document = Document(doc_id="r.txt", title="政府工作报告", text=SPOKEN_REPORT)
    speaker = document_statement(document, "speaker")
    assert speaker is not None and speaker.value == "孔某"
    assert SPOKEN_REPORT[speaker.start : speaker.end] == "县长 孔某", "the office is part of what is quoted"
    date = document_statement(document, "date")
    assert date is not None and date.value == "2024年2月28日"


def test_the_engine_answers_who_delivered_a_report_and_the_issuer_of_an_untitled_notice(
    fresh_engine: Engine, tmp_path: Path
) -> None:
    untitled = (
        "根据有关规定,现将某省追加的2018年扶贫协作资金分配情况公告如下:\n"
        "一、资金来源\n某省追加2018年扶贫协作专项资金4000万元。\n"
        "甲乙市扶贫开发局\n2018年11月1日\n"
    )
    index_texts(fresh_engine, tmp_path / "docs", {"report.txt": SPOKEN_REPORT.replace("某县", "丙丁县"), "notice.txt": untitled})
    who = fresh_engine.ask("丙丁县2024年政府工作报告是谁作的？")
    assert who.short_answer == "孔某" and who.citations[0].doc == "report.txt"
    issuer = fresh_engine.ask("甲乙市扶贫协作资金分配情况公告是哪个单位发布的？")
    assert issuer.short_answer == "甲乙市扶贫开发局"
    assert "《根据" not in issuer.answer, "a copy without a title line is not named by its first sentence"


def test_a_document_copied_without_its_title_is_named_by_its_signing_body(analyzer: QuestionAnalyzer) -> None:
    """A mirror dropped the title line of 商丘's notice: 「商丘市这份公示」 names it through the
    body that signs it, not through its title or opening."""
    from rag.schema import DocumentMeta

    body = "根据《某省资金公示制度》有关规定,现将水利发展资金分配情况公示如下:\n一、资金来源\n" + "资金用于水利工程。" * 30
    untitled = Document(doc_id="s.txt", title="一、资金来源", text=body + "\n商丘市财政局 商丘市水利局\n2020年5月7日\n",
                        meta=DocumentMeta(issuer="商丘市财政局 商丘市水利局", date="2020-05-07"))
    other = Document(doc_id="o.txt", title="政府工作报告", text=REPORT)

    def weight(term: str) -> float:
        return 2.0 if term == "商丘市" else 1.0

    question = "商丘市这份水利资金公示是哪两个部门联合发布的？"
    terms = shared_tokenizer().tokenize(question)
    found = named_document(analyzer.analyze(question), [other, untitled], terms, weight)
    assert found is not None and found.doc_id == "s.txt"
    unsigned = Document(doc_id="u.txt", title="一、资金来源", text=body)
    assert named_document(analyzer.analyze(question), [other, unsigned], terms, weight) is None


REPLY = (
    "某县人民政府关于同意农村环境整治项目实施方案的批复\n"
    "县环保局:\n"
    "你局上报的《关于农村环境整治项目实施方案的请示》已收悉。经县政府研究,原则同意你单位上报的实施方案。\n"
    "联系人:王某\n"
    "某县人民政府\n2019年5月27日\n"
)


def test_the_addressee_line_under_the_title_is_the_documents_addressee() -> None:
    document = Document(doc_id="r.txt", title="某县人民政府关于同意农村环境整治项目实施方案的批复", text=REPLY, content_hash="r")
    statement = document_statement(document, "addressee")
    assert statement is not None and statement.value == "县环保局"
    assert REPLY[statement.start : statement.end] == "县环保局"
    several = "关于做好春耕工作的通知\n各乡镇人民政府、街道办事处，县直各部门：\n现将有关事项通知如下。\n"
    listed = document_statement(Document(doc_id="n.txt", title="", text=several, content_hash="n"), "addressee")
    assert listed is not None and listed.value == "各乡镇人民政府、街道办事处，县直各部门"
    report = "某县政府工作报告\n2019年工作回顾\n全县生产总值增长6%。\n联系人:王某\n"
    assert document_statement(Document(doc_id="g.txt", title="", text=report, content_hash="g"), "addressee") is None


@pytest.mark.parametrize("question", [
    "某县人民政府2019年关于同意农村环境整治项目实施方案的批复是发给哪个单位的？",
    "这份通知的主送机关是谁？",
    "To whom is the county's 2019 reply on the rural environment plan addressed?",
])
def test_asking_whom_a_document_is_sent_to_asks_its_addressee(question: str) -> None:
    assert asked_document_field(QuestionAnalyzer().analyze(question)) == "addressee"


def test_the_addressee_is_answered_from_its_line(fresh_engine: Engine, tmp_path: Path) -> None:
    index_texts(fresh_engine, tmp_path / "docs", {"reply.txt": REPLY})
    answer = fresh_engine.ask("某县人民政府2019年关于同意农村环境整治项目实施方案的批复是发给哪个单位的？")
    assert not answer.refused and answer.short_answer == "县环保局", answer.answer


ALLOCATION = (
    "某市财政局关于下达2019年第三批市级美丽乡村建设专项资金的通知\n"
    "某财农〔2019〕52号\n"
    "各县(区)财政局:\n"
    "为全面推进美丽乡村建设,根据《某市美丽乡村建设专项资金管理暂行办法》(某财农〔2018〕18号)等有关文件要求,"
    "现将2019年度第三批市级美丽乡村建设专项资金80万元下达给你们。\n"
    "请你们严格按照某财农〔2018〕18号文件等有关要求,及时将资金落实到具体项目。\n"
    "某市财政局\n2019年12月10日\n"
)


def test_the_number_of_a_cited_document_is_the_one_after_its_title() -> None:
    document = Document(doc_id="a.txt", title="某市财政局关于下达2019年第三批市级美丽乡村建设专项资金的通知", text=ALLOCATION, content_hash="a")
    cited = cited_number(document, "某市美丽乡村建设专项资金管理暂行办法的文号是什么？")
    assert cited is not None and cited[0] == "某市美丽乡村建设专项资金管理暂行办法"
    assert cited[1].value == "某财农〔2018〕18号"
    assert ALLOCATION[cited[1].start : cited[1].end] == "某财农〔2018〕18号"
    assert cited_number(document, "某市下达2019年第三批市级美丽乡村建设专项资金的通知文号是什么？") is None


def test_a_cited_documents_number_and_the_notices_own_are_told_apart(fresh_engine: Engine, tmp_path: Path) -> None:
    index_texts(fresh_engine, tmp_path / "docs", {"allocation.txt": ALLOCATION})
    cited = fresh_engine.ask("某市美丽乡村建设专项资金管理暂行办法的文号是什么？")
    assert cited.short_answer == "某财农〔2018〕18号", cited.answer
    own = fresh_engine.ask("What is the document number of the notice allocating the third batch of 2019 beautiful-village funds?")
    assert own.short_answer == "某财农〔2019〕52号", own.answer
