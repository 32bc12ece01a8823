"""LLM answers are cross-checked against the extractive backend on the real corpus.

A small model quotes the old figure of 「由每人奖励1万元提高到5万元」, which the grounding check
alone accepts (1万元 is in the passage); the extractive backend's exact figure catches it. And a
question about another city is refused without spending seconds on generation.
"""

from __future__ import annotations

from rag.engine import Engine
from tests.answering.test_openai_backend import backend, scripted


def test_an_answer_that_contradicts_the_exact_figure_falls_back(corpus_engine: Engine) -> None:
    request = corpus_engine._request("哈尔滨市对大工匠每人奖励多少钱？", (), None, None)
    llm = backend(scripted((200, "哈尔滨市大工匠每人奖励1万元。[1]")), corpus_engine.backends.extractive)
    answer = llm.answer(request)
    assert answer.backend == "openai+fallback"
    assert answer.short_answer == "5万元" and not answer.refused and answer.refusal is None
    assert llm.stats.snapshot()["fallbacks"] == 1


def test_an_answer_that_agrees_is_kept(corpus_engine: Engine) -> None:
    request = corpus_engine._request("哈尔滨市对大工匠每人奖励多少钱？", (), None, None)
    llm = backend(scripted((200, "哈尔滨市大工匠的奖励由每人1万元提高到5万元。[1]")), corpus_engine.backends.extractive)
    answer = llm.answer(request)
    assert answer.backend == "openai" and answer.grounded is True
    assert "5万元" in answer.answer and "[1]" in answer.answer


def test_another_city_is_refused_without_calling_the_model(corpus_engine: Engine) -> None:
    request = corpus_engine._request("齐齐哈尔市对大工匠每人奖励多少钱？", (), None, None)
    calls: list = []
    llm = backend(scripted((200, "齐齐哈尔市大工匠每人奖励1万元。[1]"), calls=calls), corpus_engine.backends.extractive)
    answer = llm.answer(request)
    assert answer.refused and answer.refusal is not None
    assert answer.refusal.reason == "missing_entity"
    assert any("齐齐哈尔" in name for name in answer.refusal.missing)  # 齐齐哈尔市
    assert calls == []
    events = list(llm.stream(request))
    assert [e.kind for e in events] == ["citations", "answer"] and events[-1].answer.refused
    assert events[-1].answer.refusal == answer.refusal  # the extractive reason is passed on
    assert calls == []
