"""A base's columns: written to a folder and mapped back, or built a batch at a time, they equal
the columns a merge keeps in memory."""

from pathlib import Path

import faiss
import numpy as np
import pytest

from rag.store.columns import BaseWriter, FolderSink, MemorySink, gather_rows, open_columns
from rag.store.lexical import Postings, Vocabulary
from rag.store.records import CatalogEntry, Records, catalog_columns


def faiss_flat(matrix: np.ndarray) -> faiss.Index:
    index = faiss.IndexFlatIP(matrix.shape[1])
    index.add(np.ascontiguousarray(matrix))
    return index


def test_gather_rows_keeps_the_marked_rows_in_order_across_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    from rag.store import columns

    monkeypatch.setattr(columns, "BLOCK_ROWS", 2)
    first = np.arange(10, dtype=np.float32).reshape(5, 2)
    second = -np.arange(6, dtype=np.float32).reshape(3, 2)
    keep_first = np.array([True, False, True, True, False])
    keep_second = np.array([False, True, True])
    out = np.empty((5, 2), dtype=np.float32)
    gather_rows(out, [(first, keep_first), (second, keep_second)])
    np.testing.assert_array_equal(out, np.vstack([first[keep_first], second[keep_second]]))


def test_a_folder_and_a_bulk_writer_give_the_columns_memory_gives(tmp_path: Path) -> None:
    vocabulary = Vocabulary()
    tokens = [["甲", "乙", "甲"], ["丙"], [], ["乙", "丁"]]
    postings = Postings.build(tokens, vocabulary)
    chunks = np.random.default_rng(1).normal(size=(4, 3)).astype(np.float32)
    sentences = np.random.default_rng(2).normal(size=(5, 3)).astype(np.float16)
    raws = [b'{"doc_id": "a"}', b'{"doc_id": "b"}']
    entries = [CatalogEntry("a", "ha", "甲", 3, "cli", "t", "230100"), CatalogEntry("b", "hb", "乙", 1, "", "", None)]
    catalog = catalog_columns(entries)
    results = []
    for sink in (MemorySink(), FolderSink(tmp_path / "folder")):
        sink.records(iter(raws))
        sink.put("catalog", catalog)
        sink.put("chunk_counts", np.array([3, 1]))
        sink.put("sentence_counts", np.array([2, 3]))
        sink.matrix("chunk_vectors", 4, 3, np.float32)[:] = chunks
        sink.matrix("sentence_vectors", 5, 3, np.float16)[:] = sentences
        sink.put("postings", postings)
        sink.put("vocabulary", vocabulary)
        results.append(sink.finish())
    writer = BaseWriter(tmp_path / "bulk", 3)
    for rows, docs in ((slice(0, 3), slice(0, 1)), (slice(3, 4), slice(1, 2))):
        part = Postings.build(tokens[rows], vocabulary)
        writer.add(raws[docs], entries[docs], [3, 1][docs],
                   [2, 3][docs], chunks[rows], sentences[[0, 1] if docs.start == 0 else [2, 3, 4]], part)
    results.append(writer.finish(vocabulary, faiss_flat))
    memory = results[0]
    for columns in results[1:]:
        assert isinstance(columns["chunk_vectors"], np.memmap)  # mapped, not read
        assert [columns["records"].raw(n) for n in range(2)] == raws
        assert columns["catalog"] == catalog
        np.testing.assert_array_equal(columns["chunk_vectors"], memory["chunk_vectors"])
        np.testing.assert_array_equal(columns["sentence_vectors"], memory["sentence_vectors"])
        np.testing.assert_array_equal(columns["chunk_counts"], [3, 1])
        for array in Postings.ARRAYS:
            np.testing.assert_array_equal(getattr(columns["postings"], array), getattr(memory["postings"], array))
        assert columns["vocabulary"] == vocabulary.tokens
    files = [sorted(p.name for p in (tmp_path / name).iterdir()) for name in ("bulk", "folder")]
    assert files[0] == files[1]
    assert isinstance(memory["records"], Records)
    assert open_columns(tmp_path / "bulk")["records"].raw(1) == raws[1]
