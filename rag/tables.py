"""Question lists as spreadsheets: ``.xlsx`` (openpyxl) and ``.csv`` in and out.

QA staff keep question lists in Excel; ``rag ask --file`` answers such a sheet and ``rag eval``
reads datasets from one. Both only need "a header row, then one record per row", so this module
reads the first sheet (or a UTF-8 CSV, with or without BOM) into ``TableRow``s keyed by the header
and writes rows back, atomically (``write_file_atomically``: a temporary file beside the target,
then a rename), so an interrupted run never leaves half a workbook where the previous one was.
"""

from __future__ import annotations

import csv
import io
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.errors import RagError

TABLE_SUFFIXES = (".xlsx", ".csv")


class TableError(RagError):
    """A spreadsheet that cannot be read or written; the message names the file (and row)."""

    exit_code = 2
    http_status = 422


@dataclass(frozen=True)
class TableRow:
    """One data row: ``number`` is its row in the sheet (the header is row 1)."""

    number: int
    values: dict[str, str]


def _cell(value: Any) -> str:
    """A cell as text: numbers without a spurious ``.0``, empty cells as ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _raw_rows(path: Path) -> list[list[str]]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise TableError(f"{path}: not UTF-8 text; save the CSV as 'CSV UTF-8'") from None
        return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(path, read_only=True, data_only=True)
        except Exception as error:  # zipfile, XML and openpyxl errors alike: not a readable workbook
            raise TableError(f"{path}: not a readable .xlsx workbook ({type(error).__name__})") from None
        try:
            sheet = workbook.worksheets[0]
            return [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
        finally:
            workbook.close()
    raise TableError(f"{path}: unsupported file type '{path.suffix}'; use .xlsx or .csv")


def read_table(path: Path) -> tuple[list[str], list[TableRow]]:
    """The header (as written, stripped) and the non-empty rows of the first sheet."""
    if not path.is_file():
        raise TableError(f"{path}: no such file")
    rows = _raw_rows(path)
    if not rows or not any(rows[0]):
        raise TableError(f"{path}: the first row must be a header naming the columns")
    header = rows[0]
    while header and not header[-1]:
        header = header[:-1]
    duplicated = sorted({name for name in header if name and header.count(name) > 1})
    if duplicated:
        raise TableError(f"{path}: duplicate column(s) {', '.join(duplicated)}")
    records = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(row):
            continue
        values = {name: (row[i] if i < len(row) else "") for i, name in enumerate(header) if name}
        records.append(TableRow(number, values))
    return header, records


def write_file_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path`` (created with the usual permissions),
    then rename it into place: readers see the old file or the new one, never half of one. Shared
    by the sheets here, the chat page's exports and the evaluation's HTML report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with tmp.open("xb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_table(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Write a header and rows as ``.xlsx`` or ``.csv`` (by suffix), atomically."""
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise TableError(f"{path}: unsupported file type '{path.suffix}'; use .xlsx or .csv")
    buffer: io.BytesIO | io.StringIO
    if suffix == ".csv":
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows(rows)
        data = buffer.getvalue().encode("utf-8-sig")  # with a BOM: Excel opens it as UTF-8
    else:
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None  # a new workbook always has its first sheet
        sheet.append(list(header))
        for row in rows:
            sheet.append(list(row))
        buffer = io.BytesIO()
        workbook.save(buffer)
        data = buffer.getvalue()
    write_file_atomically(path, data)
