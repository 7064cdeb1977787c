"""A draft's blocks as Markdown and as a Word document (A4, Indonesian): one list, two
renderings, so what the user reads and what they download never differ."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from kb.draft.check import DraftReport
from kb.draft.compose import Draft
from kb.handout import a4_indonesian
from kb.naming import indonesian_date


def to_markdown(draft: Draft) -> str:
    out: list[str] = []
    for b in draft.blocks:
        if b.kind == "title":
            out.append(f"# {b.text}")
        elif b.kind == "center":
            out.append(f"**{b.text}**")
        elif b.kind == "heading":
            out.append("## " + b.text.replace("\n", " — "))
        elif b.kind == "pasal":
            out.append(f"### {b.text}")
        elif b.kind == "item":
            out.append(f"- {b.text}" if not b.text[:2].rstrip(".").isalnum() else b.text)
        elif b.kind == "note":
            out.append(f"> *{b.text}*")
        elif b.kind == "quote":
            out.append("  \n".join(f"> {line}" for line in b.text.splitlines()))
        elif b.kind == "sign":
            out.append(b.text.replace("\n", "  \n"))
        else:
            out.append(b.text)
    out += ["", "---", "", "## Daftar periksa tata cara", ""]
    for n, (label, q) in enumerate(draft.checklist, 1):
        said = f"“{q.text}”" if q.text else "[belum ada di basis pengetahuan]"
        out.append(f"{n}. **{label}** ({q.citation}): {said}")
    if draft.gaps:
        out += ["", "## Belum ada di basis pengetahuan", ""]
        out += [f"- {gap}" for gap in draft.gaps]
    return "\n\n".join(out).replace("\n\n- ", "\n- ") + "\n"


def to_docx(draft: Draft, path: Path) -> Path:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt, RGBColor

    doc = Document()
    a4_indonesian(doc, draft.title, indonesian_date(date.today().isoformat()))
    for b in draft.blocks:
        para = doc.add_paragraph()
        if b.kind in ("title", "center", "heading", "pasal"):
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = para.add_run(b.text)
            run.bold = b.kind != "center" or b.text.isupper()
            if b.kind == "title":
                run.font.size = Pt(13)
        elif b.kind in ("note", "quote"):  # the margin note: the Pasal that requires or governs it
            para.paragraph_format.left_indent = Cm(1.5)
            run = para.add_run(b.text)
            run.font.size = Pt(9)
            run.italic = b.kind == "note"
            run.font.color.rgb = RGBColor(0x44, 0x44, 0x66)
        elif b.kind == "item":
            para.paragraph_format.left_indent = Cm(1.0)
            para.add_run(b.text)
        elif b.kind == "sign":
            para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            para.add_run(b.text)
        else:
            para.add_run(b.text)
        para.paragraph_format.space_after = Pt(3)
    doc.add_page_break()
    doc.add_heading("Daftar periksa tata cara", level=1)
    for label, q in draft.checklist:
        para = doc.add_paragraph(style="List Number")
        para.add_run(f"{label} ").bold = True
        para.add_run(f"({q.citation}): ")
        para.add_run(f"“{q.text}”" if q.text else "[belum ada di basis pengetahuan]").font.size = Pt(9)
    if draft.gaps:
        doc.add_heading("Belum ada di basis pengetahuan", level=1)
        for gap in draft.gaps:
            doc.add_paragraph(gap, style="List Bullet")
    doc.save(str(path))
    return path


STATUS_MARK = {"ada": "✓", "hanya judul": "△", "tidak ada": "✗"}


def report_text(report: DraftReport) -> str:
    """The check's report in Indonesian, one finding per line with the Pasal behind it."""
    lines = [f"Jenis dokumen: {report.kind}", f"Unsur wajib ({report.contents_source}):"]
    for e in report.elements:
        where = f" — di bagian '{e.section}'" if e.section else ""
        lines.append(f"  {STATUS_MARK[e.status]} {e.name}: {e.status}{where} ({e.required_by})")
    if report.outdated_citations:
        lines.append("Mengingat yang belum memuat perubahan terakhir:")
        lines += [f"  ! {c.problem}" for c in report.outdated_citations]
    if report.not_in_force:
        lines.append("Peraturan yang sudah tidak berlaku:")
        lines += [f"  ! {c.problem}" for c in report.not_in_force]
    if report.absent_from_index:
        lines.append("Disebut dalam draf tetapi belum ada di basis pengetahuan (tidak dapat diperiksa):")
        lines += [f"  - {r}" for r in report.absent_from_index]
    lines.append("Bentuk (Lampiran II Permendagri 111/2014):")
    lines += [f"  {'✓' if ok else '✗'} {part}" for part, ok in report.form.items()]
    return "\n".join(lines)
