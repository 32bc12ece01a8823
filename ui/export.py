"""The 「导出对话」 file: the conversation as Markdown, every answer followed by its sources.

Officials paste answers into reports; the export keeps each figure next to the document passage
it came from, so the citation survives the copy.
"""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path

from ui.conversation import Turn
from ui.rendering import REFUSAL_HEADLINE, RELATED_LABEL, SOURCES_LABEL, answer_markdown


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


def write_export(turns: list[Turn], directory: Path | None = None) -> Path:
    """Write the Markdown to a fresh file (a new temp folder unless ``directory`` is given)."""
    folder = Path(directory) if directory else Path(tempfile.mkdtemp(prefix="rag-export-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"conversation-{datetime.now():%Y%m%d-%H%M%S}.md"  # ASCII: safe in download headers
    path.write_text(conversation_markdown(turns), encoding="utf-8")
    return path
