"""Bilingual query expansion: Chinese terms for the English words of a question.

English questions about Chinese documents share no words with them, so BM25 and the sentence
scorer see nothing. A small domain glossary (workforce reform, trade unions, awards, training) adds
the Chinese terms an English question stands for; the multilingual embedding model still carries
everything the glossary does not cover.
"""

from __future__ import annotations

import re
from importlib import resources

from rag.text.tokenizing import CONFIGURED_PACK, ConfiguredPack, PackDir, pack_folder

#: A domain pack's glossary: ``English phrase<TAB>中文词,中文词`` per line, ``#`` comments.
GLOSSARY_FILE = "glossary_en_zh.tsv"
#: General abbreviations, same format, in ``rag/data/``.
ABBREVIATIONS_FILE = "abbreviations_zh.tsv"
#: General English terms of official statistics and notices, same format, in ``rag/data/``.
TERMS_FILE = "terms_en_zh.tsv"


#: A hyphen joining two words (primary-industry, per-capita): the glossary's phrase either way.
_WORD_HYPHEN = re.compile(r"(?<=[A-Za-z])[-‐‑](?=[A-Za-z])")


def _unhyphenated(text: str) -> str:
    """``text`` with a hyphen between two words read as a space (same length)."""
    return _WORD_HYPHEN.sub(" ", text)


class Glossary:
    """English phrases to Chinese terms, read from a domain pack's ``glossary_en_zh.tsv``.

    ``pack_dir`` is the pack's folder (default: the pack the settings name, ``RAG_DOMAIN_PACK``);
    None, or a pack without a glossary, gives an empty glossary that expands nothing.
    """

    def __init__(self, pack_dir: PackDir | ConfiguredPack = CONFIGURED_PACK, text: str | None = None) -> None:
        if text is None:
            pack_dir = pack_folder(pack_dir)
            resource = pack_dir.joinpath(GLOSSARY_FILE) if pack_dir is not None else None
            text = resource.read_text(encoding="utf-8") if resource is not None and resource.is_file() else ""
        self._terms: dict[str, list[str]] = {}
        for line in text.splitlines():
            if not line.strip() or line.startswith("#") or "\t" not in line:
                continue
            english, chinese = line.split("\t", 1)
            terms = [c.strip() for c in chinese.split(",") if c.strip()]
            if english.strip() and terms:
                self._terms[_unhyphenated(english.strip().lower())] = terms
        phrases = sorted(self._terms, key=len, reverse=True)
        self._pattern = (
            re.compile(r"(?<![A-Za-z])(" + "|".join(map(re.escape, phrases)) + r")(?![A-Za-z])", re.I)
            if phrases
            else None
        )

    @classmethod
    def abbreviations(cls) -> Glossary:
        """General abbreviations of official statistics (GDP -> 地区生产总值, 人代会 -> 人民代表大会),
        from ``rag/data/abbreviations_zh.tsv``: they apply to Chinese and English questions alike
        and belong to no domain pack."""
        return cls._bundled(ABBREVIATIONS_FILE)

    @classmethod
    def general_terms(cls) -> Glossary:
        """General English terms of official statistics and notices (per capita GDP -> 人均地区生产总值,
        contact person -> 联系人), from ``rag/data/terms_en_zh.tsv``: any county's bulletin uses them,
        so they belong to no domain pack."""
        return cls._bundled(TERMS_FILE)

    @classmethod
    def _bundled(cls, name: str) -> Glossary:
        """A glossary from a file of ``rag/data/`` (general resources, not a domain pack's)."""
        return cls(text=resources.files("rag").joinpath("data", name).read_text(encoding="utf-8"))

    def __len__(self) -> int:
        return len(self._terms)

    def expand(self, text: str) -> list[str]:
        """Chinese terms for the glossary phrases in ``text``, longest phrases first, no repeats."""
        found: list[str] = []
        if self._pattern is None:
            return found
        for match in self._pattern.finditer(_unhyphenated(text)):
            for term in self._terms[match.group(1).lower()]:
                if term not in found:
                    found.append(term)
        return found
