"""Atomic saves, reloads, corruption and model-mismatch handling of the on-disk index."""

import json
from pathlib import Path

import numpy as np
import pytest

from rag.errors import IndexCorruptError, IndexNotFoundError, ModelMismatchError
from rag.schema import Chunk, Document, Heading
from rag.store import columns, index_store, records
from rag.store.columns import open_columns
from rag.store.index import DocumentIndex, IndexedDocument
from rag.store.index_store import IndexStore

DIM = 8


def entry(doc_id: str, text: str, seed: int) -> IndexedDocument:
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(1, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    doc = Document(doc_id, f"title {doc_id}", text, content_hash=f"h{seed}", headings=[Heading(0, "标题")])
    chunk = Chunk(f"{doc_id}#0", doc_id, doc.title, "标题", text, text, 0, len(text))
    return IndexedDocument(doc, [chunk], [list(text)], vectors, [(0, len(text))], [text], vectors.copy())


def make_index(*entries: IndexedDocument) -> DocumentIndex:
    return DocumentIndex("test-model", DIM, "flat", {e.document.doc_id: e for e in entries})


def test_missing_index_is_reported(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError, match="rag index"):
        IndexStore(tmp_path / "nothing").load()


def test_save_and_reload_round_trip(tmp_path: Path) -> None:
    store = IndexStore(tmp_path)
    original = make_index(entry("a.txt", "甲乙丙", 1), entry("b.txt", "丁戊己", 2))
    store.save(original)
    loaded = store.load()
    assert list(loaded.documents) == ["a.txt", "b.txt"]
    assert loaded.chunks[1].text == "丁戊己"
    assert loaded.document("a.txt").headings == [Heading(0, "标题")]
    np.testing.assert_allclose(
        loaded.documents["b.txt"].chunk_vectors, original.documents["b.txt"].chunk_vectors
    )
    # dense search on the reloaded index finds the document by its own vector
    hits = loaded.dense_search(original.documents["b.txt"].chunk_vectors[0], 1)
    assert loaded.chunks[hits[0][0]].doc_id == "b.txt"


def test_add_replace_delete_reload(tmp_path: Path) -> None:
    store = IndexStore(tmp_path)
    index = make_index(entry("a.txt", "甲乙丙", 1))
    index = index.with_documents([entry("b.txt", "丁戊己", 2)])
    index = index.with_documents([entry("a.txt", "新的文本", 3)])  # replace by id
    store.save(index)
    index = store.load().without_documents(["b.txt"])
    store.save(index)
    reloaded = store.load()
    assert list(reloaded.documents) == ["a.txt"]
    assert reloaded.chunks[0].text == "新的文本"
    assert reloaded.document("a.txt").content_hash == "h3"


def test_snapshots_are_independent(tmp_path: Path) -> None:
    old = make_index(entry("a.txt", "甲乙丙", 1))
    new = old.without_documents(["a.txt"])
    assert old.info().chunks == 1 and new.info().chunks == 0
    query = old.documents["a.txt"].chunk_vectors[0]
    assert [old.chunks[i].doc_id for i, _ in old.dense_search(query, 1)] == ["a.txt"]
    assert new.dense_search(query, 1) == [] and new.bm25_search(["甲"], 1) == []


def test_crash_during_save_keeps_last_good_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = IndexStore(tmp_path)
    store.save(make_index(entry("a.txt", "甲乙丙", 1)))

    calls = {"n": 0}
    real_write = index_store.write_array

    def crashing_write(path: Path, array: np.ndarray) -> None:
        calls["n"] += 1
        if calls["n"] == 2:  # after some files of the new generation were written
            raise OSError("disk full (simulated)")
        real_write(path, array)

    monkeypatch.setattr(index_store, "write_array", crashing_write)
    with pytest.raises(OSError, match="simulated"):
        store.save(make_index(entry("a.txt", "甲乙丙", 1), entry("b.txt", "丁戊己", 2)))
    monkeypatch.undo()
    survivor = IndexStore(tmp_path).load()
    assert list(survivor.documents) == ["a.txt"]
    # the next good save cleans the partial generation up and succeeds
    store.save(make_index(entry("c.txt", "庚辛壬", 4)))
    assert list(IndexStore(tmp_path).load().documents) == ["c.txt"]
    assert not list(tmp_path.glob(".gen-*.partial"))


def segment_files(store: IndexStore, suffix: str) -> list[Path]:
    names = store.read_manifest()["segments"]
    return [store.directory / index_store.SEGMENTS_DIR / f"{name}{suffix}" for name in names]


def test_corrupt_file_gives_clear_error(tmp_path: Path) -> None:
    store = IndexStore(tmp_path)
    store.save(make_index(entry("a.txt", "甲乙丙", 1)))
    segment_files(store, ".json")[0].write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="--rebuild"):
        store.load()


