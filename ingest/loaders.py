"""Reads files into :class:`kb.types.LoadedDocument`: PDF through pypdf (page by page),
plain text and Markdown (with optional YAML front matter), and DOCX through python-docx.

Every failure becomes a :class:`kb.errors.DocumentError` with an Indonesian reason, so the
ingest can report the file and go on with the rest.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from ingest.ocr import OcrResult, needs_ocr, ocr_pdf_pages
from ingest.structure import page_list
from kb.errors import DocumentError
from kb.hashing import file_sha256
from kb.types import LoadedDocument, Page

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".pdf", ".txt", ".md", ".markdown", ".docx")
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)


def decode_text(data: bytes, source: str) -> tuple[str, list[str]]:
    """UTF-8 first; otherwise Windows-1252 (a superset of Latin-1 for text) with a warning."""
    if b"\x00" in data[:4096]:
        raise DocumentError(source, "isinya bukan teks (berkas biner). Periksa jenis berkasnya.")
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return text, [f"'{source}' bukan UTF-8; dibaca sebagai Latin-1/Windows-1252."]


def split_front_matter(text: str, source: str) -> tuple[dict[str, Any], str]:
    m = _FRONT_MATTER.match(text)
    if not m:
        return {}, text
    try:
        meta = yaml.safe_load(m.group(1)) or {}
    except yaml.YAMLError as exc:
        raise DocumentError(
            source, "bagian front matter (di antara '---') tidak valid. Perbaiki format YAML-nya."
        ) from exc
    if not isinstance(meta, dict):
        meta = {}
    return {str(k): v for k, v in meta.items()}, text[m.end() :]


@dataclass(frozen=True)
class _PdfText:
    pages: list[Page]
    warnings: list[str]
    ocr_pages: tuple[int, ...] = ()
    without_text: tuple[int, ...] = ()
    ocr_problem: str = ""  # why OCR could not read the pages without text


def _ocr_missing_text(path: Path, source: str, pages: list[Page], ocr_lang: str | None) -> _PdfText:
    """OCR the pages without a usable text layer; name those that stay without text."""
    todo = [p.number for p in pages if needs_ocr(p.text)]
    if not todo:
        return _PdfText(pages, [])
    if ocr_lang is None:
        result = OcrResult({}, tuple(todo), "OCR dimatikan (KB_OCR=false)")
    else:
        result = ocr_pdf_pages(path, todo, lang=ocr_lang)
    texts = {n: t for n, t in result.texts.items() if not needs_ocr(t)}
    pages = [Page(p.number, texts[p.number]) if p.number in texts else p for p in pages]
    without = tuple(n for n in todo if n not in texts)
    warnings = []
    if without:
        warnings.append(
            f"'{source}': halaman {page_list(without)} tanpa lapisan teks dan tidak terbaca OCR"
            + (f" ({result.reason})." if result.reason else ".")
        )
    return _PdfText(pages, warnings, tuple(sorted(texts)), without, result.reason)


def _load_pdf(path: Path, source: str, ocr_lang: str | None = None) -> _PdfText:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError, PyPdfError

    warnings: list[str] = []
    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except DependencyError as exc:
                raise DocumentError(
                    source, "PDF terenkripsi dan pustaka 'cryptography' belum terpasang."
                ) from exc
            if not ok:
                raise DocumentError(
                    source,
                    "PDF dilindungi kata sandi. Simpan ulang PDF tanpa kata sandi, lalu unggah lagi.",
                )
        pages = [Page(i + 1, page.extract_text() or "") for i, page in enumerate(reader.pages)]
    except DocumentError:
        raise
    except FileNotDecryptedError as exc:
        raise DocumentError(
            source, "PDF dilindungi kata sandi. Simpan ulang tanpa kata sandi, lalu unggah lagi."
        ) from exc
    except DependencyError as exc:
        raise DocumentError(source, "PDF membutuhkan pustaka tambahan: " + str(exc)) from exc
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise DocumentError(source, "PDF rusak atau tidak lengkap. Unduh ulang berkas aslinya.") from exc
    if not pages:
        raise DocumentError(source, "PDF tidak memiliki halaman. Unduh ulang berkas aslinya.")
    loaded = _ocr_missing_text(path, source, pages, ocr_lang)
    if len(loaded.without_text) == len(pages):
        raise DocumentError(
            source,
            "PDF tidak memiliki lapisan teks (hasil pindai) dan tidak dapat dibaca dengan OCR"
            + (f": {loaded.ocr_problem}" if loaded.ocr_problem else "")
            + ". Pasang OCR, atau simpan PDF dengan lapisan teks, lalu unggah lagi.",
        )
    return replace(loaded, warnings=warnings + loaded.warnings)


def _load_docx(path: Path, source: str) -> list[Page]:
    try:
        import docx

        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several unrelated types on bad input
        raise DocumentError(source, "DOCX rusak atau bukan berkas Word yang valid.") from exc
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text.strip() for cell in row.cells))
    return [Page(1, "\n".join(parts))]


def check_file(path: Path, source: str, max_file_mb: float, suffix: str | None = None) -> str:
    """The checks every file passes before it is read: a supported type (by ``suffix``,
    default the path's), not empty, within the size limit. Returns the suffix."""
    suffix = (suffix if suffix is not None else path.suffix).lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(
            source,
            f"jenis berkas '{suffix or '(tanpa ekstensi)'}' tidak didukung. Gunakan PDF, TXT, MD atau DOCX.",
        )
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DocumentError(source, "berkas tidak dapat dibaca.") from exc
    if size == 0:
        raise DocumentError(source, "berkas kosong (0 bita). Salin ulang berkas aslinya.")
    if size > max_file_mb * 1024 * 1024:
        raise DocumentError(
            source,
            f"ukuran berkas {size / 1048576:.1f} MB melebihi batas {max_file_mb:g} MB. Pecah berkasnya, "
            "atau minta pengelola menaikkan KB_MAX_FILE_MB.",
        )
    return suffix


def load_file(path: Path, source: str, *, max_file_mb: float, ocr_lang: str | None = None) -> LoadedDocument:
    """Load one file. Raises DocumentError with an Indonesian reason on any problem.

    ``ocr_lang``: the Tesseract language for PDF pages without a text layer; None: no OCR."""
    suffix = check_file(path, source, max_file_mb)
    file_hash = file_sha256(path)
    meta: dict[str, Any] = {}
    warnings: list[str] = []
    ocr_pages: tuple[int, ...] = ()
    without_text: tuple[int, ...] = ()
    ocr_problem = ""
    if suffix == ".pdf":
        pdf = _load_pdf(path, source, ocr_lang)
        pages, warnings, ocr_pages, without_text = pdf.pages, pdf.warnings, pdf.ocr_pages, pdf.without_text
        ocr_problem = pdf.ocr_problem
    elif suffix == ".docx":
        pages = _load_docx(path, source)
    else:
        text, warnings = decode_text(path.read_bytes(), source)
        if suffix in (".md", ".markdown"):
            meta, text = split_front_matter(text, source)
        pages = [Page(1, text)]
    if not any(p.text.strip() for p in pages):
        raise DocumentError(source, "berkas tidak berisi teks. Periksa isinya, atau hapus dari korpus.")
    for w in warnings:
        log.warning(w)
    return LoadedDocument(
        source=source,
        path=str(path.resolve()),
        file_hash=file_hash,
        pages=tuple(pages),
        meta=meta,
        warnings=tuple(warnings),
        ocr_pages=ocr_pages,
        pages_without_text=without_text,
        ocr_problem=ocr_problem,
    )
