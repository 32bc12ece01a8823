"""Hybrid retrieval: dense (FAISS) and BM25 (jieba) results fused by weighted reciprocal rank.

BM25 is the sharper tool for Chinese questions that reuse the documents' words, so it is weighted
higher for them; English questions share no words with Chinese passages, so BM25 is weighted down
for them and the multilingual dense model carries the retrieval. Reciprocal-rank fusion needs no
score calibration between the two, which is why it is the peers' default (k=60).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

from rag.retrieval.fusion import best_possible, weighted_rrf
from rag.schema import Passage
from rag.store.embedding import Embedder
from rag.store.index import DocumentIndex
from rag.text.language import detect_language
from rag.text.localities import localities_in
from rag.text.patterns import CJK
from rag.text.places import ADMIN_ENDINGS
from rag.text.tokenizing import ChineseTokenizer

RetrievalMode = Literal["hybrid", "dense", "bm25"]


class QueryAnalysis(Protocol):
    """What retrieval reads of a question's analysis (``rag.answering.question.QuestionAnalysis``):
    the Chinese terms an English question stands for, and its machine translation ('' if none)."""

    expansions: list[str]
    translation: str

    @property
    def place_names(self) -> set[str]: ...


class QueryAnalyzer(Protocol):
    def analyze(self, question: str) -> QueryAnalysis: ...


@dataclass(frozen=True)
class FusionWeights:
    """Weights of each ranking in the fusion, chosen once per query language."""

    dense: float
    bm25: float


@dataclass
class RetrievalResult:
    """Ranked passages plus the query vector, reused by the answer backend to score sentences."""

    passages: list[Passage]
    query_vector: np.ndarray | None
    query_tokens: list[str]
    language: Literal["zh", "en"]


class HybridRetriever:
    """Finds the passages that answer a question in one ``DocumentIndex`` snapshot."""

    def __init__(
        self,
        embedder: Embedder,
        tokenizer: ChineseTokenizer,
        *,
        candidate_k: int = 30,
        rrf_k: int = 60,
        weights_zh: FusionWeights = FusionWeights(dense=1.0, bm25=2.0),
        weights_en: FusionWeights = FusionWeights(dense=1.0, bm25=0.3),
        mode: RetrievalMode = "hybrid",
        analyzer: QueryAnalyzer | None = None,
        keep_lexical_leaders: int = 1,
    ) -> None:
        self.keep_lexical_leaders = keep_lexical_leaders
        self.embedder = embedder
        self.tokenizer = tokenizer
        self.candidate_k = candidate_k
        self.rrf_k = rrf_k
        self.weights = {"zh": weights_zh, "en": weights_en}
        self.mode = mode
        self.analyzer = analyzer

    def lexical_terms(
        self, query: str, language: str, analysis: QueryAnalysis | None = None
    ) -> list[str]:
        """BM25 terms of a query. An English query also gets the Chinese terms it stands for
        (Harbin -> 哈尔滨, great craftsmen -> 大工匠), see ``QuestionAnalysis.expansions``: from
        ``analysis`` (the engine analyses each question once), else from the retriever's analyzer."""
        tokens = self.tokenizer.tokenize(query)
        if analysis is None and self.analyzer is not None and language == "en":
            analysis = self.analyzer.analyze(query)
        # English questions: the Chinese terms they stand for; any question: the full terms of its
        # abbreviations (GDP -> 地区生产总值).
        for term in analysis.expansions if analysis is not None else ():
            tokens += self.tokenizer.tokenize(term)
        return tokens

    def retrieve(
        self,
        index: DocumentIndex,
        query: str,
        k: int,
        mode: RetrievalMode | None = None,
        analysis: QueryAnalysis | None = None,
    ) -> RetrievalResult:
        """Top ``k`` passages for ``query``, each with its fused score and why it matched."""
        mode = mode or self.mode
        language = detect_language(query)
        tokens = self.lexical_terms(query, language, analysis)
        weights = self.weights[language]
        if language == "en" and any(CJK.search(t) for t in tokens):
            # Chinese terms in an English question (places, quoted terms) make BM25 useful again.
            weights = FusionWeights(dense=weights.dense, bm25=max(weights.bm25, 1.0))
        depth = max(self.candidate_k, k)
        # An English question's checked Chinese translation, when there is one, is what the dense
        # search embeds: Chinese to Chinese matches closer than English to Chinese.
        translation = analysis.translation if analysis is not None and language == "en" else ""
        query_vector = self.embedder.encode_queries([translation or query])[0]
        dense = index.dense_search(query_vector, depth) if mode != "bm25" else []
        lexical = index.bm25_search(tokens, depth) if mode != "dense" else []
        dense_w = weights.dense if mode != "bm25" else 0.0
        bm25_w = weights.bm25 if mode != "dense" else 0.0
        if mode == "bm25":
            bm25_w = 1.0
        if mode == "dense":
            dense_w = 1.0

        dense_positions = [position for position, _ in dense]
        bm25_positions = [position for position, _ in lexical]
        dense_rank = {position: rank for rank, position in enumerate(dense_positions, start=1)}
        bm25_rank = {position: rank for rank, position in enumerate(bm25_positions, start=1)}
        scores = weighted_rrf([(dense_positions, dense_w), (bm25_positions, bm25_w)], self.rrf_k)
        top = best_possible([dense_w, bm25_w], self.rrf_k)

        ranked = sorted(scores.items(), key=lambda item: -item[1])
        # Chinese questions reuse the documents' words: BM25's leaders always stay in; so do those of
        # an English question's Chinese terms (望江县, 总产量, 油料 for "oil crops output of Wangjiang")
        chinese_terms = language == "zh" or any(CJK.search(t) for t in tokens)
        leaders = bm25_positions[: self.keep_lexical_leaders] if bm25_w > 0 and chinese_terms else []
        if leaders:
            # each town or county the question names: a 名单 of a province lists its counties'
            # villages under their names, far from the words of the question
            named = localities_in(query) + sorted(
                name for name in (analysis.place_names if analysis is not None else set())
                if name in query and name.endswith(ADMIN_ENDINGS) and len(name) >= 3
                and not name.endswith(("省", "自治区"))  # a province's name is in all its documents
            )
            leaders += self._naming_towns(index, named, bm25_positions)
        ranked = self._keeping_leaders(ranked, k, leaders)
        passages = []
        for position, score in ranked:
            chunk = index.chunks[position]
            matched = [t for t in dict.fromkeys(tokens) if t in chunk.search_text.lower()]
            passages.append(
                Passage(
                    chunk_id=chunk.chunk_id,
                    doc=chunk.doc_id,
                    title=chunk.title,
                    heading=chunk.heading,
                    text=chunk.search_text,
                    start=chunk.start,
                    end=chunk.end,
                    score=round(score / top, 4),
                    dense_rank=dense_rank.get(position),
                    bm25_rank=bm25_rank.get(position),
                    reason=self._reason(dense_rank.get(position), bm25_rank.get(position), matched),
                )
            )
        return RetrievalResult(passages, query_vector, tokens, language)

    @staticmethod
    def _naming_towns(index: DocumentIndex, towns: list[str], positions: list[int]) -> list[int]:
        """For each town (徐行镇) or county (赤壁市) the question names, BM25's best passage that
        names it: a table's row of one town shares few words with a question about it, and the
        dense model cannot tell one town's row from another's."""
        leaders = []
        for town in towns:
            naming = next((p for p in positions if town in index.chunks[p].search_text), None)
            if naming is not None:
                leaders.append(naming)
        return leaders

    @staticmethod
    def _keeping_leaders(
        ranked: list[tuple[int, float]], k: int, leaders: list[int]
    ) -> list[tuple[int, float]]:
        """The first ``k`` of ``ranked`` (best first), with ``leaders`` among them in place of the
        weakest others. The passage BM25 ranks first holds the question's rarest words (职工书屋,
        全新上线的APP); fusion alone drops it when the small dense model ranks it 40th, and then
        no sentence of it can answer."""
        top = ranked[:k]
        chosen = {position for position, _ in top}
        fused = dict(ranked)
        missing = [position for position in dict.fromkeys(leaders) if position not in chosen and position in fused]
        if not missing:
            return top
        missing = missing[:k]
        kept = top[: k - len(missing)] + [(position, fused[position]) for position in missing]
        return sorted(kept, key=lambda item: -item[1])

    @staticmethod
    def _reason(dense_rank: int | None, bm25_rank: int | None, matched: list[str]) -> str:
        parts = []
        if dense_rank is not None:
            parts.append(f"semantic match #{dense_rank}")
        if bm25_rank is not None:
            parts.append(f"keyword match #{bm25_rank}")
        if matched:
            parts.append("terms: " + ", ".join(matched[:8]))
        return "; ".join(parts)
