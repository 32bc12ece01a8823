"""The structure of a 公文: its numbered heading tree, its attachments, and what it says about itself.

Official documents number their sections in a fixed vocabulary — 第X章, 第X节, 第X条, 一、, （一）,
1., （1） — and nest them in the order they first appear (a policy goes 一、 > （一） > 1.; a set of
rules goes 第X章 > 第X条 > 一、 > （一）). Shape alone (a short line without punctuation, see
``cleaning.detect_title_and_headings``) misses most of them: an article or an item usually goes on
with its body on the same line (「第五条 对获得…」, 「（一）扩大制造业投资。对新引进…」). Here each
numbered line start is a heading whose words end where its title does, its level is the rank of its
marker kind by first appearance, and 附件 lines open an attachment section of their own.

``document_meta`` reads the issuing body, the document's own number and its 成文日期 from the lines
where a 公文 states them (header, number line, signature), not from numbers it merely cites.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.schema import DocumentMeta, Heading
from rag.text.numbers import ORDINAL_NUMERAL_CHARS
from rag.text.patterns import CJK_RANGE, DOCUMENT_NUMBER, ORG_SUFFIX_ALTERNATION, PERSON_TITLES
from rag.text.quantities import date_parts, find_quantities
from rag.text.sentences import SUBTITLE_CLOSING, is_heading_shaped

__all__ = [
    "LocatedMeta", "MetaLine", "delivered_speaker", "document_meta", "located_meta", "merge_headings",
    "numbered_headings", "text_lines",
]

_NUM = f"[{ORDINAL_NUMERAL_CHARS}]{{1,4}}"
_CN = "[一二三四五六七八九十]{1,3}"
_OPEN = "[（(]"
_CLOSE = "[）)]"

#: Marker kinds: (name, pattern of the marker at a line start). The name is the kind's identity
#: for ranking; patterns are tried in order and must match right at the line start.
_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("chapter", re.compile(rf"第{_NUM}[章编](?![的是中])")),
    ("section", re.compile(rf"第{_NUM}节(?![的是中])")),
    ("article", re.compile(rf"第{_NUM}条(?=[\s　{CJK_RANGE}（(“])")),
    ("cn", re.compile(rf"{_CN}、")),
    ("cn_paren", re.compile(rf"{_OPEN}{_CN}{_CLOSE}")),
    # 1. / 2、 but not the decimal 2.5; 「2.2025年十五件民盼实事任务分解」 is item 2 about the year 2025
    ("arabic", re.compile(r"\d{1,2}(?:[.．、](?!\d)|[.．](?=(?:19|20)\d{2}年))")),
    ("arabic_paren", re.compile(rf"{_OPEN}\d{{1,2}}{_CLOSE}")),
)
#: Kinds whose heading is the marker itself when no short title follows (第五条 names a place in
#: the text on its own; a bare 1. does not, so an untitled list item is no heading).
_NAMED_BY_MARKER = frozenset({"chapter", "section", "article"})
#: A title after a marker: short, no comma inside, ended by 。：: or the line's end.
_TITLE_MAX_CHARS = 30
_TITLE_END = re.compile(r"[。：:；;]")
_TITLE_BREAKERS = frozenset("，,、")
#: Words that open a provision's sentence rather than a title (对…的, 为了…, 根据…, 凡…).
_CLAUSE_OPENERS = frozenset("对为在根凡按经本依由自")
#: 附件 / 附件1 / 附件2：名单 — a line that opens an attachment (not 「附件：1.…」, the list of them).
_ATTACHMENT = re.compile(
    r"附\s*件\s*(?:\d{1,2}|[一二三四五六七八九十]{1,2})?\s*(?![：:]\s*\d{1,2}[.．、])(?:[：:]?\s*\S.{0,40})?"
)

#: Kinds that start a section of chunks even inside a line (an article is the unit a rule is cited
#: by); numbered items of the other kinds are outline headings unless they stand on their own line.
_SECTION_KINDS = frozenset({"chapter", "section", "article", "attachment"})


@dataclass(frozen=True)
class _Found:
    kind: str
    start: int
    end: int  # end of the heading's words (None-equivalent when the whole line is the heading)
    text: str
    whole_line: bool


def text_lines(text: str) -> list[tuple[int, str]]:
    """Non-blank lines as (offset of their first non-space character, stripped text)."""
    result = []
    for match in re.finditer(r"[^\n]+", text):
        line = match.group()
        stripped = line.strip()
        if stripped:
            result.append((match.start() + len(line) - len(line.lstrip()), stripped))
    return result


def _title_after(line: str, marker_end: int) -> int | None:
    """Where a short title that follows the marker ends (offset in ``line``), or None."""
    rest = line[marker_end:]
    stop = _TITLE_END.search(rest)
    cut = stop.start() if stop else len(rest)
    title = rest[:cut].strip()
    if not title or len(title) > _TITLE_MAX_CHARS or any(ch in _TITLE_BREAKERS for ch in title):
        return None
    if stop is None and len(rest.strip()) != len(title):
        return None
    if stop is not None and (any(ch.isdigit() for ch in title) or title[0] in _CLAUSE_OPENERS):
        return None  # 「第一条 对大工匠每人奖励5万元。…」: a provision's first sentence, not a title
    return marker_end + len(rest[:cut].rstrip())


def _find(text: str) -> list[_Found]:
    found: list[_Found] = []
    for offset, line in text_lines(text):
        attachment = _ATTACHMENT.fullmatch(line)
        if attachment and len(line) <= 50:
            found.append(_Found("attachment", offset, offset + len(line), " ".join(line.split()), True))
            continue
        for kind, pattern in _MARKERS:
            marker = pattern.match(line)
            if marker is None:
                continue
            if kind in ("chapter", "section"):
                if is_heading_shaped(line):
                    found.append(_Found(kind, offset, offset + len(line), " ".join(line.split()), True))
                break
            title_end = _title_after(line, marker.end())
            if title_end is not None:
                words = line[:title_end]
                whole = title_end >= len(line.rstrip("。"))
                found.append(_Found(kind, offset, offset + title_end, " ".join(words.split()), whole))
            elif kind in _NAMED_BY_MARKER:
                words = marker.group().strip()
                found.append(_Found(kind, offset, offset + marker.end(), words, False))
            break
    return found


def numbered_headings(text: str) -> list[Heading]:
    """The 公文 headings of ``text``: numbered section starts (with their level by first appearance
    of their marker kind) and attachment openings (level 0: each attachment is a tree of its own).

    A numbered heading's ``end`` is set when its body goes on on the same line. Each attachment
    restarts the ranking, since an attachment (a list, a form) numbers its own way.
    """
    headings: list[Heading] = []
    ranks: dict[str, int] = {}
    for item in _find(text):
        if item.kind == "attachment":
            ranks = {}
            headings.append(Heading(item.start, item.text, 0, None))
            continue
        level = ranks.setdefault(item.kind, len(ranks) + 1)
        end = None if item.whole_line else item.end
        headings.append(Heading(item.start, item.text, level, end, outline=item.kind not in _SECTION_KINDS))
    return headings


def merge_headings(shape: list[Heading], numbered: list[Heading]) -> list[Heading]:
    """Shape headings and numbered ones in one list by offset. A line found by both keeps the
    shape heading's words and section role and takes the numbered level, so the chunks of a
    document without articles stay exactly as the shape headings cut them."""
    at = {h.start: h for h in shape}
    for heading in numbered:
        found = at.get(heading.start)
        if found is None:
            at[heading.start] = heading
        elif heading.level:
            at[heading.start] = Heading(found.start, found.text, heading.level, found.end)
    return sorted(at.values(), key=lambda h: h.start)


# --- what a 公文 says about itself ---

_DATE_LINE_MAX = 20
#: An organisation's name standing alone on a line (a signature or a header).
_ORG_NAME = rf"[{CJK_RANGE}（）()]{{2,40}}(?:{ORG_SUFFIX_ALTERNATION})"
#: A signature line: one unit, or joint signers on one line (「正安县财政局 正安县民政局」).
_ORG_LINE = re.compile(rf"{_ORG_NAME}(?:[ \t\u3000]+{_ORG_NAME})*")
_HEADER = re.compile(rf"([{CJK_RANGE}（）()]{{2,40}}?)\s*文\s*件")
#: At most this many signing units stacked above a 公文's date line.
_JOINT_SIGNERS = 3
_TITLE_ISSUER = re.compile(rf"^([{CJK_RANGE}（）()]{{2,40}}?(?:{ORG_SUFFIX_ALTERNATION}))关于")
#: The own number of a document stands near its top, on its own line.
_NUMBER_LINES = 15
#: A web page's metadata field naming the document's own date or number (「发布日期:2022-07-29」,
#: 「发文字号：延政发〔2009〕33号」): what a portal prints above the text in place of a signature.
_DATE_FIELD = re.compile(r"(?:发布|成文|发文|印发|公布)(?:日期|时间)\s*[:：]\s*")
_NUMBER_FIELD = re.compile(r"(?:发文字号|文号)\s*[:：]\s*")


def _date_line(line: str) -> str:
    """The ISO date a line consists of (「二○○五年六月二十八日」, 「2024年3月1日」), or ''."""
    compact = re.sub(r"\s", "", line)
    if compact[:1] in "（(" and compact[-1:] in "）)":
        compact = compact[1:-1]  # a bulletin's date under its issuer: 「(2022年4月)」
    if len(compact) > _DATE_LINE_MAX:
        return ""
    quantities = find_quantities(compact)
    if len(quantities) != 1 or quantities[0].kind != "date":
        return ""
    q = quantities[0]
    if compact[: q.start].strip() or compact[q.end :].strip("印发 "):
        return ""
    return _iso(q.text)


@dataclass(frozen=True)
class MetaLine:
    """Where a 公文 states one fact about itself: the value as written and where the text holds it
    (``text[start:end] == value``; 0, 0 when only a title outside the text names it)."""

    value: str
    start: int
    end: int


@dataclass(frozen=True)
class LocatedMeta:
    """``DocumentMeta`` with the place of each value in the text, so an answer can cite it.

    ``date`` keeps the text's own wording (2025年5月18日); ``iso_date`` is its ISO form.
    """

    issuer: MetaLine | None = None
    doc_number: MetaLine | None = None
    date: MetaLine | None = None
    iso_date: str = ""

    def as_meta(self) -> DocumentMeta:
        return DocumentMeta(
            # joint signers, one per line in the text, are listed as 「甲办公室、乙办公室」
            issuer="、".join(line.strip() for line in self.issuer.value.splitlines()) if self.issuer else "",
            doc_number=self.doc_number.value if self.doc_number else "",
            date=self.iso_date,
        )


#: A report or a speech dated by the meeting where it was delivered: 「——2023年4月25日在交城县第十七届
#: 人民代表大会第四次会议上」 or 「（2023年2月23日在自治县十届人大二次会议上）」, usually its subtitle.
#: Mirrors break the subtitle over two lines (「——2024年2月28日在苍梧县第十七届」 / 「人民代表大会第四次
#: 会议上」) or drop its dash when the date opens the line; both are read with the next line joined on.
_DELIVERED = re.compile(
    r"(?:[—–-]{1,2}|[（(])\s*(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*在[^。\n]{2,60}?(?:会议|大会|会)上"
    # without the dash only as the whole line (a body sentence may open with a date and 在…会上)
    r"|^(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*在[^。\n，,]{2,60}?(?:会议|大会)上\s*$"
)
#: How many lines from the top a delivery subtitle may stand.
_DELIVERED_LINES = 6
#: The speaker line under a report's subtitle: an optional body, the office, the name (「县长 孔斌」,
#: 「汉滨区人民政府代区长 向诗兵」, 「西昌市人民政府市长 宋 莉」, as mirrors space a two-character name).
_SPEAKER_LINE = re.compile(
    rf"[{CJK_RANGE}]{{0,20}}?(?:{PERSON_TITLES})\s*(?P<name>[{CJK_RANGE}](?:\s?[{CJK_RANGE}]){{1,3}})"
)
#: How many lines below the subtitle the speaker line may stand.
_SPEAKER_LINES = 2


def _iso(date_text: str) -> str:
    parts = date_parts(date_text)
    if parts is None:
        return ""
    year, month, day = parts
    return "-".join([f"{year:04d}"] + [f"{v:02d}" for v in (month, day) if v is not None])


#: A document number closing a line after a space (the title line's own number).
_NUMBER_AT_END = re.compile(rf"\s({DOCUMENT_NUMBER.pattern})\s*$")
_NUMBER_IN_BRACKETS = re.compile(rf"[(（]({DOCUMENT_NUMBER.pattern})[)）]")
_QUOTED_WITH_NUMBER = re.compile(rf"《([^》]{{4,80}})》\s*[(（]({DOCUMENT_NUMBER.pattern})[)）]")


def cited_numbers(text: str) -> list[tuple[str, MetaLine]]:
    """The documents ``text`` cites with their numbers, 「《…管理暂行办法》(舟财农〔2018〕18号)」:
    (the cited title, where its number stands)."""
    return [
        (m.group(1), MetaLine(m.group(2), m.start(2), m.end(2))) for m in _QUOTED_WITH_NUMBER.finditer(text)
    ]


def _metadata_fields(lines: list[tuple[int, str]]) -> LocatedMeta:
    """The date and number a page's labelled metadata fields give (「发布日期:2022-07-29」)."""
    date = doc_number = None
    for offset, line in lines:
        label = _DATE_FIELD.search(line)
        if date is None and label is not None:
            first = next(iter(find_quantities(line[label.end() :])), None)
            if first is not None and first.kind == "date" and first.start == 0 and _iso(first.text).count("-") == 2:
                start = offset + label.end()
                date = MetaLine(first.text, start, start + len(first.text))
        label = _NUMBER_FIELD.search(line)
        if doc_number is None and label is not None:
            number = DOCUMENT_NUMBER.match(line, label.end())
            if number is not None:
                doc_number = MetaLine(number.group(), offset + number.start(), offset + number.end())
    return LocatedMeta(issuer=None, doc_number=doc_number, date=date, iso_date="")


