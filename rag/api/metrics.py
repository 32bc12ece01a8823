"""Prometheus metrics of one app, in its own registry (two apps in a process never mix counts).

Request counts and latencies are recorded by a pure ASGI middleware (so streamed answers are timed
to their last byte) and labelled by route template, never by raw path, to keep cardinality bounded.
Answers and refusals are counted by backend as the routes produce them. Grounding counters are not
duplicated here: they are read at scrape time from backends that keep them (``grounding_stats`` or
``stats`` with a ``snapshot()``), defensively, since not every backend has them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rag.api.auth import require_api_key
from rag.api.request_log import route_label
from rag.api.schemas import error_responses
from rag.engine import Engine
from rag.schema import Answer

logger = logging.getLogger("rag.api")

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)


def _grounding_counts(backend: object) -> dict[str, float]:
    """Numeric grounding counters of a backend, or {} when it keeps none."""
    stats = getattr(backend, "grounding_stats", None) or getattr(backend, "stats", None)
    if stats is None:
        return {}
    snapshot = getattr(stats, "snapshot", None)
    values: Any = snapshot() if callable(snapshot) else stats
    if not isinstance(values, Mapping):
        values = {k: v for k, v in vars(values).items() if not k.startswith("_")} if hasattr(values, "__dict__") else {}
    return {
        str(k): float(v) for k, v in values.items() if isinstance(v, (int, float)) and not isinstance(v, bool)
    }


class EngineCollector(Collector):
    """Scrape-time view of the engine: readiness, index size and the backends' grounding counters."""

    def __init__(self, engine_provider: Callable[[], Engine | None]) -> None:
        self._engine_provider = engine_provider

    def collect(self) -> Iterator[Metric]:
        engine = self._engine_provider()
        ready = int(engine is not None)
        yield GaugeMetricFamily("rag_engine_ready", "1 once the index and models are loaded.", value=ready)
        if engine is None:
            return
        try:
            info = engine.info()
            yield GaugeMetricFamily("rag_index_documents", "Documents in the index.", value=info.documents)
            yield GaugeMetricFamily("rag_index_chunks", "Chunks in the index.", value=info.chunks)
            failures = CounterMetricFamily(
                "rag_grounding_failures", "Generated answers that failed the grounding check.", labels=["backend"]
            )
            events = CounterMetricFamily(
                "rag_grounding_events", "Grounding-check counters as the backend keeps them.",
                labels=["backend", "event"],
            )
            for name, backend in engine.backends.loaded().items():
                counts = _grounding_counts(backend)
                if not counts:
                    continue
                failures.add_metric([name], counts.get("failures", counts.get("grounding_failures", 0.0)))
                for event, value in sorted(counts.items()):
                    events.add_metric([name, event], value)
            yield failures
            yield events
        except Exception:  # a scrape must never fail because a backend is odd
            logger.warning("collecting engine metrics failed", exc_info=True)


class ApiMetrics:
    """The registry and the instruments one app records into."""

    def __init__(self, engine_provider: Callable[[], Engine | None]) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "rag_http_requests", "HTTP requests by route template, method and status.",
            ["endpoint", "method", "status"], registry=self.registry,
        )
        self.latency = Histogram(
            "rag_http_request_duration_seconds", "Time to the last byte of the response.",
            ["endpoint", "method"], buckets=_LATENCY_BUCKETS, registry=self.registry,
        )
        self.in_flight = Gauge("rag_http_requests_in_flight", "Requests being served.", registry=self.registry)
        self.answers = Counter("rag_answers", "Answers given, by backend.", ["backend"], registry=self.registry)
        self.refusals = Counter(
            "rag_refusals", "Answers that were refusals (not in the documents), by backend.",
            ["backend"], registry=self.registry,
        )
        self.answer_latency = Histogram(
            "rag_answer_latency_seconds", "Engine time per answer (retrieval + backend), by backend.",
            ["backend"], buckets=_LATENCY_BUCKETS, registry=self.registry,
        )
        self.documents = Counter(
            "rag_document_uploads", "Uploaded documents by outcome (added, replaced, unchanged).",
            ["outcome"], registry=self.registry,
        )
        self.registry.register(EngineCollector(engine_provider))

    def observe_answer(self, answer: Answer) -> None:
        backend = answer.backend or "unknown"
        self.answers.labels(backend).inc()
        if answer.refused:
            self.refusals.labels(backend).inc()
        self.answer_latency.labels(backend).observe(answer.latency_ms / 1000)

    def observe_request(self, endpoint: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(endpoint, method, str(status)).inc()
        self.latency.labels(endpoint, method).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class MetricsMiddleware:
    """Counts and times every HTTP request (pure ASGI, so streaming responses are timed fully)."""

    def __init__(self, app: ASGIApp, metrics: ApiMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        self.metrics.in_flight.inc()
        try:
            await self.app(scope, receive, recording_send)
        finally:
            self.metrics.in_flight.dec()
            self.metrics.observe_request(
                route_label(scope), scope.get("method", ""), status, time.perf_counter() - started
            )


router = APIRouter(tags=["operations"])


@router.get(
    "/metrics",
    dependencies=[Depends(require_api_key)],
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}},
                     "description": "Prometheus text format."},
               **error_responses(401)},
    summary="Prometheus metrics",
)
async def metrics_endpoint(request: Request) -> Response:
    """Request counts and latencies, answers and refusals by backend, grounding failures."""
    metrics: ApiMetrics = request.app.state.metrics
    return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)
