"""Weighted reciprocal-rank fusion: one ranking out of several, without calibrating their scores.

Each ranking contributes ``weight / (k + rank)`` to every item it ranks (rank 1 is the best);
an item's fused score is the sum over the rankings. ``k`` (60 by convention) damps the head.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

Item = TypeVar("Item", bound=Hashable)


def weighted_rrf(
    rankings: Sequence[tuple[Sequence[Item], float]], k: int = 60
) -> dict[Item, float]:
    """Fused scores of every ranked item; ``rankings`` are (items best first, weight) pairs.

    The result keeps first-seen order (the first ranking's items first), so sorting it by score
    with a stable sort breaks ties the same way every time.
    """
    scores: dict[Item, float] = {}
    for items, weight in rankings:
        for rank, item in enumerate(items, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return scores


def best_possible(weights: Sequence[float], k: int = 60) -> float:
    """The score of an item ranked first everywhere (1.0 when every weight is 0): scores divided
    by it fall in [0, 1]."""
    return sum(weights) / (k + 1) or 1.0
