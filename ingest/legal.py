"""Parses Indonesian regulations along their legal structure.

A regulation (UU, PP, Perpres, Permen, Perda, Perbup, Perdes …) is read into its identity
(jenis, nomor, tahun, tentang → a canonical short id such as ``UU 6/2014``), its konsiderans
(Menimbang, Mengingat), the body as a sequence of Pasal with their BAB / Bagian / Paragraf
and ayat, and the Penjelasan (Umum, and Pasal demi Pasal attached to each Pasal).

Amending regulations ("Perubahan atas …") are recognised: their top-level articles are
Roman (Pasal I, Pasal II) and the Pasal quoted after "Ketentuan Pasal 149 diubah sehingga
berbunyi sebagai berikut:" is the new wording of Pasal 149 of the amended regulation,
recorded with ``amends``.

The parser is written for real texts, not ideal ones: a BAB heading glued to the end of the
previous Pasal, headings inline in OCR text ("… mufakat. Pasal 19 (l) Musyawarah …"), OCR
digits in numbers ("Pasal I", "Pasal 4l", "PasalT4", "Pasal 1 18", "2OI4"), and "(21" for
ayat "(2)". A heading is accepted only where the numbering sequence allows it, so a
reference inside a sentence ("sebagaimana dimaksud dalam Pasal 18") is never a heading.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from ingest.clean import PAGE_MARK, strip_marks
from kb.law import KIND_TABLE, RegulationId, display_case, pasal_key
from kb.legaltext import normalise_ayat_markers, split_ayat

# --- identity -------------------------------------------------------------------------

# (pattern on the upper-cased title block, short form, long form), in matching order
_JENIS = tuple((k.title, k.short, k.long) for k in KIND_TABLE)

_OCR_DIGITS = str.maketrans(
    {
        "O": "0",
        "o": "0",
        "D": "0",
        "I": "1",
        "l": "1",
        "|": "1",
        "L": "1",
        "i": "1",
        "T": "1",
        "S": "5",
        "s": "5",
        "Z": "2",
        "z": "2",
        "B": "8",
    }
)


def ocr_number(raw: str) -> str:
    """'2OI4' -> '2014', '4l' -> '41': digits misread by OCR, for nomor and tahun."""
    return raw.translate(_OCR_DIGITS)


@dataclass(frozen=True)
class Identity:
    """Who a regulation is: ``regulation`` is its canonical id, e.g. ``UU 6/2014``."""

    short: str
    jenis: str
    nomor: str
    tahun: str
    tentang: str
    regulation: str
    amends: str | None = None

    @property
    def title(self) -> str:
        return f"{self.jenis} Nomor {self.nomor} Tahun {self.tahun} tentang {self.tentang}"

    @property
    def legal_name(self) -> str:
        """As cited in legal writing: 'UU No. 6 Tahun 2014 tentang Desa'."""
        return f"{self.short} No. {self.nomor} Tahun {self.tahun} tentang {self.tentang}"


def _regulation_id(short: str, place: str | None, lvl: str | None, nomor: str, tahun: str) -> str:
    where = f"{lvl} {place}" if lvl and place else place
    return str(RegulationId.of(short, nomor, tahun, where))


_NOMOR_TAHUN = r"NOMOR\s+(?P<nomor>[0-9OoIlL|TSZ]{1,4})\s+TAHUN\s+(?P<tahun>[0-9OoIlL|TSZ]{4})"


def _find_jenis(block: str, start: int = 0) -> tuple[re.Match[str], str, str] | None:
    best: tuple[re.Match[str], str, str] | None = None
    for pattern, short, jenis in _JENIS:
        m = re.compile(pattern + r"\s+(?:REPUBLIK INDONESIA\s+)?" + _NOMOR_TAHUN).search(block, start)
        if m and (best is None or m.start() < best[0].start()):
            best = (m, short, jenis)
    return best


def parse_identity(text: str) -> Identity | None:
    """Read jenis, nomor, tahun and tentang from the title block; None if not a regulation."""
    head = re.sub(r"\s+", " ", strip_marks(text[:4000])).upper()
    # the identity stands in the title block, before the konsiderans: a title lost in the
    # scan must not be replaced by a regulation the Mengingat cites
    # ("Menimbang : a. bahwa …"; OCR may put the bare labels above the title)
    konsiderans = re.search(r"\bMENIMBANG\s*:?\s*(?:[A-Z1]\s?[.)]\s*)?BAHWA\b", head)
    head = head[: konsiderans.start()] if konsiderans else head
    head = head.replace("UNDANG- UNDANG", "UNDANG-UNDANG").replace("UNDANGUNDANG", "UNDANG-UNDANG")
    found = _find_jenis(head)
    if not found:
        return None
    m, short, jenis = found
    groups = m.groupdict()
    nomor = ocr_number(groups["nomor"]).lstrip("0") or "0"
    tahun = ocr_number(groups["tahun"])
    if not (nomor.isdigit() and tahun.isdigit() and 1945 <= int(tahun) <= 2100):
        return None
    rest = head[m.end() :]
    t = re.match(r"\s*TENTANG\s+(.+?)(?=\s+DENGAN RAHMAT|\s+MENIMBANG|\s+PRESIDEN REPUBLIK|$)", rest)
    tentang_raw = (t.group(1) if t else "").strip(" .,")[:300]
    place, lvl = groups.get("place"), groups.get("lvl")
    regulation = _regulation_id(short, place.strip() if place else None, lvl, nomor, tahun)
    amends = None
    a = re.match(r"PERUBAHAN(?:\s+\w+)?\s+ATAS\s+(.*)", tentang_raw)
    if a:
        target = _find_jenis(a.group(1))
        if target:
            tm, tshort, _ = target
            tg = tm.groupdict()
            tplace, tlvl = tg.get("place"), tg.get("lvl")
            amends = _regulation_id(
                tshort,
                tplace.strip() if tplace else None,
                tlvl,
                ocr_number(tg["nomor"]).lstrip("0") or "0",
                ocr_number(tg["tahun"]),
            )
        else:
            # "Perubahan atas Peraturan Daerah Nomor 8 Tahun 2023": same region as this one
            local = re.match(
                r"PERATURAN (DAERAH|BUPATI|WALI\s?KOTA|GUBERNUR|DESA)\s+" + _NOMOR_TAHUN, a.group(1)
            )
            if local and place:
                amends = regulation.rsplit(" ", 1)[0] + (
                    f" {ocr_number(local.group('nomor')).lstrip('0')}/{ocr_number(local.group('tahun'))}"
                )
    tentang = display_case(re.sub(r"\b(\d[\dOoIl]{3})\b", lambda x: ocr_number(x.group(1)), tentang_raw))
    return Identity(short, jenis, nomor, tahun, tentang, regulation, amends)


# --- structure ------------------------------------------------------------------------


@dataclass
class Article:
    """One Pasal of the body."""

    number: str  # "92", "5A", or Roman "I" for an amending regulation's own articles
    text: str  # the Pasal's content, without its heading
    bab: str = ""
    bagian: str = ""
    paragraf: str = ""
    page: int | None = None
    start: int = 0  # offset of the heading in the parsed text
    end: int = 0
    amends: str | None = None
    instruction: str = ""  # "Ketentuan Pasal 149 diubah sehingga berbunyi sebagai berikut:"
    penjelasan: str = ""  # what the Penjelasan says of it (CUKUP_JELAS when only that); "" if silent

    def ayat(self) -> list[tuple[str, str]]:
        """The ayat as (number, text); a Pasal without ayat gives one item with number ''."""
        return split_ayat(self.text)


@dataclass
class ParsedRegulation:
    identity: Identity
    konsiderans: str
    articles: list[Article]
    penjelasan_umum: str
    text: str  # the parsed text (with page marks); offsets refer to it
    warnings: list[str] = field(default_factory=list)

    def page_at(self, offset: int) -> int | None:
        m = PAGE_MARK.search(self.text, offset)
        return int(m.group(1)) if m else None


_ROMAN = re.compile(r"^[IVX]+$")
_PASAL = re.compile(
    r"Pa\.?[s5][aA][l1I]\s*(?P<num>[0-9IlOoT|]{1,3}(?: [0-9]{1,2}(?![0-9]))?[A-H]?)(?=[\s\ue000.,;:)]|$)"
)
_BAB = re.compile(
    r"(?:(?<=\n)|(?<=^)|(?<=[.;:]\s)|(?<=[.;:]))\s*[BR]AB\s+(?P<num>[IVXLC]+|\d{1,2})\b\s*(?:__)?\s*"
    r"(?P<title>[A-Z][A-Z0-9 ,/&'()\-\n]*?[A-Z)])(?=\s*(?:__)?\s*(?:\n|Bagian\b|Paragraf\b|Pa[s5]al\b|$))"
)
_BAGIAN = re.compile(
    r"(?:(?<=\n)|(?<=^)|(?<=[.;:]\s)|(?<=[A-Z]\s))Bagian\s+(?P<ord>Ke[a-zA-Z]+)\s+"
    r"(?P<title>[^\n]+?)(?=\s*(?:\n|Paragraf\b|Pa[s5]al\s*[0-9IlT]|$))"
)
_PARAGRAF = re.compile(
    r"(?:(?<=\n)|(?<=^)|(?<=[.;:]\s)|(?<=\w\s))Paragr\.?af\s+(?P<num>\d+|[a-z])\s+(?:Paragraf\s+\S+\s+)?"
    r"(?P<title>[^\n]+?)(?=\s*(?:\n|Pa[s5]al\s*[0-9IlT]))"
)
_INSTRUCTION = re.compile(
    r"(?:(?<=\n)|(?<=^)|(?<=[.;:]\s))\s*(?:\d{1,3}|[lI]{1,2}\d?)\s?\.\s?"
    r"(?P<ins>(?:Ketentuan|Di\s+antara|Penjelasan|Judul|Lampiran|Pasal|Bab|BAB|Bagian)\b"
    r"[^\n]*?(?:sebagai\s+berikut\s*:|dihapus\.|tercantum\s+dalam\s+penjelasan\.|"
    r"tercantum\s+dalam\s+lampiran[^\n]*?\.))",
)
_CLOSING = re.compile(r"Agar\s+setiap\s+orang\s+mengetahuinya|Ditetapkan\s+di\s+\w+")
_PENJELASAN = re.compile(r"PENJELASAN\s+ATAS\s+(?:UNDANG|PERATURAN)|(?:^|\n)\s*PENJELASAN\s*(?:\n|$)")
_PASAL_DEMI_PASAL = re.compile(r"PASA[LI1][,.]?\s+DEMI\s+PASA[LI1]", re.IGNORECASE)
_BODY_START = re.compile(r"MEMUTUSKAN\s*:?|Menetapkan\s*:")


def _number_candidates(raw: str) -> list[str]:
    """Readings of an OCR'd Pasal number: 'T4' -> ['74', '14'], 'l2IA' -> ['121A']."""
    raw = raw.replace(" ", "")
    suffix = ""
    if len(raw) > 1 and raw[-1] in "ABCDEFGH" and raw[-2] not in "ABCDEFGH":
        raw, suffix = raw[:-1], raw[-1]
    readings = [""]
    for ch in raw:
        options = {"I": "1", "l": "1", "|": "1", "O": "0", "o": "0"}.get(ch, ch)
        if ch == "T":
            options = "71"
        readings = [r + o for r in readings for o in options]
    return [r.lstrip("0") + suffix for r in readings if r.isdigit() and r.lstrip("0")]


