"""Loading real PDFs and text files, and the clear refusals of files that cannot be read."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.clean import clean_page_text, is_furniture_line, join_pages, reflow, strip_marks
from ingest.loaders import load_file
from kb.errors import DocumentError
from tests.conftest import PDF_DIR, load_reference, require_shared

PDFS = {
    "uu-11-2008-ite.pdf": 38,
    "uu-27-2022-pdp-salinan-ocr.pdf": 50,
    "perpres-83-2025.pdf": 9,
    "perda-kab-banjarnegara-8-2025.pdf": 127,
}


@pytest.mark.parametrize(("name", "pages"), sorted(PDFS.items()))
def test_real_pdfs_load_with_page_numbers_and_without_running_headers(name: str, pages: int):
    doc = load_reference(PDF_DIR / name, name)
    assert [p.number for p in doc.pages] == list(range(1, pages + 1))
    text = strip_marks(join_pages(doc.pages))
    lines = [ln.strip() for ln in text.splitlines()]
    assert "PRESIDEN" not in lines
    assert "REPUBLIK INDONESIA" not in lines
    assert not any(ln.startswith("SK No") for ln in lines)
    assert not any(ln in (f"- {n} -", f"-{n}-") for ln in lines for n in range(2, pages + 1))
    if name.startswith("perda"):
        # the BSrE e-signature footer stands on all 127 pages
        assert "ditandatangani secara elektronik" not in text


def test_pdf_with_newline_before_header_still_loads():
    path = require_shared(PDF_DIR / "perda-kab-banjarnegara-8-2025.pdf")
    assert path.read_bytes()[:1] == b"\n"
    doc = load_reference(path, "perda.pdf")
    assert len(doc.pages) == 127


def test_furniture_lines_are_recognised_in_ocr_variants():
    for line in ("PRESIDEN", "FRESIDEN", "REPUELIK INDONESIA", "- 12 -", "-2-", "SK No 177558 A", "SALINAN"):
        assert is_furniture_line(line), line
    for line in ("PERATURAN PRESIDEN REPUBLIK INDONESIA", "PRESIDEN REPUBLIK INDONESIA,", "Pasal 12"):
        assert not is_furniture_line(line), line


def test_catchword_before_page_furniture_is_removed():
    text = "a. satu;\nb. dua.\n(2) Kepala...\nSK No 177564 A\nPRESIDEN\n-10-\n(2) Kepala Desa dapat."
    cleaned = clean_page_text(text)
    assert "Kepala..." not in cleaned
    assert "(2) Kepala Desa dapat." in cleaned


def test_reflow_joins_wrapped_lines_and_hyphenation_but_keeps_structure():
    text = "Pasal 5\n(1) Kepala Desa memegang jabatan selama 8 (delapan)\ntahun terhitung sejak pelan-\ntikan.\n(2) Kepala Desa dapat\nmenjabat."
    assert reflow(text) == (
        "Pasal 5\n(1) Kepala Desa memegang jabatan selama 8 (delapan) tahun terhitung sejak pelantikan.\n"
        "(2) Kepala Desa dapat menjabat."
    )


def test_markdown_front_matter_becomes_metadata(tmp_path: Path):
    f = tmp_path / "catatan.md"
    f.write_text(
        "---\ntitle: Catatan\ndoc_type: kebijakan\ndate: 2024-01-02\n---\n# Judul\nIsi.", encoding="utf-8"
    )
    doc = load_file(f, "catatan.md", max_file_mb=1)
    assert doc.meta["title"] == "Catatan"
    assert doc.meta["doc_type"] == "kebijakan"
    assert doc.text.startswith("# Judul")


def test_latin1_text_is_read_with_a_warning(tmp_path: Path):
    f = tmp_path / "lama.txt"
    f.write_bytes("Kerja sama desa di Kecamatan Tébet".encode("latin-1"))
    doc = load_file(f, "lama.txt", max_file_mb=1)
    assert "Tébet" in doc.text
    assert doc.warnings and "UTF-8" in doc.warnings[0]


def test_docx_paragraphs_are_read(tmp_path: Path):
    import docx

    d = docx.Document()
    d.add_paragraph("Pasal 1")
    d.add_paragraph("Desa dapat bekerja sama.")
    f = tmp_path / "perdes.docx"
    d.save(str(f))
    assert "Desa dapat bekerja sama." in load_file(f, "perdes.docx", max_file_mb=1).text


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("kosong.txt", b"", "kosong"),
        ("biner.txt", b"\x00\x01\x02garbage\x00", "biner"),
        ("rusak.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", "rusak"),
        ("tabel.xlsx", b"PK\x03\x04", "tidak didukung"),
    ],
)
def test_unreadable_files_raise_a_clear_indonesian_error(
    tmp_path: Path, name: str, content: bytes, reason: str
):
    f = tmp_path / name
    f.write_bytes(content)
    with pytest.raises(DocumentError) as err:
        load_file(f, name, max_file_mb=1)
    assert name in err.value.user_message
    assert reason in err.value.user_message


def test_file_over_the_size_limit_is_refused(tmp_path: Path):
    f = tmp_path / "besar.txt"
    f.write_text("a" * 2_000_000)
    with pytest.raises(DocumentError, match="melebihi batas"):
        load_file(f, "besar.txt", max_file_mb=1)
