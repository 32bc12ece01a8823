"""Comparisons and totals: split into one look-up per item, answer each, then compute in code.

「交城和交口哪个企业更多？」 and 「两项补贴一共多少？」 cannot be quoted from one sentence, and a
language model asked to add figures is a confident source of wrong ones. So such a question is
split into single-item questions (「交城企业多少？」「交口企业多少？」) that the normal answering
path answers -- with its checks and refusals -- and the comparison, difference or sum is computed
from the typed values of those answers. The result cites every fact it used; if any part is refused
or has no figure, the whole question is refused and says which part is missing.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from rag.schema import Answer, Citation, Refusal
from rag.text.language import detect_language
from rag.text.localities import localities_in
from rag.text.numbers import chinese_number
from rag.text.patterns import ADMIN_SUFFIXES, CJK_RANGE, ENUMERATION_JOINT, TIER
from rag.text.quantities import Quantity, find_quantities, format_value, unit_class

Operation = Literal["more", "less", "difference", "total", "each"]

_CONJUNCTION = r"(?:和|与|跟|及|以及|、|还是|or|and|vs\.?|versus)"
_MORE = r"(?:更多|较多|多|更高|较高|高|更大|较大|大|更长|长|更快|快|领先)"
_LESS = r"(?:更少|较少|少|更低|较低|低|更小|较小|小|更短|短|更慢|慢)"
# (longest first: the first alternative that matches is taken, and 哪个县 must not leave 县)
_WHICH = r"(?:哪个地方|哪个县|哪个市|哪个省|哪一个|哪个|哪一项|哪项|哪里|哪家|谁|哪一方|哪方|哪一年|哪年|哪一次|哪次)"
_COMPARE_ZH = re.compile(rf"{_WHICH}(?:的)?[^，。？?]{{0,12}}?(?:更|较|最)?({_MORE}|{_LESS})")
_DIFFERENCE_ZH = re.compile(r"(?:比|较).{1,20}?(?:多|少|高|低)(?:了)?.{0,8}?(?:多少"
    r"|几)|相差多少|差距(?:是|为|有)?多少|差(?:多少|几)")
_TOTAL_ZH = re.compile(
    r"一共|合计|总共|共计|总计|加起来|相加|之和|总和|合起来|共(?:获得|分得|得到|安排|下达|拨付|收到)"
)
#: 「甲和乙分别有多少」「甲、乙各是多少」: each item's figure, nothing computed.
_EACH_ZH = re.compile(r"(?:分别|各自|各)(?:是|为|有|达到|达|占|获得|给予|奖励|补贴)?(?:多少|几)")
#: "do A and B each have", "respectively": not "each year" or "each person", which count per item.
_EACH_EN = re.compile(
    r"\beach\s+(?:have|has|had|get|got|receive|received|spend|spent|build|built|employ|train|trained)\b"
    r"|\brespectively\b",
    re.I,
)
_COMPARE_EN = re.compile(r"\b(?:which|who)\b.*\b(more|higher|larger|bigger"
    r"|greater|longer|less|fewer|lower|smaller|shorter)\b", re.I)
_TOTAL_EN = re.compile(r"\b(?:in total|combined|altogether|together|sum of|total of|add up)\b", re.I)
_DIFFERENCE_EN = re.compile(r"\bhow much (?:more|less|higher|lower)\b|\bdifference between\b", re.I)
_PAIR = re.compile(rf"([^，。？?、的和与跟及]{{1,16}}?)\s*{_CONJUNCTION}\s*([^，。？?、的和与跟及]{{1,16}}?)(?=的|分别"
    rf"|各|两|哪|谁|一共|合计|总共|共计|总计|加起来|相比|比较|之间|，|\s|$|which|who|in total|combined)", re.I)
_LESS_EN = re.compile(r"less|fewer|lower|smaller|shorter", re.I)


@dataclass(frozen=True)
class CompositeQuestion:
    """A comparison or total split into its single-item questions."""

    operation: Operation
    items: tuple[str, ...]  # the item names as the question wrote them: 交城, 交口
    parts: tuple[str, ...]  # one standalone question per item


def _operation(question: str) -> Operation | None:
    if _DIFFERENCE_ZH.search(question) or _DIFFERENCE_EN.search(question):
        return "difference"
    if _TOTAL_ZH.search(question) or _TOTAL_EN.search(question):
        return "total"
    match = _COMPARE_ZH.search(question)
    if match:
        return "less" if re.fullmatch(_LESS, match.group(1)) else "more"
    match = _COMPARE_EN.search(question)
    if match:
        return "less" if _LESS_EN.fullmatch(match.group(1)) else "more"
    if _EACH_ZH.search(question) or _EACH_EN.search(question):
        return "each"
    return None


#: Two names joined by and / or: up to three capitalised words each (Hangjin Rear Banner), a pinyin
#: syllable apostrophe kept (Ma'anshan).
_NAME_EN = r"[A-Z][a-z'’]+(?:\s[A-Z][a-z'’]+){0,2}"
_PAIR_EN = re.compile(rf"\b({_NAME_EN})\s*,?\s+(?:and|or|vs\.?|versus)\s+({_NAME_EN})\b")
_DIFFERENCE_PAIR = re.compile(r"([^，。？?]{1,16}?)(?:比|较)([^，。？?]{1,16}?)(?:多"
    r"|少|高|低)(了)?([^，。？?]{0,8}?)(?:多少|几)")
_REMOVE_ZH = re.compile(
    rf"{_WHICH}|相比|相较|比较|之间|(?:两者|二者|[两二三四五六七八九十](?:项|个|地|县|市|家|类|镇|区)(?:[镇县区市村])?)|一共|合计|总共|共计|总计|加起来|相加|之和|总和|合起来"
    r"|分别|各自|各(?=是|为|有|达|占|获得|给予|奖励|补贴|多少|几)"
)
#: "Which has more X, A or B?": X is what each part asks about.
_WHICH_HAS_MORE = re.compile(
    r"^\s*which(?: one| of them| of the two)?\s+(?:has|have|had|received|got|gets|employs|employed|built|trained)\s+"
    r"(?:more|fewer|less|a larger number of|a higher number of|higher|larger|greater)\s+(.+?)\s*[,:]",
    re.I,
)
_AMOUNT_EN = re.compile(
    r"money|funding|fund|investment|revenue|income|budget|spending|output|gdp|subsid|award|bonus", re.I
)
_TRAILING_COMPARATIVE = re.compile(rf"(?:的)?(?:更|较|最)?(?:{_MORE}|{_LESS})(?:一些|一点)?$")
#: "…had the larger GDP in 2022, …": what is compared, after its comparative and before the pair.
_COMPARED_EN = re.compile(
    r"\b(?:the\s+)?(larger|more|higher|bigger|greater|smaller|fewer|less|lower|faster|slower)\s+([^,?]{2,80}?)\s*,\s*$",
    re.I,
)
_REMOVE_EN = re.compile(
    r"\b(?:in total|combined|altogether|together|the sum of|the total of|the difference between|"
    r"more|higher|larger|bigger|greater|longer|less|fewer|lower|smaller|shorter|each|respectively)\b"
    r"|\b(?:which|who)\b(?:\s+(?:county|city|province|district|one|place|of them))?",
    re.I,
)


def split_composite(
    question: str, place_at_start: Callable[[str], str | None] | None = None
) -> CompositeQuestion | None:
    """The single-item questions of a comparison or total, or None for an ordinary question.

    The items are the two phrases joined by 和/与/还是/and (「甲和乙哪个多」, 「甲、乙两项一共多少」,
    「甲比乙多多少」); each part is the question with the pair replaced by one item and the
    comparison words removed, asking 「多少」. ``place_at_start`` names the place a text starts
    with (from the gazetteer), so that 「黑龙江、河北高技能人才」 splits after 河北. A joint inside
    a place's name (民和县, 和县) joins nothing: it is masked while the question is split.
    """
    masked = _mask_joints_in_places(question, place_at_start)
    composite = _split_composite(masked, place_at_start)
    if composite is None or masked == question:
        return composite
    return CompositeQuestion(
        composite.operation,
        tuple(item.replace(_MASK, "和") for item in composite.items),
        tuple(part.replace(_MASK, "和") for part in composite.parts),
    )


#: A Chinese question asking two figures in two clauses (「…项目多少个，总投资多少？」「出生人口多少？
#: 出生率是多少？」): each clause asks with 多少 or 几 and none is longer than a question's clause.
_FIGURE_ASK = r"(?:多少|几)"
_TWO_FIGURES = re.compile(
    rf"^(?P<lead>[^，,；;？?、多几]{{2,16}}[，,])?"
    rf"(?P<first>[^，,；;？?、]{{2,60}}?{_FIGURE_ASK}[^，,；;？?、]{{0,8}})[，,；;？?、]\s*"
    rf"(?:还有|以及|另外|其中)?(?P<second>[^，,；;？?、]{{1,20}}?{_FIGURE_ASK}[^，,；;？?、]{{0,8}})[？?。]?\s*$"
)
#: What a part's label leaves out: the place and year it opens with (宜章县2023年).
_PLACE_YEAR_OPENING = re.compile(r"^.{0,12}?(?:19|20)\d{2}年(?:全年|年末|末)?")
#: The asking words a part's label leaves out.
_ASKING_WORDS = re.compile(r"(?:是|为|有|达到?|共)?(?:多少|几)(?:个|项|家|人|名|元|万元|亿元)?")


def _two_figure_questions(question: str) -> CompositeQuestion | None:
    """Two figure questions in one (「宜章县2023年引进2亿元以上项目多少个，总投资多少？」): each part
    is answered on its own, the second about the first's subject (「…项目，总投资多少？」), and both
    figures are given (operation ``each``). None for any other question."""
    match = _TWO_FIGURES.match(question.strip())
    if match is None:
        return None
    lead = (match.group("lead") or "").strip()
    first, second = match.group("first").strip(), match.group("second").strip()
    subject = _ASKING_WORDS.sub("", first).rstrip("，, 的")
    items = (_PLACE_YEAR_OPENING.sub("", subject) or subject, _ASKING_WORDS.sub("", second).strip("，, 的"))
    if not all(items) or items[0] == items[1]:
        return None
    parts = (f"{lead}{first}？", f"{lead}{subject}，{second}？")
    return CompositeQuestion("each", items, parts)


#: Endings of a place's full name (民和县, 和平区): only a full name is trusted inside a question slice.
_FULL_NAME_ENDINGS = ("省", "市", "县", "区", "州", "旗", "盟")
#: How far before a 和 a place's full name holding it may start (内蒙古和林格尔县: 3).
MASK_LOOKBACK = 8
#: What stands for 和 inside a place's name while a question is split (a private-use character).
_MASK = "\ue000"


def _mask_joints_in_places(question: str, place_at_start: Callable[[str], str | None] | None) -> str:
    """``question`` with each 和 inside a place's name (民和县, 和县, 和平区) replaced by ``_MASK``: a
    full name starting at most ``MASK_LOOKBACK`` characters before the 和 and running over it."""
    if place_at_start is None or "和" not in question:
        return question
    chars = list(question)
    for joint in (i for i, ch in enumerate(question) if ch == "和"):
        for start in range(max(0, joint - MASK_LOOKBACK), joint + 1):
            place = place_at_start(question[start:])
            # full names only (民和县): a short form read out of context may straddle words (财政和区)
            if place and place.endswith(_FULL_NAME_ENDINGS) and start + len(place) > joint:
                chars[joint] = _MASK
                break
    return "".join(chars)


def _split_composite(
    question: str, place_at_start: Callable[[str], str | None] | None = None
) -> CompositeQuestion | None:
    operation = _operation(question)
    if operation is None:
        return _two_figure_questions(question)
    if detect_language(question) == "en":  # (an English question may quote a Chinese term: 大工匠)
        match = _PAIR_EN.search(question)
        if not match:
            return None
        pair = (match.group(1), match.group(2))
        asked = _WHICH_HAS_MORE.match(question)
        if asked:
            # "Which has more skilled workers, A or B?" -> "How many skilled workers does A have?"
            how = "How much" if _AMOUNT_EN.search(asked.group(1)) else "How many"
            parts = tuple(f"{how} {asked.group(1)} does {item} have?" for item in pair)
            return CompositeQuestion(operation, pair, parts)
        compared = _COMPARED_EN.search(question[: match.start()])
        counted = compared is not None and compared.group(1).lower() in ("more", "fewer", "less")
        if compared is not None and counted and not _AMOUNT_EN.search(compared.group(2)):
            compared = None  # "trained more workers": a count, asked as "how many"
        if compared is not None and operation in ("more", "less"):
            # "Which county had the larger GDP in 2022, A or B?" -> "What was the GDP in 2022 of A?"
            parts = tuple(f"What was the {compared.group(2).strip()} of {item}?" for item in pair)
            return CompositeQuestion(operation, pair, parts)
        stem = question[: match.start()] + "{item}" + question[match.end() :]
        parts = tuple(_english_part(stem.format(item=item)) for item in pair)
        return CompositeQuestion(operation, pair, parts)
    if operation == "difference":
        match = _DIFFERENCE_PAIR.search(question)
        if match and _EARLIER.match(match.group(2).strip()):
            return None  # 「比原来多发了多少」 asks for a change, not for two items
        if match:
            pair = (match.group(1).strip(), match.group(2).strip())
            unit = question[match.end() :].rstrip("？?。 ")  # 多多少万人: keep 万人
            shared = ""
            led = _PLACE_ITEM.match(pair[0])
            year = _YEAR_ITEM.search(pair[0])
            if year and _YEAR_ITEM.fullmatch(pair[1]):
                # 「简阳2022年一般公共预算收入比2019年多多少」: the items are the two years, and the rest
                # of the first item is shared by both
                head, tail = pair[0][: year.start()], pair[0][year.end() :]
                stem = question[: match.start()] + head + "{item}" + tail + match.group(4) + "多少" + unit + "？"
                pair = (year.group(0), pair[1])
                return CompositeQuestion(operation, pair, tuple(stem.format(item=item) for item in pair))
            if led and led.group(0) != pair[0] and _PLACE_ITEM.fullmatch(pair[1]):
                # 「河北省高技能人才比黑龙江省多多少」: what follows the first place is shared by both
                pair, shared = (led.group(0), pair[1]), pair[0][led.end() :]
            stem = question[: match.start()] + "{item}" + shared + match.group(4) + "多少" + unit + "？"
            parts = tuple(stem.format(item=item) for item in pair)
            parallel = _parallel_span(pair[0], pair[1]) if not shared else None
            if parallel is not None:
                # 「南漳县2022年第二产业增加值比第一产业多多少」: 第一产业 takes the place of 第二产业 in
                # the first item, whose place, year and measure it shares
                whole = pair[0][: parallel[0]] + pair[1] + pair[0][parallel[1] :]
                parts = (parts[0], stem.format(item=whole))
            return CompositeQuestion(operation, pair, parts)
    phrases = _phrase_pair(question, place_at_start)
    if phrases is not None:
        return CompositeQuestion(operation, *phrases)
    for find_items in (_place_items, _counted_items):
        found = find_items(question, place_at_start)
        if found is not None and (operation != "difference" or len(found[0]) == 2):
            return _split_at(operation, question, *found)
    towns = _town_pair(question)
    if towns is not None:
        return _split_at(operation, question, *towns)
    sources = _GOVERNMENT_PAIR.search(question)
    if sources is not None:
        # 「墨玉县共获得中央和自治区农村环境整治资金多少」: the fund of each level of government
        return _split_at(operation, question, (sources.group(1), sources.group(2)), sources.span())
    match = _PAIR.search(question)
    if not match:
        return None
    left, right = match.group(1).strip(), match.group(2).strip()
    left_start = match.start(1) + (len(match.group(1)) - len(match.group(1).lstrip()))
    year = _YEAR_ITEM.search(left)
    if year and year.end() == len(left) and year.start() > 0 and _YEAR_ITEM.match(right):
        # 「黑龙江省2020年和2021年…」: the items are the years; what comes before them is shared
        left_start += year.start()
        left = year.group(0)
    if place_at_start is not None:
        # 「莘县2022年小麦和玉米总产量」: the place and year the left side opens with are shared by
        # both items, not part of the first one (the right side names neither)
        while left and not place_at_start(right) and not _YEAR_ITEM.match(right):
            opening = _opening(left, place_at_start)
            if opening is None:
                break
            left_start += len(opening)
            left = left[len(opening) :]
    tiers = _tier_pair(left, right)
    if tiers is not None:
        head, first_tier, second_tier = tiers
        rest = question[match.start(2) + len(second_tier) :]
        stem = question[: match.start()] + head + "{item}" + rest
        parts = tuple(_chinese_part(stem.format(item=item)) for item in (first_tier, second_tier))
        return CompositeQuestion(operation, (first_tier, second_tier), parts)
    right_end = match.end()
    shaped = _same_shape_prefix(left, right, place_at_start)
    if shaped:
        right_end = match.start(2) + len(shaped)
        right = shaped
    if not left or not right:
        return None
    pair = (left, right)
    stem = question[:left_start] + "{item}" + question[right_end:]
    parts = tuple(_chinese_part(stem.format(item=item)) for item in pair)
    if any(len(part) < 4 for part in parts):
        return None
    return CompositeQuestion(operation, pair, parts)


#: The shortest second item of 「甲比乙多多少」 that may stand for a parallel word of the first.
_PARALLEL_MIN = 3


def _parallel_span(first: str, second: str) -> tuple[int, int] | None:
    """Where ``first`` holds a word parallel to the shorter ``second``: as long, differing in at
    most half its characters (第二产业 for 第一产业, 城镇居民 for 农村居民); None when it holds none."""
    size = len(second)
    if size < _PARALLEL_MIN or size >= len(first) or second in first:
        return None
    best: tuple[int, int] | None = None
    for start in range(len(first) - size + 1):
        same = sum(a == b for a, b in zip(first[start : start + size], second, strict=True))
        if 2 * same >= size and (best is None or same > best[1]):
            best = (start, same)
    return (best[0], best[0] + size) if best is not None else None


#: The other side of 「比原来多多少」: an earlier value of the same thing, not a second item.
_EARLIER = re.compile(r"(?:原来|原先|以前|之前|此前|过去|去年|上年|上月|同期|上一年|前一年)(?:末|底|同期)?")
_YEAR_ITEM = re.compile(r"(?:19|20)\d{2}年(?:度)?")
def _opening(text: str, place_at_start: Callable[[str], str | None]) -> str | None:
    """The place or year ``text`` opens with when more of it follows (莘县, then 2022年, of
    「莘县2022年小麦」): words every item of a list or pair shares, not the first item's own."""
    year = _YEAR_ITEM.match(text)
    lead = place_at_start(text) or (year.group(0) if year is not None else None)
    return lead if lead and lead != text else None


