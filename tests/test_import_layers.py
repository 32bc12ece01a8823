"""The package's layers: every module of rag/ imports only its own layer and the ones below.

Layers, lowest first: foundation (settings, errors, schema, net) < text < store < ingest <
retrieval < llm < answering < engine < api < cli. ``ui`` and ``eval`` sit above the engine and the
API and are never imported by rag/ (the API and the CLI find them through entry points).
Imports are read statically (ast), including those inside functions and under TYPE_CHECKING.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "rag"

LAYERS = ["foundation", "text", "store", "ingest", "retrieval", "llm", "answering", "engine", "api", "cli"]
FOUNDATION = {"settings", "errors", "schema", "net", "tables"}
FORBIDDEN_TOP_LEVEL = {"ui", "eval"}


def layer_of(module: str) -> str | None:
    """The layer of a ``rag...`` module name (None for ``rag`` itself)."""
    parts = module.split(".")
    if parts[0] != "rag" or len(parts) == 1:
        return None
    head = parts[1]
    if head in FOUNDATION or head == "data":
        return "foundation"
    if head in LAYERS:
        return head
    raise AssertionError(f"{module}: not in any layer; add it to LAYERS or FOUNDATION")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path, name: str | None = None) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import statement in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    name = name or module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            if ROOT.joinpath(*target.split(".")).is_dir():  # from rag import text -> rag.text
                found.extend((node.lineno, f"{target}.{alias.name}") for alias in node.names)
    return found


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def upward_imports(path: Path, name: str | None = None) -> list[str]:
    """Every import of ``path`` (module ``name``) that reaches above its layer, or into ui/eval."""
    name = name or module_name(path)
    own = layer_of(name)
    problems = []
    for line, target in imported_modules(path, name):
        top = target.split(".")[0]
        if top in FORBIDDEN_TOP_LEVEL:
            problems.append(f"{name}:{line} imports {target} (ui/eval are above rag)")
            continue
        if top != "rag" or own is None:
            continue
        try:
            theirs = layer_of(target)
        except AssertionError:
            continue  # 'from rag.x import name' where x is a module: checked via the module itself
        if theirs is not None and LAYERS.index(theirs) > LAYERS.index(own):
            problems.append(f"{name}:{line} ({own}) imports {target} ({theirs})")
    return problems


def test_every_module_is_in_a_layer() -> None:
    for path in modules():
        layer_of(module_name(path))


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_upward_import(path: Path) -> None:
    assert upward_imports(path) == []


def test_the_checker_sees_upward_imports(tmp_path: Path) -> None:
    """A module of a lower layer importing a higher one (even inside a function) is reported."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from rag.text.patterns import CJK\n"
        "def f():\n    from rag.engine import Engine\n    import ui.chat_page\n"
        "from .. import retrieval\n",
        encoding="utf-8",
    )
    problems = upward_imports(probe, "rag.store.probe")
    assert len(problems) == 3
    for target in ("rag.engine", "ui.chat_page", "rag.retrieval"):
        assert any(target in problem for problem in problems), target


def test_import_rag_loads_no_ui_eval_or_web_stack() -> None:
    code = (
        "import rag, sys\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in {'ui', 'eval', 'gradio', 'fastapi'})\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == ""
