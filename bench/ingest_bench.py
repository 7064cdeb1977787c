"""Ingest benchmark: the whole reference corpus from scratch, then again unchanged.

    .venv/bin/python bench/ingest_bench.py [--shared ../shared]

Starts from an empty data directory and an empty embedding cache (so every chunk is
embedded), and prints files, chunks, chunks/s, the share of time spent embedding, the
pipeline's own time (loading, parsing, Chroma and BM25 writes) as a ratio of the
embedding time, the unchanged re-ingest time, and the peak memory of the process.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.pipeline import ingest  # noqa: E402
from kb.base import KnowledgeBase  # noqa: E402
from kb.settings import Settings  # noqa: E402

REGULATIONS = ("uu-6-2014.txt", "uu-3-2024.txt", "pp-43-2014.txt", "pp-47-2015.txt", "pp-11-2021.txt")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = ap.parse_args()
    ref = args.shared / "corpus-ref"
    paths = [*(ref / n for n in REGULATIONS), ref / "pdf", ROOT / "corpus"]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), corpus_dir=ROOT / "corpus", _env_file=None)  # type: ignore[call-arg]
        kb = KnowledgeBase(settings)
        kb.embedder.count_tokens("pemanasan")  # load the model outside the timings
        t0 = time.perf_counter()
        first = ingest(paths, settings, kb.store, kb.embedder)
        t1 = time.perf_counter()
        second = ingest(paths, settings, kb.store, kb.embedder)
        t2 = time.perf_counter()
    files = len(first.results)
    chunks = first.chunks_embedded
    total, embed = t1 - t0, first.embed_seconds
    own = total - embed
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"engine              {settings.embedder} ({kb.embedder.model_id})")
    print(f"files               {files} ({first.count('failed')} failed)")
    print(f"chunks              {chunks}")
    print(f"first ingest        {total:.1f} s  ({chunks / total:.2f} chunks/s)")
    print(f"embedding           {embed:.1f} s  ({embed / total:.0%} of the ingest)")
    print(f"pipeline's own work {own:.1f} s  ({own / embed:.1%} of the embedding time; target < 20%)")
    print(f"unchanged re-ingest {t2 - t1:.2f} s  ({second.count('skipped')} files skipped; target < 5 s)")
    print(f"peak memory (RSS)   {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