def _split_at(
    operation: Operation, question: str, items: tuple[str, ...], span: tuple[int, int]
) -> CompositeQuestion:
    """The composite question whose items stand at ``span`` of the question: each part is the
    question with the items replaced by one of them."""
    start, end = span
    stem = question[:start] + "{item}" + question[end:]
    return CompositeQuestion(operation, items, tuple(_chinese_part(stem.format(item=item)) for item in items))


#: What two short items joined by 和 can both be measured by, written once after the second.
_SHARED_MEASURE = re.compile(
    r"(?:总产量|产量|播种面积|种植面积|面积|增加值|总产值|产值|资金|补助|补贴|奖励|收入|支出|人数|总量)"
)
_SHARED_HEAD_MAX = 4
_PLACE_ITEM = re.compile(rf"[{CJK_RANGE}]{{1,8}}?(?:{'|'.join(ADMIN_SUFFIXES)}|旗)")


def _same_shape_prefix(
    left: str, right: str, place_at_start: Callable[[str], str | None] | None = None
) -> str | None:
    """「2022年和2023年全县生产总值」: when the left item is a year or a place name, the right item
    is the year or place at the start of the right side; the rest is shared by both."""
    if place_at_start is not None and place_at_start(left) == left:
        place = place_at_start(right)
        if place and place != right:
            return place
    for shape in (_YEAR_ITEM, _PLACE_ITEM):
        if shape.fullmatch(left):
            found = shape.match(right)
            if found and found.group(0) != right:
                return found.group(0)
    # 「交城和交口2022年GDP」: a right side that continues with a year or 的 after as many characters
    # as the left item has is that item plus the shared rest.
    head, rest = right[: len(left)], right[len(left) :]
    if rest and re.match(r"(?:19|20)\d{2}|的", rest):
        return head
    # 「小麦和玉米总产量」「市财政和区财政资金」: a right side that goes on, after as many characters as the
    # left item has, with what both items measure shares it (not 「教育和社会保障支出」: 保障支出 is no such word)
    if rest and len(left) <= _SHARED_HEAD_MAX and _SHARED_MEASURE.match(rest):
        return head
    return None


