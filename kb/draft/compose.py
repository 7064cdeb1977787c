"""Composing a draft from the law in the index.

A draft is a list of blocks (title lines, headings, Pasal, paragraphs, margin notes), laid
out after the model in the Lampiran of Permendagri 111/2014 and rendered to Markdown or
DOCX by the same list, so the two never differ. Every legal text in it is quoted from the
index with its citation; what the parties must write is a placeholder in square brackets;
what the index lacks is marked "[belum ada di basis pengetahuan: …]".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from kb.draft.basis import MISSING, BasisEntry, LawRegistry
from kb.draft.spec import Anchor, DraftKind
from kb.legaltext import split_ayat
from kb.naming import pasal_reference
from kb.query import regulation_year
from kb.types import SECTION_BODY, Hit

if TYPE_CHECKING:
    from kb.base import KnowledgeBase

BlockKind = Literal["title", "center", "heading", "pasal", "para", "item", "note", "quote", "sign", "break"]
ITEM_LINE = re.compile(r"^(?P<letter>[a-z])\.\s+(?P<text>.+)$")
_HEADING_LINE = re.compile(r"^Pasal\s+\d+[A-Z]?\s*$")


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str


@dataclass(frozen=True)
class Quote:
    """A Pasal or ayat as the index holds it (``text`` None: the index lacks it)."""

    anchor: Anchor
    citation: str  # "PP 43/2014 Pasal 143 ayat (4)", with its amendment when quoted from one
    text: str | None


@dataclass(frozen=True)
class Element:
    """One content element the law requires (an item of the contents ayat)."""

    letter: str
    name: str  # "jangka waktu", as the law words it
    required: Quote  # the contents ayat


@dataclass(frozen=True)
class Parties:
    desa: tuple[str, ...]
    kecamatan: str = ""
    kabupaten: str = ""
    pihak_ketiga: str = ""


@dataclass(frozen=True)
class Draft:
    kind: DraftKind
    parties: Parties
    bidang: str
    term: str
    mengingat: tuple[BasisEntry, ...]
    elements: tuple[Element, ...]
    blocks: tuple[Block, ...]
    checklist: tuple[tuple[str, Quote], ...]
    gaps: tuple[str, ...] = field(default=())  # what the index lacks, once each

    @property
    def title(self) -> str:
        return next(b.text for b in self.blocks if b.kind == "title")


def quote(kb: KnowledgeBase, anchor: Anchor) -> Quote:
    """The current wording of a Pasal (or one ayat) from the index: an amending act's
    wording when the index holds one, else the regulation's own."""
    reg = str(anchor.regulation)
    found = kb.store.find(any_of={"regulation": reg, "amends": reg}, pasal=anchor.pasal, section=SECTION_BODY)
    if not found:
        return Quote(anchor, str(anchor), None)
    by_doc: dict[tuple[str, str], list[Hit]] = {}
    for hit in found:
        p = hit.provenance
        by_doc.setdefault((p.regulation or "", p.source), []).append(hit)
    # the newest wording, then a text edition before an OCR'd copy
    (regulation, _), hits = max(
        by_doc.items(),
        key=lambda kv: (
            kv[0][0] != reg,
            regulation_year(kv[0][0]),
            -sum(h.provenance.ocr for h in kv[1]),
            kv[0][1] == min(k[1] for k in by_doc),
        ),
    )
    text = "\n".join(h.text for h in sorted(hits, key=lambda h: h.index))
    body = "\n".join(line for line in text.splitlines() if not _HEADING_LINE.match(line.strip())).strip()
    citation = str(anchor) + (f" sebagaimana diubah dengan {regulation}" if regulation != reg else "")
    if anchor.ayat:
        ayat = dict(split_ayat(body)).get(anchor.ayat)
        if ayat is None:
            return Quote(anchor, citation, None)
        body = ayat
    return Quote(anchor, citation, body)


def lettered_items(text: str) -> list[tuple[str, str]]:
    """An ayat's lettered list as (letter, item), without the item's closing "; dan"."""
    out = []
    for line in text.splitlines():
        if m := ITEM_LINE.match(line.strip()):
            out.append((m["letter"], re.sub(r"[;.,]?\s*(?:dan/atau|dan|atau)?\s*$", "", m["text"]).strip()))
    return out


