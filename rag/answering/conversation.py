"""Resolving follow-up questions against the conversation history.

「那河北呢？」 means "the previous question, about 河北 instead". The resolver swaps the new place or
year into the last full user question; a follow-up with no entity is appended to the previous
question so retrieval still sees the topic. Rule-based on purpose: it is instant, predictable, and
works without a language model.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.schema import ChatTurn
from rag.text.patterns import TIER, YEAR
from rag.text.places import Gazetteer
from rag.text.quantities import Quantity, find_quantities, unit_class

_FOLLOWUP_START = re.compile(
    r"^\s*(那么|那|还有|另外|同样|同时|以及|and\b|what about\b|how about\b|and what about\b|what of\b)",
    re.I,
)
_FOLLOWUP_END = re.compile(r"(呢|怎么样|如何|情况呢)\s*[？?。.!！]*\s*$")
_YEAR = re.compile(YEAR.pattern + "年?")  # with its 年, which is swapped too
_TRIM = re.compile(r"^\s*(那么|那|还有|另外|同样|and|what about|how about|what of)\s*", re.I)
_TAIL = re.compile(r"(呢|怎么样|如何|的情况)?\s*[？?。.!！]*\s*$")
MAX_FOLLOWUP_CHARS = 20


class FollowUpResolver:
    """Rewrites a follow-up question into a standalone one using the earlier user turns."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer

    def is_followup(self, question: str) -> bool:
        """Short questions that open with 那/还有/"what about" or close with 呢."""
        stripped = question.strip()
        if len(stripped) > MAX_FOLLOWUP_CHARS * (3 if stripped.isascii() else 1):
            return False
        return bool(_FOLLOWUP_START.search(stripped) or _FOLLOWUP_END.search(stripped))

    def resolve(self, question: str, history: Sequence[ChatTurn]) -> str:
        """The standalone question; ``question`` itself when it is not a follow-up."""
        previous: str | None = None
        for turn in history:  # earlier turns may be follow-ups themselves: resolve in order
            if turn.role == "user" and turn.content.strip():
                previous = self._resolve_one(turn.content, previous)
        return self._resolve_one(question, previous)

    def _resolve_one(self, question: str, previous: str | None) -> str:
        if not previous or not self.is_followup(question):
            return question
        new_places = self.gazetteer.find(question)
        new_years = _YEAR.findall(question)
        resolved = previous
        swapped = False
        if new_places:
            old_places = self.gazetteer.find(previous)
            if old_places:
                # Replace the first place of the previous question; drop its other places (a city
                # of the old province makes no sense with the new province).
                first = old_places[0]
                resolved = resolved.replace(first.surface, new_places[0].surface, 1)
                for other in old_places[1:]:
                    resolved = resolved.replace(other.surface, "", 1)
            else:
                resolved = f"{new_places[0].surface}{resolved}"
            swapped = True
        new_tiers = TIER.findall(question)
        old_tiers = TIER.findall(resolved)
        if new_tiers and old_tiers and new_tiers[0] not in old_tiers:
            # 「那农村的呢？」 after a question about 城市低保: the same question about 农村.
            resolved = resolved.replace(old_tiers[0], new_tiers[0], 1)
            swapped = True
        if new_years:
            old_years = _YEAR.findall(resolved)
            year = new_years[0] if new_years[0].endswith("年") or resolved.isascii() else new_years[0] + "年"
            if old_years:
                resolved = resolved.replace(old_years[0], year, 1)
            else:
                resolved = f"{year}{resolved}"
            swapped = True
        figure = _qualifying_figure(question)
        if figure is not None:
            # 「800亩以上呢？」 after 「…集中连片400亩以上补助多少？」: the same question for the
            # other threshold, as for another place or year
            old = [
                q for q in find_quantities(resolved)
                if q.kind == figure.kind and unit_class(q) == unit_class(figure)
            ]
            if old:
                resolved = resolved[: old[0].start] + figure.text + resolved[old[0].end :]
                swapped = True
        if swapped:
            return resolved
        topic = _TAIL.sub("", _TRIM.sub("", question)).strip()
        return f"{previous.rstrip('？?。. ')}，{topic}？" if topic else previous


def _qualifying_figure(question: str) -> Quantity | None:
    """The figure a follow-up names as its new condition (800亩, 1000亿元), not a date or edition."""
    figures = [q for q in find_quantities(question) if q.kind in ("count", "measure", "amount")]
    return figures[0] if figures else None
