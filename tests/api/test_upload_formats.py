"""Uploads of the new formats through the real server: tables answered, hostile and unreadable files
refused with 413/422 naming the file, the index left unchanged."""

from __future__ import annotations

import io

from tests.ingest.builders import xlsx
from tests.ingest.test_limits import many_paragraphs_docx

from .support import LiveServer

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_sheet_upload_answers_a_cell_question(open_server: LiveServer) -> None:
    data = xlsx({"奖励": [["单位", "人才类别", "每人奖励"], ["抚远市", "首席技师", "8万元"], ["同江市", "首席技师", "4万元"]]})
    with open_server.client() as client:
        response = client.post("/documents", files=[("files", ("border.xlsx", data, XLSX))])
        assert response.status_code == 200, response.text
        answer = client.post("/ask", json={"question": "抚远市首席技师每人奖励多少钱？"}).json()
        assert "8万元" in (answer["short_answer"] or answer["answer"])
        assert answer["citations"][0]["doc"] == "border.xlsx"


def test_hostile_and_unreadable_files_are_refused_by_name(open_server: LiveServer) -> None:
    from PIL import Image

    blank = io.BytesIO()
    Image.new("RGB", (300, 400), "white").save(blank, format="PDF")
    with open_server.client() as client:
        hostile = client.post("/documents", files=[("files", ("hostile.docx", many_paragraphs_docx(2000), DOCX))])
        assert hostile.status_code == 413, hostile.text
        assert "hostile.docx" in hostile.json()["error"]["message"]
        assert "RAG_MAX_DOCUMENT_PARAGRAPHS" in hostile.json()["error"]["message"]
        scan = client.post("/documents", files=[("files", ("blank-scan.pdf", blank.getvalue(), "application/pdf"))])
        assert scan.status_code == 422, scan.text
        assert "blank-scan.pdf" in scan.json()["error"]["message"]
        assert client.get("/documents").json()["count"] == 5
