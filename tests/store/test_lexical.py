"""BM25 scored at query time from live statistics: the same scores as bm25s, across parts and deletions."""

import bm25s
import numpy as np

from rag.store.lexical import Postings, Vocabulary, length_norms, live_statistics, score

CORPUS = [
    ["人才", "工匠", "奖励", "工匠"],
    ["工会", "职工", "人才"],
    [],
    ["奖励", "资金", "万元", "万元", "工匠"],
    ["职工", "技能", "培训"],
]
QUERY = ["工匠", "奖励", "人才", "工匠", "不在词表"]


def bm25s_scores(corpus: list[list[str]], query: list[str]) -> np.ndarray:
    model = bm25s.BM25()
    model.index([t if t else ["\u0000"] for t in corpus], show_progress=False)
    return np.asarray(model.get_scores([t for t in query if t in model.vocab_dict]), dtype=np.float32)


def ids(vocabulary: Vocabulary, query: list[str]) -> list[int]:
    return [i for i in (vocabulary.get(t) for t in query) if i is not None]


def test_one_part_scores_like_bm25s() -> None:
    vocabulary = Vocabulary()
    postings = Postings.build(CORPUS, vocabulary)
    alive = np.ones(len(CORPUS), dtype=bool)
    got = score(postings, ids(vocabulary, QUERY), live_statistics([(postings, alive)]))
    np.testing.assert_allclose(got, bm25s_scores(CORPUS, QUERY), rtol=1e-5)


def test_two_parts_with_a_dead_chunk_score_like_a_rebuild_without_it() -> None:
    vocabulary = Vocabulary()
    first, second = Postings.build(CORPUS[:3], vocabulary), Postings.build(CORPUS[3:], vocabulary)
    masks = [np.array([True, False, True]), np.ones(2, dtype=bool)]
    stats = live_statistics([(first, masks[0]), (second, masks[1])])
    query = ids(vocabulary, QUERY)
    got = np.concatenate([score(first, query, stats)[masks[0]], score(second, query, stats)])
    survivors = [CORPUS[0], CORPUS[2], *CORPUS[3:]]
    np.testing.assert_allclose(got, bm25s_scores(survivors, QUERY), rtol=1e-5)


def test_concat_keeps_only_live_rows_and_equals_a_fresh_build() -> None:
    vocabulary = Vocabulary()
    first, second = Postings.build(CORPUS[:3], vocabulary), Postings.build(CORPUS[3:], vocabulary)
    masks = [np.array([True, False, True]), np.ones(2, dtype=bool)]
    merged = Postings.concat([(first, masks[0]), (second, masks[1])], len(vocabulary))
    fresh = Postings.build([CORPUS[0], CORPUS[2], *CORPUS[3:]], vocabulary)
    for name in Postings.ARRAYS:
        np.testing.assert_array_equal(getattr(merged, name), getattr(fresh, name), err_msg=name)


def test_length_norms_kept_by_the_caller_give_the_same_scores() -> None:
    vocabulary = Vocabulary()
    postings = Postings.build([["甲", "乙", "甲"], ["乙"], ["丙", "甲", "丁", "戊"]], vocabulary)
    stats = live_statistics([(postings, np.array([True, True, True]))])
    ids = vocabulary.ids(["甲", "乙", "甲"])
    kept = score(postings, ids, stats, length_norms(postings, stats))
    assert kept.dtype == np.float32 and kept.any()
    np.testing.assert_array_equal(kept, score(postings, ids, stats))
