"""Answer-grading rules for the evaluation dataset (pure functions: no I/O, no state).

Every rule the QA staff apply by hand is written here once, so reports, tests and people agree on
what "correct" means. ``eval/GRADING.md`` lists the same rules in prose.

Vocabulary:

* *gold* -- the dataset item's ``answers`` list: short spans copied from the documents, e.g.
  ``["5万元"]``. An empty list means the documents do not contain the answer (the system must refuse).
* *answer* / *short answer* -- the system's ``Answer.answer`` and ``Answer.short_answer``.
* *evidence* -- the dataset item's verbatim supporting passage; multi-hop items join several passages
  with ``" || "``.

All comparisons are made on :func:`normalize`-d text, so width, case, quote style, digit grouping and
whitespace (including broken lines) never decide a grade.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any, Literal

__all__ = [
    "EVIDENCE_SEPARATOR",
    "MAX_ANSWER_CHARS",
    "UNIT_SUFFIXES",
    "answer_matches",
    "citation_supports",
    "evidence_parts",
    "is_correct",
    "is_wrong",
    "normalize",
    "passage_hit",
    "refusal_correct",
    "short_answer_exact",
    "short_answer_holds",
]

MatchMode = Literal["any", "all"]

#: Separator between the passages of a multi-hop item's ``evidence``.
EVIDENCE_SEPARATOR = "||"

#: An answer longer than this (counted after :func:`normalize`) is a dumped passage, never correct.
MAX_ANSWER_CHARS = 300

#: Unit characters that may be left off a number ("5万" for "5万元", "1.4亿" for "1.4亿人次").
UNIT_SUFFIXES = "元人个家项名次"

# Chinese magnitude characters: "5万" and "5亿" are different numbers, so they are part of the number.
_MAGNITUDES = "万亿千百十"
# "多"/"余" after a number ("70余个", "500多家") mean "more than"; normalize() folds 余 into 多.
_APPROX = "多"
# After a unit-stripped gold such as "5万", these CJK characters may follow without changing the
# figure ("5万的奖励", "5万和8万"); any other CJK character is taken as a different unit ("5万美元").
_FUNCTION_CHARS = "的和与及或是为"

_QUOTES = str.maketrans(
    {
        ch: '"'
        for ch in "\u201c\u201d\u201e\u201f\u00ab\u00bb\u300c\u300d\u300e\u300f\u301d\u301e\u301f"
        "\u2018\u2019\u201a\u201b\u2039\u203a\u2032\u2033\u0027\u0060\u00b4"
    }
)
_DASHES = str.maketrans({ch: "-" for ch in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u301c\uff5e~"})
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_WHITESPACE = re.compile(r"\s+")
_BETWEEN_DIGITS = re.compile(r"(?<=\d)\s+(?=\d)")
_GROUPING_COMMA = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_APPROX_YU = re.compile(r"(?<=[0-9万亿千百十])余")


def normalize(text: str) -> str:
    """Fold ``text`` into the form every grading comparison uses.

    Rules, applied in this order:

    1. Unicode NFKC: full-width letters, digits and punctuation become half-width
       (``５万元`` -> ``5万元``, ``（`` -> ``(``, ``，`` -> ``,``, ``％`` -> ``%``).
    2. Lower-case (``App`` -> ``app``).
    3. Unify quotes: every double or single quotation mark, including Chinese corner brackets
       ``「」『』``, becomes ``"``.
    4. Unify dashes and tildes (``—``, ``–``, ``～``, ``~``) to ``-`` so ranges compare equal
       (``500~1000元`` == ``500-1000元``, ``2019—2021年`` == ``2019-2021年``).
    5. Remove digit-grouping commas: a comma between a digit and exactly three digits
       (``15,484`` -> ``15484``; the full-width ``，`` is covered after step 1).
    6. Drop all whitespace and invisible characters (spaces, tabs, line breaks, ideographic space,
       zero-width space, BOM), so passages with broken lines compare equal to unbroken text. Only
       whitespace between two digits stays a separator (``|``): two numbers side by side
       (``12317 0478-5235020``) are not one longer number.
    7. Fold the approximation marker ``余`` into ``多`` after a number (``500余家`` == ``500多家``).
    """
    folded = unicodedata.normalize("NFKC", text).lower()
    folded = folded.translate(_QUOTES).translate(_DASHES)
    folded = _GROUPING_COMMA.sub("", folded)
    folded = _INVISIBLE.sub("", folded)
    folded = _BETWEEN_DIGITS.sub("|", folded)
    folded = _WHITESPACE.sub("", folded)
    return _APPROX_YU.sub("多", folded)


def _strip_whitespace(text: str) -> str:
    """``text`` with every whitespace and invisible character removed, nothing else changed."""
    return _WHITESPACE.sub("", _INVISIBLE.sub("", text))


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def _ends_numeric(text: str) -> bool:
    """True when ``text`` ends in a figure: a digit, a magnitude (万/亿/...) or the marker 多."""
    return bool(text) and (text[-1].isdigit() or text[-1] in _MAGNITUDES or text[-1] in _APPROX)


def _split_unit(gold: str) -> tuple[str, str]:
    """Split a normalised gold into (figure, unit) when it is a figure followed by 1-2 unit chars.

    ``"5万元"`` -> ``("5万", "元")``, ``"1.4亿人次"`` -> ``("1.4亿", "人次")``, ``"齐河县"`` -> ``("齐河县", "")``.
    """
    for size in (2, 1):
        if len(gold) > size and all(ch in UNIT_SUFFIXES for ch in gold[-size:]):
            figure = gold[:-size]
            if _ends_numeric(figure):
                return figure, gold[-size:]
    return gold, ""


def _left_ok(text: str, start: int, needle: str) -> bool:
    """Digit-boundary guard on the left: "5万元" must not match inside "15万元" or "1.5万元"."""
    if start == 0 or not (needle[0].isdigit() or needle[0] == "."):
        return True
    before = text[start - 1]
    return not (before.isdigit() or before == ".")


def _continues_figure(text: str, end: int) -> bool:
    """True when the characters at ``end`` continue or change the figure just before them."""
    if end >= len(text):
        return False
    after = text[end]
    if after.isdigit() or after in _MAGNITUDES or after in _APPROX or after in "%‰":
        return True
    return after == "." and end + 1 < len(text) and text[end + 1].isdigit()


def _contains(text: str, needle: str, *, unit_omitted: bool = False) -> bool:
    """Whether normalised ``needle`` occurs in normalised ``text`` as a whole figure.

    A plain needle ending in a figure (``"5万"``) must not be followed by more digits, a decimal part,
    a magnitude, ``%`` or ``多`` -- but any unit may follow (``"5万"`` matches ``"5万元"``). A needle
    whose unit was stripped from the gold (``unit_omitted``) must not be followed by any unit or other
    CJK word either (``"5万"`` from gold ``"5万元"`` matches ``"奖励5万。"`` but not ``"5万人"``).
    """
    if not needle:
        return False
    start = text.find(needle)
    while start != -1:
        end = start + len(needle)
        ok = _left_ok(text, start, needle)
        if ok and _ends_numeric(needle):
            if _continues_figure(text, end):
                ok = False
            elif unit_omitted and end < len(text):
                after = text[end]
                if after in UNIT_SUFFIXES or (_is_cjk(after) and after not in _FUNCTION_CHARS):
                    ok = False
        if ok:
            return True
        start = text.find(needle, start + 1)
    return False


def _gold_in(text: str, gold: str) -> bool:
    """Whether one gold string is found in normalised ``text`` (exactly, or with its unit left off)."""
    norm_gold = normalize(gold)
    if _contains(text, norm_gold):
        return True
    figure, unit = _split_unit(norm_gold)
    return bool(unit) and _contains(text, figure, unit_omitted=True)


def answer_matches(
    answer: str, short_answer: str | None, gold: list[str], match: MatchMode | str = "any"
) -> bool:
    """Whether the system's answer contains the gold answer.

    Rules:

    * Empty ``gold`` never matches (nothing to find; see :func:`refusal_correct`).
    * An ``answer`` longer than :data:`MAX_ANSWER_CHARS` (300) characters after normalisation is
      rejected outright: a dumped passage that happens to contain the figure does not count.
      A ``short_answer`` that long is ignored.
    * Both texts are normalised (:func:`normalize`); a gold string matches when it is contained in
      the answer or in the short answer.
    * ``match == "any"``: one gold string suffices (the alternatives are equivalent spellings).
      ``match == "all"``: every gold string must be found (list questions), each in either text.
    * Digit boundaries are guarded: gold ``5万元`` does not match ``15万元`` or ``1.5万元``, and a gold
      ending in a figure does not match when more digits, a decimal part, a magnitude (万/亿/...),
      ``%`` or ``多`` follow (``5万`` is not ``5万多``).
    * Unit tolerance: a unit suffix (元/人/个/家/项/名/次, one or two of them such as 人次) may be left off
      by the system -- gold ``5万元`` accepts ``5万`` as long as no other unit or word follows
      (``5万人`` and ``5万美元`` fail) -- and a gold without unit (``5万``) accepts ``5万元``.
    """
    if not gold:
        return False
    if answer and len(normalize(answer)) > MAX_ANSWER_CHARS:
        return False
    texts = [normalize(answer or "")]
    if short_answer:
        short = normalize(short_answer)
        if len(short) <= MAX_ANSWER_CHARS:
            texts.append(short)
    texts = [text for text in texts if text]
    if not texts:
        return False
    found = [any(_gold_in(text, item) for text in texts) for item in gold]
    return all(found) if match == "all" else any(found)


def short_answer_exact(short: str | None, gold: list[str]) -> bool:
    """Whether the short answer *is* a gold string, not merely contains it.

    Normalised equality with one gold string, with the unit tolerance of :func:`answer_matches`:
    equal when one side is the other plus a unit suffix after a figure (``5万`` == ``5万元``,
    ``15484`` == ``15484名``, ``1.4亿`` == ``1.4亿人次``). Different units (``5万人`` vs ``5万元``) are
    not equal. ``None``, an empty short answer or an empty gold list is never exact.
    """
    if not short or not gold:
        return False
    norm_short = normalize(short)
    if not norm_short:
        return False
    for item in gold:
        norm_gold = normalize(item)
        if norm_short == norm_gold:
            return True
        for longer, shorter in ((norm_gold, norm_short), (norm_short, norm_gold)):
            figure, unit = _split_unit(longer)
            if unit and figure == shorter:
                return True
    return False


def short_answer_holds(short: str | None, gold: list[str], match: MatchMode | str = "any") -> bool:
    """Whether the bold short answer *contains* the gold answer (what an official reads first).

    The same containment rules as :func:`answer_matches` (normalisation, digit boundaries, unit
    tolerance), applied to the short answer alone. ``None``, an empty short answer, an over-long
    one (a dumped passage) or an empty gold list never holds.
    """
    if not short or not gold:
        return False
    norm_short = normalize(short)
    if not norm_short or len(norm_short) > MAX_ANSWER_CHARS:
        return False
    found = [_gold_in(norm_short, item) for item in gold]
    return all(found) if match == "all" else any(found)


def refusal_correct(refused: bool, gold: list[str]) -> bool:
    """Whether refusing (or not) was right: refuse exactly when ``gold`` is empty (unanswerable)."""
    return bool(refused) == (len(gold) == 0)


def is_correct(record: Mapping[str, Any]) -> bool:
    """Grade one evaluation record: a dataset item merged with the system's answer.

    ``record`` keys: ``answers`` (gold list), optional ``match`` (``"any"``/``"all"``, default
    ``"any"``), and the system output ``answer``, ``short_answer`` and ``refused`` (the fields of
    ``rag.schema.Answer``).

    * Unanswerable item (empty ``answers``): correct exactly when the system refused.
    * Answerable item: correct when the system did **not** refuse and :func:`answer_matches` holds.
      A refusal is wrong even if its text happens to contain the figure.
    * A short answer is what an official reads in bold: when one is given it must hold the gold
      (:func:`short_answer_holds`), even if the quoted sentence contains the gold elsewhere
      (「由1万元提高到5万元」 with short answer 1万元 is wrong for gold 5万元).
    """
    gold = list(record.get("answers") or [])
    refused = bool(record.get("refused", False))
    if not gold:
        return refused
    if refused:
        return False
    match = str(record.get("match") or "any")
    short = record.get("short_answer")
    if short and not short_answer_holds(short, gold, match):
        return False
    return answer_matches(str(record.get("answer") or ""), short, gold, match)


def is_wrong(record: Mapping[str, Any]) -> bool:
    """Answered but wrong: the costliest outcome (a confident figure that is not the right one).

    A refusal is never *wrong* (an answerable item refused is a false refusal, counted apart); an
    answer to an unanswerable item is wrong; an answer to an answerable item is wrong when
    :func:`is_correct` fails, which includes a bold short answer that does not hold the gold.
    """
    if bool(record.get("refused", False)):
        return False
    return not is_correct(record)


def evidence_parts(evidence: str) -> list[str]:
    """The passages of an ``evidence`` string: split on ``" || "``, stripped, empty parts dropped."""
    return [part.strip() for part in evidence.split(EVIDENCE_SEPARATOR) if part.strip()]


def _holds_part(text: str, parts: Iterable[str]) -> bool:
    """Whether ``text`` contains one evidence part, normalised or with whitespace removed only."""
    norm_text = normalize(text)
    bare_text = _strip_whitespace(text)
    for part in parts:
        norm_part = normalize(part)
        if norm_part and norm_part in norm_text:
            return True
        bare_part = _strip_whitespace(part)
        if bare_part and bare_part in bare_text:
            return True
    return False


def passage_hit(passage_text: str, evidence: str) -> bool:
    """Whether a retrieved passage contains the item's evidence (retrieval hit).

    The passage must contain the whole evidence, or for multi-hop items any one of its ``" || "``
    parts, compared after :func:`normalize` or after removing whitespace only (so a passage with
    broken lines still contains a sentence copied without them). Empty evidence never hits.
    """
    parts = evidence_parts(evidence)
    return bool(parts) and _holds_part(passage_text, parts)


def citation_supports(citation_texts: list[str], evidence: str, gold: list[str]) -> bool:
    """Whether the answer's citations support it.

    True when at least one cited passage either contains the evidence (any one ``" || "`` part for
    multi-hop items; compared as in :func:`passage_hit`) or contains one gold answer string (with the
    digit-boundary guard and unit tolerance of :func:`answer_matches`). No citations, or nothing to
    check against (empty evidence and empty gold), is unsupported.
    """
    parts = evidence_parts(evidence)
    for text in citation_texts:
        if not text:
            continue
        if parts and _holds_part(text, parts):
            return True
        norm_text = normalize(text)
        if any(_gold_in(norm_text, item) for item in gold):
            return True
    return False
