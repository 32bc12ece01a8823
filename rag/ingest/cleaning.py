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

from rag.ingest.structure import merge_headings, numbered_headings, text_lines
from rag.schema import Heading
from rag.text.patterns import CJK_RANGE, ORG_SUFFIX_ALTERNATION, YEAR, is_cjk
from rag.text.sentences import (
    HEADING_MAX_CHARS,
    WHITESPACE,
    is_heading_shaped,
    is_soft_break,
    is_wide,
    trim_span,
)

__all__ = ["detect_title_and_headings", "repair"]

#: Lines starting with these are list items, captions or bylines, not headings.
_MARKER_STARTS = frozenset("-*+•·◆◇■□▲△▶►●○★☆※>|(（[〔") | frozenset(
    chr(c) for c in (*range(0x2460, 0x24A0), *range(0x2776, 0x2794))  # ①..⒇, ❶..➓
)
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")

# --- boilerplate: page furniture of news sites and papers, never a title or heading ---
_NOISE_EXACT = frozenset(
    {
        "客户端", "微信", "微博", "公众号", "抖音", "app", "阅读提示", "扫码阅读", "扫一扫",
        "返回顶部", "打印", "关闭", "分享", "分享到", "收藏", "点赞", "评论", "上一篇", "下一篇",
        "责任编辑", "编辑", "相关新闻", "相关阅读", "热点推荐", "首页",
    }
)
#: The kind of document a title ends with (政府工作报告, 统计公报, …的通知, maybe with a bracketed date
#: after it): a line ending so is a title, however long or letter-spaced.
_DOCUMENT_KIND_END = re.compile(
    r"(?:报告|公报|通知|通报|决定|意见|方案|办法|规定|细则|规划|纪要|批复|请示|公告|公示|名单|条例|要点)"
    r"(?:[(（][^()（）]{1,20}[)）])?$"
)
#: Lines that may stand above a 公文's title: the issuer's header (「陕西省延安市人民政府」, 「…文件」)
#: and a portal's metadata field (「发布日期:2022-07-29」).
_ABOVE_TITLE = re.compile(
    rf"[{CJK_RANGE}（）()]{{2,30}}(?:{ORG_SUFFIX_ALTERNATION})(?:文件)?|[^:：]{{2,8}}[:：].{{0,40}}"
)
#: The longest line taken for a 公文's title (「关于印发《…实施方案(2023年)》的通知」 can be long).
_TITLE_MAX_CHARS = 100

#: A report's dateline under its title: 「(2023年2月23日在自治县十届人大二次会议上)」, 「2022年1月19日」.
_DATELINE_START = re.compile(r"^[\s(（—]*(?:19|20)\d{2}年\d{1,2}月\d{1,2}日")
_MASTHEAD = re.compile(r"\S{1,8}(日报|晚报|早报|时报|商报|周报|周刊|新闻网|客户端)")
_NOISE_WORDS = re.compile(
    r"记者|通讯员|责编|编辑[:：]|供图|摄影|图片|图文|来源[:：]|原标题|本报讯|作者[:：]|版权|扫码|二维码"
)
_CAPTION = re.compile(r"^图\s*\d*\s*[:：为/]|\s摄$|/摄$")


#: The digits a figure is written in (not ① or ²: caption numbers and footnote marks).
_FIGURE_DIGITS = frozenset("0123456789０１２３４５６７８９")


def repair(text: str, start: int = 0, end: int | None = None) -> str:
    """The clean search text of ``text[start:end]``: what is embedded, indexed and quoted.

    Soft (broken) line breaks disappear (a space between two Latin words), hard breaks become one
    newline, other whitespace runs fold to one space and vanish between two CJK characters or
    between a digit and the CJK character after it.
    Given a whole document and offsets it judges each break with the full lines around it; given
    only a slice, a slice that starts mid-line is judged as if that were the start of the line.
    """
    end = len(text) if end is None else end
    start, end = trim_span(text, start, end)
    out: list[str] = []
    pos = start
    for match in WHITESPACE.finditer(text, start, end):
        a, b = match.span()
        out.append(text[pos:a])
        left, right = text[a - 1], text[b]
        if "\n" in match.group() and not is_soft_break(text, a, b):
            out.append("\n")
        elif "\n" in match.group():
            latin = left.isascii() and left.isalnum() and right.isascii() and right.isalnum()
            out.append(" " if latin else "")
        else:
            # 「突破100 亿元」: a space between a figure and the CJK unit after it (PDF extraction)
            # splits the figure from its unit; a space before a figure (「建章立制 40余项」) stays
            figure_then_unit = left in _FIGURE_DIGITS and is_wide(right)
            out.append("" if (is_wide(left) and is_wide(right)) or figure_then_unit else " ")
        pos = b
    out.append(text[pos:end])
    return _ZERO_WIDTH.sub("", "".join(out))


# --- title and headings ---


