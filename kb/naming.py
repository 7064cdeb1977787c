"""Naming sources the way readers expect: regulations in legal form ("UU No. 6 Tahun 2014
tentang Desa"), passages by Pasal and ayat, notes by event and Indonesian date."""

from __future__ import annotations

import re

from kb.types import DocType, Provenance, Section


def legal_name(regulation: str, tentang: str | None) -> str:
    """'UU 6/2014' + 'Desa' -> 'UU No. 6 Tahun 2014 tentang Desa'."""
    m = re.match(r"(.+) (\d+)/(\d{4})$", regulation)
    name = f"{m.group(1)} No. {m.group(2)} Tahun {m.group(3)}" if m else regulation
    return f"{name} tentang {tentang}" if tentang else name


def indonesian_date(date: str) -> str:
    months = [
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ]
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", date)
    return f"{int(m.group(3))} {months[int(m.group(2)) - 1]} {m.group(1)}" if m else date


def pasal_reference(pasal: str, ayat: str | None = None, angka: str | None = None) -> str:
    """'Pasal 92 ayat (1)', 'Pasal 1 angka 4' (a definition of the Ketentuan Umum)."""
    return f"Pasal {pasal}" + (f" ayat ({ayat})" if ayat else "") + (f" angka {angka}" if angka else "")


def legal_citation(p: Provenance, ayat: str | None = None, angka: str | None = None) -> str:
    """A Pasal in legal form: 'UU No. 6 Tahun 2014 tentang Desa, Pasal 92 ayat (1)'."""
    name = legal_name(str(p.regulation), p.tentang)
    return f"{name}, {pasal_reference(str(p.pasal), ayat, angka)}"


def source_label(p: Provenance, ayat: str | None, angka: str | None = None) -> str:
    """How a passage is named to the reader: 'UU 6/2014 Pasal 92 ayat (1)', 'UU 6/2014
    Pasal 1 angka 4' (a definition of the Ketentuan Umum), or the note."""
    if p.regulation and p.pasal:
        return f"{p.regulation} {pasal_reference(p.pasal, ayat, angka)}"
    if p.regulation and p.section == Section.EXPLANATION:
        return f"Penjelasan {p.regulation}"
    title = p.event or p.title or p.source
    date = f", {indonesian_date(p.date)}" if p.date else ""
    kind = {DocType.WEBINAR: "Catatan", DocType.KEBIJAKAN: "Arah kebijakan:"}.get(p.doc_type, "")
    if kind == "Catatan" and title.lower().startswith("catatan"):
        kind = ""
    elif kind == "Catatan" and not title.lower().startswith("webinar"):
        kind = "Catatan webinar"
    return f"{kind} {title}{date}".strip()
