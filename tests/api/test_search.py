"""GET /search: ranked passages with scores and reasons."""

from __future__ import annotations

import httpx

from rag.schema import Passage

from .support import HARBIN_DOC


def test_returns_ranked_passages_with_scores_and_reasons(client: httpx.Client) -> None:
    response = client.get("/search", params={"q": "哈尔滨市大工匠奖励", "k": 4})
    assert response.status_code == 200
    body = response.json()
    assert body["k"] == 4 and body["mode"] == "hybrid"
    passages = [Passage.model_validate(p) for p in body["passages"]]
    assert 1 <= len(passages) <= 4
    scores = [p.score for p in passages]
    assert scores == sorted(scores, reverse=True)
    assert all(p.reason for p in passages)
    assert HARBIN_DOC in {p.doc for p in passages}


def test_modes_and_defaults(client: httpx.Client) -> None:
    response = client.get("/search", params={"q": "大工匠", "mode": "bm25"})
    assert response.status_code == 200
    assert response.json()["mode"] == "bm25"
    assert len(response.json()["passages"]) <= 5  # RAG_TOP_K default


def test_invalid_queries_are_422(client: httpx.Client) -> None:
    for params in ({}, {"q": ""}, {"q": "大工匠", "k": 0}, {"q": "大工匠", "k": 51}, {"q": "大工匠", "mode": "fuzzy"}):
        response = client.get("/search", params=params)
        assert response.status_code == 422, params
        assert response.json()["error"]["status"] == 422
