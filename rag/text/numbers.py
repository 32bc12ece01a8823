"""Chinese numerals and editions (第十八届), parsed one way everywhere.

``chinese_number`` reads a Chinese numeral (五万, 一百二十, 三千五百万); ``ORDINAL`` finds an edition
or batch (第十八届, 第3批) and ``canonical_ordinal`` writes it in one form ('18届'), so either wording
matches the other.
"""

from __future__ import annotations

import re

#: Chinese digits and their values.
CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
             "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
#: The characters an edition number is written with (第十八届, 第一百零五期, 第3批), for a char class.
ORDINAL_NUMERAL_CHARS = r"一二三四五六七八九十百零〇两\d"
#: An edition or batch: group 1 the number, group 2 the unit (届, 批, 次, 期).
ORDINAL = re.compile(rf"第([{ORDINAL_NUMERAL_CHARS}]{{1,4}})(届|批|次|期)")
#: A run of Chinese numeral characters that may be a number (two or more characters).
CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百千万亿]{2,}")


def chinese_number(word: str) -> float | None:
    """Value of a Chinese numeral such as 五万, 一百二十, 三千五百万 (None if it is not one)."""
    total, section, digit = 0, 0, None
    for char in word:
        if char in CN_DIGITS:
            if digit is not None and digit != 0:
                return None  # two digits in a row: not a numeral
            digit = CN_DIGITS[char]
        elif char in CN_UNITS:
            section += (1 if digit is None else digit) * CN_UNITS[char]
            digit = None
        elif char in CN_BIG_UNITS:
            section += digit or 0
            if section == 0:
                return None
            total = (total + section) * CN_BIG_UNITS[char]
            section, digit = 0, None
        else:
            return None
    return float(total + section + (digit or 0))


def canonical_ordinal(match: tuple[str, str]) -> str:
    """第十八届 and 第18届 both become '18届' (``match`` is ``ORDINAL``'s two groups)."""
    number, unit = match
    if number.isdigit():
        return f"{int(number)}{unit}"
    value = chinese_number(number)
    return f"{int(value) if value is not None else number}{unit}"


#: 首批, 首届, 首期: the first batch, edition or term (首次 "for the first time" is left out: it is
#: an adverb far more often than an edition).
FIRST_ORDINAL = re.compile(r"首(批|届|期)")


def ordinals_in(text: str) -> list[str]:
    """Editions and batches a text names (第十八届, 第3批, 首批), in the canonical form, in order."""
    found = [canonical_ordinal(m) for m in ORDINAL.findall(text)]
    found += [f"1{unit}" for unit in FIRST_ORDINAL.findall(text)]
    return list(dict.fromkeys(found))


_ENGLISH_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10,
}
_ENGLISH_ORDINAL_UNITS = {"batch": "批", "session": "届", "edition": "届", "round": "批", "phase": "期"}
ENGLISH_ORDINAL = re.compile(
    r"\b(" + "|".join(_ENGLISH_ORDINALS) + r"|\d+(?:st|nd|rd|th))\s+(batch|session|edition|round|phase)",
    re.I,
)


#: A rank an English question names: 「second-ranked」「ranked third」「in first place」.
_ENGLISH_RANK = re.compile(
    r"\b(?:(" + "|".join(_ENGLISH_ORDINALS) + r")[\s-]+(?:ranked|placed|place)|ranked\s+("
    + "|".join(_ENGLISH_ORDINALS) + r"))\b",
    re.I,
)


def english_ranks(text: str) -> list[int]:
    """The ranks an English question names (second-ranked -> 2)."""
    return [_ENGLISH_ORDINALS[(a or b).lower()] for a, b in _ENGLISH_RANK.findall(text)]


def english_ordinals(text: str) -> list[str]:
    """Editions and batches an English question names (the third batch -> '3批'), in the canonical
    form of :func:`canonical_ordinal`, so an English question is held to its edition as strictly."""
    found = []
    for word, unit in ENGLISH_ORDINAL.findall(text):
        word = word.lower()
        number = _ENGLISH_ORDINALS.get(word) or int(re.sub(r"\D", "", word))
        found.append(f"{number}{_ENGLISH_ORDINAL_UNITS[unit.lower()]}")
    return found
