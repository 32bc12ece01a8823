"""The conversation export: Markdown and Word files, as a user downloads them."""

from __future__ import annotations

from pathlib import Path

import docx

from rag.schema import Answer, Citation, Refusal
from ui.conversation import Turn
from ui.export import write_exports

SENTENCE = "哈尔滨市大工匠由每年评选10人增加到50人，由每人奖励1万元提高到5万元。"
PASSAGE = "与此同时，哈尔滨市对于高层次产业工人也加大了评选奖励的力度。" + SENTENCE


def harbin_answer(**update: object) -> Answer:
    citation = Citation(n=1, doc="000.txt", title="龙江产改纪实", text=PASSAGE, start=100,
                        end=100 + len(PASSAGE), score=0.9, highlight=SENTENCE)
    answer = Answer(question="哈尔滨市对大工匠每人奖励多少钱？", answer=SENTENCE + "[1]", short_answer="5万元",
                    citations=[citation])
    return answer.model_copy(update=update)


def test_word_export_opens_with_python_docx_and_holds_answer_and_sources(tmp_path: Path) -> None:
    refused = harbin_answer(question="齐齐哈尔市对大工匠每人奖励多少钱？", short_answer=None, refused=True,
                            refusal=Refusal(reason="missing_entity", missing=["齐齐哈尔"]))
    turns = [Turn("哈尔滨市对大工匠每人奖励多少钱？", answer=harbin_answer()),
             Turn("齐齐哈尔市对大工匠每人奖励多少钱？", answer=refused),
             Turn("坏问题", error="问题为空")]
    markdown, word = write_exports(turns, tmp_path)
    assert markdown.suffix == ".md" and "5万元" in markdown.read_text(encoding="utf-8")
    assert word.suffix == ".docx" and not list(tmp_path.glob(".*"))  # no temporary file left behind
    document = docx.Document(str(word))
    paragraphs = [p.text for p in document.paragraphs]
    text = "\n".join(paragraphs)
    assert "问题 1：哈尔滨市对大工匠每人奖励多少钱？" in paragraphs
    assert "答案：5万元" in paragraphs and SENTENCE + "[1]" in paragraphs
    assert "[1]《龙江产改纪实》（000.txt，第 101–" in text and PASSAGE.strip() in paragraphs
    assert "依据句：" + SENTENCE in paragraphs
    assert "资料中未找到答案。" in paragraphs and "齐齐哈尔" in text and "相关段落" in text
    assert "（未回答：问题为空）" in paragraphs
    bold = {run.text for p in document.paragraphs for run in p.runs if run.bold}
    assert "5万元" in bold  # the short answer stands out
