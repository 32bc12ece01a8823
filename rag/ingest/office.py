"""Office formats read from their XML: .docx, .xlsx, .csv, OFD, and .doc/.wps through LibreOffice.

Why not python-docx for reading: it looks up each paragraph's style through the style chain, 3-6 ms
a paragraph, so a small hostile file holds the index writer for minutes. Reading ``word/document.xml``
directly costs microseconds a paragraph, and lets every count go through the file's ``Budget``.
Tables become one sentence per row with its header (``tables.row_sentences``).

OFD (GB/T 33190, the national format of electronic official documents) is a zip of XML pages whose
text objects carry their position; lines are rebuilt from those positions. ``.doc`` and ``.wps``
(old binary Word and WPS Writer) are converted once by LibreOffice headless into .docx, cached by
content hash, then read as .docx.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag.errors import DocumentError
from rag.ingest.limits import Budget, read_member
from rag.ingest.tables import row_sentences
from rag.schema import Heading, Page

__all__ = ["Extracted", "read_csv", "read_doc", "read_docx", "read_ofd", "read_xlsx"]

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass
class Extracted:
    """What a format reader returns: text, plus the title, headings and pages its structure states."""

    text: str
    title: str = ""
    headings: list[Heading] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)


def _xml(name: str, data: bytes) -> Any:
    """Parse XML without entity expansion or network access (a file is data, not instructions)."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
    try:
        return etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as error:
        raise DocumentError(name, f"broken XML inside the file ({error})") from None