def _line_context(text: str, start: int, end: int) -> tuple[str, str]:
    ls = text.rfind("\n", 0, start) + 1
    le = text.find("\n", end)
    le = len(text) if le < 0 else le
    return strip_marks(text[ls:start]).strip(), strip_marks(text[end:le]).strip()


def _heading_prefix_ok(before: str) -> bool:
    """Inline headings follow a sentence end or a structural title (BAB/Bagian/Paragraf)."""
    if not before:
        return True
    if re.search(r"[.;:'\"”]\s*$|__\s*$", before):
        return True
    return bool(re.search(r"(?:\b[BR]AB\s+\S+|Bagian\s+Ke\w+|Paragr\.?af\s+\S+)\s+.{2,}$", before))


def find_headings(text: str, amending: bool) -> list[tuple[re.Match[str], str]]:
    """Accepted Pasal headings in the body, in order, with their normalised numbers."""
    accepted: list[tuple[re.Match[str], str]] = []
    prev: tuple[int, str] = (0, "")
    prev_roman = 0
    last_end = 0
    for m in _PASAL.finditer(text):
        if m.start() < last_end:
            continue
        raw = m.group("num")
        before, after = _line_context(text, m.start(), m.end())
        standalone = not before and not after
        inline = _heading_prefix_ok(before) and bool(re.match(r"[A-Z(]|$", after))
        if not (standalone or inline):
            continue
        if amending and _ROMAN.match(raw.strip()):
            value = roman_value(raw.strip())
            if value == prev_roman + 1 and (standalone or inline):
                accepted.append((m, raw.strip()))
                prev_roman = value
                last_end = m.end()
            continue
        if amending:
            # inside "Pasal I" of an amending act, quoted Pasal follow an instruction;
            # their numbers rise but may jump (2, 4, 5A, 26 …)
            cands = [c for c in _number_candidates(raw) if pasal_key(c) > prev]
            ins_before = bool(
                re.search(
                    r"(?:sebagai\s+berikut\s*:|disisipkan[^\n]*:)\s*$",
                    strip_marks(text[max(0, m.start() - 200) : m.start()]),
                )
            )
            if not cands or not (standalone or ins_before):
                # a repeated heading at a page break ("Pasal 118" … "Pasal 1 18")
                continue
            chosen = min(cands, key=pasal_key)
        else:
            limit = 10 if standalone else 3
            cands = [
                c
                for c in _number_candidates(raw)
                if pasal_key(c) > prev and pasal_key(c)[0] <= prev[0] + limit
            ]
            if not accepted:
                cands = [c for c in cands if pasal_key(c)[0] == 1] or (
                    [c for c in cands if pasal_key(c)[0] <= 3] if standalone else []
                )
            if not cands:
                continue
            chosen = min(cands, key=pasal_key)
        accepted.append((m, chosen))
        prev = pasal_key(chosen)
        last_end = m.end()
    return accepted


