"""Latency of the chat page as a person sees it: click 「发送」 → first answer text → final answer.

Why: the API timings (``bench/api_load.py``) leave out Gradio's queue, its websocket/SSE stream
and the browser's rendering. Here the real server (``rag serve`` in a subprocess, settings from
the environment, e.g. ``RAG_INDEX_DIR``; the index is built from the corpus if missing) is driven
by headless Debian Chromium through Playwright, and the times are taken *in the page*
(``performance.now()`` in a MutationObserver), so Python polling adds nothing:

* click      the capture-phase click on 「发送」;
* shown      the new assistant message appears (progress line 「正在检索资料……」);
* first      it shows answer text for the first time (anything but the progress line);
* full       the final answer is rendered: the footer 「回答方式：… · 用时 … 秒」, which the page
             writes only once the stream has ended (refusals and follow-ups included);
* sources    the sources panel shows that answer's passages (no longer the pending panel).

Each run opens a fresh page, picks the backend in 「回答方式」 and asks the questions in order in
one conversation (so 「那河北呢？」 is a follow-up of the question before it). Before the measured
runs each backend gets one unmeasured warm-up question (the local backend assembles its model and
starts llama.cpp on first use); its time is printed as "cold". The run is bounded
(``--answer-timeout`` per answer, ``--deadline`` overall, after which a watchdog ends the process).

    RAG_INDEX_DIR=index/default .venv/bin/python bench/ui_latency.py --backend extractive --backend local --runs 2
    .venv/bin/python bench/ui_latency.py --backend local --runs-for local=1 --question 哈尔滨市对大工匠每人奖励多少钱？
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
import unicodedata
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from local_server import local_server  # bench/local_server.py, beside this script

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULT_QUESTIONS = [
    "哈尔滨市对大工匠每人奖励多少钱？",
    "How much did Harbin award each of its great craftsmen?",
    "齐齐哈尔市对大工匠每人奖励多少钱？",
    "那河北呢？",  # a follow-up: asked after the previous question, in the same conversation
]
#: Option labels of the page's 「回答方式」 dropdown (ui.chat_page.BACKEND_LABELS).
BACKEND_LABELS = {"extractive": "摘录原文（默认）", "openai": "OpenAI 兼容服务", "local": "本地大模型"}

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

# Installed once per page. ``__ragArm()`` starts a measurement for the next assistant message.
OBSERVER_JS = """() => {
  const chat = document.querySelector('#rag-chatbot');
  const panel = document.querySelector('#rag-sources');
  const state = {t: null, before: 0, armed: false};
  window.__ragArm = () => {
    state.t = {};
    state.before = chat.querySelectorAll('[data-testid="bot"]').length;
    state.panelReset = false;
    state.armed = true;
    window.__ragTimes = state.t;
  };
  const check = () => {
    if (!state.armed) { return; }
    const t = state.t;
    const now = performance.now();
    if (t.click === undefined) { return; }
    const ptext = panel.innerText;
    const panelPending = ptext.includes('提问后') || ptext.includes('正在生成答案');
    if (panelPending) { state.panelReset = true; }
    else if (state.panelReset && t.sources === undefined && ptext.trim()) { t.sources = now; }
    const bots = chat.querySelectorAll('[data-testid="bot"]');
    if (bots.length <= state.before) { return; }
    const text = bots[bots.length - 1].innerText;
    if (t.shown === undefined) { t.shown = now; }
    const pending = text.includes('正在检索资料') || text.includes('正在生成答案');
    if (t.first === undefined && text.trim() && !pending) { t.first = now; t.firstText = text.slice(0, 80); }
    if (t.full === undefined && text.includes('回答方式：')) { t.full = now; t.text = text; }
    if (t.full === undefined && t.error === undefined && !pending && !text.includes('▌')
        && text.trim().startsWith('⚠️')) { t.error = now; t.text = text; }
    if (t.full !== undefined && t.sources !== undefined) { state.armed = false; }
  };
  new MutationObserver(check).observe(document.body, {subtree: true, childList: true, characterData: true});
  document.addEventListener('click', (event) => {
    if (state.armed && state.t.click === undefined && event.target.closest('#rag-send')) {
      state.t.click = performance.now();
    }
  }, {capture: true});
}"""

DONE_JS = "() => window.__ragTimes && (window.__ragTimes.full !== undefined || window.__ragTimes.error !== undefined)"
SOURCES_JS = "() => window.__ragTimes.sources !== undefined"
FOOTER = re.compile(r"回答方式：\s*(\S+)\s*·\s*用时\s*([\d.]+)\s*秒")


@dataclass
class Sample:
    backend: str
    question: str
    run: int  # 0 = warm-up (cold)
    first_ms: float | None = None
    full_ms: float | None = None
    shown_ms: float | None = None
    sources_ms: float | None = None
    python_ms: float | None = None  # Python side, click() return → wait returns: a cross-check
    server_ms: float | None = None  # the engine's own latency, from the footer
    answered_by: str = ""
    text: str = ""
    error: str = ""


@dataclass
class Results:
    samples: list[Sample] = field(default_factory=list)
    screenshot: Path | None = None
    stopped_early: str = ""


# ----- server -----
@contextmanager
def rag_server(workdir: Path, ready_timeout: float) -> Iterator[str]:
    """``rag serve`` on a free loopback port (own process: no GIL shared with the driver)."""
    env = dict(os.environ)
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("RAG_FEEDBACK_PATH", str(workdir / "feedback.jsonl"))  # nothing written to the tree
    rag = Path(sys.executable).with_name("rag")
    log_path = workdir / "server.log"
    started = time.monotonic()
    with log_path.open("wb") as log, local_server(
        lambda port: [str(rag), "serve", "--port", str(port), "--log-level", "warning"],
        cwd=PROJECT_ROOT, env=env, ready_timeout=ready_timeout, output=log,
        failure_hint=f"; see {log_path}",
    ) as url:
        print(f"server ready in {time.monotonic() - started:.1f} s at {url} (log: {log_path})")
        yield url


# ----- browser -----
def open_page(context: Any, url: str, backend: str) -> Any:
    page = context.new_page()
    page.goto(f"{url}/ui/")
    page.wait_for_selector("#rag-chatbot")
    page.wait_for_selector("#rag-send")
    label = BACKEND_LABELS.get(backend, backend)
    page.locator("#rag-backend input").click()
    page.get_by_role("option", name=label).click()
    page.wait_for_function(
        "label => document.querySelector('#rag-backend input').value === label", arg=label, timeout=10_000
    )
    page.evaluate(OBSERVER_JS)
    return page


def ms(times: dict[str, Any], key: str) -> float | None:
    value = times.get(key)
    return None if value is None or times.get("click") is None else round(value - times["click"], 1)


def ask(page: Any, backend: str, question: str, run: int, timeout_s: float) -> Sample:
    """Ask one question and wait for the final answer (and the sources panel) to render."""
    sample = Sample(backend, question, run)
    page.fill("#rag-question textarea", question)
    page.evaluate("window.__ragArm()")
    page.click("#rag-send")
    clicked = time.perf_counter()
    try:
        page.wait_for_function(DONE_JS, timeout=timeout_s * 1000, polling=20)
        sample.python_ms = round((time.perf_counter() - clicked) * 1000, 1)
        with suppress(Exception):  # an error turn has no sources; do not wait long for them
            page.wait_for_function(SOURCES_JS, timeout=3000, polling=20)
    except Exception as error:  # noqa: BLE001 - a timeout is a result to report, not a crash
        sample.error = f"no final answer within {timeout_s:.0f} s ({type(error).__name__})"
    times = page.evaluate("window.__ragTimes") or {}
    sample.first_ms, sample.full_ms = ms(times, "first"), ms(times, "full")
    sample.shown_ms, sample.sources_ms = ms(times, "shown"), ms(times, "sources")
    sample.text = str(times.get("text") or "")
    if times.get("error") is not None and not sample.error:
        sample.error = "error turn: " + sample.text.strip()[:80]
    match = FOOTER.search(sample.text)
    if match:
        sample.answered_by, sample.server_ms = match.group(1), float(match.group(2)) * 1000
    return sample


def summary_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip() and "回答方式" not in line]
    return " / ".join(lines)[:70]


def run_benchmark(args: argparse.Namespace, url: str, workdir: Path, deadline: float) -> Results:
    from playwright.sync_api import sync_playwright

    results = Results()
    chromium = args.chromium or shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise SystemExit("Chromium is not installed: apt-get install -y chromium")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(workdir / "chromium-profile"), executable_path=chromium, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000}, locale="zh-CN",
        )
        context.set_default_timeout(30_000)
        page = None
        try:
            for backend in args.backend:
                runs = args.runs_for.get(backend, args.runs)
                plan = ([0] if args.warmup else []) + list(range(1, runs + 1))
                for run in plan:
                    if time.monotonic() > deadline:
                        results.stopped_early = f"--deadline reached before {backend} run {run}"
                        return results
                    if page is not None:
                        page.close()
                    page = open_page(context, url, backend)
                    questions = args.question[:1] if run == 0 else args.question
                    for question in questions:
                        left = deadline - time.monotonic()
                        if left <= 0:
                            results.stopped_early = f"--deadline reached during {backend} run {run}"
                            return results
                        sample = ask(page, backend, question, run, min(args.answer_timeout, left))
                        results.samples.append(sample)
                        tag = "cold" if run == 0 else f"run {run}"
                        print(
                            f"  {backend:<10} {tag:<6} first {fmt(sample.first_ms):>8} full {fmt(sample.full_ms):>8} "
                            f"sources {fmt(sample.sources_ms):>8} server {fmt(sample.server_ms):>8} "
                            f"[{sample.answered_by or '-'}] {question[:24]} → {sample.error or summary_line(sample.text)}",
                            flush=True,
                        )
                        if sample.error.startswith("no final answer"):
                            break  # the conversation is stuck; next run starts a fresh page
        finally:
            if page is not None:
                shot = workdir / "final.png"
                with suppress(Exception):
                    page.screenshot(path=str(shot), full_page=True)
                    results.screenshot = shot
            context.close()
    return results


# ----- report -----
def pad(text: str, width: int) -> str:
    """``text`` cut and padded to ``width`` terminal columns (CJK characters take two)."""
    out, used = "", 0
    for char in text:
        w = 2 if unicodedata.east_asian_width(char) in "WF" else 1
        if used + w > width:
            break
        out, used = out + char, used + w
    return out + " " * (width - used)


def fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} ms"


def median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def report(results: Results, args: argparse.Namespace, command: str) -> None:
    print("\nmedians over the measured runs (warm-up excluded); times from the click on 「发送」, in the page")
    header = f"{'backend':<10} {'question':<34} {'n':>2} {'first text':>10} {'full answer':>11} {'sources':>9} {'server':>9}  answered by"
    print(header)
    print("-" * len(header))
    for backend in args.backend:
        for question in args.question:
            group = [s for s in results.samples if s.backend == backend and s.question == question and s.run > 0]
            if not group:
                continue
            ok = [s for s in group if not s.error]
            by = sorted({s.answered_by for s in ok if s.answered_by})
            errors = len(group) - len(ok)
            print(
                f"{backend:<10} {pad(question, 34)} {len(ok):>2} {fmt(median([s.first_ms for s in ok])):>10} "
                f"{fmt(median([s.full_ms for s in ok])):>11} {fmt(median([s.sources_ms for s in ok])):>9} "
                f"{fmt(median([s.server_ms for s in ok])):>9}  {','.join(by) or '-'}"
                + (f"  ({errors} failed)" if errors else "")
            )
        cold = [s for s in results.samples if s.backend == backend and s.run == 0]
        for s in cold:
            print(f"{backend:<10} {pad('(cold: first question)', 34)} {'1':>2} {fmt(s.first_ms):>10} "
                  f"{fmt(s.full_ms):>11} {fmt(s.sources_ms):>9} {fmt(s.server_ms):>9}  {s.answered_by or s.error or '-'}")
    print("\nfirst text = first non-progress text in the new assistant message; full answer = the final message with "
          "its 「回答方式 · 用时」 footer; sources = the sources panel showing that answer; server = the engine's "
          "own latency from that footer.")
    if results.stopped_early:
        print(f"STOPPED EARLY: {results.stopped_early}")
    print(f"screenshot of the final state: {results.screenshot or '(none)'}")
    print(f"command: {command}")
    print(f"RAG_INDEX_DIR={os.environ.get('RAG_INDEX_DIR', '(unset: settings default)')}")


def parse_runs_for(values: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for value in values:
        name, _, number = value.partition("=")
        if not number.isdigit() or int(number) < 1:
            raise SystemExit(f"--runs-for expects NAME=N with N >= 1, got {value!r}")
        out[name.strip()] = int(number)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", action="append", choices=sorted(BACKEND_LABELS),
                        help="answer backend (repeatable; default extractive)")
    parser.add_argument("--question", action="append", help="question (repeatable; default: four examples)")
    parser.add_argument("--runs", type=int, default=3, help="measured runs per backend (default 3)")
    parser.add_argument("--runs-for", action="append", default=[], metavar="NAME=N",
                        help="runs for one backend, e.g. local=1 (repeatable)")
    parser.add_argument("--no-warmup", dest="warmup", action="store_false",
                        help="skip the unmeasured warm-up question per backend")
    parser.add_argument("--answer-timeout", type=float, default=180.0, help="seconds per answer (default 180)")
    parser.add_argument("--deadline", type=float, default=1500.0,
                        help="seconds for the whole run; then it reports what it has (default 1500)")
    parser.add_argument("--ready-timeout", type=float, default=600.0,
                        help="seconds for the server to become ready (an index build included)")
    parser.add_argument("--out", type=Path, help="folder for the screenshot and logs (default: a new temp dir)")
    parser.add_argument("--chromium", help="Chromium executable (default: chromium on PATH)")
    args = parser.parse_args()
    args.backend = args.backend or ["extractive"]
    args.question = args.question or DEFAULT_QUESTIONS
    args.runs_for = parse_runs_for(args.runs_for)
    if args.runs < 1:
        raise SystemExit("--runs must be >= 1")

    command = shlex.join([sys.executable, *sys.argv])
    workdir = args.out or Path(tempfile.mkdtemp(prefix="ui-latency-"))
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    deadline = started + args.deadline

    # Watchdog: whatever hangs (browser, server, driver), the process ends a minute after the deadline.
    def watchdog() -> None:
        time.sleep(args.deadline + args.ready_timeout + 60)
        print("watchdog: the benchmark overran its deadline; exiting", file=sys.stderr, flush=True)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(10)
        os._exit(3)

    threading.Thread(target=watchdog, name="watchdog", daemon=True).start()
    print(f"backends {args.backend}, {len(args.question)} questions, runs {args.runs} {args.runs_for or ''}; "
          f"output in {workdir}", flush=True)
    with rag_server(workdir, args.ready_timeout) as url:
        deadline = time.monotonic() + args.deadline  # the budget counts from a ready server
        results = run_benchmark(args, url, workdir, deadline)
    report(results, args, command)
    print(f"total wall time: {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
