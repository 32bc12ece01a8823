"""Loading every supported format, refusing what is not a document, and sanitising uploads."""

import hashlib
import zipfile
from pathlib import Path

import docx
import pytest

from rag.errors import DocumentError
from rag.ingest.loading import SUPPORTED_SUFFIXES, load_bytes, load_document, load_documents, safe_file_name

PNG_MAGIC = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


def make_pdf(pages: list[list[str]]) -> bytes:
    """A minimal valid PDF (Helvetica, one text line per entry), written by hand with its xref."""
    objects: list[bytes] = []
    page_ids = [3 + 2 * i for i in range(len(pages))]
    font_id = 3 + 2 * len(pages)
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = " ".join(f"{i} 0 R" for i in page_ids)
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    for page_id, lines in zip(page_ids, pages):
        ops = ["BT", "/F1 12 Tf", "72 720 Td", "16 TL"]
        for line in lines:
            escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"({escaped}) Tj T*")
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {page_id + 1} 0 R "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def make_docx(path: Path) -> Path:
    document = docx.Document()
    document.add_heading("年度工作报告", level=0)  # Title style
    document.add_paragraph("这是引言部分，说明报告的背景。")
    document.add_heading("第一部分 总体情况", level=1)
    document.add_paragraph("全省技能人才总量达到1046.6万人。")
    document.add_paragraph("")  # empty paragraphs are skipped
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "指标", "数值"
    table.cell(1, 0).text, table.cell(1, 1).text = "高技能人才", "309.7万人"
    document.add_heading("第二部分 下一步打算", level=2)
    document.add_paragraph("继续深化改革。")
    document.save(path)
    return path


# --- each format ---


def test_txt_keeps_original_text_but_normalises_line_endings_and_bom(tmp_path: Path) -> None:
    raw = "\ufeff正式标题\r\n\r\n这是第一段，内容完整。\r\n".encode()
    path = tmp_path / "报告.txt"
    path.write_bytes(raw)
    doc = load_document(path)
    assert doc.doc_id == "报告.txt"
    assert doc.text == "正式标题\n\n这是第一段，内容完整。\n"
    assert doc.title == "正式标题"
    assert doc.headings[0].start == 0
    assert doc.content_hash == hashlib.sha256(raw).hexdigest()
    assert doc.source == str(path)


def test_title_falls_back_to_file_stem(tmp_path: Path) -> None:
    path = tmp_path / "no_title.txt"
    path.write_text("这是一段很长的正文，没有任何标题，" * 5 + "结束。", encoding="utf-8")
    assert load_document(path).title == "no_title"


def test_markdown_headings_point_into_unchanged_text(tmp_path: Path) -> None:
    text = "# 工作报告\n\n引言，说明背景。\n\n## 一、总体情况 ##\n\n正文。\n\n```\n# not a heading\n```\n\n次级标题\n===\n"
    path = tmp_path / "report.md"
    path.write_text(text, encoding="utf-8")
    doc = load_document(path)
    assert doc.text == text
    assert doc.title == "工作报告"
    assert [h.text for h in doc.headings] == ["工作报告", "一、总体情况", "次级标题"]
    for heading in doc.headings:
        assert doc.text[heading.start : heading.start + len(heading.text)] == heading.text


