"""OCR for PDF pages that have no usable text layer (scanned SALINAN, Perbup/Perdes scans).

A page is rendered with pypdfium2 (PDFium in a PyPI wheel: no system library) and read by
the ``tesseract`` program with its Indonesian model. Tesseract comes from Debian
(``tesseract-ocr``, ``tesseract-ocr-ind``), which ``make setup`` installs when run as root;
without it, OCR is skipped and the caller names the pages that stayed without text.

Why not a binding: OCRmyPDF rewrites the whole PDF and needs Ghostscript and more system
packages, for the text of a few pages. pytesseract runs the same program but passes it the
process environment as it is, and Tesseract's OpenMP threads fight each other on two cores:
three scanned pages took 30 s with its default threads and 8.3 s with ``OMP_THREAD_LIMIT=1``
(measured here). So the program is called directly, one thread per call, with as many pages
at once as there are cores.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import subprocess
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

# A page holding fewer letters than this has no text layer to speak of. Measured on the
# reference PDFs (../shared/corpus-ref/pdf and more/, 348 pages): the emptiest real page holds 32
# letters (a Lampiran form of Permendagri 111/2014); a scanned page without OCR holds 0.
MIN_PAGE_LETTERS = 20
# A text layer whose non-space characters are mostly not letters is glyph garbage (a font
# without a Unicode map). The lowest share on the reference PDFs is 0.33 (forms of dotted
# lines), so 0.2 leaves a margin.
MIN_LETTER_SHARE = 0.2
# 300 dpi is Tesseract's recommended resolution for body text of 10-12 pt.
OCR_DPI = 300


@dataclass(frozen=True)
class OcrResult:
    """Text per OCR'd page number, and the pages that still have no text (with why)."""

    texts: dict[int, str]
    failed: tuple[int, ...] = ()
    reason: str = ""


def needs_ocr(text: str) -> bool:
    """True when a page's extracted text is missing or garbage."""
    chars = "".join(text.split())
    letters = sum(c.isalpha() for c in chars)
    return letters < MIN_PAGE_LETTERS or letters < MIN_LETTER_SHARE * len(chars)


def _tesseract(args: list[str], stdin: bytes = b"", timeout: float = 120) -> str:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    done = subprocess.run(
        ["tesseract", *args], input=stdin, capture_output=True, env=env, timeout=timeout, check=True
    )
    return done.stdout.decode("utf-8", errors="replace")


def unavailable_reason(lang: str) -> str:
    """Why OCR cannot run here ("" when it can): the program or its language is missing."""
    if shutil.which("tesseract") is None:
        return (
            "OCR tidak tersedia: program Tesseract belum terpasang (Debian/Ubuntu: "
            "'sudo apt-get install tesseract-ocr tesseract-ocr-ind', atau jalankan 'make setup' sebagai root)"
        )
    try:
        langs = set(_tesseract(["--list-langs"], timeout=30).split())
    except (OSError, subprocess.SubprocessError) as exc:
        return f"OCR tidak tersedia: Tesseract tidak dapat dijalankan ({type(exc).__name__})"
    if lang not in langs:
        return (
            f"OCR tidak tersedia: model bahasa '{lang}' untuk Tesseract belum terpasang "
            "(Debian/Ubuntu: 'sudo apt-get install tesseract-ocr-ind')"
        )
    return ""


def ocr_pdf_pages(
    path: Path,
    pages: Sequence[int],
    *,
    lang: str = "ind",
    dpi: int = OCR_DPI,
    on_page: Callable[[int], None] | None = None,
) -> OcrResult:
    """OCR the given 1-based pages of a PDF. Never raises for a page: a page that fails is
    listed in ``failed``."""
    if not pages:
        return OcrResult({})
    reason = unavailable_reason(lang)
    if reason:
        return OcrResult({}, tuple(pages), reason)
    import pypdfium2 as pdfium

    def read(png: bytes) -> str:
        return _tesseract(["stdin", "stdout", "-l", lang, "--dpi", str(dpi)], png)

    texts: dict[int, str] = {}
    failed: list[int] = []
    pdf = pdfium.PdfDocument(str(path))
    # rendering stays in this thread (PDFium is not thread-safe); the OCR runs beside it
    with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
        try:
            futures = {}
            for number in pages:
                try:
                    image = pdf[number - 1].render(scale=dpi / 72, grayscale=True).to_pil()
                    buf = io.BytesIO()
                    image.save(buf, format="PNG")
                    futures[number] = pool.submit(read, buf.getvalue())
                except Exception:  # one unreadable page must not stop the others
                    log.exception("rendering page %d of %s failed", number, path)
                    failed.append(number)
        finally:
            pdf.close()
        for number, future in futures.items():
            try:
                texts[number] = future.result()
            except (OSError, subprocess.SubprocessError):
                log.exception("OCR of page %d of %s failed", number, path)
                failed.append(number)
            if on_page:
                on_page(number)
    return OcrResult(texts, tuple(sorted(failed)), "OCR gagal pada halaman ini" if failed else "")
