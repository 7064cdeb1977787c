"""Retrieval latency: the reference corpus and synthetic indexes of 10k and 100k chunks.

    .venv/bin/python bench/retrieval_bench.py --corpus-data DIR [--sizes 10000 100000]

Model loaded and warm. For each index, runs the dev-set questions (and rephrasings) through
the hybrid retriever and prints p50 / p95 of the whole search and its parts: query
embedding, Chroma, BM25, fusion and legal rules. The baselines' latency is measured in the
same run: dense only (embedding + Chroma) and BM25 only.

Synthetic indexes hold generated Pasal-like Indonesian text (words drawn from the real
regulations) with random unit vectors: Chroma's and BM25's cost depend on the number and
size of items, not on what the vectors mean, and embedding 100k chunks would take hours.
Each synthetic chunk has UNITS_PER_CHUNK norm units (the reference corpus has 3.9 per
chunk), so the dense side queries a unit collection four times the size of the chunks'.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.base import KnowledgeBase  # noqa: E402
from kb.embedder import make_embedder  # noqa: E402
from kb.query import normalise  # noqa: E402
from kb.settings import Settings  # noqa: E402
from kb.types import Chunk, DocType, Provenance, Section  # noqa: E402

UNITS_PER_CHUNK = 4


def questions(shared: Path) -> list[str]:
    lines = (shared / "eval" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    qs = [json.loads(x)["question"] for x in lines if x.strip()]
    return qs + [q.lower().replace("?", "") for q in qs]


def pct(values: list[float]) -> str:
    p50, p95 = np.percentile(values, [50, 95])
    return f"{p50:7.1f} {p95:7.1f}"


def measure(kb: KnowledgeBase, qs: list[str], label: str) -> None:
    kb.retriever.refresh()
    for q in qs[:5]:  # warm up
        kb.retrieve(q, 5)
    parts: dict[str, list[float]] = {
        "total": [],
        "embed_ms": [],
        "chroma_ms": [],
        "bm25_ms": [],
        "fusion_ms": [],
    }
    dense_only: list[float] = []
    bm25_only: list[float] = []
    for q in qs:
        t0 = time.perf_counter()
        r = kb.retrieve(q, 5)
        parts["total"].append((time.perf_counter() - t0) * 1e3)
        for key, value in r.timings.items():
            parts[key].append(value)
        t0 = time.perf_counter()
        kb.retriever.dense(normalise(q).text, 5, None)
        dense_only.append((time.perf_counter() - t0) * 1e3)
        t0 = time.perf_counter()
        kb.retriever.lexical.search(normalise(q).text, 5)
        bm25_only.append((time.perf_counter() - t0) * 1e3)
    n = kb.store.count()
    print(f"\n{label}: {n} chunks, {len(qs)} queries      p50 ms  p95 ms")
    for key in ("total", "embed_ms", "chroma_ms", "bm25_ms", "fusion_ms"):
        print(f"  hybrid {key:<12}          {pct(parts[key])}")
    print(f"  baseline dense only          {pct(dense_only)}")
    print(f"  baseline bm25 only           {pct(bm25_only)}")


def synthetic_chunk(
    reg: str, pasal: str, i: int, n_chunks: int, text: str, units: tuple[str, ...] = ()
) -> Chunk:
    """A synthetic chunk: a body Pasal of a PP, one file per regulation."""
    provenance = Provenance(
        source=f"syn/{reg}.txt",
        title=reg,
        doc_type=DocType.REGULASI,
        file_hash="0" * 64,
        regulation=reg,
        pasal=pasal,
        section=Section.BODY,
    )
    embed_text = f"{reg} | Pasal {pasal}\n{text}"
    return Chunk(f"syn-{i:06d}", text, embed_text, provenance, index=i, count=n_chunks, units=units)


def synthetic(kb: KnowledgeBase, size: int, vocab: list[str]) -> None:
    rng = random.Random(size)
    nprng = np.random.default_rng(size)
    regs = [f"PP {n}/{y}" for n, y in zip(range(1, 41), range(1990, 2030), strict=False)]
    batch: list[Chunk] = []
    for i in range(size):
        drawn = [rng.choice(vocab) for _ in range(rng.randint(40, 160))]
        words = " ".join(drawn)
        reg = regs[i % len(regs)]
        pasal = str(i % 300 + 1)
        text = f"Pasal {pasal}\n(1) {words}."
        step = -(-len(drawn) // UNITS_PER_CHUNK)
        units = tuple(" ".join(drawn[j : j + step]) for j in range(0, len(drawn), step))
        batch.append(synthetic_chunk(reg, pasal, i, size, text, units))
        if len(batch) == 5000 or i == size - 1:
            n_units = sum(len(c.units) for c in batch)
            vecs = nprng.standard_normal((len(batch) + n_units, kb.embedder.dimension)).astype(np.float32)
            vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
            kb.store.upsert(batch, vecs[: len(batch)], vecs[len(batch) :])
            batch = []


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus-data", type=Path, help="data dir of an index of the reference corpus")
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    args = ap.parse_args()
    qs = questions(args.shared)
    if args.corpus_data:
        settings = Settings(data_dir=args.corpus_data, _env_file=None)  # type: ignore[call-arg]
        # no embedding cache: every query is embedded, as a new question would be
        kb = KnowledgeBase(settings, make_embedder(settings, cache=False))
        measure(kb, qs, "reference corpus")
        vocab = sorted({w for h in kb.store.all_chunks() for w in h.text.split() if w.isalpha()})
    else:
        vocab = (args.shared / "corpus-ref" / "uu-6-2014.txt").read_text(encoding="utf-8").split()
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(data_dir=Path(tmp), _env_file=None)  # type: ignore[call-arg]
            kb = KnowledgeBase(settings, make_embedder(settings, cache=False))
            t0 = time.perf_counter()
            synthetic(kb, size, vocab)
            kb.retriever.refresh()
            print(f"\n(built synthetic {size}: {time.perf_counter() - t0:.0f} s)")
            measure(kb, qs, f"synthetic {size // 1000}k")


if __name__ == "__main__":
    main()
