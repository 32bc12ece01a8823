"""The CI quality gate, on every split: the development set, the test split, the holdout and the
ten splits of development documents (dev-docs … dev-docs10: unseen documents the rules may be
written from; dev-docs3 was not read in round 7, which added it, dev-docs4 not in round 8,
dev-docs5 not in round 9, dev-docs6 not in round 10, dev-docs8 not in round 11, dev-docs9's
questions not in round 12 and dev-docs10's not in round 13).

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
HOLDOUT_CORPUS = PROJECT_ROOT / "eval" / "holdout_corpus"
DEV_DOCS_CORPUS = PROJECT_ROOT / "eval" / "dev_corpus"
DEV_DOCS2_CORPUS = PROJECT_ROOT / "eval" / "dev_corpus2"
DEV_DOCS3_CORPUS = PROJECT_ROOT / "eval" / "dev_corpus3"
DEV_DOCS4_CORPUS = PROJECT_ROOT / "eval" / "dev_corpus4"
DEV_DOCS5_CORPUS = PROJECT_ROOT / "eval" / "dev_corpus5"
DEV_DOCS6_CORPUS = PROJECT_ROOT / "eval" / "dev_corpus6"
DEV_DOCS7_CORPUS = PROJECT_ROOT / "eval" / "dev_corpus7"
DEV_DOCS8_CORPUS = PROJECT_ROOT / "eval" / "dev_corpus8"
DEV_DOCS9_CORPUS = PROJECT_ROOT / "eval" / "dev_corpus9"
DEV_DOCS10_CORPUS = PROJECT_ROOT / "eval" / "dev_corpus10"
GATES = {
    "dev": {
        "--max-wrong": "0.035",
        "--min-short": "0.87",
        "--min-accuracy": "0.91",
        "--min-refusal": "0.88",
        "--min-citation": "0.95",
        "--min-hit5": "0.96",
        "--max-false-refusal": "0.065",
    },
    "test": {
        "--max-wrong": "0.045",
        "--min-short": "0.87",
        "--min-accuracy": "0.90",
        "--min-refusal": "0.93",
        "--min-citation": "0.93",
        "--min-hit5": "0.97",
        "--max-false-refusal": "0.065",
    },
    # 54 questions over 6 more documents, written after the rules of round 5 (see README): a looser
    # gate, since one question is almost two points here
    "holdout": {
        "--max-wrong": "0.12",
        "--min-short": "0.70",
        "--min-accuracy": "0.74",
        "--min-refusal": "0.6",
        "--min-citation": "0.9",
        "--min-hit5": "0.95",
        "--max-false-refusal": "0.17",
    },
    # 189 questions over 12 short documents nobody on the team had read, added in round 6 as
    # development material: gated where it stands, so that a rule for one split cannot undo it
    "dev-docs": {
        "--max-wrong": "0.11",
        "--min-short": "0.65",
        "--min-accuracy": "0.77",
        "--min-refusal": "0.68",
        "--min-citation": "0.94",
        "--min-hit5": "0.97",
        "--max-false-refusal": "0.15",
    },
    # 210 questions over 12 more unseen documents, added late in round 6 (its first run measured
    # round 6's rules before any were written from it): gated where it stands
    "dev-docs2": {
        "--max-wrong": "0.16",
        "--min-short": "0.55",
        "--min-accuracy": "0.71",
        "--min-refusal": "0.68",
        "--min-citation": "0.87",
        "--min-hit5": "0.94",
        "--max-false-refusal": "0.18",
    },
    # 216 questions over 12 more unseen documents, added in round 7 and not read while that round's
    # rules were written (its first run measured round 6's code); studied in round 8: gated where
    # it stands
    "dev-docs3": {
        "--max-wrong": "0.10",
        "--min-short": "0.65",
        "--min-accuracy": "0.75",
        "--min-refusal": "0.87",
        "--min-citation": "0.90",
        "--min-hit5": "0.95",
        "--max-false-refusal": "0.18",
    },
    # 241 questions over 12 more unseen documents, added in round 8 and not read while the round's
    # rules were written; studied in round 9: gated where it stands
    "dev-docs4": {
        "--max-wrong": "0.125",
        "--min-short": "0.60",
        "--min-accuracy": "0.73",
        "--min-refusal": "0.9",
        "--min-citation": "0.86",
        "--min-hit5": "0.93",
        "--max-false-refusal": "0.185",
    },
    # 312 questions over 12 more unseen documents, added in round 9 and not read while the round's
    # rules were written; studied in round 10: gated where it stands
    "dev-docs5": {
        "--max-wrong": "0.165",
        "--min-short": "0.62",
        "--min-accuracy": "0.72",
        "--min-refusal": "0.88",
        "--min-citation": "0.89",
        "--min-hit5": "0.94",
        "--max-false-refusal": "0.14",
    },
    # 318 questions over 12 more unseen documents, added in round 10 and not read while the round's
    # rules were written; studied in round 11: gated where it stands
    "dev-docs6": {
        "--max-wrong": "0.115",
        "--min-short": "0.69",
        "--min-accuracy": "0.75",
        "--min-refusal": "0.85",
        "--min-citation": "0.91",
        "--min-hit5": "0.95",
        "--max-false-refusal": "0.17",
    },
    # 327 questions over 12 more unseen documents, added in round 11 (its first run measured round
    # 10's code) and studied from the round's middle on: gated where it stands
    "dev-docs7": {
        "--max-wrong": "0.125",
        "--min-short": "0.59",
        "--min-accuracy": "0.70",
        "--min-refusal": "0.9",
        "--min-citation": "0.91",
        "--min-hit5": "0.97",
        "--max-false-refusal": "0.22",
    },
    # 319 questions over 12 more unseen documents, added late in round 11 and not read; studied in
    # round 12: gated where it stands
    "dev-docs8": {
        "--max-wrong": "0.175",
        "--min-short": "0.58",
        "--min-accuracy": "0.69",
        "--min-refusal": "0.87",
        "--min-citation": "0.91",
        "--min-hit5": "0.97",
        "--max-false-refusal": "0.17",
    },
    # 299 questions over 12 more unseen documents, added at the start of round 12 (its first run
    # measured round 11's code); its questions were not read in round 12, studied in round 13:
    # gated where it stands
    "dev-docs9": {
        "--max-wrong": "0.12",
        "--min-short": "0.62",
        "--min-accuracy": "0.72",
        "--min-refusal": "0.88",
        "--min-citation": "0.91",
        "--min-hit5": "0.97",
        "--max-false-refusal": "0.21",
    },
    # 319 questions over 12 more unseen documents, added at the start of round 13 (its first run
    # measured round 12's code); its questions were not read: gated where it stands
    "dev-docs10": {
        "--max-wrong": "0.20",
        "--min-short": "0.46",
        "--min-accuracy": "0.57",
        "--min-refusal": "0.81",
        "--min-citation": "0.89",
        "--min-hit5": "0.96",
        "--max-false-refusal": "0.29",
    },
}
#: split -> (dataset, its own corpus; None for the bundled corpus)
SPLITS = {
    "dev": ("corpus_qa.jsonl", None),
    "test": ("test_qa.jsonl", TEST_CORPUS),
    "holdout": ("holdout_qa.jsonl", HOLDOUT_CORPUS),
    "dev-docs": ("dev_docs_qa.jsonl", DEV_DOCS_CORPUS),
    "dev-docs2": ("dev_docs2_qa.jsonl", DEV_DOCS2_CORPUS),
    "dev-docs3": ("dev_docs3_qa.jsonl", DEV_DOCS3_CORPUS),
    "dev-docs4": ("dev_docs4_qa.jsonl", DEV_DOCS4_CORPUS),
    "dev-docs5": ("dev_docs5_qa.jsonl", DEV_DOCS5_CORPUS),
    "dev-docs6": ("dev_docs6_qa.jsonl", DEV_DOCS6_CORPUS),
    "dev-docs7": ("dev_docs7_qa.jsonl", DEV_DOCS7_CORPUS),
    "dev-docs8": ("dev_docs8_qa.jsonl", DEV_DOCS8_CORPUS),
    "dev-docs9": ("dev_docs9_qa.jsonl", DEV_DOCS9_CORPUS),
    "dev-docs10": ("dev_docs10_qa.jsonl", DEV_DOCS10_CORPUS),
}


def _split_index(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Path:
    """A folder holding the index of one split's documents."""
    index_dir = tmp_path_factory.mktemp(f"{corpus.name}-index")
    engine = Engine.open(Settings(index_dir=index_dir, corpus_dir=corpus), allow_empty=True)
    report = engine.index_paths([corpus])
    assert len(report.added) == len(list(corpus.glob("*.txt"))), report
    return index_dir


