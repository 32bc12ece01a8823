"""Real formats through the whole product: a table cell in a DOCX and in a PDF, and a fact that only a
scanned page holds, each answered by ``Engine.ask`` and cited (uses the embedding model: slow)."""

from __future__ import annotations

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
