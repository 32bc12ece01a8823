"""公文 structure (rag.ingest.structure): numbered heading tree, attachments, document metadata."""

from pathlib import Path

from rag.ingest.chunking import chunk_document
from rag.ingest.loading import load_bytes, load_document
from rag.ingest.structure import delivered_speaker, document_meta, numbered_headings
from rag.schema import Heading

TEST_CORPUS = Path(__file__).resolve().parents[2] / "eval" / "test_corpus"

NOTICE = """临江市人民政府办公室文件
临政办发〔2024〕12号
临江市人民政府办公室关于印发技能人才奖励办法的通知
各县（市、区）人民政府：
现将《技能人才奖励办法》印发给你们，请认真贯彻执行。
临江市人民政府办公室
2024年3月1日
技能人才奖励办法
第一章 总则
第一条 为加强技能人才队伍建设，根据有关规定，制定本办法。
第二条 适用范围。本办法适用于全市各类企业。
第二章 奖励标准
第三条 对获得国家级技能大师称号的，给予以下奖励：
（一）一次性奖励。每人奖励10万元。
（二）生活补贴。每人每月补贴2000元。
第四条 对获得省级技能大师称号的，每人奖励5万元。
附件1
获奖人员名单
一、张三
二、李四
"""


def test_numbered_headings_form_a_tree_by_first_appearance() -> None:
    headings = numbered_headings(NOTICE)
    levels = {h.text: h.level for h in headings}
    assert levels["第一章 总则"] == 1
    assert levels["第一条"] == 2  # articles nest under chapters: they appear after them
    assert levels["第二条 适用范围"] == 2
    assert levels["（一）一次性奖励"] == 3
    assert levels["附件1"] == 0  # an attachment is a tree of its own
    assert levels["一、张三"] == 1  # ranks restart inside the attachment


def test_inline_heading_ends_where_its_title_does() -> None:
    (article,) = [h for h in numbered_headings(NOTICE) if h.text == "第一条"]
    assert article.end is not None and NOTICE[article.start : article.end] == "第一条"
    (item,) = [h for h in numbered_headings(NOTICE) if h.text.startswith("（一）")]
    assert item.end is not None and NOTICE[item.start : item.end] == "（一）一次性奖励"


def test_untitled_list_items_are_not_headings() -> None:
    text = "一、总体要求\n1.对新引进的企业，按投资额给予补贴。\n2.强化保障。\n"
    texts = [h.text for h in numbered_headings(text)]
    assert texts == ["一、总体要求", "2.强化保障"]


def test_sentences_that_start_like_a_chapter_are_not_headings() -> None:
    assert numbered_headings("第一节的内容。\n第一章总则\n") == [Heading(8, "第一章总则", 1, None)]


def test_attachment_list_line_is_not_an_attachment() -> None:
    texts = [h.text for h in numbered_headings("附件：1.任务清单\n附件1\n任务清单\n")]
    assert texts == ["附件1"]


def test_chunks_follow_articles_and_carry_their_heading_path() -> None:
    doc = load_bytes("notice.txt", NOTICE.encode("utf-8"))
    chunks = chunk_document(doc, 300, 1)
    award = next(c for c in chunks if "每人奖励10万元" in c.text)
    assert award.heading_path[-2:] == ["第二章 奖励标准", "第三条"]
    assert "第四条" not in award.text  # a chunk never crosses into the next article
    names = next(c for c in chunks if "张三" in c.text)
    assert names.heading_path[0].startswith("附件1")
    assert "第四条" not in names.text
    for chunk in chunks:
        assert doc.text[chunk.start : chunk.end] == chunk.text


def test_document_metadata_of_a_notice() -> None:
    meta = load_bytes("notice.txt", NOTICE.encode("utf-8")).meta
    assert meta.issuer == "临江市人民政府办公室"
    assert meta.doc_number == "临政办发〔2024〕12号"
    assert meta.date == "2024-03-01"


def test_cited_numbers_are_not_the_documents_own() -> None:
    text = "关于印发某办法的通知\n根据《某意见》（中办发〔2022〕58号）精神，制定本办法。\n"
    meta = document_meta(text, "关于印发某办法的通知")
    assert meta.doc_number == ""


def test_issuer_from_the_title_when_nothing_else_says() -> None:
    meta = document_meta("长丰县人民政府关于加快发展的意见\n正文。\n", "长丰县人民政府关于加快发展的意见")
    assert meta.issuer == "长丰县人民政府"


