"""Extractive answer latency with the model warm.

    .venv/bin/python bench/answer_bench.py --data-dir DIR [--shared ../shared]

Runs every dev question (and a lower-cased variant) through the extractive answerer of an
index of the reference corpus and prints p50 / p95, against the retrieval alone in the same
run (the answer's own work is the difference).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.answer import Answerer  # noqa: E402
from kb.base import KnowledgeBase  # noqa: E402
from kb.embedder import make_embedder  # noqa: E402
from kb.settings import Settings  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = ap.parse_args()
    lines = (args.shared / "eval" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    qs = [json.loads(x)["question"] for x in lines if x.strip()]
    qs += [q.lower() for q in qs]
    settings = Settings(data_dir=args.data_dir, _env_file=None)  # type: ignore[call-arg]
    kb = KnowledgeBase(settings, make_embedder(settings, cache=False))
    answerer = Answerer(kb)
    for q in qs[:3]:
        answerer.ask(q)  # warm: model, stemmer, indexes
    ask, retrieve = [], []
    for q in qs:
        t0 = time.perf_counter()
        answerer.ask(q)
        ask.append((time.perf_counter() - t0) * 1e3)
        t0 = time.perf_counter()
        kb.retrieve(q, 6)
        retrieve.append((time.perf_counter() - t0) * 1e3)
    for name, values in (("extractive answer", ask), ("retrieval alone", retrieve)):
        p50, p95 = np.percentile(values, [50, 95])
        print(f"{name:<18} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   ({len(values)} questions)")


if __name__ == "__main__":
    main()