#: A run of words joined by 、/和/与/及: where a list of places is looked for.
_LIST_RUN = re.compile(rf"[{CJK_RANGE}]+(?:{ENUMERATION_JOINT.pattern}[{CJK_RANGE}]+)+")
#: How many characters a place's shape may add to the name the gazetteer knows (大通 -> 大通湖区).
_PLACE_EXTENSION_MAX = 2
_COUNTED = re.compile(r"[两二三四五六七八九十个几\d]")
_TOWN_SHAPE = re.compile(rf"[{CJK_RANGE}]{{1,4}}(?:镇|乡|街道)")


def _place_items(
    question: str, place_at_start: Callable[[str], str | None] | None
) -> tuple[tuple[str, ...], tuple[int, int]] | None:
    """「海东市给平安区和循化县一共安排了多少」「天长市、来安县、全椒县三地合计多少」: a list of two or
    more places (or towns) joined by 、/和, whatever words run into its first item from the left
    (给平安区 -> 平安区) or out of its last to the right (循化县一共 -> 循化县). Returns the items
    and the span of the list in the question; None when the joined words are not all places (or
    no gazetteer is given)."""
    if place_at_start is None:
        return None

    def whole_place(text: str, shaped: bool = True) -> bool:
        # a town the locality reader does not take alone (新州镇) is taken by its shape in a list
        return (
            place_at_start(text) == text or localities_in(text) == [text]
            or (shaped and _TOWN_SHAPE.fullmatch(text) is not None)
        )

    for run in _LIST_RUN.finditer(question):
        pieces = ENUMERATION_JOINT.split(run.group())
        first, middle, last = pieces[0], pieces[1:-1], pieces[-1]
        # (by shape only the whole first piece: 州镇 of 新州镇 is town-shaped too); the longest place
        # that ends the piece (南漳县 of 「2022年南漳县」, not the county 漳县 inside it)
        lead = next((k for k in range(len(first) - 1) if whole_place(first[k:], shaped=k == 0)), None)
        tail = place_at_start(last) or next(iter(localities_in(last)), None)
        shaped = _PLACE_ITEM.match(last)
        extension = shaped.group(0)[len(tail) :] if tail and shaped and shaped.group(0).startswith(tail) else ""
        if tail and 0 < len(extension) <= _PLACE_EXTENSION_MAX and not _COUNTED.search(extension):
            # 大通湖区, which the gazetteer knows only as 大通 (another county); not 交口两个县
            tail += extension
        if lead is None or tail is None or not last.startswith(tail) or not all(whole_place(p) for p in middle):
            continue
        items = (first[lead:], *middle, tail)
        return items, (run.start() + lead, run.end() - len(last) + len(tail))
    return None


