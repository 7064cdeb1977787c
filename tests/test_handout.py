"""Training handouts: Markdown and a real DOCX read back with python-docx."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from kb.handout import file_stem, hierarchy_key, passage_from_hit, to_docx, to_markdown, to_pdf
from kb.types import Hit, Provenance

HITS = [
    Hit(
        "a",
        "Pasal 91\nDesa dapat mengadakan kerja sama.",
        1.0,
        {
            "regulation": "UU 6/2014",
            "tentang": "Desa",
            "pasal": "91",
            "page": 40,
            "source": "regulasi/uu-6-2014.pdf",
            "doc_type": "regulasi",
            "penjelasan": "Cukup jelas.",
            "amended_by": "UU 3/2024",
        },
    ),
    Hit(
        "b",
        "Contoh bidang kerja sama.",
        0.5,
        {"doc_type": "webinar", "title": "Webinar Sapa Desa", "date": "2022-03-25", "source": "w.md"},
    ),
    Hit(
        "c",
        "Pasal 143\n(1) Kerja sama Desa dilakukan antar-Desa.\n(4) Peraturan bersama memuat:\na. ruang lingkup;\nb. bidang.",
        0.4,
        {
            "regulation": "PP 43/2014",
            "tentang": "Peraturan Pelaksanaan",
            "pasal": "143",
            "page": 3,
            "source": "corpus-ref/pp-43-2014.txt",
            "doc_type": "regulasi",
        },
    ),
]
DAY = date(2026, 11, 27)


def test_markdown_handout_names_sources_by_citation_and_keeps_structure() -> None:
    passages = [passage_from_hit(h, note="Bahas di sesi 2." if h.chunk_id == "a" else "") for h in HITS]
    md = to_markdown("Pelatihan Kades", passages, DAY, ["Siapa yang menandatangani?"])
    assert md.startswith("# Pelatihan Kades\n\nTanggal: 27 November 2026")
    assert "## 1. UU 6/2014 Pasal 91" in md and "**UU No. 6 Tahun 2014 tentang Desa, Pasal 91**" in md
    assert "Desa dapat mengadakan kerja sama." in md and "**Penjelasan:** Cukup jelas." in md
    assert "Sumber: UU No. 6 Tahun 2014 tentang Desa, Pasal 91, hlm. 40" in md  # a PDF has pages
    assert "Sumber: PP No. 43 Tahun 2014 tentang Peraturan Pelaksanaan, Pasal 143\n" in md  # a text file not
    assert "telah diubah oleh UU 3/2024" in md and "Catatan pelatih:** Bahas di sesi 2." in md
    assert "&emsp;(4) Peraturan bersama memuat:" in md and "&emsp;&emsp;a. ruang lingkup;" in md
    assert "## Pertanyaan diskusi\n\n1. Siapa yang menandatangani?" in md
    assert ".txt" not in md and ".md" not in md and ".pdf" not in md  # no file names
    assert "## 2. Catatan Webinar Sapa Desa, 25 Maret 2022" in md


def test_docx_handout_is_a4_indonesian_titled_with_page_numbers(tmp_path: Path) -> None:
    from docx import Document
    from docx.shared import Mm

    path = to_docx("Pelatihan Kades", [passage_from_hit(h) for h in HITS], tmp_path / "h.docx", DAY)
    doc = Document(str(path))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Pelatihan Kades" in text and "Tanggal: 27 November 2026" in text
    assert "1. UU 6/2014 Pasal 91" in text and "Desa dapat mengadakan kerja sama." in text
    assert "Penjelasan: Cukup jelas." in text and "bukan pendapat hukum resmi" in text
    assert "corpus-ref" not in text and "hlm. 3" not in text and "hlm. 40" in text
    section = doc.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(1) and abs(section.page_height - Mm(297)) < Mm(1)
    props = doc.core_properties
    assert (props.title, props.author, props.language) == (
        "Pelatihan Kades",
        "Tanya Kerja Sama Desa",
        "id-ID",
    )
    assert 'w:val="id-ID"' in doc.styles["Normal"].element.xml
    footer = section.footer.paragraphs[0]
    assert "Tanya Kerja Sama Desa" in footer.text and "27 November 2026" in footer.text
    assert " PAGE " in footer._p.xml and " NUMPAGES " in footer._p.xml
    huruf = next(p for p in doc.paragraphs if p.text == "a. ruang lingkup;")
    assert (
        huruf.paragraph_format.left_indent
        > next(p for p in doc.paragraphs if p.text.startswith("(4)")).paragraph_format.left_indent
    )
    assert not any(r.italic for p in doc.paragraphs if "ruang lingkup" in p.text for r in p.runs)
    assert all(p.style.name != "Quote" for p in doc.paragraphs)


def test_pdf_handout_is_a4_with_page_numbers(tmp_path: Path) -> None:
    from pypdf import PdfReader

    many = [passage_from_hit(h) for h in HITS] * 12  # several pages
    path = to_pdf("Pelatihan Kades", many, tmp_path / "h.pdf", DAY)
    reader = PdfReader(str(path))
    assert len(reader.pages) >= 2
    for n, page in enumerate(reader.pages, 1):
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(w - 595.3) < 1 and abs(h - 841.9) < 1  # A4 in points
        assert f"Halaman {n}" in page.extract_text()
    first = reader.pages[0].extract_text()
    assert "UU No. 6 Tahun 2014 tentang Desa, Pasal 91" in first and "Cukup jelas." in first
    assert reader.metadata.title == "Pelatihan Kades" and reader.metadata.author == "Tanya Kerja Sama Desa"


def test_hierarchy_order_puts_laws_first_then_pasal_order_then_notes() -> None:
    metas = [
        {"doc_type": "webinar", "title": "Webinar", "source": "w.md"},
        {"regulation": "PP 43/2014", "pasal": "143", "doc_type": "regulasi", "source": "pp.txt"},
        {"regulation": "UU 6/2014", "pasal": "92", "doc_type": "regulasi", "source": "uu.txt"},
        {"regulation": "PP 43/2014", "pasal": "9", "doc_type": "regulasi", "source": "pp.txt"},
        {"regulation": "Perda Kabupaten Banjarnegara 8/2025", "pasal": "7", "doc_type": "regulasi", "source": "p.txt"},
        {"regulation": "UU 6/2014", "pasal": "91", "doc_type": "regulasi", "source": "uu.txt"},
    ]  # fmt: skip
    ordered = sorted((Provenance.from_metadata(m) for m in metas), key=hierarchy_key)
    assert [(p.regulation, p.pasal) for p in ordered] == [
        ("UU 6/2014", "91"),
        ("UU 6/2014", "92"),
        ("PP 43/2014", "9"),
        ("PP 43/2014", "143"),
        ("Perda Kabupaten Banjarnegara 8/2025", "7"),
        (None, None),
    ]


def test_file_names_come_from_the_title() -> None:
    assert file_stem("Bahan Ajar: Kerja Sama / Desa") == "bahan-ajar-kerja-sama-desa"
    assert file_stem("") == "bahan-ajar-kerja-sama-desa"
