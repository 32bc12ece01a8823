"""PDF pages to text: the text layer with tables as rows, and OCR for pages that have no text layer.

pdfplumber (on pdfminer.six) gives the characters with their positions, which is what finding a
table needs: a table's cells are read as a grid and written one row per sentence with its header
(``tables.row_sentences``), and the text around the table is read without the table's characters,
so no cell is read twice. A page whose text layer is empty is rasterised (pypdfium2, shipped with
pdfplumber) and recognised by ``ocr.recognise``; a mixed PDF is handled page by page, and every page
records whether its text came from OCR and how confident the recognition was.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from typing import Any

from rag.errors import DocumentError, ExtractionError
from rag.ingest.limits import Budget
from rag.ingest.office import Extracted, joined_pages
from rag.ingest.tables import row_sentences

__all__ = ["read_pdf"]

#: pdfium is not thread-safe: one rasterisation at a time per process.
_pdfium_lock = threading.Lock()
#: A page with fewer visible characters than this in its text layer counts as a scan.
_MIN_TEXT_LAYER_CHARS = 1


def _check_encryption(name: str, data: bytes) -> str:
    """Refuse a PDF that needs a password; return its metadata title."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractionError(name, "encrypted PDF (password required)")
        return str((reader.metadata.title if reader.metadata else None) or "").strip()
    except DocumentError:
        raise
    except Exception as error:  # pypdf raises many types on malformed files
        raise DocumentError(name, f"unreadable PDF ({type(error).__name__}: {error})") from None


def _page_text(page: Any) -> str:
    """The page's text with each table replaced by its rows, in reading order (top to bottom)."""
    tables = sorted(page.find_tables(), key=lambda t: t.bbox[1])
    if not tables:
        return str(page.extract_text() or "")
    boxes = [t.bbox for t in tables]

    def outside(obj: dict[str, Any]) -> bool:
        x = (obj.get("x0", 0) + obj.get("x1", 0)) / 2
        y = (obj.get("top", 0) + obj.get("bottom", 0)) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    parts: list[str] = []
    above = 0.0
    for table in tables:
        x0, top, x1, bottom = table.bbox
        if top > above:
            region = page.crop((0, above, page.width, top)).filter(outside)
            parts.append(str(region.extract_text() or ""))
        parts.append("\n".join(row_sentences(table.extract())))
        above = max(above, bottom)
    if above < page.height:
        parts.append(str(page.crop((0, above, page.width, page.height)).filter(outside).extract_text() or ""))
    return "\n".join(part.strip() for part in parts if part.strip())


def _ocr_page(data: bytes, index: int, dpi: int) -> tuple[str, float]:
    import numpy as np
    import pypdfium2 as pdfium

    from rag.ingest.ocr import recognise

    with _pdfium_lock:
        document = pdfium.PdfDocument(data)
        try:
            image = document[index].render(scale=dpi / 72).to_pil().convert("RGB")
        finally:
            document.close()
    page = recognise(np.asarray(image))
    return page.text, page.confidence


def read_pdf(name: str, data: bytes, budget: Budget, normalise: Callable[[str], str]) -> Extracted:
    """Pages joined with blank lines; scanned pages OCR'd (when enabled) and marked as such."""
    if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"%PDF"):
        raise DocumentError(name, "not a PDF (content does not start with %PDF)")
    meta_title = _check_encryption(name, data)
    import pdfplumber

    limits = budget.limits
    texts: list[str] = []
    ocr: list[bool] = []
    confidence: list[float | None] = []
    scanned: list[int] = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            budget.check_pages(len(pdf.pages))
            for number, page in enumerate(pdf.pages, start=1):
                text = normalise(_page_text(page)).strip()
                if len("".join(text.split())) < _MIN_TEXT_LAYER_CHARS and page.images:
                    scanned.append(number)  # images but no text: a scan (a bare blank page is not)
                page.close()
                budget.add_lines(text)
                texts.append(text)
                ocr.append(False)
                confidence.append(None)
    except DocumentError:
        raise
    except Exception as error:  # pdfminer raises many types on malformed files
        raise DocumentError(name, f"unreadable PDF ({type(error).__name__}: {error})") from None
    if scanned and limits.ocr_enabled:
        from tqdm import tqdm

        # progress on a terminal (rag index); silent in the server and under tests
        for number in tqdm(scanned, desc=f"OCR {name}", unit="page", disable=None, leave=False):
            text, score = _ocr_page(data, number - 1, limits.ocr_dpi)
            text = normalise(text).strip()
            if not text:
                continue  # a blank page in a scan: nothing to read, nothing to trust or doubt
            if score < limits.ocr_min_confidence:
                raise ExtractionError(
                    name, f"page {number} is a scan and OCR could not read it reliably "
                    f"(confidence {score:.2f} < {limits.ocr_min_confidence}, RAG_OCR_MIN_CONFIDENCE)"
                )
            budget.add_lines(text)
            texts[number - 1], ocr[number - 1], confidence[number - 1] = text, True, round(score, 3)
    if not any(texts):
        if scanned and not limits.ocr_enabled:
            raise ExtractionError(name, "scanned PDF without a text layer, and OCR is off (RAG_OCR_ENABLED)")
        if scanned:
            raise ExtractionError(name, "scanned PDF in which OCR found no text (blank or unreadable pages)")
    extracted = joined_pages(texts, ocr, confidence)
    extracted.title = meta_title
    return extracted