#: The count a question gives its list of items (「…、一般公共服务四项支出」「…两类项目」).
_LIST_COUNT = re.compile(r"([两二三四五六七八九十])(?:项|个|类|地|县|市|镇|区|者|种)")


def _counted_items(
    question: str, place_at_start: Callable[[str], str | None] | None
) -> tuple[tuple[str, ...], tuple[int, int]] | None:
    """「教育、卫生健康、社会保障和就业、一般公共服务四项支出中，哪项增长最快」: a list of items whose
    count the question states; the items are split at 、, and at 和 only where that is needed to make
    the count (社会保障和就业 is one item of the four). The place and year the list opens with are
    shared by all items. Returns the items and the list's span; None when no count fits."""
    for count in _LIST_COUNT.finditer(question):
        wanted = int(chinese_number(count.group(1)) or 0)
        start = max(question.rfind(mark, 0, count.start()) for mark in "，,。？?：:（(") + 1
        end = count.start()
        bracketed = re.match(r"[（(]([^（()）]+)[）)]", question[count.end() :])
        if bracketed is not None:
            # 「前三项（扶贫项目应付资金、生猪种业园区、现代粮油产业园区）合计多少」: the list follows, and
            # each item stands in for the count and the brackets together
            start, end = count.end() + 1, count.end() + 1 + len(bracketed.group(1))
        pieces = question[start:end].split("、")
        if len(pieces) == wanted - 1:
            joined = next((i for i in range(len(pieces) - 1, -1, -1) if ENUMERATION_JOINT.search(pieces[i])), None)
            if joined is not None:
                pieces[joined : joined + 1] = ENUMERATION_JOINT.split(pieces[joined], maxsplit=1)
        if len(pieces) != wanted or wanted < 2:
            continue
        first = pieces[0]
        while place_at_start is not None and first:
            opening = _opening(first, place_at_start)
            if opening is None:
                break
            first, start = first[len(opening) :], start + len(opening)
        items = tuple(piece.strip() for piece in [first, *pieces[1:]])
        if all(1 <= len(item) <= 16 for item in items):
            return items, ((count.start(), end + 1) if bracketed is not None else (start, end))
    return None


