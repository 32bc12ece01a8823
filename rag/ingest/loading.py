"""Reading files and uploads into ``Document`` objects: text, title, headings, metadata and pages.

One entry point per source (a path, uploaded bytes, a list of paths and folders). Every format is
reduced to plain text plus structural headings; ``Document.text`` is that extracted text with only
line endings and a BOM normalised, because every offset in the product points into it. Formats:
.txt .md .html here; .pdf (tables as rows, OCR of scanned pages) in ``pdf``; .docx .xlsx .csv .ofd
.doc .wps in ``office``. Every reader counts its work against the file's ``Budget`` (``limits``).
Anything that is not a readable document (unsupported suffix, empty, binary, content that does not
match its extension, corrupt) raises ``DocumentError`` naming the file, so a batch can report it and
go on; a file over a bound raises ``DocumentLimitError`` (HTTP 413), a file with no trustworthy text
(encrypted, blank scan, OCR below the threshold) ``ExtractionError`` (HTTP 422) — never an empty
document in the index.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

from rag.errors import DocumentError, ExtractionError
from rag.ingest.cleaning import detect_title_and_headings
from rag.ingest.forms import disclosure_form_as_fields
from rag.ingest.limits import Budget, ParseLimits
from rag.ingest.lists import (
    bare_contacts_under_their_label,
    counted_lists_as_sentences,
    numbered_fields_under_their_label,
    numbered_items_with_their_fields,
    numbered_names_under_their_list,
    place_grouped_lists_as_sentences,
)
from rag.ingest.office import Extracted, read_csv, read_doc, read_docx, read_ofd, read_xlsx
from rag.ingest.pdf import read_pdf
from rag.ingest.structure import document_meta, merge_headings, numbered_headings
from rag.ingest.tables import cell_tables_as_rows, pipe_tables_as_rows, spaced_tables_as_rows
from rag.schema import Document, Heading
from rag.settings import Settings

__all__ = [
    "MAX_UPLOAD_BYTES",
    "SUPPORTED_SUFFIXES",
    "load_bytes",
    "load_document",
    "load_documents",
    "safe_file_name",
]

SUPPORTED_SUFFIXES: tuple[str, ...] = (
    ".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".xlsx", ".csv", ".ofd", ".doc", ".wps"
)
#: Uploads larger than this are refused before parsing (a PDF parser on 1 GB is a denial of service).
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
#: Above this share of control characters a "text" file is really binary.
_MAX_CONTROL_SHARE = 0.01

#: The version of what loading makes of a file (公文 heading tree, tables as rows, OCR of scanned
#: pages, article-aligned chunks). Recorded in the index manifest, so an index made by an older
#: loader asks to be rebuilt instead of mixing two kinds of chunks.
LOADER_VERSION = "formats-1"


# --- public API ---


def _plain_text_structures(text: str) -> str:
    """Plain text (.txt, .md) with the structures other formats mark up written as sentences: a
    disclosure form's fields, the rows of pipe tables, one-cell-per-line tables and spaced tables,
    counted and place-grouped 名单 lists, a label's numbered values and bare contact lines,
    numbered items with their field lines and a numbered 名单's entries under its title."""
    tables = pipe_tables_as_rows(spaced_tables_as_rows(cell_tables_as_rows(disclosure_form_as_fields(text))))
    lists = place_grouped_lists_as_sentences(counted_lists_as_sentences(tables))
    labelled = bare_contacts_under_their_label(numbered_fields_under_their_label(lists))
    return numbered_names_under_their_list(numbered_items_with_their_fields(labelled))


def load_document(path: Path, limits: ParseLimits | None = None) -> Document:
    """Load one file; ``doc_id`` is its file name. Raises ``DocumentError`` naming the file.

    ``limits`` bound the parsing work (default: from the settings in force, ``RAG_MAX_*``)."""
    path = Path(path)
    name = path.name
    _check_suffix(name)
    if path.is_dir():
        raise DocumentError(name, "is a folder, not a file")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DocumentError(name, "no such file") from None
    except OSError as error:
        raise DocumentError(name, f"cannot be read ({error.strerror or error})") from None
    return _build(name, data, source=str(path), limits=limits)


