"""A government site's disclosure form written as fields: 「索引号：…，文号：…，公开日期：…。」.

Pages copied from a 政府信息公开 site open with the form every such site prints above a 公文 (its
索引号, 发布机构, 文号, 主题分类, 服务对象, 公开日期 …), often as bare runs of label and value
without colons, the labels letter-spaced for alignment (「索 引 号 010600106/2023-00071 发布机构 高昌区
政府办公室 公开日 2023-07-04」). Read as prose, no value is tied to its label and 「文号是什么」 finds
no figure. The labels are the fixed vocabulary of these forms, so a line holding two or more of
them is rewritten as label：value pairs (empty fields dropped), one sentence per line.
"""

from __future__ import annotations

import re

__all__ = ["disclosure_form_as_fields"]

#: The fields of a government information-disclosure form, as the sites print them.
FORM_LABELS = (
    "索引号", "发布机构", "发文机关", "发文单位", "所属机构", "信息来源", "文号", "发文字号", "主题分类", "主题词",
    "体裁分类", "组配分类", "服务对象", "有效性", "公开范围", "公开方式", "公开时限", "公开日期", "公开日",
    "发布日期", "成文日期", "生效日期", "失效日期", "著录日期", "废止日期", "关键词", "信息分类",
)
#: A label, its characters possibly letter-spaced (主 题 词), with an optional colon after it.
_LABEL = re.compile(
    "(?:"
    + "|".join(r"\s*".join(map(re.escape, label)) for label in sorted(FORM_LABELS, key=len, reverse=True))
    + r")\s*[:：]?"
)
#: What a label's letter-spacing and colon leave to strip.
_LABEL_MARKS = re.compile(r"[\s:：]")
#: The fewest labels a line must hold to be read as a form's row.
MIN_LABELS = 2


def _form_fields(line: str) -> str | None:
    """The line as 「label：value，…。」 when it is a form's row (it starts with a form label and
    holds at least ``MIN_LABELS``): '' when all its fields are empty; None for any other line."""
    labels = list(_LABEL.finditer(line))
    if len(labels) < MIN_LABELS or line[: labels[0].start()].strip():
        return None
    pairs = []
    for number, label in enumerate(labels):
        end = labels[number + 1].start() if number + 1 < len(labels) else len(line)
        value = line[label.end() : end].strip()
        if value:
            pairs.append(f"{_LABEL_MARKS.sub('', label.group(0))}：{value}")
    return "，".join(pairs) + "。" if pairs else ""


def disclosure_form_as_fields(text: str) -> str:
    """``text`` with each disclosure-form line written as its fields; a form line with no filled
    field (「著录日期 生效日期」) is dropped; other lines stay as they are."""
    out = []
    for line in text.split("\n"):
        fields = _form_fields(line)
        if fields is None:
            out.append(line)
        elif fields:
            out.append(fields)
    return "\n".join(out)
