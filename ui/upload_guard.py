"""The chat page's file guard: an event may only name files Gradio itself received as uploads.

Why this exists: mounted into FastAPI, Gradio never marks its Blocks as launched, and then skips its
own check that a file an event names lies in its upload folder; it hashes and copies whatever path
the client sends (``{"path": "/etc/passwd", "meta": {"_type": "gradio.FileData"}}`` through
``/ui/gradio_api/queue/join``), and hashing ``/dev/zero`` blocked the whole server. Three layers now
stand in the way, each sufficient on its own:

1. ``GradioFileGuard`` (this module), an ASGI middleware in front of every ``gradio_api`` route: it
   reads the event body (bounded in size and time), finds every file object in it (any JSON object
   with a ``path``) and refuses the request with a JSON 403 unless each path is one Gradio's own
   upload route returned (``Blocks.upload_file_set``) and still is a regular file, not a symlink,
   inside the upload folder. Nothing is opened or hashed before that check. When the page may not
   change documents, the upload route itself is closed (403), so nobody can fill the disk.
2. Gradio's own check, switched on by ``enable_gradio_path_checks`` (``has_launched``), with
   explicit ``allowed_paths`` (none) and ``blocked_paths`` (the index, corpus, feedback and cache
   folders, and system folders).
3. The upload handler checks every path again (``received_file``) and reads it without following
   symlinks, at most ``max_upload_bytes + 1`` bytes (``ui.documents.load_upload``).
"""

from __future__ import annotations

import json
import logging
import os
import stat
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import Any

from gradio import utils as gradio_utils
from starlette.types import ASGIApp, Receive, Scope, Send

from rag.api.errors import error_response
from rag.api.limits import read_limited_body, replay
from rag.settings import Settings

logger = logging.getLogger("ui.upload_guard")

#: Gradio's API routes under the page's mount path.
GRADIO_API = "/gradio_api/"
#: An event body holds a question, a few options and file references: far below this.
MAX_EVENT_BODY = 1024 * 1024
#: Seconds a client may take to send an event body.
EVENT_BODY_TIMEOUT = 30.0
#: Folders no file of the page may ever come from, whatever else is configured.
SYSTEM_FOLDERS = ("/etc", "/proc", "/sys", "/dev", "/boot")

NOT_RECEIVED = (
    "file not accepted: only files uploaded to this page in the browser can be used "
    "(a path on the server is never read)"
)
UPLOADS_CLOSED = "uploads are closed on this page: the server has no API keys and is not in open local mode"


def upload_folder() -> Path:
    """Gradio's upload folder (``GRADIO_TEMP_DIR`` or the system temp dir's ``gradio``), resolved."""
    return Path(os.path.realpath(gradio_utils.get_upload_folder()))


def received_file(path: str | os.PathLike[str], folder: Path | None = None) -> bool:
    """True when ``path`` is a regular file (not a symlink) whose real location is inside the
    upload folder. Only metadata is read (``lstat``, ``realpath``): nothing is opened."""
    folder = folder or upload_folder()
    try:
        candidate = Path(os.fspath(path))
        if not candidate.is_absolute():
            return False
        status = os.lstat(candidate)
        real = Path(os.path.realpath(candidate))
    except (OSError, ValueError, TypeError):
        return False
    return stat.S_ISREG(status.st_mode) and real.is_relative_to(folder) and real != folder


def file_references(data: Any) -> Iterator[Any]:
    """Every ``path`` value of every JSON object in ``data`` (Gradio's ``FileData`` and anything
    shaped like it, with or without its ``meta`` marker)."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "path" in item:
                yield item["path"]
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def refused_reference(data: Any, received: Collection[str], folder: Path) -> str | None:
    """The first file reference in ``data`` that is not an upload Gradio received, or None."""
    for path in file_references(data):
        if not isinstance(path, str) or path not in received or not received_file(path, folder):
            return str(path)
    return None


class GradioFileGuard:
    """Pure ASGI middleware guarding the Gradio API mounted at ``mount_path`` (see module doc)."""

    def __init__(
        self, app: ASGIApp, mount_path: str, received: Callable[[], Collection[str]], uploads_open: bool,
        max_bytes: int = MAX_EVENT_BODY, timeout: float = EVENT_BODY_TIMEOUT,
    ) -> None:
        self.app = app
        self.api_prefix = mount_path.rstrip("/") + GRADIO_API
        self.upload_route = self.api_prefix + "upload"
        self.received = received
        self.uploads_open = uploads_open
        self.max_bytes = max_bytes
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith(self.api_prefix) or scope.get("method") not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        if path == self.upload_route:  # multipart: Gradio writes it into its upload folder
            if not self.uploads_open:
                await error_response(403, UPLOADS_CLOSED)(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        body = await read_limited_body(scope, receive, send, self.max_bytes, self.timeout)
        if body is None:
            return
        if body.strip():
            try:
                data = json.loads(body)
            except ValueError:
                await error_response(400, "malformed JSON in the request body")(scope, receive, send)
                return
            refused = refused_reference(data, self.received(), upload_folder())
            if refused is not None:
                logger.warning("refused a chat page event naming a file it did not upload: %r", refused[:300])
                await error_response(403, NOT_RECEIVED)(scope, receive, send)
                return
        await self.app(scope, replay(body, receive), send)


def blocked_paths(settings: Settings) -> list[str]:
    """Folders Gradio must never serve or accept a file from: the product's data and the system's.

    A folder that holds Gradio's own upload folder (an index under the temp dir, say) is left out,
    since blocking it would block every upload; the other two layers still guard it.
    """
    folder = upload_folder()
    candidates = [
        settings.index_path, settings.corpus_path, settings.feedback_file.parent, settings.cache_dir,
        *(Path(p) for p in SYSTEM_FOLDERS),
    ]
    blocked: list[str] = []
    for candidate in candidates:
        real = Path(os.path.realpath(candidate.expanduser()))
        if folder.is_relative_to(real):
            logger.info("not blocking %s for the chat page: Gradio's upload folder is inside it", real)
            continue
        if str(real) not in blocked:
            blocked.append(str(real))
    return blocked


def enable_gradio_path_checks(blocks: Any) -> None:
    """Switch on Gradio's own upload-folder check for a mounted page.

    ``gradio.processing_utils._check_allowed`` does nothing until ``Blocks.has_launched`` is true,
    and only ``launch()`` sets it; a page mounted with ``mount_gradio_app`` never launches. Setting
    it makes Gradio accept event inputs only from its upload folder and outputs only from the
    allowed folders, as a launched app does.
    """
    blocks.has_launched = True
