"""Understanding a question as people type it: informal Indonesian is normalised
("kades" -> "kepala desa", "psl" -> "pasal", "kerjasama" -> "kerja sama"), and references
to regulations and articles are parsed into canonical ids ("UU No. 6 Tahun 2014",
"uu desa", "pp 43 th 2014" -> "UU 6/2014" / "PP 43/2014"; "psl 92" -> Pasal 92).

The vocabulary lives in ``kb/data/normalisasi.yaml``, not in code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from kb.law import NATIONAL_SPELLINGS, find_regional_reference


@dataclass(frozen=True)
class Vocabulary:
    abbreviations: tuple[tuple[re.Pattern[str], str], ...]
    regulation_aliases: tuple[tuple[re.Pattern[str], str], ...]
    kinds: dict[str, str]
    kinds_pattern: str
    stopword_exceptions: frozenset[str]
    followup_cues: tuple[str, ...]
    followup_groups: tuple[tuple[str, ...], ...]


def _word_pattern(phrase: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])" + re.escape(phrase) + r"(?![\w-])", re.IGNORECASE)


@cache
def vocabulary() -> Vocabulary:
    raw: dict[str, Any] = yaml.safe_load(
        resources.files("kb").joinpath("data/normalisasi.yaml").read_text(encoding="utf-8")
    )
    by_length = sorted(raw.get("singkatan", {}).items(), key=lambda kv: -len(kv[0]))
    abbreviations = tuple((_word_pattern(k), str(v)) for k, v in by_length)
    aliases = sorted(raw.get("regulasi", {}).items(), key=lambda kv: -len(kv[0]))
    kinds = dict(NATIONAL_SPELLINGS)  # the one table of kinds: kb.law.KIND_TABLE
    kinds_pattern = "|".join(re.escape(k) for k in sorted(kinds, key=len, reverse=True))
    return Vocabulary(
        abbreviations,
        tuple((_word_pattern(k), str(v)) for k, v in aliases),
        kinds,
        kinds_pattern,
        frozenset(str(w).lower() for w in raw.get("stopword_kecuali", [])),
        tuple(str(c).lower() for c in raw.get("tindak_lanjut", {}).get("awalan", [])),
        tuple(tuple(str(x) for x in g) for g in raw.get("tindak_lanjut", {}).get("kelompok", [])),
    )


@dataclass(frozen=True)
class ParsedQuery:
    """A question after normalisation, with what it names explicitly."""

    original: str
    text: str  # normalised wording, fed to both retrievers
    regulation: str | None = None  # canonical id named in the question (the first)
    regulations: tuple[str, ...] = ()  # every regulation it names, ``regulation`` first
    pasal: str | None = None
    ayat: str | None = None


def _kind_ref(kinds: dict[str, str], pattern: str) -> re.Pattern[str]:
    return re.compile(
        rf"(?<![\w-])(?P<kind>{pattern})\.?\s*(?:no\.?|nomor|nmr|nomer)?\s*(?P<num>\d{{1,4}})"
        r"\s*(?:/|tahun|thn\.?|th\.?|tah\.?)\s*(?P<year>(?:19|20)\d{2})(?!\d)",
        re.IGNORECASE,
    )


def parse_regulation_ref(text: str) -> tuple[str | None, str]:
    """Find a regulation reference; return its canonical id and the text with the id
    written canonically (so both retrievers see 'UU 6/2014')."""
    regional = find_regional_reference(text)
    if regional:
        rid, start, end = regional
        return str(rid), text[:start] + str(rid) + text[end:]
    vocab = vocabulary()
    m = _kind_ref(vocab.kinds, vocab.kinds_pattern).search(text)
    if m:
        canonical = _canonical(m)
        return canonical, text[: m.start()] + canonical + text[m.end() :]
    for pattern, canonical in vocab.regulation_aliases:
        am = pattern.search(text)
        if am:
            return canonical, text[: am.start()] + canonical + text[am.end() :]
    return None, text


_PASAL_REF = re.compile(r"(?<![\w-])pasal\s*(?P<num>\d{1,3}[a-h]?)(?![\w])", re.IGNORECASE)
_AYAT_REF = re.compile(r"(?<![\w-])ayat\s*\(?\s*(?P<num>\d{1,2})\s*\)?", re.IGNORECASE)


def expand_abbreviations(text: str) -> str:
    """The text with the vocabulary's informal words and abbreviations written out."""
    for pattern, replacement in vocabulary().abbreviations:
        text = pattern.sub(replacement, text)
    return text


def normalise(question: str) -> ParsedQuery:
    """Normalise informal Indonesian and parse regulation / Pasal / ayat references."""
    text = re.sub(r"\s+", " ", question).strip()
    regulation, text = parse_regulation_ref(text)
    text = expand_abbreviations(text)
    if regulation is None:
        # "no." and "th" are only normalised now; try again on the normalised text
        regulation, text = parse_regulation_ref(text)
    pasal_m = _PASAL_REF.search(text)
    ayat_m = _AYAT_REF.search(text)
    return ParsedQuery(
        original=question,
        text=text,
        regulation=regulation,
        regulations=tuple(dict.fromkeys([*([regulation] if regulation else []), *_named_regulations(text)])),
        pasal=pasal_m.group("num").upper() if pasal_m else None,
        ayat=ayat_m.group("num") if ayat_m else None,
    )


def _canonical(m: re.Match[str]) -> str:
    """A match of ``_kind_ref`` written canonically: "PP No. 43 thn 2014" -> "PP 43/2014"."""
    return f"{vocabulary().kinds[m.group('kind').lower()]} {int(m.group('num'))}/{m.group('year')}"


def _named_regulations(text: str) -> list[str]:
    """Every regulation the text names by kind, number and year ("PP 43/2014 … PP 11 Tahun
    2021"), canonical."""
    vocab = vocabulary()
    return [_canonical(m) for m in _kind_ref(vocab.kinds, vocab.kinds_pattern).finditer(text)]


def regulation_year(regulation: str | None) -> int:
    """'UU 3/2024' -> 2024 (0 when unknown): orders versions of an amended Pasal."""
    m = re.search(r"/(\d{4})$", regulation or "")
    return int(m.group(1)) if m else 0
