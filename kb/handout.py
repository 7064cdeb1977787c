"""Handouts for training sessions: chosen passages with their citations, in the order the
trainer set, as Markdown, a Word document (python-docx) and a PDF (reportlab), all A4 and
in Indonesian.

A passage is named by its legal citation, never by a file path; a page number is given
only where the source has pages (a PDF). The structure of a Pasal is kept: ayat, huruf
and angka as indented paragraphs, in upright type."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from kb.law import RegulationId, pasal_key
from kb.naming import indonesian_date, legal_citation, source_label
from kb.types import Hit, Provenance

DEFAULT_TITLE = "Bahan Ajar Kerja Sama Desa"
AUTHOR = "Tanya Kerja Sama Desa"
FOOTNOTE = (
    "Kutipan diambil dari dokumen yang dimuat di Tanya Kerja Sama Desa. Informasi ini bukan "
    "pendapat hukum resmi; periksa naskah resmi peraturannya."
)
# How deep a line of a Pasal sits: "(1) …" an ayat, "a. …" a huruf, "1. …" / "1) …" an angka
_DEPTHS = (
    (re.compile(r"^\(\d+[a-z]?\)\s"), 1),
    (re.compile(r"^[a-z]\.\s"), 2),
    (re.compile(r"^\d{1,2}[.)]\s"), 3),
)
_PASAL_LINE = re.compile(r"^Pasal\s+\d+[A-Z]?$")


@dataclass(frozen=True)
class HandoutPassage:
    citation: str  # "UU 6/2014 Pasal 92" or the note's label
    legal_form: str  # "UU No. 6 Tahun 2014 tentang Desa, Pasal 92"; "" for notes
    text: str
    penjelasan: str  # "Cukup jelas." where that is all it says; "" where there is none
    page: int | None = None  # only where the source has pages
    amended_by: str = ""
    note: str = ""  # the trainer's own note

    @property
    def source_line(self) -> str:
        page = f", hlm. {self.page}" if self.page else ""
        return f"Sumber: {self.legal_form or self.citation}{page}"

    @property
    def amendment_line(self) -> str:
        return (
            f"Pasal ini telah diubah oleh {self.amended_by}; lihat juga bunyi perubahannya."
            if self.amended_by
            else ""
        )


def passage_from_hit(hit: Hit, text: str | None = None, note: str = "") -> HandoutPassage:
    p = hit.provenance
    return HandoutPassage(
        citation=source_label(p, None),
        legal_form=legal_citation(p) if p.regulation and p.pasal else "",
        text=text or hit.text,
        penjelasan=(p.penjelasan or "").strip(),
        page=p.page if p.has_pages else None,
        amended_by=p.amended_by or "",
        note=note.strip(),
    )


def hierarchy_key(p: Provenance) -> tuple[Any, ...]:
    """The order of a handout sorted by the hierarchy of norms: UU, PP, Permen, Perda, …,
    each regulation by year and number, then its Pasal in order; notes and other
    documents after every regulation, by title."""
    rid = RegulationId.parse(p.regulation) if p.regulation else None
    if rid is None:
        return (1, 0, 0, 0, p.title, (0, ""), "")
    return (0, rid.level, rid.year, rid.number, str(rid), pasal_key(p.pasal or ""), p.ayat or "")


def line_depth(line: str) -> int:
    """0 for a Pasal heading or plain prose, 1 for an ayat, 2 for a huruf, 3 for an angka."""
    for rx, depth in _DEPTHS:
        if rx.match(line):
            return depth
    return 0


def _discussion(questions: Sequence[str]) -> list[str]:
    """The discussion questions as given, blank lines left out."""
    return [q.strip() for q in questions if q.strip()]


def _today(day: date | None) -> str:
    return indonesian_date((day or date.today()).isoformat())


def to_markdown(
    title: str, passages: Sequence[HandoutPassage], day: date | None = None, questions: Sequence[str] = ()
) -> str:
    lines = [f"# {title or DEFAULT_TITLE}", "", f"Tanggal: {_today(day)}", ""]
    for n, p in enumerate(passages, 1):
        lines += [f"## {n}. {p.citation}", ""]
        if p.legal_form:
            lines += [f"**{p.legal_form}**", ""]
        if p.amendment_line:
            lines += [f"*{p.amendment_line}*", ""]
        for line in (x.strip() for x in p.text.splitlines()):
            if line:  # one paragraph a line: ayat and huruf stay apart, indented by depth
                lines += [f"{'&emsp;' * line_depth(line)}{line}", ""]
        if p.penjelasan:
            lines += [f"**Penjelasan:** {p.penjelasan}", ""]
        lines += [p.source_line, ""]
        if p.note:
            lines += [f"> **Catatan pelatih:** {p.note}", ""]
    lines += _questions_md(questions)
    lines += ["---", "", FOOTNOTE, ""]
    return "\n".join(lines)


def _questions_md(questions: Sequence[str]) -> list[str]:
    asked = _discussion(questions)
    if not asked:
        return []
    return ["## Pertanyaan diskusi", "", *(f"{n}. {q}" for n, q in enumerate(asked, 1)), ""]


def to_docx(
    title: str,
    passages: Sequence[HandoutPassage],
    path: Path,
    day: date | None = None,
    questions: Sequence[str] = (),
) -> Path:
    from docx import Document
    from docx.shared import Cm, Pt

    doc = Document()
    a4_indonesian(doc, title or DEFAULT_TITLE, _today(day))
    doc.add_heading(title or DEFAULT_TITLE, level=0)
    doc.add_paragraph(f"Tanggal: {_today(day)}")
    for n, p in enumerate(passages, 1):
        doc.add_heading(f"{n}. {p.citation}", level=1)
        if p.legal_form:
            doc.add_paragraph().add_run(p.legal_form).bold = True
        if p.amendment_line:
            doc.add_paragraph().add_run(p.amendment_line).italic = True
        for line in (x.strip() for x in p.text.splitlines()):
            if not line:
                continue
            para = doc.add_paragraph()
            run = para.add_run(line)
            run.bold = bool(_PASAL_LINE.match(line))
            depth = line_depth(line)
            if depth:  # hanging indent: the marker out, the text aligned
                para.paragraph_format.left_indent = Cm(0.8 * depth)
                para.paragraph_format.first_line_indent = Cm(-0.8)
            para.paragraph_format.space_after = Pt(2)
        if p.penjelasan:
            para = doc.add_paragraph()
            para.add_run("Penjelasan: ").bold = True
            para.add_run(p.penjelasan)
        source = doc.add_paragraph(p.source_line)
        source.runs[0].font.size = Pt(9)
        if p.note:
            para = doc.add_paragraph()
            para.add_run("Catatan pelatih: ").bold = True
            para.add_run(p.note)
    asked = _discussion(questions)
    if asked:
        doc.add_heading("Pertanyaan diskusi", level=1)
        for q in asked:
            doc.add_paragraph(q, style="List Number")
    doc.add_paragraph(FOOTNOTE).runs[0].italic = True
    doc.save(str(path))
    return path


def a4_indonesian(doc: Any, title: str, today: str) -> None:
    """A4 with 2.5 cm margins, Indonesian as the document language, title and author set,
    and a footer with the app's name, the date and the page number."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Mm, Pt

    props = doc.core_properties
    props.title, props.author, props.language = title, AUTHOR, "id-ID"
    props.last_modified_by = AUTHOR
    for style in ("Normal", "Heading 1", "Title"):
        rpr = doc.styles[style].element.get_or_add_rPr()
        lang = OxmlElement("w:lang")
        lang.set(qn("w:val"), "id-ID")
        rpr.append(lang)
    doc.styles["Normal"].font.size = Pt(11)
    for section in doc.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Cm(2.5)
        section.top_margin = section.bottom_margin = Cm(2.5)
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        footer.add_run(f"{AUTHOR} · {today} · Halaman ")
        _field(footer.add_run(), "PAGE")
        footer.add_run(" dari ")
        _field(footer.add_run(), "NUMPAGES")
        for run in footer.runs:
            run.font.size = Pt(8)