#: Two levels of government as the sources of one fund (中央和自治区…资金, 中央和省级财政补助): the
#: central government's and the lower level's share are two figures of their own.
_GOVERNMENT_PAIR = re.compile(r"(中央)\s*(?:和|与|及|、)\s*(自治区|省级?|市级?|县级?)(?=[\u4e00-\u9fff(（])")


def _town_pair(question: str) -> tuple[tuple[str, str], tuple[int, int]] | None:
    """「嘉定区安亭镇和马陆镇…合计」: two towns joined by a conjunction are the items, however long
    the shared rest after them is; returns the towns and the span of the pair."""
    towns = localities_in(question)
    for first, second in itertools.pairwise(towns):
        match = re.search(rf"{re.escape(first)}\s*{_CONJUNCTION}\s*{re.escape(second)}", question)
        if match:
            return (first, second), match.span()
    return None


def _tier_pair(left: str, right: str) -> tuple[str, str, str] | None:
    """「对国家级和省级制造业创新中心」: two tiers of one noun. Returns the text before the first tier,
    and the two tiers; the noun after the second tier is shared by both parts."""
    first = list(TIER.finditer(left))
    second = TIER.match(right)
    if not first or first[-1].end() != len(left) or not second or second.group(0) == right:
        return None
    return left[: first[-1].start()], first[-1].group(0), second.group(0)


