"""Preparing the ONNX engine's model file, once, offline (``kb model prepare`` or first use):
torch's export of the sentence-transformers folder, ONNX Runtime's BERT fusion, and the
8-bit quantisation (the method and its measurements: ``kb.e5onnx``).

Each stage runs in a process of its own so that the peak memory is the largest stage's, not
their sum; a stage imports only what it needs (with pydantic imported, the fusion's peak
grew by 0.5 GB), so this module imports nothing of the project but its errors.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any, Literal

from kb.errors import EmbeddingError

Precision = Literal["int8", "fp32"]
ONNX_VERSION = "5"  # bump when the export or the quantisation changes
MODEL_FILES: dict[Precision, str] = {"int8": "model-int8.onnx", "fp32": "model-fp32.onnx"}
RAW_FILE = "model-raw.onnx"
STAMP_FILE = "kb_onnx.json"


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


def _export_raw(folder: Path, tmp: Path) -> None:
    """The BERT graph exported from torch, attention written out ("eager")."""
    import torch
    from transformers import AutoModel

    bert = AutoModel.from_pretrained(str(folder), local_files_only=True, attn_implementation="eager").eval()

    class Hidden(torch.nn.Module):
        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            return self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    example = torch.ones((2, 8), dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}
    with warnings.catch_warnings():  # the tracer warns about shape-dependent branches
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Hidden(bert).eval(),
            (example, example),
            str(tmp / RAW_FILE),
            input_names=["input_ids", "attention_mask"],
            output_names=["hidden"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "hidden": axes},
            opset_version=17,
            dynamo=False,
        )


def _fuse(folder: Path, tmp: Path) -> None:
    """The exported graph fused by ONNX Runtime's BERT optimiser (fp32)."""
    from onnxruntime.transformers.fusion_options import FusionOptions
    from onnxruntime.transformers.optimizer import optimize_model

    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    options = FusionOptions("bert")
    options.enable_embed_layer_norm = False  # keeps the token table a Gather, so it can be 8-bit
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fused = optimize_model(
            str(tmp / RAW_FILE),
            model_type="bert",
            num_heads=config["num_attention_heads"],
            hidden_size=config["hidden_size"],
            opt_level=0,  # the Python fusions only: the same fusions as level 1 at 2.8 GB, not 3.9
            optimization_options=options,
        )
    found = fused.get_fused_operator_statistics()
    layers = config["num_hidden_layers"]
    if found.get("Attention", 0) != layers or found.get("BiasGelu", 0) + found.get("Gelu", 0) != layers:
        raise EmbeddingError(
            "Model ONNX tidak dapat disiapkan: pola attention/GELU tidak dikenali.",
            detail=f"fused {found}, {layers} layers",
        )
    fused.save_model_to_file(str(tmp / MODEL_FILES["fp32"]))


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


def _stage(name: str, folder: str, tmp: str) -> None:
    """One preparation stage, in a process of its own (``export``)."""
    folder_path, tmp_path = Path(folder), Path(tmp)
    if name == "raw":
        _export_raw(folder_path, tmp_path)
    elif name == "fuse":
        _fuse(folder_path, tmp_path)
    else:
        _quantise(tmp_path / MODEL_FILES["fp32"], tmp_path / MODEL_FILES["int8"])


def _run_stage(name: str, folder: Path, tmp: Path) -> None:
    code = "import sys; from kb.onnx_export import _stage; _stage(*sys.argv[1:])"
    root = str(Path(__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (root, os.environ.get("PYTHONPATH"))))}
    done = subprocess.run(
        [sys.executable, "-c", code, name, str(folder), str(tmp)], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise EmbeddingError(
            f"Model ONNX tidak dapat disiapkan (tahap {name}). Periksa memori dan ruang disk, lalu "
            "jalankan `kb model prepare` lagi, atau pakai KB_EMBEDDER=e5.",
            detail=done.stderr[-2000:],
        )


def export(folder: Path, precision: Precision = "int8") -> Path:
    """Write the ONNX model of ``precision`` into the prepared sentence-transformers
    ``folder`` (torch and onnx are needed here only). Each stage runs in a process of its own,
    so the peak is the largest stage's, not their sum: measured on this corpus's model, torch's
    export 2.4 GB, the fusion 2.8 GB, the quantisation 3.0 GB (5.7 GB in one process)."""
    tmp = folder / ".export"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        for stage in ("raw", "fuse", *(("quantise",) if precision == "int8" else ())):
            _run_stage(stage, folder, tmp)
        os.replace(tmp / MODEL_FILES[precision], folder / MODEL_FILES[precision])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    stamps = _stamps(folder)
    stamps[precision] = {"version": ONNX_VERSION}
    (folder / STAMP_FILE).write_text(json.dumps(stamps), encoding="utf-8")
    return folder / MODEL_FILES[precision]
