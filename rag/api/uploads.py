"""Reading multipart uploads within limits, before any parser sees them.

Why not a plain ``UploadFile`` parameter: FastAPI would spool the whole body to disk before the
route runs, so a 5 GB upload would fill the disk before being refused. Here the body is counted as
it arrives (and ``Content-Length`` checked first), each file must fit ``max_upload_bytes``, and at
most ``MAX_FILES`` files are taken per request. Content checks and name sanitising happen after,
in ``rag.ingest.loading.load_bytes``.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.types import Message, Receive

from rag.api.errors import PayloadTooLargeError, UnprocessableError
from rag.ingest.loading import SUPPORTED_SUFFIXES

MAX_FILES = 20
#: Room for multipart boundaries and part headers on top of the files themselves.
_MULTIPART_OVERHEAD = 64 * 1024

#: OpenAPI description of the body, since the route reads the form itself.
UPLOAD_REQUEST_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["files"],
                "additionalProperties": False,
                "properties": {
                    "files": {
                        "type": "array",
                        "minItems": 1,
                        "maxItems": MAX_FILES,
                        "items": {"type": "string", "format": "binary"},
                        "description": f"One or more files ({' '.join(SUPPORTED_SUFFIXES)}), at most {MAX_FILES}.",
                    }
                },
            }
        }
    },
}


@dataclass(frozen=True)
class RawUpload:
    filename: str
    data: bytes


def _too_large(limit: int) -> PayloadTooLargeError:
    return PayloadTooLargeError(
        f"upload too large: each file may be at most {limit} bytes (RAG_MAX_UPLOAD_BYTES), "
        f"at most {MAX_FILES} files per request"
    )


def _counting_receive(receive: Receive, cap: int, limit: int) -> Receive:
    """A ``receive`` that raises 413 as soon as more than ``cap`` body bytes have arrived."""
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > cap:
                raise _too_large(limit)
        return message

    return wrapped


async def read_uploads(request: Request, max_file_bytes: int) -> list[RawUpload]:
    """The uploaded files' names and bytes; 413 for oversized input, 422 when there is no file."""
    cap = max_file_bytes * MAX_FILES + _MULTIPART_OVERHEAD
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > cap:
        raise _too_large(max_file_bytes)
    limited = Request(request.scope, receive=_counting_receive(request.receive, cap, max_file_bytes))
    form = await limited.form(max_files=MAX_FILES, max_fields=MAX_FILES + 10)
    try:
        files = [value for _, value in form.multi_items() if isinstance(value, UploadFile)]
        if not files:
            raise UnprocessableError(
                "no file uploaded: send multipart/form-data with one or more 'files' parts"
            )
        uploads = []
        for upload in files:
            if upload.size is not None and upload.size > max_file_bytes:
                raise _too_large(max_file_bytes)
            data = await upload.read(max_file_bytes + 1)
            if len(data) > max_file_bytes:
                raise _too_large(max_file_bytes)
            uploads.append(RawUpload(upload.filename or "upload", data))
        return uploads
    finally:
        await form.close()
