"""Checking a user's draft against the law in the index (``kb periksa-draf``).

The draft's text is cut into sections at its headings (BAB, Pasal, Markdown headings,
short lines in capitals), each section's title being its own heading lines or, for a Pasal
without a title, the BAB it sits in. Each content element the law requires (the list items
of the contents ayat, read from the index) is looked for by method, not by a list of
phrases:

* lexically: the share of the element's distinctive terms (stemmed; terms that most
  elements share, like "kerja sama", tell none apart) found in a section's title;
* by the model the index is embedded with: the cosine between the element's wording and
  the section's title, and its title with body.

An element is present where a section matches it, "only a heading" when the matching
section holds no text of its own beyond placeholders, and missing otherwise; one section
may hold several elements ("HAK, KEWAJIBAN, DAN PENDANAAN").

The Mengingat is read with the citation parser of ``kb.promulgation``: a cited regulation
whose latest amendment (as the index knows it) is not cited with it is outdated; one that
an indexed regulation repealed is not in force; regulations cited anywhere in the draft that
the index does not hold are listed.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from kb.draft.basis import LawRegistry, chronological
from kb.draft.compose import Element, elements
from kb.draft.spec import KINDS, DraftKind
from kb.lexical import analyse
from kb.promulgation import find_citations

if TYPE_CHECKING:
    from kb.base import KnowledgeBase

Status = Literal["ada", "hanya judul", "tidak ada"]

# The model's vote for a section whose heading holds no element's own term, measured with
# the default e5 model on the sections of tests/drafts/ (bench/draft_check_bench.py): its
# cosines to the eight element names are compressed (0.80-0.93), and the nearest element is
# right when it leads the second by 0.021-0.054, wrong with leads up to 0.020. A vote needs
# a lead of 0.03: a renamed heading the model cannot tell ("OBJEK PERJANJIAN", "BIAYA") is
# reported missing, never a wrong element present.
MODEL_MARGIN = 0.03
MODEL_FLOOR = 0.80  # below any element name's cosine to a heading of the test drafts
# the Lampiran's own parts of every Peraturan Bersama: they hold no content element
FORM_HEADINGS = ("KETENTUAN UMUM", "KETENTUAN PERALIHAN", "KETENTUAN PENUTUP")
# the words of an untitled Pasal read as its title: its subject ("Ruang lingkup kerja sama ini
# adalah …", "Biaya pengelolaan pasar ditanggung …")
OPENING_WORDS = 4
# a section with fewer words than this, once placeholders are removed, holds only its title
MIN_CONTENT_WORDS = 4

_BAB = re.compile(r"^(?:#+\s*)?BAB\s+[IVXLC\d]+\b\.?\s*(?P<title>.*)$", re.I)
# a Bagian or Paragraf: its title (on the line, or the next) refines the BAB's for its Pasal
_PART = re.compile(r"^(?:#+\s*)?(?:Bagian\s+Ke\w+|Paragraf\s+\d+)\b\.?\s*(?P<title>.*)$", re.I)
_PASAL = re.compile(r"^(?:#+\s*)?PASAL\s+(?:\d+[A-Z]?|[IVXLC]+)\b\.?\s*(?P<title>.*)$", re.I)
_MD = re.compile(r"^#+\s+(?P<title>.+)$")
_NUMBERED_CAPS = re.compile(r"^(?:\d{1,2}|[A-Z])[.)]\s+(?P<title>[A-Z][A-Z ,/&-]{3,})$")
_PLACEHOLDER = re.compile(r"\[[^\]]*\]|[.…_]{3,}")
_DECIDES = re.compile(r"^\s*MEMUTUSKAN\b", re.M)
_BODY_START = re.compile(r"^\s*(?:#+\s*)?(?:BAB\s+I|PASAL\s+1)\b", re.I | re.M)


@dataclass
class Section:
    title: str
    body: list[str] = field(default_factory=list)
    bab: str = ""

    @property
    def heading(self) -> str:
        return self.title or self.bab

    def content_words(self) -> int:
        return len(_PLACEHOLDER.sub(" ", " ".join(self.body)).split())


@dataclass(frozen=True)
class ElementFinding:
    letter: str
    name: str
    status: Status
    section: str  # the heading it was found under ("" when missing)
    required_by: str  # "PP 43/2014 Pasal 143 ayat (4) huruf d"
    score: float


@dataclass(frozen=True)
class CitationFinding:
    regulation: str
    problem: str  # Indonesian, for the report
    latest_amendment: str = ""
    repealed_by: str = ""


@dataclass(frozen=True)
class DraftReport:
    kind: str
    elements: list[ElementFinding]
    outdated_citations: list[CitationFinding]
    not_in_force: list[CitationFinding]
    absent_from_index: list[str]
    form: dict[str, bool]
    contents_source: str

    @property
    def missing(self) -> list[str]:
        return [e.name for e in self.elements if e.status == "tidak ada"]

    @property
    def empty(self) -> list[str]:
        return [e.name for e in self.elements if e.status == "hanya judul"]

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "contents_source": self.contents_source,
            "present": [e.name for e in self.elements if e.status == "ada"],
            "missing": self.missing,
            "empty": self.empty,
            "elements": [asdict(e) for e in self.elements],
            "outdated_citations": [asdict(c) for c in self.outdated_citations],
            "not_in_force": [asdict(c) for c in self.not_in_force],
            "absent_from_index": self.absent_from_index,
            "form": self.form,
        }


def sections(text: str) -> list[Section]:
    """The draft's sections at its headings (see the module docstring)."""
    out: list[Section] = []
    bab = chapter = ""
    pending_bab = pending_part = False
    for raw in text.splitlines():
        line = raw.strip().strip("*").strip()
        if not line:
            continue
        if pending_part and len(line.split()) <= 8 and not line.endswith((".", ";", ":")):
            bab, pending_part = f"{chapter} {line}".strip(), False
            continue
        pending_part = False
        if m := _PART.match(line):
            bab = f"{chapter} {m['title'].strip()}".strip()
            pending_part = not m["title"].strip()
            continue
        if m := _BAB.match(line):
            bab, pending_bab = m["title"].strip(), not m["title"].strip()
            chapter = bab
            out.append(Section("", bab=bab))
            continue
        if m := _PASAL.match(line):
            out.append(Section(m["title"].strip(), bab=bab))
            continue
        heading = _MD.match(line) or _NUMBERED_CAPS.match(line)
        title = heading["title"].strip() if heading else ""
        awaiting = bool(out) and not out[-1].body and (pending_bab or not out[-1].title)
        if not title and _is_caps_title(line, min_words=1 if awaiting else 2):
            title = line
        if title and out and pending_bab and not out[-1].body:  # "BAB II" then its title line
            bab, pending_bab = title, False
            chapter = out[-1].bab = bab
            continue
        if title and out and not out[-1].title and not out[-1].body:  # "PASAL 3" then "MASA BERLAKU"
            out[-1].title = title
            continue
        if title:
            out.append(Section(title, bab=bab))
            continue
        if not out:
            out.append(Section(""))
        out[-1].body.append(line)
    return [s for s in out if s.heading or s.body]


