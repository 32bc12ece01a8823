"""The ONNX runtime must reproduce sentence-transformers' vectors and keep its cache sound.

Mechanisms run on a tiny BERT sentence-transformers folder built here (random weights, a
word-level tokenizer): exporting it, quantising it, rebuilding a damaged export. Exporting imports
torch and traces the model, so those tests are marked slow; the real default model on this runtime
is tested in ``test_embedding.py``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # before any Hugging Face import: never go online

import numpy as np
import pytest
from tokenizers import Tokenizer, models, pre_tokenizers, processors

from rag.store import onnx_embedding
from rag.store.onnx_embedding import (
    MARKER_FILE,
    MODEL_FILE,
    build_onnx_model,
    export_folder,
    load_onnx_encoder,
    mean_pool_normalise,
    read_source_model,
)

WORDS = "甲 乙 丙 丁 戊 己 庚 辛 壬 癸 工匠 奖励 万元 人才 基地 哈尔滨 全省 培训".split()
TEXTS = ["哈尔滨 工匠 奖励 万元", "全省 人才 培训 基地 甲 乙", "丙", "丁 戊 己 庚 辛 壬 癸 甲 乙 丙 丁 戊 己 庚 辛 壬 癸 工匠"]


def write_json(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value), encoding="utf-8")


def write_st_config(folder: Path, pooling: str = "pooling_mode_mean_tokens", max_length: int = 12) -> None:
    """The sentence-transformers files of a Transformer + Pooling + Normalize folder."""
    write_json(folder / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ])
    write_json(folder / "1_Pooling" / "config.json", {"word_embedding_dimension": 32, pooling: True})
    (folder / "2_Normalize").mkdir(exist_ok=True)
    write_json(folder / "sentence_bert_config.json", {"max_seq_length": max_length, "do_lower_case": False})
    write_json(folder / "tokenizer_config.json", {
        "tokenizer_class": "PreTrainedTokenizerFast", "pad_token": "<pad>", "unk_token": "<unk>",
        "cls_token": "<s>", "sep_token": "</s>", "model_max_length": max_length,
    })


def write_tokenizer(folder: Path) -> None:
    vocab = {token: i for i, token in enumerate(["<pad>", "<unk>", "<s>", "</s>", *WORDS])}
    tokenizer = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", special_tokens=[("<s>", 2), ("</s>", 3)]
    )
    tokenizer.save(str(folder / "tokenizer.json"))


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer, 32-wide BERT as a sentence-transformers folder (texts longer than 12 tokens are cut)."""
    import torch
    from transformers import BertConfig, BertModel

    folder = tmp_path_factory.mktemp("tiny-st")
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=4 + len(WORDS), hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
        intermediate_size=64, max_position_embeddings=32, pad_token_id=0,
    )
    BertModel(config).save_pretrained(folder)
    write_tokenizer(folder)
    write_st_config(folder)
    return folder


@pytest.fixture(scope="module")
def reference(tiny_folder: Path) -> np.ndarray:
    """sentence-transformers' own normalised vectors for ``TEXTS``."""
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(tiny_folder), local_files_only=True)
    return np.asarray(model.encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True))


# --------------------------------------------------------------------------- unit: no model


def test_mean_pooling_ignores_padding_and_normalises() -> None:
    hidden = np.array([[[3.0, 0.0], [1.0, 4.0], [100.0, 100.0]], [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0]]])
    mask = np.array([[1, 1, 0], [1, 0, 0]])
    pooled = mean_pool_normalise(hidden.astype(np.float32), mask)
    np.testing.assert_allclose(pooled[0], np.array([2.0, 2.0]) / np.sqrt(8.0), rtol=1e-6)
    assert pooled.dtype == np.float32
    np.testing.assert_array_equal(pooled[1], [0.0, 0.0])  # an all-zero row stays zero, not NaN


def config_only_folder(tmp_path: Path, **options: object) -> Path:
    folder = tmp_path / "model"
    write_st_config(folder, **options)  # type: ignore[arg-type]
    write_json(folder / "config.json", {"hidden_size": 32, "max_position_embeddings": 32})
    write_tokenizer(folder)
    return folder


def test_reads_what_the_runtime_needs(tmp_path: Path) -> None:
    source = read_source_model(config_only_folder(tmp_path, max_length=12))
    assert (source.dimension, source.max_length, source.pad_token) == (32, 12, "<pad>")


def test_other_pooling_is_refused_with_its_name(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="pooling_mode_cls_token"):
        read_source_model(config_only_folder(tmp_path, pooling="pooling_mode_cls_token"))


def test_folder_without_fast_tokenizer_is_refused(tmp_path: Path) -> None:
    folder = config_only_folder(tmp_path)
    (folder / "tokenizer.json").unlink()
    with pytest.raises(ValueError, match=r"tokenizer\.json"):
        read_source_model(folder)


def test_not_a_model_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a readable sentence-transformers folder"):
        read_source_model(tmp_path)


