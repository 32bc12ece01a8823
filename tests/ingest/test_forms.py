"""A government site's disclosure form, letter-spaced and without colons, becomes label：value fields."""

from __future__ import annotations

from rag.ingest.forms import disclosure_form_as_fields

FORM = (
    "关于印发《某区实施方案》的通知\n"
    "索 引 号 010600106/2023-00071 发布机构 某区政府办公室 公开日 2023-07-04\n"
    "文 号 某财农〔2023〕45号 主题分类 生态保护 失效日期\n"
    "著录日期 生效日期\n"
    "各乡镇人民政府:\n"
)


def test_a_form_row_becomes_its_filled_fields() -> None:
    lines = disclosure_form_as_fields(FORM).split("\n")
    assert lines[1] == "索引号：010600106/2023-00071，发布机构：某区政府办公室，公开日：2023-07-04。"
    # an empty field (失效日期) is dropped, and so is a row of empty fields
    assert lines[2] == "文号：某财农〔2023〕45号，主题分类：生态保护。"
    assert "著录日期" not in disclosure_form_as_fields(FORM)


def test_prose_and_a_line_with_one_label_stay_as_they_are() -> None:
    text = "文号为某财农〔2023〕45号的文件已印发。\n本通知的服务对象是各乡镇、各部门。\n"
    assert disclosure_form_as_fields(text) == text