def elements(kb: KnowledgeBase, contents: Anchor) -> tuple[Quote, list[Element]]:
    """The contents ayat and its list items as elements ("a", "ruang lingkup kerja sama")."""
    required = quote(kb, contents)
    return required, [Element(letter, name, required) for letter, name in lettered_items(required.text or "")]


def _placeholder(hint: str) -> str:
    return f"[{hint}]"


def _parties_line(parties: Parties) -> str:
    return " dan ".join(f"Desa {d}" for d in parties.desa) or _placeholder("nama Desa")


def compose(
    kb: KnowledgeBase,
    registry: LawRegistry,
    kind: DraftKind,
    parties: Parties,
    bidang: str = "",
    term: str = "",
) -> Draft:
    """The draft of ``kind`` for ``parties`` (see the module docstring)."""
    gaps: list[str] = []
    mengingat = tuple(registry.mengingat(kind.basis))
    for entry in mengingat:
        gaps.extend(entry.gaps)
    required, items = elements(kb, kind.contents)
    if not items:
        gaps.append(str(kind.contents))
    guidance = {letter: [quote(kb, a) for a in anchors] for letter, anchors in kind.guidance}
    subject = bidang or _placeholder("bidang kerja sama")
    required_by = [
        f"{pasal_reference(a.pasal, a.ayat)} {registry.name(a.regulation)}" for a in kind.required_by
    ]
    blocks = _front(kind, parties, subject, mengingat, required_by)
    number = 1
    blocks += [
        Block("heading", "BAB I\nKETENTUAN UMUM"),
        Block("pasal", f"Pasal {number}"),
        Block("para", f"Dalam {_short(kind)} ini yang dimaksud dengan:"),
        Block("item", _placeholder("istilah dan pengertiannya, satu per butir")),
    ]
    for bab, element in enumerate(items, 2):
        number += 1
        blocks += [
            Block("heading", f"BAB {_roman(bab)}\n{element.name.upper()}"),
            Block("pasal", f"Pasal {number}"),
        ]
        blocks += _element_body(element, parties, bidang, term)
        for q in guidance.get(element.letter, []):
            if q.text is None:
                gaps.append(q.citation)
                blocks.append(Block("note", f"Ketentuan terkait: [{MISSING}: {q.citation}]"))
            else:
                blocks += [Block("note", f"Ketentuan yang berlaku ({q.citation}):"), Block("quote", q.text)]
        blocks.append(
            Block(
                "note", f"Wajib dimuat menurut {required.citation} huruf {element.letter}: “{element.name}”."
            )
        )
    blocks += _closing(kind, parties, number + 1, len(items) + 2)
    checklist = tuple((step.label, quote(kb, step.anchor)) for step in kind.steps)
    gaps += [q.citation for _, q in checklist if q.text is None]
    return Draft(
        kind,
        parties,
        bidang,
        term,
        mengingat,
        tuple(items),
        tuple(blocks),
        checklist,
        tuple(dict.fromkeys(gaps)),
    )


def _short(kind: DraftKind) -> str:
    return "Peraturan Bersama" if kind.key == "peraturan-bersama" else "Perjanjian Bersama"


def _element_body(element: Element, parties: Parties, bidang: str, term: str) -> list[Block]:
    """The parties' text for an element: a placeholder, with what the user gave filled in."""
    name = element.name
    if element.letter == "b" and bidang:
        return [Block("para", f"{name[0].upper()}{name[1:]}: {bidang}.")]
    if element.letter == "d" and term:
        return [
            Block("para", f"{name[0].upper()}{name[1:]}: {term}, " + _placeholder("terhitung sejak …") + ".")
        ]
    who = _parties_line(parties) + (f" dan {parties.pihak_ketiga}" if parties.pihak_ketiga else "")
    return [Block("para", _placeholder(f"uraikan {name} yang disepakati {who}"))]