# A heading as OCR garbles it, for filling gaps only: "Pa.sal", "PasaJ22", "Pasa722",
# "asal42", "Pasal-?O" (30), "Pasal 3-1" (34). Too loose to find headings on its own; between
# two accepted headings it can only be one of the numbers the sequence lacks.
_LOOSE_PASAL = re.compile(
    r"(?<![\w])(?:P\W?)?a\W?[s5$]\W?a\W?[l1I7J|!]?[\s\-]*(?P<num>[0-9IlOoT|?\-]{1,4}[A-H]?)"
    r"(?=[\s\ue000]+(?:\(|[A-Z]))"
)
# a "Pasal N" after these words is a reference ("sebagaimana dimaksud dalam Pasal 13 …")
_REFERENCE_BEFORE = re.compile(
    r"(?:dalam|pada|dengan|oleh|menurut|dan|atau|sampai|dimaksud|terhadap|ketentuan|berdasarkan|sesuai"
    r"|kecuali|[,/])\s*$",
    re.IGNORECASE,
)


def fill_gaps(text: str, headings: list[tuple[re.Match[str], str]]) -> list[tuple[re.Match[str], str]]:
    """Headings the strict pass missed, where the numbering sequence says one must be.

    Between accepted Pasal a and b (b > a + 1) the missing numbers are looked for with a
    loose, OCR-tolerant pattern: a match whose reading is a missing number is taken; matches
    that cannot be read are taken in order when their count equals the count still missing.
    A match after a reference word ("dalam", "pada", ",") is never a heading.
    """
    out = list(headings)
    for (m1, n1), (m2, n2) in itertools.pairwise(headings):
        lo, hi = pasal_key(n1)[0], pasal_key(n2)[0]
        if lo < 0 or hi - lo < 2:
            continue
        missing = list(range(lo + 1, hi))
        found: list[tuple[re.Match[str], str]] = []
        garbled: list[re.Match[str]] = []
        for m in _LOOSE_PASAL.finditer(text, m1.end(), m2.start()):
            if _REFERENCE_BEFORE.search(strip_marks(text[max(0, m.start() - 40) : m.start()])):
                continue
            readings = [c for c in _number_candidates(m.group("num")) if pasal_key(c)[0] in missing]
            taken = {pasal_key(n)[0] for _, n in found}
            readings = [c for c in readings if pasal_key(c)[0] not in taken]
            if found and readings:
                readings = [c for c in readings if pasal_key(c) > pasal_key(found[-1][1])]
            if readings:
                found.append((m, min(readings, key=pasal_key)))
            else:
                garbled.append(m)
        left = [n for n in missing if n not in {pasal_key(x)[0] for _, x in found}]
        if left and len(garbled) == len(left) and not found:
            found = [(m, str(n)) for m, n in zip(garbled, left, strict=True)]
        out.extend(found)
    return sorted(out, key=lambda h: h[0].start())


