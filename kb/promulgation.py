"""Where a regulation was promulgated, and how other regulations cite it, read from the texts.

A national regulation is promulgated in the Lembaran Negara (with a Tambahan for its
Penjelasan) or, for a ministerial regulation, the Berita Negara. Two places in the indexed
texts say where:

* the regulation's own closing ("… LEMBARAN NEGARA REPUBLIK INDONESIA TAHUN 2014 NOMOR 7")
  and the end of its Penjelasan ("TAMBAHAN LEMBARAN NEGARA REPUBLIK INDONESIA NOMOR 5495"),
  read at ingest (:func:`own_promulgation`);
* another regulation's Mengingat, which cites it in full with its amendments: "Undang-Undang
  Nomor 6 Tahun 2014 tentang Desa (Lembaran Negara Republik Indonesia Tahun 2014 Nomor 7,
  Tambahan Lembaran Negara Republik Indonesia Nomor 5495) sebagaimana telah diubah dengan …"
  (:func:`find_citations`).

Numbers are read with the OCR confusions of digits undone (O→0, l/I→1); a number that still
holds a letter ("5a95") is not read at all: a missing number is shown as missing, never
guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from kb.law import KIND_TABLE, RegulationId

_DIGITS = str.maketrans({"O": "0", "o": "0", "D": "0", "l": "1", "I": "1"})
_NUM = r"[0-9OolID]{1,5}"
_SEP = r"[\s,]*"
_LN = re.compile(
    rf"Lembaran{_SEP}Negara{_SEP}Republik{_SEP}Indonesia{_SEP}Tahun\s+({_NUM})\s+N\w{{3,4}}r\s+({_NUM})\b",
    re.I,
)
_TLN = re.compile(
    rf"Tambahan{_SEP}Lembaran{_SEP}Negara{_SEP}Republik{_SEP}Indonesia{_SEP}N\w{{3,4}}r\s+({_NUM})\b", re.I
)
_BN = re.compile(
    rf"Berita{_SEP}Negara{_SEP}Republik{_SEP}Indonesia{_SEP}Tahun\s+({_NUM})\s+N\w{{3,4}}r\s+({_NUM})\b", re.I
)
# the own closing is written in capitals; citations of other regulations are not
_OWN_LN = re.compile(rf"LEMBARAN NEGARA REPUBLIK INDONESIA TAHUN ({_NUM}) NOMOR ({_NUM})\b")
_OWN_TLN = re.compile(rf"TAMBAHAN LEMBARAN NEGARA REPUBLIK INDONESIA NOMOR ({_NUM})\b")
_OWN_BN = re.compile(rf"BERITA NEGARA REPUBLIK INDONESIA TAHUN ({_NUM}) NOMOR ({_NUM})\b")
# the Berita Negara's own heading on the first page of a published copy: "BERITA NEGARA
# REPUBLIK INDONESIA No.2091, 2014" (number first; "REPUBLIK INDONESIA" may be dropped as
# page furniture)
_BN_HEADING = re.compile(rf"BERITA\s+NEGARA\s+(?:REPUBLIK\s+INDONESIA\s+)?No\.\s?({_NUM}),\s*({_NUM})\b")
HEADING_CHARS = 3000  # the first page's heading sits within the first lines
_ANNOUNCE = re.compile(r"Agar\s+setiap\s+orang\s+mengetahuinya", re.I)
_ORDINALS = ("Kedua", "Ketiga", "Keempat", "Kelima", "Keenam")


def _number(token: str) -> int | None:
    value = token.translate(_DIGITS)
    return int(value) if value.isdigit() else None


@dataclass(frozen=True)
class Promulgation:
    """Lembaran Negara (year, number) with its Tambahan, or the Berita Negara (year, number)."""

    ln: tuple[int, int] | None = None
    tln: int | None = None
    bn: tuple[int, int] | None = None

    def __bool__(self) -> bool:
        return bool(self.ln or self.tln or self.bn)

    def legal_form(self) -> str:
        """'(Lembaran Negara Republik Indonesia Tahun 2014 Nomor 7, Tambahan Lembaran Negara
        Republik Indonesia Nomor 5495)'; '' when nothing is known."""
        parts = []
        if self.ln:
            parts.append(f"Lembaran Negara Republik Indonesia Tahun {self.ln[0]} Nomor {self.ln[1]}")
        if self.tln:
            parts.append(f"Tambahan Lembaran Negara Republik Indonesia Nomor {self.tln}")
        if self.bn:
            parts.append(f"Berita Negara Republik Indonesia Tahun {self.bn[0]} Nomor {self.bn[1]}")
        return f"({', '.join(parts)})" if parts else ""

    def merged(self, other: Promulgation) -> Promulgation:
        """This one, with what it lacks taken from ``other``."""
        return Promulgation(self.ln or other.ln, self.tln or other.tln, self.bn or other.bn)

    def to_metadata(self) -> dict[str, str]:
        out = {}
        if self.ln:
            out["ln"] = f"{self.ln[0]}/{self.ln[1]}"
        if self.tln:
            out["tln"] = str(self.tln)
        if self.bn:
            out["bn"] = f"{self.bn[0]}/{self.bn[1]}"
        return out

    @classmethod
    def from_metadata(cls, meta: dict[str, Any]) -> Promulgation:
        def pair(key: str) -> tuple[int, int] | None:
            y, _, n = str(meta.get(key) or "").partition("/")
            return (int(y), int(n)) if y.isdigit() and n.isdigit() else None

        tln = str(meta.get("tln") or "")
        return cls(pair("ln"), int(tln) if tln.isdigit() else None, pair("bn"))


