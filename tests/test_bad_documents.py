"""A corpus full of bad documents, ingested over an index that already holds good ones:
each bad file gets an Indonesian message naming it and saying what to do, the rest is
indexed, nothing already indexed is lost or duplicated, and a rerun changes nothing.
Real Chroma on disk, fake embeddings (bookkeeping, not retrieval quality); the PDFs are
derived from the real regulation PDFs in ../shared."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from ingest.pipeline import ADDED, DUPLICATE, FAILED, SKIPPED, ingest
from kb.base import KnowledgeBase
from kb.settings import Settings
from kb.store import Store
from tests.conftest import PDF_DIR, FakeEmbedder, require_shared

PERDES = """PERATURAN DESA SUKAMAJU
NOMOR 3 TAHUN 2023
TENTANG
KERJA SAMA DESA
MEMUTUSKAN:
Pasal 1
Desa Sukamaju dapat mengadakan kerja sama dengan Desa lain.
Pasal 2
(1) Kerja sama dilaksanakan oleh badan kerja sama antar-Desa.
(2) Badan kerja sama bertanggung jawab kepada kepala Desa.
"""
NOTE = "---\ntitle: Catatan Rapat\ndoc_type: webinar\n---\n# Rapat\nKerja sama desa dibahas bersama camat.\n"
# what each bad file's message must say (besides its name): the problem and what to do
EXPECTED = {
    "rusak-terpotong.pdf": ("rusak", "Unduh ulang"),
    "sandi-asli.pdf": ("kata sandi", "tanpa kata sandi"),
    "pindaian.pdf": ("lapisan teks", "OCR"),
    "kosong.txt": ("kosong", "Salin ulang"),
    "nol-halaman.pdf": ("tidak memiliki halaman", "Unduh ulang"),
    "terlalu-besar.txt": ("melebihi batas", "KB_MAX_FILE_MB"),
    "tabel.xlsx": ("tidak didukung", "PDF, TXT, MD atau DOCX"),
    "sampah.txt": ("biner", "Periksa jenis berkasnya"),
    "tautan-keluar.txt": ("symlink", "Salin berkas aslinya"),
    "hanya-kop.txt": ("tidak ada teks yang dapat diindeks", "kop"),
}


def _pdf(pages: int, path: Path, *, password: str | None = None, blank: bool = False) -> Path:
    writer = PdfWriter()
    if blank:
        for _ in range(pages):
            writer.add_blank_page(width=595, height=842)
    else:
        reader = PdfReader(PDF_DIR / "perpres-83-2025.pdf")
        for page in reader.pages[:pages]:
            writer.add_page(page)
    if password is not None:
        writer.encrypt(user_password=password, owner_password="pemilik", algorithm="AES-128")
    with path.open("wb") as f:
        writer.write(f)
    return path


@pytest.fixture
def bad_corpus(settings: Settings, tmp_path: Path) -> Path:
    require_shared(PDF_DIR)
    c = settings.corpus_dir
    (c / "perdes-sukamaju.txt").write_text(PERDES, encoding="utf-8")
    (c / "catatan.md").write_text(NOTE, encoding="utf-8")
    real = (PDF_DIR / "perpres-83-2025.pdf").read_bytes()
    (c / "rusak-terpotong.pdf").write_bytes(real[: len(real) // 3])
    _pdf(2, c / "sandi-kosong.pdf", password="")
    _pdf(2, c / "sandi-asli.pdf", password="rahasia")
    _pdf(2, c / "pindaian.pdf", blank=True)
    (c / "kosong.txt").write_bytes(b"")
    _pdf(0, c / "nol-halaman.pdf", blank=True)
    (c / "terlalu-besar.txt").write_text("kata " * 300_000, encoding="utf-8")  # 1.5 MB
    (c / "tabel.xlsx").write_bytes(b"PK\x03\x04" + os.urandom(200))
    (c / "sampah.txt").write_bytes(b"\x00\xff" + os.urandom(2000))
    (c / "latin1.txt").write_bytes(
        "Musyawarah Desa membahas kerja sama. Biaya Rp 5.000 ¼ bagian.".encode("latin-1")
    )
    outside = tmp_path / "luar" / "rahasia.txt"
    outside.parent.mkdir()
    outside.write_text("Kata sandi server: jangan diindeks.", encoding="utf-8")
    (c / "tautan-keluar.txt").symlink_to(outside)
    (c / "salinan-perdes.txt").write_text(PERDES, encoding="utf-8")  # the same bytes, another name
    (c / "hanya-kop.txt").write_text("- 2 -\n\n- 3 -\n\n   \n- 4 -\n", encoding="utf-8")
    return c


def _snapshot(store: Store) -> dict[str, tuple[str, str]]:
    return {h.chunk_id: (h.text, str(h.metadata.get("source"))) for h in store.all_chunks()}


def test_bad_documents_are_reported_and_nothing_indexed_is_lost(settings: Settings, bad_corpus: Path) -> None:
    settings = settings.model_copy(update={"max_file_mb": 1.0})
    embedder = FakeEmbedder()
    store = Store(settings, embedder)
    first = ingest([bad_corpus / "perdes-sukamaju.txt", bad_corpus / "catatan.md"], settings, store, embedder)
    assert [r.status for r in first.results] == [ADDED, ADDED]
    before = _snapshot(store)

    report = ingest([bad_corpus], settings, store, embedder)
    by_source = {r.source: r for r in report.results}
    for name, (problem, action) in EXPECTED.items():
        r = by_source[name]
        assert r.status == FAILED, name
        assert f"'{name}'" in r.message and problem in r.message and action in r.message, r.message
    # readable despite their quirks
    assert by_source["sandi-kosong.pdf"].status == ADDED
    assert by_source["latin1.txt"].status == ADDED
    # the same document under two names: indexed once, both names listed
    assert by_source["salinan-perdes.txt"].status == DUPLICATE
    assert "perdes-sukamaju.txt" in by_source["salinan-perdes.txt"].message
    docs = {d.source: d for d in KnowledgeBase(settings, embedder).documents()}
    assert "salinan-perdes.txt" not in docs
    assert docs["perdes-sukamaju.txt"].duplicates == "salinan-perdes.txt"
    # nothing indexed before was lost, changed or duplicated; nothing from outside came in
    after = _snapshot(store)
    assert {k: v for k, v in after.items() if k in before} == before
    assert len(after) == len(set(after))
    assert not any("Kata sandi server" in text for text, _ in after.values())
    assert {src for _, src in after.values()} == {
        "perdes-sukamaju.txt",
        "catatan.md",
        "sandi-kosong.pdf",
        "latin1.txt",
    }

    rerun = ingest([bad_corpus], settings, store, embedder)
    assert _snapshot(store) == after
    statuses = {r.source: r.status for r in rerun.results}
    assert statuses["perdes-sukamaju.txt"] == SKIPPED and statuses["salinan-perdes.txt"] == DUPLICATE


def test_when_the_original_goes_its_duplicate_is_indexed(settings: Settings) -> None:
    c = settings.corpus_dir
    (c / "a.txt").write_text(PERDES, encoding="utf-8")
    (c / "b.txt").write_text(PERDES, encoding="utf-8")
    embedder = FakeEmbedder()
    store = Store(settings, embedder)
    ingest([c], settings, store, embedder)
    assert {h.metadata["source"] for h in store.all_chunks()} == {"a.txt"}
    (c / "a.txt").unlink()
    report = ingest([c], settings, store, embedder)
    assert {r.source: r.status for r in report.results} == {"b.txt": ADDED, "a.txt": "removed"}
    metas = [h.metadata for h in store.all_chunks()]
    assert {m["source"] for m in metas} == {"b.txt"} and all(not m.get("duplicates") for m in metas)
