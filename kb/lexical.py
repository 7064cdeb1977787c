"""BM25 over the same chunks as the vector store, with Indonesian analysis: lower-casing,
Sastrawi's stopword list (minus the domain words kept in ``normalisasi.yaml``) and
Sastrawi stemming (cached: uncached it stems ~8k words/s, cached millions).

The index is persisted under ``<data_dir>/lexical/<collection>/`` with a fingerprint of the
chunk ids it covers. It is rebuilt from the store's own documents whenever the fingerprint
no longer matches (after an ingest, after a crash between the two writes, or when the
folder is missing), so BM25 and Chroma never drift apart. Writes go to a temporary folder
renamed into place, so a crash never leaves a half-written index.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from kb.legaltext import short_names
from kb.query import vocabulary
from kb.types import Filters

_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# metadata kept beside BM25: the shared filters, and what the amendment rules need
FILTER_FIELDS = ("doc_type", "regulation", "section", "amends", "pasal")


@cache
def _stemmer() -> Any:
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer()


@cache
def stopwords() -> frozenset[str]:
    from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory

    words = {w.lower() for w in StopWordRemoverFactory().get_stop_words()}
    return frozenset(words - vocabulary().stopword_exceptions)


# Indonesian writes a compound apart ("kerja sama", "tanda tangan") and joined once it takes
# affixes ("dikerjasamakan", "ditandatangani"), and informal writing joins it anyway
# ("kerjasama"); the stems then differ ("kerjasama" vs "kerja" + "sama"). A part is at least
# this long: in the reference corpus's 3,382 stems, 32 split into two stems of >= 4 letters,
# and the df rule below keeps the real compounds among them (see compound_split).
MIN_COMPOUND_PART = 4


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    if word.isdigit() or len(word) <= 3:
        return word
    out = str(_stemmer().stem(word)) or word
    return _compound_stem(word) if out == word else out


# Sastrawi's dictionary holds roots, not compounds, so an affixed compound comes back whole
# ("dikerjasamakan", "ditandatangani", "pertanggungjawaban"). Such a word is stemmed as two
# roots: the prefixes taken off the first, the suffixes off the second ("kerjasama",
# "tandatangan", "tanggungjawab"). Measured on the reference texts (3,587 words): 33 words
# change, all affixed compounds but two OCR misreadings and one place name.
MIN_COMPOUND_WORD = 8


def _compound_stem(word: str) -> str:
    if len(word) < MIN_COMPOUND_WORD or "-" in word:
        return word
    stemmer = _stemmer()
    roots = stemmer.delegatedStemmer.dictionary
    if roots.contains(word):
        return word
    best: tuple[int, str] | None = None
    for i in range(MIN_COMPOUND_PART, len(word) - MIN_COMPOUND_PART + 1):
        left, right = word[:i], word[i:]
        a, b = str(stemmer.stem(left)), str(stemmer.stem(right))
        if min(len(a), len(b)) < MIN_COMPOUND_PART or not (roots.contains(a) and roots.contains(b)):
            continue
        # only affixes come off: prefixes (a nasal may replace the root's first letter,
        # "penandatanganan") before the first root, suffixes after the second
        if not (right.startswith(b) and left.endswith(a[1:])) or a + b == word:
            continue
        if best is None or min(len(a), len(b)) > best[0]:
            best = (min(len(a), len(b)), a + b)
    return best[1] if best else word


def analyse(text: str) -> list[str]:
    """Text -> BM25 terms: lower-cased words, stopwords removed, stemmed.

    Hyphenated words keep their parts too ("antar-desa" -> "antar-desa", "antar", "desa"),
    so "antar desa" and "antar-Desa" meet.
    """
    stop = stopwords()
    terms: list[str] = []
    for word in _WORD.findall(text.lower()):
        parts = [word, *word.split("-")] if "-" in word else [word]
        for part in parts:
            if part and part not in stop:
                terms.append(stem(part))
    return terms


ANALYSIS_VERSION = "a2"  # bump when analyse() changes


def compound_split(term: str, df: dict[str, int]) -> tuple[str, str] | None:
    """The two words a joined term stands for, when the corpus mostly writes them apart:
    both parts are indexed words, each more frequent than the joined form ("kerjasama" ->
    "kerja", "sama"; "undangundang" -> "undang", "undang"), so OCR fragments
    ("musyawarah" -> "musyaw" + "arah") and true words ("walikota") stay whole."""
    joined = df.get(term, 0)
    best: tuple[int, tuple[str, str]] | None = None
    for i in range(MIN_COMPOUND_PART, len(term) - MIN_COMPOUND_PART + 1):
        a, b = term[:i], term[i:]
        weakest = min(df.get(a, 0), df.get(b, 0))
        if weakest > joined and (best is None or weakest > best[0]):
            best = (weakest, (a, b))
    return best[1] if best else None


def matched_terms(query: Sequence[str], text: Sequence[str]) -> set[str]:
    """The query's terms that a text contains, a compound counting in either spelling: the
    query's "kerjasama" is in "kerja sama", its "kerja", "sama" are in "kerjasama"."""
    words = set(text)
    found = set(query) & words
    joined_text = {a + b for a, b in pairwise(text)}
    found |= set(query) & joined_text
    for a, b in pairwise(query):
        if a + b in words:
            found |= {a, b}
    return found


