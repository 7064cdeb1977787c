"""Small facts of Indonesian legal text shared by the ingest, the retriever and the answers."""

from __future__ import annotations

import re

# an ayat opens a line, or follows a sentence's end on the same line (text whose line
# breaks were lost: OCR'd PDFs, "… Peraturan Desa. (2) BUM Desa bersama …"); the marker's
# number must follow the one before (``_ayat_marks``), so "pada ayat (2)" inside a sentence
# is never one
_AYAT = re.compile(r"(?:^|\n|(?<=[.;:])[ \t])\s*\(\s?(?P<num>\d{1,2}|[lI])\s?(?P<close>[)1l\]]?)\s")


def _ayat_marks(text: str) -> list[tuple[int, int, str]]:
    """(start of "(", end of the marker, number) of each ayat marker, in sequence."""
    marks: list[tuple[int, int, str]] = []
    expected = 1
    for m in _AYAT.finditer(text):
        num, close = m.group("num"), m.group("close")
        num = "1" if num in ("l", "I") else num
        if (
            (int(num) == expected and close in (")", "]", ""))
            or (close in ("1", "l") and int(num) == expected)
            or (len(num) == 2 and num[1] in "1" and int(num[0]) == expected and not close)
        ):
            marks.append((text.index("(", m.start()), m.end(), str(expected)))
            expected += 1
    return marks


def normalise_ayat_markers(text: str) -> str:
    """Write each ayat marker as "(n) ": OCR's "(21", "(l)", "( 3 )" are quoted as read."""
    out, last = [], 0
    for start, end, num in _ayat_marks(text):
        out.append(text[last:start] + f"({num}) ")
        last = end
    return "".join(out) + text[last:]


def split_ayat(text: str) -> list[tuple[str, str]]:
    """Split a Pasal's content into ayat "(1) … (2) …", tolerating OCR "(21" for "(2)"."""
    marks = [(start, num) for start, _, num in _ayat_marks(text)]
    if len(marks) < 2 and not (marks and marks[0][0] == 0):
        return [("", text.strip())]
    parts: list[tuple[str, str]] = []
    if marks[0][0] > 0 and text[: marks[0][0]].strip():
        parts.append(("", text[: marks[0][0]].strip()))
    for i, (pos, num) in enumerate(marks):
        end = marks[i + 1][0] if i + 1 < len(marks) else len(text)
        parts.append((num, text[pos:end].strip()))
    return parts


# "b. …" or "1. …" opens a list item. A sub-item "1) …" stays inside its item: "jumlah
# penduduk, yaitu: 1) wilayah Jawa … 2) …" is one norm.
_ITEM = re.compile(r"^(?:[a-z]|\d{1,2})\.\s+")
_PASAL_HEADING = re.compile(r"^Pasal\s+\d+[A-Z]?\s*\n")
# shorter units are headings or "Cukup jelas.": nothing to match a question against
MIN_UNIT_CHARS = 20


def list_items(ayat: str) -> list[str]:
    """An ayat's list items, each with the ayat's lead-in; the ayat itself when it has none.

    A list item alone is not a norm ("mengangkat dan memberhentikan perangkat Desa" says
    nothing of who), so it keeps the text before the list ("(2) Dalam melaksanakan tugas …,
    Kepala Desa berwenang:").
    """
    lead: list[str] = []
    items: list[str] = []
    for line in ayat.splitlines():
        line = line.strip()
        if not line:
            continue
        if _ITEM.match(line):
            items.append(_ITEM.sub("", line, count=1))
        elif items:
            items[-1] += " " + line  # an item's wrapped continuation
        else:
            lead.append(line)
    head = " ".join(lead)
    return [f"{head} {item}".strip() for item in items] if items else [head]


def norm_units(text: str) -> list[str]:
    """The norm units of a chunk's text: each ayat, or each list item with its lead-in.

    A long Pasal is a list of separate norms: UU 6/2014 Pasal 26 ayat (2) gives the Kepala
    Desa sixteen powers. One vector for the whole chunk averages them all, so a question
    about one power found that Pasal at dense rank 48; embedded on their own, the units let
    the retriever score a chunk by its best norm (``kb.retrieve``). Notes and policy
    directions split the same way (numbered or lettered lines).
    """
    body = _PASAL_HEADING.sub("", text, count=1)
    units = [u for _, ayat in split_ayat(body) for u in list_items(ayat)]
    return [u for u in units if len(u) >= MIN_UNIT_CHARS]


# "Badan Usaha Milik Desa, yang selanjutnya disebut BUM Desa, adalah …": the Ketentuan Umum
# names a thing once in full and gives the short name the rest of the text uses
_CAPITALISED = r"[A-Z][\w/-]*"
_SHORT_NAME = re.compile(
    rf"(?P<long>{_CAPITALISED}(?:\s+(?:(?:dan|atau)\s+)?{_CAPITALISED})*)\s*,?\s+(?:yang\s+)?"
    rf"selanjutnya\s+(?:disingkat|disebut)(?:\s+dengan)?\s+(?P<short>{_CAPITALISED}(?:[ \t]+{_CAPITALISED})*)"
)


def short_names(text: str) -> list[tuple[str, str]]:
    """(short name, full name) of each name the text defines ("… Anggaran Pendapatan dan
    Belanja Desa, selanjutnya disebut APB Desa …"); a short name of no fewer words than the
    full one is no abbreviation and left out."""
    out = []
    for m in _SHORT_NAME.finditer(text):
        long, short = " ".join(m.group("long").split()), " ".join(m.group("short").split())
        if len(short.split()) < len(long.split()) or len(short) < len(long) / 2:
            out.append((short, long))
    return out
