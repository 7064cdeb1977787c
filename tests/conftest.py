"""Shared fixtures. Tests that need ``../shared`` skip with a reason when it is absent and
fail when ``CI=true`` (CI always has it beside the clone)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from langchain_core.embeddings import DeterministicFakeEmbedding

from ingest.loaders import load_file
from kb.embedder import Embedder, Role
from kb.settings import Settings
from kb.types import LoadedDocument

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS_REF = SHARED / "corpus-ref"
PDF_DIR = CORPUS_REF / "pdf"
EVAL_FILE = SHARED / "eval" / "dev.jsonl"
REGULATION_TEXTS = ("uu-6-2014.txt", "uu-3-2024.txt", "pp-43-2014.txt", "pp-47-2015.txt", "pp-11-2021.txt")


def require_shared(path: Path = CORPUS_REF) -> Path:
    if path.exists():
        return path
    if os.environ.get("CI") == "true":
        pytest.fail(f"{path} is missing: CI must run with ../shared beside the clone")
    pytest.skip(f"{path} is not available (../shared missing)")


@pytest.fixture
def ref_dir() -> Path:
    return require_shared()


@cache
def _loaded(path: Path) -> LoadedDocument:
    return load_file(path, path.name, max_file_mb=50)


def load_reference(path: Path, source: str | None = None) -> LoadedDocument:
    """A reference file as the loader reads it, read once per test session (the 127-page
    Perda PDF takes 7 s on these machines, and five tests read it)."""
    doc = _loaded(require_shared(path).resolve())
    return replace(doc, source=source) if source else doc


def reference_paths() -> list[Path]:
    """The whole reference corpus as the product indexes it: regulations, PDFs and the
    shipped corpus (its webinar note replaces the raw copy in corpus-ref)."""
    require_shared()
    return [*(CORPUS_REF / n for n in REGULATION_TEXTS), PDF_DIR, ROOT / "corpus"]


class FakeEmbedder(Embedder):
    """Deterministic vectors (LangChain's fake) behind the project's contract: for plumbing."""

    max_tokens = 512

    def __init__(self, size: int = 32, fail_after: int | None = None) -> None:
        self.model_id = f"fake-{size}"
        self._fake = DeterministicFakeEmbedding(size=size)
        self.calls = 0
        self.fail_after = fail_after

    @property
    def dimension(self) -> int:
        return self._fake.size

    def _vecs(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        if self.fail_after is not None and self.calls > self.fail_after:
            raise KeyboardInterrupt("simulated crash")
        arr = np.array(self._fake.embed_documents(list(texts)), dtype=np.float32).reshape(len(texts), -1)
        norms = np.linalg.norm(arr, axis=1, keepdims=True)
        return arr / np.where(norms == 0, 1, norms)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._vecs(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._vecs(texts)

    def count_tokens(self, text: str, role: Role = "passage") -> int:
        return len(text.split()) + 2


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    return Settings(data_dir=tmp_path / "data", corpus_dir=corpus, _env_file=None)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def ref_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """The whole reference corpus ingested once with the real default model (slow)."""
    yield from indexed(tmp_path_factory, "ref-index", reference_paths())


def indexed(
    tmp_path_factory: pytest.TempPathFactory, name: str, paths: Sequence[Path], **overrides: str
) -> Iterator[Settings]:
    """``paths`` ingested into a temporary index with the real default model (or the engine
    ``overrides`` name; slow); the settings of that index, removed afterwards."""
    from ingest.pipeline import ingest
    from kb.base import KnowledgeBase

    data = tmp_path_factory.mktemp(name)
    settings = Settings(
        data_dir=data,
        corpus_dir=ROOT / "corpus",
        # embeddings are a pure function of (model, text): a cache outside the temporary
        # index makes local reruns fast; CI starts from a clean clone without it
        embed_cache=ROOT / ".cache" / "test-embeddings.sqlite3",
        model_dir=ROOT / ".cache" / "models",
        _env_file=None,  # type: ignore[call-arg]
        **overrides,
    )
    kb = KnowledgeBase(settings)
    report = ingest(paths, settings, kb.store, kb.embedder)
    assert not report.failed, report.failed
    yield settings
    shutil.rmtree(data, ignore_errors=True)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout: float = 30) -> None:
    import socket
    import time

    deadline = time.time() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.2)


@contextmanager
def chroma_server(path: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    """``chroma run`` on 127.0.0.1:port over ``path``; stopped on exit."""
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent)) or "chroma"
    proc = subprocess.Popen(
        [chroma, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    try:
        wait_for_port(port)
        yield proc
    finally:
        stop(proc)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Terminate a server process; kill it when it does not stop within 20 s."""
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


ADMIN_PASSWORD = "sandi-uji-123"


APP_REGULATIONS = ("uu-6-2014.txt", "uu-3-2024.txt", "pp-43-2014.txt", "pp-47-2015.txt")


def app_corpus(base: Path, regulations: Sequence[str] = APP_REGULATIONS) -> Path:
    """Regulation texts from ../shared and the shipped webinar note, in a temporary corpus."""
    require_shared()
    corpus = base / "corpus"
    corpus.mkdir()
    for name in regulations:
        shutil.copy(CORPUS_REF / name, corpus / name)
    shutil.copytree(ROOT / "corpus" / "webinar", corpus / "webinar")
    return corpus


@contextmanager
def running_app(base: Path, corpus: Path, **env: str) -> Iterator[tuple[str, Settings]]:
    """``python app.py`` on a free port (it ingests ``corpus`` at start-up); stopped on exit."""
    import time
    import urllib.request

    port = free_port()
    environ = {
        **os.environ,
        "KB_DATA_DIR": str(base / "data"),
        "KB_CORPUS_DIR": str(corpus),
        "KB_EMBED_CACHE": str(ROOT / ".cache" / "test-embeddings.sqlite3"),
        "KB_MODEL_DIR": str(ROOT / ".cache" / "models"),
        "KB_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "KB_PORT": str(port),
        "KB_MAX_FILE_MB": "2",
        **env,
    }
    log_path = base / "app.log"
    log = log_path.open("w")
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "app.py")], cwd=base, env=environ, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 600
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail("app.py exited:\n" + log_path.read_text())
            try:
                urllib.request.urlopen(url + "/gradio_api/info", timeout=2)
                break
            except OSError:
                if time.time() > deadline:
                    pytest.fail("app.py did not start:\n" + log_path.read_text())
                time.sleep(1)
        settings = Settings(data_dir=base / "data", corpus_dir=corpus, _env_file=None)  # type: ignore[call-arg]
        yield url, settings
    finally:
        stop(proc)
        log.close()


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Settings]]:
    """The app over four regulations and the shipped webinar note (slow)."""
    base = tmp_path_factory.mktemp("app")
    with running_app(base, app_corpus(base)) as served:
        yield served
