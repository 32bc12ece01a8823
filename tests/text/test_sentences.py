"""Line shapes of ``rag/text/sentences.py`` on text built in the test."""

from __future__ import annotations

from rag.text.sentences import is_soft_break, is_title_line, split_sentences

REPORT = "一、2022年工作回顾\n全县地区生产总值完成107.2亿元。\n联系人：方玉婷\n某县科学技术局\n"


def span(text: str, line: str) -> tuple[int, int]:
    start = text.index(line)
    return start, start + len(line)


def test_a_heading_or_signature_standing_alone_is_a_title_line() -> None:
    assert is_title_line(REPORT, *span(REPORT, "一、2022年工作回顾"))
    assert is_title_line(REPORT, *span(REPORT, "某县科学技术局"))


def test_statements_labels_and_parts_of_lines_are_not_title_lines() -> None:
    assert not is_title_line(REPORT, *span(REPORT, "全县地区生产总值完成107.2亿元。"))
    assert not is_title_line(REPORT, *span(REPORT, "联系人：方玉婷")), "a label states its value"
    # a heading-shaped piece that shares its line with more text is a part of a sentence
    assert not is_title_line(REPORT, *span(REPORT, "2022年工作回顾"))



def test_a_delivery_subtitle_broken_over_two_lines_is_one_sentence() -> None:
    text = "政府工作报告\n——2024年2月28日在某县第十七届\n人民代表大会第四次会议上\n县长 张三\n"
    first_break = text.index("届") + 1
    assert is_soft_break(text, first_break, first_break + 1)
    pieces = [text[a:b] for a, b in split_sentences(text)]
    assert any("第十七届" in p and "第四次会议上" in p for p in pieces)
    whole = "报告\n——2024年2月28日在某县第十七届人民代表大会第四次会议上\n县长 张三\n"
    second_break = whole.index("上\n") + 1
    assert not is_soft_break(whole, second_break, second_break + 1), "a whole subtitle ends its line"


def test_two_field_lines_are_two_sentences_though_the_first_has_no_full_stop() -> None:
    from rag.text.sentences import sentence_texts

    text = "补助对象:市中区、五通桥区、沙湾区、金口河、高新区、犍为县、夹江县、青衣江流域乐山灌区管理局\n补助标准:市中区1162万元、五通桥区3294万元"
    assert sentence_texts(text) == text.split("\n")
    wrapped = "全县共申报连翘新栽植奖补面积22300.09亩,其中符合奖补条件的基地面积共计\n4894亩,奖补资金为146.82万元。"
    assert len(sentence_texts(wrapped)) == 1, "a wrapped line still goes on"


def test_a_list_number_right_after_a_label_is_no_full_stop() -> None:
    from rag.text.sentences import sentence_texts

    assert sentence_texts("电子邮箱:1.农业农村局:lsxnyncj2655@163.com") == ["电子邮箱:1.农业农村局:lsxnyncj2655@163.com"]


def test_the_next_numbered_item_starts_a_new_sentence() -> None:
    from rag.text.sentences import sentence_texts

    text = "1.西卜沙乡三个村游牧民定居点人饮巩固提升工程 投资:500万元 实施单位:泽库县农牧水利和科技局\n2.泽库县和日镇司玛村人畜饮水安全工程 投资:230万元 实施单位:泽库县农牧水利和科技局"
    assert sentence_texts(text) == text.split("\n")
    wrapped = "1.全县共申报连翘新栽植奖补面积22300.09亩,其中符合奖补条件的基地面积共计\n2.5万亩,奖补资金为146.82万元。"
    assert len(sentence_texts(wrapped)) == 1, "a decimal (2.5) opens no item"
