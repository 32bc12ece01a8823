"""``/documents``: upload (incremental indexing), list and delete.

Writes are slow (parsing, embedding) and serialised by the engine's writer lock, so they run in
worker threads behind a one-slot limiter: queued uploads wait without each holding one of the
threadpool's workers, and ``/ask`` keeps being answered from the current index snapshot meanwhile.
A request's files are all checked before anything is indexed, so a bad file rejects the request
(413/415/422) without a half-applied upload.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import anyio
from fastapi import APIRouter, Depends, FastAPI, Request
from starlette.concurrency import run_in_threadpool

from rag.api.auth import Credentials, caller_id, require_document_access
from rag.api.errors import NotFoundError, UnprocessableError
from rag.api.metrics import ApiMetrics
from rag.api.schemas import (
    DeleteResponse,
    DocumentInfo,
    DocumentList,
    IndexCounts,
    UploadedDocument,
    UploadResponse,
    UploadStatus,
    error_responses,
)
from rag.api.state import current_engine
from rag.api.uploads import UPLOAD_REQUEST_BODY, RawUpload, read_uploads
from rag.engine import Engine
from rag.schema import Document
from rag.settings import Settings

router = APIRouter(prefix="/documents", tags=["documents"], dependencies=[Depends(require_document_access)])

T = TypeVar("T")


async def run_write(app: FastAPI, function: Callable[..., T], *args: Any) -> T:
    """Run an index write in a worker thread, one at a time per app."""
    limiter = getattr(app.state, "write_limiter", None)
    if limiter is None:  # created lazily: a CapacityLimiter needs the running event loop
        limiter = app.state.write_limiter = anyio.CapacityLimiter(1)
    return await anyio.to_thread.run_sync(function, *args, limiter=limiter)


def _counts(engine: Engine) -> IndexCounts:
    info = engine.info()
    return IndexCounts(documents=info.documents, chunks=info.chunks)


def _load_all(uploads: list[RawUpload], max_bytes: int, settings: Settings) -> list[Document]:
    """Parse and check every file (content vs extension, sanitised name, the parsing limits of
    ``settings``); raises on the first bad one."""
    from rag.ingest.limits import ParseLimits
    from rag.ingest.loading import load_bytes

    limits = ParseLimits.from_settings(settings)
    documents = [load_bytes(upload.filename, upload.data, max_bytes=max_bytes, limits=limits) for upload in uploads]
    seen: dict[str, str] = {}
    for upload, document in zip(uploads, documents, strict=True):
        if document.doc_id in seen:
            raise UnprocessableError(
                f"'{upload.filename}' and '{seen[document.doc_id]}' both become document id "
                f"'{document.doc_id}'; rename one"
            )
        seen[document.doc_id] = upload.filename
    return documents


@router.get("", response_model=DocumentList, summary="List indexed documents", responses=error_responses(401, 503))
async def list_documents(engine: Annotated[Engine, Depends(current_engine)]) -> DocumentList:
    documents = [
        DocumentInfo(
            id=d.doc_id, title=d.title, chunks=d.chunks, characters=d.characters, content_hash=d.content_hash,
            added_by=d.added_by or None, added_at=d.added_at or None,
        )
        for d in engine.documents()
    ]
    return DocumentList(documents=documents, count=len(documents))


@router.post(
    "",
    response_model=UploadResponse,
    summary="Upload and index documents",
    openapi_extra={"requestBody": UPLOAD_REQUEST_BODY},
    responses=error_responses(400, 401, 413, 415, 422, 503),
)
async def upload_documents(
    request: Request, engine: Annotated[Engine, Depends(current_engine)], credentials: Credentials
) -> UploadResponse:
    """Index uploaded files (.txt .md .html .pdf .docx) incrementally.

    Each file's id is its sanitised file name; a file with the id of an indexed document replaces
    it when its content changed and is left ``unchanged`` otherwise.
    """
    settings = request.app.state.settings
    max_bytes = settings.max_upload_bytes
    uploads = await read_uploads(request, max_bytes)
    documents = await run_in_threadpool(_load_all, uploads, max_bytes, settings)
    who = caller_id(request.app.state.settings, credentials)
    report = await run_write(request.app, engine.add_documents, documents, who)
    status_of: dict[str, UploadStatus] = {doc_id: "added" for doc_id in report.added}
    status_of.update({doc_id: "replaced" for doc_id in report.replaced})
    metrics: ApiMetrics = request.app.state.metrics
    results = []
    for upload, document in zip(uploads, documents, strict=True):
        status = status_of.get(document.doc_id, "unchanged")
        metrics.documents.labels(status).inc()
        results.append(
            UploadedDocument(id=document.doc_id, filename=upload.filename, title=document.title, status=status)
        )
    return UploadResponse(documents=results, index=_counts(engine))


@router.delete(
    "/{doc_id}",
    response_model=DeleteResponse,
    summary="Remove a document from the index",
    responses=error_responses(401, 404, 503),
)
async def delete_document(
    doc_id: str, request: Request, engine: Annotated[Engine, Depends(current_engine)]
) -> DeleteResponse:
    removed = await run_write(request.app, engine.delete_documents, [doc_id])
    if doc_id not in removed:
        raise NotFoundError(f"no document with id '{doc_id}' (GET /documents lists them)")
    return DeleteResponse(id=doc_id, index=_counts(engine))
