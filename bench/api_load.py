"""Load test of the HTTP API: N concurrent clients, M ``POST /ask`` requests each, per backend.

Why: the API's latency under concurrency (threadpool, GIL, two cores shared by embedding and
answering) cannot be read off single-request timings. The run is bounded (N x M requests, then it
stops) and reports p50/p95/mean latency, throughput and errors, with the command line, so numbers
in reviews can be reproduced.

Without ``--url`` it starts its own server on a free loopback port in a separate process (so the
clients do not compete with the server for the GIL), with settings from the environment
(``RAG_INDEX_DIR`` etc.; the index is built from the corpus if missing), and stops it at the end.

    .venv/bin/python bench/api_load.py --clients 4 --requests 25 --backend extractive
    .venv/bin/python bench/api_load.py --url http://127.0.0.1:8000 --api-key KEY --backend extractive --backend openai
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shlex
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from local_server import local_server  # bench/local_server.py, beside this script

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATASET = PROJECT_ROOT / "eval" / "datasets" / "corpus_qa.jsonl"

#: Used when the evaluation dataset is absent: questions about the bundled corpus, some unanswerable.
BUILTIN_QUESTIONS = [
    "哈尔滨市对大工匠每人奖励多少钱？",
    "哈尔滨市大工匠每年的评选人数增加到了多少人？",
    "黑龙江省高技能人才达到多少万人？",
    "黑龙江省建成了多少个技能大师工作室？",
    "黑龙江省选拔认定了多少名首席技师？",
    "龙江大工匠表彰了多少名？",
    "牡丹江对高技能人才的一次性奖励是多少？",
    "高技能领军人才退休时国家级获奖者补助多少？",
    "获得中华技能大奖的人才每月生活补贴是多少？",
    "黑龙江省总工会投入多少资金打造思想政治引领骨干品牌？",
    "产业工人队伍建设改革的目标是什么？",
    "齐鲁大工匠是谁？",
    "山东省如何推进产业工人队伍建设？",
    "新时代产业工人锻造记讲了什么？",
    "技能人才占技能人才总量的比例是多少？",
    "How much is the reward for each Harbin grand craftsman?",
    "火星上的企鹅每年奖励多少枚金币？",
    "2035年哈尔滨的人口是多少？",
    "大工匠的评选标准有哪些？",
    "职工技能提升有哪些措施？",
]


@dataclass
class Result:
    """One backend's run."""

    backend: str
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    refusals: int = 0
    wall_s: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.latencies_ms) + len(self.errors)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def load_questions(path: Path) -> tuple[list[str], str]:
    if path.is_file():
        questions = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                question = json.loads(line).get("question")
                if isinstance(question, str) and question.strip():
                    questions.append(question)
        if questions:
            return questions, str(path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path)
    return list(BUILTIN_QUESTIONS), "built-in list"


