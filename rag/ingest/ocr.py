"""Offline Chinese OCR of scanned pages, with RapidOCR (PaddleOCR's models on ONNX Runtime).

Why RapidOCR: its detection and recognition models ship inside the ``rapidocr-onnxruntime`` wheel,
so nothing is downloaded at run time, and on the benchmark's 公文 pages it read Chinese clearly more
accurately than Debian's Tesseract with ``chi_sim`` (99.3% against 96.1% of characters; Tesseract is
about 1.8 times faster; figures in the README, from ``bench/ingest_bench.py``). A wrong figure in a
cited 公文 costs more than seconds of indexing, so accuracy decides. The engine is loaded once per
process, on the first scanned page.

A page comes back as lines in reading order (boxes grouped by their vertical overlap, then left to
right) with the mean recognition confidence, which the loader compares with
``ocr_min_confidence`` to refuse a page it cannot trust rather than index noise.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

__all__ = ["OcrPage", "recognise"]

_engine: Any = None
_lock = threading.Lock()


@dataclass(frozen=True)
class OcrPage:
    """The recognised text of one image and its mean confidence (0-1; 0 when nothing was found)."""

    text: str
    confidence: float


def _get_engine() -> Any:
    global _engine
    if _engine is None:
        from rapidocr_onnxruntime import RapidOCR  # heavy import: only when a scan turns up

        _engine = RapidOCR()
    return _engine


def _lines(boxes: list[tuple[float, float, float, float, str]]) -> list[str]:
    """Group (top, bottom, left, right, text) boxes into lines: a box joins the current line when
    it overlaps the line vertically by more than half its height."""
    lines: list[list[tuple[float, str]]] = []
    line_top = line_bottom = 0.0
    for top, bottom, left, _right, text in sorted(boxes, key=lambda b: (b[0] + b[1]) / 2):
        height = max(bottom - top, 1.0)
        overlap = min(bottom, line_bottom) - max(top, line_top)
        if lines and overlap > height / 2:
            lines[-1].append((left, text))
            line_top, line_bottom = min(line_top, top), max(line_bottom, bottom)
        else:
            lines.append([(left, text)])
            line_top, line_bottom = top, bottom
    return ["".join(text for _, text in sorted(line)) for line in lines]


def recognise(image: Any) -> OcrPage:
    """OCR of one page image (a numpy RGB array): its lines in reading order."""
    with _lock:  # one recognition at a time: the 2-core machine gains nothing from more
        result, _ = _get_engine()(image)
    if not result:
        return OcrPage("", 0.0)
    boxes = []
    scores = []
    for points, text, score in result:
        ys = [p[1] for p in points]
        xs = [p[0] for p in points]
        boxes.append((min(ys), max(ys), min(xs), max(xs), str(text)))
        scores.append(float(score) * len(str(text)))
    characters = sum(len(b[4]) for b in boxes)
    confidence = sum(scores) / characters if characters else 0.0
    return OcrPage("\n".join(_lines(boxes)), confidence)
