"""Real files of every format, built by the tests themselves from known text.

PDFs are typeset by reportlab with a CJK font found through fontconfig (Debian's fonts-wqy-zenhei,
installed by scripts/test.sh); a scanned PDF is such a PDF rasterised by pdfium and saved back as
images only, so OCR has to read it. DOCX and XLSX come from python-docx and openpyxl, an OFD is
written as the zip of XML the standard (GB/T 33190) describes.
"""

from __future__ import annotations

import io
import subprocess
import zipfile
from collections.abc import Sequence
from functools import cache

import pytest

#: A table of awards per city, the cell 「5万元」 of 哈尔滨市 answers the tests' question.
AWARD_HEADER = ["单位", "评选人数", "每人奖励"]
AWARD_ROWS = [["哈尔滨市", "50人", "5万元"], ["齐齐哈尔市", "20人", "2万元"], ["牡丹江市", "15人", "1.5万元"]]


@cache
def cjk_font_path() -> str:
    """A font file with Chinese glyphs, found by fontconfig (no path of any machine is written)."""
    try:
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", ":lang=zh-cn"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        found = ""
    if not found or not any(name in found.lower() for name in ("wqy", "noto", "droid", "ukai", "uming", "cjk")):
        pytest.fail("no CJK font: install Debian's fonts-wqy-zenhei (scripts/test.sh does)")
    return found


def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "CJK" not in pdfmetrics.getRegisteredFontNames():
        path = cjk_font_path()
        font = TTFont("CJK", path, subfontIndex=0) if path.endswith(".ttc") else TTFont("CJK", path)
        pdfmetrics.registerFont(font)
    return "CJK"


def text_pdf(pages: Sequence[Sequence[str]], table: Sequence[Sequence[str]] | None = None,
             font_size: int = 14) -> bytes:
    """A PDF with a text layer: each page's lines, and on the first page a ruled table after them."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas
    from reportlab.platypus import Table, TableStyle

    font = _font()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    width, height = A4
    for number, lines in enumerate(pages):
        y = height - 72
        pdf.setFont(font, font_size)
        for line in lines:
            pdf.drawString(60, y, line)
            y -= font_size * 1.8
        if table is not None and number == 0:
            grid = Table([list(row) for row in table], colWidths=[130] * len(table[0]))
            grid.setStyle(TableStyle([
                ("FONT", (0, 0), (-1, -1), font, 12),
                ("GRID", (0, 0), (-1, -1), 0.8, colors.black),
            ]))
            _, table_height = grid.wrapOn(pdf, width, height)
            grid.drawOn(pdf, 60, y - table_height - 10)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def scanned_pdf(pdf: bytes, dpi: int = 150) -> bytes:
    """The same pages as images only: rasterised, then saved as a PDF without any text layer."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    images = [document[i].render(scale=dpi / 72).to_pil().convert("RGB") for i in range(len(document))]
    document.close()
    out = io.BytesIO()
    images[0].save(out, format="PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return out.getvalue()


def mixed_pdf(text_pages: bytes, scanned_pages: bytes) -> bytes:
    """A PDF whose first pages have a text layer and whose last ones are scans."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for source in (text_pages, scanned_pages):
        for page in PdfReader(io.BytesIO(source)).pages:
            writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_with_table(paragraphs: Sequence[str], header: Sequence[str], rows: Sequence[Sequence[str]]) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    table = document.add_table(rows=len(rows) + 1, cols=len(header))
    for j, cell in enumerate(header):
        table.cell(0, j).text = cell
    for i, row in enumerate(rows, start=1):
        for j, cell in enumerate(row):
            table.cell(i, j).text = cell
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx(sheets: dict[str, Sequence[Sequence[object]]]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def ofd(pages: Sequence[Sequence[str]], title: str = "") -> bytes:
    """A minimal OFD: OFD.xml -> Doc_0/Document.xml -> Doc_0/Pages/Page_N/Content.xml, one
    TextObject per line with its Boundary (millimetres from the top left)."""
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("OFD.xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {ns} Version="1.0" DocType="OFD">'
            f"<ofd:DocBody><ofd:DocInfo><ofd:Title>{title}</ofd:Title></ofd:DocInfo>"
            "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
        ))
        page_refs = "".join(
            f'<ofd:Page ID="{i + 1}" BaseLoc="Pages/Page_{i}/Content.xml"/>' for i in range(len(pages))
        )
        archive.writestr("Doc_0/Document.xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document {ns}><ofd:CommonData>'
            '<ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>'
            f"</ofd:CommonData><ofd:Pages>{page_refs}</ofd:Pages></ofd:Document>"
        ))
        for i, lines in enumerate(pages):
            objects = "".join(reversed([  # written bottom-up: the reading order comes from Boundary
                f'<ofd:TextObject ID="{100 + k}" Boundary="20 {30 + 8 * k} 170 6" Font="1" Size="4">'
                f'<ofd:TextCode X="0" Y="5">{line}</ofd:TextCode></ofd:TextObject>'
                for k, line in enumerate(lines)
            ]))
            archive.writestr(f"Doc_0/Pages/Page_{i}/Content.xml", (
                f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {ns}><ofd:Content><ofd:Layer ID="2">'
                f"{objects}</ofd:Layer></ofd:Content></ofd:Page>"
            ))
    return out.getvalue()


def word97_doc(paragraphs: Sequence[str], header: Sequence[str], rows: Sequence[Sequence[str]], tmp_dir: str) -> bytes:
    """An old binary Word (.doc, OLE2) file with paragraphs and a table, written by LibreOffice
    (from HTML: LibreOffice drops python-docx's tables when it writes .doc from .docx)."""
    import html
    from pathlib import Path

    cells = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in [header, *rows]
    )
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    source = Path(tmp_dir) / "source.html"
    source.write_text(f"<html><body>{body}<table border=1>{cells}</table></body></html>", encoding="utf-8")
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_dir}/profile", "--headless", "--convert-to",
         "doc:MS Word 97", "--outdir", tmp_dir, str(source)],
        check=True, capture_output=True, timeout=180,
    )
    return (Path(tmp_dir) / "source.doc").read_bytes()
