"""The Milvus store on a real milvus-lite file: add, replace, delete, reload, searches and the
answering lookups, compared with the embedded store on the same entries (vectors made in the test).
The last tests run the engine on Milvus with the real model (slow)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from rag.cli import app
from rag.engine import Engine
from rag.errors import BackendUnavailableError, IndexNotFoundError, ModelMismatchError
from rag.schema import Chunk, Document, Heading
from rag.settings import Settings
from rag.store import milvus_store
from rag.store.index import DocumentIndex, IndexedDocument
from rag.store.index_store import IndexStore
from rag.store.milvus_store import MANIFEST_OWNER, MilvusIndex, MilvusStore, document_key
from rag.store.stores import open_store
from rag.text.tokenizing import ChineseTokenizer
from tests.conftest import CORPUS_DIR, HARBIN_DOC, make_settings

DIM = 8
TOKENIZER = ChineseTokenizer()

TEXTS = {
    "harbin.txt": ["哈尔滨市对大工匠每人奖励5万元。", "全市评选大工匠50人。"],
    "hebei.txt": ["河北省技能人才总量达到一千万人。", "省总工会开展劳动竞赛。"],
    "shanxi.txt": ["山西省交城县有企业二十家。", "交口县有企业十五家。"],
}


def unit(rng: np.random.Generator, rows: int) -> np.ndarray:
    vectors = rng.normal(size=(rows, DIM)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def entry(doc_id: str, sentences: list[str], seed: int, version: str = "1") -> IndexedDocument:
    """A document of two one-sentence chunks, tokenized like the indexer does, random vectors."""
    rng = np.random.default_rng(seed)
    text = "".join(sentences)
    doc = Document(doc_id, f"题目 {doc_id}", text, content_hash=f"{doc_id}-{version}",
                   headings=[Heading(0, "一、总则")])
    spans, start = [], 0
    for sentence in sentences:
        spans.append((start, start + len(sentence)))
        start += len(sentence)
    chunks = [
        Chunk(f"{doc_id}#{n}", doc_id, doc.title, "一、总则", text[s:e], text[s:e], s, e, ["一、总则"], [1], False)
        for n, (s, e) in enumerate(spans)
    ]
    return IndexedDocument(doc, chunks, [TOKENIZER.tokenize(c.search_text) for c in chunks], unit(rng, len(chunks)),
                           spans, list(sentences), unit(rng, len(sentences)), added_by="cli", added_at="2026-01-01")


def entries() -> list[IndexedDocument]:
    return [entry(doc_id, sentences, seed) for seed, (doc_id, sentences) in enumerate(TEXTS.items())]


def milvus(path: Path) -> MilvusStore:
    return MilvusStore(str(path / "lite.db"), prefix="t", dictionary=["大工匠"])


def saved(store: MilvusStore, items: list[IndexedDocument]) -> MilvusIndex:
    index = store.snapshot(DocumentIndex("test-model", DIM, "flat", {e.document.doc_id: e for e in items},
                                         pipeline={"chunk_size": 300}))
    store.save(index)
    return index


def record_view(index: DocumentIndex) -> list[tuple[object, ...]]:
    """What citations and answers read: ids, offsets, texts, headings, tokens, sentences."""
    return [
        (c.chunk_id, c.doc_id, c.start, c.end, c.text, c.search_text, c.heading_path, c.pages) for c in index.chunks
    ] + [(s.doc_id, s.start, s.end, s.text) for s in index.sentences] + [
        (d.document.title, d.document.text, d.document.headings, d.chunk_tokens, d.added_by)
        for d in index.documents.values()
    ]


def test_a_new_store_has_no_index(tmp_path: Path) -> None:
    store = milvus(tmp_path)
    assert not store.exists()
    with pytest.raises(IndexNotFoundError, match="rag index"):
        store.read_manifest()


def test_save_and_reload_keep_every_record(tmp_path: Path) -> None:
    items = entries()
    saved(milvus(tmp_path), items)
    loaded = milvus(tmp_path).load()  # another client: read back from Milvus, nothing cached
    embedded = DocumentIndex("test-model", DIM, "flat", {e.document.doc_id: e for e in items})
    assert isinstance(loaded, MilvusIndex)
    assert list(loaded.documents) == list(TEXTS)
    assert record_view(loaded) == record_view(embedded)
    assert not loaded.documents["harbin.txt"].chunk_vectors.any()  # vectors stay in Milvus: placeholders
    assert loaded.idf("大工匠") == pytest.approx(embedded.idf("大工匠"))


def test_searches_match_the_embedded_store(tmp_path: Path) -> None:
    items = entries()
    saved(milvus(tmp_path), items)
    loaded = milvus(tmp_path).load()
    embedded = DocumentIndex("test-model", DIM, "flat", {e.document.doc_id: e for e in items})
    query = unit(np.random.default_rng(42), 1)[0]
    assert [p for p, _ in loaded.dense_search(query, 4)] == [p for p, _ in embedded.dense_search(query, 4)]
    for question in ("哈尔滨市对大工匠每人奖励多少钱？", "交口县有多少企业", "省总工会"):
        tokens = TOKENIZER.tokenize(question)
        expected = [p for p, _ in embedded.bm25_search(tokens, 6)]
        assert expected, question
        assert [p for p, _ in loaded.bm25_search(tokens, 6)] == expected, question
    positions = loaded.sentences_of_chunk(loaded.chunks[3])
    np.testing.assert_allclose(
        loaded.sentence_similarities(query, positions), embedded.sentence_similarities(query, positions), rtol=1e-5
    )


def test_replace_and_delete_by_id_then_reload(tmp_path: Path) -> None:
    store = milvus(tmp_path)
    index = saved(store, entries())
    index = index.with_documents([entry("harbin.txt", ["哈尔滨市新的规定。"], 7, version="2")])
    index = index.without_documents(["hebei.txt"])
    store.save(index)
    loaded = milvus(tmp_path).load()
    assert list(loaded.documents) == ["harbin.txt", "shanxi.txt"]  # the replaced one keeps its place
    assert [c.chunk_id for c in loaded.chunks] == ["harbin.txt#0", "shanxi.txt#0", "shanxi.txt#1"]
    assert loaded.document("harbin.txt").text == "哈尔滨市新的规定。"
    client, names = store.collections.client, store.collections
    chunk_ids = {row["pk"] for row in client.query(names.chunks, filter='pk != ""', output_fields=["pk"])}
    assert chunk_ids == {"harbin.txt#0", "shanxi.txt#0", "shanxi.txt#1"}  # old and deleted rows are gone
    rows = client.query(names.sentences, filter='pk != ""', output_fields=["doc_key"])
    sentence_keys = {row["doc_key"] for row in rows}
    assert sentence_keys == {document_key("harbin.txt"), document_key("shanxi.txt")}
    assert [loaded.chunks[p].doc_id for p, _ in loaded.bm25_search(TOKENIZER.tokenize("省总工会 劳动竞赛"), 5)] == []


def test_an_old_snapshot_ignores_chunks_it_does_not_hold(tmp_path: Path) -> None:
    store = milvus(tmp_path)
    old = saved(store, entries()[:1])
    store.save(old.with_documents(entries()[1:]))
    hits = old.bm25_search(TOKENIZER.tokenize("省总工会 交口县 大工匠"), 10)
    assert {old.chunks[p].doc_id for p, _ in hits} == {"harbin.txt"}


def test_an_interrupted_save_is_cleaned(tmp_path: Path) -> None:
    """A crash after a document's rows were written but before its record: the document is absent
    on load, and ``clean`` removes its rows."""
    store = milvus(tmp_path)
    saved(store, entries()[:1])
    orphan = entries()[1]
    manifest = store.read_manifest()
    store.collections.write_blob(MANIFEST_OWNER, "", 0, {**manifest, "saving": True})
    store.collections.write_rows(document_key(orphan.document.doc_id), orphan)
    assert list(store.load().documents) == ["harbin.txt"]
    store.clean()
    assert store.collections.row_owners() == {document_key("harbin.txt")}
    assert "saving" not in store.read_manifest()


def test_scans_split_what_one_query_cannot_return(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Milvus caps a query's rows: with a cap of 2, loading and cleaning still see every row."""
    store = milvus(tmp_path)
    saved(store, entries())
    monkeypatch.setattr(milvus_store, "QUERY_WINDOW", 2)
    assert list(store.load().documents) == list(TEXTS)
    assert store.collections.row_owners() == {document_key(doc_id) for doc_id in TEXTS}


