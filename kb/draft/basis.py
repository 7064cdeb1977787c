"""The legal basis of a draft (its Mengingat), read from the index.

For each regulation a draft rests on, what the index knows of it, gathered from three
places and never from memory:

* the regulation itself when indexed: its title (``tentang``) and the Lembaran / Berita
  Negara numbers of its own closing (``kb.promulgation``, read at ingest);
* every indexed Mengingat that cites it: its citation form, its numbers, and the amendments
  cited after it ("… sebagaimana telah diubah dengan …");
* the regulations that amend it: an indexed one whose title is "Perubahan … atas" it, or
  one the regulation pack lists as amending it (named only: an amendment the index does not
  hold is marked in the draft, not written out).

Numbers that several texts give are taken by majority; a number no text gives stays missing
and the draft says so.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kb.law import RegulationId
from kb.promulgation import Citation, Promulgation, amendment_ordinal, find_citations
from kb.repeal import REPEAL_WORD, repealed_in
from kb.types import SECTION_BODY, SECTION_PREAMBLE, Hit

if TYPE_CHECKING:
    from kb.base import KnowledgeBase

MISSING = "belum ada di basis pengetahuan"


@dataclass
class Known:
    """What the index says of one regulation."""

    regulation: RegulationId
    indexed: bool = False
    tentang: Counter[str] = field(default_factory=Counter)
    ln: Counter[tuple[int, int]] = field(default_factory=Counter)
    tln: Counter[int] = field(default_factory=Counter)
    bn: Counter[tuple[int, int]] = field(default_factory=Counter)
    amended_by: set[RegulationId] = field(default_factory=set)
    several: bool = False  # a citation says "beberapa kali diubah"

    def learn(self, tentang: str, promulgation: Promulgation, weight: int = 1) -> None:
        if tentang:
            self.tentang[tentang] += weight
        if promulgation.ln:
            self.ln[promulgation.ln] += weight
        if promulgation.tln:
            self.tln[promulgation.tln] += weight
        if promulgation.bn:
            self.bn[promulgation.bn] += weight

    @property
    def citable(self) -> bool:
        """Indexed, or cited in full by an indexed regulation."""
        return self.indexed or bool(self.title)

    @property
    def title(self) -> str:
        return self.tentang.most_common(1)[0][0] if self.tentang else ""

    @property
    def promulgation(self) -> Promulgation:
        def top(c: Counter[Any]) -> Any:
            return c.most_common(1)[0][0] if c else None

        return Promulgation(top(self.ln), top(self.tln), top(self.bn))

    def name(self) -> str:
        """'Undang-Undang Nomor 6 Tahun 2014 tentang Desa'."""
        r = self.regulation
        place = f" {r.place}" if r.place else ""
        text = f"{r.long_kind}{place} Nomor {r.number} Tahun {r.year}"
        return f"{text} tentang {self.title}" if self.title else text

    def citation_form(self) -> str:
        """'Undang-Undang Nomor 6 Tahun 2014 tentang Desa (Lembaran Negara …)'."""
        text = self.name()
        published = self.promulgation.legal_form()
        if published:
            return f"{text} {published}"
        return f"{text} [{MISSING}: nomor Lembaran/Berita Negara]"


@dataclass(frozen=True)
class BasisEntry:
    """One item of a Mengingat: the regulation, as amended, in citation form."""

    regulation: RegulationId
    text: str
    indexed: bool
    amendments: tuple[RegulationId, ...] = ()
    gaps: tuple[str, ...] = ()  # what the index lacks, each said in the text too


class LawRegistry:
    """Everything the index says about regulations as cited and amended (see the module
    docstring). ``amending`` names (amendment, amended) pairs the regulation pack lists."""

    def __init__(
        self, known: dict[RegulationId, Known], repealed: dict[RegulationId, RegulationId] | None = None
    ) -> None:
        self.known = known
        self.repealed = repealed or {}  # regulation -> the indexed regulation that repealed it

    @classmethod
    def build(
        cls,
        indexed: Iterable[tuple[RegulationId, str, Promulgation]],
        preambles: Sequence[Hit],
        amending: Iterable[tuple[RegulationId, RegulationId]] = (),
        repeals: Sequence[Hit] = (),
    ) -> LawRegistry:
        known: dict[RegulationId, Known] = {}

        def of(reg: RegulationId) -> Known:
            return known.setdefault(reg, Known(reg))

        for reg, tentang, promulgation in indexed:
            k = of(reg)
            k.indexed = True
            # a regulation's own title and closing outweigh any number of citations of it
            k.learn(tentang, promulgation, weight=100)
        for hit in preambles:
            for cited in find_citations(hit.text):
                if cited.regulation == _regulation(hit):
                    continue  # its own title block
                _learn(of, cited)
        for reg in list(known):  # an indexed "Perubahan … atas X" amends X
            k = known[reg]
            if k.indexed and amendment_ordinal(k.title):
                for cited in find_citations(k.title):
                    of(cited.regulation).amended_by.add(reg)
                    if amendment_ordinal(k.title) > 1:
                        of(cited.regulation).several = True
        for amendment, amended in amending:
            of(amended).amended_by.add(amendment)
        repealed: dict[RegulationId, RegulationId] = {}
        for hit in repeals:
            by = _regulation(hit)
            for reg, pasal in repealed_in(hit.text):
                if pasal is None and by is not None and reg != by:  # the whole regulation
                    repealed[reg] = by
        return cls(known, repealed)

    def entry(self, regulation: RegulationId) -> BasisEntry:
        """The Mengingat item of ``regulation``, its amendments up to the last one known."""
        k = self.known.get(regulation)
        if k is None or not k.citable:
            return BasisEntry(regulation, f"[{MISSING}: {regulation}]", False, gaps=(str(regulation),))
        gaps: list[str] = []
        text = k.citation_form()
        if not k.promulgation:
            gaps.append(f"nomor Lembaran/Berita Negara {regulation}")
        amendments = tuple(sorted(k.amended_by, key=chronological))
        if amendments:
            last = amendments[-1]
            several = len(amendments) > 1 or k.several or amendment_ordinal(self._title(last)) > 1
            lead = (
                "sebagaimana telah beberapa kali diubah, terakhir dengan"
                if several
                else "sebagaimana telah diubah dengan"
            )
            last_known = self.known.get(last)
            if last_known and last_known.citable:
                text += f" {lead} {last_known.citation_form()}"
                if not last_known.promulgation:
                    gaps.append(f"nomor Lembaran/Berita Negara {last}")
            else:  # named by its number only: its title and numbers are not in the index
                text += f" {lead} {Known(last).name()} [{MISSING}: {last}]"
                gaps.append(str(last))
        return BasisEntry(regulation, text, k.indexed, amendments, tuple(gaps))

    def name(self, regulation: RegulationId) -> str:
        """The regulation's name in legal form, as far as the index knows it."""
        return (self.known.get(regulation) or Known(regulation)).name()

    def _title(self, regulation: RegulationId) -> str:
        k = self.known.get(regulation)
        return k.title if k else ""

    def latest_amendment(self, regulation: RegulationId) -> RegulationId | None:
        k = self.known.get(regulation)
        if not k or not k.amended_by:
            return None
        return max(k.amended_by, key=chronological)

    def mengingat(self, regulations: Iterable[RegulationId]) -> list[BasisEntry]:
        """The entries in the order of the hierarchy of norms, then by year and number."""
        ordered = sorted(set(regulations), key=lambda r: (r.level, r.year, r.number))
        return [self.entry(r) for r in ordered]