@contextmanager
def own_server(ready_timeout: float) -> Iterator[str]:
    """Start ``uvicorn --factory rag.api.app:app_from_environment`` on loopback; stop it after."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p)

    def command(port: int) -> list[str]:
        return [
            sys.executable, "-m", "uvicorn", "--factory", "rag.api.app:app_from_environment",
            "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log",
        ]

    with local_server(command, cwd=PROJECT_ROOT, env=env, ready_timeout=ready_timeout) as url:
        yield url


def run_backend(
    url: str, backend: str, questions: list[str], clients: int, requests: int, warmup: int,
    api_key: str | None, timeout: float,
) -> Result:
    """``clients`` threads, each sending ``requests`` questions one after another."""
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    result = Result(backend)
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)

    def client_loop(number: int) -> None:
        with httpx.Client(base_url=url, headers=headers, timeout=timeout, trust_env=False) as client:
            for i in range(warmup):  # not measured: first-use costs (connections, lazy backends)
                with suppress(httpx.HTTPError):
                    client.post("/ask", json={"question": questions[i % len(questions)], "backend": backend})
            start.wait()
            for i in range(requests):
                question = questions[(number * requests + i) % len(questions)]
                began = time.perf_counter()
                error, refused = "", False
                try:
                    response = client.post("/ask", json={"question": question, "backend": backend})
                    elapsed = (time.perf_counter() - began) * 1000
                    if response.status_code == 200:
                        refused = bool(response.json().get("refused"))
                    else:
                        error = f"HTTP {response.status_code}: {response.text[:200]}"
                except httpx.HTTPError as exc:
                    error, elapsed = f"{type(exc).__name__}: {exc}", 0.0
                with lock:
                    if error:
                        result.errors.append(error)
                    else:
                        result.latencies_ms.append(elapsed)
                        result.refusals += refused

    threads = [threading.Thread(target=client_loop, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    result.wall_s = time.perf_counter() - began
    return result


def report(result: Result, clients: int) -> dict[str, object]:
    lat = result.latencies_ms
    summary: dict[str, object] = {
        "backend": result.backend,
        "clients": clients,
        "requests": result.requests,
        "ok": len(lat),
        "errors": len(result.errors),
        "refusals": result.refusals,
        "p50_ms": round(percentile(lat, 50), 1) if lat else None,
        "p95_ms": round(percentile(lat, 95), 1) if lat else None,
        "mean_ms": round(sum(lat) / len(lat), 1) if lat else None,
        "max_ms": round(max(lat), 1) if lat else None,
        "throughput_rps": round(len(lat) / result.wall_s, 2) if result.wall_s else None,
        "wall_s": round(result.wall_s, 2),
    }
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="Benchmark a running server instead of starting one.")
    parser.add_argument("--clients", type=int, default=4, help="Concurrent clients (default 4).")
    parser.add_argument("--requests", type=int, default=25, help="Requests per client (default 25).")
    parser.add_argument("--backend", action="append", help="Backend to load (repeatable; default extractive).")
    parser.add_argument("--questions", type=Path, default=DATASET, help="JSONL with a 'question' field.")
    parser.add_argument("--warmup", type=int, default=2, help="Unmeasured requests per client first.")
    parser.add_argument("--api-key", default=os.environ.get("RAG_BENCH_API_KEY"), help="Bearer key, if needed.")
    parser.add_argument("--timeout", type=float, default=300.0, help="Per-request timeout in seconds.")
    parser.add_argument("--ready-timeout", type=float, default=1800.0, help="Wait this long for /health.")
    parser.add_argument("--json", action="store_true", help="Print the summaries as JSON lines.")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.requests < 1:
        parser.error("--clients and --requests must be at least 1")
    backends = args.backend or ["extractive"]
    questions, source = load_questions(args.questions)
    command = shlex.join([Path(sys.executable).name, *sys.argv]) if argv is None else shlex.join(argv)

    with (own_server(args.ready_timeout) if args.url is None else _given(args.url)) as url:
        summaries = []
        for backend in backends:
            result = run_backend(
                url, backend, questions, args.clients, args.requests, args.warmup, args.api_key, args.timeout
            )
            summaries.append(report(result, args.clients))
            for error in result.errors[:5]:
                print(f"  error ({backend}): {error}", file=sys.stderr)

    print(f"command:   {command}")
    print(f"server:    {url if args.url else 'own (uvicorn on loopback, settings from the environment)'}")
    print(f"questions: {len(questions)} from {source}; {args.clients} clients x {args.requests} requests")
    for summary in summaries:
        if args.json:
            print(json.dumps(summary))
            continue
        print(
            f"{summary['backend']:<11} p50 {summary['p50_ms']} ms  p95 {summary['p95_ms']} ms  "
            f"mean {summary['mean_ms']} ms  max {summary['max_ms']} ms  "
            f"throughput {summary['throughput_rps']} req/s  errors {summary['errors']}/{summary['requests']}  "
            f"refusals {summary['refusals']}"
        )
    return 1 if any(s["errors"] for s in summaries) else 0


@contextmanager
def _given(url: str) -> Iterator[str]:
    yield url.rstrip("/")


if __name__ == "__main__":
    raise SystemExit(main())
