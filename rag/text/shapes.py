"""Answers of a fixed written shape: the contacts notices print (telephone, fax, e-mail, postcode,
website) and ratios (三次产业结构 17.8:39.3:42.9).

A 公告 or 通知 ends with whom to call or write (「监督电话:0398-5185006」「电子邮箱:jcnwrjb@163.com」);
a bulletin states its economy's structure as a ratio. A question about them (「监督电话是多少」「三次
产业结构是多少」) asks for a string of that shape, not a figure: read as 多少 it would be answered
with the nearest amount of money or count. This module says which shape a question asks for and
finds values of that shape in a sentence.
"""

from __future__ import annotations

import re

__all__ = ["SHAPES", "asked_shape", "shaped_values"]

#: The words that name each kind of contact, Chinese and English.
_CONTACT_WORDS: dict[str, re.Pattern[str]] = {
    "fax": re.compile(r"传真(?:电话|号码)?|\bfax\b", re.I),
    "phone": re.compile(
        r"电话|手机|热线|联系方式|\b(?:tele)?phone\b|\bhotline\b|\bmobile\b|\btel\b|contact number", re.I
    ),
    "email": re.compile(r"邮箱|电子邮件|\be-?mail\b|\bmailbox\b", re.I),
    "postcode": re.compile(r"邮编|邮政编码|\bpost(?:al)? ?code\b|\bzip code\b", re.I),
    "website": re.compile(r"网址|网站|\bwebsite\b|\burl\b|web address", re.I),
    # 「三次产业结构」「结构比」「A与B之比」: a ratio, not the 比例 that is a percentage
    "ratio": re.compile(r"产业结构|结构比|之比|(?:sector|industrial|industry) (?:structure|mix)|\bratio\b", re.I),
}
#: In a Chinese question the contact word is what is asked only when the asking words follow it
#: (「监督电话是多少」「电子邮箱呢」「产业结构调整为多少」): 「电视电话会议在哪里召开」 asks for a place.
_ASKED_AFTER = re.compile(
    r"(?:号码|号|比)?\s*(?:是|为|调整为|变为|达到|优化为)?\s*(?:多少|什么|怎样|如何|哪|几|呢|[？?]|$)"
)
#: A question that counts or qualifies contacts rather than asking for one (「开通了几条热线」).
_COUNTS_CONTACTS = re.compile(r"(?:几|多少)(?:条|部|个|路)|how many", re.I)

#: The shape of each kind of value. Telephone numbers: an area code and a local number
#: (0398-7872655, 0876—3124262), a bare local number of 7–8 digits, a mobile number, a short
#: service number (12317, 12345).
_PHONE = r"(?:\(?0\d{2,3}\)?\s*[-—－–]?\s*)?[1-9]\d{6,7}|1[3-9]\d{9}|1[0-2]\d{3}"
#: A number right before one of these is a figure (10000元, 12317号), not a telephone number.
_FIGURE_AFTER = "万亿元年月日号个项人次家所条户亩吨%％"
_PHONE_SHAPE = re.compile(rf"(?<![0-9A-Za-z.@-])(?:{_PHONE})(?![0-9A-Za-z@.{_FIGURE_AFTER}])")
_VALUE_SHAPES: dict[str, re.Pattern[str]] = {
    "phone": _PHONE_SHAPE,
    "fax": _PHONE_SHAPE,
    "email": re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"),
    "postcode": re.compile(r"(?<!\d)\d{6}(?!\d)"),
    "website": re.compile(r"(?:https?://|www\.)[A-Za-z0-9./?=&_%-]+", re.I),
    "ratio": re.compile(r"(?<![\d.])\d+(?:\.\d+)?(?:\s*[:：∶]\s*\d+(?:\.\d+)?)+(?![\d.])"),
}
#: The shapes there are.
SHAPES = tuple(_VALUE_SHAPES)
_RATIO_MARK = re.compile(r"[:：∶]")
_TWO_PART_RATIO = re.compile(r"之比|比例|比为")
#: How near a two-part ratio its 比例 must stand.
RATIO_WORD_WINDOW = 4
#: What may stand between two values of one field (「6995029,6995031」「0375-2686000 ; 0375-3312317」).
_BETWEEN_VALUES = re.compile(r"^[\s,，;；、/或和]{1,3}$")


def asked_shape(question: str) -> str | None:
    """The shape of answer ``question`` asks for (phone, fax, email, postcode, website, ratio), or None.

    The one named last decides: a follow-up read with its history (「…的电话是多少，它的电子邮箱？」)
    asks for its own. Fax beats phone where they end together: 「传真电话」 asks for the fax line."""
    if _COUNTS_CONTACTS.search(question):
        return None
    named = [
        (match.end(), -order, kind)
        for order, (kind, words) in enumerate(_CONTACT_WORDS.items())
        for match in words.finditer(question)
        if match.group(0).isascii() or _ASKED_AFTER.match(question, match.end())
    ]
    return max(named)[2] if named else None


def shaped_values(sentence: str, kind: str) -> list[tuple[int, int]]:
    """The spans of ``sentence`` of the shape ``kind``, values of one field joined: two numbers
    printed side by side (「联系电话:6995029,6995031」) are one answer. A ratio has at least three
    parts (17.8:39.3:42.9), or two where the sentence says 之比 / 比例 (1:1)."""
    spans: list[tuple[int, int]] = []
    for match in _VALUE_SHAPES[kind].finditer(sentence):
        start, end = match.span()
        near = sentence[max(0, start - RATIO_WORD_WINDOW) : end + RATIO_WORD_WINDOW]
        if kind == "ratio" and len(_RATIO_MARK.findall(match.group(0))) < 2 and not _TWO_PART_RATIO.search(near):
            continue  # 「8:30」 is a time of day; a two-part ratio says it is one (按1:1比例)
        if kind == "ratio":
            spans.append((start, end))
            continue
        if spans and _BETWEEN_VALUES.match(sentence[spans[-1][1] : start]):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans
