"""The data contract shared by indexing, retrieval, answering, the API, the UI and the evaluation.

Documents and chunks are plain dataclasses (internal, hot path); what crosses a process boundary
(passages, citations, answers, chat turns) is a pydantic model so the API validates and documents it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, Field


@dataclass(frozen=True)
class Heading:
    """A title or section heading detected in a document, at a character offset."""

    start: int
    text: str


@dataclass
class Document:
    """A loaded document. ``text`` is the original text: every offset in the product points into it."""

    doc_id: str  # the file name, unique within an index
    title: str
    text: str
    source: str = ""  # where it was loaded from (informational)
    content_hash: str = ""
    headings: list[Heading] = field(default_factory=list)

    def heading_at(self, offset: int) -> str:
        """The nearest section heading at or before ``offset`` ('' before the first one)."""
        current = ""
        for heading in self.headings:
            if heading.start > offset:
                break
            current = heading.text
        return current


@dataclass
class Chunk:
    """A passage of a document. ``text == document.text[start:end]`` always holds.

    ``search_text`` is the repaired text (broken lines re-joined, whitespace folded) that is embedded,
    BM25-indexed and quoted in answers; ``text`` stays the original slice for offsets and display.
    """

    chunk_id: str  # f"{doc_id}#{ordinal}"
    doc_id: str
    title: str
    heading: str
    text: str
    search_text: str
    start: int
    end: int


class ChatTurn(BaseModel):
    """One earlier turn of a conversation, as the API and ``--jsonl`` accept it."""

    role: Literal["user", "assistant"]
    content: str


class Passage(BaseModel):
    """A retrieved chunk with its fused score and why it matched."""

    chunk_id: str
    doc: str
    title: str
    heading: str = ""
    text: str = Field(description="The chunk's repaired text (what is quoted).")
    start: int
    end: int
    score: float = Field(description="Fused relevance score, higher is better.")
    dense_rank: int | None = None
    bm25_rank: int | None = None
    reason: str = Field("", description="Why it matched: ranks and the query terms it contains.")


class Citation(BaseModel):
    """A passage an answer cites; ``n`` is the number used in the answer's [n] markers."""

    n: int
    doc: str
    title: str
    text: str
    start: int
    end: int
    score: float
    highlight: str | None = Field(None, description="The sentence that supports the answer.")


RefusalReason = Literal[
    "no_passages", "weak_evidence", "missing_entity", "unanswerable_kind", "incomplete_comparison"
]


class Refusal(BaseModel):
    """Why an answer was refused, for programs: the wording of the refusal is for people only.

    ``no_passages``: nothing was retrieved; ``weak_evidence``: the best sentences do not cover the
    question; ``missing_entity``: the evidence is about another place, year, edition or programme
    (``missing`` names what the documents lack); ``unanswerable_kind``: the passages hold no figure
    of the kind asked for (a number of years, an amount); ``incomplete_comparison``: a part of a
    comparison or total could not be answered (``missing`` names it).
    """

    reason: RefusalReason
    missing: list[str] = Field(default_factory=list)


class Answer(BaseModel):
    """The answer object: the contract the CLI, API, UI and evaluation all reuse."""

    question: str
    answer: str
    short_answer: str | None = None
    refused: bool = False
    refusal: Refusal | None = Field(None, description="Why the answer was refused (null when answered).")
    citations: list[Citation] = Field(default_factory=list)
    backend: str = "extractive"
    latency_ms: float = 0.0
    resolved_question: str | None = Field(
        None, description="The question after follow-up resolution, when it differs."
    )
    grounded: bool | None = Field(None, description="Result of the grounding check (LLM backends).")
    short_answer_agreed: bool | None = Field(
        None,
        description="LLM backends: true when the generated answer contains the fact the extractive "
        "backend extracted, which is then given as `short_answer`; false when there was no extracted "
        "fact to agree with (no short answer). Null for the extractive backend and fallbacks.",
    )
    conflicting_values: list[str] = Field(
        default_factory=list,
        description=(
            "When the sources give different figures for the same fact: each figure, in the order of "
            "the citations that state it (newest source first). No short answer is given then."
        ),
    )
