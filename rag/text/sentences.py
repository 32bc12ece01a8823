"""Where sentences and lines end: the one sentence splitter every layer uses.

Text copied out of newspaper pages and PDFs breaks sentences across lines, even across blank lines
(``省总工会牵头协`` / blank line / ``调13个成员单位``). Every line break is therefore *classified*: a
soft break is damage inside a sentence, a hard break ends a paragraph. Sentences end at 。！？；!?;
(and a '.' that ends an English sentence), closing quotes and brackets included, and at hard
breaks. ``split_sentences`` gives offsets into the text (chunking, indexing);
``sentence_texts`` gives the sentences themselves (prompt trimming, highlights).

The same line shape decides both questions: a short standalone line without sentence punctuation
is heading-shaped, so it is never joined to the next paragraph (and ``ingest.cleaning`` takes it
as a heading candidate).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from rag.text.patterns import FIELD_LABEL, is_cjk

__all__ = [
    "CLOSERS",
    "HEADING_MAX_CHARS",
    "SUBTITLE_CLOSING",
    "TERMINATORS",
    "LineBreak",
    "is_heading_shaped",
    "is_latin_alnum",
    "is_soft_break",
    "is_wide",
    "line_breaks",
    "sentence_texts",
    "split_sentences",
    "trim_span",
    "WHITESPACE",
]

#: Lines longer than this are body text, never headings (news headings are 4-30 characters).
HEADING_MAX_CHARS = 40

#: Any of these inside a line makes it a (part of a) sentence, not a heading.
_SENTENCE_PUNCT = frozenset("，,；;。！？!?")
#: A line ending in one of these leads into what follows (a lead-in or an unfinished sentence).
_NON_FINAL_ENDINGS = frozenset("：:、.…—-")
#: A sentence visibly continues after these even when the line is short.
_CONTINUING_ENDINGS = frozenset("，,、")
WHITESPACE = re.compile(r"\s+")

#: Characters that end a sentence. ';' counts: Chinese texts typed with ASCII punctuation use it
#: for ；, and official documents list measures as ；-separated clauses.
TERMINATORS = frozenset("。！？；!?;｡")
#: Closing quotes and brackets that belong to the sentence a terminator just ended: 。” stays whole.
CLOSERS = frozenset("”’」』）)]】》〉\"'")
_ABBREVIATIONS = frozenset(
    {
        "mr", "mrs", "ms", "dr", "prof", "st", "vs", "etc", "no", "fig", "inc", "ltd", "co", "jr", "sr",
        "dept", "vol", "pp", "al",
    }
)



def is_wide(ch: str) -> bool:
    """CJK ideographs and CJK/fullwidth punctuation: no space belongs between two of them."""
    code = ord(ch)
    return is_cjk(ch) or 0x3001 <= code <= 0x303F or 0xFF01 <= code <= 0xFFEF


def _is_word_char(ch: str) -> bool:
    """A character that can carry a sentence across a line: ideograph, ASCII letter or digit."""
    return is_cjk(ch) or (ch.isascii() and ch.isalnum()) or "０" <= ch <= "９"


def is_heading_shaped(line: str) -> bool:
    """A short line with no sentence punctuation: it stands alone (heading, label, caption).

    It is the veto on joining lines: a heading is never glued to the paragraph that follows it.
    """
    s = line.strip()
    if not s or len(s) > HEADING_MAX_CHARS or s[-1] in _NON_FINAL_ENDINGS:
        return False
    return not any(ch in _SENTENCE_PUNCT for ch in s)


def is_title_line(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is a whole line shaped like a heading, a title, a signature or an
    attachment's name (「2022年工作回顾」「金华市科学技术局」「2.2025年十五件民盼实事任务分解」).

    Such a line names a topic and states nothing about it: quoting it as the answer to a question
    (its figure as the answer to 多少) would cite a label, not a statement. A 「联系人：方玉婷」 line
    states a value after its colon and is not a title line.
    """
    line = text[start:end]
    if not is_heading_shaped(line) or ":" in line or "：" in line:
        return False
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    return not text[line_start:start].strip() and not text[end:line_end].strip()


#: A line that opens with a list item's number (「2.」「3、」「(二)」「三、」).
_ITEM_OPENING = re.compile(
    r"^(?:\d{1,2}\s*[.．、](?!\d)|[（(][一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十]{1,3}、)"
)

#: A report's delivery subtitle: it opens with the date and 在 (after a dash or bracket) …
_SUBTITLE_OPENING = re.compile(r"^[—–\-(（\s]*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*在")
#: … and closes with the meeting (「…第四次会议上」, 「…大会上）」).
SUBTITLE_CLOSING = re.compile(r"(?:会议|大会)上\s*[）)]?$")