def load_bytes(
    name: str, data: bytes, *, max_bytes: int | None = MAX_UPLOAD_BYTES, limits: ParseLimits | None = None
) -> Document:
    """Load an upload. The name is reduced to a safe file name, which becomes the ``doc_id``.

    The content must match the extension (a .pdf starts with %PDF, a .docx is a zip holding
    word/document.xml, text decodes as UTF-8 or GB18030 and has no NUL bytes): a renamed binary
    is refused here rather than indexed as garbage.
    """
    safe = safe_file_name(name)
    _check_suffix(safe)
    if max_bytes is not None and len(data) > max_bytes:
        raise DocumentError(safe, f"file too large ({len(data)} bytes; limit {max_bytes})")
    return _build(safe, data, source=f"upload:{safe}", limits=limits)


def load_documents(
    paths: Iterable[Path], limits: ParseLimits | None = None
) -> tuple[list[Document], list[DocumentError]]:
    """Load files and folders (recursively, sorted, supported suffixes only); never stop early.

    Files that cannot be loaded are returned as errors naming them. Since ``doc_id`` is the file
    name, a second file with an already loaded name is an error too, not a silent replacement.
    """
    return collect_loaded((path, try_load(path, limits)) for path in document_files(paths))


def document_files(paths: Iterable[Path]) -> list[Path]:
    """The files ``load_documents`` reads, in its order: folders expanded, each file once."""
    files: list[Path] = []
    seen_paths: set[Path] = set()
    for path in _expand(paths):
        resolved = path.resolve()
        if resolved not in seen_paths:
            seen_paths.add(resolved)
            files.append(path)
    return files


def try_load(path: Path, limits: ParseLimits | None = None) -> Document | DocumentError:
    """``load_document``, with its error returned rather than raised (loading goes on)."""
    try:
        return load_document(path, limits)
    except DocumentError as error:
        return error


def collect_loaded(
    results: Iterable[tuple[Path, Document | DocumentError]],
) -> tuple[list[Document], list[DocumentError]]:
    """Documents and errors from each file's result, in order; a file whose name an earlier loaded
    file already has is an error (``doc_id`` is the file name), wherever the files were loaded."""
    documents: list[Document] = []
    errors: list[DocumentError] = []
    loaded_from: dict[str, Path] = {}
    for path, result in results:
        if path.name in loaded_from:
            first = loaded_from[path.name]
            errors.append(DocumentError(path.name, f"duplicate file name (already loaded from {first})"))
        elif isinstance(result, DocumentError):
            errors.append(result)
        else:
            documents.append(result)
            loaded_from[path.name] = path
    return documents, errors


