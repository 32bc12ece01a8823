"""The grounding check: is every figure and name of a generated answer in the passages it cites?

The answer is cut into sentences. In each one the facts are the numbers (``5万元``, ``1.2亿``,
``20%``, ``50,000``, years) and the named entities (places, organisations, people, as jieba's
part-of-speech tagger marks them). A number is compared by value, so ``5万元`` and ``50,000 yuan``
are the same figure and ``15万`` is not ``5万``; a name must occur in the passage text (``哈尔滨市`` is
also found as ``哈尔滨``). A sentence's facts must occur in the passages it cites, or in any passage
when it cites none. Facts are never excused for being in the question: a model that pins the
question's city on another city's figure is exactly what this check must catch.

Citation markers ``[n]`` (also ``[1,2]``, ``[1-2]``, ``【1】``) that point at no passage are removed, and
the remaining ones are renumbered 1, 2, ... in the order they first appear; the result's citations
follow that numbering.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from rag.schema import Citation
from rag.text.numbers import CN_DIGITS, CN_NUMBER, chinese_number
from rag.text.patterns import ADMIN_SUFFIXES, CJK_RANGE, ORG_SUFFIX_ALTERNATION
from rag.text.sentences import sentence_texts
from rag.text.tokenizing import shared_tokenizer

# A citation marker and the numbers inside it (one or two digits: "[2023]" is no citation).
_INSIDE = r"\d{1,2}(?:\s*[,，、\-–~]\s*\d{1,2})*"
_MARKER = re.compile(rf"\[\s*({_INSIDE})\s*\]|【\s*({_INSIDE})\s*】")
_MARKER_TEXT = rf"(?:\[\s*{_INSIDE}\s*\]|【\s*{_INSIDE}\s*】)"
# A sentence: text up to an end mark (an English full stop only before a capital or the end),
# with the citation markers written right after the end mark.
_SENTENCE = re.compile(
    r"\s*.+?(?:[。！？!?；;]+|\.(?=\s+[A-Z\"“(]|\s*$)|\n|$)(?:[ \t]*" + _MARKER_TEXT + r")*",
    re.S,
)
_LIST_MARK = re.compile(r"^\s*(?:\d{1,2}[.、)）]|[（(]\d{1,2}[)）])\s*")

_DIGITS = str.maketrans("０１２３４５６７８９％．", "0123456789%.")
_NUMBER = re.compile(
    r"(?<![\d.])(\d{1,3}(?:,\d{3})+(?!\d)|\d+)(\.\d+)?\s*"
    r"(万亿|千亿|百亿|亿|千万|百万|万|%|‰|thousand\b|million\b|billion\b|trillion\b)?",
    re.I,
)
_SCALE = {
    "万亿": 1e12, "千亿": 1e11, "百亿": 1e10, "亿": 1e8, "千万": 1e7, "百万": 1e6, "万": 1e4,
    "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12,
}
_ENTITY_FLAGS = {"ns", "nt", "nr", "nrt", "nrfg"}
_ORG_SUFFIX = re.compile(rf"(?:{'|'.join(ADMIN_SUFFIXES)}|{ORG_SUFFIX_ALTERNATION})$")
_CJK_RUN = re.compile(f"[{CJK_RANGE}]+")


# ---------------------------------------------------------------- facts

NumberKey = tuple[float, bool]  # value, is a percentage


def _number_key(integer: str, fraction: str | None, unit: str | None) -> NumberKey:
    value = float(integer.replace(",", "") + (fraction or ""))
    unit = (unit or "").lower()
    percent = unit in ("%", "‰")
    if unit == "‰":
        value /= 10
    value *= _SCALE.get(unit, 1.0)
    return (round(value, 6), percent)


def number_facts(text: str) -> list[tuple[str, NumberKey]]:
    """The Arabic-digit numbers in ``text``: (as written, comparable key)."""
    text = text.translate(_DIGITS)
    facts = []
    for match in _NUMBER.finditer(text):
        integer, fraction, unit = match.groups()
        facts.append((match.group(0).strip(), _number_key(integer, fraction, unit)))
    return facts


def passage_numbers(text: str) -> set[NumberKey]:
    """Every number a passage states, in digits (``5万``) or Chinese numerals (``五万``)."""
    keys = {key for _, key in number_facts(text)}
    for match in CN_NUMBER.finditer(text):
        word = match.group(0)
        if not any(char in CN_DIGITS and char not in "零〇" for char in word):
            continue
        value = chinese_number(word)
        if value is not None:
            keys.add((round(value, 6), False))
    return keys


def entity_facts(text: str) -> list[str]:
    """Chinese place, organisation and person names in ``text`` (jieba ns/nt/nr, or 省/市/集团... words)."""
    if not _CJK_RUN.search(text):
        return []
    entities: list[str] = []
    for word, flag in shared_tokenizer().tagged_words(text):
        word = word.strip()
        if len(word) < 2 or not _CJK_RUN.fullmatch(word):
            continue
        if flag in _ENTITY_FLAGS or (len(word) >= 3 and _ORG_SUFFIX.search(word)):
            if word not in entities:
                entities.append(word)
    return entities


def _entity_in(entity: str, haystack: str) -> bool:
    if entity in haystack:
        return True
    if entity.endswith(ADMIN_SUFFIXES) and len(entity) >= 3:
        return entity[:-1] in haystack  # 哈尔滨市 is also written 哈尔滨
    return False


# ---------------------------------------------------------------- sentences and markers


def _marker_numbers(body: str) -> list[int]:
    """The numbers of one marker's inside, ranges expanded: '1, 3-4' -> [1, 3, 4]."""
    numbers: list[int] = []
    for piece in re.split(r"\s*[,，、]\s*", body.strip()):
        bounds = re.split(r"\s*[\-–~]\s*", piece)
        if len(bounds) == 2 and bounds[0].isdigit() and bounds[1].isdigit():
            low, high = int(bounds[0]), int(bounds[1])
            if 0 < high - low <= 10:
                numbers.extend(range(low, high + 1))
                continue
        numbers.extend(int(b) for b in bounds if b.isdigit())
    return numbers