#: Two whole noun phrases compared: 「(汉中)对A的奖励，和对B的奖励，哪个更高」, each 「(对)X的N」.
_PHRASE_PAIR = re.compile(
    rf"^(?P<first>[^，,。？?]{{2,40}}?的[{CJK_RANGE}]{{1,6}})[，,]?\s*(?:和|与|跟|以及|及)\s*"
    rf"(?P<second>[^，,。？?]{{2,40}}?的[{CJK_RANGE}]{{1,6}})[，,]\s*(?:{_WHICH})"
)
#: What a phrase's item is: the words between its preposition (对 A 的 N) and 的.
_PHRASE_ITEM = re.compile(r"(?:对|给|向|为)(.{2,30}?)的[^的]{1,6}$")
_PHRASE_LEAD = re.compile(r"^(.{1,12}?)(?:对|给|向|为)")


def _phrase_pair(
    question: str, place_at_start: Callable[[str], str | None] | None
) -> tuple[tuple[str, str], tuple[str, str]] | None:
    """「汉中对A的奖励和对B的奖励，哪个更高？」: two whole noun phrases, each 「对X的N」, compared in a
    clause of their own. The items are X and Y; each part asks for its own phrase, and the second
    borrows the first's subject (汉中) when it names none of its own."""
    match = _PHRASE_PAIR.match(question)
    if not match:
        return None
    first, second = match.group("first").strip(), match.group("second").strip()
    items = [_PHRASE_ITEM.search(phrase) for phrase in (first, second)]
    if items[0] is None or items[1] is None:
        return None
    lead = _PHRASE_LEAD.match(first)
    own_subject = place_at_start(second) if place_at_start is not None else None
    if lead and not own_subject and second[:1] in "对给向为":
        second = lead.group(1) + second
    return (items[0].group(1), items[1].group(1)), (f"{first}是多少？", f"{second}是多少？")


