"""Removes page furniture and repairs line structure before legal parsing.

Furniture is whatever repeats on the pages of an official document without being part of
its text: the running header "PRESIDEN / REPUBLIK INDONESIA" (also as OCR variants such as
"FRESIDEN" or "REPUELIK"), "SALINAN", page numbers ("- 12 -", "-2-"), the "SK No 177558 A"
stamps of the State Secretariat, catchwords at the foot of a page ("Pasal 5. . ."), and
e-signature footers repeated on every page.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Sequence

from kb.types import Page

_PAGE_NUMBER = re.compile(r"^\s*[-–—]?\s*\d{1,4}\s*[-–—]\s*$|^\s*[-–—]\s*\d{1,4}\s*[-–—]?\s*$")
_HALAMAN = re.compile(r"^\s*(?:halaman|hal\.?)\s*\d+(\s*(?:dari|/)\s*\d+)?\s*$", re.IGNORECASE)
# "SK No 177558 A", "SK No255262A", OCR "SK I{o 086398 A"; also when glued inside a line.
_SK_STAMP = re.compile(r"\bS[KlI1][(\{]?\s?(?:No|N0|I\{o|l\{o|Nc)\.?\s?[\dlIO]{5,7}\s?[A-Z]?\b")
# Catchword: the first words of the next page repeated at the foot, ending in ". . ." / "...".
_CATCHWORD = re.compile(r"^.{0,60}\w\s?(?:\.\s?){3}\s*$")
_KNOWN_HEADERS = ("PRESIDEN", "REPUBLIK INDONESIA", "PRESIDEN REPUBLIK INDONESIA", "SALINAN")
_RUNNING_TITLE = re.compile(r"^(?:WALI\s?KOTA|BUPATI|GUBERNUR)\s+[A-Z][A-Z .'-]{2,40}$")
_SOFT_HYPHEN = "\u00ad"

# Page marks: "\ue000N\ue001" is appended after the text of page N, so positions in the
# joined, reflowed text can be mapped back to pages (private-use characters never occur in
# the documents themselves).
PAGE_MARK = re.compile("\ue000(\\d+)\ue001")


def page_mark(number: int) -> str:
    return f"\ue000{number}\ue001"


def strip_marks(text: str) -> str:
    return PAGE_MARK.sub("", text)


def _looks_like_known_header(line: str) -> bool:
    s = line.strip()
    if not s or len(s) > 40 or s.endswith(","):
        return False
    up = re.sub(r"[^A-Z ]", "", s.upper()).strip()
    if not up:
        return False
    return any(
        abs(len(up) - len(h)) <= 3 and difflib.SequenceMatcher(None, up, h).ratio() >= 0.75
        for h in _KNOWN_HEADERS
    )


def is_furniture_line(line: str) -> bool:
    """A line that is page furniture wherever it stands."""
    s = line.strip()
    if not s:
        return False
    return bool(
        _PAGE_NUMBER.match(s) or _HALAMAN.match(s) or _SK_STAMP.fullmatch(s) or _looks_like_known_header(s)
    )


def _norm_key(line: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", " ", line.strip().lower()))


def repeated_lines(pages: Sequence[Page], edge: int = 5) -> set[str]:
    """Keys of lines that stand near the top or bottom of most pages (headers, footers)."""
    if len(pages) < 3:
        return set()
    counts: Counter[str] = Counter()
    for page in pages:
        lines = [ln for ln in page.text.splitlines() if ln.strip()]
        counts.update({_norm_key(ln) for ln in lines[:edge] + lines[-edge:]})
    threshold = max(3, int(0.5 * len(pages)))
    return {key for key, n in counts.items() if n >= threshold and len(key) > 1}


def clean_page_text(text: str, repeated: set[str] | None = None) -> str:
    """Drop furniture lines, stamps and catchwords from one page's text."""
    repeated = repeated or set()
    text = text.replace(_SOFT_HYPHEN, "").replace("\r\n", "\n").replace("\r", "\n")
    text = _SK_STAMP.sub(" ", text)
    text = re.sub(r"\^(?=\S)", "", text)  # stray OCR carets: "^Pasal"
    text = re.sub(r"\s__\s|\s__$|^__\s", "\n", text, flags=re.MULTILINE)
    lines = text.split("\n")
    furniture = [is_furniture_line(ln) or bool(repeated and _norm_key(ln) in repeated) for ln in lines]
    kept: list[str] = []
    for i, line in enumerate(lines):
        if furniture[i]:
            continue
        # a catchword inside a text (pages not separated): right before a page's furniture
        nxt = next((j for j in range(i + 1, len(lines)) if lines[j].strip()), None)
        if nxt is not None and furniture[nxt] and _CATCHWORD.match(line.strip()):
            continue
        if _RUNNING_TITLE.match(line.strip()) and repeated and _norm_key(line) in repeated:
            continue
        kept.append(line.rstrip())
    # a catchword is the last non-empty line of a page
    while kept and not kept[-1].strip():
        kept.pop()
    if kept and _CATCHWORD.match(kept[-1].strip()):
        kept.pop()
    return "\n".join(kept)