@cache
def analysis_signature() -> str:
    """Changes whenever the analysis would: the vocabulary file and this module's version."""
    from importlib import resources

    data = resources.files("kb").joinpath("data/normalisasi.yaml").read_bytes()
    return hashlib.sha256(data + ANALYSIS_VERSION.encode()).hexdigest()[:16]


def fingerprint(ids: Iterable[str]) -> str:
    h = hashlib.sha256()
    for i in sorted(ids):
        h.update(i.encode())
        h.update(b"\n")
    return h.hexdigest()


@dataclass
class LexicalHit:
    chunk_id: str
    score: float


class LexicalIndex:
    """A BM25 (Lucene variant) index of chunk texts with filterable metadata."""

    def __init__(self, directory: Path, k1: float = 1.5, b: float = 0.75) -> None:
        self.directory = directory
        self.k1, self.b = k1, b  # Lucene's BM25 defaults
        self.coordination = True  # off only to measure what it brings (bench/ablation_bench.py)
        self.ids: list[str] = []
        self.meta: dict[str, list[str]] = {f: [] for f in FILTER_FIELDS}
        self.fingerprint = ""
        self.df: dict[str, int] = {}  # document frequency of each term (for idf weights)
        # the short names the indexed texts define, lower-cased, with their full names
        # ("bum desa" -> ["Badan Usaha Milik Desa"], ``kb.legaltext.short_names``)
        self.short_names: dict[str, list[str]] = {}
        self._bm25: Any = None
        self._lock = threading.Lock()

    # -- building ------------------------------------------------------------------------

    def build(self, ids: Sequence[str], texts: Sequence[str], metas: Sequence[dict[str, Any]]) -> None:
        import bm25s

        corpus = [analyse(t) or ["_"] for t in texts]
        retriever = bm25s.BM25(method="lucene", k1=self.k1, b=self.b)
        if corpus:
            retriever.index(corpus, show_progress=False)
        self._bm25 = retriever if corpus else None
        self.ids = list(ids)
        self.meta = {f: [str(m.get(f) or "") for m in metas] for f in FILTER_FIELDS}
        df: dict[str, int] = {}
        for terms in corpus:
            for t in set(terms):
                df[t] = df.get(t, 0) + 1
        self.df = df
        names: dict[str, set[str]] = {}
        for text in texts:
            for short, full in short_names(text):
                names.setdefault(short.lower(), set()).add(full)
        self.short_names = {k: sorted(v) for k, v in sorted(names.items())}
        self.fingerprint = fingerprint(self.ids)

    def save(self) -> None:
        tmp = self.directory.with_name(self.directory.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self._bm25 is not None:
            self._bm25.save(str(tmp / "bm25"))
        (tmp / "meta.json").write_text(
            json.dumps(
                {
                    "ids": self.ids,
                    "meta": self.meta,
                    "df": self.df,
                    "short_names": self.short_names,
                    "fingerprint": self.fingerprint,
                    "analysis": self._signature(),
                }
            ),
            encoding="utf-8",
        )
        old = self.directory.with_name(self.directory.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if self.directory.exists():
            self.directory.rename(old)
        tmp.rename(self.directory)
        shutil.rmtree(old, ignore_errors=True)

    def load(self) -> bool:
        """Load from disk; False when there is nothing (usable) there."""
        import bm25s

        meta_file = self.directory / "meta.json"
        if not meta_file.exists():
            return False
        try:
            data = json.loads(meta_file.read_text(encoding="utf-8"))
            self.ids = list(data["ids"])
            if set(FILTER_FIELDS) - set(data["meta"]) or data.get("analysis") != self._signature():
                return False  # written by an older version: rebuild
            self.meta = {f: list(data["meta"][f]) for f in FILTER_FIELDS}
            self.df = {str(k): int(v) for k, v in data["df"].items()}
            self.short_names = {str(k): [str(x) for x in v] for k, v in data["short_names"].items()}
            self.fingerprint = str(data["fingerprint"])
            bm25_dir = self.directory / "bm25"
            self._bm25 = bm25s.BM25.load(str(bm25_dir)) if bm25_dir.exists() else None
        except (OSError, ValueError, KeyError):
            return False
        return True

    def stamp(self) -> tuple[int, int] | None:
        """Identity of the saved index (inode, mtime): changes whenever any process saves."""
        try:
            st = (self.directory / "meta.json").stat()
        except OSError:
            return None
        return st.st_ino, st.st_mtime_ns

    # -- searching -----------------------------------------------------------------------

    def _signature(self) -> str:
        return f"{analysis_signature()}-{self.k1}-{self.b}"

    def idf(self, term: str) -> float:
        """Inverse document frequency; a term the corpus never uses weighs like a rare one."""
        import math

        return math.log(1 + len(self.ids) / (self.df.get(term, 0) + 0.5))

    def share(self, term: str) -> float:
        """The fraction of indexed chunks that hold a (stemmed) term."""
        return self.df.get(term, 0) / len(self.ids) if self.ids else 0.0

    def unknown_terms(self, query: str) -> list[str]:
        """Terms of the query that no indexed chunk contains (in either compound spelling)."""
        if self._bm25 is None:
            return []
        return [t for t, alternatives in self._slots(analyse(query)) if not alternatives]

    def _slots(self, terms: list[str]) -> list[tuple[str, tuple[tuple[str, ...], ...]]]:
        """Each query term with the ways a chunk can contain it: the term itself, a joined
        term as its two words (all of them present), two adjacent terms as their joined
        form."""
        vocab = self._bm25.vocab_dict
        slots: list[tuple[str, tuple[tuple[str, ...], ...]]] = []
        for i, t in enumerate(terms):
            ways: list[tuple[str, ...]] = [(t,)] if t in vocab else []
            if parts := compound_split(t, self.df):
                ways.append(parts)
            before = terms[i - 1] if i > 0 else ""
            after = terms[i + 1] if i + 1 < len(terms) else ""
            for a, b in ((before, t), (t, after)):
                if a and b and a + b in vocab and (a + b,) not in ways:
                    ways.append((a + b,))
            slots.append((t, tuple(ways)))
        return slots

    def search(self, query: str, k: int, filters: Filters | None = None) -> list[LexicalHit]:
        if self._bm25 is None or not self.ids:
            return []
        counts = Counter((term, ways) for term, ways in self._slots(analyse(query)) if ways)
        if not counts:
            return []
        term_scores: dict[str, np.ndarray] = {}
        with self._lock:
            for term in {t for _, ways in counts for way in ways for t in way}:
                term_scores[term] = np.asarray(self._bm25.get_scores([term]), dtype=np.float32)

        def slot_score(ways: tuple[tuple[str, ...], ...]) -> np.ndarray:
            # a compound's words count only together, at their mean weight. The other
            # spelling keeps its own weight: scaling it down to the asked word's idf (the
            # rare joined "kerjasama" found for "kerja") lost dev d07's first rank and
            # changed nothing on dev2
            each = [
                np.where(
                    np.all([term_scores[t] > 0 for t in way], axis=0),
                    np.mean([term_scores[t] for t in way], axis=0),
                    0.0,
                )
                for way in ways
            ]
            return np.max(each, axis=0)

        per_term = [slot_score(ways) for _, ways in counts]
        scores = sum((n * s for n, s in zip(counts.values(), per_term, strict=True)), np.zeros(len(self.ids)))
        # Lucene's classic coordination factor: a chunk holding 5 of the question's 5 terms
        # beats one holding 4 of them more often. Without it BM25's length normalisation
        # buries a long Pasal that says everything asked (dev set, BM25 alone: Recall@5
        # 0.89 -> 0.93, MRR 0.71 -> 0.73; hybrid MRR 0.87 -> 0.89, with norm units 0.93).
        if self.coordination:
            matched = np.sum([s > 0 for s in per_term], axis=0)
            scores = scores * matched / len(counts)
        if filters:
            mask = np.ones(len(self.ids), dtype=bool)
            for field, value in filters.items():
                mask &= np.asarray(self.meta[field]) == value
            scores = np.where(mask, scores, 0.0)
        k = min(k, len(self.ids))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [LexicalHit(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]
