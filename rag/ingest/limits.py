"""Bounds on the work one file may cause, checked while it is parsed.

Bytes are capped at upload, but work is not proportional to bytes: a 35 KB .docx can hold 2,000
paragraphs, a 200 KB zip can inflate to gigabytes, a PDF can claim thousands of pages. Each reader
counts what it extracts through a ``Budget`` and stops at the first bound it crosses with a
``DocumentLimitError`` naming the file and the setting to raise, so a hostile file costs
milliseconds, not minutes of the index writer's time.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

from rag.errors import DocumentLimitError
from rag.settings import Settings

__all__ = ["Budget", "ParseLimits", "read_member"]


@dataclass(frozen=True)
class ParseLimits:
    """The per-file bounds and OCR options of ``Settings`` (see the README's settings table)."""

    chars: int = 300_000
    paragraphs: int = 1500
    pages: int = 300
    table_cells: int = 20_000
    decompressed_bytes: int = 50 * 1024 * 1024
    ocr_enabled: bool = True
    ocr_min_confidence: float = 0.6
    ocr_dpi: int = 200

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> ParseLimits:
        """The limits in force: from ``settings``, or read from the environment and config now."""
        s = settings if settings is not None else Settings()
        return cls(
            chars=s.max_document_chars,
            paragraphs=s.max_document_paragraphs,
            pages=s.max_document_pages,
            table_cells=s.max_table_cells,
            decompressed_bytes=s.max_decompressed_bytes,
            ocr_enabled=s.ocr_enabled,
            ocr_min_confidence=s.ocr_min_confidence,
            ocr_dpi=s.ocr_dpi,
        )


class Budget:
    """Running counts for one file; each ``add_*`` raises as soon as a bound is crossed."""

    def __init__(self, name: str, limits: ParseLimits) -> None:
        self.name = name
        self.limits = limits
        self.chars = 0
        self.paragraphs = 0
        self.cells = 0

    def _refuse(self, what: str, limit: int, setting: str) -> DocumentLimitError:
        return DocumentLimitError(
            self.name, f"too much content: more than {limit} {what} (RAG_{setting.upper()})"
        )

    def add_text(self, text: str) -> None:
        """Count one paragraph (a line, a table row) of extracted text."""
        if not text.strip():
            return
        self.paragraphs += 1
        self.chars += len(text)
        if self.paragraphs > self.limits.paragraphs:
            raise self._refuse("paragraphs", self.limits.paragraphs, "max_document_paragraphs")
        if self.chars > self.limits.chars:
            raise self._refuse("characters", self.limits.chars, "max_document_chars")

    def add_lines(self, text: str) -> None:
        """Count every non-blank line of a text as a paragraph."""
        for line in text.split("\n"):
            self.add_text(line)

    def add_cells(self, count: int) -> None:
        self.cells += count
        if self.cells > self.limits.table_cells:
            raise self._refuse("table cells", self.limits.table_cells, "max_table_cells")

    def check_pages(self, count: int) -> None:
        if count > self.limits.pages:
            raise self._refuse("pages", self.limits.pages, "max_document_pages")


def read_member(archive: zipfile.ZipFile, member: str, budget: Budget) -> bytes:
    """One member of a zip, refused if the whole archive would inflate beyond the bound.

    The sizes the archive declares are checked first (a zip bomb is refused without inflating
    anything), then the member is read in pieces so a lying header cannot inflate more either.
    """
    limit = budget.limits.decompressed_bytes
    declared = sum(info.file_size for info in archive.infolist())
    if declared > limit:
        raise DocumentLimitError(
            budget.name, f"archive inflates to {declared} bytes; limit {limit} (RAG_MAX_DECOMPRESSED_BYTES)"
        )
    pieces: list[bytes] = []
    size = 0
    with archive.open(member) as handle:
        while piece := handle.read(1 << 20):
            size += len(piece)
            if size > limit:
                raise DocumentLimitError(
                    budget.name, f"{member} inflates beyond {limit} bytes (RAG_MAX_DECOMPRESSED_BYTES)"
                )
            pieces.append(piece)
    return b"".join(pieces)
