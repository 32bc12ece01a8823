"""Tables as facts: every row written out with its header, one sentence per row.

A table's cell means something only with its column header (and its row's first cell): flattened
into 「哈尔滨市 50人 5万元」 the figure loses what it counts. So each data row becomes one line such
as 「单位：哈尔滨市，人数：50人，奖励：5万元。」 — one sentence (commas, not ；, which would split it),
so retrieval finds the row by any of its words and the answer quotes and cites the whole row.
DOCX, PDF, OFD, .xlsx and .csv readers all hand their grids here; pipe tables written in plain text
or Markdown (「乡镇 | 新种任务(亩) | 备注 |」) are found by ``pipe_tables_as_rows``, and tables a web page's
copy stores one cell per line (「镇别」「新发展面积(亩)」「补贴金额(元)」「雪堰镇」「1920」「192000」…) by
``cell_tables_as_rows``, and a bulletin's table pasted as spaced lines (「产品名称 产量(吨) 比上年增长%」 /
「烟 叶 5297.4 -1.4」) by ``spaced_tables_as_rows``.

A header that states its column's unit (新种任务(亩), 金额（万元）, 补贴标准(单位：元)) or counts a
counter (现有贫困户数, 人数) lends it to the column's bare numbers: 「新种任务：2150亩」 is a figure
of 亩 a question can ask for, 「2150」 is none.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.text.patterns import CJK_RANGE
from rag.text.quantities import find_quantities

__all__ = ["cell_tables_as_rows", "pipe_tables_as_rows", "row_sentences", "spaced_tables_as_rows"]

#: Characters stripped from cell edges (a cell ending in 。 would end the row's sentence early).
_CELL_EDGE = " \t\n\u3000。；;"


#: A header ending in its unit in brackets: 新种任务(亩), 金额（万元）, 标准(单位：元/亩).
_HEADER_UNIT = re.compile(r"^(.+?)\s*[（(]\s*(?:单位\s*[:：]\s*)?([^()（）\d]{1,6}?)\s*[)）]$")
#: A header that is a count of a counter (户数, 人 数, 个数): its numbers count that.
_COUNT_HEADER = re.compile(r"^.*?(户|人|个|家|次|件|项|所|名)\s*数$")
_BARE_NUMBER = re.compile(r"^-?\d+(?:[,，]\d{3})*(?:\.\d+)?$")
#: A table's unit line, above it or as its caption row: 「单位:万元」「（单位：亩）」.
_TABLE_UNIT = re.compile(r"^[（(]?\s*单\s*位\s*[:：]\s*([^\s()（）:：,，。\d]{1,6})\s*[)）]?$")
#: Headers whose numbers are no amounts of the table's unit: row numbers, years, codes, ranks.
_NOT_MEASURED = re.compile(r"序号|编号|代码|年份|年度|排名|名次|电话|邮编|号码")
#: A Markdown table's rule row (|---|:--:|).
_RULE_ROW = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")


#: A space between two CJK characters of a cell (letter-spaced headers: 乡 镇, 金 额).
_SPACE_IN_WORD = re.compile(rf"(?<=[{CJK_RANGE}])\s+(?=[{CJK_RANGE}])")


def _clean(cell: str | None) -> str:
    """A cell's text on one line, its letter-spacing closed up (金 额 -> 金额)."""
    return _SPACE_IN_WORD.sub("", " ".join((cell or "").split())).strip(_CELL_EDGE)


def _label_value_pairs(cells: list[str]) -> str:
    """A row of a page's metadata form — label, value, label, value, each label ending in a colon —
    as one sentence 「索引号：…，发布机构：…。」; '' for any other row."""
    if len(cells) < 2 or len(cells) % 2 or not all(cells[i].endswith((":", "：")) for i in range(0, len(cells), 2)):
        return ""
    pairs = [f"{cells[i].rstrip(':：')}：{cells[i + 1]}" for i in range(0, len(cells), 2)]
    return "，".join(pairs) + "。"