#: 「哪个增长更快」 compares growth rates: each part asks for the rate (增速), not the amount.
_FASTER = re.compile(r"(?:增长|增加|提高|上涨|提升)(?:得)?(?:更|较|最)?(?:快|慢)")


def _chinese_part(text: str) -> str:
    text = _FASTER.sub("增速", text)
    body = _REMOVE_ZH.sub("", text.rstrip("？?。 ")).rstrip("，, ")
    body = re.sub(r"(?:是)?(?:多少|几)$", "", body)
    body = _TRAILING_COMPARATIVE.sub("", body).rstrip("，, 的是有为")
    return f"{body}？" if re.search(r"多少|几", body) else f"{body}是多少？"


def _english_part(text: str) -> str:
    body = " ".join(_REMOVE_EN.sub("", text).replace(" ,", ",").split()).strip(" ,?")
    if re.search(r"\bhow (?:much|many)\b", body, re.I) or re.match(r"(?:what|when|who)\b", body, re.I):
        return body + "?"  # already a question of its own
    return f"How many or how much: {body}?"


#: Words that make the figure after them a fall: 「比上年下降28.37%」 is -28.37% in a comparison.
_FALL_BEFORE = re.compile(r"(?:下降|减少|下滑|回落|降低|负增长)(?:了)?\s*$")