def test_real_test_split_documents() -> None:
    dongguan = load_document(TEST_CORPUS / "t13_dongguan_housing_2005.txt")
    assert dongguan.meta.doc_number == "东府办[2005]42号"
    assert dongguan.meta.issuer == "东莞市人民政府办公室"
    assert dongguan.meta.date == "2005-06-28"
    chongqing = load_document(TEST_CORPUS / "t14_chongqing_skilled_talent_2024.txt")
    assert chongqing.meta.doc_number == "渝高技办〔2024〕3号"
    assert chongqing.meta.date == "2024-04-09"
    changfeng = load_document(TEST_CORPUS / "t06_changfeng_policies.txt")
    offset = changfeng.text.index("按固定资产投资额的10%")
    assert changfeng.heading_path_at(offset)[-3:] == [
        "一、支持先进制造业发展*策", "(一)扩大制造业投资", "1.鼓励新引进工业项目"
    ]
    chunk = next(c for c in chunk_document(changfeng) if "按固定资产投资额的10%" in c.text)
    # numbered items inside a section do not cut chunks, but the chunk's path goes down to them
    assert chunk.heading_path[-3:] == ["一、支持先进制造业发展*策", "(一)扩大制造业投资", "1.鼓励新引进工业项目"]
    assert chunk.heading == "一、支持先进制造业发展*策"


def test_a_report_is_dated_by_its_delivery_subtitle_and_each_value_is_located() -> None:
    from rag.ingest.structure import located_meta

    text = "政府工作报告\n——2023年4月25日在某县第十七届人民代表大会第四次会议上\n各位代表：\n"
    located = located_meta(text, "政府工作报告")
    assert located.iso_date == "2023-04-25"
    assert located.date is not None and text[located.date.start : located.date.end] == "2023年4月25日"
    notice = "某县人民政府文件\n某政发〔2024〕1号\n正文。\n某县人民政府\n2024年1月2日\n"
    meta = located_meta(notice)
    assert meta.doc_number is not None and notice[meta.doc_number.start : meta.doc_number.end] == "某政发〔2024〕1号"
    assert meta.issuer is not None and meta.issuer.value == "某县人民政府"
    assert notice[meta.issuer.start : meta.issuer.end] == "某县人民政府"
    assert meta.as_meta() == document_meta(notice)


def test_an_item_number_before_a_year_is_a_marker_and_a_decimal_is_not() -> None:
    text = "附件：\n1.2025年县政府工作报告任务清单\n2.2025年十五件民生实事任务分解\n全年增长2.5%。\n3.5万元用于培训。\n"
    found = [h.text for h in numbered_headings(text) if h.outline]
    assert found == ["1.2025年县政府工作报告任务清单", "2.2025年十五件民生实事任务分解"]


def test_joint_signers_stacked_above_the_date_are_all_issuers() -> None:
    text = (
        "某县以商招商奖励办法\n办发〔2015〕6号\n各乡(镇):\n现印发给你们,请认真抓好贯彻落实。\n"
        "中共某县委办公室\n某县人民政府办公室\n2015年1月21日\n"
    )
    assert document_meta(text).issuer == "中共某县委办公室、某县人民政府办公室"
    single = text.replace("中共某县委办公室\n", "")
    assert document_meta(single).issuer == "某县人民政府办公室"


def test_a_title_line_ending_with_a_number_states_the_documents_own_number() -> None:
    from rag.ingest.structure import located_meta

    own = located_meta("福州市市级扶持老区建设专项资金管理办法 榕民规〔2025〕4号\n第一条 根据《某办法》(榕政综〔2025〕16号)制定本办法。\n")
    assert own.doc_number is not None and own.doc_number.value == "榕民规〔2025〕4号"
    # a number cited in the body is another document's
    cited = located_meta("某某管理办法\n第一条 根据《某办法》(榕政综〔2025〕16号)制定本办法。\n")
    assert cited.doc_number is None


def test_a_portals_metadata_fields_give_the_date_and_number() -> None:
    """A web page prints 「发布日期:2022-07-29」 and 「发文字号：…」 above the text in place of a
    signature: they are the document's own date and number; a date in the body is not."""
    from rag.ingest.structure import located_meta

    text = "某市财政资金分配情况公示\n发布日期:2022-07-29\n发文字号：某财预〔2022〕376号\n现将2022年6月1日下达的资金公示如下。\n"
    found = located_meta(text)
    assert found.date is not None and found.date.value == "2022-07-29" and found.iso_date == "2022-07-29"
    assert text[found.date.start : found.date.end] == "2022-07-29"
    assert found.doc_number is not None and found.doc_number.value == "某财预〔2022〕376号"
    assert located_meta("某市资金公示\n现将2022年6月1日下达的资金公示如下。\n").date is None