def header_unit(label: str) -> tuple[str, str]:
    """(label without its unit, unit) of a header cell; the unit is '' unless it is one a figure
    can carry (a number followed by it reads as one figure: 2150亩, 3万元, 80%)."""
    match = _HEADER_UNIT.match(label)
    if match is None and label.endswith(("%", "％")) and len(label) > 1:
        return label[:-1].strip(), "%"  # 「比上年增长%」: a bulletin's column of rates
    if match is None:
        counted = _COUNT_HEADER.match(label)
        # 「现有贫困户数」「人 数」: a count of 户 / 人, which the column's bare numbers are
        return (label, counted.group(1)) if counted else (label, "")
    unit = match.group(2).strip()
    if not _carried_by_figures(unit):
        return label, ""
    return match.group(1).strip(), unit


def table_unit(line: str) -> str:
    """The unit a table's unit line (「单位:万元」) states for its bare numbers; '' for any other line
    or a unit no figure can carry."""
    match = _TABLE_UNIT.match(line.strip())
    return match.group(1) if match is not None and _carried_by_figures(match.group(1)) else ""


def _carried_by_figures(unit: str) -> bool:
    """Whether a number followed by ``unit`` reads as one figure (2150亩, 3万元, 80%)."""
    probe = f"1{unit}"
    return any(q.text == probe for q in find_quantities(probe))


def _unit_of_column(header: str, column: int, unit: str) -> tuple[str, str]:
    """(label, unit) for a column's bare numbers: the header's own unit, else the table's unit
    (from its 「单位：万元」 line) for any column but the first (the row's name) and those that
    number, date or rank rows."""
    label, own = header_unit(header)
    if own or not unit or column == 0 or _NOT_MEASURED.search(header):
        return label, own
    return label, unit


def row_sentences(rows: Sequence[Sequence[str | None]], unit: str = "") -> list[str]:
    """The lines a table becomes: a caption row as is, then each data row with its header.

    The header is the first row with two or more filled cells (rows above it with one filled
    cell, merged across the table, are captions). A repeated header row (tables broken across
    pages) is skipped. A table of one column, or without a header, gives its rows as plain lines.
    ``unit`` is the table's unit (its 「单位：万元」 line above it); a caption row stating one sets it.
    """
    grid = [[_clean(cell) for cell in row] for row in rows]
    grid = [row for row in grid if any(row)]
    lines: list[str] = []
    header: list[str] | None = None
    for row in grid:
        filled = [cell for cell in row if cell]
        pairs = _label_value_pairs(filled)
        if pairs:
            lines.append(pairs)  # 「索引号: | 00001434 | 发布机构: | 区民政局」: a form's fields, not a table
            continue
        if header is None:
            if len(filled) >= 2:
                header = row
            else:
                lines.append(filled[0])
                unit = table_unit(filled[0]) or unit
            continue
        if row == header:
            continue
        parts = []
        for i, cell in enumerate(row):
            if not cell or (i > 0 and cell == row[i - 1]):
                continue  # empty, or a merged cell repeated across its span
            label, column_unit = _unit_of_column(header[i], i, unit) if i < len(header) else ("", "")
            if column_unit and _BARE_NUMBER.match(cell):
                cell += column_unit
            else:
                label = header[i] if i < len(header) else ""
            parts.append(f"{label}：{cell}" if label and label != cell else cell)
        if parts:
            lines.append("，".join(parts) + "。")
    if header is not None and not any("：" in line for line in lines):
        lines.append("，".join(cell for cell in header if cell))  # a header without data rows
    return lines


def _unit_above(lines: list[str]) -> str:
    """The unit a table's unit line states when it stands in the two lines above the table
    (``lines`` are the lines written so far): 「单位:万元」 over a caption or right over the rows."""
    above = [line for line in lines[-2:] if line.strip()]
    return next((unit for unit in map(table_unit, reversed(above)) if unit), "")


