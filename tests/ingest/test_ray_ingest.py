"""``rag index --ray`` on a local Ray (two CPUs) gives the chunks and answers of the plain path."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rag.engine import Engine
from rag.ingest.loading import collect_loaded, document_files, try_load
from tests.conftest import make_settings

DOCUMENTS = {
    "harbin.txt": "哈尔滨市总工会关于大工匠的通知\n\n一、奖励标准\n哈尔滨市大工匠由每年评选10人增加到50人，"
    "由每人奖励1万元提高到5万元。获评者同时享受市级劳动模范待遇。\n\n二、评选范围\n全市各类企业一线职工均可申报。",
    "hebei.txt": "河北省产业工人队伍建设改革情况\n\n河北省技能人才总量达到一千万人，其中高技能人才三百万人。"
    "省总工会组织开展劳动和技能竞赛，参与职工超过五百万人次。",
    "shanxi.txt": "山西省吕梁市企业情况\n\n交城县有规模以上工业企业二十家。交口县有规模以上工业企业十五家。"
    "两县均开展了产业工人技能提升行动。",
}


def write_corpus(folder: Path) -> Path:
    for name, text in DOCUMENTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "sub").mkdir()
    (folder / "sub" / "hebei.txt").write_text("同名的另一个文件。", encoding="utf-8")  # a duplicate name
    (folder / "empty.txt").write_text("", encoding="utf-8")  # unreadable: empty
    return folder


def test_collect_loaded_applies_the_duplicate_name_rule_to_results_from_anywhere(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path)
    files = document_files([corpus, corpus / "harbin.txt"])  # a file given twice is read once
    assert [f.name for f in files] == ["empty.txt", "harbin.txt", "hebei.txt", "shanxi.txt", "hebei.txt"]
    documents, errors = collect_loaded(reversed([(f, try_load(f)) for f in files]))  # any order of results
    assert [d.doc_id for d in documents] == ["hebei.txt", "shanxi.txt", "harbin.txt"]
    assert [e.name for e in errors] == ["hebei.txt", "empty.txt"]
    assert "duplicate file name" in str(errors[0]) and "empty file" in str(errors[1])


@pytest.mark.slow
def test_ray_index_gives_the_plain_chunks_and_answers(tmp_path: Path) -> None:
    (tmp_path / "corpus").mkdir()
    corpus = write_corpus(tmp_path / "corpus")
    plain = Engine.open(make_settings(tmp_path / "plain"), allow_empty=True)
    plain_report = plain.index_paths([corpus])
    distributed = Engine.open(make_settings(tmp_path / "ray"), allow_empty=True)
    ray_report = distributed.index_paths([corpus], ray="local")

    assert ray_report.added == plain_report.added == ["harbin.txt", "hebei.txt", "shanxi.txt"]
    assert [str(f) for f in ray_report.failed] == [str(f) for f in plain_report.failed]
    assert len(ray_report.failed) == 2
    # ids, offsets, texts, headings, pages (the index's rows are views read on demand: compare items)
    assert list(distributed.index.chunks) == list(plain.index.chunks)
    assert list(distributed.index.sentences) == list(plain.index.sentences)
    for doc_id, item in plain.index.documents.items():
        other = distributed.index.documents[doc_id]
        assert other.chunk_tokens == item.chunk_tokens
        np.testing.assert_allclose(other.chunk_vectors, item.chunk_vectors, atol=1e-4)
        np.testing.assert_allclose(other.sentence_vectors, item.sentence_vectors, atol=1e-4)

    reopened = Engine.open(make_settings(tmp_path / "ray"))  # written to the configured store
    question = "哈尔滨市对大工匠每人奖励多少钱？"
    expected = plain.ask(question)
    answer = reopened.ask(question)
    assert expected.short_answer == "5万元"
    assert answer.short_answer == expected.short_answer and answer.answer == expected.answer
    assert [(c.doc, c.start, c.end) for c in answer.citations] == [(c.doc, c.start, c.end) for c in expected.citations]
