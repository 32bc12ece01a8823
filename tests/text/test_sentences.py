"""Line shapes of ``rag/text/sentences.py`` on text built in the test."""

from __future__ import annotations

from rag.text.sentences import is_title_line

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