def _open_zip(name: str, data: bytes, kind: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise DocumentError(name, f"not a {kind} (content is not a zip archive)") from None


def _join_blocks(blocks: list[tuple[str, bool]]) -> tuple[str, list[Heading], str]:
    """Blocks (text, is-heading) joined with blank lines; headings at their offsets."""
    parts: list[str] = []
    headings: list[Heading] = []
    offset = 0
    for text, is_heading in blocks:
        if parts:
            offset += 2
        if is_heading and len(text) <= 200:
            headings.append(Heading(offset, " ".join(text.split())))
        parts.append(text)
        offset += len(text)
    return "\n\n".join(parts), headings, ""


# --- DOCX ---


def _paragraph_text(paragraph: Any) -> str:
    """A w:p's text as Word shows it: runs, tabs and line breaks (deleted revisions are w:delText)."""
    out: list[str] = []
    for node in paragraph.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"):
        tag = node.tag
        if tag == f"{_W}t":
            out.append(node.text or "")
        elif tag == f"{_W}tab":
            out.append("\t")
        else:
            out.append("\n")
    return "".join(out)


def _table_grid(table: Any, budget: Budget) -> list[list[str]]:
    """A w:tbl as a grid: merged cells (gridSpan) repeated over their columns, vertically merged
    ones (vMerge) carry the text of the cell above, so every cell has its column's header."""
    grid: list[list[str]] = []
    for row in table.iterchildren(f"{_W}tr"):
        cells: list[str] = []
        for cell in row.iterchildren(f"{_W}tc"):
            props = cell.find(f"{_W}tcPr")
            span = 1
            continued = False
            if props is not None:
                grid_span = props.find(f"{_W}gridSpan")
                if grid_span is not None and (grid_span.get(f"{_W}val") or "1").isdigit():
                    span = max(1, min(int(grid_span.get(f"{_W}val") or "1"), 64))
                merge = props.find(f"{_W}vMerge")
                continued = merge is not None and merge.get(f"{_W}val") != "restart"
            column = len(cells)
            if continued and grid and column < len(grid[-1]):
                text = grid[-1][column]
            else:
                text = " ".join(_paragraph_text(p) for p in cell.iter(f"{_W}p"))
            cells.extend([text] * span)
        budget.add_cells(len(cells))
        grid.append(cells)
    return grid


def _body_blocks(body: Any) -> Iterator[Any]:
    """Paragraphs and tables of the body in order, looking inside content controls (w:sdt)."""
    for child in body.iterchildren():
        if child.tag in (f"{_W}p", f"{_W}tbl"):
            yield child
        elif child.tag in (f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml"):
            yield from _body_blocks(child)


def _style_names(archive: zipfile.ZipFile, name: str, budget: Budget) -> dict[str, str]:
    """styleId -> style name, read once from word/styles.xml (headings are found by name)."""
    if "word/styles.xml" not in archive.namelist():
        return {}
    root = _xml(name, read_member(archive, "word/styles.xml", budget))
    names = {}
    for style in root.iter(f"{_W}style"):
        style_id = style.get(f"{_W}styleId")
        label = style.find(f"{_W}name")
        if style_id and label is not None:
            names[style_id] = label.get(f"{_W}val") or ""
    return names


def _core_title(archive: zipfile.ZipFile, name: str, budget: Budget) -> str:
    if "docProps/core.xml" not in archive.namelist():
        return ""
    root = _xml(name, read_member(archive, "docProps/core.xml", budget))
    title = root.find("{http://purl.org/dc/elements/1.1/}title")
    return (title.text or "").strip() if title is not None else ""


def read_docx(name: str, data: bytes, budget: Budget, normalise: Any) -> Extracted:
    """Paragraphs and table rows joined with blank lines; Title/Heading styles become headings."""
    with _open_zip(name, data, ".docx") as archive:
        if "word/document.xml" not in archive.namelist():
            raise DocumentError(name, "not a .docx (no word/document.xml inside)")
        root = _xml(name, read_member(archive, "word/document.xml", budget))
        styles = _style_names(archive, name, budget)
        core_title = _core_title(archive, name, budget)
    body = root.find(f"{_W}body")
    if body is None:
        raise DocumentError(name, "not a .docx (no document body)")
    blocks: list[tuple[str, bool]] = []
    title = ""
    for block in _body_blocks(body):
        if block.tag == f"{_W}tbl":
            for line in row_sentences(_table_grid(block, budget)):
                budget.add_text(line)
                blocks.append((line, False))
            continue
        text = normalise(_paragraph_text(block)).strip()
        if not text:
            continue
        budget.add_text(text)
        style_ref = block.find(f"{_W}pPr/{_W}pStyle")
        style = styles.get(style_ref.get(f"{_W}val"), "") if style_ref is not None else ""
        kind = style.lower()
        is_heading = kind.startswith(("heading", "title", "标题"))
        if kind.startswith("title") and not title:
            title = " ".join(text.split())
        blocks.append((text, is_heading))
    text, headings, _ = _join_blocks(blocks)
    title = title or core_title or (headings[0].text if headings else "")
    return Extracted(text, title=title, headings=headings)


# --- XLSX and CSV ---


def read_xlsx(name: str, data: bytes, budget: Budget) -> Extracted:
    """Each sheet: its name as a heading, then each row with the sheet's header row."""
    archive = _open_zip(name, data, ".xlsx")
    with archive:
        if "xl/workbook.xml" not in archive.namelist():
            raise DocumentError(name, "not an .xlsx (no xl/workbook.xml inside)")
        declared = sum(info.file_size for info in archive.infolist())
        read_member(archive, "xl/workbook.xml", budget)  # checks the declared sizes too
    del declared
    import openpyxl  # lazily: only spreadsheets pay for it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types on malformed files
        raise DocumentError(name, f"unreadable .xlsx ({type(error).__name__}: {error})") from None
    blocks: list[tuple[str, bool]] = []
    try:
        for sheet in workbook.worksheets:
            rows: list[list[str | None]] = []
            for row in sheet.iter_rows(values_only=True):
                budget.add_cells(len(row))
                rows.append([_cell_text(value) for value in row])
            lines = row_sentences(rows)
            if not lines:
                continue
            blocks.append((sheet.title, True))
            for line in lines:
                budget.add_text(line)
                blocks.append((line, False))
    finally:
        workbook.close()
    text, headings, _ = _join_blocks(blocks)
    return Extracted(text, title="", headings=headings)


def _cell_text(value: object) -> str | None:
    """A cell as written: whole floats without '.0', dates as dates."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "strftime") and hasattr(value, "year"):
        return f"{value.year}年{value.month}月{value.day}日"  # type: ignore[attr-defined]
    return str(value)


def read_csv(name: str, text: str, budget: Budget) -> Extracted:
    """A CSV (comma, tab or semicolon separated, sniffed) as one table: rows with their header."""
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;，")
    except csv.Error:
        dialect = csv.excel
    rows: list[list[str | None]] = []
    for row in csv.reader(io.StringIO(text), dialect):
        budget.add_cells(len(row))
        rows.append(list(row))
    lines = row_sentences(rows)
    for line in lines:
        budget.add_text(line)
    return Extracted("\n".join(lines))


# --- OFD ---

_OFD_NS = re.compile(r"^\{[^}]*\}")


def _local(tag: object) -> str:
    return _OFD_NS.sub("", str(tag))


def _ofd_page_lines(root: Any) -> list[str]:
    """Text objects of an OFD page grouped into lines by their vertical position, left to right."""
    items: list[tuple[float, float, str]] = []
    for node in root.iter():
        if _local(node.tag) != "TextObject":
            continue
        box = [float(v) for v in (node.get("Boundary") or "0 0 0 0").split()[:4]]
        text = "".join(code.text or "" for code in node.iter() if _local(code.tag) == "TextCode")
        if text.strip():
            items.append((box[1], box[0], text))
    items.sort()
    lines: list[list[tuple[float, str]]] = []
    last_y: float | None = None
    for y, x, text in items:
        if last_y is None or abs(y - last_y) > 2.0:  # millimetres: a new line
            lines.append([])
        lines[-1].append((x, text))
        last_y = y
    return ["".join(t for _, t in sorted(line)) for line in lines]


def read_ofd(name: str, data: bytes, budget: Budget, normalise: Any) -> Extracted:
    """Pages of an OFD (OFD.xml -> Document.xml -> Pages/Page/@BaseLoc), text rebuilt in lines."""
    with _open_zip(name, data, ".ofd") as archive:
        members = set(archive.namelist())
        if "OFD.xml" not in members:
            raise DocumentError(name, "not an OFD (no OFD.xml inside)")
        ofd = _xml(name, read_member(archive, "OFD.xml", budget))
        doc_root = next((n.text for n in ofd.iter() if _local(n.tag) == "DocRoot" and n.text), None)
        title = next((n.text for n in ofd.iter() if _local(n.tag) == "Title" and n.text), "") or ""
        if not doc_root or doc_root.strip().lstrip("/") not in members:
            raise DocumentError(name, "not an OFD (no DocRoot document)")
        doc_path = doc_root.strip().lstrip("/")
        document = _xml(name, read_member(archive, doc_path, budget))
        base = doc_path.rsplit("/", 1)[0] + "/" if "/" in doc_path else ""
        page_locs = [n.get("BaseLoc") for n in document.iter() if _local(n.tag) == "Page" and n.get("BaseLoc")]
        budget.check_pages(len(page_locs))
        page_texts = []
        for loc in page_locs:
            path = str(loc).lstrip("/")
            path = path if path in members else base + path
            if path not in members:
                raise DocumentError(name, f"broken OFD: page {loc} is missing")
            lines = _ofd_page_lines(_xml(name, read_member(archive, path, budget)))
            page_text = normalise("\n".join(lines)).strip()
            budget.add_lines(page_text)
            page_texts.append(page_text)
    return joined_pages(page_texts, title=title.strip())


def joined_pages(page_texts: list[str], ocr: list[bool] | None = None,
                 confidence: list[float | None] | None = None, title: str = "") -> Extracted:
    """Page texts joined with blank lines, with where each page starts (empty pages included)."""
    parts: list[str] = []
    pages: list[Page] = []
    offset = 0
    for number, page_text in enumerate(page_texts, start=1):
        if parts and page_text:
            offset += 2
        pages.append(Page(number, offset, bool(ocr and ocr[number - 1]),
                          confidence[number - 1] if confidence else None))
        if page_text:
            parts.append(page_text)
            offset += len(page_text)
    return Extracted("\n\n".join(parts), title=title, pages=pages)


# --- .doc / .wps through LibreOffice ---


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def read_doc(name: str, data: bytes, cache_dir: Path, budget: Budget, normalise: Any) -> Extracted:
    """An old Word (.doc) or WPS Writer (.wps) file, converted once to .docx by LibreOffice
    headless (cached by content hash in ``cache_dir``), then read as a .docx."""
    if not data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2 compound file
        raise DocumentError(name, "not a .doc/.wps (content is not an OLE2 compound file)")
    digest = hashlib.sha256(data).hexdigest()
    cached = cache_dir / "converted" / f"{digest}.docx"
    if not cached.is_file():
        soffice = _soffice()
        if soffice is None:
            raise DocumentError(name, "reading .doc/.wps needs LibreOffice (Debian: libreoffice-writer-nogui)")
        cached.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="rag-convert-") as work:
            source = Path(work) / f"in{Path(name).suffix.lower()}"
            source.write_bytes(data)
            profile = Path(work) / "profile"
            try:
                subprocess.run(
                    [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                     "--convert-to", "docx:MS Word 2007 XML", "--outdir", work, str(source)],
                    check=True, capture_output=True, timeout=120,
                )
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as error:
                raise DocumentError(name, f"LibreOffice could not convert it ({type(error).__name__})") from None
            converted = Path(work) / "in.docx"
            if not converted.is_file():
                raise DocumentError(name, "LibreOffice could not convert it (no output)")
            partial = cached.with_suffix(f".{os.getpid()}.partial")
            shutil.copyfile(converted, partial)
            os.replace(partial, cached)  # atomic: a reader never sees half a conversion
    return read_docx(name, cached.read_bytes(), budget, normalise)
