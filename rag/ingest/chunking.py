"""Splitting a document into sentences and packing sentences into overlapping chunks.

Chunks are what retrieval ranks and answers cite, so they are built from whole sentences (a cited
passage never starts or stops mid-sentence), they stay inside one section (a passage has one
heading), a heading travels with the text under it, and neighbours share ``overlap`` sentences so a
fact that straddles a boundary is still found whole in one chunk. All offsets point into
``Document.text``; ``Chunk.text`` is always the exact slice.
"""

from __future__ import annotations

from dataclasses import dataclass

from rag.ingest.cleaning import repair
from rag.schema import Chunk, Document, Heading
from rag.text.sentences import (
    is_heading_shaped,
    is_latin_alnum,
    split_sentences,
    trim_span,
)

__all__ = ["chunk_document"]

#: Where an over-long sentence may be cut when it must be (after a clause, before the next one).
_CLAUSE_PUNCT = frozenset("，,、：:")


# --- chunks ---


@dataclass(frozen=True)
class _Unit:
    """A sentence (or a piece of an over-long one): the smallest thing a chunk holds."""

    start: int
    end: int
    size: int  # characters of search text
    sticky: bool = False  # a heading line: never the last unit of a chunk


@dataclass(frozen=True)
class _Section:
    start: int
    end: int
    anchor: int | None  # offset of the heading this section starts with (None: no heading)
    head_end: int | None = None  # where the heading's words end when the body follows on its line


def _line_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1


def _line_end(text: str, offset: int, limit: int) -> int:
    end = text.find("\n", offset, limit)
    return limit if end < 0 else end


def _sections(doc: Document, chunk_size: int) -> list[_Section]:
    """Spans from one heading's line to the next; a short preamble joins the first section.

    The preamble of a news page (masthead, a photo caption) is not worth a chunk of its own.
    Outline headings (numbered items inside a line, ``Heading.outline``) stay in the heading path
    without cutting the text into one-sentence chunks; articles (第X条), chapters, attachments and
    standalone heading lines start sections.
    """
    text = doc.text
    anchors: dict[int, Heading] = {}
    for heading in doc.headings:
        if 0 <= heading.start < len(text) and not heading.outline:
            anchors.setdefault(_line_start(text, heading.start), heading)
    starts = sorted(anchors)
    if not starts:
        return [_Section(0, len(text), None)]
    sections = [
        _Section(s, e, anchors[s].start, anchors[s].end)
        for s, e in zip(starts, starts[1:] + [len(text)], strict=True)
    ]
    preamble = repair(text, 0, starts[0])
    if preamble and len(preamble) < chunk_size // 2:
        first = sections[0]
        sections[0] = _Section(0, first.end, first.anchor, first.head_end)
    elif preamble:
        sections.insert(0, _Section(0, starts[0], None))
    return sections


