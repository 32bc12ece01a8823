"""Reading an evaluation dataset (JSONL) into checked items.

A QA officer edits the dataset by hand, so a broken line must be reported with its line number and
what is wrong with it -- before any model is loaded -- instead of failing half-way through a run.
The fields are described in ``eval/GRADING.md``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["DatasetError", "EvalItem", "load_items", "parse_item"]

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


def load_items(path: Path) -> list[EvalItem]:
    """All items of a JSONL dataset, in file order; blank lines are skipped.

    Raises :class:`DatasetError` naming the line and the reason for the first bad line, a
    duplicate id, an unreadable or missing file, or a file without any item.
    """
    if not path.is_file():
        raise DatasetError(path, "no such dataset file")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as error:
        raise DatasetError(path, f"not UTF-8 text ({error.reason})") from None
    except OSError as error:
        raise DatasetError(path, f"cannot be read ({error.strerror})") from None
    items: list[EvalItem] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = parse_item(json.loads(line))
        except json.JSONDecodeError as error:
            raise DatasetError(path, f"invalid JSON ({error.msg}, column {error.colno})", number) from None
        except ValueError as error:
            raise DatasetError(path, str(error), number) from None
        if item.id in seen:
            raise DatasetError(path, f"duplicate id '{item.id}' (first on line {seen[item.id]})", number)
        seen[item.id] = number
        items.append(item)
    if not items:
        raise DatasetError(path, "the dataset holds no items")
    return items
