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

from rag.question import _ORDINAL, Gazetteer, Place, QuestionAnalysis, canonical_ordinal
from rag.schema import Document

_SPACE = re.compile(r"\s+")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_YEAR_RANGE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*(?:—|-|－|~|～|至|到)\s*((?:19|20)\d{2})(?!\d)")


def paragraph_around(text: str, start: int, end: int, previous: int = 0) -> str:
    """The paragraph that contains ``text[start:end]``, with ``previous`` non-blank paragraphs
    before it."""
    left = text.rfind("\n", 0, start) + 1
    for _ in range(previous):
        cursor = left - 1
        while cursor > 0 and text[cursor - 1] in "\n \t\u3000":
            cursor -= 1
        if cursor <= 0:
            break
        left = text.rfind("\n", 0, cursor) + 1
    right = text.find("\n", end)
    return text[left : right if right >= 0 else len(text)]


def years_in(text: str) -> set[str]:
    """Years a text names, ranges expanded (2019—2021年 names 2019, 2020 and 2021)."""
    years = set(_YEAR.findall(text))
    for first, last in _YEAR_RANGE.findall(text):
        if 0 <= int(last) - int(first) <= 20:
            years.update(str(y) for y in range(int(first), int(last) + 1))
    return years


def ordinals_in(text: str) -> set[str]:
    """Editions and batches a text names (第十八届, 第3批), in a canonical form."""
    return {canonical_ordinal(m) for m in _ORDINAL.findall(text)}


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
        """The question's entities that the evidence sentence ``document.text[start:end]`` lacks.

        The sentence decides first: if it names another place of the same level, or other years
        or editions (第十七届) but not the asked ones, it is about something else. Only a sentence
        silent on the matter is judged by its context (this and the previous paragraph, the
        heading; for provinces and years also the title), since reports name the subject once and
        then say 全省 or 这一年.
        """
        sentence = document.text[start:end]
        context = " ".join(
            (
                paragraph_around(document.text, start, end, previous=1),
                document.heading_at(start),
            )
        )
        with_title = _SPACE.sub("", context + document.title)
        missing: list[str] = []
        for mention in analysis.places:
            if not self._place_supported(mention.place, sentence, context, document):
                missing.append(mention.surface)
        for year in analysis.years:
            if not self._marker_supported(year, years_in(sentence), years_in(with_title)):
                missing.append(f"{year}年")
        for ordinal in analysis.ordinals:
            if not self._marker_supported(ordinal, ordinals_in(sentence), ordinals_in(with_title)):
                missing.append(ordinal)
        for quoted in analysis.quoted:
            if _SPACE.sub("", quoted) not in with_title:
                missing.append(quoted)
        return missing

    def _place_supported(self, place: Place, sentence: str, context: str, document: Document) -> bool:
        named = self.gazetteer.find(sentence)
        if any(m.place.name == place.name for m in named):
            return True
        if any(m.place.level == place.level for m in named):
            return False  # the sentence is about another city / province
        if self.gazetteer.mentions_place(context, place):
            return True
        return place.level != "city" and (
            self.gazetteer.mentions_place(document.title, place)
            or self.main_province(document) == place.name
        )

    @staticmethod
    def _marker_supported(wanted: str, in_sentence: set[str], in_context: set[str]) -> bool:
        if in_sentence:
            return wanted in in_sentence
        return wanted in in_context
