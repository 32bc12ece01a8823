"""The ``rag`` command line: index, ask, search, chat, info, delete, serve, mcp, eval, bench.

Typer gives typed options, help texts and exit code 2 for usage errors for free. Every
``RagError`` becomes a one-line message on stderr and its own exit code (2 bad input, 3 index
problems, 4 backend unavailable), never a traceback.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer

from rag.errors import RagError
from rag.settings import Settings, load_settings

if TYPE_CHECKING:  # imported lazily at run time: `rag --help` must not load torch
    from rag.engine import Engine
    from rag.retrieval.retriever import RetrievalMode

app = typer.Typer(
    help="Question answering over Chinese official documents, with cited passages.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn product errors into a clear message and exit code."""
    try:
        yield
    except RagError as error:
        typer.secho(f"error: {error}", err=True, fg=typer.colors.RED)
        raise typer.Exit(error.exit_code) from None
    except FileNotFoundError as error:
        typer.secho(f"error: {error}", err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from None


def cli_settings(**overrides: Any) -> Settings:
    try:
        return load_settings(**{k: v for k, v in overrides.items() if v is not None})
    except (FileNotFoundError, ValueError) as error:
        typer.secho(f"error: invalid settings: {error}", err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from None


def open_engine(settings: Settings, build_if_missing: bool = False) -> Engine:
    from rag.engine import Engine
    from rag.store.stores import open_store

    if build_if_missing and not open_store(settings).exists():
        typer.echo(f"No index yet: indexing {settings.corpus_path} ...", err=True)
        engine = Engine.open(settings, allow_empty=True)
        report = engine.index_paths([settings.corpus_path], progress=True)
        _print_report(report)
        return engine
    return Engine.open(settings)


def _print_report(report: Any) -> None:
    for label, items in (
        ("added", report.added),
        ("replaced", report.replaced),
        ("unchanged", report.unchanged),
        ("deleted", report.deleted),
    ):
        if items:
            typer.echo(f"{label}: {len(items)} ({', '.join(items[:10])}{' ...' if len(items) > 10 else ''})")
    for failure in report.failed:
        typer.secho(f"skipped: {failure}", err=True, fg=typer.colors.YELLOW)


def _print_answer(answer: Any, as_json: bool) -> None:
    if as_json:
        typer.echo(answer.model_dump_json(indent=2))
        return
    if answer.resolved_question:
        typer.secho(f"(understood as: {answer.resolved_question})", fg=typer.colors.BRIGHT_BLACK)
    if answer.short_answer:
        typer.secho(f"答案 / Answer: {answer.short_answer}", bold=True)
    typer.echo(answer.answer)
    label = "相关段落 / Related passages" if answer.refused else "来源 / Sources"
    typer.secho(label + ":", fg=typer.colors.CYAN)
    for citation in answer.citations:
        snippet = (citation.highlight or citation.text).replace("\n", " ")
        typer.echo(f"  [{citation.n}] {citation.title} ({citation.doc} @{citation.start}-{citation.end})")
        typer.echo(f"      {snippet[:160]}{'…' if len(snippet) > 160 else ''}")
    typer.secho(f"({answer.backend}, {answer.latency_ms:.0f} ms)", fg=typer.colors.BRIGHT_BLACK)


#: What ``rag index --ray ADDRESS`` reads as an address rather than a path.
RAY_ADDRESS = re.compile(r"^(ray:/+\S+|auto|localhost|[\w.-]+:\d+)$")


def ray_address(paths: list[Path]) -> tuple[str, list[Path]]:
    """``--ray``'s optional ADDRESS: the first argument when it reads as a Ray address and is not
    an existing file; otherwise ``local`` (a local Ray)."""
    if paths and not paths[0].exists() and RAY_ADDRESS.match(str(paths[0])):
        return re.sub(r"^ray:/+", "ray://", str(paths[0])), paths[1:]  # a Path folds ray:// to ray:/
    return "local", paths


@app.command()
def index(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders; default: the corpus folder.")] = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Start from an empty index.")] = False,
    ray: Annotated[bool, typer.Option(
        "--ray", help="Load, chunk and embed on Ray. A Ray ADDRESS right after it (ray://host:10001, "
        "host:6379, auto) names a cluster; without one a local Ray with 2 CPUs runs.",
    )] = False,
) -> None:
    """Index documents (unchanged files are skipped; changed ones replaced)."""
    settings = cli_settings()
    address, paths = ray_address(paths or []) if ray else (None, paths)
    targets = paths or [settings.corpus_path]
    missing = [p for p in targets if not p.exists()]
    if missing:
        typer.secho(f"error: no such file or folder: {', '.join(map(str, missing))}", err=True, fg=typer.colors.RED)
        raise typer.Exit(2)
    with user_errors():
        from rag.engine import Engine
        from rag.store.stores import open_store

        store = open_store(settings)
        engine = Engine.open(settings, allow_empty=rebuild or not store.exists(), rebuild=rebuild)
        report = engine.index_paths(targets, rebuild=rebuild, progress=True, ray=address)
        _print_report(report)
        info = engine.info()
        typer.echo(f"index: {info.documents} documents, {info.chunks} chunks at {store.location}")
        if not engine.index.documents:
            raise typer.Exit(1)


