"""``report.html`` (``eval/html_report.py``): self-contained, with charts holding the run's figures,
checked as data and rendered in a real headless Chromium (Debian's ``chromium``)."""

from __future__ import annotations

import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from eval.html_report import group_shares, latency_bins
from eval.metrics import summarize
from eval.records import ItemRecord, RunOptions, RunResult
from eval.report import write_compare, write_report

PASSAGE = "哈尔滨市大工匠由每年评选10人增加到50人，由每人奖励1万元提高到5万元。"


def _record(item_id: str, kind: str, lang: str, *, correct: bool, refused: bool = False,
            latency: float = 100.0) -> ItemRecord:
    return ItemRecord(
        id=item_id, type=kind, lang=lang, answerable=True, question=f"问题 {item_id}<b>", expected=["5万元"],
        answer="每人奖励5万元。[1]" if not refused else "资料中未找到。", short_answer=None, correct=correct,
        wrong=not correct and not refused, refused=refused,
        refusal={"reason": "weak_evidence", "missing": []} if refused else None,
        citations=[{"n": 1, "doc": "000.txt", "title": "龙江纪实", "start": 3, "end": 40, "text": PASSAGE}],
        latency_ms=latency,
    )


def _run(label: str = "hybrid") -> RunResult:
    records = [
        _record("a-1", "amount", "zh", correct=True, latency=20),
        _record("a-2", "amount", "zh", correct=False, latency=40),
        _record("a-3", "amount", "en", correct=False, refused=True, latency=60),
        _record("c-1", "count", "en", correct=True, latency=400),
    ]
    return RunResult(label=label, options=RunOptions(), records=records,
                     settings={"retrieval_mode": "hybrid", "top_k": 5}, models={"backend": "extractive"})


def test_shares_and_bins() -> None:
    shares = group_shares(_run().records, "type")
    assert shares["amount"] == {"n": 3, "accuracy": 1 / 3, "wrong": 1 / 3, "refused": 1 / 3}
    assert shares["count"]["accuracy"] == 1.0
    bins = latency_bins([20, 40, 60, 400], bins=4)
    assert [count for _, _, count in bins] == [3, 0, 0, 1] and bins[0][0] == 20 and bins[-1][1] == 400
    assert latency_bins([]) == [] and latency_bins([5.0, 5.0]) == [(5.0, 5.0, 2)]


def test_report_html_is_self_contained_with_chart_data(tmp_path: Path) -> None:
    write_report(_run(), "data.jsonl", tmp_path)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"(src|href)=\"(https?:)?//", page) and "<script" not in page  # nothing to fetch
    assert "问题 a-2&lt;b&gt;" in page  # text is escaped
    bars = re.findall(r'data-group="amount" data-series="(\w+)" data-value="([\d.]+)"', page)
    assert bars == [("accuracy", "0.3333"), ("wrong", "0.3333"), ("refused", "0.3333")]
    assert page.count('class="failure"') == 2 and PASSAGE in page


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail("Chromium is not installed: `apt-get install -y chromium` (scripts/test.sh does it)", pytrace=False)


@pytest.mark.slow
def test_report_renders_its_charts_in_chromium(tmp_path: Path) -> None:
    # In its own thread: Playwright's sync API refuses a thread whose event loop is already running
    # (the chat-page tests keep a session-wide browser open in the main thread).
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(_check_rendering, tmp_path).result()


def _check_rendering(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    single = tmp_path / "single"
    write_report(_run(), "data.jsonl", single)
    runs = [(name, run, summarize(run.records).overall)
            for name, run in (("bm25", _run("bm25")), ("dense", _run("dense")))]
    write_compare(runs, "data.jsonl", tmp_path / "compare")
    requested: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), headless=True,
                                             args=["--no-sandbox", "--disable-dev-shm-usage"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("request", lambda request: requested.append(request.url))
            page.goto((single / "report.html").as_uri())
            charts = page.eval_on_selector_all(
                "svg.chart", "charts => charts.map(c => [c.dataset.chart, c.querySelectorAll('rect.bar').length, "
                             "c.getBoundingClientRect().width, c.getBoundingClientRect().height])")
            assert [c[0] for c in charts] == ["by-type", "by-language", "latency"]
            assert all(width > 100 and height > 100 for _, _, width, height in charts)
            assert charts[0][1] == 6 and charts[1][1] == 6  # 2 groups x 3 series each
            heights = page.eval_on_selector_all("svg[data-chart=latency] rect.bar",
                                                "bars => bars.map(b => b.getBoundingClientRect().height)")
            assert max(heights) > 100 and heights.count(0) < len(heights)  # bars really drawn
            page.click("tr.failure details summary")
            assert PASSAGE in page.inner_text("tr.failure blockquote")
            shot = page.screenshot(full_page=True)
            assert len(shot) > 20_000  # a blank page is a few kB
            page.goto((tmp_path / "compare" / "report.html").as_uri())
            compared = page.eval_on_selector_all(
                "svg[data-chart=compare] rect.bar[data-group=accuracy]",
                "bars => bars.map(b => [b.dataset.series, b.dataset.value, b.getBoundingClientRect().height])")
            assert [(series, value) for series, value, _ in compared] == [("bm25", "0.5000"), ("dense", "0.5000")]
            assert all(height > 50 for _, _, height in compared)
            assert page.locator("svg[data-chart=compare-latency] rect.bar").count() == 4  # p50, p95 x 2
            assert page.locator("rect[data-group='refusal recall']").count() == 0  # n/a: no unanswerable item
            assert page.locator("a[href='bm25/report.html']").count() == 1
        finally:
            browser.close()
    assert all(url.startswith("file://") for url in requested), requested