def clean_pages(pages: Sequence[Page]) -> list[Page]:
    """Remove furniture from every page, including lines repeated across pages."""
    repeated = repeated_lines(pages)
    return [Page(p.number, clean_page_text(p.text, repeated)) for p in pages]


# --- reflow ---------------------------------------------------------------------------

_BLOCK_START = re.compile(
    r"^\s*(?:"
    r"BAB\s+[IVXLC\d]+\b"
    r"|Bagian\s+Ke\w+"
    r"|Paragraf\s+\d+"
    r"|Pasal\s*[0-9IlOT|]{1,4}(?:\s\d{1,2})?[A-Z]?\s*$"
    r"|\(\s?\d{1,2}\s?[)1l]\s"
    r"|[a-z]\s?[.)]\s"
    r"|\d{1,3}\s?[.)]\s"
    r"|Menimbang|Mengingat|Memperhatikan|MEMUTUSKAN|Menetapkan|PENJELASAN|#"
    r"|[IVX]+\.\s"
    r")"
)
_ENDS_SENTENCE = re.compile(r"[.;:!?]\s*$|^\s*$")


def dehyphenate(text: str) -> str:
    """Join words broken across line ends: "pemba-\\nngunan" -> "pembangunan"."""
    return re.sub(r"(\w)-\n(?=[a-z])", r"\1", text)


def reflow(text: str) -> str:
    """Join hard-wrapped lines back into paragraphs.

    A line is joined to the one before it unless it starts a structural block (BAB, Bagian,
    Pasal heading, ayat, huruf or angka item) or the line before ended a sentence or was
    itself a heading. Born-digital texts with one paragraph per line pass unchanged.
    """
    out: list[str] = []
    prev_heading = True
    for raw in dehyphenate(text).split("\n"):
        line = raw.strip()
        if not line:
            out.append("")
            prev_heading = True
            continue
        starts_block = bool(_BLOCK_START.match(line))
        continues = not _ENDS_SENTENCE.search(strip_marks(out[-1])) if out else False
        if out and out[-1] and not starts_block and not prev_heading and (continues or line[:1].islower()):
            out[-1] = out[-1] + " " + line
            continue
        out.append(line)
        prev_heading = bool(
            re.match(r"^(BAB\s|Bagian\s|Paragraf\s|Pasal\s*\S+(?:\s\d{1,2})?\s*$)", strip_marks(line))
        )
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()


def join_pages(pages: Sequence[Page]) -> str:
    """Clean every page, join them with page marks and reflow the result."""
    cleaned = clean_pages(pages)
    return reflow("".join(p.text + page_mark(p.number) + "\n" for p in cleaned))