def _pair(m: re.Match[str] | None) -> tuple[int, int] | None:
    if not m:
        return None
    year, number = _number(m.group(1)), _number(m.group(2))
    return (year, number) if year and number and 1945 <= year <= 2100 else None


def read_promulgation(text: str) -> Promulgation:
    """The first Lembaran Negara / Tambahan / Berita Negara numbers written in ``text``."""
    tln = _TLN.search(text)
    return Promulgation(
        _pair(_LN.search(text)), _number(tln.group(1)) if tln else None, _pair(_BN.search(text))
    )


def own_promulgation(text: str, year: int) -> Promulgation:
    """Where the regulation of ``text`` (enacted in ``year``) was promulgated, from its
    closing: the capitalised Lembaran Negara or Berita Negara line after "Agar setiap orang
    mengetahuinya", and the Tambahan at the end of the Penjelasan."""

    def own(found: tuple[int, int] | None) -> tuple[int, int] | None:
        return found if found and year <= found[0] <= year + 1 else None  # late in December

    bn_heading = None
    if heading := _BN_HEADING.search(text[:HEADING_CHARS]):
        number, published = _number(heading.group(1)), _number(heading.group(2))
        bn_heading = own((published, number)) if number and published else None
    # the first announcement is the regulation's own; a Lampiran may hold model texts with more
    announce = _ANNOUNCE.search(text)
    if not announce:
        return Promulgation(bn=bn_heading)
    closing = text[announce.end() :]
    ln = own(_pair(_OWN_LN.search(closing)))
    bn = own(_pair(_OWN_BN.search(closing))) or bn_heading
    tlns = [_number(m.group(1)) for m in _OWN_TLN.finditer(closing)]
    return Promulgation(ln, next((t for t in tlns if t), None) if ln else None, bn)


# -- citations in a Mengingat -------------------------------------------------------------


def _spelled(long: str) -> str:
    """A kind's long name as OCR and typists write it ("UndangUndang", "Undang- Undang")."""
    words = [re.escape(w).replace(r"\-", r"-?\s?") for w in long.split()]
    return r"\s+".join(words)