@app.command()
def delete(doc_ids: Annotated[list[str], typer.Argument(help="Document ids (file names).")]) -> None:
    """Remove documents from the index by id."""
    settings = cli_settings()
    with user_errors():
        engine = open_engine(settings)
        removed = engine.delete_documents(doc_ids)
        for doc_id in doc_ids:
            typer.echo(f"{'deleted' if doc_id in removed else 'not found'}: {doc_id}")
        if len(removed) != len(doc_ids):
            raise typer.Exit(1)


def _ask_jsonl(engine: Any, path: Path, top_k: int | None, backend: str | None) -> int:
    """Answer one JSON object per line; a bad line yields an error object, the rest still run."""
    from pydantic import ValidationError

    from rag.schema import ChatTurn

    failures = 0
    lines = sys.stdin if str(path) == "-" else path.open(encoding="utf-8")
    with lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                if not isinstance(item, dict):
                    raise ValueError("each line must be a JSON object")
                history = [ChatTurn.model_validate(t) for t in item.get("history") or []]
                answer = engine.ask(item.get("question"), history, top_k=top_k, backend=backend)
                typer.echo(answer.model_dump_json())
            except (ValueError, ValidationError, RagError) as error:
                failures += 1
                message = str(error).splitlines()[0]
                typer.echo(json.dumps({"line": number, "error": message}, ensure_ascii=False))
    return failures


#: Header names accepted for the question column of a sheet (case-insensitive).
QUESTION_COLUMNS = ("question", "问题")
#: Columns ``rag ask --file`` appends to the sheet's own.
ANSWER_COLUMNS = ("answer", "short_answer", "refused", "refusal_reason", "source_title", "source_doc",
                  "source_passage", "backend", "error")


def _answer_cells(answer: Any) -> list[Any]:
    """The appended cells of one answered row: the first source stands for all of them."""
    first = answer.citations[0] if answer.citations else None
    return [
        answer.answer,
        answer.short_answer or "",
        answer.refused,
        answer.refusal.reason if answer.refusal else "",
        first.title if first else "",
        first.doc if first else "",
        ((first.highlight or first.text) if first else "").strip(),
        answer.backend,
        "",
    ]


def _ask_table(engine: Any, path: Path, out: Path, top_k: int | None, backend: str | None) -> int:
    """Answer the question column of a sheet (.xlsx or .csv) into ``out``, keeping the sheet's own
    columns; a bad row gets its message in the ``error`` column and the others still run."""
    from rag.tables import TableError, read_table, write_table

    header, rows = read_table(path)
    lowered = [name.lower() for name in header]
    column = next((header[lowered.index(name)] for name in QUESTION_COLUMNS if name in lowered), None)
    if column is None:
        raise TableError(f"{path}: no question column; name one column 'question' or '问题' "
                         f"(columns: {', '.join(h for h in header if h) or 'none'})")
    kept = [name for name in header if name and name.lower() not in ANSWER_COLUMNS]
    failures = 0
    written: list[list[Any]] = []
    for row in rows:
        cells: list[Any] = [row.values.get(name, "") for name in kept]
        try:
            cells += _answer_cells(engine.ask(row.values[column], top_k=top_k, backend=backend))
        except RagError as error:
            failures += 1
            cells += [""] * (len(ANSWER_COLUMNS) - 1) + [f"row {row.number}: {error}"]
        written.append(cells)
    write_table(out, [*kept, *ANSWER_COLUMNS], written)
    typer.echo(f"answered {len(rows) - failures} of {len(rows)} questions into {out}", err=True)
    return failures