def test_pipeline_and_model_are_checked_with_the_milvus_location(tmp_path: Path) -> None:
    store = milvus(tmp_path)
    saved(store, entries()[:1])
    with pytest.raises(ModelMismatchError, match=r"lite\.db.*chunk_size 300 -> 500"):
        store.check_pipeline({"chunk_size": 500})
    with pytest.raises(ModelMismatchError, match="other-model"):
        store.check_model("other-model", DIM)


def test_settings_choose_the_store(tmp_path: Path) -> None:
    embedded = open_store(Settings(index_dir=tmp_path))
    assert type(embedded) is IndexStore
    chosen = open_store(Settings(index_dir=tmp_path, store="milvus"))
    assert isinstance(chosen, MilvusStore)
    assert chosen.uri == str(tmp_path / "milvus.db")
    with pytest.raises(ValueError, match=r"must end in \.db"):
        Settings(store="milvus", milvus_uri=str(tmp_path / "milvus"))
    assert Settings(milvus_uri="http://10.0.0.5:19530").milvus_location == "http://10.0.0.5:19530"


def test_an_unreachable_cluster_is_a_clear_error() -> None:
    with pytest.raises(BackendUnavailableError, match="Milvus at http://127.0.0.1:9"):
        MilvusStore("http://127.0.0.1:9", prefix="t").exists()


