"""The chat page accepts only files Gradio itself received: unit checks and the real attack.

The attack (issue 10, defect 1) sends a ``gradio.FileData`` naming a server path to the upload
event through ``/ui/gradio_api/queue/join``. The slow tests replay it against the product's own
``create_app`` served by uvicorn on 127.0.0.1, in each auth mode (no keys, keys, open local mode),
with an engine over a private index copy: were the file read, it would be indexed. Every request
has a bounded timeout, so a server hung on ``/dev/zero`` fails the test instead of hanging CI.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from rag.api.app import create_app
from rag.engine import Engine
from rag.errors import DocumentError
from rag.settings import Settings
from tests.api.support import api_settings, live_server
from ui.chat_page import NOT_UPLOADED, ChatPage
from ui.documents import load_upload
from ui.upload_guard import (
    blocked_paths,
    file_references,
    received_file,
    refused_reference,
    upload_folder,
)

pytestmark = [  # Gradio's queue (not this code) still uses pandas options that pandas 3 deprecates
    pytest.mark.filterwarnings("ignore:.*no_silent_downcasting.*"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]

KEY = "guard-test-key-0123456789"
TIMEOUT = 10.0
SECRET_TEXT = "机密文件：青松县金库密码为八八八八。"


# ----- unit checks -----
def test_received_file_accepts_only_regular_files_inside_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "uploads"
    (folder / "abc").mkdir(parents=True)
    inside = folder / "abc" / "notice.txt"
    inside.write_text("通知。", encoding="utf-8")
    outside = tmp_path / "secret.txt"
    outside.write_text(SECRET_TEXT, encoding="utf-8")
    link = folder / "abc" / "link.txt"
    link.symlink_to(outside)
    linked_dir = folder / "escape"
    linked_dir.symlink_to(tmp_path)
    fifo = folder / "abc" / "pipe.txt"
    os.mkfifo(fifo)
    assert received_file(inside, folder)
    assert not received_file(outside, folder)
    assert not received_file(link, folder)
    assert not received_file(linked_dir / "secret.txt", folder)
    assert not received_file(fifo, folder)
    assert not received_file(folder / "abc", folder)
    assert not received_file(folder / ".." / "secret.txt", folder)
    assert not received_file("/dev/zero", folder)
    assert not received_file("abc/notice.txt", folder)  # relative: never resolved against the cwd


def test_every_path_in_an_event_body_is_found() -> None:
    body = {"data": [[{"path": "/a", "meta": {"_type": "gradio.FileData"}}, {"x": {"path": "/b"}}], "q"]}
    assert sorted(file_references(body)) == ["/a", "/b"]


def test_a_path_gradio_did_not_receive_is_refused_even_inside_the_folder(tmp_path: Path) -> None:
    upload = tmp_path / "abc" / "notice.txt"
    upload.parent.mkdir()
    upload.write_text("通知。", encoding="utf-8")
    other = tmp_path / "abc" / "other.txt"
    other.write_text("通知。", encoding="utf-8")
    received = {str(upload)}
    assert refused_reference({"data": [[{"path": str(upload)}]]}, received, tmp_path) is None
    assert refused_reference({"data": [[{"path": str(other)}]]}, received, tmp_path) == str(other)
    assert refused_reference({"data": [{"path": 7}]}, received, tmp_path) == "7"


def test_blocked_paths_name_the_product_data_but_never_the_upload_folder(tmp_path: Path) -> None:
    settings = Settings(
        index_dir=tmp_path / "index", corpus_dir=tmp_path / "corpus", feedback_path=tmp_path / "fb" / "f.jsonl"
    )
    blocked = blocked_paths(settings)
    assert str((tmp_path / "index").resolve()) in blocked
    assert str((tmp_path / "corpus").resolve()) in blocked
    assert "/etc" in blocked and "/dev" in blocked
    assert not any(upload_folder().is_relative_to(path) for path in blocked)


def test_load_upload_never_reads_a_device_or_a_pipe(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    started = time.monotonic()
    for path in (Path("/dev/zero"), fifo):
        with pytest.raises(DocumentError, match="not a regular file"):
            load_upload(path, 1000)
    assert time.monotonic() - started < 5
    link = tmp_path / "link.txt"
    link.symlink_to(tmp_path / "missing.txt")
    with pytest.raises(DocumentError, match="cannot be opened"):
        load_upload(link, 1000)


def test_the_upload_handler_refuses_a_client_named_path_before_anything_else(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET_TEXT, encoding="utf-8")
    page = ChatPage(lambda: None, Settings(open_local_mode=True, feedback_path=tmp_path / "f.jsonl"))
    for path in (str(secret), "/etc/passwd", "/dev/zero"):
        report, *_ = page.upload([path])
        assert report == NOT_UPLOADED


# ----- the attack through the real server -----
def upload_event(http: httpx.Client) -> tuple[int, int]:
    """(fn_index, trigger id) of the page's upload event, read from Gradio's own config."""
    config = http.get("/ui/config").json()
    elem_ids = {c["id"]: c.get("props", {}).get("elem_id") for c in config["components"]}
    for index, dependency in enumerate(config["dependencies"]):
        if [elem_ids.get(i) for i in dependency["inputs"]] == ["rag-upload"]:
            return index, dependency["targets"][0][0]
    raise AssertionError("the page has no upload event")


def join_upload(http: httpx.Client, path: str, name: str = "notice.txt") -> tuple[httpx.Response, str]:
    """Send the upload event naming ``path``, as the attack does; returns the response and session."""
    fn_index, trigger = upload_event(http)
    session = uuid.uuid4().hex[:12]
    payload = {
        "data": [[{"path": path, "orig_name": name, "meta": {"_type": "gradio.FileData"}}]],
        "fn_index": fn_index, "trigger_id": trigger, "session_hash": session, "event_data": None,
    }
    return http.post("/ui/gradio_api/queue/join", json=payload), session


def event_output(http: httpx.Client, session: str, deadline: float = 60.0) -> dict[str, Any]:
    """The ``process_completed`` message of a queued event (read with a bounded wait)."""
    ends = time.monotonic() + deadline
    with http.stream("GET", "/ui/gradio_api/queue/data", params={"session_hash": session}) as response:
        for line in response.iter_lines():
            if time.monotonic() > ends:
                break
            if line.startswith("data:"):
                message = json.loads(line[5:])
                if message.get("msg") == "process_completed":
                    return dict(message)
    raise AssertionError("the event did not complete in time")


def assert_healthy(http: httpx.Client) -> None:
    started = time.monotonic()
    response = http.get("/health", timeout=5)
    assert response.status_code == 200, response.text
    assert time.monotonic() - started < 5


def attack_targets(index_dir: Path) -> Iterator[tuple[str, str]]:
    """(label, path) of every file the attack names; the symlink is made by ``plant_symlink``."""
    secret = index_dir.parent / "secret.txt"
    secret.write_text(SECRET_TEXT, encoding="utf-8")
    yield "passwd", "/etc/passwd"
    yield "beside the index", str(secret)
    yield "device", "/dev/zero"


def plant_symlink(http: httpx.Client, secret: Path) -> str:
    """A path Gradio's upload route returned, then replaced by a symlink out of the upload folder."""
    uploaded = http.post("/ui/gradio_api/upload", files=[("files", ("plant.txt", "无害的内容。".encode()))])
    assert uploaded.status_code == 200, uploaded.text
    path = Path(uploaded.json()[0])
    path.unlink()
    path.symlink_to(secret)
    return str(path)


