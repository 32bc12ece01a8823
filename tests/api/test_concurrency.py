"""Uploads run in worker threads and do not block /ask, which keeps answering from the snapshot."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from .support import HARBIN_QUESTION, NEW_FACT_TEXT, LiveServer, make_docx

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_concurrent_asks_while_an_upload_runs_all_succeed(open_server: LiveServer) -> None:
    # a document long enough that embedding it takes a noticeable time
    paragraphs = [f"第{i}条 绥芬河市第{i}批技能人才培养计划安排培训经费{i}万元，用于职业技能提升。" for i in range(120)]
    data = make_docx(NEW_FACT_TEXT, *paragraphs, title="绥芬河市技能人才奖励办法")
    upload_started = threading.Event()
    results: list[tuple[int, str | None]] = []

    def upload() -> int:
        with open_server.client() as client:
            upload_started.set()
            return client.post("/documents", files=[("files", ("long.docx", data, DOCX))]).status_code

    def ask(_: int) -> None:
        upload_started.wait(30)
        with open_server.client() as client:
            for _ in range(3):
                response = client.post("/ask", json={"question": HARBIN_QUESTION})
                results.append((response.status_code, response.json().get("short_answer")))

    with ThreadPoolExecutor(max_workers=4) as pool:
        uploading = pool.submit(upload)
        asks = [pool.submit(ask, i) for i in range(3)]
        for future in asks:
            future.result(timeout=600)
        assert uploading.result(timeout=600) == 200
    assert len(results) == 9
    assert all(status == 200 and short == "5万元" for status, short in results), results
    with open_server.client() as client:
        assert "long.docx" in {d["id"] for d in client.get("/documents").json()["documents"]}
