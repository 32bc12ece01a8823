"""One chat session as the page keeps it: the turns asked so far, and what the engine sees of them.

The page stores ``Turn`` objects (question plus the full ``Answer`` or an error line) in session
state, and derives from them both the Chatbot's messages and the history passed to the engine, so
the two can never disagree about which answer belongs to which question.
"""

from __future__ import annotations

from dataclasses import dataclass

from rag.schema import Answer, ChatTurn


@dataclass
class Turn:
    """One question and what came back: an answer, or an error message meant for a person."""

    question: str
    answer: Answer | None = None
    error: str | None = None
    pending_text: str = ""  # the assistant message while the answer is still streaming


def engine_history(turns: list[Turn]) -> list[ChatTurn]:
    """Earlier turns as the engine's follow-up resolver wants them; failed turns carry nothing."""
    history: list[ChatTurn] = []
    for turn in turns:
        if turn.answer is None:
            continue
        history.append(ChatTurn(role="user", content=turn.question))
        history.append(ChatTurn(role="assistant", content=turn.answer.answer))
    return history


def turn_of_message(message_index: int) -> int:
    """The turn a Chatbot message index belongs to (every turn is one user + one assistant message)."""
    return message_index // 2
