"""Hybrid retrieval finds known passages, in Chinese and in English, and explains its matches."""

import numpy as np
import pytest

from rag.engine import Engine
from rag.retrieval.retriever import FusionWeights, HybridRetriever
from rag.text.language import detect_language
from rag.text.tokenizing import ChineseTokenizer
from tests.conftest import HARBIN_DOC

HARBIN_SENTENCE = "由每人奖励1万元提高到5万元"


def harbin_rank(engine: Engine, query: str, mode: str) -> int | None:
    passages = engine.retrieve(query, k=5, mode=mode).passages  # type: ignore[arg-type]
    for rank, passage in enumerate(passages, start=1):
        if passage.doc == HARBIN_DOC and HARBIN_SENTENCE in passage.text:
            return rank
    return None


@pytest.mark.parametrize("mode", ["hybrid", "bm25", "dense"])
def test_chinese_question_finds_harbin_passage(corpus_engine: Engine, mode: str) -> None:
    assert harbin_rank(corpus_engine, "哈尔滨市对大工匠每人奖励多少钱？", mode) == 1


def test_english_question_finds_chinese_passage(corpus_engine: Engine) -> None:
    query = "How much did Harbin award each of its great craftsmen?"
    assert harbin_rank(corpus_engine, query, "hybrid") is not None
    assert harbin_rank(corpus_engine, query, "dense") is not None


def test_hebei_question_finds_hebei_report(corpus_engine: Engine) -> None:
    passages = corpus_engine.retrieve("河北省高技能人才有多少万人？", k=3).passages
    assert all(p.doc == "002_4480d7c3f3502e36.txt" for p in passages)
    assert any("309.7万人" in p.text for p in passages)


def test_passages_carry_scores_reasons_and_offsets(corpus_engine: Engine) -> None:
    passages = corpus_engine.retrieve("哈尔滨市对大工匠每人奖励多少钱？", k=5).passages
    assert len(passages) == 5
    scores = [p.score for p in passages]
    assert scores == sorted(scores, reverse=True) and 0 < scores[0] <= 1
    top = passages[0]
    assert "keyword match" in top.reason and "大工匠" in top.reason
    document = corpus_engine.index.document(top.doc)
    original = document.text[top.start : top.end]
    assert HARBIN_SENTENCE in original


def test_language_detection() -> None:
    assert detect_language("哈尔滨市对大工匠每人奖励多少钱？") == "zh"
    assert detect_language("How much did Harbin award?") == "en"
    assert detect_language("What did the 产改 reform achieve in Hebei?") == "en"
    assert detect_language("产改是什么? (reform)") == "zh"


def test_an_english_questions_translation_is_what_the_dense_search_embeds(corpus_engine: Engine) -> None:
    query = "How much did Harbin award each of its great craftsmen?"
    translation = "哈尔滨市对大工匠每人奖励多少钱？"
    analysis = corpus_engine.analyzer.with_translation(corpus_engine.analyzer.analyze(query), translation)
    translated = corpus_engine.retrieve(query, k=5, mode="dense", analysis=analysis)
    expected = corpus_engine.embedder.encode_queries([translation])[0]
    assert translated.query_vector is not None and np.allclose(translated.query_vector, expected)
    plain = corpus_engine.retrieve(query, k=5, mode="dense")
    assert plain.query_vector is not None and not np.allclose(plain.query_vector, expected)
    assert any(p.doc == HARBIN_DOC and HARBIN_SENTENCE in p.text for p in translated.passages[:1])


def test_keeping_leaders_puts_a_low_fused_leader_in_place_of_the_weakest() -> None:
    from rag.retrieval.retriever import HybridRetriever

    ranked = [(10, 0.9), (11, 0.8), (12, 0.7), (13, 0.6), (14, 0.5)]
    kept = HybridRetriever._keeping_leaders(ranked, 3, [14])
    assert kept == [(10, 0.9), (11, 0.8), (14, 0.5)]
    assert HybridRetriever._keeping_leaders(ranked, 3, [11]) == ranked[:3]
    assert HybridRetriever._keeping_leaders(ranked, 3, []) == ranked[:3]
    # leaders come in their own order of merit: the first two of them fill k=2
    assert HybridRetriever._keeping_leaders(ranked, 2, [13, 14, 12]) == [(13, 0.6), (14, 0.5)]


