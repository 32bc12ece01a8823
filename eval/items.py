"""Reading an evaluation dataset (JSONL, or a sheet: ``.csv`` / ``.xlsx``) into checked items.

A QA officer edits the dataset by hand, so a broken line must be reported with its line number and
what is wrong with it -- before any model is loaded -- instead of failing half-way through a run.
The fields are described in ``eval/GRADING.md``. A sheet has one column per field (header row
first, see ``TABLE_COLUMNS``); its cells are turned into the JSON object a JSONL line would hold and
checked by the same ``parse_item``, so the three formats cannot drift apart.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["TABLE_COLUMNS", "DatasetError", "EvalItem", "load_items", "parse_item", "write_items_table"]

_REQUIRED: dict[str, type] = {
    "id": str,
    "question": str,
    "answers": list,
    "lang": str,
    "type": str,
    "evidence": str,
    "doc": str,
}
_OPTIONAL: dict[str, type] = {"history": list, "match": str, "trap": bool, "docs": list}
_ROLES = ("user", "assistant")
#: The columns of a dataset sheet, in the order ``write_items_table`` writes them.
TABLE_COLUMNS = ("id", "question", "answers", "lang", "type", "evidence", "doc", "docs", "history", "match", "trap")
_LIST_COLUMNS = ("answers", "docs")
_TRUE, _FALSE = ("true", "1", "yes", "y", "是"), ("false", "0", "no", "n", "否", "")


class DatasetError(ValueError):
    """A dataset file that cannot be used; ``line`` is 1-based (None for the file as a whole)."""

    def __init__(self, path: Path, reason: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason


@dataclass(frozen=True)
class EvalItem:
    """One question of the dataset, with the gold answers and the evidence that supports them."""

    id: str
    question: str
    answers: tuple[str, ...]
    lang: str
    type: str
    evidence: str = ""
    doc: str = ""
    docs: tuple[str, ...] = ()
    history: tuple[tuple[str, str], ...] = ()  # (role, content) of the earlier turns
    match: str = "any"
    trap: bool = False

    @property
    def answerable(self) -> bool:
        """An empty ``answers`` list means the documents lack the answer: the system must refuse."""
        return bool(self.answers)

    def grading_record(self) -> dict[str, Any]:
        """The item fields that ``eval.grading.is_correct`` reads."""
        return {"answers": list(self.answers), "match": self.match}


def _check_types(value: dict[str, Any]) -> None:
    for key, kind in _REQUIRED.items():
        if key not in value:
            raise ValueError(f"missing field '{key}'")
        if not isinstance(value[key], kind):
            raise ValueError(f"field '{key}' must be a {kind.__name__}")
    for key in set(value) - set(_REQUIRED):
        if key not in _OPTIONAL:
            raise ValueError(f"unknown field '{key}'")
        if not isinstance(value[key], _OPTIONAL[key]):
            raise ValueError(f"field '{key}' must be a {_OPTIONAL[key].__name__}")


def _history(turns: list[Any]) -> tuple[tuple[str, str], ...]:
    parsed = []
    for number, turn in enumerate(turns, start=1):
        if not isinstance(turn, dict) or turn.get("role") not in _ROLES or not isinstance(turn.get("content"), str):
            raise ValueError(f"history turn {number} must be {{\"role\": \"user\"|\"assistant\", \"content\": \"...\"}}")
        parsed.append((str(turn["role"]), str(turn["content"])))
    return tuple(parsed)


def parse_item(value: Any) -> EvalItem:
    """Check one decoded JSON value and turn it into an item; ``ValueError`` says what is wrong."""
    if not isinstance(value, dict):
        raise ValueError("each line must be a JSON object")
    _check_types(value)
    if not value["question"].strip():
        raise ValueError("field 'question' is empty")
    if not value["id"].strip():
        raise ValueError("field 'id' is empty")
    answers = value["answers"]
    if not all(isinstance(a, str) and a.strip() for a in answers):
        raise ValueError("field 'answers' must hold non-empty strings")
    match = value.get("match", "any")
    if match not in ("any", "all"):
        raise ValueError("field 'match' must be \"any\" or \"all\"")
    docs = value.get("docs", [])
    if not all(isinstance(d, str) for d in docs):
        raise ValueError("field 'docs' must hold strings")
    return EvalItem(
        id=value["id"],
        question=value["question"],
        answers=tuple(answers),
        lang=value["lang"],
        type=value["type"],
        evidence=value["evidence"],
        doc=value["doc"],
        docs=tuple(docs),
        history=_history(value.get("history", [])),
        match=match,
        trap=bool(value.get("trap", False)),
    )


def _list_cell(column: str, text: str) -> list[str]:
    """A list cell: a JSON array, or values separated by ``|``; empty = no values."""
    if text.startswith("["):
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(f"column '{column}' is not a valid JSON array ({error.msg})") from None
        if not isinstance(value, list):
            raise ValueError(f"column '{column}' must be a JSON array")
        return value
    return [part.strip() for part in text.split("|") if part.strip()]


def _row_value(cells: dict[str, str]) -> dict[str, Any]:
    """The JSON object a JSONL line would hold for one sheet row (empty optional cells omitted)."""
    unknown = sorted(set(cells) - set(TABLE_COLUMNS))
    if unknown:
        raise ValueError(f"unknown column(s) {', '.join(unknown)}; columns are {', '.join(TABLE_COLUMNS)}")
    value: dict[str, Any] = {}
    for column, text in cells.items():
        if column in _LIST_COLUMNS:
            value[column] = _list_cell(column, text)
        elif column == "history":
            if text:
                value[column] = _list_cell(column, text if text.startswith("[") else f"[{text}]")
        elif column == "trap":
            if text.lower() not in _TRUE + _FALSE:
                raise ValueError(f"column 'trap' must be true or false, not '{text}'")
            if text:
                value[column] = text.lower() in _TRUE
        elif column == "match":
            if text:
                value[column] = text
        else:
            value[column] = text
    return value


def _table_values(path: Path) -> list[tuple[int, Any]]:
    from rag.tables import TableError, read_table

    try:
        _, rows = read_table(path)
    except TableError as error:
        raise DatasetError(path, str(error).removeprefix(f"{path}: ")) from None
    values = []
    for row in rows:
        try:
            values.append((row.number, _row_value(row.values)))
        except ValueError as error:
            raise DatasetError(path, str(error), row.number) from None
    return values


def _jsonl_values(path: Path) -> list[tuple[int, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as error:
        raise DatasetError(path, f"not UTF-8 text ({error.reason})") from None
    except OSError as error:
        raise DatasetError(path, f"cannot be read ({error.strerror})") from None
    values = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            values.append((number, json.loads(line)))
        except json.JSONDecodeError as error:
            raise DatasetError(path, f"invalid JSON ({error.msg}, column {error.colno})", number) from None
    return values


def load_items(path: Path) -> list[EvalItem]:
    """All items of a dataset, in file order: JSONL (blank lines skipped), or a ``.csv`` / ``.xlsx``
    sheet with a header row of ``TABLE_COLUMNS`` (empty rows skipped; numbers are sheet rows).

    Raises :class:`DatasetError` naming the line and the reason for the first bad line, a
    duplicate id, an unreadable or missing file, or a file without any item.
    """
    if not path.is_file():
        raise DatasetError(path, "no such dataset file")
    tabular = path.suffix.lower() in (".csv", ".xlsx")
    values = _table_values(path) if tabular else _jsonl_values(path)
    items: list[EvalItem] = []
    seen: dict[str, int] = {}
    where = "row" if tabular else "line"
    for number, value in values:
        try:
            item = parse_item(value)
        except ValueError as error:
            raise DatasetError(path, str(error), number) from None
        if item.id in seen:
            raise DatasetError(path, f"duplicate id '{item.id}' (first on {where} {seen[item.id]})", number)
        seen[item.id] = number
        items.append(item)
    if not items:
        raise DatasetError(path, "the dataset holds no items")
    return items


def _list_text(values: tuple[str, ...]) -> str:
    """``a | b`` when no value holds a ``|``, else a JSON array (both read back the same)."""
    if any("|" in v for v in values) or any(v.startswith("[") for v in values[:1]):
        return json.dumps(list(values), ensure_ascii=False)
    return " | ".join(values)


def write_items_table(items: list[EvalItem], path: Path) -> None:
    """Write items as a ``.csv`` or ``.xlsx`` dataset sheet (e.g. a JSONL converted for QA staff)."""
    from rag.tables import write_table

    rows = [
        [item.id, item.question, _list_text(item.answers), item.lang, item.type, item.evidence, item.doc,
         _list_text(item.docs),
         json.dumps([{"role": r, "content": c} for r, c in item.history], ensure_ascii=False) if item.history else "",
         item.match, "true" if item.trap else "false"]
        for item in items
    ]
    write_table(path, TABLE_COLUMNS, rows)
