"""The evaluation dataset ``eval/datasets/corpus_qa.jsonl``: format, grounding in the corpus, coverage.

Evidence is compared *exactly* with the corpus files (no normalisation, no tolerated line breaks):
every evidence passage is a verbatim single-line substring of the named document.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from eval.grading import evidence_parts, is_correct, normalize, passage_hit

ROOT = Path(__file__).resolve().parents[2]
DATASET = ROOT / "eval" / "datasets" / "corpus_qa.jsonl"
CORPUS = ROOT / "corpus"

REQUIRED = {"id": str, "question": str, "answers": list, "lang": str, "type": str, "evidence": str, "doc": str}
OPTIONAL = {"history": list, "match": str, "trap": bool, "docs": list}
TYPES = {
    "amount", "count", "percent", "date", "person", "place", "org", "list", "fact",
    "unanswerable", "followup", "multihop",
}
LANGS = {"zh", "en"}

MIN_ITEMS = 130
MIN_PER_DOC = 15
MIN_ENGLISH = 25
MIN_UNANSWERABLE = 20
MIN_FOLLOWUPS = 12
MIN_TRAPS = 10
REQUIRED_KINDS = {"amount", "count", "percent", "date", "person", "org", "list", "place", "multihop", "followup"}
HARBIN_QUESTION = "哈尔滨市对大工匠每人奖励多少钱？"


def _raw_lines() -> list[str]:
    return [line for line in DATASET.read_text(encoding="utf-8").splitlines() if line.strip()]


def _load() -> list[dict[str, Any]]:
    return [json.loads(line) for line in _raw_lines()]


ITEMS = _load()
CORPUS_TEXT = {path.name: path.read_text(encoding="utf-8") for path in sorted(CORPUS.glob("*.txt"))}
ANSWERABLE = [item for item in ITEMS if item["answers"]]


def _docs(item: dict[str, Any]) -> list[str]:
    """The corpus files an item's evidence may come from: ``doc`` plus the optional ``docs``."""
    return [name for name in [item["doc"], *item.get("docs", [])] if name]


def _ids(items: list[dict[str, Any]]) -> list[str]:
    return [str(item.get("id")) for item in items]


def test_dataset_and_corpus_exist() -> None:
    assert DATASET.is_file()
    assert len(CORPUS_TEXT) == 5


def test_every_line_is_a_json_object() -> None:
    for number, line in enumerate(_raw_lines(), start=1):
        value = json.loads(line)
        assert isinstance(value, dict), f"line {number} is not a JSON object"


@pytest.mark.parametrize("item", ITEMS, ids=_ids(ITEMS))
def test_fields_and_types(item: dict[str, Any]) -> None:
    for key, kind in REQUIRED.items():
        assert key in item, f"missing {key}"
        assert isinstance(item[key], kind), f"{key} should be {kind.__name__}"
    for key in set(item) - set(REQUIRED):
        assert key in OPTIONAL, f"unknown field {key}"
        assert isinstance(item[key], OPTIONAL[key]), f"{key} should be {OPTIONAL[key].__name__}"
    assert item["id"].strip() and item["question"].strip()
    assert item["type"] in TYPES
    assert item["lang"] in LANGS
    assert all(isinstance(answer, str) and answer.strip() for answer in item["answers"])
    assert len(set(item["answers"])) == len(item["answers"]), "duplicate answer strings"
    assert item.get("match", "any") in {"any", "all"}
    if item.get("match") == "all":
        assert len(item["answers"]) >= 2, "match=all needs several answer strings"
    for name in _docs(item):
        assert name in CORPUS_TEXT, f"unknown corpus file {name}"
    if item["lang"] == "zh":
        assert any("\u4e00" <= ch <= "\u9fff" for ch in item["question"])
    else:
        assert sum(ch.isascii() and ch.isalpha() for ch in item["question"]) >= 10


def test_ids_unique() -> None:
    counts = Counter(item["id"] for item in ITEMS)
    assert [key for key, count in counts.items() if count > 1] == []


def test_questions_unique_in_context() -> None:
    keys = Counter(
        (item["question"], json.dumps(item.get("history", []), ensure_ascii=False)) for item in ITEMS
    )
    assert [key for key, count in keys.items() if count > 1] == []