def _value_of(answer: Answer) -> Quantity | None:
    if answer.refused or not answer.short_answer:
        return None
    found = [q for q in find_quantities(answer.short_answer) if q.value is not None and q.kind != "ordinal"]
    if len(found) != 1:
        return None
    value = found[0]
    at = answer.answer.find(answer.short_answer)
    if at > 0 and value.value is not None and _FALL_BEFORE.search(answer.answer[max(0, at - 6) : at]):
        return replace(value, value=-value.value)
    return value


def _told_apart(values: list[Quantity | None], answers: Sequence[Answer]) -> list[Quantity | None]:
    """The parts' values, without a value that an earlier part already took from the same sentence:
    two items answered by one figure of one sentence (国家级 and 省级 both given the 20万元 of the
    sentence about 省级) mean the sentence did not tell them apart, not that they are equal."""
    seen: set[tuple[str, str | None, str | None]] = set()
    kept: list[Quantity | None] = []
    for value, answer in zip(values, answers, strict=True):
        if value is None or not answer.citations:
            kept.append(value)
            continue
        source = (answer.citations[0].doc, answer.citations[0].highlight, answer.short_answer)
        kept.append(None if source in seen else value)
        seen.add(source)
    return kept


def combine(
    composite: CompositeQuestion,
    answers: Sequence[Answer],
    question: str,
    refusal_text: Callable[[list[str]], str],
) -> Answer:
    """The comparison, difference or total of the parts' answers, citing each part's evidence."""
    english = detect_language(question) == "en"
    values = _told_apart([_value_of(answer) for answer in answers], answers)
    missing = [item for item, value in zip(composite.items, values, strict=True) if value is None]
    kinds = {unit_class(v) for v in values if v is not None}
    if missing or (len(kinds) != 1 and composite.operation != "each"):
        missing = missing or list(composite.items)
        citations = [c for answer in answers for c in answer.citations][:3]
        return Answer(
            question=question,
            answer=refusal_text(missing),
            refused=True,
            refusal=Refusal(reason="incomplete_comparison", missing=missing),
            citations=_renumber(citations),
            backend=answers[0].backend if answers else "extractive",
        )
    quantities = [v for v in values if v is not None]
    citations = _renumber([answer.citations[0] for answer in answers if answer.citations])
    facts = "；".join(
        f"{item}：{q.text}[{n}]" for n, (item, q) in enumerate(zip(composite.items, quantities, strict=True), start=1)
    )
    numbers = [q.value or 0.0 for q in quantities]
    unit = quantities[0].unit if quantities[0].kind != "date" else ""
    if composite.operation == "each":
        short = ("; " if english else "；").join(
            f"{item}: {q.text}" if english else f"{item}：{q.text}"
            for item, q in zip(composite.items, quantities, strict=True)
        )
        if english:
            pairs = enumerate(zip(composite.items, quantities, strict=True), start=1)
            text = "From the documents: " + "; ".join(f"{item}: {q.text}[{n}]" for n, (item, q) in pairs)
        else:
            text = f"{facts}。"
        return Answer(
            question=question, answer=text, short_answer=short, refused=False, citations=citations,
            backend=answers[0].backend if answers else "extractive",
        )
    if composite.operation in ("more", "less"):
        if numbers[0] == numbers[1]:
            short = "相同" if not english else "the same"
        else:
            pick = max if composite.operation == "more" else min
            short = composite.items[numbers.index(pick(numbers))]
    elif composite.operation == "difference":
        if unit == "%":
            # two rates differ by percentage points (8%-0.5% = 7.5个百分点), not by a rate
            short = f"{format_value(abs(numbers[0] - numbers[1]), '', like='1')}个百分点"
        else:
            short = format_value(abs(numbers[0] - numbers[1]), unit, like=quantities[0].text)
    else:
        short = format_value(sum(numbers), unit, like=quantities[0].text)
    if english:
        pairs = enumerate(zip(composite.items, quantities, strict=True), start=1)
        text = f"{short}. From the documents: " + "; ".join(f"{item}: {q.text}[{n}]" for n, (item, q) in pairs)
    else:
        verb = {"more": "更多", "less": "更少", "difference": "相差", "total": "合计"}[composite.operation]
        text = f"{facts}。{verb}：{short}。"
    return Answer(
        question=question,
        answer=text,
        short_answer=short,
        refused=False,
        citations=citations,
        backend=answers[0].backend if answers else "extractive",
    )


def _renumber(citations: Sequence[Citation]) -> list[Citation]:
    return [c.model_copy(update={"n": n}) for n, c in enumerate(citations, start=1)]