_KINDS = sorted(((k.long, k.short, k.regional) for k in KIND_TABLE), key=lambda k: len(k[0]), reverse=True)
_KIND = "|".join(f"(?P<k{i}>{_spelled(long)})" for i, (long, _, _) in enumerate(_KINDS))
# a regional regulation's place: "Kabupaten Banjarnegara" for a Perda, "Kuningan" for a Perbup
_PLACE = r"(?P<place>(?:(?:Kabupaten|Kota|Provinsi|Desa)\s+)?[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,2}?)"
_HEAD = rf"(?:{_KIND})(?:\s+Republik\s+Indonesia)?(?:\s+{_PLACE})?\s+N\w{{3,4}}r\s+(?P<num>{_NUM})\s+Tahun\s+(?P<year>{_NUM})"
# A Mengingat's citation: its title runs to its publication in parentheses (or the item's end).
_CITATION = re.compile(
    rf"{_HEAD}(?:\s+tentang\s+(?P<tentang>(?:(?!\bsebagaimana\b)[^();])+?))?\s*"
    r"(?:\((?P<pub>[^()]*)\)|(?=[;.]|$))"
)
# A citation in running text, without its publication ("Undang-Undang Nomor 6 Tahun 2014
# tentang Desa sebagaimana …, dan …"): its title ends at the first break.
_MENTION = re.compile(
    rf"{_HEAD}(?:\s+tentang\s+(?P<tentang>(?:(?!\b(?:sebagaimana|dan|serta)\b)[^();,.])+?))?"
    r"(?=\s*[();,.\[]|\s+(?:sebagaimana|dan|serta)\b|\s*$)"
)


def _cite_at(text: str, pos: int, anchored: bool) -> re.Match[str] | None:
    """The citation at ``pos`` (anchored) or the first after it, in its fuller form first."""
    found = [
        m
        for pattern in (_CITATION, _MENTION)
        if (m := (pattern.match(text, pos) if anchored else pattern.search(text, pos)))
    ]
    return min(found, key=lambda m: m.start()) if found else None


# "sebagaimana telah (beberapa kali) diubah(, beberapa kali)(, terakhir) dengan", in either order
_AMENDED = re.compile(
    r"\s*sebagaimana\s+telah\s+(?P<several>beberapa\s+kali\s+)?diubah,?\s*(?P<again>beberapa\s+kali,?\s*)?"
    r"(?P<last>terakhir\s+)?(?:dengan\s+)?",
    re.I,
)


@dataclass(frozen=True)
class Citation:
    """A regulation as another one cites it, with its amendments as cited after it."""

    regulation: RegulationId
    tentang: str
    promulgation: Promulgation
    amended_by: tuple[Citation, ...] = ()
    several: bool = False  # "sebagaimana telah beberapa kali diubah, terakhir dengan …"
    start: int = 0  # where the citation begins in the text read


def _one(m: re.Match[str]) -> Citation | None:
    index = next(i for i in range(len(_KINDS)) if m.group(f"k{i}"))
    _, short, regional = _KINDS[index]
    number, year = _number(m["num"]), _number(m["year"])
    if not number or not year or (regional and not m["place"]):
        return None
    try:
        reg = RegulationId.of(short, number, year, m["place"] if regional else None)
    except KeyError:
        return None
    tentang = " ".join((m["tentang"] or "").split())
    pub = m.groupdict().get("pub") or ""
    return Citation(reg, tentang, read_promulgation(pub))


def find_citations(text: str) -> list[Citation]:
    """Every regulation ``text`` cites with its number and year, each with the amendments
    cited right after it ("… sebagaimana telah diubah dengan …")."""
    out: list[Citation] = []
    pos = 0
    while m := _cite_at(text, pos, anchored=False):
        pos = m.end()
        cited = _one(m)
        if cited is None:
            continue
        amendments: list[Citation] = []
        several = False
        while (a := _AMENDED.match(text, pos)) and (n := _cite_at(text, a.end(), anchored=True)):
            several = several or bool(a["several"] or a["again"])
            pos = n.end()
            if (amendment := _one(n)) is not None:
                amendments.append(amendment)
        out.append(replace(cited, amended_by=tuple(amendments), several=several, start=m.start()))
    return out


def amendment_ordinal(tentang: str) -> int:
    """1 for "Perubahan atas …", 2 for "Perubahan Kedua atas …"; 0 when not an amendment."""
    m = re.match(r"Perubahan\s+(?:(\w+)\s+)?atas\b", tentang, re.I)
    if not m:
        return 0
    word = (m.group(1) or "").capitalize()
    return _ORDINALS.index(word) + 2 if word in _ORDINALS else 1