def safe_file_name(name: str) -> str:
    """A file name that is safe to store and show: no folders, control characters or leading dots.

    ``../../etc/passwd.txt`` becomes ``passwd.txt``; an empty result becomes ``upload``.
    """
    base = re.split(r"[\\/]", name)[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = re.sub(r'[<>:"|?*]', "_", base)
    base = re.sub(r"\s+", " ", base).strip().lstrip(". ").strip()
    stem, suffix = os.path.splitext(base)
    if not stem:
        stem, suffix = "upload", suffix or ""
    while len((stem + suffix).encode("utf-8")) > 200 and len(stem) > 1:
        stem = stem[:-1]  # file systems allow 255 bytes; keep room for temporary suffixes
    return stem + suffix


# --- plumbing ---


def _check_suffix(name: str) -> None:
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = suffix or "(no extension)"
        raise DocumentError(name, f"unsupported file type {shown}; supported: {' '.join(SUPPORTED_SUFFIXES)}")


def _expand(paths: Iterable[Path]) -> Iterator[Path]:
    """Files as given, folders replaced by their supported files (sorted, hidden ones skipped)."""
    for path in paths:
        path = Path(path)
        if not path.is_dir():
            yield path  # missing or unsupported files are reported by load_document
            continue
        found = []
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for file_name in files:
                if not file_name.startswith(".") and Path(file_name).suffix.lower() in SUPPORTED_SUFFIXES:
                    found.append(Path(root) / file_name)
        yield from sorted(found, key=lambda p: p.relative_to(path).as_posix())


def _build(name: str, data: bytes, source: str, limits: ParseLimits | None = None) -> Document:
    if not data.strip():
        raise DocumentError(name, "empty file")
    limits = limits or ParseLimits.from_settings()
    budget = Budget(name, limits)
    suffix = Path(name).suffix.lower()
    if suffix == ".pdf":
        extracted = read_pdf(name, data, budget, _normalise)
    elif suffix == ".docx":
        extracted = read_docx(name, data, budget, _normalise)
    elif suffix == ".xlsx":
        extracted = read_xlsx(name, data, budget)
    elif suffix == ".ofd":
        extracted = read_ofd(name, data, budget, _normalise)
    elif suffix in (".doc", ".wps"):
        settings = Settings()
        extracted = read_doc(name, data, settings.resolve(settings.cache_dir), budget, _normalise)
    else:
        text = _decode_text(name, data)
        if suffix == ".csv":
            extracted = read_csv(name, text, budget)
        else:
            budget.add_lines(text)
            if suffix in (".html", ".htm"):
                extracted = _read_html(text)
            elif suffix == ".md":
                extracted = _read_markdown(_plain_text_structures(text))
            else:
                extracted = Extracted(_plain_text_structures(text))
    if not extracted.text.strip():
        raise ExtractionError(name, "no text could be extracted (empty document)")
    detected_title, detected_headings = detect_title_and_headings(extracted.text)
    if extracted.headings:  # the format's own headings, with the 公文 numbering merged in
        headings = merge_headings(extracted.headings, numbered_headings(extracted.text))
    else:
        headings = detected_headings
    if suffix == ".pdf":  # a PDF's metadata title is often a file name or a template's: text first
        title = (detected_title or extracted.title or Path(name).stem).strip()
    else:
        title = (extracted.title or detected_title or Path(name).stem).strip()
    return Document(
        doc_id=name,
        title=title,
        text=extracted.text,
        source=source,
        content_hash=hashlib.sha256(data).hexdigest(),
        headings=sorted(headings, key=lambda h: h.start),
        meta=document_meta(extracted.text, title),
        pages=extracted.pages,
    )


def _normalise(text: str) -> str:
    """The only changes ever made to extracted text: line endings and a leading BOM."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _decode_text(name: str, data: bytes) -> str:
    """Decode a text format, refusing binary content (GB18030 would "decode" almost anything)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _normalise(data.decode("utf-16"))
        except UnicodeDecodeError:
            raise DocumentError(name, "broken UTF-16 text") from None
    import filetype  # only needed here; it identifies binaries by their magic bytes

    kind = filetype.guess(data)
    if kind is not None:
        raise DocumentError(name, f"content is {kind.mime}, not text")
    if b"\x00" in data:
        raise DocumentError(name, "binary content (NUL bytes), not text")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DocumentError(name, "not UTF-8 or GB18030 text")
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\v")
    if controls > _MAX_CONTROL_SHARE * len(text):
        raise DocumentError(name, "binary content (control characters), not text")
    return _normalise(text)


# --- Markdown ---

_ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)
_SETEXT_H1 = re.compile(r"^([^\n]*\S[^\n]*)\n {0,3}=+[ \t]*$", re.MULTILINE)
_FENCE = re.compile(r"^ {0,3}(```|~~~).*?^ {0,3}\1[^\n]*$", re.MULTILINE | re.DOTALL)


def _read_markdown(text: str) -> Extracted:
    """The text stays as written; ``#`` lines are headings, at the offset of their words."""
    fenced = [m.span() for m in _FENCE.finditer(text)]

    def in_code(offset: int) -> bool:
        return any(a <= offset < b for a, b in fenced)

    found: list[tuple[int, int, str]] = []  # (start, level, text)
    for match in _ATX_HEADING.finditer(text):
        if match.group(2).strip() and not in_code(match.start()):
            found.append((match.start(2), len(match.group(1)), match.group(2).strip()))
    for match in _SETEXT_H1.finditer(text):
        line = match.group(1)
        if not in_code(match.start()) and not line.lstrip().startswith("#"):
            found.append((match.start(1) + len(line) - len(line.lstrip()), 1, line.strip()))
    found.sort()
    headings = [Heading(start, heading) for start, _, heading in found]
    title = next((h for _, level, h in found if level == 1), found[0][2] if found else "")
    return Extracted(text, title=title, headings=headings)


# --- HTML ---

