"""Checking that evidence is about what the question is about.

The costliest error for an official is a figure borrowed from another city or year. Similar
passages exist for every province, so retrieval scores alone cannot tell 齐齐哈尔's figure from
哈尔滨's. The guard demands that each place, year and quoted programme name of the question appear
in the evidence sentence, its paragraph or its heading. A province may also be satisfied by the
document as a whole when the document is about that province (a Heilongjiang report says 全省, not
黑龙江省, in most sentences); a city never is.
"""

from __future__ import annotations

import re
from collections import Counter

from rag.question import Gazetteer, QuestionAnalysis
from rag.schema import Document

_SPACE = re.compile(r"\s+")


def paragraph_around(text: str, start: int, end: int) -> str:
    """The paragraph (newline to newline) that contains ``text[start:end]``."""
    left = text.rfind("\n", 0, start) + 1
    right = text.find("\n", end)
    return text[left : right if right >= 0 else len(text)]


def main_province(gazetteer: Gazetteer, document: Document) -> str | None:
    """The province a document is mostly about: named at least twice as often as any other."""
    counts = Counter(
        m.place.name
        for m in gazetteer.find(document.title + "\n" + document.text)
        if m.place.level == "province"
    )
    ranked = counts.most_common(2)
    if ranked and (len(ranked) == 1 or ranked[0][1] >= 2 * ranked[1][1]):
        return ranked[0][0]
    return None


class EntityGuard:
    """Says which of a question's entities a piece of evidence fails to mention."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self._main_province: dict[str, str | None] = {}

    def main_province(self, document: Document) -> str | None:
        """The province a document is mostly about (cached per content hash)."""
        key = document.content_hash or document.doc_id
        if key not in self._main_province:
            self._main_province[key] = main_province(self.gazetteer, document)
        return self._main_province[key]

    def missing(
        self, analysis: QuestionAnalysis, document: Document, start: int, end: int
    ) -> list[str]:
        """The question's entities that the evidence at ``document.text[start:end]`` lacks."""
        context = " ".join(
            (
                paragraph_around(document.text, start, end),
                document.heading_at(start),
            )
        )
        context_folded = _SPACE.sub("", context)
        with_title = context_folded + _SPACE.sub("", document.title)
        missing: list[str] = []
        for mention in analysis.places:
            place = mention.place
            if self.gazetteer.mentions_place(context, place):
                continue
            if place.level == "province" and (
                self.gazetteer.mentions_place(document.title, place)
                or self.main_province(document) == place.name
            ):
                continue
            missing.append(mention.surface)
        for year in analysis.years:
            if year not in with_title:
                missing.append(f"{year}年")
        for quoted in analysis.quoted:
            if _SPACE.sub("", quoted) not in with_title:
                missing.append(quoted)
        return missing