def test_truncated_vectors_give_clear_error(tmp_path: Path) -> None:
    store = IndexStore(tmp_path)
    store.save(make_index(entry("a.txt", "甲乙丙", 1)))
    segment_files(store, ".chunks.npy")[0].write_bytes(b"\x93NUMPY garbage")
    with pytest.raises(IndexCorruptError):
        store.load()


def test_a_save_writes_only_the_documents_it_has_not_written_before(tmp_path: Path) -> None:
    store = IndexStore(tmp_path)
    index = make_index(entry("a.txt", "甲乙丙", 1), entry("b.txt", "丁戊己", 2))
    store.save(index)
    first = {p.name: p.stat().st_mtime_ns for p in (tmp_path / index_store.SEGMENTS_DIR).iterdir()}
    store.save(index.with_documents([entry("c.txt", "庚辛壬", 3)]))
    after = {p.name: p.stat().st_mtime_ns for p in (tmp_path / index_store.SEGMENTS_DIR).iterdir()}
    assert {name: after[name] for name in first} == first  # a.txt and b.txt untouched
    assert len(after) == len(first) + 3  # c.txt: its record and two vector files
    assert list(store.load().documents) == ["a.txt", "b.txt", "c.txt"]


def merged_index(monkeypatch: pytest.MonkeyPatch) -> DocumentIndex:
    """Three documents merged into a base (the threshold lowered), then one deleted from it."""
    from rag.store import index as index_module

    monkeypatch.setattr(index_module, "MERGE_MIN_CHUNKS", 1)
    index = make_index(entry("a.txt", "甲乙丙", 1))
    index = index.with_documents([entry("b.txt", "丁戊己", 2), entry("c.txt", "甲丁", 3)])
    assert index.parts[0].base
    return index.without_documents(["a.txt"])


def test_a_base_is_memory_mapped_not_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rag.store.lexical import Postings

    store = IndexStore(tmp_path)
    original = merged_index(monkeypatch)
    store.save(original)
    built: list[int] = []
    monkeypatch.setattr(Postings, "build", classmethod(lambda cls, *a: built.append(1)))
    loaded = store.load()
    assert not built
    assert isinstance(loaded.parts[0].postings.term_rows, np.memmap)
    assert sorted(loaded.documents) == ["b.txt", "c.txt"]  # the deletion survives the reload
    assert loaded.chunks[loaded.chunk_position("c.txt#0")].text == "甲丁"  # text restored from the document
    assert loaded.bm25_search(["丁", "甲"], 3) == original.bm25_search(["丁", "甲"], 3)
    query = original.documents["c.txt"].chunk_vectors[0]
    assert loaded.dense_search(query, 2) == original.dense_search(query, 2)


def test_a_crash_writing_a_base_keeps_the_last_good_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = IndexStore(tmp_path)
    store.save(make_index(entry("z.txt", "子丑", 9)))
    real_write = columns.write_array

    def crashing_write(path: Path, array: np.ndarray) -> None:
        if path.name == "term_rows.npy":  # after the records and the vectors
            raise OSError("disk full (simulated)")
        real_write(path, array)

    monkeypatch.setattr(columns, "write_array", crashing_write)
    with pytest.raises(OSError, match="simulated"):
        store.save(merged_index(monkeypatch))
    assert not any(store.spill_directory.iterdir())  # the half-written base is gone
    monkeypatch.setattr(columns, "write_array", real_write)
    assert list(IndexStore(tmp_path).load().documents) == ["z.txt"]
    store.save(merged_index(monkeypatch))
    assert sorted(store.load().documents) == ["b.txt", "c.txt"]
    assert [p.name for p in (tmp_path / index_store.BASES_DIR).iterdir()] == [store.read_manifest()["base"]]


