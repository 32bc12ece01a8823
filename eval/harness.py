"""The evaluation runner: ask the engine every dataset question once and grade what came back.

Each item gets one :class:`ItemRecord` holding the system output and every verdict, so metrics,
reports and a person reading ``report.json`` all look at the same facts. Grading uses the rules of
``eval.grading`` only; this module adds no rule of its own.

Retrieval is scored separately from answering: the top :data:`RETRIEVAL_K` passages retrieved for
the *resolved* question (what the engine actually searched for, follow-ups included) are checked
for the evidence, whatever ``top_k`` the answer used, so retrieval figures stay comparable across
configurations.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from tqdm import tqdm

from eval.grading import (
    citation_supports,
    is_correct,
    is_wrong,
    passage_hit,
    refusal_correct,
    short_answer_exact,
    short_answer_holds,
)
from eval.items import EvalItem
from eval.records import ItemRecord, RunOptions, RunResult
from rag.engine import Engine
from rag.errors import InvalidQuestionError
from rag.schema import Answer, ChatTurn, Passage
from rag.settings import Settings

__all__ = ["RETRIEVAL_K", "Harness", "grade", "public_settings", "retrieval_verdicts"]

#: Retrieval metrics (hit@1, hit@5, MRR) are computed over this many passages.
RETRIEVAL_K = 5

# Settings never written to a report: they are credentials.
_SECRET_SETTINGS = ("openai_api_key", "api_keys")


def retrieval_verdicts(
    passages: Sequence[Passage], evidence: str
) -> tuple[bool, bool, float]:
    """(hit@1, hit@5, reciprocal rank) of the first passage containing the evidence.

    Only the first :data:`RETRIEVAL_K` passages count; the reciprocal rank is 0 when none hits.
    """
    for rank, passage in enumerate(passages[:RETRIEVAL_K], start=1):
        if passage_hit(passage.text, evidence):
            return rank == 1, True, 1.0 / rank
    return False, False, 0.0


def _citation_dicts(answer: Answer) -> list[dict[str, Any]]:
    return [
        {"n": c.n, "doc": c.doc, "title": c.title, "start": c.start, "end": c.end, "text": c.text}
        for c in answer.citations
    ]


def grade(item: EvalItem, answer: Answer, retrieved: Sequence[Passage]) -> ItemRecord:
    """Grade one answer and its retrieved passages against the item (pure: no engine involved)."""
    output = {"answer": answer.answer, "short_answer": answer.short_answer, "refused": answer.refused}
    record = ItemRecord(
        id=item.id,
        type=item.type,
        lang=item.lang,
        answerable=item.answerable,
        question=item.question,
        resolved_question=answer.resolved_question or answer.question,
        history=[{"role": role, "content": content} for role, content in item.history],
        expected=list(item.answers),
        match=item.match,
        evidence=item.evidence,
        answer=answer.answer,
        short_answer=answer.short_answer,
        refused=answer.refused,
        refusal=answer.refusal.model_dump() if answer.refusal else None,
        backend=answer.backend,
        citations=_citation_dicts(answer),
        retrieved=[p.chunk_id for p in retrieved[:RETRIEVAL_K]],
        correct=is_correct({**item.grading_record(), **output}),
        wrong=is_wrong({**item.grading_record(), **output}),
        refusal_ok=refusal_correct(answer.refused, list(item.answers)),
        latency_ms=answer.latency_ms,
    )
    if item.answerable:
        gold = list(item.answers)
        record.short_exact = short_answer_exact(answer.short_answer, gold)
        record.short_holds = short_answer_holds(answer.short_answer, gold, item.match)
        if not answer.refused:
            texts = [c.text for c in answer.citations]
            record.citation_ok = citation_supports(texts, item.evidence, gold)
        record.hit_at_1, record.hit_at_5, record.reciprocal_rank = retrieval_verdicts(retrieved, item.evidence)
    return record


def _error_record(item: EvalItem, message: str) -> ItemRecord:
    """A question the engine rejected: graded wrong (and not refused), with the reason kept."""
    failed = Answer(question=item.question, answer="", refused=False, backend="")
    record = grade(item, failed, [])
    record.error = message
    return record


def public_settings(settings: Settings) -> dict[str, Any]:
    """The settings as JSON-ready values, credentials left out."""
    data = settings.model_dump(mode="json")
    for key in _SECRET_SETTINGS:
        data.pop(key, None)
    return data


class Harness:
    """Runs dataset items through one engine; the engine (and its models) is reused across runs."""

    def __init__(self, engine: Engine, *, progress: bool = True, warmup: bool = True) -> None:
        self.engine = engine
        self.progress = progress
        self.warmup = warmup

    @classmethod
    def from_settings(cls, settings: Settings, *, progress: bool = True) -> Harness:
        """Open the engine (loads the embedding model and the saved index) and wrap it."""
        return cls(Engine.open(settings), progress=progress)

    def effective(self, options: RunOptions) -> dict[str, Any]:
        """The backend, retrieval mode and top_k a run really uses (options over settings)."""
        settings = self.engine.settings
        return {
            "backend": (options.backend or settings.backend).strip().lower(),
            "retrieval_mode": options.mode or settings.retrieval_mode,
            "top_k": options.top_k or settings.top_k,
        }

    def models(self, options: RunOptions) -> dict[str, str]:
        """The models behind a run: the embedding model and the answering model, if any."""
        settings = self.engine.settings
        backend = self.effective(options)["backend"]
        answer_model = {"openai": settings.openai_model, "local": settings.local_model}.get(backend, "none")
        return {"embedding": self.engine.embedder.model_name, "backend": backend, "answer_model": answer_model}

    def evaluate(self, item: EvalItem, options: RunOptions = RunOptions()) -> ItemRecord:
        """Ask one item once, retrieve the top passages for its resolved question, and grade."""
        history = [ChatTurn(role=role, content=content) for role, content in item.history]  # type: ignore[arg-type]
        try:
            answer = self.engine.ask(
                item.question, history, top_k=options.top_k, backend=options.backend,
                mode=options.mode,  # type: ignore[arg-type]
            )
        except InvalidQuestionError as error:
            return _error_record(item, str(error))
        resolved = answer.resolved_question or answer.question
        retrieved = self.engine.retrieve(resolved, RETRIEVAL_K, options.mode).passages  # type: ignore[arg-type]
        return grade(item, answer, retrieved)

    def run(self, items: Sequence[EvalItem], options: RunOptions = RunOptions(), label: str = "") -> RunResult:
        """Evaluate every item once, in order, with a progress bar on stderr.

        The backend is looked up before the first question so an unknown name fails at once, and
        (with ``warmup``) one untimed retrieval runs first so one-off start-up costs (lazy loads,
        caches) do not show up as the latency of whichever question happens to come first; no
        question is answered twice.
        """
        self.engine.backends.get(options.backend)
        if items and self.warmup:
            self.engine.retrieve(items[0].question, RETRIEVAL_K, options.mode)  # type: ignore[arg-type]
        effective = self.effective(options)
        started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        started = time.perf_counter()
        bar = tqdm(items, desc=label or effective["retrieval_mode"], unit="q", file=sys.stderr, disable=not self.progress)
        records = [self.evaluate(item, options) for item in bar]
        return RunResult(
            label=label or f"{effective['retrieval_mode']}/{effective['backend']}/top{effective['top_k']}",
            options=options,
            records=records,
            settings={**public_settings(self.engine.settings), **effective},
            models=self.models(options),
            started_at=started_at,
            duration_s=round(time.perf_counter() - started, 2),
        )
