"""Superlatives over a table's rows: 「哪个乡镇新种任务最多」 is answered by comparing the rows in code.

Tables are indexed one row per sentence with their headers (「乡镇：长安镇，新种任务：2150亩。」, see
``rag.ingest.tables``), so no single sentence says which row is largest; the rows of the table do
together. The row key (its first cell) answers, the figures of the column the question names decide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from rag.text.quantities import find_quantities

Extreme = Literal["max", "min"]

#: A table row written out with its header (「街镇名称：真新街道，人数：259人，金额：84470元。」).
TABLE_ROW = re.compile(r"^[^，,。：:]{1,12}：[^，,。]{1,30}，[^，,。：:]{1,12}：")
_MOST = re.compile(r"最多|最高|最大|最长|\bmost\b|\bhighest\b|\blargest\b", re.I)
_LEAST = re.compile(r"最少|最低|最小|最短|\bfewest\b|\bleast\b|\blowest\b|\bsmallest\b", re.I)
_WHICH = re.compile(r"哪个|哪一个|哪家|哪|\bwhich\b", re.I)
#: Row keys that are the table's totals, not one of its rows.
_TOTAL_KEYS = re.compile(r"合\s*计|总\s*计|小\s*计|全县|全市|全区|全省|总数")


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
