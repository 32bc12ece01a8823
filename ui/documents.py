"""The 「文档管理」 tab's work without widgets: read uploads, describe the index, list documents.

Uploads are read and validated one file at a time so one bad file is reported by name (the
``DocumentError`` message) while the others are still indexed. A path reaches ``load_upload`` only
from Gradio's upload folder (``ui.upload_guard``); it is still opened without following symlinks,
checked to be a regular file after opening, and read to at most the byte limit.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from rag.engine import DocumentSummary, Engine
from rag.errors import DocumentError
from rag.ingest.indexing import IndexReport
from rag.ingest.limits import ParseLimits
from rag.ingest.loading import load_bytes
from rag.schema import Document
from rag.store.index import IndexInfo

DOCUMENT_HEADERS = ["文档 ID", "标题", "段落数", "字符数", "添加者", "添加时间"]
DOCUMENT_TYPES = ["str", "str", "number", "number", "str", "str"]
#: How the table names who added a document (``DocumentSummary.added_by``).
ADDED_BY_LABELS = {"local": "本机（开放模式）", "cli": "命令行", "": "未记录"}


def read_regular_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file, at most ``max_bytes`` (``DocumentError`` beyond that).

    ``O_NOFOLLOW`` refuses a symlink, ``O_NONBLOCK`` keeps a FIFO from blocking the open, and the
    type is checked on the open descriptor, so a device or pipe swapped in after a check is never
    read (``/dev/zero`` would never end).
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        raise DocumentError(path.name, f"cannot be opened ({error.strerror or error})") from error
    with os.fdopen(descriptor, "rb") as handle:
        status = os.fstat(handle.fileno())
        if not stat.S_ISREG(status.st_mode):
            raise DocumentError(path.name, "not a regular file")
        if status.st_size > max_bytes:
            raise DocumentError(path.name, f"file too large ({status.st_size} bytes; limit {max_bytes})")
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise DocumentError(path.name, f"file too large (over {max_bytes} bytes)")
    return data


def load_upload(path: Path, max_bytes: int, limits: ParseLimits | None = None) -> Document:
    """One uploaded file as a document; its original file name becomes the document id.
    ``limits``: the parsing bounds of the page's settings."""
    path = Path(path)
    return load_bytes(path.name, read_regular_file(path, max_bytes), max_bytes=max_bytes, limits=limits)


def document_rows(summaries: list[DocumentSummary]) -> list[list[object]]:
    """Table rows, sorted by id so the list is stable between refreshes."""
    return [
        [s.doc_id, s.title, s.chunks, s.characters, ADDED_BY_LABELS.get(s.added_by, s.added_by),
         s.added_at.replace("T", " ").replace("+00:00", " UTC") if s.added_at else "未记录"]
        for s in sorted(summaries, key=lambda s: s.doc_id)
    ]


def index_status_markdown(info: IndexInfo, size_bytes: int = 0) -> str:
    """One line of index status for people: counts and the embedding model."""
    size = f" · 占用 {size_bytes / 1_048_576:.1f} MB" if size_bytes else ""
    return (
        f"**索引状态**：文档 {info.documents} 篇 · 段落 {info.chunks} 个 · 句子 {info.sentences} 个"
        f" · 向量模型 `{info.embedding_model}`（{info.dimension} 维，{info.index_type}）{size}"
    )


def report_markdown(report: IndexReport | None, errors: list[str]) -> str:
    """What an upload did, in Chinese, naming each file (``report`` is None when nothing was read)."""
    lines: list[str] = []
    if report is not None:
        for label, items in (
            ("已添加", report.added), ("已更新", report.replaced), ("内容未变，跳过", report.unchanged),
        ):
            if items:
                lines.append(f"- {label}：{'、'.join(items)}")
    failures = errors + [str(e) for e in (report.failed if report else [])]
    for message in failures:
        lines.append(f"- ⚠️ 未能导入：{message}")
    return "\n".join(lines) if lines else "没有导入任何文件。"


def engine_documents(engine: Engine) -> tuple[list[list[object]], list[str]]:
    """Rows for the table and the ids for the delete selector."""
    rows = document_rows(engine.documents())
    return rows, [str(row[0]) for row in rows]