def chronological(regulation: RegulationId) -> tuple[int, int]:
    """The order in which amendments follow each other: by year, then number."""
    return (regulation.year, regulation.number)


def _regulation(hit: Hit) -> RegulationId | None:
    return RegulationId.parse(hit.provenance.regulation or "")


def _learn(of: Callable[[RegulationId], Known], cited: Citation) -> None:
    known = of(cited.regulation)
    known.learn(cited.tentang if cited.promulgation else "", cited.promulgation)
    if cited.amended_by:
        known.several = known.several or cited.several or len(cited.amended_by) > 1
    for amendment in cited.amended_by:
        known.amended_by.add(amendment.regulation)
        _learn(of, amendment)


def registry_from_index(
    kb: KnowledgeBase, amending: Iterable[tuple[RegulationId, RegulationId]] = ()
) -> LawRegistry:
    """The registry of a knowledge base: its documents and every konsiderans chunk."""
    preambles = kb.store.find(section=SECTION_PREAMBLE)
    repeals = kb.store.containing(REPEAL_WORD, section=SECTION_BODY)
    first: dict[str, Hit] = {}
    for hit in sorted(preambles, key=lambda h: (h.provenance.source, h.index)):
        first.setdefault(hit.provenance.source, hit)
    indexed: dict[RegulationId, tuple[RegulationId, str, Promulgation]] = {}
    for doc in kb.documents():
        reg = RegulationId.parse(doc.regulation or "")
        if reg is None:
            continue
        head = first.get(doc.source)
        meta = head.metadata if head else {}
        tentang = str(meta.get("tentang") or "")
        promulgation = Promulgation.from_metadata(meta)
        old = indexed.get(reg)
        if old is None or (promulgation and not old[2]):
            indexed[reg] = (reg, tentang, promulgation.merged(old[2]) if old else promulgation)
    return LawRegistry.build(indexed.values(), preambles, amending, repeals)


def pack_amendments(regulations: Iterable[tuple[str, str, str]]) -> list[tuple[RegulationId, RegulationId]]:
    """(amendment, amended) pairs of the regulation pack: each "amending" entry (id, title,
    role) whose title is "… tentang Perubahan … atas <regulation>"."""
    out = []
    for rid, title, role in regulations:
        amendment = RegulationId.parse(rid)
        if role != "amending" or amendment is None:
            continue
        for cited in find_citations(title):
            if amendment_ordinal(cited.tentang):
                out += [(amendment, target.regulation) for target in find_citations(cited.tentang)]
    return out