@app.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="The question.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer object as JSON.")] = False,
    jsonl: Annotated[
        Path | None, typer.Option("--jsonl", help="Answer every line of a JSONL file ('-' = stdin).")
    ] = None,
    sheet: Annotated[
        Path | None,
        typer.Option("--file", help="Answer a sheet (.xlsx or .csv) whose 'question' (or '问题') column holds "
                                    "the questions; the answers go to --out."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Where --file writes its answers (.xlsx or .csv); "
                                                "default: NAME-answers next to the input.")
    ] = None,
    top_k: Annotated[int | None, typer.Option("--top-k", min=1, max=50, help="Passages to retrieve.")] = None,
    backend: Annotated[str | None, typer.Option("--backend", help="extractive, openai or local.")] = None,
) -> None:
    """Answer a question from the indexed documents, with citations."""
    settings = cli_settings()
    if sum(given is not None for given in (question, jsonl, sheet)) != 1:
        typer.secho("error: give one of QUESTION, --jsonl FILE or --file SHEET", err=True, fg=typer.colors.RED)
        raise typer.Exit(2)
    if jsonl is not None and str(jsonl) != "-" and not jsonl.is_file():
        typer.secho(f"error: no such file: {jsonl}", err=True, fg=typer.colors.RED)
        raise typer.Exit(2)
    with user_errors():
        from rag.engine import validate_question
        from rag.tables import TABLE_SUFFIXES, read_table

        if question is not None:
            validate_question(question, settings.max_question_chars)  # fail before loading models
        if sheet is not None:
            out = out or sheet.with_name(f"{sheet.stem}-answers{sheet.suffix}")
            if out.suffix.lower() not in TABLE_SUFFIXES:
                typer.secho(f"error: --out must end in .xlsx or .csv: {out}", err=True, fg=typer.colors.RED)
                raise typer.Exit(2)
            read_table(sheet)  # a missing or unreadable sheet fails before loading models
        engine = open_engine(settings)
        if jsonl is not None or sheet is not None:
            if sheet is not None:
                assert out is not None  # defaulted above
                failures = _ask_table(engine, sheet, out, top_k, backend)
            else:
                assert jsonl is not None
                failures = _ask_jsonl(engine, jsonl, top_k, backend)
            if failures:
                raise typer.Exit(1)
            return
        assert question is not None  # checked above: without --jsonl a QUESTION is required
        _print_answer(engine.ask(question, top_k=top_k, backend=backend), as_json)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for.")],
    k: Annotated[int, typer.Option("--k", "-k", min=1, max=50)] = 5,
    mode: Annotated[str, typer.Option(help="hybrid, dense or bm25.")] = "hybrid",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show the ranked passages for a query, with scores and why they matched."""
    settings = cli_settings()
    if mode not in ("hybrid", "dense", "bm25"):
        typer.secho("error: --mode must be hybrid, dense or bm25", err=True, fg=typer.colors.RED)
        raise typer.Exit(2)
    with user_errors():
        from rag.engine import validate_question

        validate_question(query, settings.max_question_chars)
        engine = open_engine(settings)
        passages = engine.search(query, k, cast("RetrievalMode", mode))  # checked above
        if as_json:
            typer.echo(json.dumps([p.model_dump() for p in passages], ensure_ascii=False, indent=2))
            return
        for rank, passage in enumerate(passages, start=1):
            where = f"({passage.doc} @{passage.start}-{passage.end})"
            typer.secho(f"{rank}. {passage.score:.3f} {passage.title} {where}", bold=True)
            typer.secho(f"   {passage.reason}", fg=typer.colors.BRIGHT_BLACK)
            typer.echo(f"   {passage.text[:200]}")


def chat_loop(engine: Any, read: Callable[[str], str] = input, backend: str | None = None) -> None:
    """Interactive multi-turn chat; ``/clear`` forgets the conversation, ``/exit`` or EOF ends."""
    from rag.schema import ChatTurn

    history: list[ChatTurn] = []
    typer.echo("输入问题开始对话（/clear 清空对话，/exit 退出）。Ask a question (/clear, /exit).")
    while True:
        try:
            line = read("\n问 > ").strip()
        except (EOFError, KeyboardInterrupt):
            typer.echo("")
            return
        if not line:
            continue
        if line in ("/exit", "/quit"):
            return
        if line == "/clear":
            history.clear()
            typer.echo("（对话已清空 / conversation cleared）")
            continue
        try:
            answer = engine.ask(line, history, backend=backend)
        except RagError as error:
            typer.secho(f"error: {error}", err=True, fg=typer.colors.RED)
            continue
        _print_answer(answer, as_json=False)
        history += [ChatTurn(role="user", content=line), ChatTurn(role="assistant", content=answer.answer)]


@app.command()
def chat(backend: Annotated[str | None, typer.Option("--backend")] = None) -> None:
    """Interactive terminal chat with follow-up questions (builds the index if missing)."""
    settings = cli_settings()
    with user_errors():
        engine = open_engine(settings, build_if_missing=True)
        chat_loop(engine, backend=backend)


@app.command()
def info(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Documents, chunks, embedding model and index size."""
    settings = cli_settings()
    with user_errors():
        from rag.store.stores import open_store

        store = open_store(settings)
        manifest = store.read_manifest()
        engine = open_engine(settings)
        data = {
            "index_dir": store.location,
            "embedding_model": manifest["embedding_model"],
            "dimension": manifest["dimension"],
            "index_type": manifest.get("index_type"),
            "documents": [vars(d) for d in engine.documents()],
            "chunks": engine.info().chunks,
            "sentences": engine.info().sentences,
            "index_bytes": engine.index_size_bytes(),
        }
        if as_json:
            typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
            return
        typer.echo(f"index:      {data['index_dir']} ({data['index_bytes'] / 1e6:.1f} MB)")
        typer.echo(f"model:      {data['embedding_model']} (dim {data['dimension']}, {data['index_type']})")
        typer.echo(f"documents:  {len(data['documents'])}, chunks: {data['chunks']}, sentences: {data['sentences']}")
        for doc in data["documents"]:
            typer.echo(f"  {doc['doc_id']}  {doc['chunks']:>4} chunks  {doc['title']}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on; loopback only unless --allow-remote.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, envvar="RAG_PORT", help="Port (env RAG_PORT).")] = 8000,
    allow_remote: Annotated[
        bool, typer.Option("--allow-remote", help="Allow a non-loopback --host; needs RAG_API_KEYS.")
    ] = False,
    log_level: Annotated[str, typer.Option(help="debug, info, warning or error.")] = "info",
) -> None:
    """Run the HTTP API and the chat page (JSON-lines logs on stderr; builds the index if missing)."""
    settings = cli_settings()
    with user_errors():
        from rag.api.server import check_bind, run, startup_lines

        check_bind(host, allow_remote, settings)
        for line in startup_lines(host, port, settings):
            if line.startswith(("WARNING", "No API", "note")):
                typer.secho(line, err=True, fg=typer.colors.YELLOW)
            else:
                typer.echo(line)
        run(settings, host, port, log_level.lower())


