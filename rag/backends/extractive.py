"""The default answer backend: quote the sentence that answers, no language model involved.

Every candidate sentence of the retrieved passages is scored by how much of the question it covers
(IDF-weighted jieba terms, which carries Chinese questions) and by its embedding similarity to the
question (stored at index time, which carries English questions). The best sentence is quoted with
its citation marker, and for questions that ask for an amount, count, percentage, date, person,
place or organisation the exact span is returned as ``short_answer``. When the best evidence is
weak, or does not mention the question's place, year or programme, the backend refuses and shows
the nearest passages instead: a wrong figure is worse than no figure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rag.answer_spans import SpanFinder
from rag.backends.base import AnswerBackend, AnswerRequest
from rag.backends.prompting import to_citation
from rag.entity_guard import EntityGuard
from rag.index import DocumentIndex
from rag.question import QuestionAnalysis, QuestionAnalyzer
from rag.schema import Answer, Passage
from rag.tokenizing import ChineseTokenizer

#: Cosine similarities of e5 cluster high; this window maps them onto 0..1 for scoring.
DENSE_FLOOR, DENSE_CEIL = 0.70, 0.85
KIND_BONUS = 0.35
#: Kinds whose answer is a figure: an English question of these kinds is only answered from a
#: sentence that holds such a figure, since its lexical evidence is too thin to trust otherwise.
FIGURE_KINDS = ("amount", "count", "percent", "date")
#: How many runner-up sentences may stand in for a best one that fails the entity check, and how
#: close to the best score they must be.
ALTERNATIVES, ALTERNATIVE_RATIO = 5, 0.8
RELATED_PASSAGES = 3


@dataclass
class ScoredSentence:
    """A candidate sentence with where it came from and how well it answers."""

    position: int  # index into DocumentIndex.sentences
    passage_number: int  # 0-based rank of the passage it came from
    lexical: float
    dense: float
    score: float
    has_span: bool  # holds an answer span of the asked kind (found once, reused by every check)


def refusal_text(language: str, missing: list[str]) -> str:
    """The fixed refusal message, naming what the documents lack when that is known."""
    if language == "en":
        about = f" about {', '.join(missing)}" if missing else ""
        return f"The documents do not contain this information{about}. Nearest passages are shown for reference."
    about = f"关于“{'、'.join(missing)}”的" if missing else ""
    return f"资料中未找到{about}相关信息。以下是最相关的段落，仅供参考。"


def names_missing_entities(answer: Answer) -> bool:
    """True for a refusal because the evidence is about another place, year or programme (the
    refusal text then names what is missing): no backend should answer such a question."""
    return answer.refused and (
        answer.answer.startswith("资料中未找到关于") or " information about " in answer.answer
    )


class ExtractiveBackend(AnswerBackend):
    """Answers by quoting one sentence of the passages; refuses on weak or off-entity evidence."""

    name = "extractive"

    def __init__(
        self,
        tokenizer: ChineseTokenizer,
        analyzer: QuestionAnalyzer,
        min_answer_score: float = 0.35,
        max_passages: int = 5,
    ) -> None:
        self.tokenizer = tokenizer
        self.analyzer = analyzer
        self.spans = SpanFinder(tokenizer)
        self.guard = EntityGuard(analyzer.gazetteer)
        self.min_answer_score = min_answer_score
        self.max_passages = max_passages

    # ----- public -----
    def answer(self, request: AnswerRequest) -> Answer:
        analysis = self.analyzer.analyze(request.question)
        index = request.index
        if index is None or not request.passages:
            return self._refuse(request, analysis, [], request.passages)
        candidates = self._score_sentences(request, analysis, index)
        if not candidates:
            return self._refuse(request, analysis, [], request.passages)
        chosen, missing = self._first_supported(candidates, analysis, index)
        if chosen is None:
            return self._refuse(request, analysis, missing, request.passages)
        chosen = self._prefer_sentence_with_span(candidates, chosen, analysis, index)
        return self._compose(request, analysis, index, chosen)

    def _first_supported(
        self, candidates: list[ScoredSentence], analysis: QuestionAnalysis, index: DocumentIndex
    ) -> tuple[ScoredSentence | None, list[str]]:
        """The best sentence that is strong enough and about the question's entities.

        A runner-up may stand in for a best sentence that is about another year or place, but
        only when it scores close to the best and, for figure questions, holds a figure of the
        asked kind: an unrelated sentence that merely names the entity must not become an answer.
        """
        best = candidates[0]
        first_missing: list[str] | None = None
        for rank, candidate in enumerate(candidates[:ALTERNATIVES]):
            if rank and candidate.score < ALTERNATIVE_RATIO * best.score:
                break
            strength = candidate.lexical if analysis.language == "zh" else candidate.dense
            if strength < self._threshold(analysis):
                continue
            sentence = index.sentences[candidate.position]
            needs_span = rank > 0 or (
                analysis.kind in FIGURE_KINDS and analysis.language == "en"
            )
            if needs_span and analysis.kind not in ("fact", "list") and not candidate.has_span:
                continue
            missing = self.guard.missing(
                analysis, index.document(sentence.doc_id), sentence.start, sentence.end
            )
            if not missing:
                return candidate, []
            if first_missing is None:
                first_missing = missing
        return None, first_missing or []

    # ----- scoring -----
    def _threshold(self, analysis: QuestionAnalysis) -> float:
        return self.min_answer_score if analysis.language == "zh" else 0.3

    def _score_sentences(
        self, request: AnswerRequest, analysis: QuestionAnalysis, index: DocumentIndex
    ) -> list[ScoredSentence]:
        terms = self.tokenizer.tokenize(request.question)
        for term in analysis.expansions:  # Chinese terms an English question stands for
            terms += self.tokenizer.tokenize(term)
        query_terms = list(dict.fromkeys(terms))
        weights = {t: index.idf(t) for t in query_terms}
        total_weight = sum(weights.values()) or 1.0
        positions: dict[int, int] = {}
        for number, passage in enumerate(request.passages[: self.max_passages]):
            try:
                chunk = index.chunks[index.chunk_position(passage.chunk_id)]
            except KeyError:
                continue  # the passage left the index between retrieval and answering
            for position in index.sentences_of_chunk(chunk):
                positions.setdefault(position, number)
        if not positions:
            return []
        ordered = list(positions)
        if request.query_vector is not None:
            similarities = index.sentence_similarities(request.query_vector, ordered)
        else:
            similarities = np.zeros(len(ordered), dtype=np.float32)
        scored = []
        for position, similarity in zip(ordered, similarities, strict=True):
            text = index.sentences[position].text.lower()
            lexical = sum(w for t, w in weights.items() if t in text) / total_weight
            dense = float(np.clip((similarity - DENSE_FLOOR) / (DENSE_CEIL - DENSE_FLOOR), 0, 1))
            number = positions[position]
            has_span = bool(self.spans.find(index.sentences[position].text, analysis.kind))
            bonus = KIND_BONUS if has_span else 0.0
            prior = 0.1 * request.passages[number].score
            if analysis.language == "zh":
                score = lexical + 0.6 * dense + bonus + prior
            else:
                score = 1.2 * dense + 0.5 * lexical + bonus + prior
            scored.append(ScoredSentence(position, number, lexical, dense, score, has_span))
        scored.sort(key=lambda s: -s.score)
        return scored

    def _prefer_sentence_with_span(
        self,
        candidates: list[ScoredSentence],
        best: ScoredSentence,
        analysis: QuestionAnalysis,
        index: DocumentIndex,
    ) -> ScoredSentence:
        """For span questions, a close runner-up that holds a span beats a best one that has none."""
        if analysis.kind in ("fact", "list") or best.has_span:
            return best
        for candidate in candidates[:3]:
            if candidate.score < 0.75 * best.score:
                break
            if candidate.has_span:
                sentence = index.sentences[candidate.position]
                document = index.document(sentence.doc_id)
                if not self.guard.missing(analysis, document, sentence.start, sentence.end):
                    return candidate
        return best

    # ----- composing -----
    def _compose(
        self,
        request: AnswerRequest,
        analysis: QuestionAnalysis,
        index: DocumentIndex,
        chosen: ScoredSentence,
    ) -> Answer:
        sentence = index.sentences[chosen.position]
        passage = request.passages[chosen.passage_number]
        anchors = [t for t in self.tokenizer.tokenize(request.question) if t in sentence.text]
        asked_about = {m.surface for m in analysis.places} | {m.place.name for m in analysis.places}
        span = self.spans.best(sentence.text, analysis.kind, anchors, request.question, asked_about)
        short_answer = span.text if span else None
        document = index.document(sentence.doc_id)
        citation = to_citation(1, passage, index, highlight=document.text[sentence.start : sentence.end])
        if analysis.language == "en":
            lead = f"{short_answer}. " if short_answer else ""
            text = f"{lead}The documents state (in Chinese): {sentence.text}[1]"
        else:
            text = f"{sentence.text}[1]"
        return Answer(
            question=request.original_question or request.question,
            answer=text,
            short_answer=short_answer,
            refused=False,
            citations=[citation],
            backend=self.name,
        )

    def _refuse(
        self,
        request: AnswerRequest,
        analysis: QuestionAnalysis,
        missing: list[str],
        passages: list[Passage],
    ) -> Answer:
        index = request.index
        citations = [
            to_citation(n, p, index) for n, p in enumerate(passages[:RELATED_PASSAGES], start=1)
        ]
        return Answer(
            question=request.original_question or request.question,
            answer=refusal_text(analysis.language, missing),
            short_answer=None,
            refused=True,
            citations=citations,
            backend=self.name,
        )