_DROPPED_TAGS = frozenset(
    {
        "script", "style", "nav", "noscript", "template", "head", "iframe", "svg", "canvas", "object",
        "embed", "button", "select",
    }
)
_PARAGRAPH_TAGS = frozenset(
    {
        "p", "div", "section", "article", "main", "header", "footer", "aside", "blockquote", "pre",
        "ul", "ol", "dl", "table", "figure", "figcaption", "form", "fieldset", "address", "hr",
        "h1", "h2", "h3", "h4", "h5", "h6", "body", "html",
    }
)
_LINE_TAGS = frozenset({"li", "tr", "dt", "dd", "caption", "summary", "details"})
_CELL_TAGS = frozenset({"td", "th"})
_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")


class _TextBuilder:
    """Accumulates HTML text the way a browser lays it out: collapsed spaces, blocks on lines."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.pending_newlines = 0

    def _ends_with(self, chars: str) -> bool:
        return bool(self.parts) and self.parts[-1][-1] in chars

    def request_break(self, newlines: int) -> None:
        self.pending_newlines = max(self.pending_newlines, newlines)

    def flush_break(self) -> None:
        if self.pending_newlines and self.parts:
            while self.parts and self.parts[-1].endswith(" "):  # no trailing spaces on lines
                last = self.parts.pop()
                self.length -= len(last)
                last = last.rstrip(" ")
                if last:
                    self.parts.append(last)
                    self.length += len(last)
            if self.parts:
                self._append("\n" * self.pending_newlines)
        self.pending_newlines = 0

    def _append(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)

    def add_text(self, text: str, preformatted: bool = False) -> None:
        if not preformatted:
            text = re.sub(r"[ \t\n\r\f]+", " ", text)
        if not text.strip():
            if text and self.parts and not self._ends_with(" \n") and not self.pending_newlines:
                self._append(" ")
            return
        self.flush_break()
        if not self.parts or self._ends_with("\n"):
            text = text.lstrip()
        elif self._ends_with(" ") and text.startswith(" "):
            text = text[1:]
        self._append(text)

    def text(self) -> str:
        return "".join(self.parts).rstrip()


def _read_html(markup: str) -> Extracted:
    """Visible text with block elements on their own lines; h1-h6 become headings."""
    from bs4 import BeautifulSoup, Comment, Declaration, Doctype, NavigableString, ProcessingInstruction, Tag

    soup = BeautifulSoup(markup, "html.parser")
    page_title = soup.title.get_text(" ", strip=True) if soup.title else ""
    builder = _TextBuilder()
    spans: list[tuple[str, int, int]] = []  # (tag, start, end) of headings in the built text
    skipped = (Comment, Declaration, Doctype, ProcessingInstruction)
    stack: list[tuple[object, bool, bool]] = [(soup, False, False)]  # (node, closing, in <pre>)
    open_headings: list[tuple[str, int]] = []
    while stack:
        node, closing, in_pre = stack.pop()
        if isinstance(node, NavigableString):
            if not isinstance(node, skipped):
                builder.add_text(str(node), preformatted=in_pre)
            continue
        if not isinstance(node, Tag):
            continue
        tag = node.name.lower() if node.name else ""
        if closing:
            if tag in _HEADING_TAGS and open_headings:
                name, start = open_headings.pop()
                spans.append((name, start, builder.length))
            if tag in _PARAGRAPH_TAGS:
                builder.request_break(2)
            elif tag in _LINE_TAGS:
                builder.request_break(1)
            continue
        if tag in _DROPPED_TAGS:
            continue
        if tag == "br":
            builder.request_break(1)
            continue
        if tag in _PARAGRAPH_TAGS:
            builder.request_break(2)
        elif tag in _LINE_TAGS:
            builder.request_break(1)
        elif tag in _CELL_TAGS and builder.parts and not builder.pending_newlines:
            builder.add_text(" ")
        if tag in _HEADING_TAGS:
            builder.flush_break()
            open_headings.append((tag, builder.length))
        stack.append((node, True, in_pre))
        child_pre = in_pre or tag == "pre"
        for child in reversed(list(node.children)):
            stack.append((child, False, child_pre))
    text = _normalise(builder.text())
    headings = []
    first_h1 = ""
    for tag, start, end in spans:
        raw = text[start:end]
        stripped = raw.strip()
        if not stripped:
            continue
        heading_text = " ".join(stripped.split())
        headings.append(Heading(start + len(raw) - len(raw.lstrip()), heading_text))
        if tag == "h1" and not first_h1:
            first_h1 = heading_text
    return Extracted(text, title=first_h1 or page_title, headings=headings)
