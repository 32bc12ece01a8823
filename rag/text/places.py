"""Places in text: every province, city and county of China, and the place a document is about.

The gazetteer joins two sources. The national division list (:mod:`rag.text.divisions`, from the
maintained jionlp package) gives every province, prefecture city and county with its short form
and its parent, so a question about 略阳县 or 交城 is checked as strictly as one about 哈尔滨.
``rag/data/places.tsv`` adds what that list lacks: the country (全国, 我国), customary aliases
(龙江, 燕赵) and conventional English names (Harbin, Inner Mongolia). Every other place gets its
pinyin as English name (Jiaocheng, Lueyang; both readings of a heteronym: Changfeng/Zhangfeng).

A document is *about* the most specific place that its title names (岳阳市君山区民政局 -> 君山区),
else its opening lines (the issuing body), else the province it names most; that is what 「我市」
「本县」「全区」 in its body refer to.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Literal

from pypinyin import Style, pinyin

from rag.schema import Document
from rag.text.divisions import Division, DivisionTable, read_jionlp_divisions
from rag.text.patterns import ADMIN_SUFFIXES
from rag.text.tokenizing import shared_tokenizer, word_boundaries

PlaceLevel = Literal["country", "province", "city", "county"]
_LEVEL_ORDER: tuple[PlaceLevel, ...] = ("country", "province", "city", "county")
#: Characters of a document's opening that may name its issuing body or place.
OPENING_CHARS = 300
_ENGLISH_SUFFIXES = ("", " County", " City", " District", " Province")
#: A Latin word; a pinyin name keeps its syllable apostrophe before a, o or e (Ma'anshan, Xi'an's),
#: which the gazetteer's romanised forms (Maanshan, Xian) leave out; a possessive 's is no syllable.
_LATIN_WORD = re.compile(r"[A-Za-z]+(?:['’][aoeAOE][A-Za-z]*)*")
#: How a document speaks of its own county or city (全县烟叶工作, 我市, 本区).
_SELF_REFERENCE = {
    "county": re.compile(r"(?:全|本|我)(?:县|区|旗)"),
    "city": re.compile(r"(?:全|本|我)(?:市|州|盟)"),
}
#: Matches nothing: no self-reference fits a province or the country.
_NEVER = re.compile(r"(?!)")


@dataclass(frozen=True)
class Place:
    """A place: canonical Chinese name, level and national code (empty for the country); its
    enclosing places come from the division table (:meth:`Gazetteer.ancestors`)."""

    name: str
    level: PlaceLevel
    surface_forms: tuple[str, ...]
    code: str = ""


@dataclass(frozen=True)
class PlaceMention:
    """A place found in a text, with the exact characters that named it."""

    place: Place
    surface: str
    start: int
    #: Other places this surface names (Pujiang: 浦江县 and 蒲江县 read alike; Jianyang: 咸阳, 简阳市):
    #: which one is meant is decided by the documents at hand (:func:`prefer_places`).
    alternatives: tuple[Place, ...] = ()

    @property
    def reliable(self) -> bool:
        """True unless the mention is a county's bare short form (惠民 in 惠企惠民, 兴国 in a
        person's name 田兴国): such a mention counts when a question names it, but is not trusted
        to say what a document or sentence is about."""
        if self.place.level != "county" or self.surface.isascii():
            return True
        return self.surface.endswith(ADMIN_ENDINGS)


def _english_names(short: str) -> list[str]:
    """Pinyin names of a place, one per reading of its heteronyms (at most four), the usual reading
    first: pypinyin lists a character's common reading first (平: ping before beng and bing), so
    the first three readings are kept in its order, never the alphabetical first ones."""
    readings = pinyin(short, style=Style.NORMAL, heteronym=True)
    options = [list(dict.fromkeys(r))[:3] for r in readings]
    names = []
    for combination in itertools.islice(itertools.product(*options), 4):
        word = "".join(combination).replace("v", "u")
        if word.isascii() and word.isalpha():
            names.append(word.capitalize())
    return names


#: English words for the administrative ending of a one-character place name (沁县 -> Qin County).
_ENDING_IN_ENGLISH = {"县": " County", "区": " District", "市": " City", "旗": " Banner"}


def _single_character_english(name: str) -> list[str]:
    """「Qin County」 for 沁县, 「He County」 for 和县: a place whose name is one character and its
    ending has no short form, so English calls it by that character's pinyin and the ending."""
    if len(name) != 2 or name[1] not in _ENDING_IN_ENGLISH:
        return []
    return [e + _ENDING_IN_ENGLISH[name[1]] for e in _english_names(name[0])]


#: A banner named by its direction from a namesake (杭锦后旗, 科尔沁右翼前旗, 阿拉善左旗).
_DIRECTED_BANNER = re.compile(r"^(.+?)(左翼|右翼|左|右)?(前|后|中)?旗$")
_BANNER_DIRECTIONS = {
    "左翼": "Left", "右翼": "Right", "左": "Left", "右": "Right", "前": "Front", "后": "Rear", "中": "Middle",
}