def split_sentences(text: str) -> list[str]:
    """``text`` cut into sentences that keep their end marks and following citation markers.

    Joining the pieces gives back ``text`` (without trailing whitespace).
    """
    return [m.group(0) for m in _SENTENCE.finditer(text.rstrip()) if m.group(0).strip()]


def strip_markers(text: str) -> str:
    return _MARKER.sub("", text)


@dataclass(frozen=True)
class _Checked:
    raw: str  # the sentence as generated
    cited: tuple[int, ...]  # valid original numbers, in order
    facts: tuple[str, ...]
    missing: tuple[str, ...]
    keys: tuple[tuple[str, object], ...]  # facts for the highlight search


@dataclass(frozen=True)
class SentenceVerdict:
    """One sentence of the answer and whether its facts are in the passages it cites."""

    text: str  # as written in ``GroundingResult.text`` (markers renumbered)
    cited: tuple[int, ...]  # its citation numbers after renumbering
    facts: tuple[str, ...]  # the numbers and names found in it
    missing: tuple[str, ...]  # those not found in the cited passages

    @property
    def supported(self) -> bool:
        return not self.missing


@dataclass(frozen=True)
class GroundingResult:
    """The checked answer: text with valid, renumbered markers, its citations and the verdicts."""

    text: str
    citations: list[Citation]
    sentences: list[SentenceVerdict]
    removed: tuple[int, ...] = ()  # marker numbers that pointed at no passage
    question_missing: tuple[str, ...] = ()  # names of the question absent from the cited passages
    _checked: tuple[_Checked, ...] = field(default=(), repr=False, compare=False)
    _by_n: dict[int, Citation] = field(default_factory=dict, repr=False, compare=False)
    _question_entities: tuple[str, ...] = field(default=(), repr=False, compare=False)

    @property
    def grounded(self) -> bool:
        return not self.question_missing and all(s.supported for s in self.sentences)

    @property
    def unsupported(self) -> list[SentenceVerdict]:
        return [s for s in self.sentences if not s.supported]

    def supported_only(self) -> GroundingResult:
        """The same answer without its unsupported sentences (markers renumbered again)."""
        kept = [c for c in self._checked if not c.missing]
        return _assemble(kept, self._by_n, self.removed, self._question_entities)


def _rewrite_markers(raw: str, mapping: dict[int, int]) -> str:
    def replace(match: re.Match[str]) -> str:
        numbers = _marker_numbers(match.group(1) or match.group(2))
        new = []
        for n in numbers:
            if n in mapping and mapping[n] not in new:
                new.append(mapping[n])
        return "".join(f"[{n}]" for n in new)

    return _MARKER.sub(replace, raw)