# ----- the engine on Milvus, real model (slow) -----


@pytest.fixture()
def milvus_settings(corpus_index_dir: Path, tmp_path: Path) -> Settings:
    """Milvus holding the corpus entries the embedded fixture built (copied, not re-embedded)."""
    settings = make_settings(tmp_path / "index", store="milvus")
    store = open_store(settings)
    store.save(store.snapshot(IndexStore(corpus_index_dir).load()))
    return settings


def test_engine_on_milvus_answers_like_the_embedded_store(
    milvus_settings: Settings, corpus_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    question = "哈尔滨市对大工匠每人奖励多少钱？"
    for name, value in (("RAG_STORE", "milvus"), ("RAG_INDEX_DIR", str(milvus_settings.index_path)),
                        ("RAG_CORPUS_DIR", str(CORPUS_DIR))):
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(app, ["ask", question, "--json"])
    assert result.exit_code == 0, result.output
    expected = corpus_engine.ask(question)
    assert expected.short_answer == "5万元"
    assert '"short_answer": "5万元"' in result.output
    engine = Engine.open(milvus_settings)
    answer = engine.ask(question)
    assert answer.short_answer == expected.short_answer
    assert [(c.doc, c.start, c.end) for c in answer.citations] == [(c.doc, c.start, c.end) for c in expected.citations]
    assert answer.citations[0].doc == HARBIN_DOC

    # add, delete and reload through the engine
    extra = tmp_path / "extra.txt"
    extra.write_text("测试市对大工匠每人奖励8万元。测试市评选大工匠十人。", encoding="utf-8")
    assert engine.index_paths([extra]).added == ["extra.txt"]
    assert "extra.txt" in Engine.open(milvus_settings).index.documents
    assert engine.delete_documents([HARBIN_DOC]) == [HARBIN_DOC]
    reloaded = Engine.open(milvus_settings)
    assert HARBIN_DOC not in reloaded.index.documents
    assert all(p.doc != HARBIN_DOC for p in reloaded.search(question, k=10))
    shutil.rmtree(milvus_settings.index_path, ignore_errors=True)
