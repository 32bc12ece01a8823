"""DOCX (read from its XML), .xlsx, .csv, OFD and .doc/.wps (rag.ingest.office), on files built here."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest

from rag.errors import DocumentError
from rag.ingest.loading import load_bytes
from tests.ingest.builders import AWARD_HEADER, AWARD_ROWS, docx_with_table, ofd, word97_doc, xlsx

HARBIN_ROW = "单位：哈尔滨市，评选人数：50人，每人奖励：5万元。"


def test_docx_table_rows_keep_their_header() -> None:
    doc = load_bytes("awards.docx", docx_with_table(["2023年大工匠奖励标准如下。"], AWARD_HEADER, AWARD_ROWS))
    assert doc.text.split("\n\n") == [
        "2023年大工匠奖励标准如下。",
        HARBIN_ROW,
        "单位：齐齐哈尔市，评选人数：20人，每人奖励：2万元。",
        "单位：牡丹江市，评选人数：15人，每人奖励：1.5万元。",
    ]


def test_docx_merged_cells_keep_their_header() -> None:
    import docx

    document = docx.Document()
    table = document.add_table(rows=3, cols=3)
    for j, cell in enumerate(["地区", "项目", "金额"]):
        table.cell(0, j).text = cell
    table.cell(1, 0).merge(table.cell(2, 0)).text = "哈尔滨市"  # vertically merged: both rows are 哈尔滨
    table.cell(1, 1).text, table.cell(1, 2).text = "大工匠", "5万元"
    table.cell(2, 1).text, table.cell(2, 2).text = "技术能手", "1万元"
    out = io.BytesIO()
    document.save(out)
    text = load_bytes("merged.docx", out.getvalue()).text
    assert "地区：哈尔滨市，项目：技术能手，金额：1万元。" in text


def test_docx_content_controls_and_breaks_are_read() -> None:
    document_xml = (
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        "<w:sdt><w:sdtContent><w:p><w:r><w:t>控件里的段落。</w:t></w:r></w:p></w:sdtContent></w:sdt>"
        "<w:p><w:r><w:t>第一行</w:t><w:br/><w:t>第二行。</w:t></w:r></w:p>"
        "<w:p><w:del><w:r><w:delText>删除的文字</w:delText></w:r></w:del><w:r><w:t>保留的文字。</w:t></w:r></w:p>"
        "</w:body></w:document>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", document_xml)
    doc = load_bytes("raw.docx", out.getvalue())
    assert doc.text == "控件里的段落。\n\n第一行\n第二行。\n\n保留的文字。"


def test_xlsx_sheets_rows_with_headers() -> None:
    data = xlsx({
        "大工匠奖励": [AWARD_HEADER, *AWARD_ROWS],
        "补贴": [["项目", "标准"], ["生活补贴", 2000], ["评选日期", None]],
    })
    doc = load_bytes("awards.xlsx", data)
    assert [h.text for h in doc.headings] == ["大工匠奖励", "补贴"]
    assert HARBIN_ROW in doc.text
    assert "项目：生活补贴，标准：2000。" in doc.text  # whole numbers without '.0'


def test_csv_rows_with_headers() -> None:
    rows = [",".join(AWARD_HEADER)] + [",".join(r) for r in AWARD_ROWS]
    doc = load_bytes("awards.csv", "\n".join(rows).encode("gb18030"))
    assert doc.text.split("\n")[0] == HARBIN_ROW


def test_ofd_pages_in_reading_order() -> None:
    data = ofd([["临江市人民政府关于技能人才奖励的通知", "第一条 对大工匠每人奖励5万元。"], ["第二条 本通知自印发之日起施行。"]],
               title="技能人才奖励通知")
    doc = load_bytes("notice.ofd", data)
    assert doc.text == "临江市人民政府关于技能人才奖励的通知\n第一条 对大工匠每人奖励5万元。\n\n第二条 本通知自印发之日起施行。"
    assert [(p.number, p.start, p.ocr) for p in doc.pages] == [(1, 0, False), (2, doc.text.index("第二条"), False)]
    assert doc.meta.issuer == "临江市人民政府"
    assert [h.text for h in doc.headings if h.level] == ["第一条", "第二条"]


def test_ofd_without_its_parts_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "not an ofd")
    with pytest.raises(DocumentError, match="no OFD.xml"):
        load_bytes("fake.ofd", out.getvalue())


def test_doc_that_is_not_ole2_is_refused() -> None:
    with pytest.raises(DocumentError, match="OLE2"):
        load_bytes("fake.doc", b"plain text pretending to be Word")


@pytest.mark.slow
def test_doc_and_wps_are_converted_once_and_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real .doc written by LibreOffice; the same OLE2 file named .wps stands for a WPS Writer
    file (LibreOffice cannot write .wps; it reads both by content)."""
    assert shutil.which("soffice"), "needs LibreOffice: Debian's libreoffice-writer-nogui (scripts/test.sh installs it)"
    data = word97_doc(["关于大工匠奖励的通知", "奖励标准如下。"], AWARD_HEADER, AWARD_ROWS, str(tmp_path))
    assert data.startswith(b"\xd0\xcf\x11\xe0")
    monkeypatch.setenv("RAG_CACHE_DIR", str(tmp_path / "cache"))
    doc = load_bytes("notice.doc", data)
    assert doc.text.startswith("关于大工匠奖励的通知\n\n奖励标准如下。")
    assert HARBIN_ROW in doc.text
    assert len(list((tmp_path / "cache" / "converted").glob("*.docx"))) == 1
    wps = load_bytes("notice.wps", data)  # same content: the cached conversion is reused
    assert wps.text == doc.text
    assert len(list((tmp_path / "cache" / "converted").glob("*.docx"))) == 1
