"""The data an evaluation run produces: one record per question, and the run that holds them.

Plain dataclasses with no dependency on the engine, so metrics, reports and gates (and their tests)
work on saved or hand-made records without loading any model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["ItemRecord", "RunOptions", "RunResult"]


@dataclass(frozen=True)
class RunOptions:
    """What one run varies per call on a shared engine (None = the engine's setting)."""

    backend: str | None = None
    mode: str | None = None  # hybrid, dense or bm25
    top_k: int | None = None


@dataclass
class ItemRecord:
    """One graded question: the item, the system output and the verdicts.

    A verdict is ``None`` when it does not apply: retrieval and short-answer verdicts for
    unanswerable items, the citation verdict unless an answerable item was answered (not refused).
    """

    id: str
    type: str
    lang: str
    answerable: bool
    question: str = ""
    resolved_question: str = ""
    history: list[dict[str, str]] = field(default_factory=list)  # earlier turns of a follow-up
    expected: list[str] = field(default_factory=list)
    match: str = "any"
    evidence: str = ""
    answer: str = ""
    short_answer: str | None = None
    refused: bool = False
    refusal: dict[str, Any] | None = None  # a refused answer's rag.schema.Refusal: {"reason", "missing"}
    backend: str = ""
    citations: list[dict[str, Any]] = field(default_factory=list)
    retrieved: list[str] = field(default_factory=list)  # chunk ids of the top 5 passages
    correct: bool = False
    wrong: bool = False  # answered, but not correct (see eval.grading.is_wrong)
    refusal_ok: bool = False
    short_exact: bool | None = None
    short_holds: bool | None = None
    citation_ok: bool | None = None
    hit_at_1: bool | None = None
    hit_at_5: bool | None = None
    reciprocal_rank: float | None = None
    latency_ms: float = 0.0
    error: str | None = None

    @property
    def refusal_reason(self) -> str | None:
        """Why the answer was refused (``no_passages``, ``weak_evidence``, ``missing_entity``, ...)."""
        return self.refusal.get("reason") if self.refusal else None

    @property
    def refusal_missing(self) -> list[str]:
        """What the documents lack, according to the refusal (e.g. ``["齐齐哈尔"]``)."""
        return list(self.refusal.get("missing") or []) if self.refusal else []

    def verdicts(self) -> dict[str, Any]:
        """Every metric's verdict for this item, as written to ``report.json``."""
        return {
            "correct": self.correct,
            "wrong": self.wrong,
            "refusal_correct": self.refusal_ok,
            "short_answer_exact": self.short_exact,
            "short_answer_holds": self.short_holds,
            "citation_supports": self.citation_ok,
            "hit@1": self.hit_at_1,
            "hit@5": self.hit_at_5,
            "reciprocal_rank": self.reciprocal_rank,
        }


@dataclass
class RunResult:
    """All records of one run plus what was run: the configuration, settings and models."""

    label: str
    options: RunOptions
    records: list[ItemRecord]
    settings: dict[str, Any]
    models: dict[str, str]
    started_at: str = ""
    duration_s: float = 0.0


