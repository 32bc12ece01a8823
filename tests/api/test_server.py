"""``rag serve``: loopback by default, remote only with --allow-remote and API keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from rag.api.server import UnsafeBindError, browse_url, check_bind, startup_lines
from rag.cli import app as cli

from .support import api_settings


def test_remote_hosts_need_the_flag_and_keys() -> None:
    without_keys = api_settings(Path("unused"))
    with_keys = api_settings(Path("unused"), api_keys=["k" * 16])
    check_bind("127.0.0.1", False, without_keys)
    with pytest.raises(UnsafeBindError, match="--allow-remote"):
        check_bind("0.0.0.0", False, with_keys)
    with pytest.raises(UnsafeBindError, match="RAG_API_KEYS"):
        check_bind("0.0.0.0", True, without_keys)
    check_bind("0.0.0.0", True, with_keys)


def test_addresses_and_open_mode_warning() -> None:
    assert browse_url("0.0.0.0", 8000, "/ui") == "http://127.0.0.1:8000/ui"
    assert browse_url("::1", 9000) == "http://[::1]:9000"
    lines = startup_lines("127.0.0.1", 8123, api_settings(Path("unused"), open_local_mode=True))
    assert "http://127.0.0.1:8123/ui" in lines[0] and "http://127.0.0.1:8123/docs" in lines[1]
    assert any(line.startswith("WARNING") and "RAG_OPEN_LOCAL_MODE" in line for line in lines)
    assert not any("WARNING" in line for line in startup_lines("127.0.0.1", 1, api_settings(Path("unused"))))


def test_cli_refuses_a_public_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RAG_API_KEYS", raising=False)
    runner = CliRunner()
    result = runner.invoke(cli, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2 and "--allow-remote" in result.output
    result = runner.invoke(cli, ["serve", "--host", "0.0.0.0", "--allow-remote"])
    assert result.exit_code == 2 and "RAG_API_KEYS" in result.output


def test_cli_refuses_an_unknown_log_level() -> None:
    result = CliRunner().invoke(cli, ["serve", "--log-level", "loud"])
    assert result.exit_code == 2 and "log level" in result.output


def test_short_api_keys_are_refused_at_start() -> None:
    from rag.api.app import create_app
    from rag.api.server import WeakKeyError

    short = api_settings(Path("unused"), api_keys=["long-enough-key-0123", "short"])
    with pytest.raises(WeakKeyError, match=r"API key #2 .* shorter than 16") as raised:
        create_app(short, mount_ui=False)
    assert "short" not in str(raised.value).replace("shorter", "")  # the key itself is never shown
    with pytest.raises(WeakKeyError):
        check_bind("127.0.0.1", False, short)
    check_bind("127.0.0.1", False, api_settings(Path("unused"), api_keys=["s" * 8], min_api_key_chars=8))