def test_start_up_cleaning_removes_leftovers_but_never_the_current_index(tmp_path: Path) -> None:
    store = IndexStore(tmp_path)
    for seed in range(3):
        store.save(make_index(entry("a.txt", "甲乙丙", seed)))
    (tmp_path / ".gen-000009.partial").mkdir()
    stray = tmp_path / index_store.SEGMENTS_DIR / "0123abcd.json"
    stray.write_text("{}", encoding="utf-8")
    (tmp_path / "gen-000001").mkdir(exist_ok=True)  # an old generation a crash left behind
    store.clean()
    assert not (tmp_path / ".gen-000009.partial").exists() and not stray.exists()
    generations = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("gen-"))
    assert len(generations) == index_store.KEEP_GENERATIONS
    assert store.load().document("a.txt").content_hash == "h2"


def test_a_format_1_index_still_loads(tmp_path: Path) -> None:
    generation = tmp_path / "gen-000001"
    generation.mkdir()
    item = entry("a.txt", "甲乙丙", 1)
    (generation / "documents.json").write_text(
        json.dumps([records.document_record(item)], ensure_ascii=False), encoding="utf-8"
    )
    np.save(generation / "chunk_vectors.npy", item.chunk_vectors)
    np.save(generation / "sentence_vectors.npy", item.sentence_vectors)
    manifest = {"format_version": 1, "embedding_model": "test-model", "dimension": DIM, "index_type": "flat"}
    (generation / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (tmp_path / "CURRENT").write_text("gen-000001", encoding="utf-8")
    assert IndexStore(tmp_path).load().chunks[0].text == "甲乙丙"


def test_model_mismatch_is_explained(tmp_path: Path) -> None:
    store = IndexStore(tmp_path)
    store.save(make_index(entry("a.txt", "甲乙丙", 1)))
    store.check_model("test-model", DIM)  # same model: fine
    with pytest.raises(ModelMismatchError, match="re-index|Re-index"):
        store.check_model("other-model")
    with pytest.raises(ModelMismatchError, match="dimension 8"):
        store.check_model("test-model", 384)


def test_old_generations_are_pruned(tmp_path: Path) -> None:
    store = IndexStore(tmp_path)
    for seed in range(4):
        store.save(make_index(entry("a.txt", "甲乙丙", seed)))
    generations = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("gen-"))
    assert len(generations) == index_store.KEEP_GENERATIONS
    assert store.current_generation().name == generations[-1]


def test_hnsw_index_finds_the_same_neighbours_and_survives_a_reload(tmp_path: Path) -> None:
    entries = [entry(f"d{i}.txt", f"文本{i}", i) for i in range(40)]
    flat = DocumentIndex("test-model", DIM, "flat", {e.document.doc_id: e for e in entries})
    hnsw = DocumentIndex("test-model", DIM, "hnsw", {e.document.doc_id: e for e in entries})
    store = IndexStore(tmp_path)
    store.save(hnsw)
    reloaded = store.load()
    assert reloaded.index_type == "hnsw"
    for probe in entries[:10]:
        query = probe.chunk_vectors[0]
        expected = [i for i, _ in flat.dense_search(query, 3)]
        assert [i for i, _ in reloaded.dense_search(query, 3)][0] == expected[0]


def test_who_added_a_document_and_when_survive_a_reload(tmp_path: Path) -> None:
    from dataclasses import replace

    store = IndexStore(tmp_path)
    item = replace(entry("a.txt", "甲乙丙", 1), added_by="key-0123456789ab", added_at="2026-11-30T15:00:00+00:00")
    store.save(make_index(item, entry("b.txt", "丁戊己", 2)))
    loaded = store.load()
    assert (loaded.documents["a.txt"].added_by, loaded.documents["a.txt"].added_at) == (
        "key-0123456789ab", "2026-11-30T15:00:00+00:00"
    )
    assert loaded.documents["b.txt"].added_by == ""


def test_the_document_structure_and_metadata_survive_a_reload(tmp_path: Path) -> None:
    """The heading tree, the 公文's own metadata and the pages (with OCR flags) are saved, so
    citations and the answering code see them after a restart."""
    from rag.schema import DocumentMeta, Page

    item = entry("c.txt", "一、总则（一）范围", 3)
    document = item.document
    document.headings = [Heading(0, "一、总则", 3), Heading(3, "（一）范围", 5, 7, True)]
    document.meta = DocumentMeta(issuer="某市人民政府", doc_number="某政发〔2024〕1号", date="2024-05-06")
    document.pages = [Page(1, 0, ocr=True, confidence=0.93)]
    store = IndexStore(tmp_path)
    store.save(make_index(item))
    loaded = store.load().document("c.txt")
    assert loaded.headings == document.headings
    assert loaded.meta == document.meta
    assert loaded.pages == document.pages


