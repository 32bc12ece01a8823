"""The MCP server: the engine's answers as tools an agent can call.

Tools: ``ask`` (a question, optional history and backend → the answer object), ``search`` (ranked
passages), ``list_documents`` and ``get_passage`` (a document id and character offsets → the text,
so an agent can read around a citation). They are built on the maintained MCP Python SDK
(``mcp``, ``MCPServer``) and served two ways:

* over stdio by ``rag mcp`` (``run_stdio``), for desktop agents that start the server themselves;
* over streamable HTTP at ``/mcp`` inside the product's own server (``mount_mcp``), behind the same
  API keys as ``/ask``; without keys the server is loopback-only, so DNS-rebinding protection
  (Host and Origin must be local) is turned on instead.

Tool failures (an empty question, an unknown document, an engine still loading) come back as tool
errors carrying the product's user-facing message, never a traceback.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from fastapi import FastAPI
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.transport_security import TransportSecuritySettings
from pydantic import BaseModel, Field
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from rag.api.auth import key_is_valid
from rag.api.errors import error_response
from rag.api.schemas import MAX_HISTORY_TURNS, DocumentInfo
from rag.engine import Engine
from rag.errors import RagError
from rag.schema import Answer, ChatTurn, Passage
from rag.settings import Settings

logger = logging.getLogger("rag.api")

MCP_PATH = "/mcp"
#: The longest passage ``get_passage`` returns (an agent reads around a citation, not a whole file).
MAX_PASSAGE_CHARS = 20_000

INSTRUCTIONS = """Answers questions from Chinese official documents with cited passages.
Call `ask` with the user's question (and earlier turns as `history` for follow-ups such as 「那河北呢？」).
When `refused` is true the documents do not contain the answer: say so instead of guessing; `refusal.reason`
says why. Cite `citations[n].title`. Use `get_passage` with a citation's doc, start and end to read more."""


class PassageText(BaseModel):
    """A slice of a document's original text (offsets as in citations and search results)."""

    doc: str
    title: str
    start: int
    end: int
    text: str


class DocumentListing(BaseModel):
    documents: list[DocumentInfo]
    count: int


class PassageList(BaseModel):
    query: str
    passages: list[Passage]


EngineProvider = Callable[[], Engine]


def _tool_call(action: Callable[[], Any]) -> Any:
    """Run an engine call, turning the product's errors into tool errors with their message."""
    try:
        return action()
    except RagError as error:
        raise ToolError(str(error)) from error


def build_mcp_server(engine: EngineProvider, settings: Settings) -> MCPServer:
    """The four tools over the engine ``engine()`` returns (called per tool call, so an HTTP app
    can hand over its engine once it has loaded)."""
    server: MCPServer = MCPServer(name="rag", instructions=INSTRUCTIONS, version="0.1.0", log_level="WARNING")

    @server.tool(description="Answer a question from the indexed documents, with citations. Returns the answer "
                             "object: answer (with [n] markers), short_answer, refused, refusal, citations.")
    def ask(
        question: str,
        history: list[ChatTurn] | None = None,
        backend: str | None = Field(None, description="extractive, openai or local; default: the server's."),
    ) -> Answer:
        turns = (history or [])[-MAX_HISTORY_TURNS:]
        return _tool_call(lambda: engine().ask(question, turns, None, backend))

    @server.tool(description="Ranked passages for a query (hybrid dense + BM25), with scores and why they matched.")
    def search(query: str, k: int = Field(5, ge=1, le=50)) -> PassageList:
        return PassageList(query=query, passages=_tool_call(lambda: engine().search(query, k)))

    @server.tool(description="The indexed documents: id, title, chunks, characters.")
    def list_documents() -> DocumentListing:
        summaries = _tool_call(lambda: engine().documents())
        documents = [DocumentInfo(id=d.doc_id, title=d.title, chunks=d.chunks, characters=d.characters,
                                  content_hash=d.content_hash) for d in summaries]
        return DocumentListing(documents=documents, count=len(documents))

    @server.tool(description="The text of a document between two character offsets (as in citations), "
                             f"at most {MAX_PASSAGE_CHARS} characters.")
    def get_passage(doc: str, start: int = Field(ge=0), end: int = Field(ge=0)) -> PassageText:
        return read_passage(_tool_call(engine), doc, start, end)

    return server


def read_passage(engine: Engine, doc: str, start: int, end: int) -> PassageText:
    """``doc``'s original text from ``start`` to ``end`` (clamped to the document), or a tool error."""
    indexed = engine.index.documents.get(doc)
    if indexed is None:
        raise ToolError(f"no document '{doc}' in the index; list_documents gives the ids")
    if end <= start:
        raise ToolError(f"end ({end}) must be greater than start ({start})")
    if end - start > MAX_PASSAGE_CHARS:
        raise ToolError(f"at most {MAX_PASSAGE_CHARS} characters at a time (asked for {end - start})")
    document = indexed.document
    stop = min(end, len(document.text))
    if start >= stop:
        raise ToolError(f"start {start} is past the end of '{doc}' ({len(document.text)} characters)")
    return PassageText(doc=doc, title=document.title, start=start, end=stop, text=document.text[start:stop])


def run_stdio(settings: Settings) -> None:
    """``rag mcp``: load the engine (building the index on a fresh checkout), then serve over
    stdin/stdout until the client closes them. Logs go to stderr: stdout is the protocol."""
    import anyio

    from rag.api.state import open_or_build_engine

    loaded = open_or_build_engine(settings)
    server = build_mcp_server(lambda: loaded, settings)
    anyio.run(server.run_stdio_async)


class _KeyGuard:
    """The API-key check of ``/ask`` in front of the MCP transport (401 in the product's envelope)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.settings.api_keys:
            header = dict(scope.get("headers", ())).get(b"authorization", b"").decode("latin-1")
            scheme, _, presented = header.partition(" ")
            if scheme.lower() != "bearer" or not presented:
                message = "missing API key: send 'Authorization: Bearer KEY'"
            elif not key_is_valid(self.settings, presented.strip()):
                message = "invalid API key"
            else:
                message = ""
            if message:
                await error_response(401, message, {"WWW-Authenticate": "Bearer"})(scope, receive, send)
                return
        await self.app(scope, receive, send)


def mount_mcp(app: FastAPI) -> None:
    """Serve the MCP tools at ``/mcp`` (streamable HTTP, stateless) in ``app``, over its engine.

    The SDK's session manager needs a running task group, so it is entered around the app's own
    lifespan."""
    settings: Settings = app.state.settings
    server = build_mcp_server(lambda: app.state.engine_state.require(), settings)
    if settings.api_keys:
        security = TransportSecuritySettings(enable_dns_rebinding_protection=False)
    else:
        security = TransportSecuritySettings(
            enable_dns_rebinding_protection=True,
            allowed_hosts=["127.0.0.1:*", "localhost:*", "[::1]:*"],
            allowed_origins=["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"],
        )
    transport = server.streamable_http_app(streamable_http_path=MCP_PATH, stateless_http=True,
                                           transport_security=security)
    manager = server.session_manager
    app.router.routes.append(
        Route(MCP_PATH, _KeyGuard(transport, settings), methods=["GET", "POST", "DELETE"], include_in_schema=False)
    )
    inner = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(target: Any) -> AsyncIterator[Any]:
        async with manager.run(), inner(target) as state:
            yield state

    app.router.lifespan_context = lifespan
