"""The other splits' datasets (test, holdout, development documents): well formed and grounded.

Each split has its own corpus folder; every evidence part must be a verbatim piece of the document
it names as loaded (line breaks aside: a signature block's unit and date are two lines), and every answer must occur in its evidence unless it is computed (a
comparison's winner, a total or difference), so a typo in a gold answer cannot pass unnoticed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from eval.grading import normalize
from rag.ingest.loading import load_document
from rag.settings import PROJECT_ROOT

DATASETS = PROJECT_ROOT / "eval" / "datasets"
#: split -> (dataset, corpus folder, at least this many questions)
SPLITS = {
    "test": ("test_qa.jsonl", PROJECT_ROOT / "eval" / "test_corpus", 150),
    "holdout": ("holdout_qa.jsonl", PROJECT_ROOT / "eval" / "holdout_corpus", 50),
    "dev-docs": ("dev_docs_qa.jsonl", PROJECT_ROOT / "eval" / "dev_corpus", 130),
    "dev-docs2": ("dev_docs2_qa.jsonl", PROJECT_ROOT / "eval" / "dev_corpus2", 150),
    "dev-docs3": ("dev_docs3_qa.jsonl", PROJECT_ROOT / "eval" / "dev_corpus3", 150),
    "dev-docs4": ("dev_docs4_qa.jsonl", PROJECT_ROOT / "eval" / "dev_corpus4", 200),
    "dev-docs5": ("dev_docs5_qa.jsonl", PROJECT_ROOT / "eval" / "dev_corpus5", 200),
    "dev-docs6": ("dev_docs6_qa.jsonl", PROJECT_ROOT / "eval" / "dev_corpus6", 200),
    "dev-docs7": ("dev_docs7_qa.jsonl", PROJECT_ROOT / "eval" / "dev_corpus7", 200),
    "dev-docs8": ("dev_docs8_qa.jsonl", PROJECT_ROOT / "eval" / "dev_corpus8", 200),
    "dev-docs9": ("dev_docs9_qa.jsonl", PROJECT_ROOT / "eval" / "dev_corpus9", 200),
    "dev-docs10": ("dev_docs10_qa.jsonl", PROJECT_ROOT / "eval" / "dev_corpus10", 300),
}
COMPUTED_TYPES = {"comparison", "total"}


def _items(split: str) -> list[dict[str, Any]]:
    dataset = DATASETS / SPLITS[split][0]
    return [json.loads(line) for line in dataset.read_text(encoding="utf-8").splitlines() if line.strip()]


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _text(corpus: Path, name: str) -> str:
    """The document as the product reads it (a pipe table's rows become row sentences)."""
    return _compact(load_document(corpus / name).text)


@pytest.mark.parametrize("split", list(SPLITS))
def test_split_is_well_formed(split: str) -> None:
    items = _items(split)
    _, corpus, minimum = SPLITS[split]
    assert len(items) >= minimum
    assert len({item["id"] for item in items}) == len(items), "duplicate ids"
    names = {path.name for path in corpus.glob("*.txt")}
    for item in items:
        assert {"id", "question", "answers", "lang", "type", "evidence", "doc"} <= set(item), item["id"]
        assert item["lang"] in ("zh", "en") and isinstance(item["answers"], list), item["id"]
        if not item["answers"]:
            assert item["evidence"] == "" and item["doc"] == "", item["id"]
            continue
        docs = item.get("docs") or [item["doc"]]
        assert set(docs) <= names, f"{item['id']}: unknown document {docs}"
        for part in item["evidence"].split(" || "):
            assert any(_compact(part) in _text(corpus, name) for name in docs), (
                f"{item['id']}: evidence not verbatim in {docs}: {part}"
            )
        if item["type"] not in COMPUTED_TYPES:
            evidence = normalize(item["evidence"])
            assert any(normalize(answer) in evidence for answer in item["answers"]), (
                f"{item['id']}: no answer occurs in the evidence"
            )


@pytest.mark.parametrize("split", list(SPLITS))
def test_split_has_traps_english_and_follow_ups(split: str) -> None:
    items = _items(split)
    assert sum(1 for item in items if not item["answers"]) >= 8
    assert sum(1 for item in items if item["lang"] == "en") >= 6
    assert sum(1 for item in items if item.get("history")) >= 4