@pytest.fixture(scope="session")
def split_index_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, Path]:
    """Each split corpus's index, built once when first asked for."""
    return {}


@pytest.mark.slow
@pytest.mark.parametrize("split", list(SPLITS))
def test_default_configuration_meets_the_gate(
    split: str,
    request: pytest.FixtureRequest,
    split_index_dirs: dict[Path, Path],
    tmp_path_factory: pytest.TempPathFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dataset, corpus = SPLITS[split]
    if corpus is None:
        index_dir = request.getfixturevalue("corpus_index_dir")
    else:
        if corpus not in split_index_dirs:
            split_index_dirs[corpus] = _split_index(tmp_path_factory, corpus)
        index_dir = split_index_dirs[corpus]
    monkeypatch.setenv("RAG_INDEX_DIR", str(index_dir))
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
    if split in ISSUE_TARGET_SPLITS:
        assert _issue_targets_missed(report["metrics"]) == [], "issue 8's acceptance targets"


#: The splits on which issue 8's acceptance targets must hold (the development set and the test split).
ISSUE_TARGET_SPLITS = ("dev", "test")
#: Issue 8's acceptance targets: metric -> (bound, at least (True) or at most (False)).
ISSUE_TARGETS = {
    "wrong": (0.03, False),
    "short_holds": (0.85, True),
    "refusal_recall": (0.90, True),
    "false_refusal": (0.05, False),
}
ENGLISH_TARGET = 0.80
COMPARISON_TARGET = 0.60


def _issue_targets_missed(metrics: dict) -> list[str]:  # type: ignore[type-arg]
    """The acceptance targets a report's metrics miss: wrong ≤3%, short answer ≥85%, refusal of traps
    ≥90%, false refusals ≤5%, English ≥80%, comparisons and totals together ≥60% (when the split
    has any)."""
    missed = []
    for name, (bound, at_least) in ISSUE_TARGETS.items():
        value = metrics["overall"][name]["value"]
        if (value < bound) if at_least else (value > bound):
            missed.append(f"{name} {value:.3f}")
    english = metrics["by_lang"].get("en")
    if english and english["accuracy"]["value"] < ENGLISH_TARGET:
        missed.append(f"English {english['accuracy']['value']:.3f}")
    combined = [metrics["by_type"][kind]["accuracy"] for kind in ("comparison", "total") if kind in metrics["by_type"]]
    if combined:
        share = sum(a["numerator"] for a in combined) / sum(a["denominator"] for a in combined)
        if share < COMPARISON_TARGET:
            missed.append(f"comparisons and totals {share:.3f}")
    return missed


def test_the_issue_targets_are_checked_on_a_report_built_in_the_test() -> None:
    def metric(value: float, numerator: float = 0.0, denominator: int = 1) -> dict:  # type: ignore[type-arg]
        return {"value": value, "numerator": numerator, "denominator": denominator}

    good = {
        "overall": {"wrong": metric(0.025), "short_holds": metric(0.886), "refusal_recall": metric(1.0),
                    "false_refusal": metric(0.048)},
        "by_lang": {"en": {"accuracy": metric(0.87)}},
        "by_type": {"comparison": {"accuracy": metric(1.0, 13, 13)}, "total": {"accuracy": metric(0.857, 6, 7)}},
    }
    assert _issue_targets_missed(good) == []
    bad = json.loads(json.dumps(good))
    bad["overall"]["wrong"] = metric(0.0303)
    bad["by_lang"]["en"]["accuracy"] = metric(0.774)
    bad["by_type"]["total"]["accuracy"] = metric(0.0, 0, 30)
    assert _issue_targets_missed(bad) == ["wrong 0.030", "English 0.774", "comparisons and totals 0.302"]