def run_attack(http: httpx.Client, engine: Engine, index_dir: Path, uploads_open: bool) -> None:
    before = {d.doc_id for d in engine.documents()}
    targets = list(attack_targets(index_dir))
    if uploads_open:
        targets.append(("symlink", plant_symlink(http, index_dir.parent / "secret.txt")))
    for label, path in targets:
        response, _ = join_upload(http, path)
        assert response.status_code == 403, (label, response.status_code, response.text)
        assert "only files uploaded to this page" in response.json()["error"]["message"], label
        assert_healthy(http)
    assert {d.doc_id for d in engine.documents()} == before
    assert all(SECRET_TEXT not in item.document.text for item in engine.index.documents.values())


def client(base_url: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, timeout=TIMEOUT, trust_env=False)


@pytest.mark.slow
def test_no_keys_mode_refuses_server_paths_and_closes_uploads(fresh_engine: Engine) -> None:
    index_dir = fresh_engine.settings.index_path
    app = create_app(api_settings(index_dir), engine=fresh_engine)
    with live_server(app) as server, client(server.base_url) as http:
        run_attack(http, fresh_engine, index_dir, uploads_open=False)
        closed = http.post("/ui/gradio_api/upload", files=[("files", ("a.txt", b"x"))])
        assert closed.status_code == 403 and "error" in closed.json()


@pytest.mark.slow
def test_keys_mode_refuses_server_paths_after_login(fresh_engine: Engine) -> None:
    index_dir = fresh_engine.settings.index_path
    app = create_app(api_settings(index_dir, api_keys=[KEY]), engine=fresh_engine)
    with live_server(app) as server, client(server.base_url) as http:
        anonymous, _ = join_upload_unauthenticated(http)
        assert anonymous.status_code in (401, 403)
        login = http.post("/ui/login", data={"username": "u", "password": KEY})
        assert login.status_code == 200, login.text
        run_attack(http, fresh_engine, index_dir, uploads_open=True)


def join_upload_unauthenticated(http: httpx.Client) -> tuple[httpx.Response, str]:
    payload = {"data": [[{"path": "/etc/passwd", "meta": {"_type": "gradio.FileData"}}]], "fn_index": 0,
               "session_hash": "x", "event_data": None}
    return http.post("/ui/gradio_api/queue/join", json=payload), "x"


@pytest.mark.slow
def test_open_local_mode_refuses_server_paths_but_indexes_a_real_upload(fresh_engine: Engine) -> None:
    index_dir = fresh_engine.settings.index_path
    app = create_app(api_settings(index_dir, open_local_mode=True), engine=fresh_engine)
    with live_server(app) as server, client(server.base_url) as http:
        run_attack(http, fresh_engine, index_dir, uploads_open=True)
        text = "青松县护林员奖励办法\n\n青松县对每位优秀护林员一次性奖励8888元。\n"
        uploaded = http.post("/ui/gradio_api/upload", files=[("files", ("guard_ok.txt", text.encode()))])
        response, session = join_upload(http, uploaded.json()[0], "guard_ok.txt")
        assert response.status_code == 200, response.text
        output = event_output(http, session)
        assert "guard_ok.txt" in json.dumps(output["output"], ensure_ascii=False)
        assert "guard_ok.txt" in {d.doc_id for d in fresh_engine.documents()}
        assert_healthy(http)
