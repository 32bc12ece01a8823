"""Typed facts through the extractive backend over the bundled corpus: the asked value of a change,
refusals when no figure of the asked kind exists, and refusals for another place.

These go through the session corpus index (embedding model and all), so they are slow.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.engine import Engine
from tests.conftest import HARBIN_DOC, index_texts

HARBIN_SENTENCE = "由每人奖励1万元提高到5万元"

pytestmark = pytest.mark.slow


def test_new_value_of_a_change_is_the_default_answer(corpus_engine: Engine) -> None:
    answer = corpus_engine.ask("哈尔滨市对大工匠每人奖励多少钱？")
    assert not answer.refused, answer.answer
    assert answer.short_answer == "5万元"
    assert answer.citations[0].doc == HARBIN_DOC


@pytest.mark.parametrize("question", ["哈尔滨市对大工匠原来每人奖励多少钱？", "原来每人奖励多少钱？"])
def test_old_value_of_a_change_when_asked_for(corpus_engine: Engine, question: str) -> None:
    answer = corpus_engine.ask(question)
    assert not answer.refused, answer.answer
    assert answer.short_answer == "1万元"
    assert HARBIN_SENTENCE in answer.answer


@pytest.mark.parametrize(
    "question",
    [
        # The topic sentence counts people (培训…15484名); no sentence says how many years it took.
        "黑龙江省总工会培训思想政治引领骨干用了多少年？",
        "培训一线劳模工匠、产改工作负责人用了多少年？",
    ],
)
def test_years_asked_where_only_counts_of_people_exist_is_refused(corpus_engine: Engine, question: str) -> None:
    answer = corpus_engine.ask(question)
    assert answer.refused, f"answered {answer.short_answer!r}: {answer.answer}"
    assert answer.refusal is not None and answer.refusal.reason == "unanswerable_kind"
    assert answer.short_answer is None
    assert answer.citations, "the nearest passages are shown"


def test_another_city_is_refused_as_missing_entity(corpus_engine: Engine) -> None:
    answer = corpus_engine.ask("齐齐哈尔市对大工匠每人奖励多少钱？")
    assert answer.refused
    assert answer.refusal is not None and answer.refusal.reason == "missing_entity"
    assert answer.refusal.missing == ["齐齐哈尔市"]
    assert answer.short_answer is None and "5万元" not in answer.answer


def test_a_bound_after_the_figure_stays_in_the_short_answer(
    fresh_engine: Engine, tmp_path: Path
) -> None:
    index_texts(fresh_engine, tmp_path / "docs", {
        "plan.txt": "某县产业扶持方案\n到2025年底,有意愿的脱贫户发展2项以上产业。\n示范方集中连片300亩以上的给予补助。\n",
    })
    assert fresh_engine.ask("某县有意愿的脱贫户要发展几项产业？").short_answer == "2项以上"
    assert fresh_engine.ask("某县示范方要集中连片多少亩以上才给补助？").short_answer == "300亩以上"


def test_a_reports_dateline_answers_when_its_meeting_was_held(fresh_engine: Engine, tmp_path: Path) -> None:
    index_texts(fresh_engine, tmp_path / "docs", {
        "report.txt": "政府工作报告\n2020年1月19日在甲市第十七届人民代表大会第五次会议上\n甲市人民政府市长某某\n各位代表:\n"
        "现在,我代表市人民政府,向大会报告工作,请予审议。\n",
    })
    answer = fresh_engine.ask("甲市第十七届人大第五次会议是哪天开的？")
    assert answer.short_answer == "2020年1月19日", answer.answer


def test_a_reports_dateline_introduces_the_speakers_line(fresh_engine: Engine, tmp_path: Path) -> None:
    """Two reports of one city: the mayor of a given year is on the line after that year's dateline."""
    index_texts(fresh_engine, tmp_path / "docs", {
        "r2020.txt": "政府工作报告\n2020年1月19日在甲市第十七届人民代表大会第五次会议上\n甲市人民政府市长易某某\n各位代表:\n"
        "现在,我代表市人民政府,向大会报告工作,请予审议。\n",
        "r2023.txt": "政府工作报告\n在甲市第十八届人民代表大会第二次会议上\n甲市人民政府市长苏某某\n各位代表:\n"
        "现在,我代表市人民政府,向大会报告工作,请予审议。\n",
    })
    assert fresh_engine.ask("2020年1月甲市人代会上作政府工作报告的市长是谁？").short_answer == "易某某"
    assert fresh_engine.ask("甲市第十八届人大二次会议的政府工作报告由谁代表市政府作？").short_answer == "苏某某"



def test_a_question_asking_two_things_gets_the_sentence_without_one_short_answer(
    fresh_engine: Engine, tmp_path: Path
) -> None:
    index_texts(fresh_engine, tmp_path / "docs", {
        "allowance.txt": "某区优待金发放办法\n1.义务兵家庭优待金发放年限为两年,每半年发放一次,统一实行银行卡发放。\n",
    })
    answer = fresh_engine.ask("某区义务兵家庭优待金多久发一次、用什么方式发？")
    assert not answer.refused and answer.short_answer is None
    assert "每半年发放一次" in answer.answer and "银行卡" in answer.answer
    assert fresh_engine.ask("某区义务兵家庭优待金发放年限为多少年？").short_answer == "两年"
    from rag.answering.extractive import _TWO_QUESTIONS

    assert _TWO_QUESTIONS.search("How many craftsmen are selected now, and how much does each receive?")
    assert not _TWO_QUESTIONS.search("What is the award for the county, which ranks first?")


def test_a_follow_up_naming_the_whole_city_does_not_ask_sentences_to_say_quanshi(
    fresh_engine: Engine, tmp_path: Path
) -> None:
    from rag.schema import ChatTurn

    index_texts(fresh_engine, tmp_path / "docs", {
        "district.txt": "遂宁市安居区政府工作报告\n2021年,经济增长持续领跑,实现地区生产总值210.42亿元、增长8.7%,连续三年雄踞全市第一;\n",
        "city.txt": "遂宁市政府工作报告\n2021年,地区生产总值再上一个百亿台阶,达到1519.9亿元、增长8.2%;\n",
    })
    history = [
        ChatTurn(role="user", content="遂宁市安居区2021年地区生产总值增长多少？"),
        ChatTurn(role="assistant", content="增长8.7%。"),
    ]
    assert fresh_engine.ask("那遂宁全市呢？", history).short_answer == "8.2%"


def test_a_follow_ups_dates_and_demonstratives_are_not_words_a_sentence_must_hold(fresh_engine: Engine) -> None:
    from rag.schema import ChatTurn

    history = [ChatTurn(role="user", content="某县5月份公示的补贴标准是多少？"), ChatTurn(role="assistant", content="93.21元/亩")]
    _, resolved, analysis, follow_up = fresh_engine._prepare("6月28日重新公示的那次呢？", history)
    request = fresh_engine._answer_request(resolved, analysis, fresh_engine._index, None, None, follow_up)
    focus = fresh_engine.backends.get("extractive").focus_terms(request, analysis)  # type: ignore[attr-defined]
    assert "公示" in focus
    assert not any(term in focus for term in ("那次", "6", "月", "28", "日", "6月28日"))