def _pipe_cells(line: str) -> list[str]:
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") else inner
    return [cell.strip() for cell in inner.split("|")]


def _continues_table(line: str) -> bool:
    """A row of a table already started: cells split by a spaced bar, or a bar at an edge (a row
    cut short keeps one cell less: 「潭头乡 | 300」). 「说明：a|b」 is prose."""
    stripped = line.strip()
    return " |" in stripped or "| " in stripped or stripped.startswith("|") or stripped.endswith("|")


def pipe_tables_as_rows(text: str) -> str:
    """``text`` with each pipe table (two or more lines of cells split by ``|``, the first with at
    least two) written as row sentences, like the tables of every other format. Other lines stay
    as they are; a Markdown rule row (|---|---|) is dropped."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        end = i
        if lines[i].count("|") >= 2:
            end = i + 1
            while end < len(lines) and _continues_table(lines[end]):
                end += 1
        if end - i >= 2:
            rows = [_pipe_cells(line) for line in lines[i:end] if not _RULE_ROW.match(line)]
            out.extend(row_sentences(rows, unit=_unit_above(out)))
            i = end
        else:
            out.append(lines[i])
            i += 1
    return "\n".join(out)


#: How many columns a table stored one cell per line may have, and how long a header cell may be.
_CELL_COLUMNS = range(2, 7)
_CELL_HEADER_MAX = 14
_CELL_LABEL_MAX = 16
#: The longest text cell of a numbered list table (a project's or a unit's name).
_CELL_TEXT_MAX = 30
#: Marks that make a line a sentence, never a table's cell.
_SENTENCE_MARKS = re.compile(r"[。；;，,：:！？!?]")


def _cell_label(line: str) -> bool:
    text = line.strip()
    return 0 < len(text) <= _CELL_LABEL_MAX and not _BARE_NUMBER.match(text) and not _SENTENCE_MARKS.search(text)


def _cell_rows(lines: list[str], start: int, columns: int) -> int:
    """How many data rows of ``columns`` cells follow ``start``: a label, then bare numbers."""
    rows = 0
    while start + (rows + 1) * columns <= len(lines):
        row = lines[start + rows * columns : start + (rows + 1) * columns]
        if not _cell_label(row[0]) or not all(_BARE_NUMBER.match(cell.strip()) for cell in row[1:]):
            break
        rows += 1
    return rows


def _numbered_cell_rows(lines: list[str], start: int, columns: int) -> int:
    """How many rows of ``columns`` cells follow ``start`` in a 名录's list table: a serial number
    that counts up by one (93, 94, 95), then short cells of text (「Ⅰ-12」「郿岘双凤山传说」
    「平凉市文化馆」)."""
    rows = 0
    previous: int | None = None
    while start + (rows + 1) * columns <= len(lines):
        row = [cell.strip() for cell in lines[start + rows * columns : start + (rows + 1) * columns]]
        if not row[0].isdigit() or (previous is not None and int(row[0]) != previous + 1):
            break
        if not all(0 < len(cell) <= _CELL_TEXT_MAX and not _SENTENCE_MARKS.search(cell) for cell in row[1:]):
            break
        previous = int(row[0])
        rows += 1
    return rows


def cell_tables_as_rows(text: str) -> str:
    """``text`` with each table stored one cell per line written as row sentences: a header of
    two to six short label lines, then at least two rows of as many lines, each a label and bare
    numbers (「雪堰镇」「1920」「192000」), or a serial number counting up and short names (a 名录's
    「93」「Ⅰ-12」「郿岘双凤山传说」「平凉市文化馆」). A header cell with its unit in brackets lends it to the
    column's numbers, as in every other table (「新发展面积：1920亩」). Other lines stay as they are."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        found = None
        if _cell_label(lines[i]) and len(lines[i].strip()) <= _CELL_HEADER_MAX:
            for columns in _CELL_COLUMNS:
                header = lines[i : i + columns]
                if len(header) < columns or not all(
                    _cell_label(cell) and len(cell.strip()) <= _CELL_HEADER_MAX for cell in header
                ):
                    break
                rows = _cell_rows(lines, i + columns, columns) or _numbered_cell_rows(lines, i + columns, columns)
                if rows >= 2:
                    found = (columns, rows)
                    break
        if found is None:
            out.append(lines[i])
            i += 1
            continue
        columns, rows = found
        cells = [line.strip() for line in lines[i : i + columns * (rows + 1)]]
        grid = [cells[r * columns : (r + 1) * columns] for r in range(rows + 1)]
        out.extend(row_sentences(grid, unit=_unit_above(out)))
        i += columns * (rows + 1)
    return "\n".join(out)


