"""What the BM25 coordination factor and the norm units each bring, on an eval set.

    KB_MODEL_DIR=.cache/models .venv/bin/python bench/ablation_bench.py --data-dir DIR ../shared/eval/dev.jsonl

The index in DIR must hold the reference corpus (see BENCHMARKS.md). The shipped retriever
is run with each of the two switched off (units: no unit query; coordination: plain BM25
scores), and each retriever alone. Prints Recall@1, Recall@5 and MRR@10 per row.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.base import KnowledgeBase  # noqa: E402
from kb.evaluate import Question, load_questions, matches, score_run  # noqa: E402
from kb.query import normalise  # noqa: E402
from kb.settings import Settings  # noqa: E402
from kb.types import Filters  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("eval_file", type=Path)
    ap.add_argument("--data-dir", type=Path, required=True)
    args = ap.parse_args()
    kb = KnowledgeBase(Settings(data_dir=args.data_dir, _env_file=None))  # type: ignore[call-arg]
    retriever, store = kb.retriever, kb.store
    retriever.refresh()
    questions = load_questions(args.eval_file)
    with_units = store.query_units

    def in_order(ids: list[str]) -> list[Any]:
        by_id = {h.chunk_id: h for h in store.get_ids(ids)}  # Chroma returns its own order
        return [by_id[i] for i in ids if i in by_id]

    def hybrid(q: Question) -> list[Any]:
        return list(kb.retrieve(q.question, 10).hits)

    def dense(q: Question) -> list[Any]:
        vector = kb.embedder.embed_queries([normalise(q.question).text])[0]
        ranked, _, _ = retriever._dense_with_units(vector, Filters())
        return in_order([cid for cid, _ in ranked[:10]])

    def bm25(q: Question) -> list[Any]:
        return in_order([h.chunk_id for h in retriever.lexical.search(normalise(q.question).text, 10)])

    def row(name: str, ranked: Callable[[Question], list[Any]], units: bool, coordination: bool) -> None:
        store.query_units = with_units if units else (lambda *a, **k: [])  # type: ignore[method-assign]
        retriever.lexical.coordination = coordination
        m = score_run(name, questions, ranked, lambda h, rel: matches(h.provenance, rel), 5)
        print(f"{name:<44}{m.recall_1:>8.3f}{m.recall_k:>8.3f}{m.mrr_10:>8.3f}")

    print(f"{'system':<44}{'R@1':>8}{'R@5':>8}{'MRR':>8}")
    row("hybrid, units + coordination (shipped)", hybrid, True, True)
    row("hybrid, coordination only", hybrid, False, True)
    row("hybrid, units only", hybrid, True, False)
    row("hybrid, neither", hybrid, False, False)
    row("dense alone, chunk vectors only", dense, False, True)
    row("dense alone, with units", dense, True, True)
    row("BM25 alone, without coordination", bm25, True, False)
    row("BM25 alone, with coordination", bm25, True, True)


if __name__ == "__main__":
    main()
