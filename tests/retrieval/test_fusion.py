"""Weighted reciprocal-rank fusion (rag.retrieval.fusion): a pure function, no index needed."""

from __future__ import annotations

import pytest

from rag.retrieval.fusion import best_possible, weighted_rrf


def test_each_ranking_adds_weight_over_k_plus_rank() -> None:
    scores = weighted_rrf([(["a", "b"], 1.0), (["b", "c"], 2.0)], k=60)
    assert scores["a"] == pytest.approx(1 / 61)
    assert scores["b"] == pytest.approx(1 / 62 + 2 / 61)
    assert scores["c"] == pytest.approx(2 / 62)


def test_a_heavier_ranking_decides_the_order() -> None:
    scores = weighted_rrf([(["dense-first", "bm25-first"], 1.0), (["bm25-first", "dense-first"], 2.0)])
    assert max(scores, key=scores.__getitem__) == "bm25-first"


def test_first_seen_order_is_kept_for_stable_tie_breaks() -> None:
    scores = weighted_rrf([([3, 1], 1.0), ([1, 2], 1.0)])
    assert list(scores) == [3, 1, 2]


def test_zero_weight_and_empty_rankings() -> None:
    assert weighted_rrf([([1, 2], 0.0)]) == {1: 0.0, 2: 0.0}
    assert weighted_rrf([([], 1.0)]) == {}


def test_best_possible_normalises_to_one() -> None:
    scores = weighted_rrf([(["x"], 1.0), (["x"], 2.0)], k=60)
    assert scores["x"] / best_possible([1.0, 2.0], k=60) == pytest.approx(1.0)
    assert best_possible([0.0, 0.0]) == 1.0
