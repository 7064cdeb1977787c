"""The structure check run on every ingest: did the parse find the regulation's Pasal?

No labels are needed. A regulation numbers its Pasal 1..N without gaps (an amending act
numbers its own articles I, II … and quotes the Pasal it changes in rising order), so what
the parse found can be checked against what the text itself shows:

* gaps in the numbering of the Pasal found;
* the heading lines in the raw text ("Pasal 17" alone on a line, before any cleaning): a
  parse that finds fewer Pasal than the text has headings lost some;
* the Pasal the text cites internally ("sebagaimana dimaksud dalam Pasal 15"): more distinct
  numbers cited than Pasal found means Pasal are missing;
* pages that gave no text (a scan without OCR).

A document that fails the check is still indexed (as text where no Pasal was found); the
report tells the user what to check. It is carried on every chunk of the document, so
``kb stats`` and the Dokumen tab show it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ingest.legal import ParsedRegulation, roman_value
from kb.law import pasal_key

_ROMAN = re.compile(r"^[IVX]+$")
# a heading line as written in the raw text, before cleaning ("Pasal 17", "Pasal 5A")
_HEADING_LINE = re.compile(r"^[ \t]*Pasal[ \t]+(\d{1,3})[A-Z]?[ \t]*$", re.MULTILINE)
# an internal reference; one followed by a regulation's name cites another regulation
_INTERNAL_REFERENCE = re.compile(
    r"dimaksud\s+(?:dalam|pada)\s+Pasal\s+(\d{1,3})[A-Z]?\b(?!(?:\s+(?:ayat|huruf|angka)\s+\S+)*\s+"
    r"(?:Undang|Peraturan|UU|PP|Perpres|Permen))"
)
# Cited numbers may exceed the Pasal found by this share (plus 3) before it is a fault:
# a regulation cites only its own Pasal, but OCR can misread a number in a reference. On the
# reference corpus the cited count is at most 0.62 of the Pasal count.
CITED_MARGIN = 0.1


@dataclass(frozen=True)
class StructureCheck:
    """What the parse found of a document's structure, and what the text says to expect."""

    regulation: str | None
    pasal_found: int
    pasal_expected: int
    gaps: tuple[str, ...] = ()
    pages_without_text: tuple[int, ...] = ()
    ocr_pages: tuple[int, ...] = ()
    headings_seen: int = 0
    cited: int = 0
    ocr_problem: str = ""  # why the pages without text could not be OCR'd
    empty: tuple[str, ...] = ()  # Pasal whose heading was found with no text under it

    @property
    def ok(self) -> bool:
        structure = not self.gaps and self.pasal_found >= self.pasal_expected
        return structure and not self.pages_without_text and not self.empty

    def problems(self) -> list[str]:
        """Indonesian sentences, one per fault; empty when the check passes."""
        name = self.regulation or "Dokumen"
        out = []
        if self.pasal_found == 0 and self.pasal_expected:
            out.append(
                f"{name}: 0 Pasal terbaca dari ±{self.pasal_expected} judul Pasal — periksa berkas; "
                "dokumen diindeks sebagai teks biasa."
            )
        elif self.gaps:
            shown = ", ".join(self.gaps[:10]) + (" …" if len(self.gaps) > 10 else "")
            out.append(
                f"{name}: {self.pasal_found} dari ±{self.pasal_expected} Pasal terbaca; Pasal {shown} tidak "
                "terbaca (urutan nomor Pasal terputus) — periksa berkas."
            )
        elif self.pasal_found < self.pasal_expected:
            out.append(
                f"{name}: {self.pasal_found} Pasal terbaca dari ±{self.pasal_expected} judul Pasal — periksa berkas."
            )
        if self.empty:
            out.append(
                f"{name}: Pasal {', '.join(self.empty[:10])} terbaca tanpa isi (teks hilang di berkas) — "
                "periksa naskah aslinya."
            )
        if self.pages_without_text:
            why = self.ocr_problem or "hasil pindai tanpa OCR"
            out.append(
                f"{name}: halaman {page_list(self.pages_without_text)} tidak berisi teks yang terbaca ({why})."
            )
        return out

    def to_metadata(self) -> dict[str, Any]:
        """Flat fields for every chunk of the document (Chroma metadata)."""
        return {
            "pasal_found": self.pasal_found,
            "pasal_expected": self.pasal_expected,
            "structure_gaps": ", ".join(self.gaps),
            "structure_ok": self.ok,
            "structure_problems": " ".join(self.problems()),
            "pages_without_text": ", ".join(map(str, self.pages_without_text)),
            "ocr_pages": ", ".join(map(str, self.ocr_pages)),
        }


