"""OCR of PDF pages without a text layer: a scanned copy of a reference regulation is read
end to end (slow), and without Tesseract (or its language) the pages are named, not lost
silently."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from ingest.clean import join_pages
from ingest.legal import parse_identity, parse_regulation
from ingest.loaders import load_file
from ingest.ocr import needs_ocr
from kb.errors import DocumentError
from tests.conftest import CORPUS_REF, require_shared
from tests.regdoc import generate, render_pdf

SALINAN = CORPUS_REF / "more" / "uu-6-2014-salinan.pdf"


def rasterise(source: Path, target: Path, pages: range | None = None, dpi: int = 150) -> Path:
    """A scan of ``source``: each page rendered to a grey image, the images back into a PDF
    with no text layer (what a photocopied SALINAN looks like to the loader)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(source))
    try:
        numbers = pages or range(len(pdf))
        images = [pdf[i].render(scale=dpi / 72, grayscale=True).to_pil() for i in numbers]
    finally:
        pdf.close()
    images[0].save(target, save_all=True, append_images=images[1:], resolution=dpi)
    return target


def mixed_pdf(tmp_path: Path) -> Path:
    """A born-digital regulation whose page 2 is a scan (an image without text)."""
    from pypdf import PdfReader, PdfWriter

    digital = render_pdf(generate(11, max_pasal_per_bab=8), tmp_path / "digital.pdf", seed=11)
    scan = rasterise(digital, tmp_path / "scan.pdf", range(1, 2))
    writer = PdfWriter()
    pages = PdfReader(digital).pages
    writer.add_page(pages[0])
    writer.add_page(PdfReader(scan).pages[0])
    for page in pages[2:]:
        writer.add_page(page)
    buf = io.BytesIO()
    writer.write(buf)
    out = tmp_path / "mixed.pdf"
    out.write_bytes(buf.getvalue())
    return out


def test_a_page_without_letters_needs_ocr_and_a_dotted_form_does_not() -> None:
    assert needs_ocr("")
    assert needs_ocr("  12  \n - 3 - ")
    assert needs_ocr("¤¤¤ ¤¤ ¤¤¤¤ ¤¤¤ ¤¤¤¤¤ ¤¤¤¤¤¤ ¤¤¤¤¤ ¤¤ ¤¤¤¤ ¤¤¤ ¤¤¤¤¤ ab")
    assert not needs_ocr("NOMOR ....... TAHUN ....... TENTANG ........................ Kepala Desa")


def test_without_the_ocr_language_a_scanned_page_is_named_and_the_rest_is_read(tmp_path: Path) -> None:
    doc = load_file(mixed_pdf(tmp_path), "mixed.pdf", max_file_mb=50, ocr_lang="xx-missing")
    assert doc.pages_without_text == (2,)
    assert doc.ocr_pages == ()
    assert "model bahasa 'xx-missing'" in doc.ocr_problem
    assert any("halaman 2" in w for w in doc.warnings)
    assert parse_identity(join_pages(doc.pages)) is not None  # page 1 is still read


def test_without_tesseract_a_fully_scanned_pdf_is_refused_with_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scan = rasterise(render_pdf(generate(3), tmp_path / "d.pdf", seed=3), tmp_path / "scan.pdf")
    monkeypatch.setenv("PATH", str(tmp_path))  # no tesseract program on PATH
    with pytest.raises(DocumentError) as err:
        load_file(scan, "scan.pdf", max_file_mb=50, ocr_lang="ind")
    message = err.value.user_message
    assert "'scan.pdf'" in message and "tesseract-ocr" in message and "lapisan teks" in message


def test_with_ocr_switched_off_the_scanned_pages_are_named(tmp_path: Path) -> None:
    doc = load_file(mixed_pdf(tmp_path), "mixed.pdf", max_file_mb=50, ocr_lang=None)
    assert doc.pages_without_text == (2,) and "KB_OCR" in doc.ocr_problem


@pytest.mark.slow
def test_a_scanned_salinan_is_read_by_ocr_with_every_pasal_of_its_pages(tmp_path: Path) -> None:
    # pages 1-12 of the official UU 6/2014 SALINAN hold Pasal 1-6 (Pasal 1's long list of
    # definitions spans pages 2-5); about 1.3 s per page with Tesseract on 2 cores
    original = require_shared(SALINAN)
    scan = rasterise(original, tmp_path / "scan.pdf", range(12))
    doc = load_file(scan, "scan.pdf", max_file_mb=50, ocr_lang="ind")
    assert doc.ocr_pages == tuple(range(1, 13)) and doc.pages_without_text == ()
    text = join_pages(doc.pages)
    identity = parse_identity(text)
    assert identity is not None and identity.regulation == "UU 6/2014"
    reg = parse_regulation(text, identity)
    digital = load_file(original, "uu.pdf", max_file_mb=50)
    expected_pages = join_pages(digital.pages[:12])
    expected = parse_regulation(expected_pages, parse_identity(expected_pages))  # type: ignore[arg-type]
    assert [a.number for a in reg.articles] == [a.number for a in expected.articles]
    assert len(reg.articles) >= 5
