"""Real formats through the whole product: a table cell in a DOCX and in a PDF, and a fact that only a
scanned page holds, each answered by ``Engine.ask`` and cited (uses the embedding model: slow)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.engine import Engine
from rag.ingest.loading import load_bytes
from tests.ingest.builders import docx_with_table, scanned_pdf, text_pdf

HEADER = ["单位", "人才类别", "每人奖励"]


def test_table_cells_and_a_scanned_page_answer_questions_with_the_row_cited(fresh_engine: Engine) -> None:
    docx = docx_with_table(
        ["黑龙江省边境城市首席技师奖励名单", "各市奖励标准见下表。"],
        HEADER, [["抚远市", "首席技师", "8万元"], ["同江市", "首席技师", "4万元"]],
    )
    pdf = text_pdf(
        [["黑龙江省东部城市技能大师奖励标准", "各市奖励标准见下表。"]],
        table=[HEADER, ["虎林市", "技能大师", "6万元"], ["宝清县", "技能大师", "3万元"]],
    )
    scan = scanned_pdf(text_pdf([
        ["密山市技能人才工作通知", "密山市技能大师工作室每个资助12万元。", "资助资金由市财政列支。"]
    ]))
    documents = [load_bytes("border.docx", docx), load_bytes("east.pdf", pdf), load_bytes("mishan-scan.pdf", scan)]
    report = fresh_engine.add_documents(documents)
    assert sorted(report.added) == ["border.docx", "east.pdf", "mishan-scan.pdf"]

    for question, figure, doc_id, row in [
        ("抚远市首席技师每人奖励多少钱？", "8万元", "border.docx", "单位：抚远市，人才类别：首席技师，每人奖励：8万元。"),
        ("虎林市技能大师每人奖励多少钱？", "6万元", "east.pdf", "单位：虎林市，人才类别：技能大师，每人奖励：6万元。"),
    ]:
        answer = fresh_engine.ask(question)
        assert not answer.refused, (question, answer)
        assert figure in (answer.short_answer or answer.answer), (question, answer.answer)
        cited = [c for c in answer.citations if c.doc == doc_id]
        assert cited and row in cited[0].text, (question, answer.citations)
        assert "同江市" not in (answer.short_answer or "") and "宝清县" not in (answer.short_answer or "")

    answer = fresh_engine.ask("密山市技能大师工作室每个资助多少钱？")
    assert not answer.refused, answer
    assert "12万元" in (answer.short_answer or answer.answer)
    (cited,) = [c for c in answer.citations if c.doc == "mishan-scan.pdf"][:1]
    assert cited.ocr is True and cited.pages == [1]
    east = fresh_engine.ask("虎林市技能大师每人奖励多少钱？").citations[0]
    assert east.ocr is False and east.pages == [1]


def test_rag_ask_answers_from_a_scanned_page_and_a_table_cell(
    fresh_index_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's literal acceptance: files on disk, ``rag index`` then ``rag ask`` on the command line."""
    from typer.testing import CliRunner

    from rag.cli import app

    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "border.docx").write_bytes(docx_with_table(
        ["黑龙江省边境城市首席技师奖励名单", "各市奖励标准见下表。"],
        HEADER, [["抚远市", "首席技师", "8万元"], ["同江市", "首席技师", "4万元"]],
    ))
    (folder / "mishan-scan.pdf").write_bytes(scanned_pdf(text_pdf([
        ["密山市技能人才工作通知", "密山市技能大师工作室每个资助12万元。", "资助资金由市财政列支。"]
    ])))
    monkeypatch.setenv("RAG_INDEX_DIR", str(fresh_index_dir))
    runner = CliRunner()
    indexed = runner.invoke(app, ["index", str(folder)])
    assert indexed.exit_code == 0, indexed.output
    for question, figure, doc_id in [
        ("密山市技能大师工作室每个资助多少钱？", "12万元", "mishan-scan.pdf"),
        ("抚远市首席技师每人奖励多少钱？", "8万元", "border.docx"),
    ]:
        result = runner.invoke(app, ["ask", question, "--json"])
        assert result.exit_code == 0, result.output
        answer = json.loads(result.stdout)
        assert figure in (answer["short_answer"] or answer["answer"]), answer
        cited = [c for c in answer["citations"] if c["doc"] == doc_id]
        assert cited, answer["citations"]
        assert cited[0]["ocr"] is (doc_id == "mishan-scan.pdf")
