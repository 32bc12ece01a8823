"""Chinese-aware tokenization for BM25 and for lexical answer scoring.

Documents and queries go through the very same function (the peers' most common BM25 bug is
tokenizing them differently). jieba's search mode emits both words and their sub-words
(哈尔滨市 -> 哈尔滨, 哈尔滨市), so a question that says 哈尔滨 still matches a passage that says
哈尔滨市. A project user dictionary keeps domain terms (大工匠, 产改, 省总工会) whole, and a stopword
list stops function words from dominating scores.
"""

from __future__ import annotations

import logging
import re
import threading
from importlib import resources

import jieba
from jieba import posseg

from rag.text.patterns import CJK_RANGE

_KEEP = re.compile(rf"[0-9A-Za-z{CJK_RANGE}%.]")
_LATIN_WORD = re.compile(r"[A-Za-z]+")


def _read_data_lines(name: str) -> list[str]:
    text = resources.files("rag").joinpath("data", name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


class ChineseTokenizer:
    """A jieba tokenizer instance of its own (no shared global state) with stopwords removed."""

    def __init__(self) -> None:
        jieba.setLogLevel(logging.WARNING)  # jieba otherwise logs its dictionary build to stderr
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()
        for line in _read_data_lines("userdict_zh.txt"):
            word, freq, tag = (line.split() + ["", ""])[:3]
            self._jieba.add_word(word, int(freq) if freq else None, tag or None)
        self.stopwords = frozenset(_read_data_lines("stopwords_zh.txt"))
        self._posseg = posseg.POSTokenizer(self._jieba)

    def tokenize(self, text: str) -> list[str]:
        """Search-mode tokens, lower-cased, without stopwords, punctuation or whitespace."""
        tokens: list[str] = []
        for token in self._jieba.cut_for_search(text.lower()):
            token = token.strip()
            if not token or token in self.stopwords or not _KEEP.search(token):
                continue
            if _LATIN_WORD.fullmatch(token) and len(token) == 1:
                continue
            tokens.append(token)
        return tokens

    def words(self, text: str) -> list[str]:
        """Plain (non-search-mode) words, for tasks that need one segmentation of the text."""
        return [w for w in self._jieba.lcut(text) if w.strip()]

    def words_with_spaces(self, text: str) -> list[str]:
        """The plain segmentation of ``text``, whitespace included, so offsets add up to ``len(text)``."""
        return list(self._jieba.cut(text))

    def is_common_word(self, word: str) -> bool:
        """True for a frequent word of general Chinese that is not tagged as a place name (和平,
        清水, 太和): a county whose short form is such a word is named by its full name only."""
        frequency = self._jieba.FREQ.get(word, 0)
        tag = self._posseg.word_tag_tab.get(word, "")
        return frequency > 1000 or (frequency > 200 and not tag.startswith("ns"))

    def tagged_words(self, text: str) -> list[tuple[str, str]]:
        """(word, part-of-speech) pairs: nr person, ns place, nt organisation (jieba's tags)."""
        return [(pair.word, pair.flag) for pair in self._posseg.cut(text)]


_SHARED: ChineseTokenizer | None = None
_SHARED_LOCK = threading.Lock()


def shared_tokenizer() -> ChineseTokenizer:
    """The process's one tokenizer (jieba with the user dictionary), built on first use.

    Indexing, retrieval, answer spans and the grounding check all segment text with it, so a
    domain term (大工匠, 省总工会) is one word everywhere.
    """
    global _SHARED
    with _SHARED_LOCK:
        if _SHARED is None:
            _SHARED = ChineseTokenizer()
    return _SHARED
