"""Structured logs: one JSON object per line, stamped with the request id."""

from __future__ import annotations

import json
import logging
import time

import httpx

from rag.api.request_log import JsonFormatter, RequestIdFilter, request_id_var


def test_json_formatter_writes_one_object_per_line_with_the_request_id() -> None:
    record = logging.LogRecord("rag.api", logging.INFO, __file__, 1, "answered %s", ("问题",), None)
    record.status = 200
    token = request_id_var.set("rid-42")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    payload = json.loads(line)
    assert payload["message"] == "answered 问题"
    assert payload["request_id"] == "rid-42" and payload["status"] == 200
    assert payload["level"] == "info" and payload["logger"] == "rag.api"


def test_exceptions_stay_inside_the_json_line() -> None:
    try:
        raise ValueError("bad\nthing")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    line = JsonFormatter().format(record)
    assert "\n" not in line and "ValueError" in json.loads(line)["exception"]


class _Collect(logging.Handler):
    """Keeps the records it is given (attached to the access logger itself, so a test elsewhere
    that replaces the root logger's handlers cannot take the records away)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _search_records(collect: _Collect) -> list[logging.LogRecord]:
    return [r for r in collect.records if getattr(r, "request_id", None) == "trace-search-1"
            or getattr(r, "path", None) == "/search"]


def test_access_log_has_request_id_route_and_status(client: httpx.Client) -> None:
    access = logging.getLogger("rag.api.access")
    collect, level, disabled = _Collect(), access.level, access.disabled
    access.addHandler(collect)
    access.setLevel(logging.INFO)
    access.disabled = False  # a library's dictConfig elsewhere in the session may have disabled it
    try:
        client.get("/search", params={"q": "大工匠"}, headers={"X-Request-ID": "trace-search-1"})
        # The server thread writes the access line after the last body chunk is sent, so the
        # client can hold the response a moment before the line exists: wait for it (bounded).
        deadline = time.monotonic() + 5.0
        while not _search_records(collect) and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        access.removeHandler(collect)
        access.setLevel(level)
        access.disabled = disabled
    records = _search_records(collect)
    assert records, "no access log record"
    record = records[-1]
    assert record.route == "/search" and record.status == 200 and record.duration_ms >= 0
    assert "大工匠" not in record.getMessage()  # query strings (questions) are not logged
