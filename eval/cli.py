"""``rag eval``: the evaluation command, contributed to the ``rag`` command line as a plugin.

Declared in pyproject.toml as ``[project.entry-points."rag.commands"] eval = "eval.cli:register"``;
``rag.cli`` calls ``register(app)`` when it starts, so the core package never imports ``eval``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer


def register(app: typer.Typer) -> None:
    """Add the ``eval`` command to the ``rag`` application."""
    app.command("eval")(eval_command)


def _eval_thresholds(
    min_accuracy: Optional[float], min_refusal: Optional[float], min_citation: Optional[float],
    min_hit5: Optional[float], max_false_refusal: Optional[float],
    max_wrong: Optional[float] = None, min_short: Optional[float] = None,
) -> list[Any]:
    """The gates given on the command line, as ``eval.gate.Threshold`` objects."""
    from eval.gate import Threshold

    wanted = (
        ("accuracy", min_accuracy, "min"),
        ("refusal_recall", min_refusal, "min"),
        ("citation", min_citation, "min"),
        ("hit_at_5", min_hit5, "min"),
        ("false_refusal", max_false_refusal, "max"),
        ("wrong", max_wrong, "max"),
        ("short_holds", min_short, "min"),
    )
    return [Threshold(metric, bound, kind) for metric, bound, kind in wanted if bound is not None]  # type: ignore[arg-type]


def _eval_single(engine: Any, items: list[Any], dataset: Path, backend: Optional[str], out: Path) -> list[tuple[str, Any]]:
    """One run with the configured settings: report files plus the summary table on stdout."""
    from eval.harness import Harness
    from eval.records import RunOptions
    from eval.report import failures, summary_table, write_report

    run = Harness(engine).run(items, RunOptions(backend=backend))
    metrics = write_report(run, str(dataset), out)
    typer.echo(f"# {run.label}\n")
    typer.echo(summary_table(metrics.overall))
    typer.echo(f"\n{len(failures(run.records))} failures; report: {out / 'report.html'}, {out / 'report.md'} and {out / 'report.json'}")
    return [("", metrics.overall)]


def _eval_compare(engine: Any, items: list[Any], dataset: Path, configs: list[Any], backend: Optional[str], out: Path) -> list[tuple[str, Any]]:
    """Every configuration on the shared engine; one side-by-side table on stdout and in OUT."""
    from eval.compare import run_configs
    from eval.report import write_compare, write_report

    chosen = [config.with_default_backend(backend) for config in configs]
    done: list[tuple[str, Any, Any]] = []

    def save(config: Any, run: Any) -> None:
        done.append((config.name, run, write_report(run, str(dataset), out / config.name).overall))

    run_configs(engine, chosen, items, on_done=save)
    typer.echo(write_compare(done, str(dataset), out))
    typer.echo(f"\ncomparison: {out / 'report.html'}, {out / 'compare.md'} and {out / 'compare.json'}; one report per configuration in {out}/NAME/")
    return [(name, metrics) for name, _, metrics in done]


def eval_command(
    dataset: Annotated[Path, typer.Argument(help="Evaluation dataset: JSONL, or a .csv/.xlsx sheet with the same columns (eval/GRADING.md), e.g. eval/datasets/corpus_qa.jsonl.")],
    more_configs: Annotated[Optional[list[str]], typer.Argument(help="Further configuration names for --compare.", show_default=False)] = None,
    backend: Annotated[Optional[str], typer.Option("--backend", help="extractive, openai or local (default: settings).")] = None,
    out: Annotated[Path, typer.Option("--out", help="Folder for report.html, report.json and report.md (and compare.md/json).")] = Path("eval-report"),
    min_accuracy: Annotated[Optional[float], typer.Option("--min-accuracy", min=0, help="Fail (exit 1) below this answer accuracy (0-1).")] = None,
    min_refusal: Annotated[Optional[float], typer.Option("--min-refusal", min=0, help="Fail below this refusal recall on unanswerable items.")] = None,
    min_citation: Annotated[Optional[float], typer.Option("--min-citation", min=0, help="Fail below this citation accuracy.")] = None,
    min_hit5: Annotated[Optional[float], typer.Option("--min-hit5", min=0, help="Fail below this retrieval hit@5.")] = None,
    max_false_refusal: Annotated[Optional[float], typer.Option("--max-false-refusal", min=0, help="Fail above this false-refusal rate.")] = None,
    max_wrong: Annotated[Optional[float], typer.Option("--max-wrong", min=0, help="Fail above this share of questions answered but wrong (a wrong bold short answer included).")] = None,
    min_short: Annotated[Optional[float], typer.Option("--min-short", min=0, help="Fail below this share of answerable questions whose short answer holds the gold.")] = None,
    compare: Annotated[Optional[list[str]], typer.Option("--compare", help="Compare configurations: --compare bm25 dense hybrid. Built-in: bm25, dense, hybrid, extractive, openai, local; more in eval/configs.toml.")] = None,
    limit: Annotated[Optional[int], typer.Option("--limit", min=1, help="Evaluate only the first N items.")] = None,
) -> None:
    """Grade the system on a QA dataset: summary table, report.md/report.json, quality gates.

    Exit codes: 0 all thresholds met, 1 a threshold not met, 2 bad input (dataset, names), 3 index problem.
    """
    from eval.configs import ConfigError, resolve_configs
    from eval.gate import check_thresholds
    from eval.items import DatasetError, load_items
    from rag.cli import cli_settings, open_engine, user_errors

    names = [*(compare or []), *(more_configs or [])]
    if more_configs and not compare:
        typer.secho(f"error: unexpected argument(s) {' '.join(more_configs)}; to compare configurations use --compare NAME ...", err=True, fg=typer.colors.RED)
        raise typer.Exit(2)
    settings = cli_settings()
    try:
        items = load_items(dataset)[:limit]
        configs = resolve_configs(names) if names else []
    except (DatasetError, ConfigError) as error:
        typer.secho(f"error: {error}", err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from None
    thresholds = _eval_thresholds(
        min_accuracy, min_refusal, min_citation, min_hit5, max_false_refusal, max_wrong, min_short
    )
    with user_errors():
        engine = open_engine(settings)
        if configs:
            results = _eval_compare(engine, items, dataset, configs, backend, out)
        else:
            results = _eval_single(engine, items, dataset, backend, out)
    problems = [f"{name + ': ' if name else ''}{problem}" for name, metrics in results for problem in check_thresholds(metrics, thresholds)]
    for problem in problems:
        typer.secho(f"threshold not met: {problem}", err=True, fg=typer.colors.RED)
    if problems:
        raise typer.Exit(1)
    if thresholds:
        typer.echo("all thresholds met")
