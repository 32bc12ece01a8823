"""Loading an evaluation dataset (``eval/items.py``): good files load, bad lines are named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.items import DatasetError, load_items
from rag.settings import PROJECT_ROOT

DATASET = PROJECT_ROOT / "eval" / "datasets" / "corpus_qa.jsonl"
GOOD = {"id": "x-1", "question": "哈尔滨市对大工匠每人奖励多少钱？", "answers": ["5万元"], "lang": "zh",
        "type": "amount", "evidence": "由每人奖励1万元提高到5万元", "doc": "000.txt"}


def _write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "data.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_bundled_dataset_loads() -> None:
    items = load_items(DATASET)
    assert len(items) == len(DATASET.read_text(encoding="utf-8").split("\n")) - 1
    harbin = next(item for item in items if item.id == "hlj5y-01")
    assert harbin.answers == ("5万元",) and harbin.answerable and harbin.trap
    unanswerable = next(item for item in items if item.id == "na-01")
    assert not unanswerable.answerable and unanswerable.grading_record() == {"answers": [], "match": "any"}
    follow_up = next(item for item in items if item.history)
    assert follow_up.history[0][0] == "user"


def test_optional_fields_and_blank_lines(tmp_path: Path) -> None:
    followup = {**GOOD, "id": "x-2", "question": "那河北呢？", "match": "all", "docs": ["a.txt"],
                "history": [{"role": "user", "content": "问题"}, {"role": "assistant", "content": "回答"}]}
    path = _write(tmp_path, json.dumps(GOOD, ensure_ascii=False), "", "  ", json.dumps(followup, ensure_ascii=False))
    items = load_items(path)
    assert [item.id for item in items] == ["x-1", "x-2"]
    assert items[1].history == (("user", "问题"), ("assistant", "回答"))
    assert items[1].match == "all" and items[1].docs == ("a.txt",)


@pytest.mark.parametrize(
    ("bad_line", "reason"),
    [
        ("{not json", "invalid JSON"),
        ("[1, 2]", "must be a JSON object"),
        (json.dumps({k: v for k, v in GOOD.items() if k != "question"}), "missing field 'question'"),
        (json.dumps({**GOOD, "answers": "5万元"}), "field 'answers' must be a list"),
        (json.dumps({**GOOD, "answers": [""]}), "non-empty strings"),
        (json.dumps({**GOOD, "question": "  "}), "field 'question' is empty"),
        (json.dumps({**GOOD, "match": "some"}), "field 'match'"),
        (json.dumps({**GOOD, "colour": "red"}), "unknown field 'colour'"),
        (json.dumps({**GOOD, "history": [{"role": "bot", "content": "x"}]}), "history turn 1"),
        (json.dumps({**GOOD, "id": "x-1"}), "duplicate id 'x-1' (first on line 1)"),
    ],
)
def test_bad_line_is_reported_with_its_number(tmp_path: Path, bad_line: str, reason: str) -> None:
    path = _write(tmp_path, json.dumps(GOOD), "", bad_line)
    with pytest.raises(DatasetError) as caught:
        load_items(path)
    assert caught.value.line == 3
    assert reason in caught.value.reason
    assert str(caught.value).startswith(f"{path}:3: ")


def test_missing_empty_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no such dataset file"):
        load_items(tmp_path / "missing.jsonl")
    with pytest.raises(DatasetError, match="holds no items"):
        load_items(_write(tmp_path, ""))
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(DatasetError, match="not UTF-8"):
        load_items(binary)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_sheets_made_from_the_jsonl_load_the_same_items(tmp_path: Path, suffix: str) -> None:
    from eval.items import write_items_table

    items = load_items(DATASET)
    sheet = tmp_path / f"corpus_qa{suffix}"
    write_items_table(items, sheet)
    assert load_items(sheet) == items  # every field, history and trap flags included


def test_sheet_cells_lists_and_errors_name_the_row(tmp_path: Path) -> None:
    from rag.tables import write_table

    header = ["id", "question", "answers", "lang", "type", "evidence", "doc", "trap"]
    good = ["x-1", "问题？", "5万元 | 5万", "zh", "amount", "证据", "000.txt", "是"]
    unanswerable = ["x-2", "问题二？", "", "zh", "unanswerable", "", "", ""]
    path = tmp_path / "data.xlsx"
    write_table(path, header, [good, unanswerable])
    first, second = load_items(path)
    assert first.answers == ("5万元", "5万") and first.trap
    assert not second.answerable and not second.trap
    write_table(path, header, [good, [*good[:-1], "maybe"]])
    with pytest.raises(DatasetError, match=r"data.xlsx:3: column 'trap'"):
        load_items(path)
    write_table(path, [*header, "comment"], [[*good, "x"]])
    with pytest.raises(DatasetError, match="unknown column"):
        load_items(path)
    write_table(path, header, [good, good])
    with pytest.raises(DatasetError, match="duplicate id 'x-1' \\(first on row 2\\)"):
        load_items(path)
