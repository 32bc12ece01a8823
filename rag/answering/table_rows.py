"""Superlatives over a table's rows: 「哪个乡镇新种任务最多」 is answered by comparing the rows in code.
The same for a notice's list of names with their figures (「市中区1162万元、五通桥区3294万元、…」).

Tables are indexed one row per sentence with their headers (「乡镇：长安镇，新种任务：2150亩。」, see
``rag.ingest.tables``), so no single sentence says which row is largest; the rows of the table do
together. The row key (its first cell) answers, the figures of the column the question names decide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from rag.text.patterns import CJK_RANGE
from rag.text.quantities import Quantity, find_quantities, unit_class

Extreme = Literal["max", "min"]

#: A table row written out with its header (「街镇名称：真新街道，人数：259人，金额：84470元。」).
TABLE_ROW = re.compile(r"^[^，,。：:]{1,12}：[^，,。]{1,30}，[^，,。：:]{1,12}：")
_MOST = re.compile(r"最多|最高|最大|最长|\bmost\b|\bhighest\b|\blargest\b", re.I)
_LEAST = re.compile(r"最少|最低|最小|最短|\bfewest\b|\bleast\b|\blowest\b|\bsmallest\b", re.I)
_WHICH = re.compile(r"哪个|哪一个|哪家|哪|\bwhich\b", re.I)
#: Row keys that are the table's totals, not one of its rows.
_TOTAL_KEYS = re.compile(r"合\s*计|总\s*计|小\s*计|全县|全市|全区|全省|总数")


#: A field's label before a list (「补助标准:」), left out of the first item's name.
_LEADING_LABEL = re.compile(rf"^[{CJK_RANGE}]{{2,8}}\s*[：:]\s*")
#: A listed item's name: the words before its figure, without numbering or brackets.
_ITEM_NAME = re.compile(rf"[{CJK_RANGE}A-Za-z0-9（）()·]{{2,30}}")
#: The fewest items of a list that a superlative is asked over.
MIN_LISTED_ITEMS = 3


@dataclass(frozen=True)
class ListedItem:
    """One name of a list with its figure (五通桥区 3294万元), offsets into the sentence."""

    name: str
    quantity: Quantity


def listed_items(sentence: str) -> list[ListedItem]:
    """The names and figures of ``sentence`` when it is a 、-list of at least ``MIN_LISTED_ITEMS``
    items, each a name followed by one figure of the same unit class (「补助标准:市中区1162万元、
    五通桥区3294万元、沙湾区147万元」); [] for any other sentence."""
    body = sentence.rstrip("。；;")
    label = _LEADING_LABEL.match(body)
    offset = label.end() if label else 0
    items: list[ListedItem] = []
    for part in body[offset:].split("、"):
        figures = [q for q in find_quantities(part) if q.value is not None]
        if len(figures) != 1 or part[figures[0].end :].strip():
            return []  # an item with no figure, two figures, or words after its figure
        name = part[: figures[0].start].strip()
        if not _ITEM_NAME.fullmatch(name):
            return []
        items.append(ListedItem(name, figures[0]))
    if len(items) < MIN_LISTED_ITEMS or len({unit_class(item.quantity) for item in items}) != 1:
        return []
    return items


def extreme_item(items: list[ListedItem], extreme: Extreme) -> ListedItem | None:
    """The item with the largest (smallest) figure; None when two tie for it."""
    ranked = sorted(items, key=lambda item: item.quantity.value or 0.0, reverse=extreme == "max")
    if len(ranked) < 2 or ranked[0].quantity.value == ranked[1].quantity.value:
        return None
    return ranked[0]


@dataclass(frozen=True)
class Row:
    """One table row: its key (first cell) and its labelled cells."""

    key: str
    cells: tuple[tuple[str, str], ...]


def asked_extreme(question: str) -> Extreme | None:
    """'max' for 「哪个…最多」, 'min' for 「哪个…最少」, None for any other question."""
    if not _WHICH.search(question):
        return None
    if _MOST.search(question):
        return "max"
    if _LEAST.search(question):
        return "min"
    return None


def parse_row(sentence: str) -> Row | None:
    """The row a row sentence writes out, or None for any other sentence (and for a totals row)."""
    if not TABLE_ROW.match(sentence):
        return None
    cells = []
    for part in re.split(r"[，,]", sentence.rstrip("。")):
        label, sep, value = part.partition("：")
        if not sep:
            continue
        cells.append((label.strip(), value.strip()))
    if len(cells) < 2 or _TOTAL_KEYS.search(cells[0][1]):
        return None
    return Row(cells[0][1], tuple(cells))


def column_value(row: Row, column: str) -> float | None:
    """The figure of ``column`` in ``row`` (None when the cell holds no single figure)."""
    for label, value in row.cells:
        if label == column:
            figures = [q for q in find_quantities(value) if q.value is not None]
            return figures[0].value if len(figures) == 1 else None
    return None


def extreme_row(rows: list[Row], column: str, extreme: Extreme) -> Row | None:
    """The row with the largest (smallest) figure in ``column``; None when fewer than two rows have
    one or two rows tie for it."""
    valued = [(value, row) for row in rows if (value := column_value(row, column)) is not None]
    if len(valued) < 2:
        return None
    valued.sort(key=lambda item: item[0], reverse=extreme == "max")
    if valued[0][0] == valued[1][0]:
        return None
    return valued[0][1]


def row_name(row: Row) -> str:
    """What a row is about: its first cell that is not a bare number (榜头镇 of 「序号：8，乡镇：榜头镇，…」),
    spaces removed."""
    for _, value in row.cells:
        name = re.sub(r"\s+", "", value)
        if name and not re.fullmatch(r"[\d.,，%]+", name):
            return name
    return ""