def roman_value(s: str) -> int:
    values = {"I": 1, "V": 5, "X": 10}
    total = 0
    for i, ch in enumerate(s):
        v = values[ch]
        total += -v if i + 1 < len(s) and values[s[i + 1]] > v else v
    return total


def _cut_headings(content: str) -> tuple[str, list[tuple[str, re.Match[str]]]]:
    """Cut BAB / Bagian / Paragraf headings out of a Pasal's tail; they open the next Pasal."""
    found: list[tuple[str, re.Match[str]]] = []
    for kind, rx in (("bab", _BAB), ("bagian", _BAGIAN), ("paragraf", _PARAGRAF)):
        found.extend((kind, m) for m in rx.finditer(content))
    if not found:
        return content, []
    found.sort(key=lambda x: x[1].start())
    return content[: found[0][1].start()], found


def _clean_title(s: str) -> str:
    return re.sub(r"\s+", " ", strip_marks(s)).strip(" _")


def parse_regulation(text: str, identity: Identity) -> ParsedRegulation:
    """Parse cleaned, reflowed regulation text (page marks allowed) into its structure."""
    warnings: list[str] = []
    amending = identity.amends is not None
    pj = _PENJELASAN.search(text, len(text) // 3)
    body_end = pj.start() if pj else len(text)
    bs = _BODY_START.search(text, 0, body_end)
    body_start = bs.end() if bs else 0
    headings = [h for h in find_headings(text[:body_end], amending) if h[0].start() >= body_start]
    if not amending:
        headings = fill_gaps(text[:body_end], headings)
    if not headings:
        warnings.append("Tidak ada Pasal yang dikenali; dokumen diproses sebagai teks biasa.")
    konsiderans = strip_marks(text[: body_start if bs else (headings[0][0].start() if headings else 0)])
    articles: list[Article] = []
    state = {"bab": "", "bagian": "", "paragraf": ""}
    # headings before the first Pasal (BAB I …)
    first = headings[0][0].start() if headings else body_end
    _, pre = _cut_headings(strip_marks(text[body_start:first]))
    _apply_headings(pre, state)
    current_roman_instr = ""
    for i, (m, number) in enumerate(headings):
        end = headings[i + 1][0].start() if i + 1 < len(headings) else body_end
        content = strip_marks(text[m.end() : end])
        closing = _CLOSING.search(content)
        if closing:
            content = content[: closing.start()]
        content, tail = _cut_headings(content)
        # a heading repeated at the top of the next page ("Pasal 118" … "Pasal 1 18")
        rep = re.match(r"\s*Pa[s5]a[l1I]\s*([0-9IlOT ]{1,6}[A-H]?)[ \t]*(?:\n|$)", content)
        if rep and number in _number_candidates(rep.group(1).strip()):
            content = content[rep.end() :]
        instruction = ""
        if amending:
            ins = list(_INSTRUCTION.finditer(content))
            if ins:
                # the quoted wording ends at the first amendment item after it ("10. Penjelasan
                # Pasal 48 diubah …"); the last item opens the next quoted Pasal
                instruction = _clean_title(ins[-1].group("ins"))
                content = content[: ins[0].start()]
        art = Article(
            number=number,
            text=normalise_ayat_markers(_tidy(content)),
            bab=state["bab"],
            bagian=state["bagian"],
            paragraf=state["paragraf"],
            page=None,
            start=m.start(),
            end=end,
            amends=identity.amends if amending and not _ROMAN.match(number) else None,
            instruction=current_roman_instr if amending and not _ROMAN.match(number) else "",
        )
        pm = PAGE_MARK.search(text, m.end())
        art.page = int(pm.group(1)) if pm else None
        articles.append(art)
        current_roman_instr = instruction
        _apply_headings(tail, state)
    penjelasan_umum = ""
    if pj:
        penjelasan_umum = _attach_penjelasan(text[pj.start() :], articles, amending)
    return ParsedRegulation(identity, _tidy(konsiderans), articles, penjelasan_umum, text, warnings)


def _apply_headings(found: list[tuple[str, re.Match[str]]], state: dict[str, str]) -> None:
    for kind, m in found:
        if kind == "bab":
            state["bab"] = f"BAB {m.group('num')} {_clean_title(m.group('title'))}"
            state["bagian"] = state["paragraf"] = ""
        elif kind == "bagian":
            state["bagian"] = f"Bagian {m.group('ord')} {_clean_title(m.group('title'))}"
            state["paragraf"] = ""
        else:
            state["paragraf"] = f"Paragraf {m.group('num')} {_clean_title(m.group('title'))}"


def _tidy(text: str) -> str:
    text = strip_marks(text)
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    return re.sub(r"\n{2,}", "\n", text).strip()


CUKUP_JELAS = "Cukup jelas."
_CUKUP_JELAS = re.compile(r"(?:(?:Ayat|Huruf|Angka)\s+\S+\s+)?Cuku\w*\s+je[l1]a\w*\.?", re.IGNORECASE)


def is_trivial_explanation(text: str) -> bool:
    """True when a Penjelasan says nothing beyond 'Cukup jelas'."""
    rest = _CUKUP_JELAS.sub(" ", text)
    rest = re.sub(r"\b(?:Ayat|Huruf|Angka)\s+\(?\w{1,3}\)?", " ", rest)
    return len(re.sub(r"[\W\d_]+", "", rest)) < 15


def _attach_penjelasan(text: str, articles: list[Article], amending: bool) -> str:
    """Split the Penjelasan into Umum and per-Pasal parts; attach the latter to articles."""
    dp = _PASAL_DEMI_PASAL.search(text)
    if not dp:
        return _tidy(text)
    umum = _tidy(text[: dp.start()])
    rest = text[dp.end() :]
    by_number = {a.number: a for a in articles if not _ROMAN.match(a.number)}
    prev: tuple[int, str] = (0, "")
    marks: list[tuple[int, int, str]] = []
    for m in _PASAL.finditer(rest):
        before, after = _line_context(rest, m.start(), m.end())
        if not (_heading_prefix_ok(before) or re.search(r"Angka\s+\S+\s*$", before)):
            continue
        if after and not re.match(r"[A-Z(]", after):
            continue
        cands = [c for c in _number_candidates(m.group("num")) if pasal_key(c) > prev]
        cands = [c for c in cands if c in by_number] or []
        if not cands:
            continue
        chosen = min(cands, key=pasal_key)
        marks.append((m.start(), m.end(), chosen))
        prev = pasal_key(chosen)
    for i, (_, end, number) in enumerate(marks):
        stop = marks[i + 1][0] if i + 1 < len(marks) else len(rest)
        body = _tidy(rest[end:stop])
        body = re.sub(r"\s*Angka\s+\d+\s*$", "", body)
        if amending:
            body = re.sub(r"\s*Pasal\s+I{1,3}\s*$", "", body)
        # a handout says "Penjelasan: Cukup jelas." where that is all the Penjelasan says
        by_number[number].penjelasan = CUKUP_JELAS if is_trivial_explanation(body) else body
    return umum