def _is_caps_title(line: str, min_words: int = 2) -> bool:
    """A short line in capitals: a heading (one word is enough right after "Pasal 3")."""
    letters = [c for c in line if c.isalpha()]
    if not letters or not min_words <= len(line.split()) <= 10 or line.endswith((".", ";", ",")):
        return False
    return sum(c.isupper() for c in letters) / len(letters) > 0.9


def detect_kind(text: str) -> DraftKind:
    head = text[:600].upper()
    return (
        KINDS["perjanjian-bersama"]
        if "PERJANJIAN" in head and "PERATURAN BERSAMA" not in head
        else KINDS["peraturan-bersama"]
    )


def check_draft(
    kb: KnowledgeBase, registry: LawRegistry, text: str, kind: DraftKind | None = None
) -> DraftReport:
    """The report on a draft's text (see the module docstring)."""
    kind = kind or detect_kind(text)
    required, items = elements(kb, kind.contents)
    decides = _DECIDES.search(text)
    body_at = _BODY_START.search(text, decides.end() if decides else 0)
    body = text[body_at.start() :] if body_at else text
    found = _find_elements(
        kb, items, [s for s in sections(body) if "ketentuan umum" not in s.heading.lower()]
    )
    findings = [
        ElementFinding(
            e.letter,
            e.name,
            status,
            section,
            f"{required.citation} huruf {e.letter}",
            round(score, 3),
        )
        for e, (status, section, score) in zip(items, found, strict=True)
    ]
    end = decides.start() if decides else body_at.start() if body_at else len(text)
    # the Mengingat; a perjanjian in prose names its basis anywhere before its first Pasal
    basis = _part(text, "Mengingat", end) or text[:end]
    outdated, not_in_force = _mengingat(registry, basis)
    cited = {r for c in find_citations(text) for r in (c.regulation, *(a.regulation for a in c.amended_by))}
    absent = sorted(str(r) for r in cited if not (registry.known.get(r) and registry.known[r].indexed))
    return DraftReport(
        kind.key,
        findings,
        outdated,
        not_in_force,
        absent,
        _form(text, kind),
        required.citation if required.text else f"{kind.contents} (belum ada di basis pengetahuan)",
    )