def located_meta(text: str, title: str = "") -> LocatedMeta:
    """The issuing body, own number and 成文日期 of a 公文, each with the line that states it.

    The date is the first line that is only a date, else the date of a delivery subtitle
    (「——2023年4月25日在…会议上」); the issuer the organisation line right above the date line
    (the signature), else a 「…文件」 header, else the part of the title before 关于, else (for a copy
    without a date) an organisation line that ends the text. The number
    is a line near the top that is only a document number; numbers cited inside sentences belong to
    other documents.
    """
    lines = text_lines(text)
    doc_number = None
    for offset, line in lines[:_NUMBER_LINES]:
        if DOCUMENT_NUMBER.fullmatch(re.sub(r"\s", "", line)):
            doc_number = MetaLine(line, offset, offset + len(line))
            break
        bracketed = _NUMBER_IN_BRACKETS.fullmatch(line.strip())
        if bracketed is not None:
            # 「(徐价服[2010]16号)」 on its own line under the title: the number in its brackets
            start = offset + line.index(bracketed.group(1))
            doc_number = MetaLine(bracketed.group(1), start, start + len(bracketed.group(1)))
            break
    if doc_number is None and lines:
        # a title line that ends with the number (「福州市…管理办法 榕民规〔2025〕4号」, as mirrors print it),
        # or holds it in brackets (「某市补助资金(某财预[2022]376号)分配情况公示」: the number of what it announces)
        offset, line = lines[0]
        ending = _NUMBER_AT_END.search(line) or (
            None if "转发" in line else _NUMBER_IN_BRACKETS.search(line)  # a forwarded document's number
        )
        if ending is not None:
            doc_number = MetaLine(ending.group(1), offset + ending.start(1), offset + ending.end(1))
    if doc_number is None and lines:
        # 「…印发了《贵德县村干部报酬发放办法(试行)》(贵办发〔2021〕2号)」 in a page's opening: the
        # number given right after the document's own title (the title line quotes it too)
        heading = f"{title}\n{lines[0][1]}"
        for offset, line in lines[:_NUMBER_LINES]:
            quoted = next((m for m in _QUOTED_WITH_NUMBER.finditer(line) if m.group(1) in heading), None)
            if quoted is not None:
                doc_number = MetaLine(quoted.group(2), offset + quoted.start(2), offset + quoted.end(2))
                break
    issuer = date = None
    iso_date = ""
    for i, (offset, line) in enumerate(lines):
        found = _date_line(line)
        if not found:
            continue
        iso_date = found
        value = line.strip("（()）").strip()
        start = offset + line.index(value)
        date = MetaLine(value, start, start + len(value))
        previous_offset, previous = lines[i - 1] if i > 0 else (0, "")
        if previous and _ORG_LINE.fullmatch(previous):
            # a joint notice signs with each issuing unit on its own line, the last right above
            # the date (「中共某县委办公室 / 某县人民政府办公室 / 2015年1月21日」): all of them issued it
            first = i - 1
            while first > 0 and i - first < _JOINT_SIGNERS and _ORG_LINE.fullmatch(lines[first - 1][1]):
                first -= 1
            start = lines[first][0]
            issuer = MetaLine(text[start : previous_offset + len(previous)], start, previous_offset + len(previous))
        break
    if date is None:
        for i, (offset, line) in enumerate(lines[:_DELIVERED_LINES]):
            joined = line + (lines[i + 1][1] if i + 1 < len(lines) else "")
            delivered = _DELIVERED.search(line) or _DELIVERED.search(joined)
            group = 1 if delivered is not None and delivered.group(1) else 2
            if delivered is not None and delivered.start(group) < len(line):  # (not the next line's own)
                iso_date = _iso(delivered.group(group))
                start = offset + delivered.start(group)
                date = MetaLine(delivered.group(group), start, offset + delivered.end(group))
                break
    if date is None or doc_number is None:
        fields = _metadata_fields(lines[:_NUMBER_LINES])
        if date is None and fields.date is not None:
            date, iso_date = fields.date, _iso(fields.date.value)
        doc_number = doc_number or fields.doc_number
    # A 「…文件」 header, else a title line that opens with the issuer (「某县人民政府关于…」).
    for find in (_HEADER.fullmatch, _TITLE_ISSUER.match):
        for offset, line in lines[:3] if issuer is None else []:
            match = find(line)
            if match:
                issuer = MetaLine(match.group(1), offset, offset + len(match.group(1)))
                break
    if issuer is None and date is None and lines and _ORG_LINE.fullmatch(lines[-1][1].strip()):
        # a copy that lost its date still signs with the issuing body on its last line (「和田地区财政局」)
        offset, line = lines[-1]
        value = line.strip()
        start = offset + line.index(value)
        issuer = MetaLine(value, start, start + len(value))
    if issuer is None and title:
        match = _TITLE_ISSUER.match(title)
        if match:
            at = text.find(match.group(1))  # -1: only the title names it, no line to cite
            start, end = (at, at + len(match.group(1))) if at >= 0 else (0, 0)
            issuer = MetaLine(match.group(1), start, end)
    return LocatedMeta(issuer=issuer, doc_number=doc_number, date=date, iso_date=iso_date)


def delivered_speaker(text: str) -> MetaLine | None:
    """Who delivered a report or speech: the name on the line under its delivery subtitle (「——2024年
    2月28日在…第四次会议上」 / 「县长 孔斌」), None when the text opens with no such subtitle. The
    name is what a report is signed with; the office before it says in what role."""
    lines = text_lines(text)[: _DELIVERED_LINES + _SPEAKER_LINES]
    for i, (_, line) in enumerate(lines):
        if not SUBTITLE_CLOSING.search(line.strip()):  # the line that ends a delivery subtitle
            continue
        for offset, candidate in lines[i + 1 : i + 1 + _SPEAKER_LINES]:
            speaker = _SPEAKER_LINE.fullmatch(candidate.strip())
            if speaker is not None:
                start = offset + candidate.index(candidate.strip()) + speaker.start("name")
                return MetaLine(speaker.group("name"), start, start + len(speaker.group("name")))
        return None
    return None


def document_meta(text: str, title: str = "") -> DocumentMeta:
    """The issuing body, own number and 成文日期 of a 公文 ('' for each one the text does not state)."""
    return located_meta(text, title).as_meta()
