"""What the indexed regulations repeal, read from their closing provisions.

"Pada saat Peraturan Pemerintah ini mulai berlaku, BAB VIII …, Pasal 132 sampai dengan Pasal
142 Peraturan Pemerintah Nomor 43 Tahun 2014 … sebagaimana telah beberapa kali diubah,
terakhir dengan Peraturan Pemerintah Nomor 11 Tahun 2019 …, dicabut dan dinyatakan tidak
berlaku." repeals those Pasal of PP 43/2014 in every wording its amendments gave them. A
repealed Pasal is no longer the law: the answer does not quote it as such.

Only whole Pasal count: "Pasal 158 ayat (2) sampai dengan ayat (9)" or "Pasal 1 angka 4"
leave the rest of their Pasal in force, so such a Pasal is not marked. OCR'd closings are
read too ("Pasal I42", "2Ol4", "t-idak berlaku").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kb.law import RegulationId
from kb.promulgation import find_citations
from kb.types import Provenance

# the word of every repeal, for the store's text filter, and the closing phrase it opens
# ("t-idak" and the like in OCR'd text)
REPEAL_WORD = "dicabut"
REPEAL = re.compile(r"dicabut\s+dan\s+dinyatakan\s+\W?t\W?idak\s+berlaku", re.IGNORECASE)
_OCR_DIGITS = str.maketrans("IlO", "110")
_NUMBER = r"[\dIlO]{1,3}[A-Z]?"
# "Pasal 132 sampai dengan Pasal 142", "Pasal 157", not "Pasal 158 ayat (2) …" nor "Pasal 1 angka 4"
_PASAL = re.compile(
    rf"\bPasal\s+(?P<first>{_NUMBER})\b(?:\s+sampai\s+dengan\s+Pasal\s+(?P<last>{_NUMBER})\b)?"
    r"(?!\s*(?:ayat|angka|huruf)\b)"
)
_PART = re.compile(r"\bPasal\s+\S+\s+(?:ayat|angka|huruf)\b")  # "Pasal 158 ayat (2) …"
# an amendment cited right after the regulation it amends ("… diubah, terakhir dengan …")
_AMENDING = re.compile(r"(?:diubah|di\w{0,2}bah|dengan)\W*$")


def _number(text: str) -> int:
    return int(re.sub(r"[A-Z]$", "", text.translate(_OCR_DIGITS)) or 0)


def _pasal_in(gap: str) -> set[str] | None:
    """The whole Pasal a gap of text before a citation names; None when it names none."""
    found: set[str] = set()
    for m in _PASAL.finditer(gap):
        first = _number(m["first"])
        last = _number(m["last"]) if m["last"] else first
        found |= {str(n) for n in range(first, last + 1)} if last - first < 1000 else set()
    return found or None


def repealed_in(text: str) -> list[tuple[RegulationId, frozenset[str] | None]]:
    """(regulation, its repealed Pasal, or None for all of it) for each regulation a closing
    provision repeals; a regulation cited only as another's amendment is not one."""
    end = REPEAL.search(text)
    if end is None:
        return []
    segment = re.sub(r"^\s*Pasal\s+\S+\s*\n", "", text[: end.start()])  # the provision's own heading
    out: list[tuple[RegulationId, frozenset[str] | None]] = []
    previous = 0
    for cited in find_citations(segment):
        gap = segment[previous : cited.start]
        previous = cited.start + 1
        if out and _AMENDING.search(gap):
            continue  # "… terakhir dengan PP 11/2019": part of the regulation before it
        clause = gap.rsplit(";", 1)[-1]  # the list item the citation ends
        pasal = _pasal_in(clause)
        if pasal is None and _PART.search(clause):
            continue  # only ayat or items of a Pasal: the Pasal stays
        out.append((cited.regulation, frozenset(pasal) if pasal else None))
    return out


@dataclass
class Repeals:
    """The repeals the index knows: regulation -> the Pasal repealed (None: all of it) and the
    provision that repealed them ("PP 11/2021 Pasal 76")."""

    pasal: dict[str, frozenset[str] | None] = field(default_factory=dict)
    by: dict[str, str] = field(default_factory=dict)

    def add(self, regulation: str, pasal: frozenset[str] | None, by: str) -> None:
        old = self.pasal.get(regulation, frozenset())
        self.pasal[regulation] = None if pasal is None or old is None else old | pasal
        self.by.setdefault(regulation, by)

    def repealed(self, p: Provenance) -> bool:
        """Whether the passage is a Pasal (in any wording) that an indexed regulation repealed."""
        family = p.family
        if not family or family not in self.pasal or not p.pasal:
            return False
        pasal = self.pasal[family]
        return pasal is None or p.pasal in pasal

    def repealed_by(self, p: Provenance) -> str | None:
        """The provision that repealed the passage's Pasal ("PP 11/2021 Pasal 76"), if one did."""
        return self.by[str(p.family)] if self.repealed(p) else None