def _directed_banner_english(name: str) -> list[str]:
    """「Hangjin Rear Banner」 for 杭锦后旗, 「Keerqin Right Front Banner」 for 科尔沁右翼前旗: English
    calls a banner named by its direction by the namesake's pinyin, the direction and Banner —
    never by the namesake alone, which is another banner (杭锦旗)."""
    found = _DIRECTED_BANNER.match(name)
    if found is None or not (found.group(2) or found.group(3)) or len(found.group(1)) < 2:
        return []
    directions = " ".join(_BANNER_DIRECTIONS[part] for part in found.groups()[1:] if part)
    return [f"{stem} {directions} Banner" for stem in _english_names(found.group(1))]


#: Endings English renders as County / District / City, left off a full name before it is romanised.
_ENGLISHED_ENDINGS = ("区", "县", "市", "旗")


class Gazetteer:
    """Finds places in Chinese and English text and relates them (which encloses which)."""

    def __init__(
        self,
        divisions: list[Division] | None = None,
        is_common_word: Callable[[str], bool] | None = None,
    ) -> None:
        if is_common_word is None:
            is_common_word = shared_tokenizer().is_common_word
        table = DivisionTable(divisions if divisions is not None else read_jionlp_divisions(), is_common_word)
        self.divisions = table
        extra, countries = self._read_table()
        self.places: list[Place] = []
        self._by_code: dict[str, Place] = {}
        self._by_name: dict[str, Place] = {}
        for division in table.divisions:
            name = division.short if division.level != "county" else division.name
            forms = [division.name, *table.forms_of(division)]
            known_english, aliases = extra.get(division.short, ([], []))
            forms += aliases  # customary Chinese aliases
            # a district the list gives no short form (广州 南沙区) is still 'Nansha District' in English
            english_base = division.short
            if english_base == division.name and len(english_base) > 2 and english_base.endswith(_ENGLISHED_ENDINGS):
                english_base = english_base[:-1]
            forms += known_english or [
                e + suffix for e in _english_names(english_base) for suffix in _ENGLISH_SUFFIXES
                if suffix == "" or (suffix == " Province") == (division.level == "province")
            ] + _single_character_english(division.name) + _directed_banner_english(division.name)
            if division.name.endswith("旗") and not known_english:
                forms += [e + " Banner" for e in _english_names(english_base)]  # 杭锦旗: Hangjin Banner
            place = Place(name, division.level, tuple(dict.fromkeys(forms)), division.code)
            self.places.append(place)
            self._by_code.setdefault(division.code, place)  # a repeated code keeps its real division
            self._by_name.setdefault(name, place)
        for name, (english, aliases) in extra.items():
            if name in self._by_name or name not in countries:
                continue
            place = Place(name, "country", tuple(dict.fromkeys([name, *aliases, *english])))
            self.places.append(place)
            self._by_name[name] = place
        self._cjk_forms: dict[str, list[Place]] = {}
        self._latin_forms: dict[str, list[Place]] = {}
        for place in self.places:
            for form in place.surface_forms:
                target = self._latin_forms if form.isascii() else self._cjk_forms
                target.setdefault(form.lower() if form.isascii() else form, []).append(place)
        self._lengths = sorted({len(form) for form in self._cjk_forms}, reverse=True)
        self._full_names = {
            form for place in self.places for form in place.surface_forms if form.endswith(ADMIN_ENDINGS)
        }
        self._latin_words = max((len(form.split()) for form in self._latin_forms), default=1)

    @staticmethod
    def _read_table() -> tuple[dict[str, tuple[list[str], list[str]]], set[str]]:
        """``places.tsv``: name -> (English names, Chinese aliases), and the names of level country."""
        text = resources.files("rag").joinpath("data", "places.tsv").read_text(encoding="utf-8")
        table: dict[str, tuple[list[str], list[str]]] = {}
        countries: set[str] = set()
        for line in text.splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            name, level, english, aliases = (line.split("\t") + ["", "", ""])[:4]
            if level == "country":
                countries.add(name)
            table[name] = (
                [e.strip() for e in english.split(",") if e.strip()],
                [a.strip() for a in aliases.split(",") if a.strip()],
            )
        return table, countries

    # ----- finding -----
    def find(self, text: str) -> list[PlaceMention]:
        """Place mentions in order: Chinese forms longest first at each position, English names on
        word boundaries. Where a form names several places (吉林: a province and a city), the
        higher level is taken."""
        mentions = self._find_cjk(text)
        if _LATIN_WORD.search(text):
            mentions += self._find_latin(text)
            mentions.sort(key=lambda m: m.start)
        return mentions

    def _find_latin(self, text: str) -> list[PlaceMention]:
        """English names, matched as runs of whole words (longest run first): 'Inner Mongolia',
        'Jiaocheng County', 'Harbin'."""
        words = list(_LATIN_WORD.finditer(text))
        mentions: list[PlaceMention] = []
        index = 0
        while index < len(words):
            for size in range(min(self._latin_words, len(words) - index), 0, -1):
                run = words[index : index + size]
                if any(text[a.end() : b.start()] != " " for a, b in itertools.pairwise(run)):
                    continue
                surface = text[run[0].start() : run[-1].end()]
                places = self._latin_forms.get(re.sub("['’]", "", surface.lower()))
                if places and surface[0].isupper():
                    chosen = _highest(places)
                    # every other reading, of any level: Jianyang is 咸阳 (a city, by a heteronym)
                    # or 简阳市 (a county) — the documents at hand decide (``prefer_places``)
                    others = tuple(p for p in places if p != chosen)
                    mentions.append(PlaceMention(chosen, surface, run[0].start(), others))
                    index += size
                    break
            else:
                index += 1
        return mentions

    def _find_cjk(self, text: str) -> list[PlaceMention]:
        """Longest form first at each position. A short form (哈尔滨, 交城, 龙江) must also start
        and end on word boundaries of the shared tokenizer, so 和龙 is not read in 「省和龙江」 nor
        a county inside a longer word; full names (哈尔滨市, 交城县) are trusted anywhere."""
        mentions: list[PlaceMention] = []
        boundaries: set[int] | None = None
        position = 0
        while position < len(text):
            for length in self._lengths:
                form = text[position : position + length]
                if len(form) != length or form not in self._cjk_forms:
                    continue
                if form not in self._full_names or len(form) <= 2:  # 和县 in 「县委和县政府」
                    if boundaries is None:
                        boundaries = word_boundaries(text)
                    if position not in boundaries or position + length not in boundaries:
                        continue
                mentions.append(PlaceMention(_highest(self._cjk_forms[form]), form, position))
                position += length
                break
            else:
                position += 1
        return mentions

    def get(self, name: str) -> Place | None:
        return self._by_name.get(name)

    def by_code(self, code: str) -> Place | None:
        return self._by_code.get(code)

    def by_key(self, key: str) -> Place | None:
        """The place ``place_key`` recorded (None for "")."""
        return (self.by_code(key) or self.get(key)) if key else None

    def mentions_place(self, text: str, place: Place) -> bool:
        """True when ``text`` names ``place`` in any of its forms."""
        return any(same_place(m.place, place) for m in self.find(text))

    # ----- relating -----
    def ancestors(self, place: Place) -> list[Place]:
        """The places that enclose ``place``, nearest first (from the division list's hierarchy)."""
        division = self.divisions.by_code.get(place.code)
        if division is None:
            return []
        return [self._by_code[d.code] for d in self.divisions.ancestors(division) if d.code in self._by_code]

    def encloses(self, outer: Place, inner: Place) -> bool:
        """True when ``inner`` is ``outer`` or lies inside it (every place lies inside the country)."""
        if outer.level == "country":
            return True
        return same_place(outer, inner) or any(same_place(outer, a) for a in self.ancestors(inner))

    def most_specific(self, places: list[Place]) -> Place | None:
        """The innermost of places that form one chain (省 > 市 > 县), or None when they name
        unrelated places (a notice about two cities is about neither alone)."""
        distinct: list[Place] = []
        for place in places:
            if place.level != "country" and not any(same_place(place, d) for d in distinct):
                distinct.append(place)
        if not distinct:
            return None
        distinct.sort(key=lambda p: _LEVEL_ORDER.index(p.level))
        for outer, inner in itertools.pairwise(distinct):
            if not self.encloses(outer, inner):
                return None
        return distinct[-1]

    def document_place(self, document: Document) -> Place | None:
        """The place a document is about: the title's, else the opening's (the issuing body, the
        meeting), else its main province. Within a text the first reliable place decides, made
        more specific by the places of its chain that follow (岳阳市君山区 -> 君山区); places
        unrelated to it (a person's name that happens to be a county) are ignored."""
        found: Place | None = None
        from_title = False
        for number, text in enumerate((document.title, document.text[:OPENING_CHARS])):
            mentioned = [m.place for m in self.find(text) if m.reliable and m.place.level != "country"]
            if mentioned:
                first = mentioned[0]
                chain = [p for p in mentioned if self.encloses(p, first) or self.encloses(first, p)]
                found = self.most_specific(chain) or first
                from_title = number == 0
                break
        issuer = self._issuer_place(document)
        if issuer is not None:
            # the signing body places a 公文 (商丘市财政局 under a notice that opens with 《河南省…》;
            # 湖北省教育厅 under one sent to 神农架林区教育局; 海南省科技厅 above an address in 海口)
            if found is None or self.encloses(found, issuer) or same_place(found, issuer):
                return issuer
            if self.encloses(issuer, found) and not from_title:
                return issuer
        if found is None:
            province = main_province(self, document)
            found = self.get(province) if province else None
        if found is None:
            # an untitled county notice that names no place up front (「…切实抓好2023年全县烟叶工作」)
            # names its county once, in a document it cites (《姚安县人民政府办公室关于…》): the one
            # county it names in full is the 全县 it speaks of
            sole = self._sole_named(document.text)
            if sole is not None and _SELF_REFERENCE.get(sole.level, _NEVER).search(document.text):
                return sole
        if found is not None and found.level == "city":
            # a county notice that opens with its city's document (「根据《…》(巴财农〔2025〕7号),下达
            # 我县…」) speaks of itself as 我县 and names its county in full once (五原县财政局)
            sole = self._sole_named(document.text)
            county_voice = _SELF_REFERENCE["county"].search(document.text)
            if sole is not None and sole.level == "county" and county_voice and self.encloses(found, sole):
                return sole
        if found is not None and found.level == "province":
            # a notice that states only its province up front (《江苏省征兵工作条例》) names its own
            # place once in its body (「2024年吴江区城镇居民人均可支配收入为86702元」): the one city or
            # county of that province it names in full. (A national document naming one county is
            # still national.)
            sole = self._sole_named(document.text)
            if sole is not None and self.encloses(found, sole):
                return sole
        return found

    def _issuer_place(self, document: Document) -> Place | None:
        """The place the issuing body's name holds (商丘市财政局 -> 商丘; 中共某县委办公室、某县人民政府办公室
        -> 某县), None without an issuer or when its units name unrelated places."""
        mentioned = [m.place for m in self.find(document.meta.issuer) if m.reliable and m.place.level != "country"]
        return self.most_specific(mentioned) if mentioned else None

    def _sole_named(self, text: str) -> Place | None:
        """The one county (else city) a text names by its full name (吴江区, not a short form that
        may begin a company's name), when it names exactly one of that level."""
        named: dict[str, dict[str, Place]] = {}
        for mention in self.find(text):
            full = mention.reliable and mention.surface.endswith(ADMIN_ENDINGS)
            if full and mention.place.level in ("city", "county"):
                named.setdefault(mention.place.level, {})[place_key(mention.place)] = mention.place
        for level in ("county", "city"):
            places = named.get(level, {})
            if len(places) == 1:
                return next(iter(places.values()))
            if places:
                return None  # several of the most specific level: no one of them is the subject
        return self._only_short_named(text)

    def _only_short_named(self, text: str) -> Place | None:
        """The county a text names only by its short form (a report says 「黎平发展史」「赋予黎平…」,
        never 黎平县), when it is the only county named in any form and is named at least
        ``SHORT_FORM_MENTIONS`` times: one short mention may begin a company's name, several are
        the report's own county."""
        counts: Counter[str] = Counter()
        places: dict[str, Place] = {}
        for mention in self.find(text):
            if mention.place.level == "county":
                places[place_key(mention.place)] = mention.place
                counts[place_key(mention.place)] += 1
        if len(places) != 1:
            return None
        key, count = counts.most_common(1)[0]
        return places[key] if count >= SHORT_FORM_MENTIONS else None


