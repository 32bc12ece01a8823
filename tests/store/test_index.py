"""Snapshots made of parts: an update indexes only its documents, and any mix of parts, deletions
and merges searches exactly like an index built from scratch over the live documents."""

from pathlib import Path

import numpy as np
import pytest

from rag.schema import Chunk, Document
from rag.store import index as index_module
from rag.store.index import DocumentIndex, IndexedDocument
from rag.store.lexical import Postings

DIM = 8
TEXTS = ["甲乙丙丁", "乙丙戊己", "庚辛壬癸", "甲庚子丑", "丙丁寅卯", "辰巳午未"]


def entry(number: int, text: str | None = None) -> IndexedDocument:
    text = text or TEXTS[number % len(TEXTS)]
    rng = np.random.default_rng(number)
    vectors = rng.normal(size=(2, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    doc_id = f"d{number}.txt"
    doc = Document(doc_id, f"title {number}", text + "。" + text, content_hash=f"h{number}-{text}")
    chunks = [Chunk(f"{doc_id}#{i}", doc_id, doc.title, "", text, text, i * 5, i * 5 + 4) for i in range(2)]
    return IndexedDocument(doc, chunks, [list(text), list(text[:2])], vectors, [(0, 4), (5, 9)], [text, text],
                           vectors[::-1].copy())


def fresh(items: list[IndexedDocument]) -> DocumentIndex:
    return DocumentIndex("m", DIM, "flat", {i.document.doc_id: i for i in items})


def results(index: DocumentIndex, query: np.ndarray) -> tuple[list, list, float, np.ndarray]:
    """What a question sees, by chunk id (positions differ between equivalent snapshots)."""
    dense = [(index.chunks[i].chunk_id, round(s, 5)) for i, s in index.dense_search(query, 4)]
    bm25 = [(index.chunks[i].chunk_id, round(s, 5)) for i, s in index.bm25_search(["甲", "丙", "庚"], 4)]
    position = index.chunk_position("d3.txt#1")
    sentences = index.sentences_of_chunk(index.chunks[position])
    return dense, bm25, index.idf("丙"), index.sentence_similarities(query, sentences)


def test_an_update_indexes_only_the_new_document(monkeypatch: pytest.MonkeyPatch) -> None:
    index = fresh([entry(n) for n in range(4)])
    built: list[int] = []
    real = Postings.build
    monkeypatch.setattr(Postings, "build", classmethod(lambda cls, tokens, vocabulary: built.append(len(tokens))
                                                       or real(tokens, vocabulary)))
    index.with_documents([entry(4)])
    index.without_documents(["d1.txt"])
    assert built == [2]  # the new document's two chunks; the deletion builds nothing


@pytest.mark.parametrize("merge_min", [1000, 3])
def test_parts_deletions_and_merges_search_like_a_fresh_index(monkeypatch: pytest.MonkeyPatch, merge_min: int) -> None:
    monkeypatch.setattr(index_module, "MERGE_MIN_CHUNKS", merge_min)
    monkeypatch.setattr(index_module, "MAX_DELTA_PARTS", 2)
    index = fresh([entry(n) for n in range(3)])
    for n in range(3, 6):
        index = index.with_documents([entry(n)])
    index = index.without_documents(["d1.txt"]).with_documents([entry(0, "子丑寅卯")])  # replace d0
    live = [entry(0, "子丑寅卯"), *(entry(n) for n in (2, 3, 4, 5))]
    assert sorted(index.documents) == sorted(i.document.doc_id for i in live)
    assert index.info().chunks == 10
    query = entry(3).chunk_vectors[1]
    expected = results(fresh(live), query)
    got = results(index, query)
    assert got[:3] == expected[:3]
    np.testing.assert_allclose(got[3], expected[3], atol=2e-3)  # float16 once merged into a base
    if merge_min == 3:
        assert index.parts[0].base and index.parts[0].sentence_matrix.dtype == np.float16
    else:
        assert not any(p.base for p in index.parts) and len(index.parts) <= 3


def test_an_old_snapshot_is_unchanged_by_later_updates() -> None:
    old = fresh([entry(n) for n in range(3)])
    before = old.bm25_search(["甲"], 5)
    new = old.with_documents([entry(3, "甲甲甲甲")]).without_documents(["d0.txt"])
    assert old.bm25_search(["甲"], 5) == before
    assert "d0.txt" in old.documents and "d0.txt" not in new.documents
    assert new.chunks[new.bm25_search(["甲"], 1)[0][0]].doc_id == "d3.txt"


def test_a_bulk_build_searches_like_a_fresh_index_and_a_later_id_wins(tmp_path: Path) -> None:
    items = [entry(n) for n in range(6)]
    empty = DocumentIndex("m", DIM, "flat", spill=tmp_path)
    built = empty.bulk_built([items[:2], [], items[2:5], [items[5], entry(0, "子丑寅卯")]])
    live = [entry(0, "子丑寅卯"), *items[1:]]
    assert built.parts[0].base and len(built.parts) == 1
    assert sorted(built.documents) == sorted(i.document.doc_id for i in live)
    assert built.document("d0.txt").text.startswith("子丑寅卯")
    query = entry(3).chunk_vectors[1]
    expected, got = results(fresh(live), query), results(built, query)
    assert got[:3] == expected[:3]
    np.testing.assert_allclose(got[3], expected[3], atol=2e-3)
    with pytest.raises(ValueError, match="empty"):
        built.bulk_built([items[:1]])


def test_a_spilled_base_lives_in_a_folder_removed_with_the_last_snapshot_using_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    monkeypatch.setattr(index_module, "MERGE_MIN_CHUNKS", 1)
    index = DocumentIndex("m", DIM, "flat", spill=tmp_path).with_documents([entry(0)]).with_documents([entry(1)])
    folder = index.parts[0].folder
    assert folder is not None and folder.parent == tmp_path and folder.is_dir()
    assert isinstance(index.parts[0].chunk_matrix, np.memmap)
    assert index.chunks[index.chunk_position("d1.txt#1")].text == entry(1).chunks[1].text
    merged_again = index.with_documents([entry(2)])
    assert merged_again.parts[0].folder != folder
    del index
    gc.collect()
    assert not folder.exists()  # no snapshot uses it any more
    assert merged_again.parts[0].folder.is_dir()


def test_auto_searches_a_big_part_with_ivf_and_small_ones_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    import faiss

    monkeypatch.setattr(index_module, "IVF_MIN_CHUNKS", 40)
    monkeypatch.setattr(index_module, "IVF_NPROBE", 1000)  # every list: exact, to compare
    small = DocumentIndex("m", DIM, "auto", {e.document.doc_id: e for e in (entry(n) for n in range(10))})
    assert isinstance(small.parts[0].dense, faiss.IndexFlat)
    items = [entry(n) for n in range(30)]
    big = DocumentIndex("m", DIM, "auto", {e.document.doc_id: e for e in items})
    assert isinstance(big.parts[0].dense, faiss.IndexIVF)
    exact = DocumentIndex("m", DIM, "flat", {e.document.doc_id: e for e in items})
    for n in range(5):
        query = entry(100 + n).chunk_vectors[0]
        assert [i for i, _ in big.dense_search(query, 5)] == [i for i, _ in exact.dense_search(query, 5)]


def test_dense_search_looks_past_many_dead_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_module, "MERGE_MIN_CHUNKS", 10_000)  # keep the dead chunks in place
    items = [entry(n) for n in range(20)]
    index = fresh(items).without_documents([f"d{n}.txt" for n in range(19)])
    query = items[3].chunk_vectors[0]  # nearest to dead chunks
    hits = index.dense_search(query, 2)
    assert {index.chunks[i].doc_id for i, _ in hits} == {"d19.txt"} and len(hits) == 2


def test_a_merge_made_meanwhile_rebases_the_current_snapshot_keeping_later_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(index_module, "MERGE_MIN_CHUNKS", 3)
    index = DocumentIndex("m", DIM, "flat", defer_merges=True)
    for n in range(3):
        index = index.with_documents([entry(n)])
    assert index.merge_due() and not any(p.base for p in index.parts)  # deferred: nothing merged inline
    source = index
    base = source.merged()
    # meanwhile: one upload, one replacement and one deletion
    current = source.with_documents([entry(3)]).with_documents([entry(0, "子丑寅卯")]).without_documents(["d1.txt"])
    rebased = current.rebased(source, base)
    assert rebased is not None and rebased.parts[0] is base and rebased.defer_merges
    live = [entry(0, "子丑寅卯"), entry(2), entry(3)]
    assert sorted(rebased.documents) == sorted(i.document.doc_id for i in live)
    query = entry(2).chunk_vectors[0]
    expected, got = results(fresh(live), query), results(rebased, query)
    assert got[:3] == expected[:3]
    np.testing.assert_allclose(got[3], expected[3], atol=2e-3)
    unrelated = DocumentIndex("m", DIM, "flat", {"d9.txt": entry(9)})
    assert unrelated.rebased(source, base) is None


def test_the_chunks_and_sentences_of_a_snapshot_read_like_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_module, "MERGE_MIN_CHUNKS", 3)
    items = [entry(n) for n in range(4)]
    index = fresh(items[:2]).with_documents([items[2]]).with_documents([items[3]])  # a base and a delta
    assert [p.base for p in index.parts] == [True, False]
    expected_chunks = [c for i in items for c in i.chunks]
    assert len(index.chunks) == 8 and list(index.chunks) == expected_chunks
    assert index.chunks[-1] == expected_chunks[-1] and index.chunks[2:4] == expected_chunks[2:4]
    assert [(s.doc_id, s.start, s.text) for s in index.sentences] == [
        (i.document.doc_id, start, text)
        for i in items for (start, _), text in zip(i.sentence_spans, i.sentence_texts, strict=True)
    ]
    with pytest.raises(IndexError):
        index.chunks[8]

