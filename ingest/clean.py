"""Removes page furniture and repairs line structure before legal parsing.

Furniture is whatever repeats on the pages of an official document without being part of
its text: the running header "PRESIDEN / REPUBLIK INDONESIA" (also as OCR variants such as
"FRESIDEN" or "REPUELIK"), "SALINAN", page numbers ("- 12 -", "-2-", OCR "-t2-",
"Halaman 3 dari 40"), the "SK No 177558 A" stamps of the State Secretariat, catchwords at
the foot of a page ("Pasal 5. . ."), and e-signature footers repeated on every page.

Furniture removal must never eat structure. A line counts as furniture by repetition only
when the *same text* (case and spacing aside) stands at a page edge on many pages and
hardly anywhere else; a line of the same shape with other numbers ("Pasal 12", "Pasal 13")
is furniture only when its number runs in step with the page number (a page-number form);
and a structural line (Pasal, BAB, Bagian, Paragraf, an ayat or list marker) is never
removed for being repeated, whatever its counts.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter, defaultdict
from collections.abc import Sequence

from kb.types import Page

# Digits as OCR misreads them in page numbers ("-t2-" for "-12-", "- l5 -").
_OCR_DIGIT = r"[\dIlOoTt|]"
_PAGE_NUMBER = re.compile(
    rf"^\s*[-–—_~]?\s*(?=\S*\d){_OCR_DIGIT}{{1,4}}\s*[-–—_~]\s*$|^\s*[-–—_~]\s*(?=\S*\d){_OCR_DIGIT}{{1,4}}\s*[-–—_~]?\s*$"
)
_HALAMAN = re.compile(r"^\s*(?:halaman|hal\.?)\s*\d+(\s*(?:dari|/)\s*\d+)?\s*$", re.IGNORECASE)
# "SK No 177558 A", "SK No255262A", OCR "SK I{o 086398 A"; also when glued inside a line.
_SK_STAMP = re.compile(r"\bS[KlI1][(\{]?\s?(?:No|N0|I\{o|l\{o|Nc)\.?\s?[\dlIO]{5,7}\s?[A-Z]?\b")
# Catchword: the first words of the next page repeated at the foot, ending in ". . ." / "...".
_CATCHWORD = re.compile(r"^.{0,60}\w[.,;:]?\s?(?:\.\s?){3,}\s*$")
_KNOWN_HEADERS = ("PRESIDEN", "REPUBLIK INDONESIA", "PRESIDEN REPUBLIK INDONESIA", "SALINAN")
_SOFT_HYPHEN = "\u00ad"
# Lines that carry a regulation's structure: never furniture by repetition. "Pasal" is
# matched loosely (OCR: "Pa.sal", "PasaJ", "Pasa7"), as are ayat markers ("(21").
STRUCTURAL = re.compile(
    r"^\s*(?:"
    r"P\W?a\W?[s5$]\W?a\W?[l1I7J|!]?\s*[0-9IlOoT|]{1,4}[A-Z]?\s*$"  # Pasal heading
    r"|[BR]AB\s+[IVXLC\d]+\b"
    r"|Bagian\s+Ke\w+"
    r"|Paragr\.?af\s+\w+"
    r"|\(\s?\d{1,2}\s?[)1l]"  # ayat
    r"|[a-z]\s?[.)]\s"  # huruf item
    r"|\d{1,3}\s?[.)]\s"  # angka item
    r"|Menimbang|Mengingat|Memperhatikan|MEMUTUSKAN|Menetapkan|PENJELASAN"
    r")"
)

# A line is furniture by repetition when it stands within EDGE_LINES of a page's top or
# bottom on at least REPEAT_SHARE of the pages (and on 2 or more). Measured on the
# reference PDFs (UU 11/2008, UU 27/2022, Perpres 83/2025, Perda Banjarnegara 8/2025, the
# UU 6/2014 SALINAN, Permendagri 111/2014): headers and footers sit within the first or last
# 3 non-empty lines and repeat on 70-100 % of pages; 5 lines and 50 % leave a margin.
EDGE_LINES = 5
REPEAT_SHARE = 0.5
# A repeated text is furniture only if it occurs about once per page where it occurs:
# "Cukup jelas." also lands at page edges of a Penjelasan, but many times per page.
MAX_OCCURRENCES_PER_PAGE = 1.5
# A page-number form ("Halaman 3 dari 40", "Berita Daerah … hlm. 3"): its first number minus
# the page's index is the same on at least this share of the pages it stands on.
PAGE_TRACKING_SHARE = 0.8

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


def is_structural_line(line: str) -> bool:
    """A heading, ayat or list line: part of the regulation's structure."""
    return bool(STRUCTURAL.match(line))


def is_furniture_line(line: str) -> bool:
    """A line that is page furniture wherever it stands."""
    s = line.strip()
    if not s:
        return False
    return bool(
        _PAGE_NUMBER.match(s) or _HALAMAN.match(s) or _SK_STAMP.fullmatch(s) or _looks_like_known_header(s)
    )


def _text_key(line: str) -> str:
    return re.sub(r"\s+", " ", line.strip().lower())


def _shape_key(line: str) -> str:
    return re.sub(r"\d+", "#", _text_key(line))


def _edge_lines(page: Page) -> tuple[list[str], list[str]]:
    """(edge lines, all lines) of a page, non-empty only."""
    lines = [ln for ln in page.text.splitlines() if ln.strip()]
    return lines[:EDGE_LINES] + lines[-EDGE_LINES:], lines


