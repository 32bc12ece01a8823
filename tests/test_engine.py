"""The engine end to end: incremental document changes, reloads, snapshots, and input validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.engine import Engine, validate_question
from rag.errors import InvalidQuestionError
from rag.llm.translation import QuestionTranslator
from rag.ingest.loading import load_bytes
from rag.store.index_store import IndexStore
from tests.conftest import HashEmbedder, make_settings

NEW_FACT = "绥芬河市对首席技师每人奖励3万元，每年评选20人。"
QUESTION = "绥芬河市对首席技师每人奖励多少钱？"


def test_add_ask_replace_delete_reload(fresh_engine: Engine, fresh_index_dir: Path) -> None:
    assert fresh_engine.ask(QUESTION).refused

    report = fresh_engine.add_documents([load_bytes("suifenhe.txt", NEW_FACT.encode())])
    assert report.added == ["suifenhe.txt"]
    answer = fresh_engine.ask(QUESTION)
    assert not answer.refused and answer.short_answer == "3万元"
    assert answer.citations[0].doc == "suifenhe.txt"

    # unchanged content: nothing happens
    assert fresh_engine.add_documents([load_bytes("suifenhe.txt", NEW_FACT.encode())]).unchanged == ["suifenhe.txt"]

    # replaced content under the same id
    replaced = NEW_FACT.replace("3万元", "4万元")
    assert fresh_engine.add_documents([load_bytes("suifenhe.txt", replaced.encode())]).replaced == ["suifenhe.txt"]
    assert fresh_engine.ask(QUESTION).short_answer == "4万元"

    # the saved index reloads with the change, and the other documents untouched
    reloaded = IndexStore(fresh_index_dir).load()
    assert "suifenhe.txt" in reloaded.documents and len(reloaded.documents) == 6

    assert fresh_engine.delete_documents(["suifenhe.txt", "unknown.txt"]) == ["suifenhe.txt"]
    assert fresh_engine.ask(QUESTION).refused
    assert "suifenhe.txt" not in IndexStore(fresh_index_dir).load().documents


def test_readers_keep_their_snapshot(fresh_engine: Engine) -> None:
    before = fresh_engine.index
    fresh_engine.add_documents([load_bytes("extra.txt", NEW_FACT.encode())])
    after = fresh_engine.index
    assert before is not after
    assert "extra.txt" not in before.documents and "extra.txt" in after.documents


def test_rebuild_with_nothing_readable_keeps_the_index(fresh_engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    report = fresh_engine.index_paths([tmp_path / "empty.txt"], rebuild=True)
    assert report.failed and not report.added
    assert len(fresh_engine.index.documents) == 5


def test_open_without_index_is_explained(tmp_path: Path) -> None:
    from rag.errors import IndexNotFoundError

    with pytest.raises(IndexNotFoundError, match="rag index"):
        Engine.open(make_settings(tmp_path / "none"))


@pytest.mark.parametrize("bad", [None, "", "  \t\n", "x" * 2001])
def test_validate_question_rejects(bad: object) -> None:
    with pytest.raises(InvalidQuestionError):
        validate_question(bad, 2000)


def test_validate_question_strips() -> None:
    assert validate_question("  你好？ ", 2000) == "你好？"


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ("\u200b\u200b\u200b", "no content"),  # zero-width spaces only
        ("\ufeff？？？。。", "no content"),  # punctuation (and a BOM)
        ("1", "no content"),
        ("2023", "no content"),
        ("asdfgh", "no content"),  # one word of keyboard mash
        ("钱", "no content"),  # a single character
        ("\ud800哈尔滨市奖励多少", "not valid Unicode"),
        ("哈尔滨\udfff", "not valid Unicode"),
    ],
)
def test_contentless_or_invalid_unicode_questions_are_rejected(bad: str, reason: str) -> None:
    with pytest.raises(InvalidQuestionError, match=reason):
        validate_question(bad, 2000)


@pytest.mark.parametrize(
    "good", ["那河北呢？", "哈尔滨\u200b奖励", "2023年GDP", "Harbin award?", "How much did Harbin award?"]
)
def test_short_real_questions_are_accepted(good: str) -> None:
    assert validate_question(good, 2000) == good


def test_a_base_merge_runs_in_the_background_and_keeps_uploads_made_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from rag.store import index as index_module
    from rag.store.index import DocumentIndex

    monkeypatch.setattr(index_module, "MERGE_MIN_CHUNKS", 2)
    release, started = threading.Event(), threading.Event()
    real_merged = DocumentIndex.merged

    def slow_merged(self: DocumentIndex) -> index_module.IndexPart:
        started.set()
        assert release.wait(10)
        return real_merged(self)

    monkeypatch.setattr(DocumentIndex, "merged", slow_merged)
    settings = make_settings(tmp_path / "index")
    embedder = HashEmbedder()
    engine = Engine(settings, embedder, DocumentIndex(embedder.model_name, embedder.dimension, "flat"))
    texts = ["哈尔滨市大工匠每人奖励5万元。", "全省建成高技能人才培训基地98个。", "技能大师工作室共有155个。"]
    for n, text in enumerate(texts):
        engine.add_documents([load_bytes(f"{n}.txt", text.encode())])
    assert started.wait(10) and engine.merging()
    engine.add_documents([load_bytes("late.txt", "每年评选大工匠50人。".encode())])  # not blocked by the merge
    engine.delete_documents(["1.txt"])
    assert not any(part.base for part in engine.index.parts)
    release.set()
    engine.wait_for_merge(10)
    assert not engine.merging() and engine.index.parts[0].base
    assert sorted(engine.index.documents) == ["0.txt", "2.txt", "late.txt"]
    assert sorted(IndexStore(settings.index_path).load().documents) == ["0.txt", "2.txt", "late.txt"]
    assert engine.search("大工匠")[0].doc in {"0.txt", "late.txt"}


UNION_REPORT = (
    "绥芬河市总工会2023年工作总结\n"
    "2023年，绥芬河市总工会新建职工书屋12家，选聘工会联络员35名，走访慰问困难职工480人次。\n"
)


def test_an_english_question_is_answered_through_its_translation(
    fresh_engine: Engine, fresh_index_dir: Path, corpus_engine: Engine, translation_model_path: Path
) -> None:
    settings = make_settings(fresh_index_dir, question_translation="local", question_translation_timeout=180)
    engine = Engine(settings, corpus_engine.embedder, IndexStore(settings.index_path).load())
    try:
        engine.add_documents([load_bytes("suifenhe_union.txt", UNION_REPORT.encode())])
        question = "How many trade-union liaison officers (工会联络员) did Suifenhe select in 2023?"
        answer = engine.ask(question)
        assert engine.translator is not None and engine.translator.used == 1, engine.translator.unavailable
        calls = engine.translator.calls
        _, _, analysis, _ = engine._prepare(question, [])
        assert engine.translator.calls == calls, "the translation comes from the cache now"
        assert "工会联络员" in analysis.translation and analysis.translation in analysis.expansions
        assert [m.place.name for m in analysis.places] == ["绥芬河市"], "the places are the English question's"
        assert not answer.refused and answer.citations[0].doc == "suifenhe_union.txt"
        assert answer.answer.startswith(f"{answer.short_answer}. " if answer.short_answer else "The documents state")
        # the English question's own place stays the constraint, whatever the translation says
        other = engine.ask("How many trade-union liaison officers (工会联络员) did Dongning select in 2023?")
        assert other.refused, other.answer
    finally:
        engine.close()


def test_in_replace_mode_the_translated_question_is_answered_and_worded_in_english(
    fresh_engine: Engine, fresh_index_dir: Path, corpus_engine: Engine, translation_model_path: Path
) -> None:
    settings = make_settings(
        fresh_index_dir, question_translation="local", question_translation_mode="replace",
        question_translation_timeout=180,
    )
    engine = Engine(settings, corpus_engine.embedder, IndexStore(settings.index_path).load())
    try:
        engine.add_documents([load_bytes("suifenhe_union.txt", UNION_REPORT.encode())])
        # the Chinese in parentheses must survive translation (else it is rejected), so the
        # translated question names the same place and agrees with the English one
        question = "How many trade-union liaison officers (工会联络员) did Suifenhe (绥芬河市) select in 2023?"
        answer = engine.ask(question)
        assert answer.question == question
        assert answer.resolved_question is not None, "the translated question was answered"
        assert "工会联络员" in answer.resolved_question and "绥芬河市" in answer.resolved_question
        assert not answer.refused and answer.citations[0].doc == "suifenhe_union.txt"
        lead = f"{answer.short_answer}. " if answer.short_answer else ""
        assert answer.answer.startswith(f"{lead}The documents state (in Chinese):"), answer.answer
    finally:
        engine.close()


def test_without_the_model_english_questions_are_answered_as_before(
    fresh_engine: Engine, fresh_index_dir: Path, corpus_engine: Engine, tmp_path: Path
) -> None:
    settings = make_settings(fresh_index_dir, question_translation="local")
    engine = Engine(settings, corpus_engine.embedder, IndexStore(settings.index_path).load())
    engine.translator = QuestionTranslator(settings, model_path=tmp_path / "missing.gguf")
    question = "How much did Harbin award each of its great craftsmen?"
    answer = engine.ask(question)
    assert engine.translator is not None and engine.translator.unavailable is not None
    plain = fresh_engine.ask(question)
    assert (answer.answer, answer.short_answer, answer.refused) == (plain.answer, plain.short_answer, plain.refused)
    engine.close()


def test_an_english_place_name_reads_as_the_county_the_documents_name(fresh_engine: Engine, tmp_path: Path) -> None:
    """Tongcheng is 桐城 (安徽) or 通城县 (湖北); a province's list that names 通城县 in full decides,
    though the list is about 湖北, not about the county."""
    from tests.conftest import index_texts

    index_texts(fresh_engine, tmp_path / "docs", {"hubei_list.txt": (
        "湖北省2020年度美丽乡村建设试点村名单\n咸安区(1个)\n马桥镇曾铺村\n通城县(1个)\n北港镇龙门村\n"
    )})
    analysis = fresh_engine._analyze("Which village in Tongcheng County made the list?", fresh_engine.index)
    assert [m.place.name for m in analysis.places] == ["通城县"]