@pytest.mark.parametrize("item", ITEMS, ids=_ids(ITEMS))
def test_evidence_is_verbatim_in_named_document(item: dict[str, Any]) -> None:
    parts = evidence_parts(item["evidence"])
    if not item["answers"]:
        return  # unanswerable: evidence may be empty
    assert parts, "answerable item without evidence"
    assert item["doc"], "answerable item without doc"
    for part in parts:
        assert "\n" not in part and "\r" not in part, "evidence must be a single line"
        assert any(part in CORPUS_TEXT[name] for name in _docs(item)), f"not verbatim in {_docs(item)}: {part}"
    # every document named by a multi-hop item contributes at least one passage
    for name in _docs(item):
        assert any(part in CORPUS_TEXT[name] for part in parts), f"{name} contributes no evidence"


@pytest.mark.parametrize("item", ANSWERABLE, ids=_ids(ANSWERABLE))
def test_answers_occur_in_evidence(item: dict[str, Any]) -> None:
    for answer in item["answers"]:
        assert answer in item["evidence"], f"{answer!r} not in its evidence"


@pytest.mark.parametrize("item", ANSWERABLE, ids=_ids(ANSWERABLE))
def test_gold_grades_correct_and_evidence_hits_its_document(item: dict[str, Any]) -> None:
    record = {
        "answers": item["answers"],
        "match": item.get("match", "any"),
        "answer": "；".join(item["answers"]),
        "short_answer": None,
        "refused": False,
    }
    assert is_correct(record)
    assert passage_hit(CORPUS_TEXT[item["doc"]], item["evidence"])
    assert not is_correct({**record, "refused": True})


@pytest.mark.parametrize("item", ITEMS, ids=_ids(ITEMS))
def test_type_specific_rules(item: dict[str, Any]) -> None:
    if item["type"] == "unanswerable":
        assert item["answers"] == [] and item["doc"] == "" and "docs" not in item
    else:
        assert item["answers"], "only unanswerable items may have an empty answer list"
    if item["type"] == "followup":
        assert item.get("history"), "a follow-up needs its history"
    if "history" in item:
        history = item["history"]
        assert len(history) >= 2 and len(history) % 2 == 0
        for turn, role in zip(history, ["user", "assistant"] * len(history), strict=False):
            assert set(turn) == {"role", "content"} and turn["role"] == role
            assert isinstance(turn["content"], str) and turn["content"].strip()
    if item["type"] == "multihop":
        assert len(evidence_parts(item["evidence"])) >= 2, "multi-hop evidence joins several passages"
    if item["type"] == "list":
        assert item.get("match") == "all"


def test_coverage_minimums() -> None:
    per_doc = Counter(item["doc"] for item in ITEMS if item["doc"])
    assert len(ITEMS) >= MIN_ITEMS
    for name in CORPUS_TEXT:
        assert per_doc[name] >= MIN_PER_DOC, f"{name}: {per_doc[name]} items"
    assert sum(item["lang"] == "en" for item in ITEMS) >= MIN_ENGLISH
    assert sum(item["type"] == "unanswerable" for item in ITEMS) >= MIN_UNANSWERABLE
    assert sum(item["type"] == "followup" and bool(item.get("history")) for item in ITEMS) >= MIN_FOLLOWUPS
    assert sum(item.get("trap") is True for item in ITEMS) >= MIN_TRAPS
    assert REQUIRED_KINDS <= {item["type"] for item in ITEMS}


def test_english_questions_keep_chinese_answers() -> None:
    english = [item for item in ANSWERABLE if item["lang"] == "en"]
    assert english
    for item in english:
        assert all(answer in item["evidence"] for answer in item["answers"])


def test_harbin_great_craftsman_question_present() -> None:
    matches = [item for item in ITEMS if item["question"] == HARBIN_QUESTION and not item.get("history")]
    assert len(matches) == 1
    assert matches[0]["answers"] == ["5万元"]
    assert matches[0]["doc"].startswith("000_")


def test_unanswerable_questions_are_not_copied_from_the_corpus() -> None:
    corpus = normalize("".join(CORPUS_TEXT.values()))
    for item in ITEMS:
        if item["type"] == "unanswerable":
            assert normalize(item["question"].rstrip("？?")) not in corpus
