"""Grounded answers with legal citations.

Default (no network): extractive. The question's intent is recognised (dasar hukum, bidang /
ruang lingkup, siapa, kapan / berapa lama, bagaimana / tata cara, definisi, isi Pasal X);
from the top hits the ayat (enumerations kept whole) or sentences that answer it are
selected by idf-weighted overlap with the question, and the answer is composed from exact
quotes, regulations before notes. Every marker [n] maps to a retrieved chunk, so every cited
Pasal exists in the index. With weak evidence the answer is a plain refusal.

Optionally a chat model (``kb.llm``) writes the answer from the same numbered sources; its
output is checked and falls back to the extractive answer when it cites nothing valid or
cannot be reached.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from kb.evidence import Asked, asked_value, holds, thing_asked, uncovered_names
from kb.followup import standalone_question
from kb.intent import DELEGATION, FRAMING, INTENT_CUES, detect_intent
from kb.law import find_regional_name
from kb.lead import polar_lead, value_lead
from kb.legaltext import list_items, split_ayat
from kb.lexical import analyse, matched_terms
from kb.naming import legal_citation, source_label
from kb.pustaka import missing_from_pack, pack_note
from kb.repeal import Repeals
from kb.retrieve import RetrievalResult
from kb.settings import Settings
from kb.types import REFUSAL, SECTION_BODY, Answer, AnswerStream, Citation, DocumentSummary, Hit

# Evidence needed to answer, calibrated on the dev set's out-of-scope questions (see
# BENCHMARKS.md): e5 cosine of the nearest chunk. Out-of-scope questions scored 0.824 and
# 0.829, the weakest answerable one 0.850; on dev2 the off-topic ones 0.767-0.812, the
# weakest answerable 0.854. (A stricter 0.86 for questions holding a word no passage uses
# refused no must-refuse question on either set that another check did not, and refused an
# answerable chat question: chat words are unknown to the corpus too. Dropped.)
MIN_DENSE = 0.84
CANDIDATE_HITS = 6
# "apa yang dimaksud X": the Ketentuan Umum that defines X is one long list of definitions,
# so its chunk may rank below the passages that merely use X; a definition of X is taken
# from this many hits (only a definition: the other hits beyond CANDIDATE_HITS are not quoted)
DEFINITION_HITS = 12
# a passage that has the form of the answer asked for (a duration for "berapa lama", an
# agent for "siapa", a list for "apa saja") weighs like one more shared word
CUE_BONUS = 0.1
# the retriever's order (dense + BM25 over the whole Pasal) as a prior on a unit's overlap
RANK_PRIOR = 0.15
STRICT_CUES = ("waktu", "lama", "jumlah")
LEGAL_BASIS_RATIO = 0.7
# the second legal basis (another regulation restating the first one's norm) may match the
# question's words less well: an implementing PP words the norm its own way
SECOND_BASIS_RATIO = 0.5
MIN_RESTATES = 0.2  # share of (stemmed) words in common with the first basis
MAX_PASAL = 2  # distinct Pasal quoted (an amended Pasal's two wordings count once)
MAX_CITATIONS = 3
# a further passage is cited only when its overlap is close to the best one; another
# Pasal than the best one's only when it is nearly as strong
SECOND_CITATION_RATIO = 0.85
SECOND_PASAL_RATIO = 0.95
# the other ayat of the best passage's Pasal are quoted with it down to this share of its
# score: a Pasal's ayat answer one matter between them (the deadline in one, who
# promulgates in the next). Measured on dev2, checked on dev (citation precision / keyword
# coverage; dev keyword coverage 1.0 throughout): 0.85 (as any other passage) dev2 0.667 /
# 0.584, dev 0.961; 0.6 0.687 / 0.604, 0.967; 0.4 0.694 / 0.604, 0.970; 0.2 0.698 / 0.604,
# 0.970. Flat from 0.4 down: the higher kept
SAME_PASAL_RATIO = 0.4
# "the best passage answers the question": it holds at least this idf-weighted share of
# the question's terms (measured on dev: 0.6 and 0.7 give the same answers, 0.5 none fewer)
PARTIAL_MATCH = 0.6
# a question asking for a value ("berapa rupiah", "tanggal berapa") is answered only by a
# passage stating one that covers at least this share of the best passage's coverage.
# Measured: dev answers are the same for any ratio from 0 to 0.9; on dev2 0.7 refuses 13 of
# the 18 must-refuse questions (0.5: 11, 0.3 and 0: 10) with the same 3 false refusals and the
# same citation precision, and 0.9 gives nothing more
VALUE_COVERAGE_RATIO = 0.7
# ... and the value must belong to the thing asked (the question without its value words,
# ``kb.evidence.thing_asked``): the passage stating it covers that thing at least this share
# of the best passage's coverage of it. Measured on dev2 (dev has no case between 0 and 1):
# answerable value questions 0.52 (lowest) to 1.0; must-refuse ones answered by another
# thing's duration or amount 0.11, 0.12, 0.23; the rest 0 or above 0.6
THING_COVERAGE_RATIO = 0.4

# --- extractive answers --------------------------------------------------------------


@dataclass
class _Unit:
    hit: Hit
    rank: int
    ayat: str | None
    text: str
    score: float = 0.0
    coverage: float = 0.0  # idf-weighted share of the question's terms the passage contains
    meta: dict[str, Any] = field(default_factory=dict)
    angka: str | None = None  # the number of a definition in a Ketentuan Umum list
    cued: bool = False  # has the form of the answer asked for (kb.intent.INTENT_CUES)


_ANGKA = re.compile(r"\n(?=\d{1,3}\.\s)")
NOTE_UNIT_CHARS = 1500  # a note's chunk (~200 tokens) is quoted whole: its lists stay whole


def _number(item: str) -> str | None:
    m = re.match(r"(\d{1,3})\.\s", item)
    return m.group(1) if m else None


def _units(hit: Hit, rank: int) -> list[_Unit]:
    """Quotable units of a hit: its ayat (enumerations whole), the angka of a definitions
    list, or for notes the whole chunk (split into lines only when long)."""
    p = hit.provenance
    body = hit.text
    if p.pasal and body.startswith(f"Pasal {p.pasal}"):
        body = body.split("\n", 1)[1] if "\n" in body else ""
    if p.pasal and p.section == SECTION_BODY:
        parts = [(label or None, text) for label, text in split_ayat(body) if text.strip()]
        if len(parts) == 1:
            items = [x.strip() for x in _ANGKA.split(parts[0][1]) if x.strip()]
            if len(items) >= 3:  # "Dalam Undang-Undang ini yang dimaksud dengan: 1. … 2. …"
                return [_Unit(hit, rank, None, x, angka=_number(x)) for x in items[1:]]
        return [_Unit(hit, rank, label, text) for label, text in parts]
    if len(body) <= NOTE_UNIT_CHARS:
        return [_Unit(hit, rank, None, body.strip())]
    lines = [x.strip() for x in re.split(r"\n+", body) if len(x.strip()) > 20]
    return [_Unit(hit, rank, None, x) for x in lines] or [_Unit(hit, rank, None, body)]


# Higher norms first when passages say the same (lex superior): a small bonus, below the
# weight of one shared rare word.
HIERARCHY_BONUS = {"UU": 0.03, "Perppu": 0.03, "PP": 0.02, "Perpres": 0.01}


def _hierarchy(regulation: str | None) -> float:
    return HIERARCHY_BONUS.get(str(regulation or "").split(" ")[0], 0.0)


def _prefer_higher_norms(units: list[_Unit]) -> list[_Unit]:
    """When two regulations state the same norm in (nearly) the same words (a PP restating
    its UU), keep the higher-level one at the better of the two scores."""
    kept: list[_Unit] = []
    for u in sorted(units, key=lambda x: -_hierarchy(x.hit.provenance.regulation)):
        words = set(re.findall(r"\w+", u.text.lower()))
        twin = next(
            (
                k
                for k in kept
                if len(words & (kw := set(re.findall(r"\w+", k.text.lower()))))
                >= 0.9 * max(len(words), len(kw), 1)
            ),
            None,
        )
        if twin is None:
            kept.append(u)
        else:
            twin.score = max(twin.score, u.score)
    return kept


def _family(u: _Unit) -> str:
    """A regulation and the acts amending it are one family: their wordings of a Pasal are
    paired by version, never cited as two separate legal bases."""
    return str(u.hit.provenance.family)


def _coverage(u: _Unit, terms: list[str], idf: Any) -> float:
    """The idf weight of the ``terms`` the passage holds, itself or in the headings above it
    (BAB, Bagian; the regulation's title does not count: "Peraturan Pelaksanaan …" says
    nothing of what a Pasal of PP 43/2014 holds). An enumeration answers through one of its
    items: words scattered over different items ("fasilitasi" in one, "pelaksanaan" in
    another) are no answer."""
    head = " ".join(u.hit.embed_text.split("\n", 1)[0].split(" | ")[1:])
    return max(
        sum(idf(t) for t in matched_terms(terms, analyse(item + " " + head))) for item in list_items(u.text)
    )


def _words(text: str) -> set[str]:
    return set(analyse(text))


def _legal_basis(units: list[_Unit]) -> list[_Unit]:
    """ "Dasar hukum" is answered as a lawyer would: the highest norm that speaks to the
    question first (a UU before its implementing PP), then at most one Pasal of another
    regulation at the same or a lower level: the one that restates the same norm (most
    words shared with the first, among the passages that match the question well)."""
    best = units[0].score
    strong = [u for u in units if u.score >= LEGAL_BASIS_RATIO * best]
    strong.sort(key=lambda u: (-_hierarchy(u.hit.provenance.regulation), -u.score))
    first = strong[0]
    level = _hierarchy(first.hit.provenance.regulation)
    others = [
        u
        for u in units
        if u.score >= SECOND_BASIS_RATIO * best
        and _family(u) != _family(first)
        and _hierarchy(u.hit.provenance.regulation) <= level
    ]
    if not others:
        return [first]
    base = _words(first.text)

    def restates(u: _Unit) -> float:
        words = _words(u.text)
        return len(base & words) / max(len(base | words), 1)

    second = max(others, key=lambda u: (restates(u), u.score))
    return [first, second] if restates(second) >= MIN_RESTATES else [first]


def _defines(text: str, terms: set[str]) -> bool:
    """Whether the passage is a definition of the question's term: "<term> … adalah …"."""
    head, copula, _ = text.partition(" adalah ")
    return bool(copula and terms) and terms <= set(analyse(head))


