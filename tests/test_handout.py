"""Training handouts: Markdown and a real DOCX read back with python-docx."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from kb.handout import file_stem, passage_from_hit, to_docx, to_markdown
from kb.types import Hit

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
            "source": "uu.txt",
            "doc_type": "regulasi",
            "penjelasan": "Cukup jelas.",
        },
    ),
    Hit(
        "b",
        "Contoh bidang kerja sama.",
        0.5,
        {"doc_type": "webinar", "title": "Webinar Sapa Desa", "date": "2022-03-25", "source": "w.md"},
    ),
]


def test_markdown_handout_has_title_date_citations_and_text() -> None:
    md = to_markdown("Pelatihan Kades", [passage_from_hit(h) for h in HITS], date(2026, 11, 27))
    assert md.startswith("# Pelatihan Kades\n\nTanggal: 27 November 2026")
    assert "## 1. UU 6/2014 Pasal 91" in md and "*UU No. 6 Tahun 2014 tentang Desa, Pasal 91*" in md
    assert "> Desa dapat mengadakan kerja sama." in md and "**Penjelasan:** Cukup jelas." in md
    assert "Sumber: uu.txt, hlm. 40" in md
    assert "## 2. Catatan Webinar Sapa Desa, 25 Maret 2022\n\n> Contoh bidang kerja sama." in md


def test_docx_handout_reads_back(tmp_path: Path) -> None:
    from docx import Document

    path = to_docx(
        "Pelatihan Kades", [passage_from_hit(h) for h in HITS], tmp_path / "h.docx", date(2026, 11, 27)
    )
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    assert "Pelatihan Kades" in text and "Tanggal: 27 November 2026" in text
    assert "1. UU 6/2014 Pasal 91" in text and "Desa dapat mengadakan kerja sama." in text
    assert "Penjelasan: Cukup jelas." in text and "bukan pendapat hukum resmi" in text


def test_file_names_come_from_the_title() -> None:
    assert file_stem("Bahan Ajar: Kerja Sama / Desa") == "bahan-ajar-kerja-sama-desa"
    assert file_stem("") == "bahan-ajar-kerja-sama-desa"
