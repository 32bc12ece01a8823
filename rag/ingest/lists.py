"""Grouped lists in plain text: a group line — one that states how many items follow (「赤壁市(4个)」),
or a place's name alone (「阳城县」) — and the item lines under it, as one sentence.

A 公示 or 名单 page prints each group's name with its count and then one item per line, without
punctuation. Read line by line, every line is short and looks like a heading, so no sentence
holds a group's villages and none can answer 「赤壁市入选的是哪几个村」. Written as one enumeration
(「赤壁市(4个)：车埠镇鸡公山村、官塘驿镇葛仙山村、…。」), the group and its items are one sentence
that the answering stages quote like any other list. A 名单 grouped by county prints the county's
name alone on its line; two or more such groups in a row are joined the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from rag.text.numbers import chinese_number
from rag.text.patterns import CJK_RANGE, FIELD_LABEL
from rag.text.places import Gazetteer
from rag.text.shapes import shaped_values

__all__ = [
    "bare_contacts_under_their_label",
    "counted_lists_as_sentences",
    "numbered_fields_under_their_label",
    "numbered_items_with_their_fields",
    "numbered_names_under_their_list",
    "place_grouped_lists_as_sentences",
]

#: A group line: a name and, in parentheses, how many items follow (赤壁市(4个), 一等奖（3名）).
_GROUP_LINE = re.compile(
    rf"^\s*([{CJK_RANGE}A-Za-z0-9·]{{2,20}}?)\s*[（(]\s*([0-9一二三四五六七八九十两]{{1,3}})\s*(?:个|名|家|项|人|所)\s*[)）]\s*$"
)
#: An item line: a short name without sentence punctuation.
_ITEM_LINE = re.compile(rf"^\s*[{CJK_RANGE}A-Za-z0-9·（）()]{{2,30}}\s*$")
#: The most items a group may announce to be joined (a longer list is left as it is).
MAX_ITEMS = 60
#: A list item's number at the start of a line (「2.」「3、」).
_ITEM_NUMBER = re.compile(r"\s*(\d{1,2})\s*[.．、]")
#: Marks that make a line a sentence of its own rather than a list item's name.
_SENTENCE_MARKS = re.compile(r"[，,。；;！？!?：:]")
#: Marks a joined item's line may already end with.
_SENTENCE_ENDS = "。；;！？!?"
#: The longest line read as a numbered item's name.
MAX_ITEM_NAME = 60
#: The fewest numbered items with a field line under them that make such a list (one is a heading).
MIN_ITEMS_WITH_FIELDS = 2


def counted_lists_as_sentences(text: str) -> str:
    """``text`` with each counted group (a group line, then exactly as many item lines as it
    announces) written as one line 「组(N个)：甲、乙、丙。」; everything else stays as it is."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        group = _GROUP_LINE.match(lines[i])
        count = _count(group.group(2)) if group else 0
        items = lines[i + 1 : i + 1 + count]
        if group and 0 < count <= MAX_ITEMS and len(items) == count and all(_ITEM_LINE.match(item) for item in items):
            head = lines[i].strip()
            out.append(f"{head}：{'、'.join(item.strip() for item in items)}。")
            i += 1 + count
            continue
        out.append(lines[i])
        i += 1
    return "\n".join(out)


def numbered_fields_under_their_label(text: str) -> str:
    """``text`` with a label's numbered values each carrying the label: a notice prints
    「监督电话:1.农业农村局:0398-7872655」 and then 「2.县财政局:0398-7862268」 on the next line, so read
    line by line nothing says the second number is a 监督电话 and not an e-mail address or a postal
    address, which follow in the same shape. Each later item line becomes 「监督电话:2.县财政局:…」."""
    lines = text.split("\n")
    out: list[str] = []
    label = ""
    expected = 0
    for line in lines:
        number = _ITEM_NUMBER.match(line)
        if label and number and int(number.group(1)) == expected:
            out.append(f"{label}:{line.strip()}")
            expected += 1
            continue
        label, expected = "", 0
        field = FIELD_LABEL.match(line)
        if field:
            first = _ITEM_NUMBER.match(line, field.end())
            if first and first.group(1) == "1":
                label, expected = field.group(1), 2
        out.append(line)
    return "\n".join(out)


def bare_contacts_under_their_label(text: str) -> str:
    """``text`` with a telephone number or e-mail address standing alone on its line labelled like
    the field or heading above it: 「监督电话:12317」 and under it 「0973-8752868」 are two 监督电话, but
    the second line alone says nothing of what its number is. It becomes 「监督电话:0973-8752868」;
    so does the number under a heading 「三、监督电话」."""
    lines = text.split("\n")
    out: list[str] = []
    label, kind = "", ""
    for line in lines:
        if label and _whole_contact(line, kind):
            out.append(f"{label}:{line.strip()}")
            continue
        label, kind = "", ""
        field = FIELD_LABEL.match(line)
        heading = _CONTACT_HEADING.match(line)
        if field:
            kind = next((k for k in ("phone", "email") if _whole_contact(line[field.end() :], k)), "")
            label = field.group(1) if kind else ""
        elif heading:
            # 「三、监督电话」 over 「0972-8610459」: the heading is the number's label
            label, kind = heading.group(1), "email" if heading.group(1).endswith("邮箱") else "phone"
        out.append(line)
    return "\n".join(out)


#: A heading that names a kind of contact (「三、监督电话」「联系电话」), its number stripped.
_CONTACT_HEADING = re.compile(
    rf"^\s*(?:[（(]?[一二三四五六七八九十\d]{{1,3}}[）)]?[、.．]?\s*)?([{CJK_RANGE}]{{0,8}}(?:电话|热线|邮箱|传真))\s*$"
)


