"""The index manifest records the whole pipeline; opening it with other settings says what changed."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from rag.cli import app
from rag.engine import Engine
from rag.errors import ModelMismatchError
from rag.ingest import indexing
from rag.ingest.indexing import EMBEDDING_TEXT_RECIPE, index_pipeline
from rag.schema import Chunk, Document
from rag.settings import PROJECT_ROOT, Settings
from rag.store.index import DocumentIndex, IndexedDocument
from rag.store.index_store import MANIFEST_FILE, IndexStore, pipeline_changes

DIM = 8
MODEL = Settings().embedding_model


def entry(doc_id: str, text: str) -> IndexedDocument:
    vectors = np.eye(1, DIM, dtype=np.float32)
    doc = Document(doc_id, f"title {doc_id}", text, content_hash=doc_id)
    chunk = Chunk(f"{doc_id}#0", doc_id, doc.title, "", text, text, 0, len(text))
    return IndexedDocument(doc, [chunk], [list(text)], vectors, [(0, len(text))], [text], vectors.copy())


def saved_index(directory: Path, settings: Settings | None = None) -> IndexStore:
    """An index whose manifest records the pipeline of ``settings`` (default settings)."""
    store = IndexStore(directory)
    pipeline = index_pipeline(settings or Settings())
    store.save(DocumentIndex(MODEL, DIM, "flat", {"a.txt": entry("a.txt", "甲乙丙")}, pipeline))
    return store


def mismatch(store: IndexStore, **settings: object) -> str:
    with pytest.raises(ModelMismatchError) as raised:
        store.check_pipeline(index_pipeline(Settings(**settings)))
    message = str(raised.value)
    assert "rag index --rebuild" in message
    return message


@pytest.fixture()
def own_pack(tmp_path: Path) -> Path:
    folder = tmp_path / "pack"
    folder.mkdir()
    (folder / "userdict_zh.txt").write_text("大工匠 100 n\n", encoding="utf-8")
    return folder


def test_the_manifest_records_the_pipeline(tmp_path: Path) -> None:
    store = saved_index(tmp_path)
    manifest = json.loads((store.current_generation() / MANIFEST_FILE).read_text(encoding="utf-8"))
    pipeline = manifest["pipeline"]
    assert pipeline["embedding_model"] == MODEL
    assert pipeline["embedding_precision"] == "int8"  # the default runtime, onnx-int8
    assert (pipeline["chunk_size"], pipeline["chunk_overlap"]) == (300, 1)
    assert pipeline["embedding_text_recipe"] == EMBEDDING_TEXT_RECIPE
    assert pipeline["domain_pack"] == "workforce"
    assert len(pipeline["user_dictionary"]) == 64 and len(pipeline["stopwords"]) == 64
    loaded = store.load()
    assert loaded.pipeline == pipeline
    # snapshots keep it through adds and deletes
    assert loaded.with_documents([entry("b.txt", "丁戊")]).without_documents(["a.txt"]).pipeline == pipeline


def test_same_settings_pass(tmp_path: Path) -> None:
    saved_index(tmp_path).check_pipeline(index_pipeline(Settings()))


def test_runtimes_of_one_precision_share_an_index_and_int8_does_not(tmp_path: Path) -> None:
    """torch and onnx compute the same float32 vectors; onnx-int8's differ, so its index is another."""
    store = saved_index(tmp_path / "fp32", Settings(embedding_runtime="torch"))
    store.check_pipeline(index_pipeline(Settings(embedding_runtime="onnx")))
    assert "embedding precision 'float32' -> 'int8'" in mismatch(store, embedding_runtime="onnx-int8")
    int8 = saved_index(tmp_path / "int8", Settings(embedding_runtime="onnx-int8"))
    assert "embedding precision 'int8' -> 'float32'" in mismatch(int8, embedding_runtime="torch")


def test_changed_chunking_is_named_with_old_and_new_values(tmp_path: Path) -> None:
    store = saved_index(tmp_path)
    assert "chunk_size 300 -> 500" in mismatch(store, chunk_size=500)
    message = mismatch(store, chunk_size=500, chunk_overlap=2)
    assert "chunk_size 300 -> 500; chunk_overlap 1 -> 2" in message