def _highlight(citation: Citation, checked: list[_Checked]) -> str | None:
    """The passage sentence holding most of the facts of the answer sentences that cite it."""
    best, best_hits = None, 0
    for sentence in sentence_texts(citation.text):
        numbers = passage_numbers(sentence)
        hits = 0
        for item in checked:
            for kind, key in item.keys:
                if kind == "num" and key in numbers:
                    hits += 1
                elif kind == "ent" and isinstance(key, str) and _entity_in(key, sentence):
                    hits += 1
        if hits > best_hits:
            best, best_hits = sentence.strip(), hits
    return best


def _assemble(
    checked: Sequence[_Checked],
    by_n: dict[int, Citation],
    removed: tuple[int, ...],
    question_entities: tuple[str, ...] = (),
) -> GroundingResult:
    mapping: dict[int, int] = {}
    for item in checked:
        for n in item.cited:
            if n not in mapping:
                mapping[n] = len(mapping) + 1
    sentences, pieces = [], []
    for item in checked:
        text = _rewrite_markers(item.raw, mapping)
        pieces.append(text)
        cited = tuple(dict.fromkeys(mapping[n] for n in item.cited))
        sentences.append(SentenceVerdict(text.strip(), cited, item.facts, item.missing))
    citations = []
    for old, new in sorted(mapping.items(), key=lambda kv: kv[1]):
        citing = [c for c in checked if old in c.cited]
        citation = by_n[old].model_copy(update={"n": new, "highlight": _highlight(by_n[old], citing)})
        citations.append(citation)
    text = re.sub(r"[ \t]+\n", "\n", "".join(pieces)).strip()
    scope = [n for n in mapping] or list(by_n)
    haystack = "\n".join(by_n[n].text for n in scope)
    question_missing = tuple(e for e in question_entities if not _entity_in(e, haystack))
    return GroundingResult(
        text, citations, sentences, removed, question_missing, tuple(checked), by_n, question_entities
    )


def check_grounding(
    answer_text: str,
    citations: Sequence[Citation],
    *,
    question: str = "",
    attribute_uncited: bool = False,
) -> GroundingResult:
    """Check every sentence of ``answer_text`` against the passages it cites (see the module doc).

    ``citations`` are the passages the model was given, numbered as in its prompt (``n``).
    With ``attribute_uncited``, a sentence that cites nothing but whose facts all occur in one
    passage gets that passage's marker appended (the first such passage in rank order): small
    models often forget the markers while copying the passage faithfully.
    With ``question``, the places, organisations and people the question names must also occur in
    the passages the answer cites (in any passage when it cites none): an answer quoting Harbin's
    figure to a question about Daqing fails even when it never names a city.
    """
    by_n = {c.n: c for c in citations}
    removed: list[int] = []
    checked: list[_Checked] = []
    numbers_cache: dict[int, set[NumberKey]] = {}

    def numbers_of(ns: Sequence[int]) -> set[NumberKey]:
        keys: set[NumberKey] = set()
        for n in ns:
            if n not in numbers_cache:
                numbers_cache[n] = passage_numbers(by_n[n].text)
            keys |= numbers_cache[n]
        return keys

    def missing_in(scope: Sequence[int], numbers: list, entities: list[str]) -> list[str]:
        haystack = "\n".join(by_n[n].text for n in scope)
        known = numbers_of(scope)
        missing = [shown for shown, key in numbers if key not in known]
        missing += [entity for entity in entities if not _entity_in(entity, haystack)]
        return missing

    for raw in split_sentences(answer_text):
        cited: list[int] = []
        for match in _MARKER.finditer(raw):
            for n in _marker_numbers(match.group(1) or match.group(2)):
                if n in by_n:
                    if n not in cited:
                        cited.append(n)
                elif n not in removed:
                    removed.append(n)
        plain = _LIST_MARK.sub("", strip_markers(raw))
        numbers = number_facts(plain)
        entities = entity_facts(plain)
        facts = [shown for shown, _ in numbers] + entities
        keys = [("num", key) for _, key in numbers] + [("ent", entity) for entity in entities]
        missing = missing_in(cited or list(by_n), numbers, entities)
        if not cited and facts and not missing and attribute_uncited:
            for n in sorted(by_n):
                if not missing_in([n], numbers, entities):
                    cited = [n]
                    raw = _append_marker(raw, n)
                    break
        checked.append(_Checked(raw, tuple(cited), tuple(facts), tuple(missing), tuple(keys)))
    return _assemble(checked, by_n, tuple(removed), tuple(entity_facts(question)))


def _append_marker(raw: str, n: int) -> str:
    """``raw`` with ``[n]`` after its end mark, before trailing whitespace."""
    body = raw.rstrip()
    return f"{body}[{n}]{raw[len(body):]}"
