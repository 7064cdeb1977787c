"""Handouts for training sessions: chosen passages with their citations, as Markdown and
as a Word document (python-docx), dated."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kb.naming import indonesian_date, legal_citation, source_label
from kb.types import Hit

DEFAULT_TITLE = "Bahan Ajar Kerja Sama Desa"
FOOTNOTE = (
    "Kutipan diambil dari dokumen yang dimuat di Tanya Kerja Sama Desa. Informasi ini bukan "
    "pendapat hukum resmi; periksa naskah resmi peraturannya."
)


@dataclass(frozen=True)
class HandoutPassage:
    citation: str  # "UU 6/2014 Pasal 92" or the note's label
    legal_form: str  # "UU No. 6 Tahun 2014 tentang Desa, Pasal 92"; "" for notes
    text: str
    penjelasan: str
    where: str  # file and page


def passage_from_hit(hit: Hit, text: str | None = None) -> HandoutPassage:
    p = hit.provenance
    legal = legal_citation(p) if p.regulation and p.pasal else ""
    page = f", hlm. {p.page}" if p.page else ""
    return HandoutPassage(
        citation=source_label(p, None),
        legal_form=legal,
        text=text or hit.text,
        penjelasan=(p.penjelasan or "").strip(),
        where=f"{p.source}{page}",
    )


def _today(day: date | None) -> str:
    return indonesian_date((day or date.today()).isoformat())


def to_markdown(title: str, passages: list[HandoutPassage], day: date | None = None) -> str:
    lines = [f"# {title or DEFAULT_TITLE}", "", f"Tanggal: {_today(day)}", ""]
    for n, p in enumerate(passages, 1):
        lines += [f"## {n}. {p.citation}", ""]
        if p.legal_form:
            lines += [f"*{p.legal_form}*", ""]
        lines += [f"> {line}" if line.strip() else ">" for line in p.text.splitlines()]
        lines.append("")
        if p.penjelasan:
            lines += [f"**Penjelasan:** {p.penjelasan}", ""]
        lines += [f"Sumber: {p.where}", ""]
    lines += ["---", "", FOOTNOTE, ""]
    return "\n".join(lines)


def to_docx(title: str, passages: list[HandoutPassage], path: Path, day: date | None = None) -> Path:
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    doc.add_heading(title or DEFAULT_TITLE, level=0)
    doc.add_paragraph(f"Tanggal: {_today(day)}")
    for n, p in enumerate(passages, 1):
        doc.add_heading(f"{n}. {p.citation}", level=1)
        if p.legal_form:
            doc.add_paragraph().add_run(p.legal_form).italic = True
        for line in p.text.splitlines():
            if line.strip():
                doc.add_paragraph(line, style="Quote")
        if p.penjelasan:
            para = doc.add_paragraph()
            para.add_run("Penjelasan: ").bold = True
            para.add_run(p.penjelasan)
        source = doc.add_paragraph(f"Sumber: {p.where}")
        source.runs[0].font.size = Pt(9)
    doc.add_paragraph(FOOTNOTE).runs[0].italic = True
    doc.save(str(path))
    return path


def file_stem(title: str) -> str:
    """A safe file name from the handout's title."""
    stem = re.sub(r"[^\w-]+", "-", (title or DEFAULT_TITLE).lower()).strip("-")
    return stem[:60] or "bahan-ajar"
