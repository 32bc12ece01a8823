"""Tables as facts: every row written out with its header, one sentence per row.

A table's cell means something only with its column header (and its row's first cell): flattened
into 「哈尔滨市 50人 5万元」 the figure loses what it counts. So each data row becomes one line such
as 「单位：哈尔滨市，人数：50人，奖励：5万元。」 — one sentence (commas, not ；, which would split it),
so retrieval finds the row by any of its words and the answer quotes and cites the whole row.
DOCX, PDF, OFD, .xlsx and .csv readers all hand their grids here.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["row_sentences"]

#: Characters stripped from cell edges (a cell ending in 。 would end the row's sentence early).
_CELL_EDGE = " \t\n\u3000。；;"


def _clean(cell: str | None) -> str:
    return " ".join((cell or "").split()).strip(_CELL_EDGE)


def row_sentences(rows: Sequence[Sequence[str | None]]) -> list[str]:
    """The lines a table becomes: a caption row as is, then each data row with its header.

    The header is the first row with two or more filled cells (rows above it with one filled
    cell, merged across the table, are captions). A repeated header row (tables broken across
    pages) is skipped. A table of one column, or without a header, gives its rows as plain lines.
    """
    grid = [[_clean(cell) for cell in row] for row in rows]
    grid = [row for row in grid if any(row)]
    lines: list[str] = []
    header: list[str] | None = None
    for row in grid:
        filled = [cell for cell in row if cell]
        if header is None:
            if len(filled) >= 2:
                header = row
            else:
                lines.append(filled[0])
            continue
        if row == header:
            continue
        parts = []
        for i, cell in enumerate(row):
            if not cell or (i > 0 and cell == row[i - 1]):
                continue  # empty, or a merged cell repeated across its span
            label = header[i] if i < len(header) else ""
            parts.append(f"{label}：{cell}" if label and label != cell else cell)
        if parts:
            lines.append("，".join(parts) + "。")
    if header is not None and not any("：" in line for line in lines):
        lines.append("，".join(cell for cell in header if cell))  # a header without data rows
    return lines
