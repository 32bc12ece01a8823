"""Login throttling and Gradio's errors in the API's shape, through a real server with the page."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from rag.api.app import create_app
from rag.engine import Engine
from tests.api.support import LiveServer, api_settings, live_server
from ui.page_limits import LoginThrottle, _message_of

KEY = "page-limits-key-0123456789"


def never_ready(settings: object) -> Engine:
    raise RuntimeError("no engine in this test")


@pytest.fixture()
def keyed_page(tmp_path: Path) -> Iterator[LiveServer]:
    app = create_app(api_settings(tmp_path / "index", api_keys=[KEY], login_max_failures=3), loader=never_ready)
    with live_server(app, wait_ready=False) as server:
        yield server


def login(http: httpx.Client, password: str) -> httpx.Response:
    return http.post("/ui/login", data={"username": "u", "password": password})


def test_failed_logins_are_throttled_with_backoff(keyed_page: LiveServer) -> None:
    with httpx.Client(base_url=keyed_page.base_url, timeout=10, trust_env=False) as http:
        for _ in range(3):
            wrong = login(http, "wrong-guess")
            assert wrong.status_code == 400 and set(wrong.json()) == {"error"}
        throttled = login(http, KEY)  # even the right key waits: a guesser cannot tell
        assert throttled.status_code == 429, throttled.text
        assert int(throttled.headers["Retry-After"]) >= 1
        assert "too many failed logins" in throttled.json()["error"]["message"]
        time.sleep(1.2)
        assert login(http, KEY).status_code == 200
        assert login(http, "wrong-again").status_code == 400  # a success cleared the record
        assert http.get("/ui/config").status_code == 200


def test_gradio_errors_use_the_error_shape(keyed_page: LiveServer) -> None:
    with httpx.Client(base_url=keyed_page.base_url, timeout=10, trust_env=False) as http:
        response = http.get("/ui/config")
        assert response.status_code == 401
        assert response.json()["error"]["status"] == 401


def test_backoff_doubles_and_is_capped() -> None:
    throttle = LoginThrottle(app=None, mount_path="/ui", max_failures=5)  # type: ignore[arg-type]
    assert [throttle.wait_after(n) for n in (1, 4, 5, 6, 7)] == [0.0, 0.0, 1.0, 2.0, 4.0]
    assert throttle.wait_after(100) == 900.0


def test_error_messages_are_taken_from_any_gradio_body() -> None:
    assert _message_of(b'{"detail": "Not authenticated"}') == "Not authenticated"
    assert _message_of(b'{"error": {"status": 403, "message": "no"}}') == "no"
    assert _message_of(b"File too large") == "File too large"