#: A 名单's title line (「拟推荐2021年中国美丽休闲乡村名单」).
_LIST_TITLE = re.compile(rf"^\s*[{CJK_RANGE}\d（）()]{{2,40}}(?:名单|名录)\s*$")
#: A numbered entry of a 名单: a number and a name, nothing else (「5.白山市长白县十四道沟镇望天鹅新村」).
_NAME_ENTRY = re.compile(rf"^\s*\d{{1,3}}\s*[.．、]\s*[{CJK_RANGE}A-Za-z0-9（）()·]{{2,40}}\s*$")
#: The fewest entries that make a numbered 名单.
MIN_NAME_ENTRIES = 3


def numbered_names_under_their_list(text: str) -> str:
    """``text`` with each entry of a numbered 名单 written as a sentence that names its list: a
    公示 prints 「拟推荐2021年中国美丽休闲乡村名单」 and under it 「1.长春市双阳区太平镇小石村」… one
    entry per line. Read alone, an entry is a short line like a heading and says nothing of the
    list it is on; as 「拟推荐2021年中国美丽休闲乡村名单：5.白山市长白县十四道沟镇望天鹅新村。」 it
    answers 「白山市哪个村被拟推荐…」. Only a title over at least ``MIN_NAME_ENTRIES`` entries."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        out.append(lines[i])
        if not _LIST_TITLE.match(lines[i]):
            i += 1
            continue
        end = i + 1
        while end < len(lines) and _NAME_ENTRY.match(lines[end]):
            end += 1
        if end - i - 1 >= MIN_NAME_ENTRIES:
            title = lines[i].strip()
            out.extend(f"{title}：{line.strip()}。" for line in lines[i + 1 : end])
            i = end
        else:
            i += 1
    return "\n".join(out)


def _whole_contact(text: str, kind: str) -> bool:
    """Whether ``text`` is nothing but contact values of ``kind`` (and the marks between them)."""
    stripped = text.strip()
    values = shaped_values(stripped, kind)
    return len(values) == 1 and values[0] == (0, len(stripped))


def numbered_items_with_their_fields(text: str) -> str:
    """``text`` with each numbered item's name joined to the field line under it: a 公告 lists
    「1.西卜沙乡三个村游牧民定居点人饮巩固提升工程」 and under it 「投资:500万元 实施单位:…」, so the
    line holding the figure never names the project it is of. Joined (「1.…工程 投资:500万元 …」),
    the item and its fields are one sentence, ended with 。 unless it ends so already. Only a list
    of at least ``MIN_ITEMS_WITH_FIELDS`` such pairs is joined: one numbered line over a field line
    may be a heading."""
    lines = text.split("\n")
    pairs = [
        i for i in range(len(lines) - 1)
        if _ITEM_NUMBER.match(lines[i]) and len(lines[i].strip()) <= MAX_ITEM_NAME
        and not _SENTENCE_MARKS.search(lines[i]) and FIELD_LABEL.match(lines[i + 1])
        and not _ITEM_NUMBER.match(lines[i + 1])
    ]
    if len(pairs) < MIN_ITEMS_WITH_FIELDS:
        return text
    joined = set(pairs)
    out: list[str] = []
    i = 0
    while i < len(lines):
        if i in joined:
            fields = lines[i + 1].strip()
            # ended as a sentence: the paragraph after the list is not the last item's continuation
            out.append(f"{lines[i].rstrip()} {fields}{'' if fields[-1] in _SENTENCE_ENDS else '。'}")
            i += 2
            continue
        out.append(lines[i])
        i += 1
    return "\n".join(out)


def _count(written: str) -> int:
    if written.isdigit():
        return int(written)
    value = chinese_number(written)
    return int(value) if value is not None else 0


#: The fewest place groups in a row taken for a 名单 (one place line over some lines is a heading).
MIN_PLACE_GROUPS = 2
#: The longest line read as a place's name alone.
MAX_PLACE_LINE = 12


@lru_cache(maxsize=1)
def _gazetteer() -> Gazetteer:
    """One gazetteer for every file loaded (building one reads the national division list)."""
    return Gazetteer()


def is_place_line(line: str) -> bool:
    """Whether a line is only the full name of a county- or city-level place (阳城县, 高平市, 城区)."""
    compact = line.strip()
    if not compact or len(compact) > MAX_PLACE_LINE:
        return False
    mentions = _gazetteer().find(compact)
    return (
        len(mentions) == 1 and mentions[0].surface == compact and mentions[0].reliable
        and mentions[0].place.level in ("city", "county")
    )


def place_grouped_lists_as_sentences(text: str, is_group: Callable[[str], bool] = is_place_line) -> str:
    """``text`` with each run of place groups (a line naming only a place, then its item lines up
    to the next place line) written as lines 「阳城县：北留镇杏王村、西河乡郭河村。」. A run counts
    when it has at least ``MIN_PLACE_GROUPS`` groups, each with at least one item."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        groups: list[tuple[str, list[str]]] = []
        j = i
        while j < len(lines) and is_group(lines[j]):
            items_end = j + 1
            while (
                items_end < len(lines) and items_end - j <= MAX_ITEMS and _ITEM_LINE.match(lines[items_end])
                and not is_group(lines[items_end])
            ):
                items_end += 1
            if items_end == j + 1:
                break
            groups.append((lines[j].strip(), [line.strip() for line in lines[j + 1 : items_end]]))
            j = items_end
        if len(groups) >= MIN_PLACE_GROUPS:
            out.extend(f"{head}：{'、'.join(items)}。" for head, items in groups)
            i = j
            continue
        out.append(lines[i])
        i += 1
    return "\n".join(out)
