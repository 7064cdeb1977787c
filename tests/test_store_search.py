"""The dense search finds the true nearest norm units: Chroma's HNSW graph is searched widely
enough (``kb.store.HNSW_EF_SEARCH``) that its answer matches an exact search, whatever graph
the ingest happened to build; an index made with Chroma's default breadth is raised on open."""

from __future__ import annotations

import numpy as np

from kb.settings import Settings
from kb.store import HNSW_EF_SEARCH, UNIT_ID_MARK, Store
from tests.conftest import ROOT, FakeEmbedder


def _ef_search(collection) -> int:
    return int(collection.configuration_json["hnsw"]["ef_search"])


def _clustered(rng: np.random.Generator) -> np.ndarray:
    """3,000 unit vectors in 12 clusters, like the passages of a few regulations: harder for
    a graph than uniform noise."""
    centres = rng.normal(size=(12, 64))
    vectors = centres[rng.integers(0, 12, 3000)] + 0.6 * rng.normal(size=(3000, 64))
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _found(store: Store, vectors: np.ndarray, rng: np.random.Generator) -> list[float]:
    """For 20 random queries, the share of the exact 100 nearest the store's search returns."""
    found = []
    for q in rng.normal(size=(20, 64)):
        q /= np.linalg.norm(q)
        exact = {f"c{i}" for i in np.argsort(-(vectors @ q))[:100]}
        found.append(len(exact & {parent for parent, _ in store.query_units(q, 100)}) / 100)
    return found


def test_the_nearest_units_are_the_exact_nearest(settings: Settings) -> None:
    rng = np.random.default_rng(7)
    vectors = _clustered(rng)
    store = Store(settings, FakeEmbedder())
    store.units.add(ids=[f"c{i}{UNIT_ID_MARK}0" for i in range(len(vectors))], embeddings=vectors.tolist())
    assert _ef_search(store.units) == HNSW_EF_SEARCH
    found = _found(store, vectors, rng)
    assert min(found) >= 0.98, found  # 0.77 at Chroma's default breadth (100)


_OLD_INDEX = """
import sys
import chromadb
import numpy as np
from chromadb.config import Settings
from kb.store import chroma_embedding_function
from tests.conftest import ROOT, FakeEmbedder

path, name = sys.argv[1:]
client = chromadb.PersistentClient(path=path, settings=Settings(anonymized_telemetry=False))
units = client.create_collection(  # as the store made it before: Chroma's default breadth
    name, embedding_function=chroma_embedding_function(FakeEmbedder()), configuration={"hnsw": {"space": "cosine"}}
)
units.add(ids=[f"c{i}:u0" for i in range(3000)], embeddings=np.load(path + "/vectors.npy").tolist())
assert units.configuration_json["hnsw"]["ef_search"] == 100
"""


def test_an_index_made_with_the_default_breadth_is_raised_on_open(settings: Settings) -> None:
    """Made by another process (as an older version did), then opened by the store: its
    queries find what an exact search finds."""
    import subprocess
    import sys

    vectors = _clustered(np.random.default_rng(7))
    settings.chroma_dir.mkdir(parents=True)
    np.save(settings.chroma_dir / "vectors.npy", vectors)
    name = f"{Store(settings, FakeEmbedder()).name}-units"
    subprocess.run([sys.executable, "-c", _OLD_INDEX, str(settings.chroma_dir), name], cwd=ROOT, check=True)
    store = Store(settings, FakeEmbedder())
    assert _ef_search(store.units) == HNSW_EF_SEARCH
    assert min(_found(store, vectors, np.random.default_rng(8))) >= 0.98