#: A row of a table pasted as spaced text: a name (maybe spaced out: 粮 食), then bare numbers.
_SPACED_ROW = re.compile(r"^(?P<name>[^\d\s|][^|]*?)\s+(?P<numbers>-?\d[\d.,]*(?:\s+-?\d[\d.,]*)*)\s*$")
_SPACED_NAME_MAX = 16


def _spaced_row(line: str) -> tuple[str, list[str]] | None:
    match = _SPACED_ROW.match(line.strip())
    if match is None:
        return None
    name = re.sub(r"(?<=[^\s])\s(?=[^\s])", "", match.group("name").strip())  # 粮 食 -> 粮食
    if not 0 < len(name) <= _SPACED_NAME_MAX or _SENTENCE_MARKS.search(name):
        return None
    return name, match.group("numbers").split()


def _nameless_row(line: str) -> tuple[str, list[str]] | None:
    """A row whose name the copy lost (「104.5」 between two named rows): its numbers, under no name."""
    numbers = line.split()
    return ("", numbers) if numbers and all(_BARE_NUMBER.match(n) for n in numbers) else None


def _spaced_header(line: str, columns: int) -> list[str] | None:
    """The header cells of a spaced table with ``columns`` columns (「产品名称 产 量 比上年增长%」: a
    padded header, 产 量, is one cell), or None when the line is no such header."""
    tokens = line.split()
    if any(_BARE_NUMBER.match(token) or _SENTENCE_MARKS.search(token) for token in tokens):
        return None
    cells: list[str] = []
    for token in tokens:
        # single characters padded apart are one cell (产 量), while the header has too many cells
        if len(token) == 1 and cells and len(cells[-1]) == 1 and len(tokens) > columns:
            cells[-1] += token
        else:
            cells.append(token)
    return cells if len(cells) == columns else None


def spaced_tables_as_rows(text: str) -> str:
    """``text`` with each table pasted as spaced lines written as row sentences: a header line of
    spaced labels, then at least two lines of a name and as many bare numbers as the header has
    columns after the first (「烟 叶 5297.4 -1.4」 under 「产品名称 产量(吨) 比上年增长%」 becomes
    「产品名称：烟叶，产量：5297.4吨，比上年增长：-1.4%。」). Other lines stay as they are."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        first = _spaced_row(lines[i + 1]) if i + 1 < len(lines) else None
        header = _spaced_header(lines[i], len(first[1]) + 1) if first is not None else None
        rows = [first] if header is not None and first is not None else []
        while header is not None and i + 1 + len(rows) < len(lines):
            line = lines[i + 1 + len(rows)]
            row = _spaced_row(line) or _nameless_row(line)
            if row is None or len(row[1]) != len(header) - 1:
                break
            rows.append(row)
        if header is None or len(rows) < 2:
            out.append(lines[i])
            i += 1
            continue
        grid = [header]
        for name, numbers in rows:
            # 「#夏粮」: NBS marks a part (其中) with #; 「肉类总产量(吨)」: a row states its own unit
            name, own_unit = header_unit(name.lstrip("#＃"))
            grid.append([name, numbers[0] + own_unit, *numbers[1:]])
        out.extend(row_sentences(grid, unit=_unit_above(out)))
        i += 1 + len(rows)
    return "\n".join(out)
