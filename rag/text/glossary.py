"""Bilingual query expansion: Chinese terms for the English words of a question.

English questions about Chinese documents share no words with them, so BM25 and the sentence
scorer see nothing. A small domain glossary (workforce reform, trade unions, awards, training) adds
the Chinese terms an English question stands for; the multilingual embedding model still carries
everything the glossary does not cover.
"""

from __future__ import annotations

import re
from importlib import resources


class Glossary:
    """English phrases to Chinese terms, read from ``rag/data/glossary_en_zh.tsv``."""

    def __init__(self) -> None:
        text = resources.files("rag").joinpath("data", "glossary_en_zh.tsv").read_text(encoding="utf-8")
        self._terms: dict[str, list[str]] = {}
        for line in text.splitlines():
            if not line.strip() or line.startswith("#") or "\t" not in line:
                continue
            english, chinese = line.split("\t", 1)
            self._terms[english.strip().lower()] = [c.strip() for c in chinese.split(",") if c.strip()]
        phrases = sorted(self._terms, key=len, reverse=True)
        self._pattern = re.compile(r"(?<![A-Za-z])(" + "|".join(map(re.escape, phrases)) + r")(?![A-Za-z])", re.I)

    def expand(self, text: str) -> list[str]:
        """Chinese terms for the glossary phrases in ``text``, longest phrases first, no repeats."""
        found: list[str] = []
        for match in self._pattern.finditer(text):
            for term in self._terms[match.group(1).lower()]:
                if term not in found:
                    found.append(term)
        return found