def test_a_number_in_brackets_in_the_title_line_is_what_the_notice_announces() -> None:
    from rag.ingest.structure import located_meta

    own = located_meta("某市补助资金(某财预[2022]376号)分配情况公示\n发布日期:2022-07-29\n现公示如下。\n")
    assert own.doc_number is not None and own.doc_number.value == "某财预[2022]376号"
    forwarded = located_meta("某县关于转发《某办法》(某政发〔2020〕1号)的通知\n各乡镇:\n现转发给你们。\n")
    assert forwarded.doc_number is None


def test_a_delivery_subtitle_broken_over_two_lines_dates_the_report() -> None:
    dashed = "政府工作报告\n——2024年2月28日在某县第十七届\n人民代表大会第四次会议上\n县长 张三\n各位代表:\n"
    assert document_meta(dashed).date == "2024-02-28"
    undashed = "某区2025年政府工作报告\n2025年3月21日在某区第十九届\n人民代表大会第四次会议上\n正文。\n"
    assert document_meta(undashed).date == "2025-03-21"
    body = "某县工作总结\n今年以来，全县经济平稳。\n2024年5月1日在县城召开了动员会上午结束。\n"
    assert document_meta(body).date == "", "a body sentence is no subtitle"


def test_the_speaker_is_the_name_under_the_delivery_subtitle() -> None:
    text = "政府工作报告\n2023年4月7日\n在某市第十一届人民代表大会第二次会议上\n某市人民政府市长 宋 莉\n各位代表:\n"
    speaker = delivered_speaker(text)
    assert speaker is not None and speaker.value == "宋 莉" and text[speaker.start : speaker.end] == "宋 莉"
    acting = delivered_speaker("报告\n——2025年3月21日在某区第十九届人民代表大会第四次会议上\n某区人民政府代区长 向某某\n")
    assert acting is not None and acting.value == "向某某"
    assert delivered_speaker("某县关于补助的通知\n各乡镇：\n现将有关事项通知如下。\n") is None


def test_a_bulletins_bracketed_date_under_its_issuer_is_its_date() -> None:
    text = "2021年某县国民经济和社会发展统计公报\n某县统计局\n(2022年4月)\n2021年，全县经济平稳。\n"
    meta = document_meta(text)
    assert meta.date == "2022-04" and meta.issuer == "某县统计局"


def test_a_bracketed_number_line_under_the_title_is_the_documents_own_number() -> None:
    """A 批复 prints 「(某价服[2010]16号)」 on its own line under the title; the request it answers,
    cited in the body with its own number, is another document."""
    from rag.ingest.structure import located_meta

    text = "某市物价局关于某景区讲解费的批复\n(某价服[2010]16号)\n某管理局:\n你局《关于核准讲解费的请示》(塔[2009]33号)收悉。\n"
    found = located_meta(text, "某市物价局关于某景区讲解费的批复")
    assert found.doc_number is not None and found.doc_number.value == "某价服[2010]16号"
    assert text[found.doc_number.start : found.doc_number.end] == "某价服[2010]16号"


def test_a_number_given_right_after_the_documents_own_quoted_title_is_its_own() -> None:
    """A page's opening says 「…印发了《某县村干部报酬发放办法(试行)》(某办发〔2021〕2号)」: the
    number after the document's own title is its number; one after another title is not."""
    from rag.ingest.structure import located_meta

    own_title = "某县村干部报酬发放办法(试行)"
    text = (
        f"2021年《{own_title}》全文\n2021年2月3日,某县委办公室印发了《{own_title}》(某办发〔2021〕2号)。\n"
        f"{own_title}\n第一条 根据《关于建立报酬体系的通知》(某组字〔2020〕280号)精神,制定本办法。\n"
    )
    found = located_meta(text, f"2021年《{own_title}》全文")
    assert found.doc_number is not None and found.doc_number.value == "某办发〔2021〕2号"
    other = text.replace(f"印发了《{own_title}》", "印发了《某县另一个办法》")
    assert located_meta(other, f"2021年《{own_title}》全文").doc_number is None


def test_an_undated_copy_is_signed_by_the_organisation_line_that_ends_it() -> None:
    from rag.ingest.structure import located_meta

    text = "关于2020年农村环境整治资金分配情况公告公示\n现将资金分配下达情况公示如下:\n皮山县58.97万元。\n四、监督电话\n电话号码:2021866\n和田地区财政局\n"
    found = located_meta(text, "关于2020年农村环境整治资金分配情况公告公示")
    assert found.issuer is not None and found.issuer.value == "和田地区财政局"
    assert text[found.issuer.start : found.issuer.end] == "和田地区财政局"
    # a text that ends with a sentence is signed by no one
    assert located_meta(text.replace("和田地区财政局\n", "请监督。\n")).issuer is None
