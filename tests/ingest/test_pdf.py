"""PDF reading (rag.ingest.pdf): tables as rows, scanned pages through real OCR, honest failures."""

from __future__ import annotations

import difflib
import io

import pytest

from rag.errors import DocumentError, ExtractionError
from rag.ingest.loading import load_bytes
from tests.ingest.builders import AWARD_HEADER, AWARD_ROWS, mixed_pdf, scanned_pdf, text_pdf

#: Known text of a scanned page: a 公文 paragraph with figures, names and punctuation.
SCANNED_LINES = [
    "关于做好2024年度技能人才评价工作的通知",
    "各区县人力资源和社会保障局：",
    "为加快培养高技能人才队伍，现将有关事项通知如下。",
    "一、对新取得高级技师职业资格的，每人补贴3000元。",
    "二、对新取得技师职业资格的，每人补贴2000元。",
    "三、松花江区技能大师工作室每个资助15万元。",
    "四、申报截止时间为2024年10月31日。",
]


def character_accuracy(expected: str, got: str) -> float:
    """1 - (edit operations / expected length), whitespace ignored: the usual OCR character accuracy."""
    a, b = "".join(expected.split()), "".join(got.split())
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    errors = sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal")
    return 1 - errors / len(a)


def test_pdf_table_rows_keep_their_header_and_text_around_stays_in_order() -> None:
    data = text_pdf([["哈尔滨市技能人才奖励通知", "现将2023年奖励标准公布如下。"], ["第二页的内容。"]],
                    table=[AWARD_HEADER, *AWARD_ROWS])
    doc = load_bytes("awards.pdf", data)
    lines = doc.text.split("\n")
    assert lines[:5] == [
        "哈尔滨市技能人才奖励通知",
        "现将2023年奖励标准公布如下。",
        "单位：哈尔滨市，评选人数：50人，每人奖励：5万元。",
        "单位：齐齐哈尔市，评选人数：20人，每人奖励：2万元。",
        "单位：牡丹江市，评选人数：15人，每人奖励：1.5万元。",
    ]
    assert doc.text.count("哈尔滨市，") == 1  # a cell is read once, as part of its row
    assert [(p.number, p.ocr) for p in doc.pages] == [(1, False), (2, False)]
    assert doc.text[doc.pages[1].start :] == "第二页的内容。"


def test_encrypted_pdf_is_reported_not_indexed_empty() -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(text_pdf([["机密文件内容。"]]))).pages:
        writer.add_page(page)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(ExtractionError, match="encrypted PDF"):
        load_bytes("secret.pdf", out.getvalue())
    assert ExtractionError.http_status == 422


def test_scanned_pdf_with_ocr_off_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_OCR_ENABLED", "false")
    with pytest.raises(ExtractionError, match="OCR is off"):
        load_bytes("scan.pdf", scanned_pdf(text_pdf([["扫描件。"]]), dpi=72))


@pytest.mark.slow
def test_blank_scan_is_reported() -> None:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (600, 800), "white").save(out, format="PDF")
    with pytest.raises(ExtractionError, match="OCR found no text"):
        load_bytes("blank.pdf", out.getvalue())


@pytest.mark.slow
def test_scanned_page_is_read_by_ocr_with_high_character_accuracy() -> None:
    doc = load_bytes("scan.pdf", scanned_pdf(text_pdf([SCANNED_LINES])))
    accuracy = character_accuracy("".join(SCANNED_LINES), doc.text)
    assert accuracy >= 0.95, (accuracy, doc.text)
    assert [(p.number, p.ocr) for p in doc.pages] == [(1, True)]
    assert doc.pages[0].confidence is not None and doc.pages[0].confidence >= 0.6
    assert doc.meta.date == ""  # the date sits inside a sentence: not a 成文日期 line


@pytest.mark.slow
def test_mixed_pdf_is_ocrd_page_by_page() -> None:
    typed = text_pdf([["第一页有文字层。"]])
    scanned = scanned_pdf(text_pdf([["第二页是扫描件，大工匠每人奖励5万元。"]]))
    doc = load_bytes("mixed.pdf", mixed_pdf(typed, scanned))
    assert [(p.number, p.ocr) for p in doc.pages] == [(1, False), (2, True)]
    assert doc.text.startswith("第一页有文字层。\n\n")
    assert "5万元" in doc.text[doc.pages[1].start :]


@pytest.mark.slow
def test_unreadable_scan_below_the_confidence_threshold_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Noise that OCR half-reads: refused by name with the page and its confidence."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(7)
    noise = (rng.random((900, 700)) > 0.5).astype(np.uint8) * 255
    out = io.BytesIO()
    Image.fromarray(noise).convert("RGB").save(out, format="PDF")
    monkeypatch.setenv("RAG_OCR_MIN_CONFIDENCE", "0.99")
    with pytest.raises(DocumentError) as caught:
        load_bytes("noise.pdf", out.getvalue())
    assert caught.value.name == "noise.pdf"
    assert "OCR" in caught.value.reason