def test_an_index_written_before_the_heading_tree_still_loads() -> None:
    assert records._heading([5, "标题"]) == Heading(5, "标题")


def test_a_merged_base_is_moved_into_the_store_not_written_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rag.store import index as index_module

    monkeypatch.setattr(index_module, "MERGE_MIN_CHUNKS", 1)
    store = IndexStore(tmp_path)
    index = store.snapshot(make_index(entry("a.txt", "甲乙丙", 1)))
    index = index.with_documents([entry("b.txt", "丁戊己", 2)])
    spilled = index.parts[0].folder
    assert spilled is not None and spilled.parent == store.spill_directory
    written: list[str] = []
    monkeypatch.setattr(columns, "write_array", lambda path, array: written.append(path.name))
    store.save(index)
    assert written == []  # the merge's files are the base's
    assert index.parts[0].folder == tmp_path / index_store.BASES_DIR / index.parts[0].name
    assert not spilled.exists() and not any(store.spill_directory.iterdir())
    monkeypatch.undo()
    assert sorted(store.load().documents) == ["a.txt", "b.txt"]


def test_cleaning_removes_the_spill_folders_of_dead_processes_only(tmp_path: Path) -> None:
    store = IndexStore(tmp_path)
    store.save(make_index(entry("a.txt", "甲乙丙", 1)))
    spills = tmp_path / index_store.SPILL_DIR
    dead, running = spills / "999999999", spills / "1"  # no such process; init is always running
    for folder in (dead, running, store.spill_directory):
        (folder / "base").mkdir(parents=True)
    store.clean()
    assert not dead.exists() and running.exists() and store.spill_directory.exists()


def test_a_format_3_base_still_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A base written before records were kept as bytes: one records.json, no catalog."""
    store = IndexStore(tmp_path)
    original = merged_index(monkeypatch)
    store.save(original)
    folder = tmp_path / index_store.BASES_DIR / store.read_manifest()["base"]
    stored = open_columns(folder)["records"]
    old_records = [stored.record(n) for n in range(len(stored.offsets) - 1)]
    (folder / "records.json").write_text(json.dumps(old_records, ensure_ascii=False), encoding="utf-8")
    for name in ("records.bin", "record_offsets.npy", "catalog.json", "chunk_counts.npy", "sentence_counts.npy"):
        (folder / name).unlink()
    loaded = IndexStore(tmp_path).load()
    assert sorted(loaded.documents) == ["b.txt", "c.txt"]
    assert loaded.bm25_search(["丁", "甲"], 3) == original.bm25_search(["丁", "甲"], 3)
    assert loaded.chunks[loaded.chunk_position("c.txt#0")].text == "甲丁"


def test_a_loaded_base_lists_its_documents_from_the_catalog_without_reading_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = IndexStore(tmp_path)
    original = merged_index(monkeypatch)
    store.save(original)
    loaded = store.load()
    expected = records.CatalogEntry.of(original.documents["c.txt"])

    def no_reading(self: records.Records, number: int) -> dict:
        raise AssertionError("a record was read")

    monkeypatch.setattr(records.Records, "record", no_reading)
    entry_c = loaded.catalog("c.txt")
    assert entry_c == expected
    assert (entry_c.title, entry_c.characters, loaded.chunk_count("c.txt")) == ("title c.txt", 2, 1)
    assert loaded.content_hash("b.txt") == "h2" and loaded.content_hash("a.txt") is None
    with pytest.raises(AssertionError, match="read"):
        loaded.document("c.txt")  # the text itself is read from the record


@pytest.mark.parametrize("damage", ["truncate records", "drop catalog"])
def test_a_damaged_base_is_reported_at_load_not_at_a_question(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    store = IndexStore(tmp_path)
    store.save(merged_index(monkeypatch))
    folder = tmp_path / index_store.BASES_DIR / store.read_manifest()["base"]
    if damage == "truncate records":
        blob = folder / "records.bin"
        blob.write_bytes(blob.read_bytes()[:-10])
    else:
        (folder / "catalog.json").unlink()
    with pytest.raises(IndexCorruptError, match="damaged"):
        IndexStore(tmp_path).load()
