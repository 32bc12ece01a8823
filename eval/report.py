"""Writing evaluation results for people: ``report.json`` (every fact), ``report.md`` (to read)
and ``report.html`` (the same with charts, ``eval.html_report``).

``report.md`` is for QA staff who do not code: a summary table, the breakdowns by question type
and language, then every failure with the question, what was expected, what the system said and
the text of the passages it cited -- enough to judge a failure without opening any other file.
``report.json`` holds the same run in full for tools and for diffing two runs.
Comparison tables (several configurations side by side) are written here too.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from eval.metrics import METRICS, Metrics, MetricSpec, MetricsReport, Ratio, summarize
from eval.records import ItemRecord, RunResult

__all__ = [
    "breakdown_table",
    "compare_table",
    "failures",
    "format_metric",
    "refusal_label",
    "refusals_table",
    "render_markdown",
    "report_data",
    "summary_table",
    "write_compare",
    "write_report",
]

_PASSAGE_CHARS = 600  # cited passages longer than this are cut in report.md (report.json has all)


def format_metric(metrics: Metrics, spec: MetricSpec, *, counts: bool = False) -> str:
    """One figure as shown to people: rates in percent, MRR as a fraction, latency in ms, — for n/a."""
    attribute = getattr(metrics, spec.key)
    value = attribute.value if isinstance(attribute, Ratio) else attribute
    if value is None:
        return "—"
    if spec.is_latency:
        return f"{value:,.0f} ms"
    text = f"{value:.3f}" if spec.key == "mrr" else f"{value * 100:.1f}%"
    if counts and isinstance(attribute, Ratio) and spec.key != "mrr":
        text += f" ({attribute.numerator:g}/{attribute.denominator})"
    return text


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table (also readable as plain text in a terminal)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def summary_table(metrics: Metrics) -> str:
    """Every metric of one run: value, counts, and which items it is computed on."""
    rows = [[spec.label, format_metric(metrics, spec, counts=True), spec.counted_on] for spec in METRICS]
    return f"Items evaluated: {metrics.items}\n\n" + _table(["Metric", "Value", "Counted on"], rows)


def breakdown_table(groups: dict[str, Metrics], title: str) -> str:
    """One row per group (question type or language), one column per metric."""
    header = [title, "Items", *(spec.label for spec in METRICS)]
    rows = [[name, str(m.items), *(format_metric(m, spec) for spec in METRICS)] for name, m in groups.items()]
    return _table(header, rows)


def refusal_label(record: ItemRecord) -> str:
    """A refusal as the report names it: ``refused (missing_entity: 齐齐哈尔)``, from the structured
    reason the backend gave (never from the wording of its answer)."""
    if not record.refused:
        return ""
    if not record.refusal_reason:
        return "refused (no reason given)"
    missing = "、".join(record.refusal_missing)
    return f"refused ({record.refusal_reason}: {missing})" if missing else f"refused ({record.refusal_reason})"


def refusals_table(records: Sequence[ItemRecord]) -> str:
    """Refused items by reason: how many, how many of those were right to refuse (unanswerable
    items) and how many were false refusals (the documents contain the answer)."""
    counts: dict[str, list[int]] = {}
    for record in records:
        if not record.refused or record.error:
            continue
        row = counts.setdefault(record.refusal_reason or "(no reason given)", [0, 0, 0])
        row[0] += 1
        row[1 if not record.answerable else 2] += 1
    if not counts:
        return "No refusals."
    rows = [
        [reason, str(total), str(right), str(wrong)]
        for reason, (total, right, wrong) in sorted(counts.items(), key=lambda kv: (-kv[1][0], kv[0]))
    ]
    return _table(["Reason", "Refused", "Unanswerable (correct)", "Answerable (false refusal)"], rows)


def failures(records: Sequence[ItemRecord]) -> list[ItemRecord]:
    """The records whose answer is graded wrong, in dataset order."""
    return [record for record in records if not record.correct]


def _failure_kind(record: ItemRecord) -> str:
    if record.error:
        return "question rejected"
    if not record.answerable:
        return "should have refused"
    if record.refused:
        return "refused, but the documents contain the answer"
    if record.short_answer and record.short_holds is False:
        return "wrong short answer"
    return "wrong answer"


def _quote(text: str) -> str:
    flat = " ".join(text.split())
    cut = flat[:_PASSAGE_CHARS] + ("…" if len(flat) > _PASSAGE_CHARS else "")
    return "> " + cut


def _retrieval_line(record: ItemRecord) -> str:
    if record.reciprocal_rank is None:
        return ""
    if record.reciprocal_rank:
        return f"- **Retrieval:** the evidence passage was found at rank {round(1 / record.reciprocal_rank)} of 5"
    return "- **Retrieval:** the evidence passage was not among the top 5 passages"


def _failure_section(record: ItemRecord) -> str:
    """One failure, self-contained: question, expected, got, evidence and the cited passages."""
    lines = [f"### {record.id} — {_failure_kind(record)} ({record.type}, {record.lang})", ""]
    for turn in record.history:
        speaker = "Earlier question" if turn["role"] == "user" else "Earlier answer"
        lines.append(f"- **{speaker}:** {' '.join(turn['content'].split())}")
    lines.append(f"- **Question:** {record.question}")
    if record.resolved_question and record.resolved_question != record.question:
        lines.append(f"- **Understood as:** {record.resolved_question}")
    joiner = " **and** " if record.match == "all" else " or "
    expected = joiner.join(record.expected) if record.expected else "a refusal (the documents do not contain this)"
    lines.append(f"- **Expected:** {expected}")
    if record.error:
        got = f"error: {record.error}"
    elif record.refused:
        got = f"{refusal_label(record)} — {' '.join(record.answer.split())}"
    else:
        short = f"{record.short_answer} — " if record.short_answer else ""
        got = short + " ".join(record.answer.split())
    lines.append(f"- **Got:** {got}")
    if record.evidence:
        lines.append(f"- **Evidence in the documents:** {record.evidence}")
    retrieval = _retrieval_line(record)
    if retrieval:
        lines.append(retrieval)
    if record.citations:
        lines += ["", "Cited passages:", ""]
        for citation in record.citations:
            lines.append(f"**[{citation['n']}]** {citation['title']} ({citation['doc']} @{citation['start']}-{citation['end']})")
            lines += ["", _quote(str(citation["text"])), ""]
    else:
        lines += ["", "Cited passages: none", ""]
    return "\n".join(lines).rstrip() + "\n"


def _unsupported_section(records: Sequence[ItemRecord]) -> list[str]:
    """Correct answers whose citations do not hold the evidence or the figure (listed briefly)."""
    unsupported = [r for r in records if r.correct and r.citation_ok is False]
    if not unsupported:
        return []
    lines = ["## Correct answers with unsupported citations", ""]
    lines += [f"- {r.id}: {r.question} — cited {', '.join(str(c['doc']) for c in r.citations) or 'nothing'}" for r in unsupported]
    return lines + [""]


def render_markdown(run: RunResult, metrics: MetricsReport, dataset: str) -> str:
    """The whole ``report.md`` text."""
    wrong = failures(run.records)
    settings = run.settings
    lines = [
        f"# Evaluation report — {run.label}",
        "",
        f"- Dataset: `{dataset}` ({len(run.records)} questions)",
        f"- Backend: {run.models.get('backend', '')} (answer model: {run.models.get('answer_model', 'none')}); "
        f"embedding model: {run.models.get('embedding', '')}",
        f"- Retrieval: {settings.get('retrieval_mode')}, top_k {settings.get('top_k')}",
        f"- Run: {run.started_at}, {run.duration_s:.0f} s",
        "",
        "## Summary",
        "",
        summary_table(metrics.overall),
        "",
        "## By question type",
        "",
        breakdown_table(metrics.by_type, "Type"),
        "",
        "## By language",
        "",
        breakdown_table(metrics.by_lang, "Language"),
        "",
        "## Refusals by reason",
        "",
        refusals_table(run.records),
        "",
        f"## Failures ({len(wrong)})",
        "",
        "Each failure shows the question, the expected answer, what the system answered and the text "
        "of the passages it cited. Grading rules: eval/GRADING.md.",
        "",
    ]
    lines += [_failure_section(record) for record in wrong] or ["No failures.", ""]
    lines += _unsupported_section(run.records)
    return "\n".join(lines).rstrip() + "\n"


def _record_data(record: ItemRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "type": record.type,
        "lang": record.lang,
        "question": record.question,
        "resolved_question": record.resolved_question,
        "history": record.history,
        "expected": record.expected,
        "match": record.match,
        "answer": record.answer,
        "short_answer": record.short_answer,
        "refused": record.refused,
        "refusal_reason": record.refusal_reason,
        "refusal_missing": record.refusal_missing,
        "backend": record.backend,
        "citations": record.citations,
        "retrieved": record.retrieved,
        "verdicts": record.verdicts(),
        "latency_ms": record.latency_ms,
        "error": record.error,
    }


def report_data(run: RunResult, metrics: MetricsReport, dataset: str) -> dict[str, Any]:
    """The whole ``report.json`` content."""
    return {
        "label": run.label,
        "started_at": run.started_at,
        "duration_s": run.duration_s,
        "dataset": {"path": dataset, "items": len(run.records)},
        "options": asdict(run.options),
        "settings": run.settings,
        "models": run.models,
        "metrics": metrics.to_dict(),
        "records": [_record_data(record) for record in run.records],
    }


def write_report(run: RunResult, dataset: str, out_dir: Path) -> MetricsReport:
    """Write ``report.json``, ``report.md`` and ``report.html`` into ``out_dir`` (created) and
    return the metrics."""
    from eval.html_report import render_html, write_html

    metrics = summarize(run.records)
    out_dir.mkdir(parents=True, exist_ok=True)
    data = report_data(run, metrics, dataset)
    (out_dir / "report.json").write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (out_dir / "report.md").write_text(render_markdown(run, metrics, dataset), encoding="utf-8")
    write_html(out_dir / "report.html", render_html(run, metrics, dataset))
    return metrics


def compare_table(runs: Sequence[tuple[str, Metrics]]) -> str:
    """Configurations side by side: one row per metric, one column per configuration.

    The best value of each metric (by its direction) is marked with ``*`` when the values differ.
    """
    header = ["Metric", *(name for name, _ in runs)]
    rows = [["Items", *(str(m.items) for _, m in runs)]]
    for spec in METRICS:
        values = [m.get(spec.key) for _, m in runs]
        known = [v for v in values if v is not None]
        best = (max(known) if spec.higher_is_better else min(known)) if len(set(known)) > 1 else None
        cells = [
            format_metric(m, spec) + (" *" if best is not None and v == best else "")
            for (_, m), v in zip(runs, values)
        ]
        rows.append([spec.label, *cells])
    return _table(header, rows)


def write_compare(runs: Sequence[tuple[str, RunResult, Metrics]], dataset: str, out_dir: Path) -> str:
    """Write ``compare.md``, ``compare.json`` and the comparison's ``report.html`` into ``out_dir``;
    returns the table."""
    from eval.html_report import render_compare_html, write_html

    table = compare_table([(name, metrics) for name, _, metrics in runs])
    out_dir.mkdir(parents=True, exist_ok=True)
    generated = datetime.now(timezone.utc).isoformat(timespec="seconds")
    text = "\n".join([
        "# Configuration comparison",
        "",
        f"- Dataset: `{dataset}` ({len(runs[0][1].records) if runs else 0} questions)",
        f"- Generated: {generated}",
        "- `*` marks the best value of each row. Each configuration's full report is in its own folder.",
        "",
        table,
        "",
        "## Configurations",
        "",
        *(
            f"- **{name}**: retrieval {run.settings.get('retrieval_mode')}, top_k {run.settings.get('top_k')}, "
            f"backend {run.models.get('backend')} — `{name}/report.md`"
            for name, run, _ in runs
        ),
    ])
    (out_dir / "compare.md").write_text(text + "\n", encoding="utf-8")
    data = {
        "dataset": {"path": dataset, "items": len(runs[0][1].records) if runs else 0},
        "generated_at": generated,
        "configs": [
            {"name": name, "options": asdict(run.options), "settings": run.settings, "models": run.models,
             "metrics": metrics.to_dict()}
            for name, run, metrics in runs
        ],
    }
    (out_dir / "compare.json").write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    write_html(out_dir / "report.html", render_compare_html(runs, dataset))
    return table
