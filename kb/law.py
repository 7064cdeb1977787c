"""The identity of a regulation as a value: ``RegulationId`` is parsed once, compared and
ordered as a value, and written in one canonical form ("UU 6/2014", "Perda Kabupaten
Banjarnegara 8/2025", "Perdes Sukamaju 3/2023"). The ingest builds it from a title block, the
query parser from a question; both write it through ``str()``, so the two always agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# short form -> (long form, level in the hierarchy of norms: lower is higher, regional?)
KINDS: dict[str, tuple[str, int, bool]] = {
    "UU": ("Undang-Undang", 1, False),
    "Perppu": ("Peraturan Pemerintah Pengganti Undang-Undang", 1, False),
    "PP": ("Peraturan Pemerintah", 2, False),
    "Perpres": ("Peraturan Presiden", 3, False),
    "Permendagri": ("Peraturan Menteri Dalam Negeri", 4, False),
    "Permendesa PDTT": ("Peraturan Menteri Desa, Pembangunan Daerah Tertinggal, dan Transmigrasi", 4, False),
    "PMK": ("Peraturan Menteri Keuangan", 4, False),
    "Permen": ("Peraturan Menteri", 4, True),  # the ministry takes the place of a region
    "Pergub": ("Peraturan Gubernur", 5, True),
    "Perda": ("Peraturan Daerah", 5, True),
    "Perbup": ("Peraturan Bupati", 6, True),
    "Perwal": ("Peraturan Wali Kota", 6, True),
    "Perdes": ("Peraturan Desa", 7, True),
    "Peraturan Bersama Kepala Desa": ("Peraturan Bersama Kepala Desa", 7, False),
    "Perkades": ("Peraturan Kepala Desa", 8, True),
}
REGIONAL_LEVELS = ("Kabupaten", "Kota", "Provinsi")
# how users write the regional kinds (the national ones, with their informal forms, are in
# kb/data/normalisasi.yaml)
REGIONAL_SPELLINGS = {
    "perda": "Perda",
    "peraturan daerah": "Perda",
    "perbup": "Perbup",
    "peraturan bupati": "Perbup",
    "perwal": "Perwal",
    "perwali": "Perwal",
    "peraturan wali kota": "Perwal",
    "peraturan walikota": "Perwal",
    "pergub": "Pergub",
    "peraturan gubernur": "Pergub",
    "perdes": "Perdes",
    "peraturan desa": "Perdes",
    "perkades": "Perkades",
    "peraturan kepala desa": "Perkades",
}
_LEVEL_SPELLINGS = {
    "kabupaten": "Kabupaten",
    "kab": "Kabupaten",
    "kota": "Kota",
    "provinsi": "Provinsi",
    "prov": "Provinsi",
}
_REGIONAL_REF = re.compile(
    r"(?<![\w-])(?P<kind>" + "|".join(sorted(REGIONAL_SPELLINGS, key=len, reverse=True)) + r")\s+"
    r"(?:(?P<level>kabupaten|kab\.?|kota|provinsi|prov\.?)\s+)?"
    r"(?P<place>[a-z][a-z'.-]*(?:\s+[a-z][a-z'.-]*){0,2}?)\s+(?:no\.?|nomor|nmr|nomer)?\s*"
    r"(?P<num>\d{1,4})\s*(?:/|tahun|thn\.?|th\.?)\s*(?P<year>(?:19|20)\d{2})(?!\d)",
    re.IGNORECASE,
)


def find_regional_reference(text: str) -> tuple[RegulationId, int, int] | None:
    """A reference to a regional regulation in a question ("pasal 7 perda kabupaten
    banjarnegara 8/2025"): its id and where it stands."""
    m = _REGIONAL_REF.search(text)
    if not m:
        return None
    kind = REGIONAL_SPELLINGS[" ".join(m["kind"].lower().split())]
    level = _LEVEL_SPELLINGS[m["level"].lower().rstrip(".")] if m["level"] else ""
    place = f"{level} {m['place']}".strip() if kind == "Perda" else m["place"]
    return RegulationId.of(kind, m["num"], m["year"], place), m.start(), m.end()


_SMALL_WORDS = {
    "atas", "dan", "tentang", "di", "ke", "dari", "yang", "untuk", "pada", "dalam", "serta", "atau",
    "dengan", "bagi", "oleh",
}  # fmt: skip
_KEEP_UPPER = {"BUM", "APB", "RPJM", "RKP", "BPD", "ADD", "DPR", "DPRD", "NKRI", "II", "III", "IV"}


def display_case(text: str) -> str:
    """'PERUBAHAN ATAS PERATURAN PEMERINTAH' -> 'Perubahan atas Peraturan Pemerintah'."""
    words = []
    for i, w in enumerate(text.split()):
        core = w.strip(",.;:()")
        if core.upper() in _KEEP_UPPER:
            words.append(w.upper())
        elif i > 0 and core.lower() in _SMALL_WORDS:
            words.append(w.lower())
        else:
            words.append("-".join(p[:1].upper() + p[1:].lower() for p in w.split("-")))
    return " ".join(words)


_CANONICAL = re.compile(
    r"^(?P<kind>" + "|".join(sorted(map(re.escape, KINDS), key=len, reverse=True)) + r")"
    r"(?: (?P<place>.+?))? (?P<number>\d{1,4})/(?P<year>\d{4})$"
)


@dataclass(frozen=True, order=True)
class RegulationId:
    """A regulation's identity. ``place`` is the region (with its level for a Perda:
    "Kabupaten Banjarnegara"), the ministry for a Permen, or the village for a Perdes."""

    kind: str
    number: int
    year: int
    place: str | None = None

    @classmethod
    def of(cls, kind: str, number: int | str, year: int | str, place: str | None = None) -> RegulationId:
        """Build from parts as read (any case, extra spaces); a place only where the kind has one."""
        regional = KINDS[kind][2]
        clean = display_case(" ".join(place.split())) if place and regional else None
        return cls(kind, int(number), int(year), clean or None)

    @classmethod
    def parse(cls, text: str) -> RegulationId | None:
        """The canonical form back to a value ("Perda Kabupaten Banjarnegara 8/2025")."""
        m = _CANONICAL.match(" ".join(text.split()))
        if not m:
            return None
        return cls(m["kind"], int(m["number"]), int(m["year"]), m["place"])

    @property
    def level(self) -> int:
        """Rank in the hierarchy of norms (UU 1, PP 2, … Perdes 7): lower is higher."""
        return KINDS[self.kind][1]

    @property
    def long_kind(self) -> str:
        return KINDS[self.kind][0]

    def __str__(self) -> str:
        place = f" {self.place}" if self.place else ""
        return f"{self.kind}{place} {self.number}/{self.year}"