def test_html_drops_scripts_and_navigation_and_finds_headings(tmp_path: Path) -> None:
    html = """<!DOCTYPE html><html><head><title>站点 - 页面标题</title>
    <style>body { color: red }</style><script>var secret = 1;</script></head>
    <body><nav>首页 | 新闻 | 关于</nav>
    <h1>深化产业工人队伍建设改革</h1>
    <p>第一段    文字，
    换行的源代码。</p><p>第二段<br>换行之后。</p>
    <h2>一、<b>总体</b>情况</h2><ul><li>条目一；</li><li>条目二。</li></ul>
    <!-- a comment --><table><tr><td>指标</td><td>数值</td></tr></table>
    <pre>保留  空格</pre></body></html>"""
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    doc = load_document(path)
    assert "secret" not in doc.text and "color" not in doc.text and "首页" not in doc.text
    assert "comment" not in doc.text
    assert doc.title == "深化产业工人队伍建设改革"
    assert [h.text for h in doc.headings] == ["深化产业工人队伍建设改革", "一、总体情况"]
    for heading in doc.headings:
        assert doc.text[heading.start : heading.start + len(heading.text)] == heading.text
    lines = doc.text.split("\n")
    assert "第一段 文字， 换行的源代码。" in lines
    assert "第二段" in lines and "换行之后。" in lines
    assert "条目一；" in lines and "条目二。" in lines
    assert "指标 数值" in lines
    assert "保留  空格" in lines


def test_htm_without_h1_uses_page_title(tmp_path: Path) -> None:
    path = tmp_path / "page.htm"
    html = "<html><head><title>页面标题</title></head><body><p>正文内容。</p></body></html>"
    path.write_text(html, encoding="utf-8")
    doc = load_document(path)
    assert doc.title == "页面标题"
    assert doc.text == "正文内容。"


def test_pdf_pages_are_joined_with_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(make_pdf([["Annual Report"], ["Second page text."]]))
    doc = load_document(path)
    assert "Annual Report" in doc.text and "Second page text." in doc.text
    assert doc.text.index("\n\n") < doc.text.index("Second page")
    assert doc.title == "Annual Report"


def test_docx_paragraphs_tables_and_heading_styles(tmp_path: Path) -> None:
    doc = load_document(make_docx(tmp_path / "report.docx"))
    assert doc.title == "年度工作报告"
    assert [h.text for h in doc.headings] == ["年度工作报告", "第一部分 总体情况", "第二部分 下一步打算"]
    for heading in doc.headings:
        assert doc.text[heading.start : heading.start + len(heading.text)] == heading.text
    assert doc.text.split("\n\n") == [
        "年度工作报告",
        "这是引言部分，说明报告的背景。",
        "第一部分 总体情况",
        "全省技能人才总量达到1046.6万人。",
        "指标：高技能人才，数值：309.7万人。",  # a table row is kept with its header
        "第二部分 下一步打算",
        "继续深化改革。",
    ]


def test_gb18030_text_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes("产业工人队伍建设改革。".encode("gb18030"))
    assert load_document(path).text == "产业工人队伍建设改革。"


# --- refusing what is not a document ---


