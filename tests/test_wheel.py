"""The wheel works outside the repository: built, installed into a fresh virtual environment in a
temporary folder, and run from a working directory that is not the checkout.

The fresh environment gets the project's already-installed dependencies through a ``.pth`` file
that names the project venv's site-packages (nothing is downloaded), while ``rag``, ``ui`` and
``eval`` come from the wheel: the checkout is copied aside, the copy is built, and nothing of the
checkout is on the new environment's path. The embedding model cache is the one the tests use
anyway (``Settings().cache_dir``), so the model is not rebuilt.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import time
import zipfile
from pathlib import Path

import pytest

from rag.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "哈尔滨市对大工匠每人奖励多少钱？"
#: Not part of the source tree a wheel is built from.
_NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "index", "build", "dist", "*.egg-info", "__pycache__", "*.pyc", ".pytest_cache",
    ".cache", "feedback", "eval-report*", ".mypy_cache", ".ruff_cache",
)
#: Files the product reads at run time: all must ship in the wheel.
PACKAGE_DATA = [
    "rag/data/stopwords_zh.txt",
    "rag/data/places.tsv",
    "rag/data/packs/workforce/userdict_zh.txt",
    "rag/data/packs/workforce/glossary_en_zh.tsv",
    "rag/data/packs/workforce/README.md",
    "rag/prompts/answer_zh.txt",
    "rag/prompts/answer_en.txt",
    "eval/configs.toml",
    "eval/GRADING.md",
    "eval/datasets/corpus_qa.jsonl",
    "ui/chat_page.py",
]

#: Run inside the new environment: where the packages come from and what they can read.
PROBE = """
import json
from pathlib import Path
import eval, rag, ui
from eval.configs import DEFAULT_CONFIG_FILE, load_config_file
from rag.answering.prompting import load_template
from rag.settings import PROJECT_ROOT, Settings
from rag.text.glossary import Glossary
from rag.text.tokenizing import shared_tokenizer
settings = Settings()
print(json.dumps({
    "files": [rag.__file__, ui.__file__, eval.__file__],
    "project_root": str(PROJECT_ROOT),
    "index_dir": str(Settings(index_dir=Path("some/index")).index_path),
    "cwd": str(Path.cwd()),
    "pack": str(settings.domain_pack_dir),
    "prompt": load_template(settings.prompts_path, "zh").refusal,
    "configs": sorted(load_config_file(DEFAULT_CONFIG_FILE)),
    "glossary": Glossary().expand("great craftsmen"),
    "words": shared_tokenizer().words("省总工会表彰大工匠"),
}, ensure_ascii=False))
"""


def _run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, **kwargs)  # type: ignore[call-overload]
    assert result.returncode == 0, f"{command} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    return result


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment for the new venv's commands: no settings or paths leaking from this one."""
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith("RAG_") and k not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "PYTHONSAFEPATH"}
    }
    env.update({"HF_HUB_OFFLINE": "1", "PYTHONNOUSERSITE": "1", "PYTHONDONTWRITEBYTECODE": "1", **extra})
    return env


@pytest.mark.slow
def test_wheel_answers_outside_the_checkout(tmp_path: Path) -> None:
    assert not tmp_path.resolve().is_relative_to(ROOT), "the temporary folder must be outside the checkout"
    timings: dict[str, float] = {}
    started = time.perf_counter()

    # 1. build the wheel from a copy of the checkout (no build/ or egg-info in the working tree)
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=_NOT_SOURCE, symlinks=True)
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
          "-q", "-w", str(dist), "."], cwd=source)
    wheels = list(dist.glob("rag-*.whl"))
    assert len(wheels) == 1, wheels
    names = set(zipfile.ZipFile(wheels[0]).namelist())
    assert [f for f in PACKAGE_DATA if f not in names] == []
    assert not [n for n in names if n.startswith(("tests/", "bench/", "scripts/", "corpus/", "prompts/"))]
    timings["build"] = time.perf_counter() - started

    # 2. a fresh venv outside the checkout; the wheel installed before the dependencies are linked,
    #    so pip never sees the project's editable install
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
          "-q", str(wheels[0])], env=_clean_env())
    new_site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         env=_clean_env()).stdout.strip())
    project_site = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (new_site / "_rag_project_dependencies.pth").write_text("\n".join(sorted(project_site)) + "\n")
    timings["venv+install"] = time.perf_counter() - started - timings["build"]

    # 3. run from a working directory outside the checkout, with its own index and the shared cache
    work = tmp_path / "work"
    work.mkdir()
    corpus = tmp_path / "corpus-copy"
    shutil.copytree(ROOT / "corpus", corpus)
    env = _clean_env(RAG_INDEX_DIR=str(tmp_path / "index"), RAG_CACHE_DIR=str(Settings().cache_dir))

    probe = json.loads(_run([str(python), "-c", PROBE], cwd=work, env=env).stdout)
    for file in probe["files"]:
        assert Path(file).resolve().is_relative_to(venv.resolve()), probe
        assert not Path(file).resolve().is_relative_to(ROOT), probe
    assert probe["project_root"] == "None"  # installed: no repository around
    assert probe["index_dir"] == str(work / "some" / "index")  # relative paths: the working directory
    assert Path(probe["pack"]).resolve().is_relative_to(venv.resolve())
    assert probe["prompt"].startswith("资料中未找到")
    assert "hybrid-top3" in probe["configs"]
    assert probe["glossary"] == ["大工匠"]
    assert "省总工会" in probe["words"] and "大工匠" in probe["words"]

    rag = str(venv / "bin" / "rag")
    _run([rag, "index", str(corpus)], cwd=work, env=env)
    timings["index"] = time.perf_counter() - started - timings["build"] - timings["venv+install"]
    answer = json.loads(_run([rag, "ask", QUESTION, "--json"], cwd=work, env=env).stdout)
    assert answer["short_answer"] == "5万元", answer
    assert answer["citations"][0]["doc"] == "000_02af32df5c880f4c.txt"
    assert (tmp_path / "index" / "CURRENT").is_file()
    assert not (work / "index").exists() and not (work / "prompts").exists()
    timings["total"] = time.perf_counter() - started
    print("wheel test timings (s):", {k: round(v, 1) for k, v in timings.items()})
