"""Measures the fusion constants on an eval set, to choose them with numbers, not taste.

    python bench/fusion_grid.py --data-dir DIR ../shared/eval/dev.jsonl

The index in DIR must hold the reference corpus (see BENCHMARKS.md). Prints Recall@1,
Recall@5 and MRR@10 per configuration. Prefer a plain setting that is good across the
neighbourhood over the single best cell: the dev set has 28 answerable questions.
"""

from __future__ import annotations

import argparse
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kb.base import KnowledgeBase
from kb.evaluate import Question, load_questions, matches, score_run
from kb.retrieve import FusionConfig, HybridRetriever
from kb.settings import Settings


def ranked_by(retriever: HybridRetriever) -> Callable[[Question], list[Any]]:
    return lambda q: retriever.search(q.question, 10).hits


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("eval_file", type=Path)
    ap.add_argument("--data-dir", type=Path, required=True)
    args = ap.parse_args()
    settings = Settings(data_dir=args.data_dir, _env_file=None)  # type: ignore[call-arg]
    kb = KnowledgeBase(settings)
    questions = load_questions(args.eval_file)
    print(f"{'rrf_k':>6}{'dense':>7}{'lex':>6}{'named':>7}{'R@1':>8}{'R@5':>8}{'MRR':>8}")
    for rrf_k, dense_w, lex_w, named in itertools.product((20, 60), (1.0, 1.5), (0.5, 1.0), (1.0, 1.5)):
        cfg = FusionConfig(
            rrf_k=rrf_k, dense_weight=dense_w, lexical_weight=lex_w, named_regulation_boost=named
        )
        retriever = HybridRetriever(settings, kb.store, kb.embedder, cfg)
        m = score_run(
            "hybrid",
            questions,
            ranked_by(retriever),
            lambda h, rel: matches(h.provenance, rel),
            5,
        )
        print(
            f"{rrf_k:>6}{dense_w:>7}{lex_w:>6}{named:>7}{m.recall_1:>8.3f}{m.recall_k:>8.3f}{m.mrr_10:>8.3f}"
        )


if __name__ == "__main__":
    main()