def repeated_lines(pages: Sequence[Page]) -> set[str]:
    """Text keys of the lines that are running headers or footers (see the module doc)."""
    if len(pages) < 2:
        return set()
    at_edge: Counter[str] = Counter()
    anywhere: Counter[str] = Counter()
    for page in pages:
        edge, lines = _edge_lines(page)
        at_edge.update({_text_key(ln) for ln in edge if not is_structural_line(ln)})
        anywhere.update(_text_key(ln) for ln in lines)
    threshold = max(2, int(REPEAT_SHARE * len(pages)))
    return {
        key
        for key, n in at_edge.items()
        if n >= threshold and len(key) > 1 and anywhere[key] <= MAX_OCCURRENCES_PER_PAGE * n
    }


def page_number_shapes(pages: Sequence[Page]) -> set[str]:
    """Shape keys of edge lines whose first number runs in step with the page index."""
    if len(pages) < 2:
        return set()
    offsets: dict[str, list[int]] = defaultdict(list)
    for index, page in enumerate(pages):
        edge, _ = _edge_lines(page)
        for ln in dict.fromkeys(edge):
            m = re.search(r"\d+", ln)
            if m and not is_structural_line(ln):
                offsets[_shape_key(ln)].append(int(m.group()) - index)
    threshold = max(2, int(REPEAT_SHARE * len(pages)))
    out = set()
    for shape, values in offsets.items():
        if len(values) >= threshold:
            _, n = Counter(values).most_common(1)[0]
            if n >= PAGE_TRACKING_SHARE * len(values):
                out.add(shape)
    return out


def clean_page_text(
    text: str,
    repeated: set[str] | None = None,
    page_shapes: set[str] | None = None,
    *,
    title_page: bool = False,
) -> str:
    """Drop furniture lines, stamps and catchwords from one page's text.

    ``repeated`` are text keys of running headers/footers, ``page_shapes`` shape keys of
    page-number forms (both from :func:`clean_pages`); a shape is removed at page edges only.
    On the ``title_page`` the capitalised top lines are the title block, never a running
    header, even when later pages repeat its first line as one ("PERATURAN DESA MEKARSARI").
    """
    repeated = repeated or set()
    page_shapes = page_shapes or set()
    text = text.replace(_SOFT_HYPHEN, "").replace("\r\n", "\n").replace("\r", "\n")
    text = _SK_STAMP.sub(" ", text)
    text = re.sub(r"\^(?=\S)", "", text)  # stray OCR carets: "^Pasal"
    text = re.sub(r"\s__\s|\s__$|^__\s", "\n", text, flags=re.MULTILINE)
    lines = text.split("\n")
    filled = [i for i, ln in enumerate(lines) if ln.strip()]
    edge = set(filled[:EDGE_LINES] + filled[-EDGE_LINES:])
    # the title block is set in capitals; a footer that pypdf reads first is not
    title = {i for i in filled[:EDGE_LINES] if lines[i].isupper()} if title_page else set()

    def furniture(i: int) -> bool:
        line = lines[i]
        if is_furniture_line(line):
            return True
        if is_structural_line(line):
            return False
        if i in title:
            return False
        return _text_key(line) in repeated or (i in edge and _shape_key(line) in page_shapes)

    flags = [furniture(i) for i in range(len(lines))]
    kept: list[str] = []
    for i, line in enumerate(lines):
        if flags[i]:
            continue
        # a catchword inside a text (pages not separated): right before a page's furniture,
        # ending in dots or repeating the start of the line after the furniture
        nxt = next((j for j in range(i + 1, len(lines)) if lines[j].strip()), None)
        if nxt is not None and flags[nxt]:
            after = next((ln for j, ln in enumerate(lines[nxt:], nxt) if ln.strip() and not flags[j]), "")
            if _CATCHWORD.match(line.strip()) or is_catchword_of(line, after):
                continue
        kept.append(line.rstrip())
    # a catchword is the last non-empty line of a page
    while kept and not kept[-1].strip():
        kept.pop()
    if kept and _CATCHWORD.match(kept[-1].strip()):
        kept.pop()
    return "\n".join(kept)


def is_catchword_of(line: str, next_line: str) -> bool:
    """True when ``line`` (short) is the first words of ``next_line``: a catchword."""
    words = _text_key(line).rstrip(". ").split()
    following = _text_key(next_line).split()
    return 0 < len(words) <= 6 and len(following) > len(words) and following[: len(words)] == words


def clean_pages(pages: Sequence[Page]) -> list[Page]:
    """Remove furniture from every page, including lines repeated across pages."""
    repeated = repeated_lines(pages)
    shapes = page_number_shapes(pages)
    cleaned = [
        Page(p.number, clean_page_text(p.text, repeated, shapes, title_page=i == 0))
        for i, p in enumerate(pages)
    ]
    # a catchword without dots: the page's last line repeats the first words of the next page
    out = []
    for page, nxt in zip(cleaned, [*cleaned[1:], None], strict=True):
        lines = page.text.split("\n")
        first = next((ln for ln in nxt.text.split("\n") if ln.strip()), "") if nxt else ""
        if lines and first and is_catchword_of(lines[-1], first):
            page = Page(page.number, "\n".join(lines[:-1]))
        out.append(page)
    return out


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
        starts_block = bool(_BLOCK_START.match(strip_marks(line)))
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
