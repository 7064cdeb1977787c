"""What the law requires of each kind of cooperation document, by reference to the Pasal
that say so. Only references live here; every word a draft quotes is read from the index
at drafting time, and a reference the index cannot resolve is marked in the draft.

Sources: UU 6/2014 Pasal 92-93 (what cooperation is and where it is written down), PP 43/2014
Pasal 143-148 (the document's minimum content, facilitation, change, end and disputes),
Permendagri 111/2014 Pasal 21-26 and Lampiran II (how a Peraturan Bersama Kepala Desa is
planned, drafted, signed, promulgated and laid out).
"""

from __future__ import annotations

from dataclasses import dataclass

from kb.law import RegulationId
from kb.naming import pasal_reference


@dataclass(frozen=True)
class Anchor:
    """A Pasal (or one ayat of it) of a regulation."""

    regulation: RegulationId
    pasal: str
    ayat: str | None = None

    def __str__(self) -> str:
        return f"{self.regulation} {pasal_reference(self.pasal, self.ayat)}"


@dataclass(frozen=True)
class Step:
    """One step of the procedure: a short label and the Pasal that prescribes it."""

    label: str
    anchor: Anchor


@dataclass(frozen=True)
class DraftKind:
    key: str  # the CLI's name: "peraturan-bersama"
    title: str  # "Peraturan Bersama Kepala Desa"
    required_by: tuple[Anchor, ...]  # the Pasal that require this document
    contents: Anchor  # the ayat whose list is the minimum content (one element per item)
    # the law that gives an element's content, by the element's letter in ``contents``
    guidance: tuple[tuple[str, tuple[Anchor, ...]], ...]
    basis: tuple[RegulationId, ...]  # what the document rests on (its Mengingat)
    steps: tuple[Step, ...]
    form: str  # where the layout comes from


def _a(regulation: str, pasal: str, ayat: str | None = None) -> Anchor:
    reg = RegulationId.parse(regulation)
    assert reg is not None, regulation
    return Anchor(reg, pasal, ayat)


def _r(regulation: str) -> RegulationId:
    reg = RegulationId.parse(regulation)
    assert reg is not None, regulation
    return reg


_CONTENTS = _a("PP 43/2014", "143", "4")
_GUIDANCE_COMMON = (
    ("g", (_a("PP 43/2014", "145"), _a("PP 43/2014", "146"), _a("PP 43/2014", "147"))),
    ("h", (_a("PP 43/2014", "148"),)),
)
_BASIS = (
    _r("UU 6/2014"),
    _r("UU 23/2014"),
    _r("PP 43/2014"),
    _r("Permendagri 111/2014"),
    _r("Permendagri 96/2017"),
)

KINDS: dict[str, DraftKind] = {
    "peraturan-bersama": DraftKind(
        key="peraturan-bersama",
        title="Peraturan Bersama Kepala Desa",
        required_by=(_a("UU 6/2014", "92", "2"), _a("PP 43/2014", "143", "2")),
        contents=_CONTENTS,
        guidance=(
            ("b", (_a("UU 6/2014", "92", "1"),)),
            ("c", (_a("UU 6/2014", "92", "3"), _a("PP 43/2014", "144"))),
            *_GUIDANCE_COMMON,
        ),
        basis=_BASIS,
        steps=(
            Step("Musyawarah antar-Desa menyepakati kerja sama", _a("UU 6/2014", "92", "2")),
            Step("Rekomendasi musyawarah desa untuk perencanaan", _a("Permendagri 111/2014", "21", "2")),
            Step("Penyusunan oleh Kepala Desa pemrakarsa", _a("Permendagri 111/2014", "22")),
            Step("Konsultasi kepada masyarakat desa dan camat", _a("Permendagri 111/2014", "23", "1")),
            Step("Pembahasan oleh para Kepala Desa", _a("Permendagri 111/2014", "24")),
            Step("Fasilitasi oleh camat", _a("PP 43/2014", "143", "5")),
            Step("Penandatanganan", _a("Permendagri 111/2014", "25", "1")),
            Step("Pengundangan dalam Berita Desa", _a("Permendagri 111/2014", "25", "2")),
            Step("Mulai berlaku", _a("Permendagri 111/2014", "25", "3")),
            Step("Penyebarluasan", _a("Permendagri 111/2014", "26")),
        ),
        form="Permendagri 111/2014 Lampiran II",
    ),
    "perjanjian-bersama": DraftKind(
        key="perjanjian-bersama",
        title="Perjanjian Bersama",
        required_by=(_a("PP 43/2014", "143", "3"),),
        contents=_CONTENTS,
        guidance=(("b", (_a("UU 6/2014", "93", "1"),)), *_GUIDANCE_COMMON),
        basis=_BASIS,
        steps=(
            Step("Musyawarah Desa membahas kerja sama dengan pihak ketiga", _a("UU 6/2014", "93", "2")),
            Step("Fasilitasi oleh camat", _a("PP 43/2014", "143", "5")),
            Step("Perubahan atau berakhirnya kerja sama dimusyawarahkan", _a("PP 43/2014", "145")),
        ),
        form="Permendagri 111/2014 Lampiran II (susunan), sebagai perjanjian para pihak",
    ),
}
