"""What a refusal reads: the document list from the store's summaries against the full
scan it replaced, on a synthetic index.

    .venv/bin/python bench/refusal_bench.py [--size 100000]

A refusal names what the index holds, so it needs the document list. Before the summaries
(``kb.store``, ``<name>-docs``) that list was built by reading every chunk with its text.
The synthetic index holds Pasal-like chunks with random vectors (what the vectors mean
does not matter to what is read) spread over 40 documents. Prints, in one run: the time of
the document list both ways, the chunk texts each reads, and a whole refusal.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from retrieval_bench import synthetic_chunk  # noqa: E402

from kb.answer import Answerer  # noqa: E402
from kb.base import KnowledgeBase  # noqa: E402
from kb.embedder import make_embedder  # noqa: E402
from kb.settings import Settings  # noqa: E402
from kb.types import DocumentSummary  # noqa: E402

DOCUMENTS = 40


def build(kb: KnowledgeBase, size: int) -> None:
    rng = np.random.default_rng(size)
    words = (ROOT.parent / "shared" / "corpus-ref" / "uu-6-2014.txt").read_text(encoding="utf-8").split()
    per_doc = -(-size // DOCUMENTS)
    for start in range(0, size, 5000):
        batch = []
        for i in range(start, min(start + 5000, size)):
            reg = f"PP {i // per_doc + 1}/2020"
            pasal = str(i % per_doc + 1)
            text = f"Pasal {pasal}\n(1) " + " ".join(words[j % len(words)] for j in range(i, i + 80))
            batch.append(synthetic_chunk(reg, pasal, i, per_doc, text))
        vecs = rng.standard_normal((len(batch), kb.embedder.dimension)).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        kb.store.upsert(batch, vecs)


def full_scan(kb: KnowledgeBase) -> list[DocumentSummary]:
    """The document list as it was built before the summaries: every chunk, with its text."""
    per: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for hit in kb.store.all_chunks():
        per[str(hit.metadata.get("source"))].append(hit.metadata)
    return [DocumentSummary.of_chunks(s, m) for s, m in sorted(per.items())]


def counting_reads(kb: KnowledgeBase) -> list[int]:
    """Patch the chunk collection's get to count the chunk texts it returns."""
    texts = [0]
    collection = kb.store.collection
    real = collection.get

    def get(*args: Any, **kwargs: Any) -> Any:
        got = real(*args, **kwargs)
        texts[0] += len(got.get("documents") or [])
        return got

    collection.get = get
    return texts


def timed(fn: Any, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best * 1e3


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=100_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), corpus_dir=Path(tmp) / "corpus", _env_file=None)  # type: ignore[call-arg]
        kb = KnowledgeBase(settings, make_embedder(settings, cache=False))
        t0 = time.perf_counter()
        build(kb, args.size)
        print(f"built {kb.store.count()} chunks in {time.perf_counter() - t0:.0f} s")
        t0 = time.perf_counter()
        kb.documents()  # the first read after a bulk write rebuilds the summaries once
        print(f"summaries rebuilt from the chunks' metadata: {(time.perf_counter() - t0) * 1e3:.0f} ms")
        texts = counting_reads(kb)
        assert kb.documents() == full_scan(kb)
        texts[0] = 0
        summary_ms = timed(kb.documents, 5)
        summary_texts = texts[0] // 5
        texts[0] = 0
        scan_ms = timed(lambda: full_scan(kb), 2)
        scan_texts = texts[0] // 2
        answerer = Answerer(kb)
        texts[0] = 0
        q = "Berapa tarif pajak kendaraan bermotor tahun 2031?"
        refusal_ms = timed(lambda: answerer._refusal(q, q, "umum", "bukti_lemah"), 5)
        print(f"\n{args.size} chunks, {DOCUMENTS} documents        ms   chunk texts read")
        print(f"  document list, summaries     {summary_ms:8.1f}   {summary_texts}")
        print(f"  baseline: full scan          {scan_ms:8.1f}   {scan_texts}")
        print(f"  ratio                        {scan_ms / summary_ms:8.0f}x")
        print(f"  a refusal's text             {refusal_ms:8.1f}   {texts[0] // 5}")


if __name__ == "__main__":
    main()
