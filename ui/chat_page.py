"""The officials' chat page: streamed, cited answers with their sources beside them, and a
document-management tab.

``build_chat_page`` only lays out the page and wires events; what is shown comes from
``ui.rendering``, what is logged from ``ui.feedback`` and ``ui.export``, and the document work
from ``ui.documents``. The engine is never captured at build time: every event asks
``engine_provider()`` for the current one, so the page can be served while the models are still
loading and says 「服务正在加载，请稍后再试」 instead of failing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import gradio as gr
from fastapi import FastAPI

from rag.answering.registry import BACKEND_NAMES
from rag.api.auth import key_id, key_is_valid
from rag.engine import Engine
from rag.errors import DocumentError, RagError
from rag.ingest.limits import ParseLimits
from rag.schema import Answer
from rag.settings import Settings
from ui.conversation import Turn, engine_history, turn_of_message
from ui.documents import (
    DOCUMENT_HEADERS,
    DOCUMENT_TYPES,
    engine_documents,
    index_status_markdown,
    load_upload,
    report_markdown,
)
from ui.export import write_exports
from ui.feedback import FeedbackLog, feedback_record, vote_of
from ui.rendering import (
    LOADING_MESSAGE,
    answer_markdown,
    answer_meta,
    document_html,
    document_missing_html,
    error_markdown,
    escape_markdown,
    pending_markdown,
    sources_html,
)
from ui.page_limits import GradioErrorShape, LoginThrottle
from ui.styles import DOCUMENT_VIEW_JS, PAGE_CSS, SOURCES_JS
from ui.upload_guard import GradioFileGuard, blocked_paths, enable_gradio_path_checks, received_file

logger = logging.getLogger("ui.chat_page")

EngineProvider = Callable[[], Engine | None]

#: (button label, question sent). The follow-up only makes sense after an earlier question.
EXAMPLES: tuple[tuple[str, str], ...] = (
    ("哈尔滨市对大工匠每人奖励多少钱？", "哈尔滨市对大工匠每人奖励多少钱？"),
    ("How much did Harbin award each of its great craftsmen?",
     "How much did Harbin award each of its great craftsmen?"),
    ("追问：那河北呢？", "那河北呢？"),
    ("齐齐哈尔市对大工匠每人奖励多少钱？", "齐齐哈尔市对大工匠每人奖励多少钱？"),
)

BACKEND_LABELS = {"extractive": "摘录原文（默认）", "openai": "OpenAI 兼容服务", "local": "本地大模型"}

#: Chat requests served at once; the rest queue. Retrieval is CPU-bound, so more does not help.
CHAT_CONCURRENCY = 4

INTERNAL_ERROR = "回答时发生内部错误（已记录日志），请稍后重试。"
DOCUMENTS_LOCKED = (
    "本服务未开放网页上传和删除文档：请由管理员设置访问密钥（RAG_API_KEYS）后登录使用，"
    "或仅在本机单人使用时以 RAG_OPEN_LOCAL_MODE=true 启动。"
)

NOT_UPLOADED = "只能导入在本页面上传的文件。"

# Output tuple of the chat handler: chatbot, turns, shown turn, sources panel, document view, input box.
ChatOutputs = tuple[Any, Any, Any, Any, Any, Any]


# ----- what the chat shows -----
def chat_messages(turns: list[Turn]) -> list[dict[str, str]]:
    """The Chatbot value: one user and one assistant message per turn, always in pairs."""
    messages: list[dict[str, str]] = []
    for turn in turns:
        messages.append({"role": "user", "content": escape_markdown(turn.question)})
        if turn.answer is not None:
            content = answer_markdown(turn.answer) + "\n\n" + answer_meta(turn.answer)
        elif turn.error is not None:
            content = error_markdown(turn.error)
        else:
            content = turn.pending_text or pending_markdown(None, "")
        messages.append({"role": "assistant", "content": content})
    return messages


def turn_sources(turns: list[Turn], index: int) -> str:
    """The sources panel for one turn (empty panel when it has no answer)."""
    if not 0 <= index < len(turns) or turns[index].answer is None:
        return sources_html(None)
    answer = turns[index].answer
    return sources_html(answer.citations, refused=answer.refused, refusal=answer.refusal)


def warn(message: str) -> None:
    """A toast the user reads (Gradio's default title is English)."""
    gr.Warning(message, title="提示")


def documents_writable(settings: Settings) -> bool:
    """Whether the page may upload and delete documents: the API's rule (``rag.api.auth``).

    With API keys configured the page itself asks for a key at login, so its users hold one;
    without keys only open local mode (one person on their own machine) allows changes.
    """
    return bool(settings.api_keys) or settings.open_local_mode


def readable_error(error: Exception) -> str:
    """A person-readable message for any failure; bugs are logged, not shown."""
    if isinstance(error, RagError):
        return str(error)
    logger.exception("chat request failed")
    return INTERNAL_ERROR


# ----- the page -----
class ChatPage:
    """The event handlers, bound to one engine provider and one settings object."""

    def __init__(self, engine_provider: EngineProvider, settings: Settings) -> None:
        self.engine_provider = engine_provider
        self.settings = settings
        self.feedback = FeedbackLog(settings.feedback_file)
        #: user name typed at login -> id of the key that logged in (for who added a document)
        self.login_keys: dict[str, str] = {}

    def uploader(self, request: gr.Request | None) -> str:
        """Who uploads: the id of the key the page's user logged in with, or ``local`` without keys.
        (Gradio knows the user name typed at login, not the key; the key id is remembered per user
        name at login, so two people typing the same name with different keys are told apart only
        by their latest login.)"""
        if not self.settings.api_keys:
            return "local"
        username = getattr(request, "username", None) or ""
        return self.login_keys.get(username, "key-unknown")

    # --- chat ---
    def ask(self, question: str, turns: list[Turn], backend: str | None) -> Iterator[ChatOutputs]:
        """Stream one answer: the question at once, then the passages, the text, the final answer."""
        skip = gr.skip()
        text = (question or "").strip()
        if not text:
            warn("请输入问题。")
            yield skip, skip, skip, skip, skip, skip
            return
        turns = list(turns or [])
        turn = Turn(question=text)
        turns.append(turn)
        index = len(turns) - 1
        engine = self.engine_provider()
        if engine is None:
            turn.error = LOADING_MESSAGE
            warn(LOADING_MESSAGE)
            yield chat_messages(turns), turns, index, sources_html(None), "", ""
            return
        yield chat_messages(turns), turns, index, sources_html(None), "", ""
        citations = None
        streamed = ""
        try:
            for event in engine.ask_stream(text, engine_history(turns[:-1]), backend=backend or None):
                if event.kind == "citations":
                    citations = list(event.citations or [])
                    turn.pending_text = pending_markdown(citations, streamed)
                    yield chat_messages(turns), skip, skip, sources_html(citations, pending=True), skip, skip
                elif event.kind == "delta" and event.delta:
                    streamed += event.delta
                    turn.pending_text = pending_markdown(citations, streamed)
                    yield chat_messages(turns), skip, skip, skip, skip, skip
                elif event.kind == "answer" and event.answer is not None:
                    turn.answer = event.answer
        except Exception as error:  # noqa: BLE001 - every failure becomes a readable chat line
            turn.error = readable_error(error)
            warn(turn.error)
        if turn.answer is None and turn.error is None:
            turn.error = "没有得到回答，请重试。"
        turn.pending_text = ""
        yield chat_messages(turns), turns, index, turn_sources(turns, index), skip, skip

    def clear(self) -> tuple[Any, ...]:
        return [], [], -1, sources_html(None), "", gr.update(value=None, visible=False)

    def select_turn(self, turns: list[Turn], event: gr.SelectData) -> tuple[int, str, str]:
        """Clicking an earlier message shows that answer's sources."""
        raw = event.index
        position = raw[0] if isinstance(raw, (list, tuple)) else int(raw)
        index = turn_of_message(position)
        return index, turn_sources(turns or [], index), ""

    def open_document(self, turns: list[Turn], shown: int, event: gr.EventData) -> str:
        """The whole document of citation ``n`` of the shown answer, scrolled to the passage."""
        n = getattr(event, "n", None)
        turns = turns or []
        if not 0 <= shown < len(turns) or turns[shown].answer is None:
            return ""
        answer: Answer = turns[shown].answer
        citation = next((c for c in answer.citations if c.n == n), None)
        engine = self.engine_provider()
        if citation is None:
            return ""
        if engine is None:
            warn(LOADING_MESSAGE)
            return ""
        index = engine.index
        if citation.doc not in index.documents:
            return document_missing_html(citation.doc)
        document = index.document(citation.doc)
        return document_html(document.title, document.doc_id, document.text, citation)

    # --- feedback and export ---
    def vote(self, turns: list[Turn], event: gr.LikeData) -> None:
        """Append a thumbs up/down to the feedback log."""
        vote = vote_of(event.liked)
        raw = event.index
        position = raw[0] if isinstance(raw, (list, tuple)) else int(raw)
        index = turn_of_message(position)
        turns = turns or []
        if vote is None or not 0 <= index < len(turns):
            return
        turn = turns[index]
        try:
            self.feedback.append(feedback_record(turn.question, turn.answer, vote, error=turn.error))
        except OSError as error:
            warn(f"反馈未能保存：{error.strerror or error}")
            return
        gr.Info("感谢反馈！" if vote == "up" else "已记录，我们会改进这个回答。", title="提示")

    def export(self, turns: list[Turn]) -> Any:
        if not turns:
            warn("还没有对话可以导出。")
            return gr.update(value=None, visible=False)
        return gr.update(value=[str(path) for path in write_exports(turns)], visible=True)

    # --- documents ---
    def refresh_documents(self) -> tuple[Any, Any, Any]:
        """Index status, the document table and the delete choices."""
        engine = self.engine_provider()
        if engine is None:
            return f"**索引状态**：{LOADING_MESSAGE}", [], gr.update(choices=[], value=None)
        try:
            rows, ids = engine_documents(engine)
            status = index_status_markdown(engine.info(), engine.index_size_bytes())
        except Exception as error:  # noqa: BLE001 - e.g. the index folder vanished: say so
            return f"**索引状态**：⚠️ {readable_error(error)}", [], gr.update(choices=[], value=None)
        return status, rows, gr.update(choices=ids, value=None)

    def upload(
        self, files: list[str] | None, request: gr.Request | None = None, progress: gr.Progress = gr.Progress()
    ) -> tuple[Any, ...]:
        """Read every uploaded file (bad ones are reported by name), then index the rest at once."""
        if not documents_writable(self.settings):  # enforced here too: events can be called directly
            warn(DOCUMENTS_LOCKED)
            return (DOCUMENTS_LOCKED, *self.refresh_documents(), None)
        paths = [Path(f) for f in (files or [])]
        if not all(received_file(path) for path in paths):  # before anything is opened
            logger.warning("upload event named files outside Gradio's upload folder: %s", [str(p) for p in paths])
            warn(NOT_UPLOADED)
            return (NOT_UPLOADED, *self.refresh_documents(), None)
        engine = self.engine_provider()
        if engine is None:
            warn(LOADING_MESSAGE)
            return (LOADING_MESSAGE, *self.refresh_documents(), gr.skip())
        if not paths:
            warn("请先选择要上传的文件。")
            return ("请先选择要上传的文件。", *self.refresh_documents(), gr.skip())
        documents, errors = [], []
        for number, path in enumerate(paths):
            progress((number, len(paths) + 1), desc=f"读取 {path.name}", unit="个文件")
            try:
                documents.append(
                    load_upload(path, self.settings.max_upload_bytes, ParseLimits.from_settings(self.settings))
                )
            except DocumentError as error:
                errors.append(str(error))
                warn(str(error))
            except OSError as error:
                errors.append(f"{path.name}: {error.strerror or error}")
        if not documents:
            return (report_markdown(None, errors), *self.refresh_documents(), gr.skip())
        progress((len(paths), len(paths) + 1), desc="建立索引（计算向量）……", unit="个文件")
        try:
            report = engine.add_documents(documents, added_by=self.uploader(request))
        except Exception as error:  # noqa: BLE001 - shown as a message, logged when unexpected
            message = readable_error(error)
            warn(message)
            return (f"⚠️ 建立索引失败：{message}", *self.refresh_documents(), gr.skip())
        progress(1.0, desc="完成")
        return (report_markdown(report, errors), *self.refresh_documents(), None)

    def delete(self, doc_id: str | None) -> tuple[Any, ...]:
        if not documents_writable(self.settings):
            warn(DOCUMENTS_LOCKED)
            return (DOCUMENTS_LOCKED, *self.refresh_documents())
        engine = self.engine_provider()
        if engine is None:
            warn(LOADING_MESSAGE)
            return (LOADING_MESSAGE, *self.refresh_documents())
        if not doc_id:
            warn("请先选择要删除的文档。")
            return ("请先选择要删除的文档。", *self.refresh_documents())
        try:
            removed = engine.delete_documents([doc_id])
        except Exception as error:  # noqa: BLE001
            message = readable_error(error)
            warn(message)
            return (f"⚠️ 删除失败：{message}", *self.refresh_documents())
        message = f"已删除：{doc_id}" if removed else f"索引中没有文档：{doc_id}"
        if not removed:
            warn(message)
        return (message, *self.refresh_documents())


def build_chat_page(engine_provider: EngineProvider, settings: Settings, page: ChatPage | None = None) -> gr.Blocks:
    """Lay out the page and wire its events; nothing is loaded until a request arrives."""
    page = page or ChatPage(engine_provider, settings)
    backend_choices = [(BACKEND_LABELS.get(name, name), name) for name in BACKEND_NAMES]
    default_backend = settings.backend if settings.backend in BACKEND_NAMES else BACKEND_NAMES[0]
    private: dict[str, Any] = {"api_visibility": "private"}
    writable = documents_writable(settings)

    with gr.Blocks(title="公文问答助手", analytics_enabled=False) as blocks:
        turns = gr.State([])
        shown = gr.State(-1)
        gr.Markdown(
            "# 公文问答助手\n答案均摘自已收录的文件并标明出处；资料中没有的内容会明确说明「未找到」。",
            elem_classes="rag-header",
        )
        with gr.Tabs():
            with gr.Tab("智能问答", id="chat"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3, min_width=420):
                        chatbot = gr.Chatbot(
                            label="对话", elem_id="rag-chatbot", height=540, buttons=["copy"],
                            placeholder="请输入问题，或点击下方示例。可以接着追问，例如「那河北呢？」",
                            feedback_options=("Like", "Dislike"),
                        )
                        with gr.Row():
                            question = gr.Textbox(
                                show_label=False, placeholder="输入问题后按回车或点击「发送」",
                                elem_id="rag-question", scale=6, lines=1, max_lines=4,
                            )
                            send = gr.Button("发送", variant="primary", elem_id="rag-send", scale=1, min_width=80)
                        gr.Markdown("**示例问题**")
                        with gr.Row(elem_classes="rag-examples"):
                            example_buttons = [
                                (gr.Button(label, size="sm", elem_classes="rag-example"), text)
                                for label, text in EXAMPLES
                            ]
                        with gr.Row():
                            backend = gr.Dropdown(
                                backend_choices, value=default_backend, label="回答方式",
                                elem_id="rag-backend", scale=2,
                            )
                            clear = gr.Button("清空对话", elem_id="rag-clear", scale=1)
                            export = gr.Button("导出对话", elem_id="rag-export", scale=1)
                        export_file = gr.File(label="导出文件（Markdown、Word）", visible=False, interactive=False,
                                              file_count="multiple",
                                              elem_id="rag-export-file")
                    with gr.Column(scale=2, min_width=320):
                        sources = gr.HTML(sources_html(None), elem_id="rag-sources", js_on_load=SOURCES_JS)
                        document_view = gr.HTML("", elem_id="rag-document", js_on_load=DOCUMENT_VIEW_JS)
            with gr.Tab("文档管理", id="documents") as documents_tab:
                status = gr.Markdown(f"**索引状态**：{LOADING_MESSAGE}", elem_id="rag-index-status")
                if not writable:
                    gr.Markdown(f"**注意**：{DOCUMENTS_LOCKED}", elem_id="rag-documents-locked")
                with gr.Row():
                    with gr.Column():
                        uploads = gr.File(
                            label="上传文件（.txt .md .html .pdf .docx，可多选）", file_count="multiple",
                            type="filepath", elem_id="rag-upload", interactive=writable,
                        )
                        upload_button = gr.Button(
                            "上传并建立索引", variant="primary", elem_id="rag-upload-button", interactive=writable,
                        )
                        upload_report = gr.Markdown(elem_id="rag-upload-report")
                    with gr.Column():
                        delete_choice = gr.Dropdown(
                            [], label="选择要删除的文档", elem_id="rag-delete-choice", allow_custom_value=True,
                            interactive=writable,
                        )
                        delete_button = gr.Button(
                            "删除文档", variant="stop", elem_id="rag-delete-button", interactive=writable,
                        )
                        delete_report = gr.Markdown(elem_id="rag-delete-report")
                        refresh = gr.Button("刷新列表", elem_id="rag-refresh", size="sm")
                table = gr.Dataframe(
                    headers=DOCUMENT_HEADERS, datatype=DOCUMENT_TYPES,
                    interactive=False, label="已收录文档", elem_id="rag-documents", wrap=True,
                )

        chat_outputs = [chatbot, turns, shown, sources, document_view, question]
        # One shared limit for typed questions and example buttons.
        chat_options: dict[str, Any] = {
            "concurrency_limit": CHAT_CONCURRENCY, "concurrency_id": "rag-chat", **private,
        }
        send.click(page.ask, [question, turns, backend], chat_outputs, **chat_options)
        question.submit(page.ask, [question, turns, backend], chat_outputs, **chat_options)
        for button, text in example_buttons:
            button.click(_fixed_question(page, text), [turns, backend], chat_outputs, **chat_options)
        cleared = [chatbot, turns, shown, sources, document_view, export_file]
        clear.click(page.clear, None, cleared, **private)
        chatbot.clear(page.clear, None, cleared, **private)  # the Chatbot's own trash icon
        chatbot.select(page.select_turn, [turns], [shown, sources, document_view], **private)
        chatbot.like(page.vote, [turns], None, **private)
        export.click(page.export, [turns], [export_file], **private)
        sources.open_doc(page.open_document, [turns, shown], [document_view], **private)

        document_outputs = [status, table, delete_choice]
        refresh.click(page.refresh_documents, None, document_outputs, **private)
        documents_tab.select(page.refresh_documents, None, document_outputs, **private)
        blocks.load(page.refresh_documents, None, document_outputs, **private)
        upload_button.click(page.upload, [uploads], [upload_report, *document_outputs, uploads], **private)
        delete_button.click(page.delete, [delete_choice], [delete_report, *document_outputs], **private)
    return blocks


def _fixed_question(page: ChatPage, text: str) -> Callable[[list[Turn], str | None], Iterator[ChatOutputs]]:
    """An example button's handler: ask ``text`` as if it had been typed."""

    def ask_example(turns: list[Turn], backend: str | None) -> Iterator[ChatOutputs]:
        yield from page.ask(text, turns, backend)

    return ask_example


def _key_login(settings: Settings, page: ChatPage | None = None) -> Callable[[str, str], bool]:
    """Gradio login check: the password must be one of the server's API keys; the page remembers
    which key (by id) the user name logged in with."""

    def check(username: str, password: str) -> bool:
        valid = key_is_valid(settings, password or "")
        if valid and page is not None:
            page.login_keys[username] = key_id(password)
        return valid

    return check


def mount_chat_page(
    app: FastAPI, engine_provider: EngineProvider, settings: Settings, path: str = "/ui"
) -> None:
    """Serve the page at ``path`` of an existing FastAPI app (the API keeps every other route).

    When the server has API keys, the page asks for one at login (any user name, the key as the
    password), as every API endpoint but ``/health`` does. Files: see ``ui.upload_guard`` — events
    may only name files Gradio received through its upload route, checked before Gradio opens them.
    """
    page = ChatPage(engine_provider, settings)
    login: dict[str, Any] = {}
    if settings.api_keys:
        login = {"auth": _key_login(settings, page), "auth_message": "请输入访问密钥（用户名可任意填写，密码为访问密钥）。"}
    blocks = build_chat_page(engine_provider, settings, page)
    gr.mount_gradio_app(
        app,
        blocks,
        path=path,
        **login,
        allowed_paths=[],
        blocked_paths=blocked_paths(settings),
        css=PAGE_CSS,
        theme=gr.themes.Soft(),
        max_file_size=settings.max_upload_bytes,
        footer_links=[],
        show_error=False,
        ssr_mode=False,
    )
    enable_gradio_path_checks(blocks)
    app.add_middleware(
        GradioFileGuard, mount_path=path, received=lambda: blocks.upload_file_set,
        uploads_open=documents_writable(settings),
    )
    app.add_middleware(LoginThrottle, mount_path=path, max_failures=settings.login_max_failures)
    app.add_middleware(GradioErrorShape, mount_path=path)
