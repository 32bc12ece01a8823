"""Turning answers and citations into what the page shows: chat Markdown and sources-panel HTML.

Pure functions of ``Answer`` / ``Citation`` / document text, so the look of an answer can be tested
without a browser and reused by the Markdown export. Everything taken from documents or from the
user is escaped: a document is data, never markup.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from rag.schema import Answer, Citation, Refusal

REFUSAL_HEADLINE = "资料中未找到答案"
#: Why an answer was refused, in plain Chinese, by ``Refusal.reason`` (``{missing}``: what the
#: documents lack). The page reads the structured refusal, never the backend's refusal wording.
REFUSAL_REASONS = {
    "missing_entity": "资料中有相近内容，但不是关于“{missing}”的",
    "unanswerable_kind": "资料中没有所问类型的数字",
    "weak_evidence": "资料中未找到足够相关的内容",
    "no_passages": "资料中未找到足够相关的内容",
    "incomplete_comparison": "比较所需的部分数据缺失：{missing}",
}
_REASON_WITHOUT_NAMES = {
    "missing_entity": "资料中有相近内容，但不是关于所问对象的",
    "incomplete_comparison": "比较所需的部分数据缺失",
}
RELATED_LABEL = "相关段落（非答案）"
SOURCES_LABEL = "来源"
LOADING_MESSAGE = "服务正在加载，请稍后再试"
SEARCHING = "正在检索资料……"
GENERATING = "正在生成答案……"

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~])")
_WHITESPACE = re.compile(r"\s+")


def escape_markdown(text: str) -> str:
    """Text shown literally inside Markdown (document text may contain *, #, <, ...)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def locate(text: str, sentence: str | None, search_from: int = 0) -> tuple[int, int] | None:
    """Where ``sentence`` occurs in ``text``, tolerating different whitespace and line breaks.

    The highlight is the document's own sentence, but a passage may have been repaired (broken lines
    joined), so an exact search falls back to one that ignores whitespace between characters.
    """
    if not sentence or not sentence.strip():
        return None
    exact = text.find(sentence, search_from)
    if exact >= 0:
        return exact, exact + len(sentence)
    chars = [c for c in _WHITESPACE.sub("", sentence)]
    if not chars:
        return None
    pattern = re.compile(r"\s*".join(re.escape(c) for c in chars))
    match = pattern.search(text, search_from)
    return (match.start(), match.end()) if match else None


def _marked(text: str, span: tuple[int, int] | None, mark_class: str = "rag-hl") -> str:
    """``text`` escaped, with ``span`` wrapped in ``<mark>``."""
    if span is None:
        return html.escape(text)
    start, end = span
    return (
        html.escape(text[:start])
        + f'<mark class="{mark_class}">{html.escape(text[start:end])}</mark>'
        + html.escape(text[end:])
    )


# ----- chat messages -----
def sources_line(citations: Sequence[Citation]) -> str:
    """「来源：[1]《标题》」 under an answer, so the markers can be read without the side panel."""
    seen: list[str] = []
    for citation in citations:
        entry = f"\\[{citation.n}\\]《{escape_markdown(citation.title or citation.doc)}》"
        if entry not in seen:
            seen.append(entry)
    return f"{SOURCES_LABEL}：" + "；".join(seen)


def refusal_reason_text(refusal: Refusal | None) -> str:
    """Why the documents gave no answer, for people (a refusal without a reason reads as weak evidence)."""
    if refusal is None:
        return REFUSAL_REASONS["weak_evidence"]
    names = "、".join(name for name in refusal.missing if name.strip())
    if not names and refusal.reason in _REASON_WITHOUT_NAMES:
        return _REASON_WITHOUT_NAMES[refusal.reason]
    return REFUSAL_REASONS.get(refusal.reason, REFUSAL_REASONS["weak_evidence"]).format(missing=names)


def answer_markdown(answer: Answer) -> str:
    """The final assistant message.

    A refusal (``answer.refused``) is a headline and its reason in plain words (from
    ``answer.refusal``), never an answer line. An answer shows the bold 「答案」 line only when the
    backend gave a ``short_answer`` (it does only when every check passed); otherwise the cited text
    alone. Then the source titles.
    """
    parts: list[str] = []
    if answer.resolved_question:
        parts.append(f"*（结合上文理解为：{escape_markdown(answer.resolved_question)}）*")
    if answer.refused:
        parts.append(f"**{REFUSAL_HEADLINE}。**")
        parts.append(f"原因：{escape_markdown(refusal_reason_text(answer.refusal))}。")
        if answer.citations:
            parts.append(f"*右侧「{RELATED_LABEL}」仅供参考，不构成答案。*")
        return "\n\n".join(parts)
    if answer.short_answer and answer.short_answer.strip():
        parts.append(f"**答案：{escape_markdown(answer.short_answer)}**")
    parts.append(escape_markdown(answer.answer))
    if answer.grounded is False:
        parts.append("⚠️ *该回答未通过原文核对，请以右侧原文为准。*")
    if answer.citations:
        parts.append(sources_line(answer.citations))
    return "\n\n".join(parts)


def pending_markdown(citations: Sequence[Citation] | None, text: str) -> str:
    """The assistant message while streaming: progress first, then the text as it grows."""
    if text:
        return escape_markdown(text) + " ▌"
    if citations is None:
        return f"*{SEARCHING}*"
    return f"*已找到 {len(citations)} 个相关段落，{GENERATING}*"


def answer_meta(answer: Answer) -> str:
    """A quiet last line: which backend answered and how long it took."""
    return f"<sub>回答方式：{escape_markdown(answer.backend)} · 用时 {answer.latency_ms / 1000:.2f} 秒</sub>"


def error_markdown(message: str) -> str:
    """An error as one readable line in the chat (never a traceback)."""
    return f"⚠️ {escape_markdown(message)}"


# ----- sources panel -----
#: Shown on a citation whose text was recognised from a scanned page (``Citation.ocr``).
OCR_LABEL = "扫描件·OCR识别"
OCR_NOTE = "该段文字由扫描页面识别得到，个别字可能有误，请以原件为准"


def pages_label(citation: Citation) -> str:
    """「 · 第3页」 / 「 · 第3–4页」 for a citation of a paged file (PDF, OFD), else ''."""
    if not citation.pages:
        return ""
    first, last = min(citation.pages), max(citation.pages)
    return f" · 第{first}页" if first == last else f" · 第{first}–{last}页"


def _card(citation: Citation, openable: bool) -> str:
    span = locate(citation.text, citation.highlight)
    title = html.escape(citation.title or citation.doc)
    where = html.escape(f"{citation.doc}{pages_label(citation)} · 第 {citation.start + 1}–{citation.end} 字")
    if citation.ocr:
        where += f' <span class="rag-ocr" title="{OCR_NOTE}">{OCR_LABEL}</span>'
    button = (
        f'<button type="button" class="rag-open" data-open-doc="{citation.n}">查看全文</button>'
        if openable
        else ""
    )
    quote = ""
    if citation.highlight and span is None:  # supporting sentence straddles the passage's end
        quote = f'<div class="rag-quote"><mark class="rag-hl">{html.escape(citation.highlight)}</mark></div>'
    return (
        f'<div class="rag-card" data-n="{citation.n}">'
        f'<div class="rag-card-head"><span class="rag-num">[{citation.n}]</span> '
        f'<span class="rag-title">{title}</span></div>'
        f'<div class="rag-where">{where}</div>'
        f"{quote}"
        f'<div class="rag-passage">{_marked(citation.text, span)}</div>'
        f"{button}</div>"
    )


def sources_html(
    citations: Sequence[Citation] | None, refused: bool = False, pending: bool = False,
    refusal: Refusal | None = None,
) -> str:
    """The right-hand panel: cited passages with the supporting sentence marked.

    For a refusal the same passages appear under 「相关段落（非答案）」, with the reason of the
    refusal (``refusal``), so nobody mistakes the nearest text for an answer.
    """
    if citations is None:
        return '<div class="rag-sources rag-empty">提问后，这里显示答案所依据的原文段落。</div>'
    if not citations:
        return '<div class="rag-sources rag-empty">没有找到相关段落。</div>'
    if refused:
        head = (
            f'<div class="rag-sources-head rag-related">{RELATED_LABEL}</div>'
            f'<div class="rag-note">{html.escape(refusal_reason_text(refusal))}；'
            "以下段落与问题最接近，仅供参考。</div>"
        )
    elif pending:
        head = '<div class="rag-sources-head">检索到的段落（正在生成答案……）</div>'
    else:
        head = f'<div class="rag-sources-head">{SOURCES_LABEL}</div>'
    cards = "".join(_card(c, openable=not pending) for c in citations)
    kind = "rag-sources rag-refused" if refused else "rag-sources"
    return f'<div class="{kind}">{head}{cards}</div>'


def document_html(title: str, doc_id: str, text: str, citation: Citation) -> str:
    """The whole document with the cited passage shaded and its supporting sentence marked.

    The passage carries ``id="rag-focus"`` so the viewer can scroll to it when it opens.
    """
    start = max(0, min(citation.start, len(text)))
    end = max(start, min(citation.end, len(text)))
    passage = text[start:end]
    span = locate(passage, citation.highlight)
    body = (
        html.escape(text[:start])
        + f'<span class="rag-focus" id="rag-focus">{_marked(passage, span)}</span>'
        + html.escape(text[end:])
    )
    return (
        '<div class="rag-doc-view">'
        f'<div class="rag-doc-head">[{citation.n}] 《{html.escape(title or doc_id)}》'
        f'<span class="rag-where">{html.escape(doc_id)} · 全文 {len(text)} 字，已定位到引用段落</span>'
        '<button type="button" class="rag-doc-close" data-close-doc="1">收起全文 ✕</button></div>'
        f'<div class="rag-doc-text">{body}</div></div>'
    )


def document_missing_html(doc_id: str) -> str:
    """Shown when a cited document was deleted since the answer was given."""
    return f'<div class="rag-doc-view rag-empty">文档 {html.escape(doc_id)} 已不在索引中（可能已被删除）。</div>'
