"""A real evaluation run (``eval/harness.py`` and ``rag eval``) on a small subset of the dataset,
against a real engine over the bundled corpus (``corpus_engine`` from tests/conftest.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eval.harness import Harness, grade, retrieval_verdicts
from eval.items import EvalItem, load_items
from eval.metrics import summarize
from eval.records import RunResult
from rag.cli import app
from rag.engine import Engine
from rag.schema import Answer, Citation, Passage
from rag.settings import PROJECT_ROOT

DATASET = PROJECT_ROOT / "eval" / "datasets" / "corpus_qa.jsonl"
HARBIN = "hlj5y-01"  # 哈尔滨市对大工匠每人奖励多少钱？ -> 5万元
QIQIHAR = "na-01"  # 齐齐哈尔市对大工匠每人奖励多少钱？ -> must refuse
SUBSET = [HARBIN, QIQIHAR, "hlj5y-02", "hlj5y-03", "hebei-01", "natl-01", "fu-01", "hlj5y-39"]


@pytest.fixture(scope="module")
def subset_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Eight dataset lines: the Harbin item, the 齐齐哈尔 refusal, a follow-up, an English item, ..."""
    lines = {json.loads(line)["id"]: line for line in DATASET.read_text(encoding="utf-8").splitlines() if line.strip()}
    path = tmp_path_factory.mktemp("eval-subset") / "subset.jsonl"
    path.write_text("\n".join(lines[item_id] for item_id in SUBSET) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def run(corpus_engine: Engine, subset_file: Path) -> RunResult:
    return Harness(corpus_engine, progress=False).run(load_items(subset_file))


def _record(run: RunResult, item_id: str):  # type: ignore[no-untyped-def]
    return next(record for record in run.records if record.id == item_id)


def test_subset_covers_the_cases(run: RunResult) -> None:
    assert [record.id for record in run.records] == SUBSET
    types = {record.type for record in run.records}
    assert {"unanswerable", "followup"} <= types
    assert {record.lang for record in run.records} == {"zh", "en"}


def test_harbin_item_is_correct(run: RunResult) -> None:
    harbin = _record(run, HARBIN)
    assert harbin.correct and not harbin.refused
    assert harbin.short_exact is True
    assert harbin.citation_ok is True
    assert harbin.hit_at_5 is True and harbin.reciprocal_rank and harbin.reciprocal_rank > 0
    assert 0 < len(harbin.retrieved) <= 5
    assert harbin.latency_ms > 0


def test_qiqihar_refusal_counts_as_correct_refusal(run: RunResult) -> None:
    qiqihar = _record(run, QIQIHAR)
    assert qiqihar.refused and qiqihar.correct and qiqihar.refusal_ok
    assert qiqihar.hit_at_5 is None and qiqihar.reciprocal_rank is None  # no retrieval metrics
    metrics = summarize(run.records)
    assert metrics.overall.refusal_recall.denominator == 1
    assert metrics.overall.refusal_recall.value == 1.0
    assert metrics.by_type["unanswerable"].accuracy.value == 1.0


def test_follow_up_is_graded_on_the_resolved_question(run: RunResult) -> None:
    follow_up = _record(run, "fu-01")
    assert follow_up.history and follow_up.history[0]["role"] == "user"
    assert follow_up.resolved_question and follow_up.resolved_question != follow_up.question
    assert follow_up.hit_at_5 is not None


def test_run_describes_settings_and_models(run: RunResult, corpus_engine: Engine) -> None:
    assert run.models["embedding"] == corpus_engine.embedder.model_name
    assert run.models["backend"] == "extractive"
    assert run.settings["retrieval_mode"] == "hybrid" and run.settings["top_k"] == 5
    assert "openai_api_key" not in run.settings and "api_keys" not in run.settings
    summary = summarize(run.records).overall
    assert summary.items == len(SUBSET)


def test_grade_and_retrieval_verdicts_without_engine() -> None:
    item = EvalItem(id="x", question="q", answers=("5万元",), lang="zh", type="amount", evidence="提高到5万元。")
    miss = Passage(chunk_id="d#1", doc="d", title="t", text="别的内容", start=0, end=4, score=1.0)
    hit = miss.model_copy(update={"chunk_id": "d#2", "text": "由每人奖励1万元提高到5万元。"})
    assert retrieval_verdicts([miss, hit], item.evidence) == (False, True, 0.5)
    assert retrieval_verdicts([miss] * 5 + [hit], item.evidence) == (False, False, 0.0)  # only the top 5 count
    citation = Citation(n=1, doc="d", title="t", text=hit.text, start=0, end=10, score=1.0)
    answer = Answer(question="q", answer="5万元[1]", short_answer="5万", citations=[citation])
    record = grade(item, answer, [hit, miss])
    assert record.correct and record.short_exact and record.citation_ok and record.hit_at_1
    assert record.retrieved == ["d#2", "d#1"]
    refusal = grade(item, Answer(question="q", answer="资料中未找到", refused=True, citations=[citation]), [miss])
    assert not refusal.correct and refusal.citation_ok is None and refusal.reciprocal_rank == 0.0


class TestCommand:
    """``rag eval`` exit codes on the subset, with the session's corpus index."""

    @pytest.fixture()
    def cli(self, corpus_index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
        monkeypatch.setenv("RAG_INDEX_DIR", str(corpus_index_dir))
        monkeypatch.delenv("RAG_CONFIG", raising=False)
        return CliRunner()

    def test_unmet_threshold_exits_1(self, cli: CliRunner, subset_file: Path, tmp_path: Path) -> None:
        result = cli.invoke(app, ["eval", str(subset_file), "--out", str(tmp_path), "--min-accuracy", "1.01"])
        assert result.exit_code == 1, result.output
        assert "| Answer accuracy |" in result.output
        assert "Answer accuracy" in result.output.split("threshold not met:", 1)[1]
        report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
        assert len(report["records"]) == len(SUBSET)
        assert (tmp_path / "report.md").is_file()

    def test_zero_thresholds_exit_0(self, cli: CliRunner, subset_file: Path, tmp_path: Path) -> None:
        gates = ["--min-accuracy", "0", "--min-refusal", "0", "--min-citation", "0", "--min-hit5", "0",
                 "--max-false-refusal", "1"]  # the loosest bound of a maximum is 1
        result = cli.invoke(app, ["eval", str(subset_file), "--out", str(tmp_path), *gates])
        assert result.exit_code == 0, result.output
        assert "all thresholds met" in result.output

    def test_compare_writes_side_by_side_table(self, cli: CliRunner, subset_file: Path, tmp_path: Path) -> None:
        result = cli.invoke(app, ["eval", str(subset_file), "--out", str(tmp_path), "--limit", "3",
                                  "--compare", "bm25", "dense", "hybrid-top3"])
        assert result.exit_code == 0, result.output
        assert "| Metric | bm25 | dense | hybrid-top3 |" in result.output
        assert "| Metric | bm25 | dense | hybrid-top3 |" in (tmp_path / "compare.md").read_text(encoding="utf-8")
        data = json.loads((tmp_path / "compare.json").read_text(encoding="utf-8"))
        assert [c["name"] for c in data["configs"]] == ["bm25", "dense", "hybrid-top3"]
        assert data["configs"][2]["settings"]["top_k"] == 3
        assert (tmp_path / "dense" / "report.md").is_file()

    def test_csv_and_xlsx_datasets_give_the_jsonl_figures(self, cli: CliRunner, subset_file: Path,
                                                           tmp_path: Path) -> None:
        from eval.items import write_items_table

        figures = {}
        for suffix in (".jsonl", ".csv", ".xlsx"):
            dataset = subset_file
            if suffix != ".jsonl":
                dataset = tmp_path / f"subset{suffix}"
                write_items_table(load_items(subset_file), dataset)
            out = tmp_path / suffix.lstrip(".")
            result = cli.invoke(app, ["eval", str(dataset), "--out", str(out)])
            assert result.exit_code == 0, result.output
            metrics = json.loads((out / "report.json").read_text(encoding="utf-8"))["metrics"]
            for group in (metrics["overall"], *metrics["by_type"].values(), *metrics["by_lang"].values()):
                for latency in ("latency_p50_ms", "latency_p95_ms", "latency_mean_ms"):
                    group.pop(latency, None)  # timings differ run to run; every graded figure must not
            figures[suffix] = metrics
        assert figures[".csv"] == figures[".jsonl"] == figures[".xlsx"]
        assert figures[".jsonl"]["overall"]["items"] == len(SUBSET)

    def test_bad_input_exits_2(self, cli: CliRunner, tmp_path: Path) -> None:
        missing = cli.invoke(app, ["eval", str(tmp_path / "missing.jsonl")])
        assert missing.exit_code == 2
        assert "no such dataset file" in missing.output
        broken = tmp_path / "broken.jsonl"
        broken.write_text('{"id": "a", "question": "q"}\n', encoding="utf-8")
        bad_line = cli.invoke(app, ["eval", str(broken)])
        assert bad_line.exit_code == 2
        assert f"{broken}:1: missing field" in bad_line.output
        unknown = cli.invoke(app, ["eval", str(DATASET), "--compare", "bm25", "no-such-config"])
        assert unknown.exit_code == 2
        assert "no-such-config" in unknown.output
