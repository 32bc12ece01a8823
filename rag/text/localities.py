"""Towns, townships and urban sub-districts (镇, 乡, 街道, 苏木) named in a text.

The national division list stops at counties, yet a county's notices and tables are about its towns
(榜头镇's 71万元, 真新街道's 84470元): a question about one town must not be answered with another
town's row, nor with a rule for the whole county. No maintained package lists the forty thousand
towns, so a town is read from its shape — a name of two to four characters starting a word, before
镇, 乡, 街道 or 苏木 — that is not a generic word (城镇, 乡镇, 各乡镇, 特色小镇, 贫困乡) and not part of a county or
city name the gazetteer knows (嘉定 in 嘉定徐行镇 is the district, 徐行镇 the town).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rag.text.patterns import CJK_RANGE
from rag.text.tokenizing import word_boundaries

#: A town-level suffix, unless the characters after it make it part of another word (乡村, 镇村,
#: 乡土, 乡亲, 乡贤, 乡愁, 乡间, 乡下, 乡里, 镇长 is still the town's office).
_SUFFIX = re.compile(r"(街道|苏木|镇|乡)(?!村|镇|土|亲|贤|愁|间|下|里|音|情|级|域|风)")
#: Characters that never belong to a town's name here: function words, demonstratives, counters,
#: and the endings of larger divisions (so 定区安 of 嘉定区安亭镇 is no name).
_NOT_IN_NAME = set("和与及或的在是为对于从向到给各全本该每个哪些这那其此某几多少省市区县州旗盟乡镇村街道")
#: Words before 镇/乡 that make a kind of town, not a name (特色小镇, 重点镇, 贫困乡, 民族乡).
_GENERIC = frozenset(
    "小城 特色小 特色 建制 重点 中心 贫困 民族 集镇 乡镇 示范 试点 边境 口岸 工业 农业 旅游 历史文化 文化 美丽 "
    "名 重 小 城 集 古 新型 全国 全省".split()
)
_NAME_LENGTHS = (2, 3, 4)
_CJK = re.compile(rf"[{CJK_RANGE}]+")


def localities_in(text: str, taken: Iterable[tuple[int, int]] = ()) -> list[str]:
    """The towns ``text`` names (徐行镇, 真新街道, 杨芳林乡), in order, without repeats. ``taken``
    are spans of the text that name larger places (the gazetteer's mentions): a town's name never
    overlaps them."""
    spans = list(taken)
    found: list[str] = []
    boundaries: set[int] | None = None
    for match in _SUFFIX.finditer(text):
        if boundaries is None:
            boundaries = word_boundaries(text)
        end = match.start()
        for length in _NAME_LENGTHS:
            start = end - length
            if start < 0:
                continue
            name = text[start:end]
            if any(name[i:] in _GENERIC for i in range(len(name))):
                break  # 特色小镇: the word before the suffix makes a kind of town, at any length
            if not _CJK.fullmatch(name) or set(name) & _NOT_IN_NAME:
                continue
            if start not in boundaries or any(start < span_end and span_start < end for span_start, span_end in spans):
                continue  # a name starts a word (请问|徐行镇) and is no part of a larger place's name
            locality = name + match.group(1)
            if locality not in found:
                found.append(locality)
            break
    return found

