"""GET /metrics: Prometheus text from the app's own registry."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

import httpx
from prometheus_client.parser import text_string_to_metric_families

from rag.api.metrics import ApiMetrics
from rag.schema import Answer

from .support import HARBIN_QUESTION


def samples(text: str) -> dict[tuple[str, frozenset], float]:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(metrics: dict, name: str, **labels: str) -> float:
    return metrics.get((name, frozenset(labels.items())), 0.0)


def test_request_counters_and_answer_counters_increase(client: httpx.Client) -> None:
    before = samples(client.get("/metrics").text)
    client.post("/ask", json={"question": HARBIN_QUESTION})
    client.post("/ask", json={"question": "火星上的企鹅每年奖励多少枚金币？"})
    client.post("/ask", json={"question": ""})
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    after = samples(response.text)

    ok = {"endpoint": "/ask", "method": "POST", "status": "200"}
    assert value(after, "rag_http_requests_total", **ok) == value(before, "rag_http_requests_total", **ok) + 2
    bad = {"endpoint": "/ask", "method": "POST", "status": "422"}
    assert value(after, "rag_http_requests_total", **bad) == value(before, "rag_http_requests_total", **bad) + 1
    hist = {"endpoint": "/ask", "method": "POST"}
    assert value(after, "rag_http_request_duration_seconds_count", **hist) >= value(
        before, "rag_http_request_duration_seconds_count", **hist
    ) + 3
    assert value(after, "rag_answers_total", backend="extractive") == value(
        before, "rag_answers_total", backend="extractive"
    ) + 2
    assert value(after, "rag_refusals_total", backend="extractive") == value(
        before, "rag_refusals_total", backend="extractive"
    ) + 1
    assert value(after, "rag_engine_ready") == 1
    assert value(after, "rag_index_documents") == 5


def test_unmatched_paths_share_one_label(client: httpx.Client) -> None:
    client.get("/no/such/path/1")
    client.get("/no/such/path/2")
    text = client.get("/metrics").text
    assert "/no/such/path" not in text
    assert 'endpoint="unmatched"' in text


@dataclass
class FakeStats:
    failures: int = 3
    grounded: int = 7
    _lock: object = field(default=None)

    def snapshot(self) -> dict[str, int]:
        return {"failures": self.failures, "grounded": self.grounded}


def fake_engine(backends: dict[str, object]) -> SimpleNamespace:
    info = SimpleNamespace(documents=2, chunks=9)
    return SimpleNamespace(info=lambda: info, backends=SimpleNamespace(loaded=lambda: backends))


def test_grounding_counters_are_read_from_backends_that_keep_them() -> None:
    backends = {
        "extractive": object(),  # keeps no counters: skipped
        "openai": SimpleNamespace(stats=FakeStats()),
        "local": SimpleNamespace(grounding_stats={"failures": 1, "answers": 4, "label": "x"}),
    }
    metrics = ApiMetrics(lambda: fake_engine(backends))  # type: ignore[arg-type, return-value]
    parsed = samples(metrics.render().decode())
    assert value(parsed, "rag_grounding_failures_total", backend="openai") == 3
    assert value(parsed, "rag_grounding_failures_total", backend="local") == 1
    assert value(parsed, "rag_grounding_events_total", backend="openai", event="grounded") == 7
    assert value(parsed, "rag_grounding_events_total", backend="local", event="answers") == 4
    grounding_backends = {dict(labels).get("backend") for name, labels in parsed if "grounding" in name}
    assert grounding_backends == {"openai", "local"}


def test_each_app_has_its_own_registry() -> None:
    first, second = ApiMetrics(lambda: None), ApiMetrics(lambda: None)
    first.observe_answer(Answer(question="q", answer="a", backend="extractive"))
    assert value(samples(first.render().decode()), "rag_answers_total", backend="extractive") == 1
    assert value(samples(second.render().decode()), "rag_answers_total", backend="extractive") == 0
    assert value(samples(second.render().decode()), "rag_engine_ready") == 0
