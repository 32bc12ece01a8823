"""Question sheets (``rag/tables.py``): .xlsx and .csv round-trips and clear errors."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from rag.tables import TableError, read_table, write_table

HEADER = ["question", "备注"]
ROWS = [["哈尔滨市对大工匠每人奖励多少钱？", "第一题"], ["交城县2022年地区生产总值是多少？", 7]]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_round_trip(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"questions{suffix}"
    write_table(path, HEADER, ROWS)
    header, rows = read_table(path)
    assert header == HEADER
    assert [row.number for row in rows] == [2, 3]
    assert rows[0].values == {"question": ROWS[0][0], "备注": "第一题"}
    assert rows[1].values["备注"] == "7"  # numbers come back as text, without a spurious .0
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no temporary file left


def test_xlsx_written_by_excel_style_tools(tmp_path: Path) -> None:
    """A workbook made with openpyxl directly (blank rows, trailing empty header cells, floats)."""
    path = tmp_path / "list.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["问题", "编号", None])
    sheet.append(["哈尔滨市对大工匠每人奖励多少钱？", 1.0])
    sheet.append([None, None])
    sheet.append(["第二题", 2.5])
    workbook.save(path)
    header, rows = read_table(path)
    assert header == ["问题", "编号"]
    assert [(row.number, row.values["编号"]) for row in rows] == [(2, "1"), (4, "2.5")]


@pytest.mark.parametrize(("name", "content", "message"), [
    ("fake.xlsx", b"not a zip", "not a readable .xlsx"),
    ("list.ods", b"x", "use .xlsx or .csv"),
    ("empty.csv", b"", "header"),
    ("twice.csv", "question,question\na,b\n".encode(), "duplicate column"),
    ("gbk.csv", "问题\n哈尔滨\n".encode("gbk"), "UTF-8"),
])
def test_unreadable_sheets_are_named_with_the_reason(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(TableError, match=message) as error:
        read_table(path)
    assert str(error.value).startswith(str(path))


def test_missing_file_and_unknown_output_type(tmp_path: Path) -> None:
    with pytest.raises(TableError, match="no such file"):
        read_table(tmp_path / "missing.xlsx")
    with pytest.raises(TableError, match="use .xlsx or .csv"):
        write_table(tmp_path / "out.txt", HEADER, ROWS)
