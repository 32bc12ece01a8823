"""The CI quality gate: the full evaluation set must not fall below today's figures.

The thresholds sit a few items under what the default configuration (hybrid retrieval, extractive
backend) measured when they were last raised; a change that makes answers worse fails CI. The same
gate from the shell (see README, "Evaluation"):

    rag eval eval/datasets/corpus_qa.jsonl --out eval-report --min-accuracy ... (values below)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rag.cli import app
from rag.settings import PROJECT_ROOT

DATASET = PROJECT_ROOT / "eval" / "datasets" / "corpus_qa.jsonl"
GATE = {
    "--min-accuracy": "0.78",
    "--min-refusal": "0.72",
    "--min-citation": "0.91",
    "--min-hit5": "0.95",
    "--max-false-refusal": "0.08",
}


def test_default_configuration_meets_the_gate(
    corpus_index_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RAG_INDEX_DIR", str(corpus_index_dir))
    out = tmp_path / "report"
    arguments = ["eval", str(DATASET), "--out", str(out)]
    for flag, value in GATE.items():
        arguments += [flag, value]
    result = CliRunner().invoke(app, arguments)
    print(result.output)  # the summary table, in the CI log
    assert (out / "report.md").is_file() and (out / "report.json").is_file()
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert len(report["records"]) == sum(1 for line in DATASET.open(encoding="utf-8") if line.strip())
    assert result.exit_code == 0, result.output