def test_export_key_follows_the_source_files(tmp_path: Path) -> None:
    folder = config_only_folder(tmp_path)
    before = export_folder(folder, tmp_path / "cache", "int8")
    assert before == export_folder(folder, tmp_path / "cache", "int8")
    assert before != export_folder(folder, tmp_path / "cache", "fp32")
    (folder / "config.json").write_text(json.dumps({"hidden_size": 32, "num_hidden_layers": 3}), encoding="utf-8")
    assert export_folder(folder, tmp_path / "cache", "int8") != before


# --------------------------------------------------------------------------- export (torch: slow)


@pytest.mark.slow
def test_fp32_export_gives_sentence_transformers_vectors(
    tiny_folder: Path, reference: np.ndarray, tmp_path: Path
) -> None:
    encoder = load_onnx_encoder(tiny_folder, tmp_path, "fp32")
    vectors = encoder.encode(TEXTS, batch_size=3)  # two batches, padded, one text truncated
    assert vectors.shape == (len(TEXTS), 32) and vectors.dtype == np.float32
    np.testing.assert_allclose(vectors, reference, atol=1e-5)


@pytest.mark.slow
def test_int8_export_is_smaller_and_close(tiny_folder: Path, reference: np.ndarray, tmp_path: Path) -> None:
    vectors = load_onnx_encoder(tiny_folder, tmp_path, "int8").encode(TEXTS, batch_size=2)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    cosine = (vectors * reference).sum(axis=1)
    assert cosine.min() > 0.95, cosine
    int8_folder = export_folder(tiny_folder, tmp_path, "int8")
    assert sorted(p.name for p in int8_folder.iterdir()) == [MODEL_FILE, MARKER_FILE]  # no fp32 left
    fp32_folder = build_onnx_model(read_source_model(tiny_folder), tmp_path, "fp32")
    assert (int8_folder / MODEL_FILE).stat().st_size < (fp32_folder / MODEL_FILE).stat().st_size


@pytest.mark.slow
def test_truncated_export_is_rebuilt(tiny_folder: Path, reference: np.ndarray, tmp_path: Path) -> None:
    source = read_source_model(tiny_folder)
    model_file = build_onnx_model(source, tmp_path, "fp32") / MODEL_FILE
    size = model_file.stat().st_size
    with model_file.open("r+b") as handle:
        handle.truncate(size // 2)
    vectors = load_onnx_encoder(tiny_folder, tmp_path, "fp32").encode(TEXTS, batch_size=4)
    assert model_file.stat().st_size == size
    np.testing.assert_allclose(vectors, reference, atol=1e-5)


@pytest.mark.slow
def test_unloadable_export_of_the_recorded_size_is_rebuilt(
    tiny_folder: Path, reference: np.ndarray, tmp_path: Path
) -> None:
    source = read_source_model(tiny_folder)
    model_file = build_onnx_model(source, tmp_path, "fp32") / MODEL_FILE
    model_file.write_bytes(b"\x07" * model_file.stat().st_size)  # same size: the marker still agrees
    vectors = load_onnx_encoder(tiny_folder, tmp_path, "fp32").encode(TEXTS, batch_size=4)
    np.testing.assert_allclose(vectors, reference, atol=1e-5)


@pytest.mark.slow
def test_export_that_never_loads_gives_a_clear_error(
    tiny_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A broken exporter (here: one that writes garbage) ends in an error naming the file."""
    monkeypatch.setattr(onnx_embedding, "export_fp32", lambda source, target: target.write_bytes(b"not onnx"))
    with pytest.raises(ValueError, match="even after rebuilding it") as raised:
        load_onnx_encoder(tiny_folder, tmp_path, "fp32")
    assert MODEL_FILE in str(raised.value)


def test_interrupted_build_leaves_nothing_that_looks_finished(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = config_only_folder(tmp_path)

    def export_then_fail(source: object, target: Path) -> None:
        target.write_bytes(b"half an export")
        raise OSError("disk full")

    monkeypatch.setattr(onnx_embedding, "export_fp32", export_then_fail)
    with pytest.raises(OSError, match="disk full"):
        build_onnx_model(read_source_model(folder), tmp_path / "cache", "int8")
    exports = tmp_path / "cache" / "onnx"
    assert list(exports.iterdir()) == []  # no staging folder left, no target without a marker
    assert not list(exports.rglob(MARKER_FILE))


def test_silencing_the_quantisers_advice_leaves_other_loggers_flowing(caplog: pytest.LogCaptureFixture) -> None:
    import logging

    from rag.store.onnx_embedding import root_warnings_silenced

    with caplog.at_level(logging.INFO):
        with root_warnings_silenced():
            logging.warning("Please consider to run pre-processing before quantization.")
            logging.getLogger("rag.api.access").info("request served")
        logging.warning("after the block")
    messages = [record.getMessage() for record in caplog.records]
    assert "request served" in messages, "another logger's records still reach the handlers"
    assert "Please consider to run pre-processing before quantization." not in messages
    assert "after the block" in messages, "the filter is removed afterwards"
