"""Bounded parsing (rag.ingest.limits): hostile files are refused while they are parsed."""

from __future__ import annotations

import io
import zipfile

import pytest

from rag.errors import DocumentLimitError
from rag.ingest.limits import Budget, ParseLimits
from rag.ingest.loading import load_bytes
from tests.ingest.builders import AWARD_HEADER, AWARD_ROWS, xlsx

_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def many_paragraphs_docx(count: int) -> bytes:
    """The issue's hostile file: thousands of one-line paragraphs in a few tens of KB."""
    body = "".join(f"<w:p><w:r><w:t>第{i}行。</w:t></w:r></w:p>" for i in range(count))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", f"<w:document {_W}><w:body>{body}</w:body></w:document>")
    return out.getvalue()


def inflating_docx(member: str, megabytes: int) -> bytes:
    """A small .docx with one member that inflates to ``megabytes`` MB (a huge comment, a zip bomb)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("word/document.xml", f"<w:document {_W}><w:body><w:p><w:r><w:t>正文。</w:t></w:r></w:p></w:body></w:document>")
        with archive.open(member, "w", force_zip64=True) as handle:
            block = b" " * (1 << 20)
            for _ in range(megabytes):
                handle.write(block)
    return out.getvalue()


def test_many_paragraphs_are_refused_with_the_setting_named() -> None:
    data = many_paragraphs_docx(2000)
    assert len(data) < 40_000
    with pytest.raises(DocumentLimitError, match="RAG_MAX_DOCUMENT_PARAGRAPHS") as caught:
        load_bytes("hostile.docx", data)
    assert caught.value.name == "hostile.docx"
    assert DocumentLimitError.http_status == 413


def test_a_file_within_the_limits_loads() -> None:
    assert load_bytes("fine.docx", many_paragraphs_docx(200)).text.startswith("第0行。\n\n第1行。")


def test_huge_comment_is_refused_before_inflating() -> None:
    data = inflating_docx("word/comments.xml", 200)
    assert len(data) < 1_000_000
    with pytest.raises(DocumentLimitError, match="inflates"):
        load_bytes("comment.docx", data)


def test_zip_bomb_body_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_MAX_DECOMPRESSED_BYTES", str(4 * 1024 * 1024))
    with pytest.raises(DocumentLimitError, match="RAG_MAX_DECOMPRESSED_BYTES"):
        load_bytes("bomb.docx", inflating_docx("word/document.xml.rels", 8))


def test_characters_limit_applies_to_plain_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_MAX_DOCUMENT_CHARS", "1000")
    with pytest.raises(DocumentLimitError, match="characters"):
        load_bytes("long.txt", ("大工匠每人奖励5万元。" * 50 + "\n").encode() * 3)


def test_pages_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_MAX_DOCUMENT_PAGES", "2")
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(3):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(DocumentLimitError, match="pages"):
        load_bytes("long.pdf", out.getvalue())


def test_table_cells_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_MAX_TABLE_CELLS", "10")
    with pytest.raises(DocumentLimitError, match="table cells"):
        load_bytes("big.xlsx", xlsx({"表": [AWARD_HEADER, *AWARD_ROWS] * 3}))


def test_budget_counts_only_non_blank_paragraphs() -> None:
    budget = Budget("x.txt", ParseLimits(paragraphs=2))
    budget.add_lines("一。\n\n\n二。\n   \n")
    assert budget.paragraphs == 2
    with pytest.raises(DocumentLimitError):
        budget.add_text("三。")
