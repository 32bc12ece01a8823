"""The MCP tools through the SDK's own client session: stdio (``rag mcp`` as a subprocess) and
streamable HTTP (``/mcp`` of the real server on 127.0.0.1)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import anyio
import httpx
import httpx2
import pytest
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

from rag.schema import Answer
from rag.settings import PROJECT_ROOT

from .support import API_KEYS, HARBIN_DOC, HARBIN_QUESTION, LiveServer

TOOLS = {"ask", "search", "list_documents", "get_passage"}


async def _exercise(session: ClientSession) -> dict[str, Any]:
    """List the tools and call each once; return what the assertions need."""
    await session.initialize()
    tools = {tool.name for tool in (await session.list_tools()).tools}
    asked = await session.call_tool("ask", {"question": HARBIN_QUESTION})
    follow_up = await session.call_tool("ask", {
        "question": "那齐齐哈尔市呢？",
        "history": [{"role": "user", "content": HARBIN_QUESTION},
                    {"role": "assistant", "content": "由每人奖励1万元提高到5万元。[1]"}],
    })
    listed = await session.call_tool("list_documents", {})
    found = await session.call_tool("search", {"query": "大工匠 奖励", "k": 3})
    answer = Answer.model_validate(asked.structured_content)
    citation = answer.citations[0]
    passage = await session.call_tool("get_passage", {"doc": citation.doc, "start": citation.start,
                                                      "end": citation.end})
    missing = await session.call_tool("get_passage", {"doc": "nope.txt", "start": 0, "end": 10})
    empty = await session.call_tool("ask", {"question": "  "})
    return {"tools": tools, "answer": answer, "follow_up": Answer.model_validate(follow_up.structured_content),
            "listed": listed.structured_content, "found": found.structured_content,
            "passage": passage.structured_content, "citation": citation, "missing": missing, "empty": empty}


def _check(result: dict[str, Any]) -> None:
    assert TOOLS <= result["tools"]
    answer: Answer = result["answer"]
    assert answer.short_answer == "5万元" and not answer.refused and answer.citations[0].doc == HARBIN_DOC
    follow_up: Answer = result["follow_up"]
    assert follow_up.refused and follow_up.resolved_question and "齐齐哈尔" in follow_up.resolved_question
    assert result["listed"]["count"] == 5 and HARBIN_DOC in {d["id"] for d in result["listed"]["documents"]}
    assert result["found"]["passages"][0]["doc"] == HARBIN_DOC
    passage, citation = result["passage"], result["citation"]
    assert passage["start"] == citation.start and passage["end"] == citation.end
    assert "5万元" in passage["text"]
    assert result["missing"].is_error and "nope.txt" in result["missing"].content[0].text
    assert result["empty"].is_error and "empty" in result["empty"].content[0].text


def test_stdio_transport(corpus_index_dir: Path) -> None:
    env = {**os.environ, "RAG_INDEX_DIR": str(corpus_index_dir), "PYTHONPATH": str(PROJECT_ROOT),
           "RAG_API_KEYS": ""}
    params = StdioServerParameters(command=sys.executable, args=["-m", "rag.cli", "mcp"], env=env,
                                   cwd=str(PROJECT_ROOT))

    async def run() -> dict[str, Any]:
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            return await _exercise(session)

    _check(anyio.run(run))


def _http_session_result(server: LiveServer, key: str) -> dict[str, Any]:
    async def run() -> dict[str, Any]:
        async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=300,
                                      trust_env=False) as http, \
                streamable_http_client(f"{server.base_url}/mcp", http_client=http) as (read, write), \
                ClientSession(read, write) as session:
            return await _exercise(session)

    return anyio.run(run)


def test_http_transport_behind_the_api_keys(keyed_server: LiveServer) -> None:
    _check(_http_session_result(keyed_server, API_KEYS[0]))
    initialize = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}}
    headers = {"Accept": "application/json, text/event-stream"}
    with keyed_server.client() as anonymous:
        refused = anonymous.post("/mcp", json=initialize, headers=headers)
    assert refused.status_code == 401 and refused.json()["error"]["message"].startswith("missing API key")
    with keyed_server.client(key="wrong") as wrong:
        assert wrong.post("/mcp", json=initialize, headers=headers).status_code == 401


def test_http_transport_without_keys_accepts_only_local_hosts(corpus_server: LiveServer) -> None:
    _check(_http_session_result(corpus_server, "unused"))
    initialize = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}}
    with httpx.Client(base_url=corpus_server.base_url, trust_env=False, timeout=60) as http:
        rebound = http.post("/mcp", json=initialize, headers={
            "Accept": "application/json, text/event-stream", "Host": "attacker.example"})
    assert rebound.status_code in (403, 421)


@pytest.mark.parametrize(("start", "end", "message"), [(10, 5, "greater than"), (0, 50_000, "at most")])
def test_get_passage_rejects_bad_offsets(corpus_engine: Any, start: int, end: int, message: str) -> None:
    from mcp.server.mcpserver.exceptions import ToolError

    from rag.api.mcp_server import read_passage

    with pytest.raises(ToolError, match=message):
        read_passage(corpus_engine, HARBIN_DOC, start, end)