def _field(run: Any, code: str) -> None:
    """A Word field (PAGE, NUMPAGES) in ``run``: Word fills it in when it lays out pages."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def char(kind: str) -> Any:
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        return el

    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {code} "
    shown = OxmlElement("w:t")
    shown.text = "1"
    for el in (char("begin"), instr, char("separate"), shown, char("end")):
        run._r.append(el)


def to_pdf(
    title: str,
    passages: Sequence[HandoutPassage],
    path: Path,
    day: date | None = None,
    questions: Sequence[str] = (),
) -> Path:
    """The handout as an A4 PDF with page numbers (reportlab's standard fonts cover the
    Latin-1 and Windows-1252 characters Indonesian legal text uses)."""
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    styles = getSampleStyleSheet()
    body = ParagraphStyle("isi", parent=styles["BodyText"], fontSize=10.5, leading=14, spaceAfter=2)
    small = ParagraphStyle("kecil", parent=body, fontSize=8.5, textColor="#444444", spaceAfter=8)
    today = _today(day)
    name = title or DEFAULT_TITLE

    def text(s: str) -> str:
        return escape(s.encode("cp1252", "replace").decode("cp1252"))

    flow: list[Any] = [Paragraph(text(name), styles["Title"]), Paragraph(text(f"Tanggal: {today}"), body)]
    for n, p in enumerate(passages, 1):
        flow.append(Paragraph(text(f"{n}. {p.citation}"), styles["Heading2"]))
        if p.legal_form:
            flow.append(Paragraph(f"<b>{text(p.legal_form)}</b>", body))
        if p.amendment_line:
            flow.append(Paragraph(f"<i>{text(p.amendment_line)}</i>", body))
        for line in (x.strip() for x in p.text.splitlines()):
            if line:
                depth = line_depth(line)
                style = ParagraphStyle(
                    f"d{depth}",
                    parent=body,
                    leftIndent=0.8 * cm * depth,
                    firstLineIndent=-0.8 * cm if depth else 0,
                )
                flow.append(
                    Paragraph(f"<b>{text(line)}</b>" if _PASAL_LINE.match(line) else text(line), style)
                )
        if p.penjelasan:
            flow.append(Paragraph(f"<b>Penjelasan:</b> {text(p.penjelasan)}", body))
        flow.append(Paragraph(text(p.source_line), small))
        if p.note:
            flow.append(Paragraph(f"<b>Catatan pelatih:</b> {text(p.note)}", body))
    asked = _discussion(questions)
    if asked:
        flow.append(Paragraph("Pertanyaan diskusi", styles["Heading2"]))
        flow += [Paragraph(text(f"{i}. {q}"), body) for i, q in enumerate(asked, 1)]
    flow += [Spacer(1, 0.5 * cm), Paragraph(f"<i>{text(FOOTNOTE)}</i>", small)]

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawCentredString(A4[0] / 2, 1.2 * cm, text(f"{AUTHOR} · {today} · Halaman {doc.page}"))
        canvas.restoreState()

    pdf = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=2.5 * cm,
        rightMargin=2.5 * cm,
        topMargin=2.5 * cm,
        bottomMargin=2.5 * cm,
        title=name,
        author=AUTHOR,
        creator=AUTHOR,
        lang="id-ID",
    )
    pdf.build(flow, onFirstPage=footer, onLaterPages=footer)
    return path


def file_stem(title: str) -> str:
    """A safe file name from the handout's title."""
    stem = re.sub(r"[^\w-]+", "-", (title or DEFAULT_TITLE).lower()).strip("-")
    return stem[:60] or "bahan-ajar"