#: How often a county named only by its short form must be named to be taken for a text's subject.
SHORT_FORM_MENTIONS = 3

#: Endings of a division's full name: the shared ones, and the banners and leagues of Inner Mongolia.
ADMIN_ENDINGS = (*ADMIN_SUFFIXES, "旗", "盟")


def place_key(place: Place | None) -> str:
    """How an index records a document's place: its national code, else its name ("" for none);
    ``Gazetteer.by_key`` reads it back."""
    return "" if place is None else place.code or place.name


def same_place(a: Place, b: Place) -> bool:
    return (a.code == b.code) if (a.code or b.code) else a.name == b.name


def prefer_places(mentions: list[PlaceMention], known: Callable[[Place], bool]) -> list[PlaceMention]:
    """Mentions whose ambiguous name (Pujiang) is resolved to the reading that ``known`` accepts
    (a place the indexed documents are about), when the first choice is not known and exactly one
    alternative is."""
    resolved = []
    for mention in mentions:
        if mention.alternatives and not known(mention.place):
            fitting = [p for p in mention.alternatives if known(p)]
            if len(fitting) == 1:
                others = tuple(p for p in (mention.place, *mention.alternatives) if p != fitting[0])
                mention = PlaceMention(fitting[0], mention.surface, mention.start, others)
        resolved.append(mention)
    return resolved


def _highest(places: list[Place]) -> Place:
    return min(places, key=lambda p: _LEVEL_ORDER.index(p.level))


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
