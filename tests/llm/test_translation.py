"""The checks that decide whether a model's translation of a question may be used, the cache, and
the fallback when the model cannot be started. The real model: tests/llm/test_translation_model.py."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from rag.llm import translation
from rag.llm.translation import QuestionTranslator, clean_output, max_chars_for, rejection
from rag.settings import Settings

QUESTION = "How many liaison officers (联络员) did the county union elect in 2021?"


def test_a_faithful_translation_passes() -> None:
    assert rejection(QUESTION, "该县工会2021年选举了多少名联络员？", max_chars_for(QUESTION)) is None


@pytest.mark.parametrize(
    ("output", "reason"),
    [
        ("How many liaison officers were elected?", "no Chinese"),
        ("该县工会2021年选举了35名联络员。", "figure the question lacks (35)"),
        ("该县工会2021年选举了联络员。", "not a question"),
        ("该县工会2021年选举了多少名工作人员？", "lost the question's Chinese (联络员)"),
        ("联络员联络员联络员联络员多少？", "repeats itself"),
        ("2021年该县 appoint了多少个 liaison联络员？", "left English words untranslated (appoint, liaison)"),
        ("该县工会2021年选举了多少名联络员？" + "这些联络员负责联系职工群众并反映诉求" * 2, "longer than"),
    ],
)
def test_a_bad_output_is_rejected_with_its_reason(output: str, reason: str) -> None:
    found = rejection(QUESTION, output, max_chars_for(QUESTION))
    assert found is not None and reason in found


def test_the_question_figures_and_acronyms_may_be_kept() -> None:
    question = "How much did the city spend on 3 programmes in 2022?"
    assert rejection(question, "该市2022年在3个项目上花了多少钱？", max_chars_for(question)) is None
    question = "How much did the city's GDP grow in 2022?"
    assert rejection(question, "该市2022年GDP增长了多少？", max_chars_for(question)) is None


def test_labels_quotes_and_later_lines_are_cleaned_off() -> None:
    assert clean_output("译文：“某市有多少家企业？”\n（说明：这是翻译）") == "某市有多少家企业？"
    assert clean_output("  \n\n") == ""


def test_an_unavailable_model_falls_back_and_is_logged_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(cache_dir=tmp_path, question_translation="local")
    translator = QuestionTranslator(settings, model_path=tmp_path / "missing.gguf")
    with caplog.at_level(logging.WARNING, logger="rag.translation"):
        first = translator.translate("How many enterprises did Jiaocheng County have in 2022?")
        second = translator.translate("How many workers did Jiaokou County train?")
    assert first is None and second is None
    assert translator.unavailable is not None and "missing.gguf" in translator.unavailable
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "without translation" in warnings[0].getMessage()
    translator.close()  # nothing was started: closing is a no-op, not an error


def test_the_cache_keeps_the_most_recent_entries() -> None:
    cache = translation._Cache(2)
    cache.put(("m", "a"), "甲")
    cache.put(("m", "b"), None)  # a rejected output is remembered too
    assert cache.get(("m", "a")) == (True, "甲")  # a is now the most recent
    cache.put(("m", "c"), "丙")
    assert cache.get(("m", "b")) == (False, None)
    assert cache.get(("m", "a")) == (True, "甲") and cache.get(("m", "c")) == (True, "丙")


def test_the_real_model_translates_a_question_and_keeps_the_users_chinese(translation_model_path: Path) -> None:
    settings = Settings(question_translation="local", question_translation_timeout=180)
    translator = QuestionTranslator(settings, model_path=translation_model_path)
    try:
        question = "How many trade-union liaison officers (工会联络员) did Suifenhe select in 2023?"
        result = translator.translate(question)
        assert result is not None, "a plain question is translated and passes the checks"
        assert "工会联络员" in result.text and "2023" in result.text
        assert rejection(question, result.text, max_chars_for(question)) is None
        calls = translator.calls
        again = translator.translate(question)
        assert again == result and translator.calls == calls, "the second time comes from the cache"
    finally:
        translator.close()
