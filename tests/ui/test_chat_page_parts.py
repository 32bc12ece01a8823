"""The chat page's pieces without a browser or a model: rendering, feedback log, export, access.

Fast checks of what the browser tests only see through the page: escaping, where the <mark>
goes, what a refusal looks like, what the feedback log and the export contain, and that the page
follows the API's key rules.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from rag.schema import Answer, Citation, Refusal
from rag.settings import Settings
from ui.chat_page import chat_messages, documents_writable, mount_chat_page
from ui.conversation import Turn, engine_history, turn_of_message
from ui.export import conversation_markdown
from ui.feedback import FeedbackLog, feedback_record, vote_of
from ui.rendering import (
    answer_markdown,
    document_html,
    locate,
    pending_markdown,
    refusal_reason_text,
    sources_html,
)

SENTENCE = "哈尔滨市大工匠由每年评选10人增加到50人，由每人奖励1万元提高到5万元。"
PASSAGE = "与此同时，哈尔滨市对于高层次产业工人也加大了评选奖励的力度。" + SENTENCE + "对于<获奖>人才……"


def harbin_answer(**update: object) -> Answer:
    citation = Citation(
        n=1, doc="000.txt", title="龙江产改纪实", text=PASSAGE, start=100, end=100 + len(PASSAGE),
        score=0.9, highlight=SENTENCE,
    )
    answer = Answer(
        question="哈尔滨市对大工匠每人奖励多少钱？", answer=SENTENCE + "[1]", short_answer="5万元",
        citations=[citation],
    )
    return answer.model_copy(update=update)


def test_locate_tolerates_line_breaks_inside_the_sentence() -> None:
    text = "前文。哈尔滨市大工匠由每年评选10人\n增加到50人。后文"
    start, end = locate(text, "哈尔滨市大工匠由每年评选10人增加到50人。")
    assert text[start:end] == "哈尔滨市大工匠由每年评选10人\n增加到50人。"
    assert locate(text, "不存在的句子") is None
    assert locate(text, None) is None


def test_answer_markdown_shows_short_answer_marker_and_source() -> None:
    text = answer_markdown(harbin_answer())
    assert text.startswith("**答案：5万元**")
    assert "\\[1\\]" in text  # renders as [1]
    assert "来源" in text and "龙江产改纪实" in text


def test_refusal_is_not_presented_as_an_answer() -> None:
    refused = harbin_answer(refused=True, short_answer=None, answer="资料中未找到相关信息。",
                            refusal=Refusal(reason="weak_evidence"))
    text = answer_markdown(refused)
    assert "资料中未找到答案" in text and "答案：" not in text
    panel = sources_html(refused.citations, refused=True, refusal=refused.refusal)
    assert "相关段落（非答案）" in panel and ">来源<" not in panel
    assert "资料中未找到足够相关的内容" in panel


@pytest.mark.parametrize(
    ("refusal", "reason"),
    [
        (Refusal(reason="missing_entity", missing=["齐齐哈尔"]), "资料中有相近内容，但不是关于“齐齐哈尔”的"),
        (Refusal(reason="missing_entity", missing=["齐齐哈尔", "2019年"]),
         "资料中有相近内容，但不是关于“齐齐哈尔、2019年”的"),
        (Refusal(reason="missing_entity"), "资料中有相近内容，但不是关于所问对象的"),
        (Refusal(reason="unanswerable_kind"), "资料中没有所问类型的数字"),
        (Refusal(reason="weak_evidence"), "资料中未找到足够相关的内容"),
        (Refusal(reason="no_passages"), "资料中未找到足够相关的内容"),
        (Refusal(reason="incomplete_comparison", missing=["大庆市"]), "比较所需的部分数据缺失：大庆市"),
        (None, "资料中未找到足够相关的内容"),  # a refusal saved before reasons existed
    ],
)
def test_a_refusal_says_why_in_plain_chinese(refusal: Refusal | None, reason: str) -> None:
    assert refusal_reason_text(refusal) == reason
    refused = harbin_answer(refused=True, short_answer=None, refusal=refusal,
                            answer="资料中未找到相关信息。以下是最相关的段落，仅供参考。")
    text = answer_markdown(refused)
    assert text.startswith("**资料中未找到答案。**")
    assert f"原因：{reason}。" in text
    assert "答案：" not in text and SENTENCE not in text
    assert reason in sources_html(refused.citations, refused=True, refusal=refusal)


def test_the_refusal_card_follows_refused_not_the_wording() -> None:
    # refusal-like wording in an answer that was not refused is shown as an answer
    answered = harbin_answer(answer="资料中未找到……但" + SENTENCE + "[1]", short_answer=None)
    assert "资料中未找到答案" not in answer_markdown(answered)
    # a refused answer is a refusal card whatever its wording says, even with a short answer left over
    refused = harbin_answer(refused=True, refusal=Refusal(reason="missing_entity", missing=["齐齐哈尔"]))
    text = answer_markdown(refused)
    assert "资料中未找到答案" in text and "答案：5万元" not in text and "齐齐哈尔" in text


def test_no_bold_answer_line_without_a_short_answer() -> None:
    text = answer_markdown(harbin_answer(short_answer=None))
    assert "**" not in text and "答案：" not in text
    assert text.startswith(SENTENCE)  # the quoted sentence alone (and its sources)
    assert "答案：" not in answer_markdown(harbin_answer(short_answer="  "))
    assert answer_markdown(harbin_answer()).startswith("**答案：5万元**")


def test_sources_panel_marks_the_sentence_and_escapes_the_document() -> None:
    panel = sources_html(harbin_answer().citations)
    assert f'<mark class="rag-hl">{SENTENCE}</mark>' in panel
    assert "&lt;获奖&gt;" in panel and "<获奖>" not in panel
    assert 'data-open-doc="1"' in panel
    pending = sources_html(harbin_answer().citations, pending=True)
    assert "data-open-doc" not in pending  # no full-text button before the answer is final


def test_document_view_anchors_the_cited_passage() -> None:
    citation = harbin_answer().citations[0]
    document = "x" * 100 + PASSAGE + "结尾"
    view = document_html("龙江产改纪实", "000.txt", document, citation)
    assert '<span class="rag-focus" id="rag-focus">' in view
    assert f'<mark class="rag-hl">{SENTENCE}</mark>' in view


def test_chat_messages_pair_turns_and_history_skips_failures() -> None:
    turns = [Turn("q1", answer=harbin_answer()), Turn("q2", error="服务正在加载，请稍后再试"), Turn("q3")]
    messages = chat_messages(turns)
    assert [m["role"] for m in messages] == ["user", "assistant"] * 3
    assert "服务正在加载" in messages[3]["content"]
    assert messages[5]["content"] == pending_markdown(None, "")
    assert [t.role for t in engine_history(turns)] == ["user", "assistant"]
    assert turn_of_message(3) == 1


def test_feedback_log_appends_json_lines(tmp_path: Path) -> None:
    log = FeedbackLog(tmp_path / "deep" / "feedback.jsonl")
    moment = datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    log.append(feedback_record("问", harbin_answer(), "up", now=moment))
    log.append(feedback_record("问2", None, "down", error="出错"))
    lines = [json.loads(line) for line in log.path.read_text(encoding="utf-8").splitlines()]
    assert lines[0]["vote"] == "up" and lines[0]["short_answer"] == "5万元"
    assert lines[0]["timestamp"] == "2025-01-02T03:04:05+00:00"
    assert lines[0]["refusal"] is None
    assert lines[0]["citations"][0]["highlight"] == SENTENCE
    assert lines[1]["answer"] == "出错" and lines[1]["citations"] == []
    assert (vote_of(True), vote_of(False), vote_of("Dislike"), vote_of(None)) == ("up", "down", "down", None)


def test_feedback_records_the_refusal_reason(tmp_path: Path) -> None:
    refused = harbin_answer(refused=True, short_answer=None,
                            refusal=Refusal(reason="missing_entity", missing=["齐齐哈尔"]))
    record = feedback_record("问", refused, "down")
    assert record["refusal"] == {"reason": "missing_entity", "missing": ["齐齐哈尔"]}


def test_export_keeps_each_answer_with_its_sources() -> None:
    exported = conversation_markdown([Turn("哈尔滨市对大工匠每人奖励多少钱？", answer=harbin_answer())])
    assert "## 问题 1：哈尔滨市对大工匠每人奖励多少钱？" in exported
    assert "**答案：5万元**" in exported
    assert "### 来源" in exported and f"依据句：**{SENTENCE}**" in exported


def test_document_changes_follow_the_api_key_rules() -> None:
    assert not documents_writable(Settings())
    assert documents_writable(Settings(open_local_mode=True))
    assert documents_writable(Settings(api_keys=["k"]))


def test_page_asks_for_a_key_when_the_server_has_keys() -> None:
    app = FastAPI()
    mount_chat_page(app, lambda: None, Settings(api_keys=["secret"]))
    with TestClient(app) as client:
        assert client.get("/ui/config").status_code == 401
        assert client.post("/ui/login", data={"username": "u", "password": "wrong"}).status_code == 400
        assert client.post("/ui/login", data={"username": "u", "password": "secret"}).status_code == 200
        assert client.get("/ui/config").status_code == 200


def test_the_documents_tab_shows_who_added_each_document_and_when() -> None:
    from rag.engine import DocumentSummary
    from ui.documents import DOCUMENT_HEADERS, DOCUMENT_TYPES, document_rows

    rows = document_rows([
        DocumentSummary("b.txt", "乙", 2, 40, "h2", added_by="key-0123456789ab", added_at="2026-11-30T15:00:00+00:00"),
        DocumentSummary("a.txt", "甲", 1, 20, "h1", added_by="local", added_at=""),
    ])
    assert len(DOCUMENT_HEADERS) == len(DOCUMENT_TYPES) == len(rows[0])
    assert rows[0][4:] == ["本机（开放模式）", "未记录"]
    assert rows[1][4:] == ["key-0123456789ab", "2026-11-30 15:00:00 UTC"]


def test_the_page_records_the_key_id_a_user_logged_in_with() -> None:
    from rag.api.auth import key_id
    from ui.chat_page import ChatPage, _key_login

    key = "page-key-0123456789abcdef"
    page = ChatPage(lambda: None, Settings(api_keys=[key]))
    check = _key_login(page.settings, page)
    assert not check("amy", "wrong") and "amy" not in page.login_keys
    assert check("amy", key)

    import gradio as gr

    assert page.uploader(gr.Request(username="amy")) == key_id(key)
    assert ChatPage(lambda: None, Settings(open_local_mode=True)).uploader(None) == "local"