def test_changed_user_dictionary_is_reported(tmp_path: Path, own_pack: Path) -> None:
    store = saved_index(tmp_path / "index")
    message = mismatch(store, chunk_size=500, domain_pack=str(own_pack))
    assert f"chunk_size 300 -> 500; user dictionary changed (domain pack workforce -> {own_pack})" in message
    assert "user dictionary removed (domain pack workforce -> none)" in mismatch(store, domain_pack="none")
    # the same pack edited in place: the digest tells
    store = saved_index(tmp_path / "own", Settings(domain_pack=str(own_pack)))
    store.check_pipeline(index_pipeline(Settings(domain_pack=str(own_pack))))
    (own_pack / "userdict_zh.txt").write_text("大工匠 100 n\n产改 100 n\n", encoding="utf-8")
    message = mismatch(store, domain_pack=str(own_pack))
    assert "user dictionary changed" in message and "domain pack" not in message


def test_a_copy_of_the_pack_elsewhere_is_the_same_pipeline(tmp_path: Path) -> None:
    packaged = Settings().domain_pack_dir
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in ("userdict_zh.txt", "glossary_en_zh.tsv"):
        (copy / name).write_bytes(packaged.joinpath(name).read_bytes())
    saved_index(tmp_path / "index").check_pipeline(index_pipeline(Settings(domain_pack=str(copy))))


def test_a_new_embedding_text_recipe_needs_a_rebuild(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = saved_index(tmp_path)
    monkeypatch.setattr(indexing, "EMBEDDING_TEXT_RECIPE", "next-recipe")
    message = mismatch(store)
    assert f"embedding text recipe '{EMBEDDING_TEXT_RECIPE}' -> 'next-recipe'" in message


def test_another_model_is_reported_with_both_names(tmp_path: Path) -> None:
    message = mismatch(saved_index(tmp_path), embedding_model="org/other-model")
    assert f"embedding model '{MODEL}' -> 'org/other-model'" in message
    assert "configure the model the index was built with" in message


def test_an_index_written_before_pipelines_were_recorded(tmp_path: Path) -> None:
    store = IndexStore(tmp_path)
    store.save(DocumentIndex(MODEL, DIM, "flat", {"a.txt": entry("a.txt", "甲乙丙")}))  # no pipeline
    manifest = json.loads((store.current_generation() / MANIFEST_FILE).read_text(encoding="utf-8"))
    assert "pipeline" not in manifest
    message = mismatch(store)
    assert "built before indexes recorded their pipeline" in message
    assert "embedding model" not in message
    assert f"embedding model '{MODEL}' -> 'org/other'" in mismatch(store, embedding_model="org/other")
    assert store.load().pipeline is None  # still readable as such


def test_unknown_and_missing_entries() -> None:
    recorded = {"chunk_size": 300, "stopwords": "a"}
    assert pipeline_changes(recorded, {"chunk_size": 300, "stopwords": "b", "future_thing": 1}) == [
        "stopword list changed", "future thing not recorded"
    ]
    assert pipeline_changes(None, {"chunk_size": 300}) == []


def test_engine_open_refuses_before_loading_the_model(tmp_path: Path) -> None:
    saved_index(tmp_path)
    with pytest.raises(ModelMismatchError, match="chunk_overlap 1 -> 3"):
        Engine.open(Settings(index_dir=tmp_path, chunk_overlap=3))


def test_cli_exits_3_with_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    saved_index(tmp_path)
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path))
    monkeypatch.setenv("RAG_CHUNK_SIZE", "500")
    result = CliRunner().invoke(app, ["ask", "哈尔滨市对大工匠每人奖励多少钱？"])
    assert result.exit_code == 3
    assert "chunk_size 300 -> 500" in result.output and "rag index --rebuild" in result.output
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_rebuild_replaces_a_mismatched_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the message says to do works: `rag index --rebuild` with the new settings."""
    assert PROJECT_ROOT is not None
    saved_index(tmp_path)  # made with chunk_size 300
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path))
    monkeypatch.setenv("RAG_CHUNK_SIZE", "500")
    document = PROJECT_ROOT / "corpus" / "004_5054bd43d027913e.txt"
    result = CliRunner().invoke(app, ["index", "--rebuild", str(document)])
    assert result.exit_code == 0, result.output
    store = IndexStore(tmp_path)
    assert store.load().pipeline["chunk_size"] == 500
    store.check_pipeline(index_pipeline(Settings()))  # RAG_CHUNK_SIZE=500 now matches
    assert list(store.load().documents) == [document.name]
