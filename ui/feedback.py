"""Thumbs up/down on answers, appended to a JSONL file the team reviews to find bad answers.

One JSON object per line (UTF-8, Chinese kept readable) so the log can be grepped, tailed and
loaded line by line; appends are serialised by a lock so concurrent votes never interleave.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from rag.schema import Answer

Vote = Literal["up", "down"]


def vote_of(liked: bool | str | None) -> Vote | None:
    """Gradio's like payload (True/False, or the option label) as 'up' / 'down'; None = unvoted."""
    if liked is True or (isinstance(liked, str) and liked.lower() in {"like", "up", "true"}):
        return "up"
    if liked is False or (isinstance(liked, str) and liked.lower() in {"dislike", "down", "false"}):
        return "down"
    return None


def feedback_record(
    question: str, answer: Answer | None, vote: Vote, error: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The logged entry: enough to reproduce the answer and see what it cited."""
    moment = now or datetime.now(timezone.utc)
    record: dict[str, Any] = {
        "timestamp": moment.isoformat(timespec="seconds"),
        "vote": vote,
        "question": question,
        "answer": answer.answer if answer else (error or ""),
        "short_answer": answer.short_answer if answer else None,
        "refused": answer.refused if answer else None,
        "refusal": answer.refusal.model_dump() if answer and answer.refusal else None,
        "backend": answer.backend if answer else None,
        "resolved_question": answer.resolved_question if answer else None,
        "citations": [
            {
                "n": c.n, "doc": c.doc, "title": c.title, "start": c.start, "end": c.end,
                "score": c.score, "highlight": c.highlight,
            }
            for c in (answer.citations if answer else [])
        ],
    }
    return record


class FeedbackLog:
    """Appends feedback records to one JSONL file, creating its folder on first use."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def append(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")
