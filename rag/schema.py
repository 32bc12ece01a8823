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
    """A title or section heading detected in a document, at a character offset.

    ``level`` places it in the document's heading tree: 0 for a heading known only by its shape
    (a short standalone line, a Markdown or HTML heading, 附件1) and 1-7 for the numbered levels of
    a 公文 (see ``rag.ingest.structure.LEVELS``: 第X章 1, 第X节 2, 一、 3, 第X条 4, （一） 5, 1. 6,
    （1） 7). A deeper heading nests under the nearest shallower one before it; a level-0 heading
    starts a new tree. ``end`` is where the heading's words end when the body goes on on the same
    line (「（一）扩大制造业投资。对新引进…」, 「第五条 对获得…」); None for a heading that is a
    whole line (or lines).
    """

    start: int
    text: str
    level: int = 0
    end: int | None = None
    #: True for a heading known only from the numbering of a 公文's items (一、 （一） 1. （1） not on
    #: a line of their own): it is in the heading tree (``heading_path_at``) but does not start a
    #: section of chunks or name one (``heading_at``); articles, chapters, attachments and
    #: standalone heading lines do.
    outline: bool = False


@dataclass(frozen=True)
class DocumentMeta:
    """What a 公文 states about itself, parsed from its text at load time ('' when not found).

    ``issuer`` is the issuing body (发文机关: the signature line above the 成文日期, the 「…文件」
    header, or the part of the title before 关于); ``doc_number`` the document's own number
    (发文字号, 渝高技办〔2024〕3号 — a number the text only cites is not it); ``date`` the
    成文日期 as ISO ``YYYY-MM-DD`` (``YYYY-MM`` or ``YYYY`` when the text gives less).
    """

    issuer: str = ""
    doc_number: str = ""
    date: str = ""


@dataclass(frozen=True)
class Page:
    """Where a page of a paged format (PDF, OFD) starts in ``Document.text``, and how its text was
    got: ``ocr`` is True when the page had no text layer and its text was recognised from the image
    (so a citation of it can say the words may hold recognition errors)."""

    number: int  # 1-based page number in the file
    start: int
    ocr: bool = False
    confidence: float | None = None  # mean OCR confidence of the page (0-1), None without OCR


@dataclass
class Document:
    """A loaded document. ``text`` is the original text: every offset in the product points into it.

    ``meta`` and ``pages`` are filled by the loader (``rag.ingest.loading``); ``pages`` is empty
    for formats without pages (text, HTML, DOCX).
    """

    doc_id: str  # the file name, unique within an index
    title: str
    text: str
    source: str = ""  # where it was loaded from (informational)
    content_hash: str = ""
    headings: list[Heading] = field(default_factory=list)
    meta: DocumentMeta = field(default_factory=DocumentMeta)
    pages: list[Page] = field(default_factory=list)

    def heading_at(self, offset: int) -> str:
        """The nearest section heading at or before ``offset`` ('' before the first one); outline
        headings (numbered items inside a section) are skipped."""
        current = ""
        for heading in self.headings:
            if heading.start > offset:
                break
            if not heading.outline:
                current = heading.text
        return current

    def heading_path_at(self, offset: int) -> list[str]:
        """The chain of headings that contain ``offset``, outermost first: the heading tree's path
        (「一、支持先进制造业发展政策」 > 「（一）扩大制造业投资」 > 「1.鼓励新引进工业项目」). A level-0
        heading is a path of its own."""
        path: list[Heading] = []
        for heading in self.headings:
            if heading.start > offset:
                break
            if heading.level == 0:
                path = [heading]
                continue
            while path and path[-1].level != 0 and path[-1].level >= heading.level:
                path.pop()
            path.append(heading)
        return [h.text for h in path]

    def pages_of(self, start: int, end: int) -> list[Page]:
        """The pages a span ``[start, end)`` of the text lies on (empty for formats without pages)."""
        found = []
        for i, page in enumerate(self.pages):
            page_end = self.pages[i + 1].start if i + 1 < len(self.pages) else len(self.text) + 1
            if page.start < end and start < page_end:
                found.append(page)
        return found


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
    #: The chunk's place in the heading tree, outermost first (``Document.heading_path_at``).
    heading_path: list[str] = field(default_factory=list)
    #: Page numbers the chunk lies on (paged formats only) and whether any of them was OCR'd.
    pages: list[int] = field(default_factory=list)
    ocr: bool = False


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
    pages: list[int] = Field(
        default_factory=list, description="Pages of the file the passage lies on (PDF, OFD); empty otherwise."
    )
    ocr: bool = Field(
        False, description="True when the passage's text was recognised (OCR) from a scanned page."
    )


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