@app.command("llm-server")
def llm_server(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port on 127.0.0.1.")] = 8080,
) -> None:
    """Serve the packaged Qwen2.5 model (RAG_LOCAL_MODEL) as an OpenAI-compatible API on loopback,
    for the `openai` backend (needs the `llm` extra)."""
    settings = cli_settings()
    with user_errors():
        from rag.llm.server import serve as serve_model

        serve_model(
            settings,
            port=port,
            on_ready=lambda url: typer.echo(f"serving {settings.local_model} at {url}; set RAG_OPENAI_BASE_URL={url}"),
        )


@app.command("mcp")
def mcp_stdio() -> None:
    """Serve the MCP tools (ask, search, list_documents, get_passage) over stdin/stdout, for agents
    that start the server themselves; `rag serve` serves the same tools over HTTP at /mcp."""
    settings = cli_settings()
    with user_errors():
        from rag.api.mcp_server import run_stdio

        run_stdio(settings)


def _register_plugin_commands() -> None:
    """Commands other packages contribute (``rag eval`` from ``eval.cli``), declared as
    ``[project.entry-points."rag.commands"]``: each entry is a ``register(app)`` function."""
    for entry in entry_points(group="rag.commands"):
        try:
            register = entry.load()
        except ImportError:  # the plugin's package is not installed: its commands are absent
            continue
        register(app)


_register_plugin_commands()


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # python -m rag.cli
    main()
