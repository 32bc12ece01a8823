"""The 「导出对话」 files: the conversation as Markdown and as Word (.docx), every answer followed by
its sources.

Officials paste answers into reports, and they write those reports in Word; the export keeps each
figure next to the document passage it came from, so the citation survives the copy.
"""

from __future__ import annotations

import io
import tempfile
from datetime import datetime
from pathlib import Path

from rag.schema import Answer
from rag.tables import write_file_atomically
from ui.conversation import Turn
from ui.rendering import REFUSAL_HEADLINE, RELATED_LABEL, SOURCES_LABEL, answer_markdown, refusal_reason_text


def _quote(text: str) -> str:
    return "\n".join("> " + line if line.strip() else ">" for line in text.strip().splitlines())


def conversation_markdown(turns: list[Turn], now: datetime | None = None) -> str:
    """The whole conversation: questions, answers and the cited passages (highlight in bold)."""
    moment = now or datetime.now()
    lines = ["# 对话导出", "", f"导出时间：{moment:%Y-%m-%d %H:%M}", ""]
    for number, turn in enumerate(turns, start=1):
        lines += [f"## 问题 {number}：{turn.question}", ""]
        if turn.answer is None:
            lines += [f"（未回答：{turn.error or '无结果'}）", ""]
            continue
        answer = turn.answer
        lines += [answer_markdown(answer), ""]
        if not answer.citations:
            continue
        label = RELATED_LABEL if answer.refused else SOURCES_LABEL
        lines += [f"### {label}", ""]
        for citation in answer.citations:
            lines.append(f"**[{citation.n}]《{citation.title or citation.doc}》**"
                         f"（{citation.doc}，第 {citation.start + 1}–{citation.end} 字）")
            lines.append("")
            if citation.highlight and not answer.refused:
                lines += [f"依据句：**{citation.highlight.strip()}**", ""]
            lines += [_quote(citation.text), ""]
    if not turns:
        lines += ["（暂无对话）", ""]
    lines.append(f"*注：标注「{REFUSAL_HEADLINE}」的问题，资料中没有可靠依据。*")
    return "\n".join(lines) + "\n"


def _source_heading(citation_n: int, title: str, doc: str, start: int, end: int) -> str:
    return f"[{citation_n}]《{title or doc}》（{doc}，第 {start + 1}–{end} 字）"


def _docx_answer(document: object, answer: Answer) -> None:
    """One answer into a python-docx ``Document``: resolved question, short answer or refusal
    reason, the answer text, then the numbered sources with their passage."""
    add = document.add_paragraph  # type: ignore[attr-defined]
    if answer.resolved_question:
        add(f"（结合上文理解为：{answer.resolved_question}）")
    if answer.refused:
        add().add_run(f"{REFUSAL_HEADLINE}。").bold = True
        add(f"原因：{refusal_reason_text(answer.refusal)}。")
    else:
        if answer.short_answer and answer.short_answer.strip():
            paragraph = add()
            paragraph.add_run("答案：").bold = True
            paragraph.add_run(answer.short_answer).bold = True
        add(answer.answer)
        if answer.grounded is False:
            add("注意：该回答未通过原文核对，请以下列原文为准。")
    if not answer.citations:
        return
    document.add_heading(RELATED_LABEL if answer.refused else SOURCES_LABEL, level=3)  # type: ignore[attr-defined]
    for citation in answer.citations:
        heading = add()
        label = _source_heading(citation.n, citation.title, citation.doc, citation.start, citation.end)
        heading.add_run(label).bold = True
        if citation.highlight and not answer.refused:
            basis = add()
            basis.add_run("依据句：")
            basis.add_run(citation.highlight.strip()).bold = True
        add(citation.text.strip(), style="Quote")


def conversation_docx(turns: list[Turn], now: datetime | None = None) -> bytes:
    """The conversation as a Word document: for each question its answer, short answer and
    numbered sources (document title, offsets, the supporting sentence and the passage)."""
    import docx

    moment = now or datetime.now()
    document = docx.Document()
    document.add_heading("对话导出", level=1)
    document.add_paragraph(f"导出时间：{moment:%Y-%m-%d %H:%M}")
    for number, turn in enumerate(turns, start=1):
        document.add_heading(f"问题 {number}：{turn.question}", level=2)
        if turn.answer is None:
            document.add_paragraph(f"（未回答：{turn.error or '无结果'}）")
            continue
        _docx_answer(document, turn.answer)
    if not turns:
        document.add_paragraph("（暂无对话）")
    document.add_paragraph(f"注：标注「{REFUSAL_HEADLINE}」的问题，资料中没有可靠依据。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def write_exports(turns: list[Turn], directory: Path | None = None) -> list[Path]:
    """Write the Markdown and the Word file (in that order) into a fresh folder (a new temp folder
    unless ``directory`` is given); ASCII names are safe in download headers."""
    folder = Path(directory) if directory else Path(tempfile.mkdtemp(prefix="rag-export-"))
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"conversation-{datetime.now():%Y%m%d-%H%M%S}"
    markdown, word = folder / f"{stem}.md", folder / f"{stem}.docx"
    write_file_atomically(markdown, conversation_markdown(turns).encode("utf-8"))
    write_file_atomically(word, conversation_docx(turns))
    return [markdown, word]