def _part(text: str, name: str, end: int) -> str:
    m = re.search(rf"\b{name}\b", text[:end], re.I)
    return text[m.end() : end] if m else ""


def _own_terms(items: list[Element]) -> list[set[str]]:
    """Each element's terms that no other element's wording has ("jangka", "waktu"; not
    "kerja", "sama", nor "tata", "cara" which two elements share)."""
    terms = [set(analyse(e.name)) for e in items]
    share = Counter(t for ts in terms for t in ts)
    return [{t for t in ts if share[t] == 1} for ts in terms]


def _find_elements(
    kb: KnowledgeBase, items: list[Element], secs: list[Section]
) -> list[tuple[Status, str, float]]:
    """Per element: its status, the heading it was found under, and the evidence's score.

    A heading names an element when it holds one of that element's own terms (a merged
    heading names several). A section whose heading names none is placed by the model at
    the element nearest to it (its heading, or for an untitled Pasal its text), when that
    is near enough."""
    if not items:
        return []
    own = _own_terms(items)
    titles = [s.heading for s in secs]
    texts = [t or " ".join(s.body)[:1500] for t, s in zip(titles, secs, strict=True)]
    wanted = kb.embedder.embed_queries([e.name for e in items])
    near = wanted @ kb.embedder.embed_passages(texts).T if secs else np.zeros((len(items), 0))
    hits: dict[int, list[tuple[int, float]]] = {i: [] for i in range(len(items))}
    for j, title in enumerate(titles):
        # an untitled Pasal is named by its opening words ("Hak dan kewajiban: a. …")
        terms = set(analyse(title or " ".join(" ".join(secs[j].body).split()[:OPENING_WORDS])))
        named = [i for i, ts in enumerate(own) if ts & terms]
        if named:
            for i in named:
                hits[i].append((j, 1.0))
            continue
        best, second = np.argsort(-near[:, j])[:2]
        if near[best, j] >= MODEL_FLOOR and near[best, j] - near[second, j] >= MODEL_MARGIN:
            hits[int(best)].append((j, float(near[best, j])))
    out: list[tuple[Status, str, float]] = []
    for i in range(len(items)):
        if not hits[i]:
            out.append(("tidak ada", "", float(near[i].max()) if secs else 0.0))
            continue
        words = sum(secs[j].content_words() for j, _ in hits[i])
        j, score = max(hits[i], key=lambda h: h[1])
        out.append(
            (
                "ada" if words >= MIN_CONTENT_WORDS else "hanya judul",
                titles[j] or f"(Pasal tanpa judul: {texts[j][:60]}…)",
                score,
            )
        )
    return out


def _mengingat(registry: LawRegistry, part: str) -> tuple[list[CitationFinding], list[CitationFinding]]:
    outdated: list[CitationFinding] = []
    not_in_force: list[CitationFinding] = []
    for cited in find_citations(part):
        reg = cited.regulation
        if reg in registry.repealed:
            by = registry.repealed[reg]
            not_in_force.append(
                CitationFinding(
                    str(reg), f"{reg} telah dicabut oleh {by}; tidak berlaku lagi.", repealed_by=str(by)
                )
            )
            continue
        latest = registry.latest_amendment(reg)
        named = {a.regulation for a in cited.amended_by}
        if latest is not None and latest not in named:
            said = (
                f"disebut dengan perubahan sampai {max(named, key=chronological)}"
                if named
                else "disebut tanpa perubahannya"
            )
            outdated.append(
                CitationFinding(
                    str(reg),
                    f"{reg} {said}; perubahan terakhir yang tercatat: {latest}.",
                    latest_amendment=str(latest),
                )
            )
    return outdated, not_in_force


def _form(text: str, kind: DraftKind) -> dict[str, bool]:
    """The parts of the Lampiran's layout (Permendagri 111/2014 Lampiran II) the draft has."""
    head = "\n".join(text.splitlines()[:12]).upper()
    checks = {
        "judul": ("PERATURAN BERSAMA" in head or "PERJANJIAN" in head) and "TENTANG" in head,
        "menimbang": bool(re.search(r"\bMenimbang\b", text, re.I)),
        "mengingat": bool(re.search(r"\bMengingat\b", text, re.I)),
        "penutup": bool(re.search(r"mulai\s+berlaku|ditandatangani", text, re.I)),
    }
    if kind.key == "peraturan-bersama":
        checks["memutuskan"] = bool(re.search(r"\bMEMUTUSKAN\b|\bMenetapkan\b", text))
        checks["pengundangan"] = bool(re.search(r"Berita\s+Desa", text, re.I))
    return checks
