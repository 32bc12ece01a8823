"""The 「文档管理」 tab's work without widgets: read uploads, describe the index, list documents.

Uploads are read and validated one file at a time so one bad file is reported by name (the
``DocumentError`` message) while the others are still indexed.
"""

from __future__ import annotations

from pathlib import Path

from rag.engine import DocumentSummary, Engine
from rag.errors import DocumentError
from rag.ingest.indexing import IndexReport
from rag.ingest.loading import load_bytes
from rag.schema import Document
from rag.store.index import IndexInfo

DOCUMENT_HEADERS = ["文档 ID", "标题", "段落数", "字符数"]


def load_upload(path: Path, max_bytes: int) -> Document:
    """One uploaded file as a document; its original file name becomes the document id."""
    path = Path(path)
    size = path.stat().st_size
    if size > max_bytes:
        raise DocumentError(path.name, f"file too large ({size} bytes; limit {max_bytes})")
    return load_bytes(path.name, path.read_bytes(), max_bytes=max_bytes)


def document_rows(summaries: list[DocumentSummary]) -> list[list[object]]:
    """Table rows, sorted by id so the list is stable between refreshes."""
    return [
        [s.doc_id, s.title, s.chunks, s.characters]
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