def _front(
    kind: DraftKind,
    parties: Parties,
    subject: str,
    mengingat: Sequence[BasisEntry],
    required_by: Sequence[str],
) -> list[Block]:
    desa = parties.desa or (_placeholder("nama Desa"),)
    kabupaten = parties.kabupaten or _placeholder("nama Kabupaten/Kota")
    topic = f"KERJA SAMA DESA DALAM BIDANG {subject.upper()}"
    blocks = [Block("center", f"KABUPATEN {kabupaten.upper()}")]
    heads = " DAN ".join(f"KEPALA DESA {d.upper()}" for d in desa)
    if kind.key == "peraturan-bersama":
        blocks += [
            Block("title", f"PERATURAN BERSAMA {heads}"),
            *[Block("center", "NOMOR … TAHUN …") for _ in desa],
            Block("center", "TENTANG"),
            Block("center", topic),
            Block("center", "DENGAN RAHMAT TUHAN YANG MAHA ESA"),
            Block("center", f"{heads},"),
        ]
    else:
        third = parties.pihak_ketiga or _placeholder("nama pihak ketiga")
        blocks += [
            Block(
                "title", f"PERJANJIAN BERSAMA ANTARA PEMERINTAH DESA {desa[0].upper()} DAN {third.upper()}"
            ),
            Block("center", "NOMOR … TAHUN …"),
            Block("center", "TENTANG"),
            Block("center", topic),
        ]
    basis = " dan ".join(required_by)
    blocks += [
        Block("para", "Menimbang :"),
        Block(
            "item",
            "a. bahwa "
            + _placeholder("pertimbangan kebutuhan dan manfaat kerja sama bagi masyarakat Desa")
            + ";",
        ),
        Block(
            "item",
            f"b. bahwa berdasarkan pertimbangan sebagaimana dimaksud dalam huruf a dan untuk melaksanakan "
            f"ketentuan {basis}, perlu menetapkan {kind.title} tentang Kerja Sama Desa dalam Bidang {subject};",
        ),
        Block("para", "Mengingat :"),
    ]
    for n, entry in enumerate(mengingat, 1):
        end = "." if n == len(mengingat) else ";"
        blocks.append(Block("item", f"{n}. {entry.text}{end}"))
    title = f"PERATURAN BERSAMA {heads}" if kind.key == "peraturan-bersama" else kind.title.upper()
    blocks += [
        Block("center", "MEMUTUSKAN:"),
        Block("para", f"Menetapkan : {title} TENTANG {topic}."),
    ]
    return blocks


def _closing(kind: DraftKind, parties: Parties, pasal: int, bab: int) -> list[Block]:
    desa = parties.desa or (_placeholder("nama Desa"),)
    short = _short(kind)
    blocks = [Block("heading", f"BAB {_roman(bab)}\nKETENTUAN PENUTUP"), Block("pasal", f"Pasal {pasal}")]
    if kind.key == "peraturan-bersama":
        berita = " dan ".join(f"Berita Desa {d}" for d in desa)
        blocks += [
            Block("para", f"{short} ini mulai berlaku pada tanggal diundangkan."),
            Block(
                "para",
                f"Agar setiap orang mengetahuinya, memerintahkan pengundangan {short} ini dengan "
                f"penempatannya dalam {berita}.",
            ),
            Block("sign", "Ditetapkan di … pada tanggal …"),
            *[
                Block("sign", f"KEPALA DESA {d.upper()},\n\n{_placeholder('nama tanpa gelar dan pangkat')}")
                for d in desa
            ],
            *[
                Block(
                    "sign",
                    f"Diundangkan di … pada tanggal …\nSEKRETARIS DESA {d.upper()},\n\n{_placeholder('nama')}",
                )
                for d in desa
            ],
            *[Block("center", f"BERITA DESA {d.upper()} TAHUN … NOMOR …") for d in desa],
        ]
    else:
        third = parties.pihak_ketiga or _placeholder("nama pihak ketiga")
        blocks += [
            Block("para", f"{short} ini berlaku sejak ditandatangani oleh para pihak."),
            Block("sign", f"KEPALA DESA {desa[0].upper()},\n\n{_placeholder('nama')}"),
            Block("sign", f"{third.upper()},\n\n{_placeholder('nama dan jabatan')}"),
        ]
    return blocks


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + letters, n - value
    return out
