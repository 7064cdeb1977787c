"""Whether the evidence found can answer the question, beyond a similarity score.

Three checks, all about the form of the question, never about its topic:

* **A value of the kind asked.** "Berapa rupiah …" is answered only by a passage that
  states an amount of money, "berapa persen" by a percentage, "tanggal berapa" by a date,
  any other "berapa …" by a quantity ("15 (lima belas) hari", "2/3 (dua pertiga)", "10%").
  Indonesian legislation writes quantities as digits followed by the number in words, so
  a passage that only refers to "Pasal 10 ayat (5)" holds no quantity.
* **A regulation the question names** must be in the index; a question "menurut PP 11
  Tahun 2019" is not answered from another regulation (``kb.answer``).
* **A name the question writes** — a run of two or more capitalised words inside a
  sentence ("Kementerian Hukum", "Sapa Desa") — must be in the quoted passages, their
  context headers or their documents' titles: every content word of it, stemmed. A passage
  that never names the body or event asked about does not answer the question about it,
  however many other words it shares. Only names the index knows are checked: a name with a
  word no indexed passage uses, or a place ("Desa Sukamaju", "Kabupaten Garut"), is the
  asker's own situation, which no regulation names. An acronym ("BKAD", "BUMDes") is a name
  too; the evidence holds it when it writes the acronym or its spelt-out form (the
  vocabulary's expansion, ``kb/data/normalisasi.yaml``).

Each refusal carries its reason (``Answer.refusal_reason``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from kb.lexical import analyse
from kb.query import expand_abbreviations

_NUMBER_WORDS = (
    r"(?:nol|satu|se|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh|sebelas|belas"
    r"|puluh|ratus|seratus|ribu|seribu|juta|miliar|pertiga|perempat|per|seperdua|setengah|koma)"
)
# "15 (lima belas)", "2/3 (dua pertiga)", "1,5 (satu koma lima)"
_LEGAL_QUANTITY = rf"\d+(?:[.,/]\d+)*\s*\((?:{_NUMBER_WORDS}\s*)+\)"
_MONTHS = "januari|februari|pebruari|maret|april|mei|juni|juli|agustus|september|oktober|november|desember"


@dataclass(frozen=True)
class Asked:
    """The kind of value a question asks for, and how a passage states one."""

    kind: str  # Indonesian, for the refusal reason: "jumlah uang", "persentase", …
    value: re.Pattern[str]


# (what the question says, the kind, the form in a passage), the most specific first
_ASKED: tuple[tuple[re.Pattern[str], Asked], ...] = tuple(
    (re.compile(question, re.IGNORECASE), Asked(kind, re.compile(value, re.IGNORECASE)))
    for question, kind, value in (
        (r"\bberapa\s+(?:rupiah|rp)\b", "jumlah uang", r"\bRp\.?\s?\d|\d\s*rupiah|\brupiah\b"),
        (r"\bberapa\s+(?:persen|%)", "persentase", r"\d\s*%|\bper\s?seratus\b|\bpersen\b"),
        (
            r"\b(?:tanggal|tgl)\s+berapa\b",
            "tanggal",
            rf"\b\d{{1,2}}\s+(?:{_MONTHS})\b|\btanggal\s+\d{{1,2}}\b",
        ),
        (r"\bberapa\b", "jumlah atau lama", rf"{_LEGAL_QUANTITY}|\d\s*%|\bRp\.?\s?\d"),
    )
)


def asked_value(question: str) -> Asked | None:
    """The kind of value the (normalised) question asks for, if it asks for one."""
    for pattern, asked in _ASKED:
        if pattern.search(question):
            return asked
    return None


def holds(asked: Asked, text: str) -> bool:
    return bool(asked.value.search(text))


# what follows a quantity in legislation and belongs to it ("8 (delapan) tahun", "30 (tiga
# puluh) hari kerja", "2 (dua) kali masa jabatan")
_AMOUNT_TAIL = re.compile(r"[\d.,]*(?:\s*\([^)]{1,80}\))?")
_UNIT_TAIL = re.compile(
    r"\s*(?:%|(?:hari kerja|kali masa jabatan|tahun|bulan|hari|minggu|jam|kali|orang|periode|rupiah)\b)",
    re.IGNORECASE,
)


def stated_values(asked: Asked, text: str) -> list[str]:
    """The distinct values of the kind asked that ``text`` states, each with its unit."""
    out: list[str] = []
    reach = 0  # a match inside the value just read ("rupiah" in its words) is part of it
    for m in asked.value.finditer(text):
        if m.start() < reach:
            continue
        start, end = m.start(), m.end()
        while start > reach and (text[start - 1].isdigit() or text[start - 1] in ".,"):
            start -= 1  # "\d%" matched the last digit of "10%"
        tail = _AMOUNT_TAIL.match(text, end)
        end = tail.end() if tail else end
        unit = _UNIT_TAIL.match(text, end)
        reach = unit.end() if unit else end
        value = " ".join(text[start:reach].split()).strip(".,")
        if value and value not in out:
            out.append(value)
    return out


# The words with which a question asks for a value ("paling lama berapa tahun", "jangka
# waktu", "minimal … persen"): the rest of the question is the thing whose value is asked.
# They are the language of asking for a quantity, not of any topic.
_VALUE_WORDS = re.compile(
    r"\b(?:berapa|brp|paling\s+(?:lama|lambat|cepat|sedikit|banyak|tinggi|rendah)|minimal|maksimal"
    r"|minimum|maksimum|jangka\s+waktu|batas\s+waktu|lama(?:nya)?|tahun|bulan|hari|minggu|jam"
    r"|kali|persen|rupiah|jumlah(?:nya)?|besar(?:an|nya)?|tanggal|tgl)\b",
    re.IGNORECASE,
)


def thing_asked(question: str) -> str:
    """The question without the words asking for a value: what the value must belong to
    ("paling lama berapa hari musyawarah diadakan?" -> "musyawarah diadakan?")."""
    return " ".join(_VALUE_WORDS.sub(" ", question).split())


# A run of capitalised words (or acronyms: "BUM Desa", "PNPM Mandiri Pedesaan").
_NAME_RUN = re.compile(r"\b[A-Z][\w-]*(?:\s+[A-Z][\w-]*)+")
_SENTENCE_START = re.compile(r"(?:^|[.?!:;]\s+|\n)\s*$")
# a run that begins with a form of regulation is a regulation's name, which the named-
# regulation check handles ("UU Pemerintahan Daerah", "Perda Provinsi Bali")
_REGULATION_FORM = re.compile(
    r"(?:UU|Undang|PP|Perpres|Peraturan|Permendagri|Permen\w*|Perda|Perdes|Perbup|Perwali"
    r"|Perkades|Keputusan|Kepmendagri|Keppres|Inpres|Nomor|Tahun)\b"
)
# the kinds of Indonesian administrative area: a name led by one is a place
_PLACE = re.compile(
    r"(?:Desa|Kelurahan|Dusun|Kampung|Nagari|Gampong|Kecamatan|Distrik|Kabupaten|Kab|Kota"
    r"|Provinsi|Prov)\b\.?"
)


# an acronym: a word of two or more capitals ("BKAD", "BUMDes", "APBDes"), roman numerals
# ("III") left out
_ACRONYM = re.compile(r"(?<![\w-])(?![IVXLCDM]+(?![\w-]))[A-Z][a-z]*[A-Z][A-Za-z]*(?![\w-])")


def names_in(question: str) -> list[str]:
    """The names a question writes: runs of two or more capitalised words, the first word
    of a sentence left out (it is capitalised for the sentence), and acronyms; regulations'
    names left to their own check."""
    out: list[str] = []
    for m in _NAME_RUN.finditer(question):
        words = m.group().split()
        if _SENTENCE_START.search(question[: m.start()]):
            words = words[1:]
        if len(words) < 2 or _REGULATION_FORM.match(words[0]) or _PLACE.match(words[0]):
            continue
        name = " ".join(words)
        if name not in out:
            out.append(name)
    for m in _ACRONYM.finditer(question):
        name = m.group()
        if not _REGULATION_FORM.fullmatch(name) and not any(name in n.split() for n in out):
            out.append(name)
    return out


def _spellings(name: str, unknown: set[str], short_names: Mapping[str, Sequence[str]]) -> list[set[str]]:
    """The ways the evidence may write a name (as the question does, an acronym spelt out,
    and the full name of a short name the indexed texts define: "BUM Desa" is "Badan
    Usaha Milik Desa"), each as its set of terms; only those the index knows (no term in
    ``unknown``)."""
    # "bpd" -> "Badan Permusyawaratan Desa (BPD)": the spelt-out form without the acronym
    forms = {name, re.sub(r"\([^)]*\)", " ", expand_abbreviations(name))}
    written = {form.lower().strip() for form in forms}
    forms |= {full for form in written for full in short_names.get(form, ())}
    forms |= {short for short, fulls in short_names.items() if written & {f.lower() for f in fulls}}
    return [terms for form in forms if (terms := set(analyse(form))) and not terms & unknown]


def uncovered_names(
    question: str,
    evidence: Iterable[str],
    unknown: Iterable[str] = (),
    short_names: Mapping[str, Sequence[str]] | None = None,
) -> list[str]:
    """The names in ``question`` that the index knows (some spelling of it with no word in
    ``unknown``, the terms no indexed passage uses) and that no ``evidence`` holds in any of
    those spellings (every content word of it); ``short_names`` are the index's own
    (:meth:`kb.base.KnowledgeBase.short_names`)."""
    unknown = set(unknown)
    short_names = short_names or {}
    names = {n: spellings for n in names_in(question) if (spellings := _spellings(n, unknown, short_names))}
    if not names:
        return []
    held = {t for text in evidence for t in analyse(text)}
    return [n for n, spellings in names.items() if not any(terms <= held for terms in spellings)]
