"""Repairing extraction damage and finding the title and headings of a document's text.

Text copied out of newspaper pages and PDFs breaks sentences across lines, even across blank lines
(``省总工会牵头协`` / blank line / ``调13个成员单位``). We never edit ``Document.text`` (every offset
points into it); instead every line break is *classified*: a soft break is damage inside a sentence,
a hard break ends a paragraph. The sentence splitter treats only hard breaks as boundaries, and
``repair`` turns a span of original text into the clean text that is searched, embedded and quoted.

The same line shape decides both questions: a short standalone line without sentence punctuation
is heading-shaped, so it is never joined to the next paragraph, and it is a heading candidate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.schema import Heading

__all__ = [
    "HEADING_MAX_CHARS",
    "LineBreak",
    "detect_title_and_headings",
    "is_cjk",
    "is_heading_shaped",
    "is_soft_break",
    "is_wide",
    "line_breaks",
    "repair",
]

#: Lines longer than this are body text, never headings (news headings are 4-30 characters).
HEADING_MAX_CHARS = 40

#: Any of these inside a line makes it a (part of a) sentence, not a heading.
_SENTENCE_PUNCT = frozenset("，,；;。！？!?")
#: A line ending in one of these leads into what follows (a lead-in or an unfinished sentence).
_NON_FINAL_ENDINGS = frozenset("：:、.…—-")
#: A sentence visibly continues after these even when the line is short.
_CONTINUING_ENDINGS = frozenset("，,、")
#: Lines starting with these are list items, captions or bylines, not headings.
_MARKER_STARTS = frozenset("-*+•·◆◇■□▲△▶►●○★☆※>|(（[〔") | frozenset(
    chr(c) for c in (*range(0x2460, 0x24A0), *range(0x2776, 0x2794))  # ①..⒇, ❶..➓
)
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_WHITESPACE = re.compile(r"\s+")

# --- boilerplate: page furniture of news sites and papers, never a title or heading ---
_NOISE_EXACT = frozenset(
    {
        "客户端", "微信", "微博", "公众号", "抖音", "app", "阅读提示", "扫码阅读", "扫一扫",
        "返回顶部", "打印", "关闭", "分享", "分享到", "收藏", "点赞", "评论", "上一篇", "下一篇",
        "责任编辑", "编辑", "相关新闻", "相关阅读", "热点推荐", "首页",
    }
)
_MASTHEAD = re.compile(r"\S{1,8}(日报|晚报|早报|时报|商报|周报|周刊|新闻网|客户端)")
_NOISE_WORDS = re.compile(
    r"记者|通讯员|责编|编辑[:：]|供图|摄影|图片|图文|来源[:：]|原标题|本报讯|作者[:：]|版权|扫码|二维码"
)
_CAPTION = re.compile(r"^图\s*\d*\s*[:：为/]|\s摄$|/摄$")


def is_cjk(ch: str) -> bool:
    """True for a CJK ideograph: the characters Chinese sentences are made of."""
    code = ord(ch)
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0xF900 <= code <= 0xFAFF
        or 0x20000 <= code <= 0x2FA1F
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


def _continues(prev_line: str, next_line: str) -> bool:
    """Does the sentence on ``prev_line`` go on at ``next_line``? (extraction damage, not a break)"""
    p, n = prev_line.strip(), next_line.strip()
    if not p or not n:
        return False
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
    for match in _WHITESPACE.finditer(text, start, end):
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


def repair(text: str, start: int = 0, end: int | None = None) -> str:
    """The clean search text of ``text[start:end]``: what is embedded, indexed and quoted.

    Soft (broken) line breaks disappear (a space between two Latin words), hard breaks become one
    newline, other whitespace runs fold to one space and vanish between two CJK characters.
    Given a whole document and offsets it judges each break with the full lines around it; given
    only a slice, a slice that starts mid-line is judged as if that were the start of the line.
    """
    end = len(text) if end is None else end
    start, end = trim_span(text, start, end)
    out: list[str] = []
    pos = start
    for match in _WHITESPACE.finditer(text, start, end):
        a, b = match.span()
        out.append(text[pos:a])
        left, right = text[a - 1], text[b]
        if "\n" in match.group() and not is_soft_break(text, a, b):
            out.append("\n")
        elif "\n" in match.group():
            latin = left.isascii() and left.isalnum() and right.isascii() and right.isalnum()
            out.append(" " if latin else "")
        else:
            out.append("" if is_wide(left) and is_wide(right) else " ")
        pos = b
    out.append(text[pos:end])
    return _ZERO_WIDTH.sub("", "".join(out))


# --- title and headings ---


def _is_noise(line: str) -> bool:
    """Page furniture, bylines and captions: short lines that are not headings."""
    compact = _WHITESPACE.sub("", line)
    if compact.lower() in _NOISE_EXACT or _MASTHEAD.fullmatch(compact):
        return True
    if _NOISE_WORDS.search(line) or _CAPTION.search(line):
        return True
    tokens = line.split()
    if len(tokens) >= 2 and all(len(t) == 1 for t in tokens):
        return True  # letter-spaced label: 阅 读 提 示
    if len(tokens) >= 2 and all(2 <= len(t) <= 3 and all(map(is_cjk, t)) for t in tokens):
        return True  # a row of names: 李睿祎 裴朝峰 廖权权
    if not any(is_cjk(ch) or ch.isalpha() for ch in line):
        return True  # dates, numbers, rules
    return line[0] in _MARKER_STARTS


def _is_heading_line(line: str) -> bool:
    return len(line) >= 2 and is_heading_shaped(line) and not line.startswith("—") and not _is_noise(line)


def _is_subtitle(line: str) -> bool:
    """``——黑龙江省产业工人队伍建设改革纪实``: the dash line under a title."""
    return line.startswith("——") and len(line) <= 2 * HEADING_MAX_CHARS and line[-1] not in "。！？!?；;"


#: A heading group never has more lines than this (more is a list, not a heading).
_MAX_GROUP_LINES = 3
#: The title must come before the body: before the first line longer than this.
_TITLE_BEFORE_LINE_CHARS = 60


def _lines(text: str) -> list[tuple[int, str]]:
    """Non-blank lines as (offset of their first non-space character, stripped text)."""
    result = []
    for match in re.finditer(r"[^\n]+", text):
        line = match.group()
        stripped = line.strip()
        if stripped:
            result.append((match.start() + len(line) - len(line.lstrip()), stripped))
    return result


def detect_title_and_headings(text: str) -> tuple[str, list[Heading]]:
    """The document title ('' if none) and its headings, found from the shape of lines.

    A heading is a short standalone line without sentence punctuation (``求是：因地制宜闯新路``);
    boilerplate (``大众日报``, ``阅 读 提 示``, bylines, captions) is skipped. Adjacent heading
    lines form one heading (``健全组织 壮大队伍`` / ``这是一项强基固本的重大改革``). The title is
    the first line of the first heading before the body starts, plus its ``——`` subtitle; that
    heading is also the first entry of the headings, so text under the title has a heading.
    """
    groups: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    body_started_at: int | None = None
    for offset, line in _lines(text):
        if current and _is_subtitle(line):
            current.append((offset, line))
            continue
        if _is_heading_line(line) and len(current) < _MAX_GROUP_LINES:
            current.append((offset, line))
            continue
        if current:
            groups.append(current)
        current = [(offset, line)] if _is_heading_line(line) else []
        if body_started_at is None and len(line) > _TITLE_BEFORE_LINE_CHARS:
            body_started_at = offset
    if current:
        groups.append(current)

    headings = [Heading(group[0][0], _join_group([line for _, line in group])) for group in groups]
    title = ""
    if groups and (body_started_at is None or groups[0][0][0] < body_started_at):
        title = groups[0][0][1]
        for _, line in groups[0][1:]:
            if not _is_subtitle(line):
                break
            title += line
    return title, headings


def _join_group(lines: list[str]) -> str:
    """Join the lines of a heading: a ``——`` subtitle attaches directly, others with a space."""
    text = ""
    for line in lines:
        text += line if not text or line.startswith("—") else " " + line
    return text
