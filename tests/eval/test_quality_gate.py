"""The CI quality gate, on both splits: the development set and the held-out test split.

The thresholds sit a few items under what the default configuration (hybrid retrieval, extractive
backend) measured when they were last set; a change that makes answers worse fails CI. ``--max-wrong``
is the gate that matters most: a confident wrong figure is worse than a refusal. The test split
(real documents in ``eval/test_corpus/`` that the rules were not written from) is gated too, so a
change that helps only the development set shows up. The same gates from the shell (see README,
"Evaluation"):

    rag eval eval/datasets/corpus_qa.jsonl --out eval-report --max-wrong ... (values below)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rag.cli import app
from rag.engine import Engine
from rag.settings import PROJECT_ROOT, Settings

DATASETS = PROJECT_ROOT / "eval" / "datasets"
TEST_CORPUS = PROJECT_ROOT / "eval" / "test_corpus"
GATES = {
    "dev": {
        "--max-wrong": "0.055",
        "--min-short": "0.72",
        "--min-accuracy": "0.84",
        "--min-refusal": "0.88",
        "--min-citation": "0.95",
        "--min-hit5": "0.94",
        "--max-false-refusal": "0.125",
    },
    "test": {
        "--max-wrong": "0.06",
        "--min-short": "0.69",
        "--min-accuracy": "0.82",
        "--min-refusal": "0.93",
        "--min-citation": "0.93",
        "--min-hit5": "0.97",
        "--max-false-refusal": "0.14",
    },
}


@pytest.fixture(scope="session")
def test_split_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the index of the test split's documents, built once."""
    index_dir = tmp_path_factory.mktemp("test-split-index")
    engine = Engine.open(Settings(index_dir=index_dir, corpus_dir=TEST_CORPUS), allow_empty=True)
    report = engine.index_paths([TEST_CORPUS])
    assert len(report.added) == len(list(TEST_CORPUS.glob("*.txt"))), report
    return index_dir


@pytest.mark.slow
@pytest.mark.parametrize(("split", "dataset"), [("dev", "corpus_qa.jsonl"), ("test", "test_qa.jsonl")])
def test_default_configuration_meets_the_gate(
    split: str, dataset: str, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fixture = "corpus_index_dir" if split == "dev" else "test_split_index_dir"
    monkeypatch.setenv("RAG_INDEX_DIR", str(request.getfixturevalue(fixture)))
    path = DATASETS / dataset
    out = tmp_path / "report"
    arguments = ["eval", str(path), "--out", str(out)]
    for flag, value in GATES[split].items():
        arguments += [flag, value]
    result = CliRunner().invoke(app, arguments)
    print(result.output)  # the summary table, in the CI log
    assert (out / "report.md").is_file() and (out / "report.json").is_file()
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert len(report["records"]) == sum(1 for line in path.open(encoding="utf-8") if line.strip())
    assert "wrong" in report["metrics"]["overall"]
    assert result.exit_code == 0, result.output
