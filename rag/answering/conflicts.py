"""Sources that disagree: how a conflict is worded, and when each source was issued.

When two documents give different figures for the same fact (the same place, attribute and time),
silently choosing one lets a planted or outdated notice override the real answer. The backend
instead shows every figure with its source's title and date, newest first, and gives no bold short
answer: the official decides which document is authoritative.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rag.schema import Document
from rag.text.quantities import find_quantities, is_date_line

#: How far into a document its publication date is looked for when it has no 成文日期 line.
_OPENING_CHARS = 300
#: A line of a report's opening that states when it was published (发布时间：2022年3月1日).
_PUBLISHED = re.compile(r"发布|时间|日期|来源|published|date", re.I)


@dataclass(frozen=True)
class Statement:
    """One source's version of the disputed fact."""

    n: int  # the citation number
    value: str  # the figure as the source writes it
    sentence: str
    title: str
    date: str  # as the source writes it; '' when unknown
    year: float  # for ordering; 0 when unknown


def document_date(document: Document) -> tuple[str, float]:
    """When ``document`` was issued, and its year: the 成文日期 the loader parsed into its metadata
    (``Document.meta.date``, ISO), else the last full date on a line of its own, else the first full
    date on a line of its opening that says it was published (发布时间：…), else ('', 0). A date
    quoted in the body is not the document's own."""
    issued = document.meta.date
    if issued[:4].isdigit():
        return issued, float(issued[:4])
    return _date_of(document.text)


@lru_cache(maxsize=4096)
def _date_of(text: str) -> tuple[str, float]:
    lines = [line.strip().strip("（()）").strip() for line in text.splitlines()]
    dated = [line for line in lines if is_date_line(line)]
    if dated:
        found = find_quantities(dated[-1])
        return dated[-1], found[0].value or 0.0
    for line in text[:_OPENING_CHARS].splitlines():
        if not _PUBLISHED.search(line):
            continue
        for quantity in find_quantities(line):
            if quantity.kind == "date" and quantity.text.endswith("日") and quantity.value:
                return quantity.text, quantity.value
    return "", 0.0


def conflict_text(language: str, statements: list[Statement]) -> str:
    """The answer that shows each source's figure with its title and date."""
    if language == "en":
        lines = ["The documents disagree on this figure; check which source is authoritative:"]
        for s in statements:
            when = f", {s.date}" if s.date else ""
            lines.append(f"- {s.value} according to 《{s.title}》{when}: {s.sentence}[{s.n}]")
        return "\n".join(lines)
    lines = ["资料中的说法不一致，请以权威、最新的文件为准："]
    for s in statements:
        when = f"（{s.date}）" if s.date else ""
        lines.append(f"- 《{s.title}》{when}称{s.value}：{s.sentence}[{s.n}]")
    return "\n".join(lines)
