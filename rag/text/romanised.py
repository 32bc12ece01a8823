"""Chinese names written in pinyin in English questions: Banlan town (板榄镇), Sichuan Yuneng (四川裕能).

The gazetteer knows counties and above; towns, villages, companies and programmes an English
question names are written in toneless pinyin, which no dictionary holds. Matching a question's
romanised word against the pinyin of the Chinese text at hand finds the name it stands for, so the
sentence that names it can be told from its neighbours (a table row per town).
"""

from __future__ import annotations

import re

from pypinyin import lazy_pinyin

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
#: A name's length in characters (two-character names are the commonest; four is a long one).
NAME_CHARS = (2, 3, 4)


def romanised_names(words: set[str], text: str) -> list[str]:
    """The Chinese strings of ``text`` whose toneless pinyin, run together, is one of ``words``
    (lower-case): 「板榄」 for "banlan". Each run of Chinese characters is read once."""
    if not words:
        return []
    found: list[str] = []
    for run in _CJK_RUN.finditer(text):
        chars = run.group(0)
        syllables = [syllable.replace("v", "u") for syllable in lazy_pinyin(chars)]  # 略 lve -> Lue
        if len(syllables) != len(chars):
            continue  # a character pypinyin cannot read shifts the alignment: skip the run
        for size in NAME_CHARS:
            for start in range(len(chars) - size + 1):
                if "".join(syllables[start : start + size]) in words:
                    found.append(chars[start : start + size])
    return list(dict.fromkeys(found))