def _named_but_absent(named: str | None, docs: list[DocumentSummary]) -> str:
    """A regulation the question names ("PP 11/2019", or "Perda Provinsi Bali" by place
    only) when no indexed document is it or starts with it; "" otherwise."""
    if not named or not docs:
        return ""
    held = {d.regulation for d in docs if d.regulation}
    if named in held or any(r.startswith(named + " ") for r in held):
        return ""
    return named


def _pasal_key(u: _Unit) -> tuple[str, str]:
    p = u.hit.provenance
    return str(p.regulation), str(p.pasal)


class Sources(Protocol):
    """What answering needs of a knowledge base (:class:`kb.base.KnowledgeBase` is one):
    retrieval with its amendments resolved, term weights, the document list, the short names
    the texts define and what they repeal."""

    settings: Settings

    def retrieve(
        self, query: str, k: int | None = None, *, doc_type: str | None = None, regulation: str | None = None
    ) -> RetrievalResult: ...

    def idf(self, term: str) -> float: ...

    def documents(self) -> list[DocumentSummary]: ...

    def short_names(self) -> dict[str, list[str]]: ...

    def repeals(self) -> Repeals: ...


class Answerer:
    """Answers questions from a knowledge base (extractive by default)."""

    def __init__(self, kb: Sources, chat_model: Any = None) -> None:
        self.kb = kb
        self.chat_model = chat_model

    def ask(
        self,
        question: str,
        history: Sequence[str] = (),
        *,
        doc_type: str | None = None,
        regulation: str | None = None,
    ) -> Answer:
        return self.ask_stream(question, history, doc_type=doc_type, regulation=regulation).answer()

    def ask_stream(
        self,
        question: str,
        history: Sequence[str] = (),
        *,
        doc_type: str | None = None,
        regulation: str | None = None,
    ) -> AnswerStream:
        """The answer as it is made: the chat model's text as it grows (only with a chat
        model), then :meth:`AnswerStream.answer`, the checked :class:`Answer`."""
        return AnswerStream(self._events(question, history, doc_type, regulation))

    def _events(
        self, question: str, history: Sequence[str], doc_type: str | None, regulation: str | None
    ) -> Iterator[str | Answer]:
        standalone = self._standalone(question, list(history))
        result = self.kb.retrieve(standalone, DEFINITION_HITS, doc_type=doc_type, regulation=regulation)
        q = result.query
        intent = detect_intent(q.text, bool(q.pasal))
        pasal_found = bool(result.hits) and result.hits[0].ranks.match == "pasal"
        # a Pasal an indexed regulation repealed is no longer the law: not an answer (unless
        # the question asks for that very Pasal); the candidates stay those the retriever
        # ranked first, less the repealed ones
        repeals = self.kb.repeals()
        hits, further = (
            [h for h in part if pasal_found or not repeals.repealed(h.provenance)]
            for part in (result.hits[:CANDIDATE_HITS], result.hits[CANDIDATE_HITS:])
        )
        # the document list is read only when the question names a regulation, or to refuse
        regional = find_regional_name(q.text)
        named = q.regulations or ((regional,) if regional else ())
        docs = self.kb.documents() if named else None
        if docs and (absent := ", ".join(filter(None, (_named_but_absent(n, docs) for n in named)))):
            yield self._refusal(question, standalone, intent, "regulasi_tidak_ada", absent, docs)
            return
        if not hits or (not pasal_found and not self._enough_evidence(result)):
            yield self._refusal(question, standalone, intent, "bukti_lemah", docs=docs)
            return
        asked = None if pasal_found else asked_value(q.text)
        units = self._select(q.text, intent, hits, further, result.versions, asked, result.unknown_terms)
        if not units:
            yield self._refusal(
                question, standalone, intent, "nilai_tidak_ada", asked.kind if asked else "", docs
            )
            return
        evidence = (t for u in units for t in (u.text, u.hit.embed_text, u.hit.provenance.title))
        if not pasal_found and (
            absent_names := uncovered_names(standalone, evidence, result.unknown_terms, self.kb.short_names())
        ):
            names = ", ".join(f"“{n}”" for n in absent_names)
            yield self._refusal(question, standalone, intent, "nama_tidak_ada", names, docs)
            return
        extractive = self._compose(question, standalone, intent, units, self._lead(q.text, asked, units))
        if self.chat_model is None:
            yield extractive
            return
        from kb.llm import stream_answer

        yield from stream_answer(self.chat_model, extractive, hits)

    def _standalone(self, question: str, history: list[str]) -> str:
        """Follow-ups stand alone: rewritten by the chat model when there is one, by rules
        otherwise (or when the model fails)."""
        if self.chat_model is not None and history:
            from kb.llm import rewrite_question

            rewritten = rewrite_question(self.chat_model, question, history)
            if rewritten:
                return rewritten
        return standalone_question(question, history)

    @staticmethod
    def _enough_evidence(result: RetrievalResult) -> bool:
        return result.top_dense_score >= MIN_DENSE

    def _refusal(
        self,
        question: str,
        standalone: str,
        intent: str,
        reason: str,
        detail: str = "",
        docs: list[DocumentSummary] | None = None,
    ) -> Answer:
        """A refusal that says why, what the index holds, and what the pack lacks."""
        docs = self.kb.documents() if docs is None else docs
        if not docs:
            cover = (
                "Basis pengetahuan masih kosong: masukkan dokumen lebih dulu (`kb ingest`, atau unggah "
                "di tab Dokumen aplikasi)"
            )
            return Answer(
                question,
                standalone,
                f"{REFUSAL} {cover}.",
                True,
                intent=intent,
                refusal_reason="indeks_kosong",
            )
        why = {
            "regulasi_tidak_ada": f"{detail} belum ada di basis pengetahuan.",
            "nilai_tidak_ada": f"Tidak ada ketentuan yang menyebut {detail} untuk hal yang ditanyakan.",
            "nama_tidak_ada": f"Bagian yang paling dekat tidak menyebut {detail}.",
        }.get(reason, "")
        regs = sorted({d.regulation for d in docs if d.regulation})
        notes = [d.title for d in docs if d.doc_type != "regulasi"]
        cover = "Basis pengetahuan ini memuat regulasi tentang desa dan kerja sama desa"
        if regs:
            cover += f" ({', '.join(regs)})"
        if notes:
            cover += f" serta {len(notes)} catatan/arah kebijakan"
        missing = missing_from_pack(
            self.kb.settings.manifest_path, self.kb.settings.regulation_dir, set(regs)
        )
        if missing:
            cover += ". " + pack_note(missing)
        text = " ".join(x for x in (REFUSAL, why, f"{cover}.") if x)
        return Answer(question, standalone, text, True, intent=intent, refusal_reason=reason)

    def _select(
        self,
        query_text: str,
        intent: str,
        hits: list[Hit],
        further: Sequence[Hit] = (),
        versions: dict[str, tuple[Hit, ...]] | None = None,
        asked: Asked | None = None,
        unknown: Sequence[str] = (),
    ) -> list[_Unit]:
        """The passages to quote, best first; none when the question asks for a value
        (``kb.evidence``) that no passage answering it states."""
        versions = versions or {}
        idf = self.kb.idf
        # the words that frame the question ("dasar hukum", "apa saja") are not its content
        ordered = analyse(FRAMING.sub(" ", query_text)) or analyse(query_text)
        terms = set(ordered)
        # a word no indexed passage uses (chat words, slang, typos) cannot be covered by
        # any: a passage's coverage is its share of the words the corpus knows
        known = terms - set(unknown)
        total = sum(idf(t) for t in (known or terms)) or 1.0
        units = [u for rank, h in enumerate(hits) for u in _units(h, rank)]
        if intent == "definisi":
            units += [
                u
                for rank, h in enumerate(further, len(hits))
                for u in _units(h, rank)
                if _defines(u.text, terms)
            ]
        # the law answers "dasar hukum"; notes give the examples
        wanted = {"dasar_hukum": True, "contoh": False}.get(intent)
        if wanted is not None and any(u.hit.provenance.is_regulation == wanted for u in units):
            units = [u for u in units if u.hit.provenance.is_regulation == wanted]
        # "Ketentuan lebih lanjut … diatur dengan …" delegates the matter: it answers where
        # a matter is regulated (dasar hukum), never what the rule is
        if intent != "dasar_hukum" and any(not DELEGATION.match(u.text) for u in units):
            units = [u for u in units if not DELEGATION.match(u.text)]
        cue = INTENT_CUES.get(intent)
        for u in units:
            u.cued = bool(cue and re.search(cue, u.text, re.IGNORECASE))
        # what the question asks the value of, and how well the passages speak of it (all of
        # them: the passages about the thing may hold no value of the form asked)
        thing = [t for t in analyse(thing_asked(FRAMING.sub(" ", query_text))) if t not in unknown]
        about = {id(u): _coverage(u, thing, idf) for u in units} if asked and thing else {}
        # "berapa lama" is answered by a duration, "berapa kali" by a count: when some
        # passages have that form, the others cannot be the answer
        if intent in STRICT_CUES and any(u.cued for u in units):
            units = [u for u in units if u.cued]
        for u in units:
            u.coverage = u.score = _coverage(u, ordered, idf) / total
            u.score += RANK_PRIOR / (1 + u.rank)  # the retriever's order as a prior
            u.score += _hierarchy(u.hit.provenance.regulation)
            if u.cued:
                u.score += CUE_BONUS
        if intent == "isi_pasal":
            top = hits[0]
            return [u for u in units if u.hit.chunk_id == top.chunk_id]
        if asked is not None:
            # the value asked for must stand in a passage about the thing asked: one that
            # covers the question nearly as well as the best passage does
            valued = [u for u in units if holds(asked, u.text)]
            widest = max(u.coverage for u in units)
            if not valued or max(u.coverage for u in valued) < VALUE_COVERAGE_RATIO * widest:
                return []
            if about and max(about[id(u)] for u in valued) < THING_COVERAGE_RATIO * max(about.values()):
                return []
            units = valued
        units = _prefer_higher_norms(units)
        units.sort(key=lambda u: -u.score)
        if intent == "definisi":
            # a term is defined where it stands before "adalah" ("Badan Permusyawaratan Desa
            # … adalah lembaga …", the Ketentuan Umum), and by the act that establishes it:
            # among the passages that define it as fully as the best one, the highest norm
            # comes first (a UU before the PP that repeats its definition), whatever the
            # retriever's near-tie order
            full = units[0].coverage
            first = min(
                units,
                key=lambda u: (
                    not _defines(u.text, terms),
                    u.coverage < full or not u.cued,
                    -_hierarchy(u.hit.provenance.regulation),
                    -u.score,
                ),
            )
            units = [first, *(u for u in units if u is not first)]
        if intent == "dasar_hukum":
            return self._with_versions(_legal_basis(units), versions)
        # a note restates the law: when regulations answer the question as fully as the
        # note does, the highest of them is the answer, the note at most a further passage
        if not units[0].hit.provenance.is_regulation:
            full = units[0].coverage
            law = [u for u in units if u.hit.provenance.is_regulation and u.coverage >= full]
            if law:
                first = min(law, key=lambda u: (-_hierarchy(u.hit.provenance.regulation), -u.score))
                units = [first, *(u for u in units if u is not first)]
        best = units[0]
        chosen = [best]
        # when even the best passage answers only part of the question, quoting more
        # partial matches multiplies the chance of citing a wrong Pasal: quote the best only
        for u in units[1:] if best.coverage >= PARTIAL_MATCH else []:
            if len(chosen) >= MAX_CITATIONS:
                break
            same_pasal = _pasal_key(u) == _pasal_key(best)
            ratio = SAME_PASAL_RATIO if same_pasal and best.hit.provenance.pasal else SECOND_CITATION_RATIO
            if u.score < ratio * best.score:
                continue
            # another Pasal is cited only when it is nearly as strong as the best
            if not same_pasal and u.score < SECOND_PASAL_RATIO * best.score:
                continue
            if not same_pasal and len({_pasal_key(c) for c in chosen} | {_pasal_key(u)}) > MAX_PASAL:
                continue
            if any(c.hit.chunk_id == u.hit.chunk_id and c.ayat == u.ayat for c in chosen):
                continue
            chosen.append(u)
        chosen = self._with_versions(chosen, versions)
        # regulations before notes, each in the order chosen
        return sorted(chosen, key=lambda u: not u.hit.provenance.is_regulation)[: MAX_CITATIONS + 1]

    @staticmethod
    def _with_versions(chosen: list[_Unit], versions: dict[str, tuple[Hit, ...]]) -> list[_Unit]:
        """An amended Pasal is quoted in its newest wording first, then as it stood before
        (the wordings paired by retrieval, ``RetrievalResult.versions``)."""
        out: list[_Unit] = []
        for u in chosen:
            p = u.hit.provenance
            other = list(versions.get(u.hit.chunk_id, ()))
            if p.amended_by:
                pair = [*Answerer._matching_units(other, u), u]
            elif p.amends:
                pair = [u, *Answerer._matching_units(other, u)]
            else:
                pair = [u]
            for x in pair:
                if not any(x.hit.chunk_id == y.hit.chunk_id and x.ayat == y.ayat for y in out):
                    out.append(x)
        return out

    @staticmethod
    def _matching_units(hits: list[Hit], like: _Unit) -> list[_Unit]:
        units = [x for h in hits for x in _units(h, like.rank)]
        same = [x for x in units if x.ayat == like.ayat] or units[:1]
        for x in same:
            x.score = like.score
        return same[:1]

    @staticmethod
    def _lead(question: str, asked: Asked | None, units: list[_Unit]) -> str | None:
        """A short lead sentence when the first quote, from a regulation, answers the
        question directly (``kb.lead``); None otherwise."""
        first = units[0]
        p = first.hit.provenance
        if not (p.is_regulation and p.regulation and p.pasal) or p.amended_by:
            return None  # a note, or a wording that has since changed
        label = f"{source_label(p, first.ayat, first.angka)} [1]"
        return value_lead(asked, first.text, label, first.coverage) or polar_lead(
            question, first.text, label, first.coverage
        )

    def _compose(
        self, question: str, standalone: str, intent: str, units: list[_Unit], lead: str | None = None
    ) -> Answer:
        citations: list[Citation] = []
        lines: list[str] = [lead] if lead else []
        dasar: list[str] = []
        repeals = self.kb.repeals()
        for n, u in enumerate(units, 1):
            p = u.hit.provenance
            label = source_label(p, u.ayat, u.angka)
            citations.append(
                Citation.from_hit(u.hit, n, text=u.text, ayat=u.ayat, label=label, angka=u.angka)
            )
            if by := repeals.repealed_by(p):  # asked for by number: shown, but not as the law
                line = f"{label} [{n}] telah dicabut oleh {by}; sebelum dicabut berbunyi: “{u.text}”"
            elif p.regulation and p.pasal and p.is_regulation:
                entry = legal_citation(p, u.ayat, u.angka)
                if p.amends:
                    entry += f" (mengubah {p.amends})"
                if entry not in dasar:
                    dasar.append(entry)
                lead = "Menurut" if n == 1 else "Selain itu, menurut"
                if p.amends:
                    lead += " ketentuan terbaru,"
                line = f"{lead} {label} [{n}]: “{u.text}”"
                if p.amended_by:
                    line = f"Sebelum diubah oleh {p.amended_by}, {label} [{n}] berbunyi: “{u.text}”"
            else:
                line = f"Menurut {label[0].lower() + label[1:]} [{n}] (bukan peraturan): “{u.text}”"
            lines.append(line)
        return Answer(
            question=question,
            standalone_question=standalone,
            answer="\n\n".join(lines),
            refused=False,
            citations=tuple(citations),
            dasar_hukum=tuple(dasar),
            intent=intent,
        )
