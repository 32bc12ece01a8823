"""Prompt templates and the messages built for the LLM backends."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.answering.base import AnswerRequest
from rag.answering.prompting import PromptBuilder, parse_template, select_passages, trim
from rag.schema import Passage
from rag.settings import Settings

PROMPTS = Settings().prompts_path


def passage(i: int, text: str) -> Passage:
    return Passage(chunk_id=f"d{i}#0", doc=f"d{i}.txt", title=f"标题{i}", text=text, start=0,
                   end=len(text), score=1.0 / i)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_shipped_templates_parse(language: str) -> None:
    template = PromptBuilder(PROMPTS).template(language)
    assert "[1]" in template.system
    assert template.refusal in template.system  # the model is told the exact refusal
    assert template.is_refusal(template.refusal)
    assert not template.is_refusal("哈尔滨市奖励5万元[1]。")


def test_messages_number_at_most_three_trimmed_passages() -> None:
    long = "无关的内容。" * 80 + "哈尔滨市大工匠由每人奖励1万元提高到5万元。" + "其他内容。" * 40
    ps = [passage(1, long)] + [passage(i, f"第{i}段资料。") for i in range(2, 6)]
    built = PromptBuilder(PROMPTS).build(AnswerRequest(question="哈尔滨市大工匠奖励多少？", passages=ps))
    user = built.messages[-1]["content"]
    assert [c.n for c in built.citations] == [1, 2, 3]
    assert built.citations[0].text == long  # citations carry the whole passage
    assert "[1] " in user and "[3] 第3段资料。" in user and "[4]" not in user
    assert "提高到5万元" in user  # the trimmed passage kept the sentence the question is about
    assert "哈尔滨市大工匠奖励多少？" in user
    assert len(user) < 1000
    assert built.messages[0]["role"] == "system"


def test_trim_without_question_cuts_at_a_sentence_end() -> None:
    text = "第一句话很长很长。" * 10
    assert trim(text, 30) == "第一句话很长很长。" * 3
    assert trim("短。", 30) == "短。"


def test_select_passages_shares_the_budget() -> None:
    ps = [passage(1, "短。"), passage(2, "长" * 500), passage(3, "长" * 500)]
    selected = select_passages(ps, max_passages=3, max_chars=600)
    assert sum(len(text) for _, text in selected) <= 602


def test_template_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="missing"):
        parse_template("[system]\nx\n[user]\n{passages}{question}\n", "zh")
    with pytest.raises(ValueError, match="needs"):
        parse_template("[system]\nx\n[user]\nno placeholders\n[refusal]\nno\n", "zh")
    template = parse_template(
        "# comment\n[system]\ns\n[example_user]\nq\n[example_assistant]\na[1]\n[user]\n{passages}\n{question}\n[refusal]\n资料中未找到相关信息。\n",
        "zh",
    )
    assert template.example == ("q", "a[1]")
    assert template.is_refusal("资料中未找到关于大庆的信息。")
