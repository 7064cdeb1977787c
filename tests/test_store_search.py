"""The dense search finds the true nearest norm units: Chroma's HNSW graph is searched widely
enough (``kb.store.HNSW_EF_SEARCH``) that its answer matches an exact search, whatever graph
the ingest happened to build; an index made with Chroma's default breadth is raised on open."""

from __future__ import annotations

import numpy as np

from kb.settings import Settings
from kb.store import HNSW_EF_SEARCH, UNIT_ID_MARK, Store, chroma_embedding_function
from tests.conftest import FakeEmbedder


def _ef_search(collection) -> int:
    return int(collection.configuration_json["hnsw"]["ef_search"])


def test_the_nearest_units_are_the_exact_nearest(settings: Settings) -> None:
    rng = np.random.default_rng(7)
    # clustered like passages of a few regulations: harder for a graph than uniform noise
    centres = rng.normal(size=(12, 64))
    vectors = centres[rng.integers(0, 12, 3000)] + 0.6 * rng.normal(size=(3000, 64))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    store = Store(settings, FakeEmbedder())
    ids = [f"c{i}{UNIT_ID_MARK}0" for i in range(len(vectors))]
    store.units.add(ids=ids, embeddings=vectors.tolist())
    assert _ef_search(store.units) == HNSW_EF_SEARCH
    found = []
    for q in rng.normal(size=(20, 64)):
        q /= np.linalg.norm(q)
        exact = {f"c{i}" for i in np.argsort(-(vectors @ q))[:100]}
        found.append(len(exact & {parent for parent, _ in store.query_units(q, 100)}) / 100)
    assert min(found) >= 0.98, found


def test_an_index_made_with_the_default_breadth_is_raised_on_open(settings: Settings) -> None:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    store = Store(settings, FakeEmbedder())
    client = chromadb.PersistentClient(
        path=str(settings.chroma_dir), settings=ChromaSettings(anonymized_telemetry=False)
    )
    old = client.create_collection(  # as the store made it before
        f"{store.name}-units",
        embedding_function=chroma_embedding_function(store.embedder),
        configuration={"hnsw": {"space": "cosine"}},
    )
    assert _ef_search(old) == 100  # Chroma's default
    assert _ef_search(store.units) == HNSW_EF_SEARCH