def test_a_passage_holding_the_questions_rarest_words_is_returned_even_when_dense_ranks_it_low() -> None:
    """Twelve passages about the same union, one holding the rare word 书屋; dense-heavy fusion
    would leave it out of the top 2, BM25's leader is kept in."""
    from rag.retrieval.retriever import FusionWeights, HybridRetriever
    from rag.text.tokenizing import ChineseTokenizer

    class FakeIndex:
        """Two rankings given outright: the retriever's fusion is what is under test."""

        def __init__(self) -> None:
            self.chunks = [type("C", (), {"chunk_id": f"c{i}", "doc_id": "d", "title": "t", "heading": "",
                                          "search_text": ("职工书屋12万余家" if i == 9 else f"职工工作{i}"),
                                          "start": 0, "end": 1})() for i in range(12)]

        def dense_search(self, vector: object, depth: int) -> list[tuple[int, float]]:
            return [(i, 1.0 - i / 20) for i in range(12)]

        def bm25_search(self, tokens: list[str], depth: int) -> list[tuple[int, float]]:
            return [(9, 3.0)] + [(i, 1.0) for i in range(12) if i != 9]

    class FakeEmbedder:
        def encode_queries(self, texts: list[str]) -> np.ndarray:
            return np.zeros((len(texts), 4), dtype=np.float32)

    def run(leaders: int) -> list[str]:
        retriever = HybridRetriever(
            FakeEmbedder(), ChineseTokenizer(), weights_zh=FusionWeights(dense=5.0, bm25=1.0),
            keep_lexical_leaders=leaders,
        )
        result = retriever.retrieve(FakeIndex(), "全国已建设职工书屋多少家？", k=2)  # type: ignore[arg-type]
        return [p.chunk_id for p in result.passages]

    assert "c9" not in run(0)
    assert "c9" in run(1) and len(run(1)) == 2


class _RankedTexts:
    """An index of twelve passages whose dense and BM25 rankings both follow their order: what
    the retriever adds or keeps beyond its fusion is what is under test."""

    def __init__(self, texts: list[str]) -> None:
        self.chunks = [type("C", (), {"chunk_id": f"c{i}", "doc_id": "d", "title": "t", "heading": "",
                                      "search_text": text, "start": 0, "end": 1})() for i, text in enumerate(texts)]

    def dense_search(self, vector: object, depth: int) -> list[tuple[int, float]]:
        return [(i, 1.0 - i / 20) for i in range(len(self.chunks))]

    def bm25_search(self, tokens: list[str], depth: int) -> list[tuple[int, float]]:
        return [(i, 2.0 - i / 20) for i in range(len(self.chunks))]


class _NoEmbedder:
    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return np.zeros((len(texts), 4), dtype=np.float32)


def _ranked_retriever() -> HybridRetriever:
    return HybridRetriever(_NoEmbedder(), ChineseTokenizer(), weights_zh=FusionWeights(dense=1.0, bm25=2.0))  # type: ignore[arg-type]


def test_the_best_passage_naming_the_questions_town_is_kept() -> None:
    """A table's row of one town (徐行镇) shares few words with a question about it and the dense
    model cannot tell the towns' rows apart: BM25's best passage naming the town is kept in."""
    texts = ["困难残疾人生活补贴的申请条件"] * 10 + ["街镇名称：徐行镇，人数：497人", "街镇名称：安亭镇，人数：192人"]
    # the town's row ranks 11th in both rankings
    question = "嘉定徐行镇有几个人领困难残疾人生活补贴？"
    found = _ranked_retriever().retrieve(_RankedTexts(texts), question, k=3)  # type: ignore[arg-type]
    ids = [p.chunk_id for p in found.passages]
    assert "c10" in ids and "c11" not in ids and len(ids) == 3


def test_the_best_passage_naming_the_questions_county_is_kept_but_not_its_provinces() -> None:
    """A province's 名单 lists each county's villages under the county's name, far from the
    question's words: BM25's best passage naming the county is kept in; a province's name is in
    every passage of its documents and picks out nothing."""
    from rag.answering.question import QuestionAnalyzer

    texts = ["湖北省美丽乡村建设试点村名单公示"] * 10 + [
        "赤壁市(4个)：车埠镇鸡公山村。", "湖北省通山县(5个)：大畈镇大坑村。",
    ]
    retriever = _ranked_retriever()
    analyzer = QuestionAnalyzer()

    def ids(question: str) -> list[str]:
        analysis = analyzer.analyze(question)
        found = retriever.retrieve(_RankedTexts(texts), question, k=3, analysis=analysis)  # type: ignore[arg-type]
        return [p.chunk_id for p in found.passages]

    assert "c10" in ids("赤壁市入选2020年度美丽乡村建设试点村的是哪几个村？")
    assert "c11" not in ids("湖北省入选2020年度美丽乡村建设试点村的是哪几个村？")
