"""Citations of passages: what every backend attaches to its answer.

A citation's text is the original ``document[start:end]`` (the answer contract), so it is read from
the index snapshot the request was answered from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rag.schema import Citation, Passage

if TYPE_CHECKING:
    from rag.store.index import DocumentIndex


def to_citation(
    n: int, passage: Passage, index: DocumentIndex | None = None, highlight: str | None = None
) -> Citation:
    """The schema's citation of a passage, numbered ``n``. With the index at hand its text is the
    original ``document[start:end]`` (the contract), else the passage's repaired text."""
    text = passage.text
    if index is not None and passage.doc in index.documents:
        text = index.document(passage.doc).text[passage.start : passage.end]
    return Citation(
        n=n,
        doc=passage.doc,
        title=passage.title,
        text=text,
        start=passage.start,
        end=passage.end,
        score=passage.score,
        highlight=highlight,
    )
