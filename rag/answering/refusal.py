"""Refusals: the fixed wording people read, and the structured reason programs read.

The wording may change (or be translated) without breaking anything, because no code inspects it:
backends, the API, the UI and the evaluation look at ``Answer.refusal`` (see ``rag.schema.Refusal``).
"""

from __future__ import annotations

from rag.schema import Answer


def refusal_text(language: str, missing: list[str]) -> str:
    """The fixed refusal message, naming what the documents lack when that is known."""
    if language == "en":
        about = f" about {', '.join(missing)}" if missing else ""
        return f"The documents do not contain this information{about}. Nearest passages are shown for reference."
    about = f"关于“{'、'.join(missing)}”的" if missing else ""
    return f"资料中未找到{about}相关信息。以下是最相关的段落，仅供参考。"


def refused_for_other_entity(answer: Answer) -> bool:
    """True when the evidence is about another place, year, edition or programme than the question:
    no backend should answer such a question, however fluent its answer would be."""
    return answer.refused and answer.refusal is not None and answer.refusal.reason == "missing_entity"
