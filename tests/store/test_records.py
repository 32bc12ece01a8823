"""Base records: what is stored per document and how a base reads a document only when asked."""

import json

import numpy as np
import pytest

from rag.schema import Chunk, Document
from rag.store import records as records_module
from rag.store.records import LazyItems, Records, base_record, document_from_record

DIM = 4


def item(doc_id: str, text: str, repaired: str | None = None) -> records_module.IndexedDocument:
    doc = Document(doc_id, f"title {doc_id}", text, content_hash=f"h-{doc_id}")
    half = len(text) // 2
    chunks = [Chunk(f"{doc_id}#0", doc_id, doc.title, "", text, text, 0, len(text))]
    spans = [(0, half), (half, len(text))]
    texts = [text[:half], repaired if repaired is not None else text[half:]]
    vectors = np.eye(DIM, dtype=np.float32)[:1]
    return records_module.IndexedDocument(doc, chunks, [list(text)], vectors, spans, texts,
                                          np.eye(DIM, dtype=np.float32)[:2], added_by="cli", added_at="t")


def test_a_base_record_leaves_out_what_the_text_already_holds_and_reads_back_the_same() -> None:
    original = item("a.txt", "第一句话。第二句话。", repaired="第二句 话。")
    record = json.loads(base_record(original))
    assert "text" not in record["chunks"][0] and "chunk_tokens" not in record
    assert record["sentence_texts"] == [None, "第二句 话。"]  # only the repaired one is stored
    back = document_from_record(record, original.chunk_vectors, original.sentence_vectors)
    assert back.chunks == original.chunks
    assert back.sentence_texts == original.sentence_texts
    assert (back.document, back.sentence_spans, back.added_by) == (original.document, original.sentence_spans, "cli")


def test_lazy_items_parse_a_record_only_when_asked_and_keep_the_recent_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records_module, "RECORD_CACHE", 2)
    entries = [item(f"{n}.txt", "甲乙丙丁。戊己庚辛。") for n in range(4)]
    stored = Records.of([base_record(e) for e in entries])
    parsed: list[int] = []
    real = Records.record

    def counting(self: Records, number: int) -> dict:
        parsed.append(number)
        return real(self, number)

    monkeypatch.setattr(Records, "record", counting)
    items = LazyItems(stored, lambda n: (entries[n].chunk_vectors, entries[n].sentence_vectors))
    assert len(items) == 4 and parsed == []
    assert items[2].document.doc_id == "2.txt" and items[-1].document.doc_id == "3.txt"
    assert items[2] is items[2] and parsed == [2, 3]  # cached
    items[0]  # evicts 3, the least recently used
    items[3]
    assert parsed == [2, 3, 0, 3]
    with pytest.raises(IndexError):
        items[4]
