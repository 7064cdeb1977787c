"""The identity of a regulation as a value: ``RegulationId`` is parsed once, compared and
ordered as a value, and written in one canonical form ("UU 6/2014", "Perda Kabupaten
Banjarnegara 8/2025", "Perdes Sukamaju 3/2023"). The ingest builds it from a title block, the
query parser from a question; both write it through ``str()``, so the two always agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    """A kind of regulation, the one table of them: how it is written in a title block
    (upper-cased, for the ingest), how users write it (lower-cased, for questions), and
    its rank in the hierarchy of norms (lower is higher)."""

    short: str  # the canonical id's first part: "UU", "Perda"
    long: str
    level: int
    regional: bool  # carries a place (a region, a village; a ministry for a Permen)
    title: str  # pattern on the upper-cased title block; the first kind that matches wins
    spellings: tuple[str, ...] = ()


KIND_TABLE: tuple[Kind, ...] = (
    Kind(
        "Perppu",
        "Peraturan Pemerintah Pengganti Undang-Undang",
        1,
        False,
        r"PERATURAN PEMERINTAH PENGGANTI UNDANG-\s?UNDANG",
        ("perppu",),
    ),
    Kind("UU", "Undang-Undang", 1, False, r"UNDANG-\s?UNDANG", ("undang-undang", "undang undang", "uu")),
    Kind("PP", "Peraturan Pemerintah", 2, False, r"PERATURAN PEMERINTAH", ("peraturan pemerintah", "pp")),
    Kind("Perpres", "Peraturan Presiden", 3, False, r"PERATURAN PRESIDEN", ("peraturan presiden", "perpres")),
    Kind(
        "Permendagri",
        "Peraturan Menteri Dalam Negeri",
        4,
        False,
        r"PERATURAN MENTERI DALAM NEGERI",
        ("peraturan menteri dalam negeri", "permendagri", "permen dagri"),
    ),
    Kind(
        "Permendesa PDTT",
        "Peraturan Menteri Desa, Pembangunan Daerah Tertinggal, dan Transmigrasi",
        4,
        False,
        r"PERATURAN MENTERI DESA[A-Z ,]*",
        ("permendesa", "permendes"),
    ),
    Kind(
        "PMK",
        "Peraturan Menteri Keuangan",
        4,
        False,
        r"PERATURAN MENTERI KEUANGAN",
        ("peraturan menteri keuangan", "pmk"),
    ),
    Kind(
        "Peraturan Bersama Kepala Desa",
        "Peraturan Bersama Kepala Desa",
        7,
        False,
        r"PERATURAN BERSAMA KEPALA DESA",
    ),
    Kind(
        "Perda",
        "Peraturan Daerah",
        5,
        True,
        r"PERATURAN DAERAH (?P<lvl>KABUPATEN|KOTA|PROVINSI) (?P<place>[A-Z .'-]+?)(?= NOMOR)",
        ("perda", "peraturan daerah"),
    ),
    Kind(
        "Perbup",
        "Peraturan Bupati",
        6,
        True,
        r"PERATURAN BUPATI (?P<place>[A-Z .'-]+?)(?= NOMOR)",
        ("perbup", "peraturan bupati"),
    ),
    Kind(
        "Perwal",
        "Peraturan Wali Kota",
        6,
        True,
        r"PERATURAN WALI\s?KOTA (?P<place>[A-Z .'-]+?)(?= NOMOR)",
        ("perwal", "perwali", "peraturan wali kota", "peraturan walikota"),
    ),
    Kind(
        "Pergub",
        "Peraturan Gubernur",
        5,
        True,
        r"PERATURAN GUBERNUR (?P<place>[A-Z .'-]+?)(?= NOMOR)",
        ("pergub", "peraturan gubernur"),
    ),
    Kind(
        "Perdes",
        "Peraturan Desa",
        7,
        True,
        r"PERATURAN DESA (?P<place>[A-Z .'-]+?)(?= NOMOR)",
        ("perdes", "peraturan desa"),
    ),
    Kind(
        "Perkades",
        "Peraturan Kepala Desa",
        8,
        True,
        r"PERATURAN KEPALA DESA (?P<place>[A-Z .'-]+?)(?= NOMOR)",
        ("perkades", "peraturan kepala desa"),
    ),
    Kind(
        "Permen",
        "Peraturan Menteri",
        4,
        True,  # the ministry takes the place of a region
        r"PERATURAN MENTERI (?P<place>[A-Z ,]+?)(?= (?:REPUBLIK INDONESIA )?NOMOR)",
    ),
)
KINDS: dict[str, Kind] = {k.short: k for k in KIND_TABLE}
REGIONAL_LEVELS = ("Kabupaten", "Kota", "Provinsi")
# how users write each kind -> its short form; national kinds are found by
# ``national_spellings`` (kb.query), regional ones with their place by ``find_regional_reference``
NATIONAL_SPELLINGS = {w: k.short for k in KIND_TABLE if not k.regional for w in k.spellings}
REGIONAL_SPELLINGS = {w: k.short for k in KIND_TABLE if k.regional for w in k.spellings}
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


_REGIONAL_NAME = re.compile(
    r"(?<![\w-])(?P<kind>" + "|".join(sorted(REGIONAL_SPELLINGS, key=len, reverse=True)) + r")\s+"
    r"(?P<level>kabupaten|kota|provinsi)\s+(?P<place>[a-z][a-z'-]*)",
    re.IGNORECASE,
)


def find_regional_name(text: str) -> str | None:
    """A regional regulation named by kind, level and place but not by number ("menurut
    Perda Provinsi Bali"): the start of the ids it may have ("Perda Provinsi Bali"). Only
    with the level word, which says that a place name follows (not a topic: "perdes APB")."""
    m = _REGIONAL_NAME.search(text)
    if not m:
        return None
    kind = REGIONAL_SPELLINGS[" ".join(m["kind"].lower().split())]
    return f"{kind} {display_case(m['level'] + ' ' + m['place'])}"


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
        regional = KINDS[kind].regional
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
        return KINDS[self.kind].level

    @property
    def long_kind(self) -> str:
        return KINDS[self.kind].long

    def __str__(self) -> str:
        place = f" {self.place}" if self.place else ""
        return f"{self.kind}{place} {self.number}/{self.year}"


def pasal_key(number: str) -> tuple[int, str]:
    """A Pasal number in the order of the text: 2 < 10 < 10A < 11; a Roman one (an amending
    act's Pasal I, II) first."""
    m = re.match(r"(\d+)([A-Z]?)$", number)
    return (int(m.group(1)), m.group(2)) if m else (-1, number)
