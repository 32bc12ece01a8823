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
from rag.text.localities import localities_in
from rag.text.patterns import TIER, YEAR
from rag.text.places import Gazetteer
from rag.text.quantities import Quantity, find_quantities, unit_class
from rag.text.tokenizing import ChineseTokenizer

_FOLLOWUP_START = re.compile(
    r"^\s*(那么|那|还有|另外|同样|同时|以及|and\b|what about\b|how about\b|and what about\b|what of\b)",
    re.I,
)
_FOLLOWUP_END = re.compile(r"(呢|怎么样|如何|情况呢)\s*[？?。.!！]*\s*$")
#: 「比上年增加了多少？」: a change against an earlier time, of a figure the question does not name.
_CHANGE_OPENING = re.compile(r"^\s*(?:比|较|与)(?:上年|去年|上一年|前一年|上月|同期|年初|上年末)")
_YEAR = re.compile(YEAR.pattern + "年?")  # with its 年, which is swapped too
_TRIM = re.compile(r"^\s*(那么|那|还有|另外|同样|and|what about|how about|what of)\s*", re.I)
_TAIL = re.compile(r"(呢|怎么样|如何|的情况)?\s*[？?。.!！]*\s*$")
MAX_FOLLOWUP_CHARS = 20
#: Where a Chinese question's question word starts (what comes before it is its subject).
_QUESTION_WORD = re.compile(r"多少|几|什么|哪|谁|是否|如何|怎样|怎么")
_ENGLISH_QUESTION_WORD = re.compile(r"(?:how (?:many|much|long)|what|which|who|when|where)\b", re.I)
#: A question opening with a verb is a follow-up only this short: a longer one states its own topic.
SUBJECTLESS_MAX_CHARS = 12
#: jieba tags of a verb (v), a verbal noun used as a verb (vn) or a verb with its object (vi, vg).
_VERB_TAGS = frozenset({"v", "vn", "vi", "vg", "vd"})


class FollowUpResolver:
    """Rewrites a follow-up question into a standalone one using the earlier user turns."""

    def __init__(self, gazetteer: Gazetteer, tokenizer: ChineseTokenizer | None = None) -> None:
        self.gazetteer = gazetteer
        self.tokenizer = tokenizer

    def is_followup(self, question: str) -> bool:
        """Short questions that open with 那/还有/"what about" or close with 呢, or that have no
        subject of their own (「发展了多少会员？」 after a question about 上海市总工会; 「比上年增加了
        多少？」 after a question about a figure)."""
        stripped = question.strip()
        if len(stripped) > MAX_FOLLOWUP_CHARS * (3 if stripped.isascii() else 1):
            return False
        return (
            bool(_FOLLOWUP_START.search(stripped) or _FOLLOWUP_END.search(stripped) or _CHANGE_OPENING.match(stripped))
            or self._subjectless(stripped)
        )

    def _subjectless(self, question: str) -> bool:
        """Whether a short Chinese question opens with a verb (发展了多少会员, 有多少人参加): its
        subject is the previous question's. Needs the tokenizer's part-of-speech tags."""
        if self.tokenizer is None or question.isascii() or len(question) > SUBJECTLESS_MAX_CHARS:
            return False
        words = self.tokenizer.tagged_words(question)
        # 「对应的公示期是多久」: a verb before 的 modifies the noun that is the subject
        return bool(words) and words[0][1] in _VERB_TAGS and (len(words) < 2 or words[1][0] != "的")

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
                # Replace the previous question's place of the new place's level (西藏 for 新疆 in
                # 「吴江区去西藏服役的…」), else its first place; drop the places inside the replaced
                # one (a city of the old province makes no sense with the new province) — or, when
                # no place of the level was there, all its other places.
                new = new_places[0]
                same_level = [m for m in old_places if m.place.level == new.place.level]
                first = same_level[0] if same_level else old_places[0]
                dropped = [
                    m for m in old_places
                    if m is not first and (not same_level or self.gazetteer.encloses(first.place, m.place))
                ]
                resolved = resolved.replace(first.surface, new.surface, 1)
                for other in dropped:
                    resolved = resolved.replace(other.surface, "", 1)
            else:
                resolved = f"{new_places[0].surface}{resolved}"
            swapped = True
        new_towns, old_towns = localities_in(question), localities_in(resolved)
        if new_towns and old_towns and new_towns[0] not in old_towns:
            # 「泗顶镇呢？」 after a question about 长安镇: the same question about the other town
            resolved = resolved.replace(old_towns[0], new_towns[0], 1)
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
        new_days = _days(question)
        old_days = _days(resolved)
        if new_days and old_days and new_days[0].text != old_days[0].text:
            # 「6月28日重新公示的那次呢？」 after a question about 5月份的公示: the other edition's date
            resolved = resolved[: old_days[0].start] + new_days[0].text + resolved[old_days[0].end :]
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
                # the bound after the figure goes with it (100立方米以上 -> 100立方米以下)
                new_bound = _BOUND.match(question, figure.end)
                old_bound = _BOUND.match(resolved, old[0].end)
                end = old[0].end + (len(old_bound.group(0)) if old_bound and new_bound else 0)
                text = figure.text + (new_bound.group(0) if new_bound and old_bound else "")
                resolved = resolved[: old[0].start] + text + resolved[end:]
                swapped = True
        if swapped:
            return resolved
        topic = _TAIL.sub("", _TRIM.sub("", question)).strip()
        if not topic:
            return previous
        if topic.isascii() and _ENGLISH_QUESTION_WORD.match(topic):
            # "And how many members have they recruited?": its own question comes first (it decides
            # what is asked for), the previous one after it says what it is about
            return f"{topic[0].upper()}{topic[1:]}, regarding: {previous.rstrip('？?。. ')}?"
        asks = _QUESTION_WORD.search(previous)
        if _QUESTION_WORD.search(topic) and asks and asks.start() > 0:
            # 「发展了多少会员？」 asks its own question about the previous one's subject: keep that
            # subject, not the previous question word (…推动建会多少个), which would ask for 个
            subject = re.sub(r"(?:是|为|有|达到?)$", "", previous[: asks.start()].rstrip("，, "))
            return f"{subject}，{topic}？"
        return f"{previous.rstrip('？?。. ')}，{topic}？"


#: A bound written after a figure (100立方米以上, 50人以下).
_BOUND = re.compile(r"及以上|以上|以下|以内|及以下")


def _days(text: str) -> list[Quantity]:
    """The days and months a question names (6月28日, 5月份), not bare years."""
    return [q for q in find_quantities(text) if q.kind == "date" and "月" in q.text]


def _qualifying_figure(question: str) -> Quantity | None:
    """The figure a follow-up names as its new condition (800亩, 1000亿元), not a date or edition."""
    figures = [q for q in find_quantities(question) if q.kind in ("count", "measure", "amount")]
    return figures[0] if figures else None
