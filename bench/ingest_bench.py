"""Ingestion throughput per format, OCR engines compared, and the time to refuse hostile files.

Loading only (parsing, tables, OCR, structure and metadata): embedding is measured by
``engine_bench.py``. Every file is built here from known text (the same builders as the tests), so
the figures are reproducible anywhere with the Debian CJK font and LibreOffice installed:

    .venv/bin/python bench/ingest_bench.py [--pages 3] [--repeat 3] [--no-tesseract]

OCR: RapidOCR (the product's engine) and, for comparison, Debian's Tesseract with ``chi_sim`` when
its ``tesseract`` command is installed: character accuracy against the known text and seconds per
page, on the same rasterised pages.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rag.errors import DocumentError  # noqa: E402
from rag.ingest.loading import load_bytes  # noqa: E402
from tests.ingest import builders  # noqa: E402
from tests.ingest.test_limits import inflating_docx, many_paragraphs_docx  # noqa: E402
from tests.ingest.test_pdf import SCANNED_LINES, character_accuracy  # noqa: E402

PARAGRAPH = "对新认定的国家级技能大师工作室，每个给予15万元资助；对省级技能大师工作室，每个给予5万元资助。"


def timed(function: Callable[[], object], repeat: int) -> float:
    """Best of ``repeat`` wall-clock runs, in seconds (the least disturbed by other work)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def page_lines(n: int) -> list[list[str]]:
    return [[f"第{i + 1}页 技能人才政策"] + [PARAGRAPH[:38], PARAGRAPH[38:]] * 12 for i in range(n)]


def formats(pages: int, repeat: int, work: str) -> None:
    rows = [[f"{c}市", f"{i}人", f"{i}万元"] for i, c in enumerate("甲乙丙丁戊己庚辛壬癸" * 10, start=1)]
    text_pages = page_lines(pages)
    files: dict[str, tuple[str, bytes, int]] = {
        "txt": ("a.txt", "\n".join(line for page in text_pages for line in page).encode(), pages),
        "docx (+table)": ("a.docx", builders.docx_with_table([line for page in text_pages for line in page],
                                                           ["单位", "人数", "奖励"], rows), pages),
        "xlsx (100 rows)": ("a.xlsx", builders.xlsx({"表": [["单位", "人数", "奖励"], *rows]}), 1),
        "csv (100 rows)": ("a.csv", "\n".join(",".join(r) for r in [["单位", "人数", "奖励"], *rows]).encode(), 1),
        "ofd": ("a.ofd", builders.ofd(text_pages), pages),
        "pdf, text layer": ("a.pdf", builders.text_pdf(text_pages), pages),
        "pdf, text + table": ("t.pdf", builders.text_pdf(text_pages, table=[["单位", "人数", "奖励"], *rows[:20]]), pages),
    }
    if shutil.which("soffice"):
        files["doc (LibreOffice, first time)"] = (
            "a.doc", builders.word97_doc([PARAGRAPH] * 20, ["单位", "人数", "奖励"], rows[:20], work), 1
        )
    print(f"{'format':34} {'pages':>5} {'seconds':>8} {'pages/s':>8} {'chars/s':>9}")
    for label, (name, data, n) in files.items():
        if name == "a.doc":
            import os

            os.environ["RAG_CACHE_DIR"] = str(Path(work) / "cache")
            started = time.perf_counter()
            doc = load_bytes(name, data)
            seconds = time.perf_counter() - started
            cached = timed(lambda: load_bytes(name, data), repeat)  # noqa: B023
            print(f"{label:34} {n:>5} {seconds:>8.3f} {n / seconds:>8.1f} {len(doc.text) / seconds:>9.0f}")
            print(f"{'doc (cached conversion)':34} {n:>5} {cached:>8.3f} {n / cached:>8.1f} {len(doc.text) / cached:>9.0f}")
            continue
        doc = load_bytes(name, data)
        seconds = timed(lambda: load_bytes(name, data), repeat)  # noqa: B023
        print(f"{label:34} {n:>5} {seconds:>8.3f} {n / seconds:>8.1f} {len(doc.text) / seconds:>9.0f}")


def tesseract_page(pdf: bytes, dpi: int, work: str) -> str:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    image = Path(work) / "page.png"
    document[0].render(scale=dpi / 72).to_pil().save(image)
    document.close()
    return subprocess.run(
        ["tesseract", str(image), "-", "-l", "chi_sim"], capture_output=True, text=True, check=True
    ).stdout


def ocr(pages: int, with_tesseract: bool, work: str) -> None:
    from rag.ingest.limits import ParseLimits

    dpi = ParseLimits().ocr_dpi
    scan_one = builders.scanned_pdf(builders.text_pdf([SCANNED_LINES]))
    scan_many = builders.scanned_pdf(builders.text_pdf([SCANNED_LINES] * pages))
    started = time.perf_counter()
    load_bytes("warm.pdf", scan_one)  # loads the models once
    print(f"\nRapidOCR model load + first page: {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    doc = load_bytes("scan.pdf", scan_many)
    seconds = time.perf_counter() - started
    accuracy = character_accuracy("".join(SCANNED_LINES) * pages, doc.text)
    print(f"{'OCR engine':34} {'pages':>5} {'s/page':>8} {'pages/s':>8} {'char acc':>9}")
    print(f"{'RapidOCR (rapidocr-onnxruntime)':34} {pages:>5} {seconds / pages:>8.2f} {pages / seconds:>8.2f} {accuracy:>9.1%}")
    if with_tesseract and shutil.which("tesseract"):
        tesseract_page(scan_one, dpi, work)  # warm the language data
        started = time.perf_counter()
        text = "".join(tesseract_page(scan_one, dpi, work) for _ in range(pages))
        seconds = time.perf_counter() - started
        accuracy = character_accuracy("".join(SCANNED_LINES) * pages, text)
        print(f"{'Tesseract 5 chi_sim (Debian)':34} {pages:>5} {seconds / pages:>8.2f} {pages / seconds:>8.2f} {accuracy:>9.1%}")


def hostile(repeat: int) -> None:
    print(f"\n{'hostile file':44} {'bytes':>9} {'refused in':>11}")
    for label, name, data in [
        ("docx, 2,000 one-line paragraphs", "p.docx", many_paragraphs_docx(2000)),
        ("docx, 200 MB comment", "c.docx", inflating_docx("word/comments.xml", 200)),
        ("docx, body inflating to 200 MB (zip bomb)", "b.docx", inflating_docx("word/document.xml.rels", 200)),
    ]:
        def attempt(name: str = name, data: bytes = data) -> None:
            try:
                load_bytes(name, data)
            except DocumentError:
                return
            raise SystemExit(f"{name} was not refused")

        print(f"{label:44} {len(data):>9} {timed(attempt, repeat) * 1000:>8.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=3, help="pages per paged test file and OCR run")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (best is shown)")
    parser.add_argument("--no-tesseract", action="store_true", help="skip the Tesseract comparison")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ingest-bench-") as work:
        formats(args.pages, args.repeat, work)
        ocr(args.pages, not args.no_tesseract, work)
        hostile(args.repeat)


if __name__ == "__main__":
    main()