def page_list(pages: Sequence[int]) -> str:
    """'3, 4, 7' — at most 12 pages named, then how many in all."""
    return ", ".join(map(str, pages[:12])) + (f" … ({len(pages)} halaman)" if len(pages) > 12 else "")


def _missing(numbers: Iterable[int]) -> list[int]:
    found = set(numbers)
    return [n for n in range(1, max(found) + 1) if n not in found] if found else []


def heading_numbers(raw_text: str) -> set[int]:
    """Distinct Pasal numbers that stand as heading lines in the raw text."""
    return {int(m.group(1)) for m in _HEADING_LINE.finditer(raw_text)}


def cited_numbers(raw_text: str) -> set[int]:
    """Distinct Pasal numbers the text cites as its own ("dimaksud dalam Pasal 15")."""
    return {int(m.group(1)) for m in _INTERNAL_REFERENCE.finditer(re.sub(r"\s+", " ", raw_text))}


def check_regulation(
    reg: ParsedRegulation,
    raw_text: str,
    *,
    pages_without_text: tuple[int, ...] = (),
    ocr_pages: tuple[int, ...] = (),
    ocr_problem: str = "",
) -> StructureCheck:
    """Check a parsed regulation against what its raw text shows (see the module doc)."""
    amending = reg.identity.amends is not None
    quoted = [a.number for a in reg.articles if not _ROMAN.match(a.number)]
    roman = [roman_value(a.number) for a in reg.articles if _ROMAN.match(a.number)]
    seen = heading_numbers(raw_text)
    if amending:
        # its own articles run I, II …; the quoted Pasal rise (the parser only accepts rising
        # numbers), so the gaps are in the Roman sequence, and every quoted heading line counts
        gaps = [_roman(n) for n in _missing(roman)]
        found = len(set(quoted)) + len(roman)
        expected = max(len(seen) + len(roman), found) if roman else len(seen)
        cited = 0
    else:
        ints = [pasal_key(n)[0] for n in quoted]
        gaps = [str(n) for n in _missing(ints)]
        found = len(set(ints))
        cited = len(cited_numbers(raw_text))
        expected = max(max(ints, default=0), len(seen))
        if cited > found + max(3, CITED_MARGIN * found):
            expected = max(expected, cited)
    empty = tuple(a.number for a in reg.articles if not a.text.strip())
    return StructureCheck(
        regulation=reg.identity.regulation,
        empty=empty,
        pasal_found=found,
        pasal_expected=expected,
        gaps=tuple(gaps),
        pages_without_text=pages_without_text,
        ocr_pages=ocr_pages,
        ocr_problem=ocr_problem,
        headings_seen=len(seen),
        cited=cited,
    )


def check_unparsed(
    raw_text: str,
    regulation: str | None,
    *,
    pages_without_text: tuple[int, ...] = (),
    ocr_pages: tuple[int, ...] = (),
    ocr_problem: str = "",
) -> StructureCheck:
    """The check for a document indexed as text: reports Pasal headings it holds but lost."""
    seen = heading_numbers(raw_text)
    # a note quoting two or three Pasal is not a regulation; a run of headings is
    expected = len(seen) if len(seen) >= 3 else 0
    return StructureCheck(
        regulation=regulation,
        pasal_found=0,
        pasal_expected=expected,
        pages_without_text=pages_without_text,
        ocr_pages=ocr_pages,
        ocr_problem=ocr_problem,
        headings_seen=len(seen),
    )


def _roman(n: int) -> str:
    out = ""
    for value, sym in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += sym
            n -= value
    return out
