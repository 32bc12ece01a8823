"""Telling Chinese questions from English ones: retrieval weights and answer wording depend on it."""

from __future__ import annotations

import re
from typing import Literal

from rag.text.patterns import CJK as _CJK

_LATIN = re.compile(r"[A-Za-z]")


def detect_language(text: str) -> Literal["zh", "en"]:
    """'zh' when Chinese characters are at least a third as many as Latin letters, else 'en'."""
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    return "zh" if cjk and cjk * 3 >= latin else "en"
