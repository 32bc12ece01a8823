"""What a question asks for: the kind of answer, and the entities it is about.

The kind (amount, count, percent, date, person, place, organisation) decides which exact span the
extractive backend returns as the short answer. The entities (places, years, quoted programme
names) are what the evidence must mention: a question about 齐齐哈尔 answered from a sentence about
哈尔滨 is a wrong answer, however similar the sentences look, so such answers are refused instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Literal

from rag.glossary import Glossary
from rag.language import detect_language

AnswerKind = Literal[
    "amount", "count", "percent", "date", "ordinal", "person", "place", "org", "list", "fact"
]

# Order matters: the first pattern that matches decides the kind.
_KIND_PATTERNS: list[tuple[AnswerKind, re.Pattern[str]]] = [
    ("ordinal", re.compile(r"第几|哪一届|哪届|哪一批|哪批|名次|排名|which (edition|session|round)|what (rank|ranking)", re.I)),
    ("percent", re.compile(r"百分之|百分比|比例|占比|比重|增长率|多少%|percent|percentage|proportion|share of", re.I)),
    ("amount", re.compile(r"多少钱|多少元|多少万元|多少亿元|金额|资金|经费|奖金|how much|salary|wage|subsidy|allowance|bonus|funding", re.I)),
    ("date", re.compile(r"什么时候|何时|哪一年|哪年|哪天|哪一天|几月|日期|when\b|what year|which year|what date|which date|what day", re.I)),
    ("count", re.compile(r"多少|几个|几名|几家|几项|几批|几所|几次|how many|number of", re.I)),
    ("person", re.compile(r"谁|哪位|什么人|姓名|名字|\bwho\b|\bwhom\b|\bwhose\b", re.I)),
    ("org", re.compile(r"哪个单位|哪家|哪个部门|哪些单位|哪个组织|什么单位|什么组织|什么机构|哪个机构|牵头|which (organi[sz]ation|company|department|agency|unit|body)|what (organi[sz]ation|company|body)", re.I)),
    ("place", re.compile(r"哪里|在哪|哪个省|哪个市|哪个城市|什么地方|\bwhere\b|which (city|province)", re.I)),
    ("list", re.compile(r"哪些|有哪几|包括什么|包括哪|分别是|what are the|which are the|\blist\b", re.I)),
]

_CJK = re.compile(r"[\u4e00-\u9fff]")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?:年|\b)")
_QUOTED = re.compile(r"[《“\"]([^》”\"]{2,30})[》”\"]")
_ORDINAL = re.compile(r"第([一二三四五六七八九十百零〇两\d]{1,4})(届|批|次|期)")
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def canonical_ordinal(match: tuple[str, str]) -> str:
    """第十八届 and 第18届 both become '18届', so either wording matches the other."""
    number, unit = match
    if not number.isdigit():
        value, current = 0, 0
        for char in number:
            if char == "十":
                value += (current or 1) * 10
                current = 0
            elif char == "百":
                value += (current or 1) * 100
                current = 0
            else:
                current = _CN_DIGITS.get(char, 0)
        number = str(value + current)
    return f"{int(number)}{unit}"


@dataclass(frozen=True)
class Place:
    """A place of the gazetteer: canonical Chinese name, level, and the surface forms it has."""

    name: str
    level: Literal["country", "province", "city"]
    surface_forms: tuple[str, ...]  # Chinese forms (with and without 省/市, aliases) and English names


@dataclass(frozen=True)
class PlaceMention:
    """A place found in a text, with the exact characters that named it."""

    place: Place
    surface: str
    start: int


@dataclass
class QuestionAnalysis:
    """The parsed question: language, expected answer kind and the entities it is about."""

    text: str
    language: Literal["zh", "en"]
    kind: AnswerKind
    places: list[PlaceMention] = field(default_factory=list)
    years: list[str] = field(default_factory=list)
    quoted: list[str] = field(default_factory=list)
    ordinals: list[str] = field(default_factory=list)  # canonical editions: '18届'
    # Chinese terms an English question stands for (place names, glossary terms); empty for Chinese.
    expansions: list[str] = field(default_factory=list)


class Gazetteer:
    """Chinese provinces and cities with their English names, read from ``rag/data/places.tsv``."""

    def __init__(self) -> None:
        text = resources.files("rag").joinpath("data", "places.tsv").read_text(encoding="utf-8")
        self.places: list[Place] = []
        for line in text.splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            name, level, english, aliases = (line.split("\t") + ["", "", ""])[:4]
            suffixes = {"province": ["省", "市"], "city": ["市"]}.get(level, [])
            forms = [name + s for s in suffixes] + [name]
            forms += [a for a in aliases.split(",") if a]
            forms += [e.strip() for e in english.split(",") if e.strip()]
            self.places.append(Place(name, level, tuple(forms)))  # type: ignore[arg-type]
        self._by_name = {p.name: p for p in self.places}
        alternatives = sorted(
            {form for p in self.places for form in p.surface_forms}, key=len, reverse=True
        )
        self._pattern = re.compile("|".join(re.escape(a) for a in alternatives), re.I)
        self._owner = {form.lower(): p for p in self.places for form in p.surface_forms}

    def find(self, text: str) -> list[PlaceMention]:
        """Place mentions, longest form first, English names on word boundaries only."""
        mentions = []
        for match in self._pattern.finditer(text):
            surface = match.group(0)
            if surface.isascii():
                before = text[match.start() - 1] if match.start() else " "
                after = text[match.end()] if match.end() < len(text) else " "
                if before.isalpha() or after.isalpha():
                    continue
            # "龙江" inside "黑龙江" is consumed by the longer alternative; also skip a city name
            # that is only part of a longer word (e.g. 大庆 in 国庆大庆典 is rare enough to accept).
            mentions.append(PlaceMention(self._owner[surface.lower()], surface, match.start()))
        return mentions

    def get(self, name: str) -> Place | None:
        return self._by_name.get(name)

    def mentions_place(self, text: str, place: Place) -> bool:
        """True when ``text`` names ``place`` in any of its forms."""
        return any(m.place.name == place.name for m in self.find(text))


class QuestionAnalyzer:
    """Classifies questions and extracts their entities with one gazetteer."""

    def __init__(self, gazetteer: Gazetteer | None = None, glossary: Glossary | None = None) -> None:
        self.gazetteer = gazetteer or Gazetteer()
        self.glossary = glossary or Glossary()

    def analyze(self, question: str) -> QuestionAnalysis:
        kind: AnswerKind = "fact"
        for candidate, pattern in _KIND_PATTERNS:
            if pattern.search(question):
                kind = candidate
                break
        language = detect_language(question)
        places = self.gazetteer.find(question)
        expansions: list[str] = []
        if language == "en":
            expansions = list(dict.fromkeys([m.place.name for m in places] + self.glossary.expand(question)))
        return QuestionAnalysis(
            text=question,
            language=language,
            kind=kind,
            places=places,
            years=list(dict.fromkeys(_YEAR.findall(question))),
            # Only Chinese quotations: an English question's "Great Craftsmen" cannot occur verbatim
            # in Chinese documents.
            quoted=[q for q in dict.fromkeys(_QUOTED.findall(question)) if _CJK.search(q)],
            ordinals=list(dict.fromkeys(canonical_ordinal(m) for m in _ORDINAL.findall(question))),
            expansions=expansions,
        )