def _is_noise(line: str) -> bool:
    """Page furniture, bylines and captions: short lines that are not headings."""
    compact = WHITESPACE.sub("", line)
    if compact.lower() in _NOISE_EXACT or _MASTHEAD.fullmatch(compact):
        return True
    if _NOISE_WORDS.search(line) or _CAPTION.search(line):
        return True
    tokens = line.split()
    if len(tokens) >= 2 and all(len(t) == 1 for t in tokens):
        # a letter-spaced label (阅 读 提 示) is furniture; a letter-spaced 公文 title
        # (政 府 工 作 报 告) is the document's title
        return not _DOCUMENT_KIND_END.search(compact)
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


def detect_title_and_headings(text: str) -> tuple[str, list[Heading]]:
    """The document title ('' if none) and its headings, found from the shape of lines.

    A heading is a short standalone line without sentence punctuation (``求是：因地制宜闯新路``);
    boilerplate (``大众日报``, ``阅 读 提 示``, bylines, captions) is skipped. Adjacent heading
    lines form one heading (``健全组织 壮大队伍`` / ``这是一项强基固本的重大改革``). The title is
    the first line of the first heading before the body starts, plus its ``——`` subtitle; that
    heading is also the first entry of the headings, so text under the title has a heading.

    The numbered headings of a 公文 (第X条, 一、, （一）, 1., 附件1; ``structure.numbered_headings``)
    are merged in with their levels, so the headings form a tree (``Document.heading_path_at``).
    """
    groups: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    body_started_at: int | None = None
    lines = text_lines(text)
    for offset, line in lines:
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

    shape = [Heading(group[0][0], _join_group([line for _, line in group])) for group in groups]
    headings = merge_headings(shape, numbered_headings(text))
    title = ""
    if groups and (body_started_at is None or groups[0][0][0] < body_started_at):
        title = _unspaced(groups[0][0][1])
        for _, line in groups[0][1:]:
            if not _is_subtitle(line):
                break
            title += line
    top = [line for _, line in lines[:_TOP_LINES]]
    title_line = _document_title_line(top[:_TITLE_LINES])
    if title_line and not title.startswith(title_line):
        title = title_line  # 「关于印发《…实施方案》的通知」 over a metadata form or too long for a heading
    return _with_dateline(title, top), headings


def _document_title_line(lines: list[str]) -> str:
    """The first line that is a 公文's title, under nothing but an issuer's header or metadata
    fields; '' when the text opens otherwise."""
    for line in lines:
        line = _unspaced(line)
        if _is_document_title(line):
            return line
        if not _ABOVE_TITLE.fullmatch(WHITESPACE.sub("", line)):
            return ""
    return ""


#: How many lines a dateline may take under its title (「2022年1月19日」 / 「在…会议上」).
_DATELINE_LINES = 2
#: Among how many first lines the title is looked for under which a dateline may stand.
_TITLE_LINES = 3
#: The first lines the title and its dateline are read from.
_TOP_LINES = _TITLE_LINES + _DATELINE_LINES


def _with_dateline(title: str, lines: list[str]) -> str:
    """A title that names no year (政府工作报告) with the dateline under it as its subtitle
    (「政府工作报告——2023年2月9日在略阳县第十八届人民代表大会第二次会议上」): the dateline says which
    place's report of which year it is. ``lines`` are the document's first non-blank lines."""
    if not title or YEAR.search(title):
        return title
    position = next((i for i, line in enumerate(lines[:_TITLE_LINES]) if _unspaced(line) == title), None)
    if position is None or position + 1 >= len(lines) or not _DATELINE_START.match(lines[position + 1]):
        return title
    dateline = "".join(lines[position + 1 : position + 1 + _DATELINE_LINES])
    if "会议上" not in dateline:
        dateline = lines[position + 1]
    else:
        dateline = dateline[: dateline.index("会议上") + len("会议上")]
    return f"{title}——{dateline.strip('()（）—　 ')}"


def _unspaced(line: str) -> str:
    """A letter-spaced line closed up (政 府 工 作 报 告 -> 政府工作报告); other lines as they are."""
    return WHITESPACE.sub("", line) if all(len(token) == 1 for token in line.split()) else line


def _is_document_title(line: str) -> bool:
    """A first line too long for a heading that is still a 公文's title: it ends with the kind of
    document (…的通知, …实施方案) and holds no sentence punctuation."""
    compact = WHITESPACE.sub("", line)
    return (
        len(compact) <= _TITLE_MAX_CHARS
        and bool(_DOCUMENT_KIND_END.search(compact))
        and not any(mark in compact for mark in "。；;！？!?")
    )


def _join_group(lines: list[str]) -> str:
    """Join the lines of a heading: a ``——`` subtitle attaches directly, others with a space."""
    text = ""
    for line in lines:
        text += line if not text or line.startswith("—") else " " + line
    return text
