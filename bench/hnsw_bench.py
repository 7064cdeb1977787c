"""How much of the true nearest neighbours Chroma's HNSW search finds, by search breadth.

    .venv/bin/python bench/hnsw_bench.py --data-dir DIR [--questions ../shared/eval/dev2.jsonl]
                                         [--ef 100 300 500 1000]

DIR is an index made by ``kb ingest`` with the default engine (for the figures in
BENCHMARKS.md: the reference texts, ``corpus-ref/pdf``, ``corpus-ref/more`` and ``corpus/``;
``KB_MODEL_DIR`` as for ``kb``). For each ``ef_search``, in its own process (Chroma reads the
breadth when it loads a collection's graph), the collections are set to it, every question's
query vector is searched by Chroma, then exactly (numpy over all stored vectors); prints the
share of the true 100 nearest norm units and 50 nearest chunks that Chroma returned (mean
and lowest) and the units query time. The index is left at the last breadth given; ``kb``
raises it to ``kb.store.HNSW_EF_SEARCH`` when it next opens it, if that is higher.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.embedder import make_embedder  # noqa: E402
from kb.evaluate import load_questions  # noqa: E402
from kb.query import normalise  # noqa: E402
from kb.settings import Settings  # noqa: E402
from kb.store import Store, chroma_embedding_function  # noqa: E402

UNITS, CHUNKS = 100, 50  # what the retriever asks of each collection (kb.retrieve.FusionConfig)


def _share(collection: Any, queries: np.ndarray, k: int) -> tuple[list[float], list[float]]:
    """Per query: the share of the exact ``k`` nearest that Chroma returned, and its time
    (ms). Chroma is queried first, before anything else reads the collection."""
    got, times = [], []
    for q in queries:
        t0 = time.perf_counter()
        got.append(collection.query(query_embeddings=[q.tolist()], n_results=k, include=[])["ids"][0])
        times.append((time.perf_counter() - t0) * 1e3)
    stored = collection.get(include=["embeddings"])
    ids, vectors = np.array(stored["ids"]), np.asarray(stored["embeddings"], dtype=np.float32)
    exact = [set(ids[np.argsort(-(vectors @ q))[:k]]) for q in queries]
    return [len(e & set(g)) / k for e, g in zip(exact, got, strict=True)], times


def measure(data_dir: Path, questions: Path, ef: int) -> None:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = Settings(data_dir=data_dir, _env_file=None)  # type: ignore[call-arg]
    embedder = make_embedder(settings)
    name = Store(settings, embedder).name
    client = chromadb.PersistentClient(
        path=str(settings.chroma_dir), settings=ChromaSettings(anonymized_telemetry=False)
    )
    function = chroma_embedding_function(embedder)
    units, chunks = (client.get_collection(n, embedding_function=function) for n in (f"{name}-units", name))
    for collection in (units, chunks):
        collection.modify(configuration={"hnsw": {"ef_search": ef}})
    queries = embedder.embed_queries([normalise(q.standalone).text for q in load_questions(questions)])
    found_units, times = _share(units, queries, UNITS)
    found_chunks, _ = _share(chunks, queries, CHUNKS)
    print(
        f"ef_search {ef:5d}: units {np.mean(found_units):.3f} / {min(found_units):.2f}, "
        f"chunks {np.mean(found_chunks):.3f} / {min(found_chunks):.2f}, "
        f"units query p50 {np.median(times):.1f} ms ({len(queries)} questions)",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--questions", type=Path, default=ROOT.parent / "shared" / "eval" / "dev2.jsonl")
    parser.add_argument("--ef", type=int, nargs="+", default=[100, 300, 500, 1000])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child process's breadth
    args = parser.parse_args()
    if args.one is not None:
        measure(args.data_dir, args.questions, args.one)
        return
    for ef in args.ef:
        command = [
            sys.executable,
            __file__,
            "--data-dir",
            str(args.data_dir),
            "--questions",
            str(args.questions),
        ]
        subprocess.run([*command, "--one", str(ef)], check=True)


if __name__ == "__main__":
    main()
