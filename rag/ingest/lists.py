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
from rag.text.patterns import CJK_RANGE
from rag.text.places import Gazetteer

__all__ = ["counted_lists_as_sentences", "place_grouped_lists_as_sentences"]

#: A group line: a name and, in parentheses, how many items follow (赤壁市(4个), 一等奖（3名）).
_GROUP_LINE = re.compile(
    rf"^\s*([{CJK_RANGE}A-Za-z0-9·]{{2,20}}?)\s*[（(]\s*([0-9一二三四五六七八九十两]{{1,3}})\s*(?:个|名|家|项|人|所)\s*[)）]\s*$"
)
#: An item line: a short name without sentence punctuation.
_ITEM_LINE = re.compile(rf"^\s*[{CJK_RANGE}A-Za-z0-9·（）()]{{2,30}}\s*$")
#: The most items a group may announce to be joined (a longer list is left as it is).
MAX_ITEMS = 60


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