def _split_long(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """Cut a sentence longer than ``limit`` at clause punctuation, or hard when a clause is too long."""
    clauses = []
    a = start
    for i in range(start, end):
        if text[i] in _CLAUSE_PUNCT:
            clauses.append((a, i + 1))
            a = i + 1
    clauses.append((a, end))
    pieces: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    for a, b in (trim_span(text, a, b) for a, b in clauses):
        if a >= b:
            continue
        if current is not None and len(repair(text, current[0], b)) <= limit:
            current = (current[0], b)
            continue
        if current is not None:
            pieces.append(current)
        if len(repair(text, a, b)) <= limit:
            current = (a, b)
        else:
            hard = _hard_split(text, a, b, limit)
            pieces.extend(hard[:-1])
            current = hard[-1]
    if current is not None:
        pieces.append(current)
    return pieces


def _hard_split(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """Cut every ``limit`` characters, backing off so a Latin word or number is not split."""
    pieces = []
    a = start
    while a < end:
        b = min(a + limit, end)  # repaired text is never longer than the original
        if b < end:
            back = b
            while back > a + limit // 2 and is_latin_alnum(text[back - 1]) and is_latin_alnum(text[back]):
                back -= 1
            if back > a + limit // 2:
                b = back
        piece = trim_span(text, a, b)
        if piece[0] < piece[1]:
            pieces.append(piece)
        a = b
    return pieces


def _is_heading_line(text: str, start: int, end: int) -> bool:
    """A unit that is a whole heading-shaped line (the second line of a heading, a subtitle)."""
    line_start = _line_start(text, start)
    line = text[line_start : _line_end(text, start, len(text))]
    if text[line_start:start].strip() or line.strip() != text[start:end]:
        return False
    stripped = line.strip()
    return is_heading_shaped(stripped) or (stripped.startswith("——") and len(stripped) <= 80)


def _units(text: str, section: _Section, limit: int) -> list[_Unit]:
    """The sentences of a section, over-long ones cut, heading lines marked sticky."""
    if section.anchor is None:
        ranges = [(section.start, section.end)]
        head_start = head_end = -1
    else:
        # the heading's own line is split off, so a long heading never merges into its paragraph
        head_start = _line_start(text, section.anchor)
        head_end = section.head_end or _line_end(text, section.anchor, section.end)
        ranges = [(section.start, head_start), (head_start, head_end), (head_end, section.end)]
    units: list[_Unit] = []
    after_heading = False
    for range_start, range_end in ranges:
        for a, b in split_sentences(text, range_start, range_end):
            size = len(repair(text, a, b))
            spans = [(a, b)] if size <= limit else _split_long(text, a, b, limit)
            for pa, pb in spans:
                if head_start <= pa < head_end:
                    sticky = after_heading = True
                else:
                    sticky = after_heading and _is_heading_line(text, pa, pb)
                    after_heading = sticky
                piece_size = size if len(spans) == 1 else len(repair(text, pa, pb))
                units.append(_Unit(pa, pb, piece_size, sticky))
    return units


def _size(units: list[_Unit]) -> int:
    """Search-text length of a run of units: an upper bound (one separator between units)."""
    return sum(u.size for u in units) + max(0, len(units) - 1)


def _pack(units: list[_Unit], limit: int, overlap: int) -> list[list[_Unit]]:
    """Greedy packing of units into chunks of at most ``limit``, sharing ``overlap`` units.

    A chunk exceeds the limit only when it is heading lines plus one unit.
    """
    chunks: list[list[_Unit]] = []
    current: list[_Unit] = []
    for unit in units:
        if not current or _size(current + [unit]) <= limit:
            current.append(unit)
            continue
        tail = 0
        while tail < len(current) and current[len(current) - 1 - tail].sticky:
            tail += 1
        if tail == len(current):  # only headings so far: they must keep the next unit
            current.append(unit)
            continue
        if tail:  # headings at the end move on with the unit they introduce, without overlap
            chunks.append(current[:-tail])
            current = current[-tail:] + [unit]
            continue
        chunks.append(current)
        carry = [u for u in current[-overlap:] if not u.sticky] if overlap else []
        while carry and _size(carry + [unit]) > limit:
            carry.pop(0)
        current = carry + [unit]
    if current:
        chunks.append(current)
    return chunks


def chunk_document(doc: Document, chunk_size: int = 300, overlap: int = 1) -> list[Chunk]:
    """Chunks of whole sentences, at most about ``chunk_size`` characters of search text each.

    ``overlap`` sentences are shared by neighbouring chunks of a section (fewer when sharing would
    break the size limit). A sentence is cut only when it alone exceeds ``chunk_size``. Every
    chunk's ``search_text`` is ``repair(doc.text, start, end)``.
    """
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    if overlap < 0:
        raise ValueError("overlap must not be negative")
    text = doc.text
    chunks: list[Chunk] = []
    for section in _sections(doc, chunk_size):
        for group in _pack(_units(text, section, chunk_size), chunk_size, overlap):
            start, end = group[0].start, group[-1].end
            anchor = start if section.anchor is None else max(start, section.anchor)
            pages = doc.pages_of(start, end)
            body = next((u.start for u in group if not u.sticky), start)  # past the heading lines
            chunks.append(
                Chunk(
                    chunk_id=f"{doc.doc_id}#{len(chunks)}",
                    doc_id=doc.doc_id,
                    title=doc.title,
                    heading=doc.heading_at(anchor),
                    text=text[start:end],
                    search_text=repair(text, start, end),
                    start=start,
                    end=end,
                    heading_path=doc.heading_path_at(max(anchor, body)),
                    pages=[page.number for page in pages],
                    ocr=any(page.ocr for page in pages),
                )
            )
    return chunks