def _continues(prev_line: str, next_line: str) -> bool:
    """Does the sentence on ``prev_line`` go on at ``next_line``? (extraction damage, not a break)"""
    p, n = prev_line.strip(), next_line.strip()
    if not p or not n:
        return False
    if _SUBTITLE_OPENING.match(p) and not SUBTITLE_CLOSING.search(p) and SUBTITLE_CLOSING.search(n):
        return True  # 「——2024年2月28日在某县第十七届」 / 「人民代表大会第四次会议上」: one subtitle
    if p.startswith(("#", "—", "-")) and not p.startswith("- "):  # markdown heading, subtitle, rule
        return False
    last, first = p[-1], n[0]
    if not _is_word_char(first):
        return False
    if last in _CONTINUING_ENDINGS:
        return True  # 意见》，大 / 力推动“产改”: a comma never ends a paragraph
    if not _is_word_char(last):
        return False  # ends in a terminator, a closing quote or other punctuation
    if is_heading_shaped(p) or is_heading_shaped(n):
        return False  # a short standalone line is a heading or a label, and so is the next one
    if FIELD_LABEL.match(p) and FIELD_LABEL.match(n):
        # 「补助对象:市中区、…」 / 「补助标准:市中区1162万元、…」: in a notice's run of field lines each is
        # a field of its own, even without a full stop at the end of the one before
        return False
    if _ITEM_OPENING.match(n) and _ITEM_OPENING.match(p):
        return False  # 「1.甲工程 投资:500万元」 / 「2.乙工程 投资:230万元」: the next item of a numbered list
    return True


@dataclass(frozen=True)
class LineBreak:
    """A run of whitespace containing a newline, and whether the sentence goes on across it."""

    start: int  # first whitespace character
    end: int  # first character of the next line's text
    soft: bool  # True: extraction damage inside a sentence; False: a real paragraph/line break


def _line_around(text: str, start: int, end: int) -> tuple[str, str]:
    """The text of the line ending at ``start`` and of the line starting at ``end``."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    return text[line_start:start], text[end : len(text) if line_end < 0 else line_end]


def is_soft_break(text: str, start: int, end: int) -> bool:
    """Is the whitespace run ``text[start:end]`` (containing a newline) a break inside a sentence?

    The lines on either side are read from the whole ``text``, so pass the document text and
    offsets, not a slice: a slice may begin in the middle of a line and look like a heading.
    """
    if "\n" not in text[start:end]:
        return False
    prev_line, next_line = _line_around(text, start, end)
    return _continues(prev_line, next_line)


def line_breaks(text: str, start: int = 0, end: int | None = None) -> list[LineBreak]:
    """Every line break strictly inside ``text[start:end]``, classified soft or hard."""
    end = len(text) if end is None else end
    breaks = []
    for match in WHITESPACE.finditer(text, start, end):
        a, b = match.span()
        if a == start or b == end or "\n" not in match.group():
            continue  # edge whitespace is trimmed anyway; plain spaces are not line breaks
        breaks.append(LineBreak(a, b, is_soft_break(text, a, b)))
    return breaks


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Narrow ``[start, end)`` so that it neither starts nor ends with whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def is_latin_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()




def _is_full_stop(text: str, i: int) -> bool:
    """Does the '.' at ``i`` end an English sentence (not 1.53亿, 3.5%, e.g., a list's ``1.``)?"""
    prev = text[i - 1] if i > 0 else ""
    nxt = text[i + 1] if i + 1 < len(text) else ""
    if nxt and not (nxt.isspace() or nxt in CLOSERS or is_wide(nxt)):
        return False  # a decimal point, a domain name, an abbreviation's inner dot, or '...'
    if not prev or prev.isspace():
        return False
    k = i
    while k > max(0, i - 40) and (is_latin_alnum(text[k - 1]) or text[k - 1] == "."):
        k -= 1  # the word before the dot (bounded: a dot in a long token run is no sentence end)
    word = text[k:i]
    if word.isdigit() and (not text[text.rfind("\n", 0, k) + 1 : k].strip() or text[k - 1] in ":："):
        return False  # "1." numbering a list item, also the first item right after its label (电子邮箱:1.…)
    if "." in word or (len(word) == 1 and word.isalpha()) or word.lower() in _ABBREVIATIONS:
        return False  # U.S., initials, Dr.
    j = i + 1
    while j < len(text) and (text[j] in CLOSERS or text[j] in " \t"):
        j += 1
    return not (j < len(text) and text[j].isascii() and text[j].islower())


def _terminator_cuts(text: str, start: int, end: int) -> list[int]:
    """Offsets just after each sentence terminator run and the closers that follow it."""
    cuts = []
    i = start
    while i < end:
        ch = text[i]
        if ch in TERMINATORS or (ch == "." and _is_full_stop(text, i)):
            j = i + 1
            while j < end and (text[j] in TERMINATORS or text[j] in CLOSERS or text[j] in ".…"):
                j += 1
            cuts.append(j)
            i = j
        else:
            i += 1
    return cuts


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans of ``text[start:end]`` as offsets into ``text``, whitespace excluded.

    Sentences end at 。！？；!?; (and '.' ending an English sentence), closing quotes and brackets
    included, and at paragraph breaks -- except broken lines, which ``cleaning`` recognises as
    damage inside a sentence. Pass the whole document text with offsets rather than a slice, so a
    break is judged with the full lines around it.
    """
    end = len(text) if end is None else min(end, len(text))
    start = max(0, start)
    cuts = {start, end}
    cuts.update(_terminator_cuts(text, start, end))
    cuts.update(b.start for b in line_breaks(text, start, end) if not b.soft)
    spans = []
    ordered = sorted(cuts)
    for a, b in pairwise(ordered):
        a, b = trim_span(text, a, b)
        if a < b:
            spans.append((a, b))
    return spans


def sentence_texts(text: str) -> list[str]:
    """The sentences of ``text`` themselves (whitespace around them excluded)."""
    return [text[a:b] for a, b in split_sentences(text)]
