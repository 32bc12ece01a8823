"""Chinese-aware tokenization for BM25 and for lexical answer scoring.

Documents and queries go through the very same function (the peers' most common BM25 bug is
tokenizing them differently). jieba's search mode emits both words and their sub-words
(哈尔滨市 -> 哈尔滨, 哈尔滨市), so a question that says 哈尔滨 still matches a passage that says
哈尔滨市. A domain pack's user dictionary (``rag/data/packs/workforce/userdict_zh.txt`` by default)
keeps domain terms (大工匠, 产改, 省总工会) whole, and a general stopword list
(``rag/data/stopwords_zh.txt``) stops function words from dominating scores.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Final

import jieba
from jieba import posseg

from rag.settings import Settings
from rag.text.patterns import CJK_RANGE

_KEEP = re.compile(rf"[0-9A-Za-z{CJK_RANGE}%.]")
_LATIN_WORD = re.compile(r"[A-Za-z]+")

#: The general stopword list (package data, not part of any domain pack).
STOPWORDS_FILE = "stopwords_zh.txt"
#: A domain pack's user dictionary: ``word [frequency [part-of-speech]]`` per line.
USER_DICTIONARY_FILE = "userdict_zh.txt"


class ConfiguredPack:
    """The default of ``shared_tokenizer()``: the pack of the process's settings."""

    def __repr__(self) -> str:
        return "CONFIGURED_PACK"


#: "Use the domain pack the settings name" (``RAG_DOMAIN_PACK``, default ``workforce``).
CONFIGURED_PACK: Final = ConfiguredPack()

PackDir = Traversable | None


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _stopwords_resource() -> Traversable:
    return resources.files("rag").joinpath("data", STOPWORDS_FILE)


def _user_dictionary(pack_dir: PackDir) -> Traversable | None:
    """The pack's user dictionary file, or None (no pack, or a pack without one)."""
    if pack_dir is None:
        return None
    candidate = pack_dir.joinpath(USER_DICTIONARY_FILE)
    return candidate if candidate.is_file() else None


def user_dictionary_entries(pack_dir: PackDir) -> list[tuple[str, int | None, str | None]]:
    """(word, frequency, part-of-speech) of each line of the pack's user dictionary (empty without
    one): what the tokenizer adds to jieba, and what a Milvus analyzer is given as its dictionary."""
    user_dictionary = _user_dictionary(pack_dir)
    if user_dictionary is None:
        return []
    entries: list[tuple[str, int | None, str | None]] = []
    for line in _lines(user_dictionary.read_text(encoding="utf-8")):
        if line.startswith("#"):
            continue
        word, freq, tag = (line.split() + ["", ""])[:3]
        entries.append((word, int(freq) if freq else None, tag or None))
    return entries


def _sha256(resource: Traversable | None) -> str | None:
    return hashlib.sha256(resource.read_bytes()).hexdigest() if resource is not None else None


def configured_pack() -> PackDir:
    """The domain pack the process's settings name (``RAG_DOMAIN_PACK``), resolved once per process;
    code that holds a ``Settings`` passes ``settings.domain_pack_dir`` explicitly instead."""
    global _CONFIGURED
    with _SHARED_LOCK:
        if isinstance(_CONFIGURED, ConfiguredPack):
            _CONFIGURED = Settings().domain_pack_dir
        return _CONFIGURED


def pack_folder(pack_dir: PackDir | ConfiguredPack) -> PackDir:
    """``pack_dir`` itself, or the configured pack's folder for ``CONFIGURED_PACK``."""
    return configured_pack() if isinstance(pack_dir, ConfiguredPack) else pack_dir


def resource_digests(pack_dir: PackDir | ConfiguredPack = CONFIGURED_PACK) -> dict[str, str | None]:
    """sha256 of the files whose words end up in stored tokens: the pack's user dictionary (None
    without one) and the stopword list. The index manifest records them."""
    pack_dir = pack_folder(pack_dir)
    return {
        "user_dictionary": _sha256(_user_dictionary(pack_dir)),
        "stopwords": _sha256(_stopwords_resource()),
    }


class ChineseTokenizer:
    """A jieba tokenizer instance of its own (no shared global state) with stopwords removed.

    ``pack_dir`` is the domain pack whose user dictionary is loaded (None: no user dictionary);
    by default the pack the settings name.
    """

    def __init__(self, pack_dir: PackDir | ConfiguredPack = CONFIGURED_PACK) -> None:
        pack_dir = pack_folder(pack_dir)
        self.pack_dir = pack_dir
        jieba.setLogLevel(logging.WARNING)  # jieba otherwise logs its dictionary build to stderr
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()
        for word, freq, tag in user_dictionary_entries(pack_dir):
            self._jieba.add_word(word, freq, tag)
        self.stopwords = frozenset(_lines(_stopwords_resource().read_text(encoding="utf-8")))
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

    def frequency(self, word: str) -> int:
        """How often ``word`` occurs in jieba's dictionary (0 for unknown words): how common it is."""
        return int(self._jieba.FREQ.get(word, 0))

    def is_common_word(self, word: str) -> bool:
        """True for a frequent word of general Chinese that is not tagged as a place name (和平,
        清水, 太和): a county whose short form is such a word is named by its full name only."""
        frequency = self.frequency(word)
        tag = self._posseg.word_tag_tab.get(word, "")
        return frequency > 1000 or (frequency > 200 and not tag.startswith("ns"))

    def tagged_words(self, text: str) -> list[tuple[str, str]]:
        """(word, part-of-speech) pairs: nr person, ns place, nt organisation (jieba's tags)."""
        return [(pair.word, pair.flag) for pair in self._posseg.cut(text)]


_SHARED: dict[str, ChineseTokenizer] = {}
_SHARED_LOCK = threading.RLock()
_CONFIGURED: PackDir | ConfiguredPack = CONFIGURED_PACK


def shared_tokenizer(pack_dir: PackDir | ConfiguredPack = CONFIGURED_PACK) -> ChineseTokenizer:
    """The process's tokenizer for one domain pack (jieba with its user dictionary), built on
    first use and cached per pack folder. Without an argument: the pack the settings name.

    Indexing, retrieval, answer spans and the grounding check all segment text with it, so a
    domain term (大工匠, 省总工会) is one word everywhere.
    """
    pack_dir = pack_folder(pack_dir)
    key = str(pack_dir) if pack_dir is not None else ""
    with _SHARED_LOCK:
        tokenizer = _SHARED.get(key)
        if tokenizer is None:
            tokenizer = _SHARED[key] = ChineseTokenizer(pack_dir)
    return tokenizer


def word_boundaries(text: str) -> set[int]:
    """Offsets where the shared tokenizer's words start or end: a name found in running text
    must start at one (交城 in 交城县, not in 外交城市; 徐行镇 in 请问徐行镇)."""
    offsets = {0}
    position = 0
    for word in shared_tokenizer().words_with_spaces(text):
        position += len(word)
        offsets.add(position)
    return offsets
