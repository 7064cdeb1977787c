"""Server mode with replicas: what it costs a replica to follow another's writes.

    .venv/bin/python bench/replica_bench.py [--sizes 10000 100000]

Starts ``chroma run`` on 127.0.0.1, fills it with N synthetic chunks (random 384-dimension
vectors, the size of multilingual-e5-small's; texts drawn from the words of the shipped
corpus), and opens two replicas A and B with separate data directories. Prints, per N:

* the generation check: its time per question (p50 / p95), and as a share of a whole
  search on B (dense query + BM25 + fusion; no embedding, the vectors are given);
* how many of B's questions pass before B sees a chunk A just wrote (target: the next);
* B's first search after A's write (the BM25 reload: ids read, documents read, rebuilt),
  against a search with nothing to reload.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.base import KnowledgeBase  # noqa: E402
from kb.embedder import Embedder  # noqa: E402
from kb.settings import Settings  # noqa: E402
from kb.types import Chunk, DocType, Provenance  # noqa: E402

DIMENSION = 384  # multilingual-e5-small
QUESTIONS = 50  # generation checks timed per size


class RandomEmbedder(Embedder):
    """Unit vectors from a seeded generator: the bench measures the store, not a model."""

    model_id = "bench-random-384"
    max_tokens = 512

    def __init__(self) -> None:
        self._rng = np.random.default_rng(0)

    @property
    def dimension(self) -> int:
        return DIMENSION

    def _vecs(self, n: int) -> np.ndarray:
        v = self._rng.standard_normal((n, DIMENSION)).astype(np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._vecs(len(texts))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._vecs(len(texts))

    def count_tokens(self, text: str, role: str = "passage") -> int:  # type: ignore[override]
        return len(text.split())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _words() -> list[str]:
    text = " ".join(p.read_text(encoding="utf-8") for p in (ROOT / "corpus").rglob("*.md"))
    return re.findall(r"[a-zA-Z]{4,}", text.lower()) or ["desa", "kerja", "sama"]


def _chunks(n: int, words: list[str], tag: str) -> list[Chunk]:
    rng = random.Random(n)
    out = []
    for i in range(n):
        source = f"bench/{tag}-{i // 50:05d}.md"  # 50 chunks per document
        text = " ".join(rng.choice(words) for _ in range(60))
        prov = Provenance(source=source, title=source, doc_type=DocType.LAINNYA, file_hash=f"h{i // 50}")
        out.append(Chunk(f"{tag}-{i:07d}", text, text, prov, index=i % 50, count=50))
    return out


def _settings(data: Path, port: int) -> Settings:
    return Settings(
        data_dir=data,
        corpus_dir=data / "corpus",
        chroma_host="127.0.0.1",
        chroma_port=port,
        _env_file=None,  # type: ignore[call-arg]
    )


def _search_ms(kb: KnowledgeBase, query: str) -> float:
    t0 = time.perf_counter()
    kb.search(query, 5)
    return (time.perf_counter() - t0) * 1e3


def run(size: int, words: list[str], tmp: Path) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "chroma"), "run", "--path", str(tmp / f"server-{size}"),
         "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )  # fmt: skip
    try:
        deadline = time.time() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
        embedder = RandomEmbedder()
        a = KnowledgeBase(_settings(tmp / f"a-{size}", port), embedder)
        b = KnowledgeBase(_settings(tmp / f"b-{size}", port), embedder)
        chunks = _chunks(size, words, "isi")
        t0 = time.perf_counter()
        for start in range(0, size, 5000):
            part = chunks[start : start + 5000]
            a.store.upsert(part, embedder.embed_passages([c.text for c in part]))
        fill = time.perf_counter() - t0
        query = " ".join(words[:5])
        b.search(query, 5)  # B builds its BM25 once
        steady = statistics.median(_search_ms(b, query) for _ in range(10))
        checks = []
        for _ in range(QUESTIONS):
            t0 = time.perf_counter()
            b.store.generation()
            checks.append((time.perf_counter() - t0) * 1e3)
        checks.sort()
        p50, p95 = checks[len(checks) // 2], checks[int(len(checks) * 0.95) - 1]

        new = _chunks(1, ["embungbaru"] * 3, "baru")
        a.store.upsert(new, embedder.embed_passages([new[0].text]))
        t0 = time.perf_counter()
        hits = b.search("embungbaru", 50)  # random vectors: its dense rank is noise, BM25's is 1
        reload_ms = (time.perf_counter() - t0) * 1e3
        seen = any(h.chunk_id == new[0].chunk_id and h.ranks.lexical is not None for h in hits)
        print(
            f"| {size:,} | {fill:.0f} s | {p50:.1f} / {p95:.1f} ms | {p50 / steady:.1%} of {steady:.0f} ms "
            f"| {'next question' if seen else 'NOT SEEN'} | {reload_ms / 1e3:.1f} s "
            f"({reload_ms / steady:.0f}× a search) |",
            flush=True,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    args = ap.parse_args()
    words = _words()
    print(f"CPU: {_cpu()}; {os.cpu_count()} cores")
    print("| chunks | fill (A) | generation check p50 / p95 | share of a search on B | B sees A's write "
          "| B's first search after it (BM25 reload) |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    tmp = Path(tempfile.mkdtemp(prefix="replica-bench-"))
    try:
        for size in args.sizes:
            run(size, words, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _cpu() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown"


if __name__ == "__main__":
    main()
