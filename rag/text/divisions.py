"""China's administrative divisions -- provinces, prefecture-level cities and counties -- with their
short forms, read from the list that the maintained ``jionlp`` package ships.

Why a full list: an official asks about 交城县 or 略阳 as readily as about 哈尔滨, and the costliest
error is a figure borrowed from a sibling place. A hand list of the places the sample documents
mention would leave every other county unchecked. jionlp's list (national admin codes, about 3,400
divisions at these three levels) is read straight from the zip file inside the package, without
importing jionlp itself: importing it prints a banner to stdout and unpacks dictionaries, neither of
which a library should do to its caller.

Which surface forms count as a mention:
* provinces and prefecture cities: the full name (黑龙江省, 哈尔滨市) and the short form (黑龙江, 哈尔滨);
* counties and county-level cities: the full name (交城县, 五常市) and, for 县/旗/县级市, the short
  form of two characters or more (交城); city districts (区) only by their full name, since their
  short forms are ordinary words (和平, 城关, 新华);
* a district or county-level city also by the county name it had before (密云县 for 密云区), unless
  another division bears that name now.
Finding them in text is the gazetteer's job (:mod:`rag.text.places`).
"""

from __future__ import annotations

import importlib.util
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

DivisionLevel = Literal["province", "city", "county"]
_LEVELS: tuple[DivisionLevel, ...] = ("province", "city", "county")
#: Suffixes of county-level units whose short form may stand alone (交城 for 交城县).
_SHORTENABLE_COUNTY_SUFFIXES = ("县", "旗", "市", "自治县", "自治旗")
_MAX_FORM_CHARS = 12
#: Autonomous counties and banners (玉屏侗族自治县), also called by their short form plus 县 / 旗.
_AUTONOMOUS = ("自治县", "自治旗")


@dataclass(frozen=True)
class Division:
    """One administrative division: its national code, names, level and parent."""

    code: str
    name: str  # full name: 哈尔滨市
    short: str  # short form: 哈尔滨
    level: DivisionLevel
    parent: str | None  # code of the enclosing division

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0000"


def _jionlp_location_file() -> Path:
    spec = importlib.util.find_spec("jionlp")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the jionlp package is not installed (pip install jionlp)")
    return Path(next(iter(spec.submodule_search_locations))) / "dictionary" / "china_location.zip"


def parse_location_lines(lines: list[str]) -> list[Division]:
    """Divisions from jionlp's indented list: ``name<TAB>code<TAB>short``, one tab of indent per
    level below province; deeper levels (towns, villages) are skipped. A municipality's city level
    repeats the province (上海市 under 上海市) and is folded into it."""
    divisions: list[Division] = []
    parents: list[Division | None] = [None, None, None]
    for line in lines:
        depth = len(line) - len(line.lstrip("\t"))
        if depth > 2:
            continue
        fields = line.strip("\t\r\n ").split("\t")
        if len(fields) < 2 or not fields[0]:
            continue
        name, code = fields[0], fields[1]
        short = fields[2] if len(fields) > 2 and fields[2] else name
        if depth == 1 and parents[0] is not None and name == parents[0].name:
            parents[1] = parents[0]  # municipality: its counties hang off the province itself
            continue
        parent = parents[depth - 1] if depth else None
        division = Division(code, name, short, _LEVELS[depth], parent.code if parent else None)
        divisions.append(division)
        parents[depth] = division
        for deeper in range(depth + 1, 3):
            parents[deeper] = None
    return divisions


def surface_forms(division: Division, is_common_word: Callable[[str], bool] | None = None) -> list[str]:
    """The strings that name ``division`` in running text (see the module docstring). A county's
    short form that is also a common word (和平, 清水, 太和) is left out when ``is_common_word``
    says so: such a county is then found by its full name only."""
    forms = [division.name]
    if division.level in ("province", "city"):
        if len(division.short) >= 2:
            forms.append(division.short)
    elif division.name.endswith(_SHORTENABLE_COUNTY_SUFFIXES) and len(division.short) >= 2:
        if is_common_word is None or not is_common_word(division.short):
            forms.append(division.short)
    autonomous = division.level == "county" and division.name.endswith(_AUTONOMOUS)
    if autonomous and 2 <= len(division.short) < len(division.name):
        # 玉屏侗族自治县 is called 玉屏县 in running text (the short form plus 县 / 旗)
        forms.append(division.short + division.name[-1])
    return list(dict.fromkeys(forms))


#: The endings of a county-level unit that was a county before (县改区, 县改市).
_FORMER_COUNTY_ENDINGS = ("区", "市")


def former_county_name(division: Division) -> str | None:
    """The county name a district or county-level city had before it was redesignated (密云区 ->
    密云县), or None for other divisions and for names too short to be told apart (城区)."""
    name = division.name
    if division.level != "county" or not name.endswith(_FORMER_COUNTY_ENDINGS) or len(name) < 3:
        return None
    return name[:-1] + "县"


class DivisionTable:
    """All divisions with their surface forms and hierarchy (finding them in text: the gazetteer)."""

    def __init__(
        self, divisions: list[Division], is_common_word: Callable[[str], bool] | None = None
    ) -> None:
        self.divisions = divisions
        # The source list repeats some codes for pseudo-entries (市直辖行政区划 under 东莞, listed with
        # 东莞's own code as its parent): the first, real division keeps the code.
        self.by_code: dict[str, Division] = {}
        for division in divisions:
            self.by_code.setdefault(division.code, division)
        self._forms_of = {d.code: surface_forms(d, is_common_word) for d in divisions}
        # A county that became a district or a county-level city (密云县 -> 密云区, 平泉县 -> 平泉市)
        # is still called by its former name in documents written before: 「密云县人民政府」 of 2004.
        # The former name is taken only when no division bears it now (朝阳县 is a county of its own).
        names = {d.name for d in divisions}
        for division in divisions:
            former = former_county_name(division)
            if former is not None and former not in names:
                self._forms_of[division.code].append(former)

    def forms_of(self, division: Division) -> list[str]:
        """The surface forms that name ``division`` (full name first)."""
        return list(self._forms_of.get(division.code, [division.name]))

    def lookup(self, form: str) -> list[Division]:
        """Every division ``form`` may name (empty when it names none); a linear scan, for checks
        and tools: text is searched through the gazetteer's own index of forms."""
        return [d for d in self.divisions if form in self._forms_of[d.code]]

    def ancestors(self, division: Division) -> list[Division]:
        """The divisions that enclose ``division``, nearest first. A code that names itself or a
        descendant as its parent (the source list has such entries) ends the chain instead of
        looping for ever."""
        chain: list[Division] = []
        seen = {division.code}
        current = self.by_code.get(division.parent) if division.parent else None
        while current is not None and current.code not in seen:
            chain.append(current)
            seen.add(current.code)
            current = self.by_code.get(current.parent) if current.parent else None
        return chain


@lru_cache(maxsize=1)
def read_jionlp_divisions() -> list[Division]:
    """The divisions of jionlp's list, read once per process (about 0.15 s)."""
    with zipfile.ZipFile(_jionlp_location_file()) as archive:
        member = next(n for n in archive.namelist() if n.endswith(".txt"))
        text = archive.read(member).decode("utf-8")
    return parse_location_lines([line for line in text.splitlines() if not line.startswith("\t\t\t")])
