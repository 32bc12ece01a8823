"""``report.html``: the evaluation as a page to look at, self-contained (no network, no script).

QA staff and managers open the report in a browser, often on a machine without internet, so every
chart is inline SVG drawn here and every style is inline: the file can be mailed or archived and
still renders. Charts:

* accuracy / wrong / refused per question type and per language (grouped bars, shares of items);
* the latency histogram of all items;
* with ``--compare``: the configurations side by side (the top-level ``report.html``), each
  configuration's full page in its own folder;
* then the failure table with what was expected, what was said and the cited passages.

Every chart is an ``<svg class="chart" data-chart=NAME>`` whose bars carry ``data-value``, so a
test (and a curious reader's inspector) can check what was drawn.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from pathlib import Path

from eval.metrics import Metrics, MetricsReport
from eval.records import ItemRecord, RunResult
from rag.tables import write_file_atomically

__all__ = ["group_shares", "latency_bins", "render_compare_html", "render_html", "write_html"]

#: (key, label, colour) of the bars per group.
SERIES = (("accuracy", "正确 accuracy", "#2e7d32"), ("wrong", "答错 wrong", "#c62828"),
          ("refused", "拒答 refused", "#9e9e9e"))
#: Rate metrics shown in the comparison chart.
COMPARED = (("accuracy", "accuracy"), ("wrong", "wrong"), ("refusal_recall", "refusal recall"),
            ("false_refusal", "false refusal"), ("citation", "citation"), ("hit_at_5", "hit@5"))
PALETTE = ("#1565c0", "#ef6c00", "#6a1b9a", "#00838f", "#558b2f", "#ad1457", "#4e342e", "#37474f")
_PASSAGE_CHARS = 600

STYLE = """
body{font-family:system-ui,-apple-system,"Noto Sans CJK SC","WenQuanYi Zen Hei",sans-serif;margin:2rem;color:#222}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem}
table{border-collapse:collapse;font-size:.9rem;margin:.5rem 0}
td,th{border:1px solid #ccc;padding:.3rem .5rem;vertical-align:top;text-align:left}
th{background:#f3f3f3}.num{text-align:right}
.chart text{font-size:12px;fill:#333}.legend span{display:inline-block;margin-right:1rem}
.swatch{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:middle}
blockquote{margin:.3rem 0;padding:.2rem .6rem;border-left:3px solid #bbb;color:#444;font-size:.85rem}
details summary{cursor:pointer}.muted{color:#777}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _page(title: str, body: list[str]) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"zh\"><head><meta charset=\"utf-8\">"
            f"<title>{_e(title)}</title><style>{STYLE}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")


# ------------------------------------------------------------------ figures


def group_shares(records: Sequence[ItemRecord], key: str) -> dict[str, dict[str, float]]:
    """Per value of ``key`` (``type`` or ``lang``): the share of items correct, answered but wrong,
    and refused, plus the item count ``n``; in order of first appearance."""
    groups: dict[str, list[ItemRecord]] = {}
    for record in records:
        groups.setdefault(str(getattr(record, key)), []).append(record)
    return {
        name: {
            "n": len(members),
            "accuracy": sum(r.correct for r in members) / len(members),
            "wrong": sum(r.wrong for r in members) / len(members),
            "refused": sum(r.refused for r in members) / len(members),
        }
        for name, members in groups.items()
    }


def latency_bins(latencies: Sequence[float], bins: int = 12) -> list[tuple[float, float, int]]:
    """(low, high, count) of equal-width bins over the latencies (ms); empty for no latencies."""
    if not latencies:
        return []
    low, high = min(latencies), max(latencies)
    if math.isclose(low, high):
        return [(low, high, len(latencies))]
    width = (high - low) / bins
    counts = [0] * bins
    for value in latencies:
        counts[min(int((value - low) / width), bins - 1)] += 1
    return [(low + i * width, low + (i + 1) * width, count) for i, count in enumerate(counts)]


# ------------------------------------------------------------------ charts


def _legend(series: Sequence[tuple[str, str]]) -> str:
    spans = "".join(f'<span><i class="swatch" style="background:{colour}"></i>{_e(label)}</span>'
                    for label, colour in series)
    return f'<div class="legend">{spans}</div>'


def grouped_bars(name: str, groups: dict[str, dict[str, float]],
                 series: Sequence[tuple[str, str, str]], *, percent: bool = True) -> str:
    """A vertical grouped bar chart: one cluster per group, one bar per series (values 0-1 when
    ``percent``)."""
    bar, gap, top, bottom, left, plot_h = 18, 26, 20, 56, 44, 200
    cluster = bar * len(series)
    width = left + max(1, len(groups)) * (cluster + gap) + gap
    height = top + plot_h + bottom
    scale = 1.0 if percent else max([v[s[0]] for v in groups.values() for s in series] + [1e-9])
    parts = [f'<svg class="chart" data-chart="{_e(name)}" xmlns="http://www.w3.org/2000/svg" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">']
    for tick in range(0, 5):
        y = top + plot_h - plot_h * tick / 4
        label = f"{25 * tick}%" if percent else f"{scale * tick / 4:,.0f}"
        parts.append(f'<line x1="{left}" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e0e0e0"/>'
                     f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{label}</text>')
    for index, (group, values) in enumerate(groups.items()):
        x0 = left + gap + index * (cluster + gap)
        for offset, (key, label, colour) in enumerate(series):
            value = values[key]
            h = plot_h * value / scale
            x, y = x0 + offset * bar, top + plot_h - h
            shown = f"{value * 100:.1f}%" if percent else f"{value:,.0f}"
            parts.append(f'<rect class="bar" data-group="{_e(group)}" data-series="{_e(key)}" '
                         f'data-value="{value:.4f}" x="{x}" y="{y:.1f}" width="{bar - 2}" height="{h:.1f}" '
                         f'fill="{colour}"><title>{_e(group)} · {_e(label)}: {shown}</title></rect>')
        count = f" ({int(values['n'])})" if "n" in values else ""
        parts.append(f'<text x="{x0 + cluster / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle">'
                     f'{_e(group)}</text><text class="muted" x="{x0 + cluster / 2:.1f}" y="{top + plot_h + 30}" '
                     f'text-anchor="middle">{_e(count.strip())}</text>')
    parts.append(f'<line x1="{left}" x2="{width}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#555"/></svg>')
    return "".join(parts) + _legend([(label, colour) for _, label, colour in series])


def histogram(name: str, bins: list[tuple[float, float, int]]) -> str:
    """A histogram of counts per bin, labelled with the bins' lower bounds in ms."""
    bar, top, bottom, left, plot_h = 34, 20, 44, 40, 180
    width = left + max(1, len(bins)) * bar + 20
    height = top + plot_h + bottom
    peak = max([count for _, _, count in bins] + [1])
    parts = [f'<svg class="chart" data-chart="{_e(name)}" xmlns="http://www.w3.org/2000/svg" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">']
    for index, (low, high, count) in enumerate(bins):
        h = plot_h * count / peak
        x, y = left + index * bar, top + plot_h - h
        parts.append(f'<rect class="bar" data-value="{count}" data-low="{low:.1f}" data-high="{high:.1f}" '
                     f'x="{x}" y="{y:.1f}" width="{bar - 3}" height="{h:.1f}" fill="#1565c0">'
                     f'<title>{low:,.0f}–{high:,.0f} ms: {count}</title></rect>')
        if count:
            parts.append(f'<text x="{x + (bar - 3) / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle">{count}</text>')
        parts.append(f'<text x="{x}" y="{top + plot_h + 16}" transform="rotate(35 {x} {top + plot_h + 16})">'
                     f'{low:,.0f}</text>')
    parts.append(f'<text x="{left - 4}" y="{top + 4}" text-anchor="end">{peak}</text>'
                 f'<line x1="{left}" x2="{width}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#555"/></svg>')
    return "".join(parts) + '<div class="muted">ms (lower bound of each bin) · items per bin</div>'


# ------------------------------------------------------------------ tables


def _summary_rows(metrics: Metrics) -> str:
    from eval.metrics import METRICS
    from eval.report import format_metric

    rows = "".join(f"<tr><td>{_e(spec.label)}</td><td class=\"num\">{_e(format_metric(metrics, spec, counts=True))}"
                   f"</td><td class=\"muted\">{_e(spec.counted_on)}</td></tr>" for spec in METRICS)
    return f'<table class="summary"><tr><th>Metric</th><th>Value</th><th>Counted on</th></tr>{rows}</table>'


def _got(record: ItemRecord) -> str:
    from eval.report import refusal_label

    if record.error:
        return f"error: {record.error}"
    if record.refused:
        return f"{refusal_label(record)} — {record.answer}"
    return (f"{record.short_answer} — " if record.short_answer else "") + record.answer


def _failure_rows(records: Sequence[ItemRecord]) -> str:
    from eval.report import _failure_kind, failures

    wrong = failures(records)
    if not wrong:
        return "<p>No failures.</p>"
    rows = []
    for record in wrong:
        question = _e(record.question)
        if record.resolved_question and record.resolved_question != record.question:
            question += f'<div class="muted">understood as: {_e(record.resolved_question)}</div>'
        joiner = " and " if record.match == "all" else " or "
        expected = joiner.join(record.expected) if record.expected else "a refusal"
        passages = "".join(
            f"<details><summary>[{_e(c.get('n'))}] {_e(c.get('title'))} ({_e(c.get('doc'))} "
            f"@{_e(c.get('start'))}-{_e(c.get('end'))})</summary>"
            f"<blockquote>{_e(' '.join(str(c.get('text', '')).split())[:_PASSAGE_CHARS])}</blockquote></details>"
            for c in record.citations
        ) or '<span class="muted">none</span>'
        rows.append(f'<tr class="failure" data-id="{_e(record.id)}"><td>{_e(record.id)}</td><td>{_e(record.type)}'
                    f"</td><td>{_e(record.lang)}</td><td>{_e(_failure_kind(record))}</td><td>{question}</td>"
                    f"<td>{_e(expected)}</td><td>{_e(_got(record))}</td><td>{passages}</td></tr>")
    head = ("<tr><th>id</th><th>type</th><th>lang</th><th>failure</th><th>question</th><th>expected</th>"
            "<th>got</th><th>cited passages</th></tr>")
    return f'<table class="failures">{head}{"".join(rows)}</table>'


# ------------------------------------------------------------------ pages


def render_html(run: RunResult, metrics: MetricsReport, dataset: str) -> str:
    """The ``report.html`` of one run."""
    from eval.report import failures

    records = run.records
    latencies = [r.latency_ms for r in records if not r.error]
    body = [
        f"<h1>Evaluation report — {_e(run.label)}</h1>",
        f'<p>Dataset <code>{_e(dataset)}</code> ({len(records)} questions) · backend '
        f'{_e(run.models.get("backend", ""))} · retrieval {_e(run.settings.get("retrieval_mode"))}, top_k '
        f'{_e(run.settings.get("top_k"))} · run {_e(run.started_at)}, {run.duration_s:.0f} s</p>',
        "<h2>Summary</h2>", _summary_rows(metrics.overall),
        "<h2>By question type</h2>", grouped_bars("by-type", group_shares(records, "type"), SERIES),
        "<h2>By language</h2>", grouped_bars("by-language", group_shares(records, "lang"), SERIES),
        "<h2>Latency</h2>", histogram("latency", latency_bins(latencies)),
        f"<h2>Failures ({len(failures(records))})</h2>",
        "<p>Grading rules: eval/GRADING.md. Click a passage to read it.</p>", _failure_rows(records),
    ]
    return _page(f"Evaluation report — {run.label}", body)


def render_compare_html(runs: Sequence[tuple[str, RunResult, Metrics]], dataset: str) -> str:
    """The top-level ``report.html`` of ``--compare``: configurations side by side, with links to
    each configuration's own page."""
    colours = [PALETTE[i % len(PALETTE)] for i in range(len(runs))]
    series = [(name, name, colour) for (name, _, _), colour in zip(runs, colours, strict=True)]
    groups = {label: {name: (metrics.get(key) or 0.0) for name, _, metrics in runs} for key, label in COMPARED
              if any(metrics.get(key) is not None for _, _, metrics in runs)}  # n/a everywhere: no bars
    latency = {label: {name: (metrics.get(key) or 0.0) for name, _, metrics in runs}
               for key, label in (("latency_p50_ms", "p50"), ("latency_p95_ms", "p95"))}
    links = "".join(f'<li><a href="{_e(name)}/report.html">{_e(name)}</a>: backend {_e(run.models.get("backend"))}, '
                    f'retrieval {_e(run.settings.get("retrieval_mode"))}, top_k {_e(run.settings.get("top_k"))}</li>'
                    for name, run, _ in runs)
    items = len(runs[0][1].records) if runs else 0
    body = [
        "<h1>Configuration comparison</h1>",
        f"<p>Dataset <code>{_e(dataset)}</code> ({items} questions)</p>",
        "<h2>Quality by configuration</h2>", grouped_bars("compare", groups, series),
        "<h2>Latency by configuration (ms)</h2>", grouped_bars("compare-latency", latency, series, percent=False),
        "<h2>Configurations</h2>", f"<ul>{links}</ul>",
    ]
    return _page("Configuration comparison", body)


def write_html(path: Path, text: str) -> None:
    """Write the page atomically (a reader never opens half a report)."""
    write_file_atomically(path, text.encode("utf-8"))