def test_batch_reports_bad_files_by_name_and_loads_the_rest(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("标题\n\n好的文档。", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.md").write_text(" \n\n ", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"abc\x00\x01\x02" * 10)
    (tmp_path / "image.md").write_bytes(PNG_MAGIC)
    (tmp_path / "fake.pdf").write_text("I am only text pretending to be a PDF.", encoding="utf-8")
    (tmp_path / "fake.docx").write_text("not a zip", encoding="utf-8")
    (tmp_path / "notes.exe").write_bytes(b"MZ")  # unsupported: skipped inside a folder
    explicit = tmp_path / "explicit.exe"
    explicit.write_bytes(b"MZ")
    documents, errors = load_documents([tmp_path, explicit, tmp_path / "missing.txt"])
    assert [d.doc_id for d in documents] == ["good.txt"]
    by_name = {e.name: e.reason for e in errors}
    assert set(by_name) == {
        "binary.txt", "blank.md", "empty.txt", "fake.docx", "fake.pdf", "image.md", "explicit.exe",
        "missing.txt",
    }
    assert "empty" in by_name["empty.txt"] and "empty" in by_name["blank.md"]
    assert "binary" in by_name["binary.txt"]
    assert "image/png" in by_name["image.md"]
    assert "%PDF" in by_name["fake.pdf"]
    assert "zip" in by_name["fake.docx"]
    assert "unsupported" in by_name["explicit.exe"]
    assert "no such file" in by_name["missing.txt"]
    assert all(str(e).startswith(e.name + ": ") for e in errors)


def test_folders_expand_recursively_sorted_skipping_hidden(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text("二。", encoding="utf-8")
    (tmp_path / "a.md").write_text("一。", encoding="utf-8")
    (tmp_path / "c.txt").write_text("三。", encoding="utf-8")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "x.txt").write_text("隐藏。", encoding="utf-8")
    (tmp_path / ".secret.txt").write_text("隐藏。", encoding="utf-8")
    documents, errors = load_documents([tmp_path])
    assert errors == []
    assert [d.doc_id for d in documents] == ["a.md", "2.txt", "c.txt"]


def test_duplicate_file_names_are_reported_not_replaced(tmp_path: Path) -> None:
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "same.txt").write_text(f"{folder}。", encoding="utf-8")
    documents, errors = load_documents([tmp_path, tmp_path / "one" / "same.txt"])
    assert [d.text for d in documents] == ["one。"]
    assert [e.name for e in errors] == ["same.txt"] and "duplicate" in errors[0].reason


def test_corrupt_pdf_and_docx_are_document_errors(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="unreadable PDF"):
        load_bytes("broken.pdf", b"%PDF-1.4\n garbage without objects")
    archive = tmp_path / "x.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(DocumentError, match="word/document.xml"):
        load_bytes("renamed.docx", archive.read_bytes())
    with pytest.raises(DocumentError, match="no text"):
        load_bytes("scan.pdf", make_pdf([[]]))


# --- uploads ---


def test_upload_loads_like_a_file(tmp_path: Path) -> None:
    data = make_docx(tmp_path / "r.docx").read_bytes()
    doc = load_bytes("报告 2022.docx", data)
    assert doc.doc_id == "报告 2022.docx"
    assert doc.content_hash == hashlib.sha256(data).hexdigest()
    assert doc.title == "年度工作报告"
    assert load_bytes("a.pdf", make_pdf([["Hello PDF."]])).text == "Hello PDF."


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\windows\\win.md", "win.md"),
        ("..", "upload"),
        ("  .hidden.txt", "hidden.txt"),
        ("a\x00b\nc.txt", "abc.txt"),
        ('what?<x>|"y".html', "what__x___y_.html"),
    ],
)
def test_upload_names_are_sanitised(name: str, safe: str) -> None:
    assert safe_file_name(name) == safe


def test_upload_with_traversal_name_gets_the_safe_doc_id() -> None:
    doc = load_bytes("../../etc/passwd.txt", "根目录之外。".encode())
    assert doc.doc_id == "passwd.txt"
    assert "/" not in doc.doc_id and ".." not in doc.doc_id


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("x.pdf", b"just text", "%PDF"),
        ("x.docx", b"PK\x03\x04 not really", "zip"),
        ("x.txt", b"text\x00with nul", "NUL"),
        ("x.html", PNG_MAGIC, "image/png"),
        ("x.txt", b"plain text then \xff\xff bytes", "UTF-8 or GB18030"),
        ("x.txt", b"", "empty"),
        ("x.exe", b"MZ", "unsupported"),
        ("noext", b"hello", "unsupported"),
    ],
)
def test_upload_content_must_match_extension(name: str, data: bytes, reason: str) -> None:
    with pytest.raises(DocumentError, match=reason) as info:
        load_bytes(name, data)
    assert info.value.name == name


def test_upload_size_limit() -> None:
    with pytest.raises(DocumentError, match="too large"):
        load_bytes("big.txt", "字".encode() * 100, max_bytes=50)


def test_supported_suffixes() -> None:
    assert set(SUPPORTED_SUFFIXES) == {
        ".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".xlsx", ".csv", ".ofd", ".doc", ".wps"
    }


def test_utf16_text_with_bom_is_decoded() -> None:
    doc = load_bytes("wide.txt", "产业工人。\r\n第二行。".encode("utf-16"))
    assert doc.text == "产业工人。\n第二行。"
