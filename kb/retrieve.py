"""Hybrid retrieval with the rules of legal search.

1. The question is normalised (``kb.query``); a regulation or Pasal it names is parsed.
2. Dense (Chroma) and BM25 rankings over the same chunks are fused by reciprocal rank
   fusion: ``score = Σ w / (RRF_K + rank)``. RRF_K = 60 is the constant of Cormack et al.
   (2009); it keeps one retriever's top rank from swamping the other's.
   A chunk's dense score is the best cosine of the chunk itself and of its norm units (each
   ayat or list item with its lead-in, ``kb.legaltext``): a Pasal is as relevant as its most
   relevant norm, which one vector for a sixteen-item list cannot show.
3. Legal ranking rules on the fused list:
   * Penjelasan and konsiderans chunks are demoted (× SECTION_WEIGHT) so explanations
     and preambles never crowd out the body;
   * a regulation named in the question lifts its own chunks (and those amending it), every
     one it names ("… dalam PP 43/2014 masih berlaku setelah PP 11/2021?");
   * a Pasal named in the question is looked up by exact metadata and returned first;
   * an amended Pasal: every version carries ``amended_by`` (the newer regulations), and
     the newest wording is placed right before the older one;
   * on an exact tie a regulation outranks a webinar note or policy direction.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from kb.embedder import Embedder
from kb.lexical import LexicalIndex
from kb.query import ParsedQuery, normalise, regulation_year
from kb.repeal import REPEAL_WORD, Repeals, repealed_in
from kb.settings import Settings
from kb.store import Store
from kb.types import SECTION_BODY, SECTION_EXPLANATION, SECTION_PREAMBLE, Filters, Hit, Ranks

log = logging.getLogger(__name__)

SECTION_WEIGHT = {SECTION_BODY: 1.0, SECTION_EXPLANATION: 0.5, SECTION_PREAMBLE: 0.3}
# a tie-breaker far below any rank step (1/61 - 1/62 ≈ 2.6e-4): regulations before notes
BINDING_BONUS = 1e-6


@dataclass(frozen=True)
class FusionConfig:
    """Constants of the fusion; measured on the dev set by ``bench/fusion_grid.py``.

    Dense retrieval is the stronger retriever here (e5 alone: Recall@5 0.93, BM25 alone
    0.89 on the dev set), so its ranks weigh 1.5 against BM25's 1.0; across the measured
    grid (RRF k 20/60, weights 1-1.5 / 0.5-1) Recall@5 stays 0.964 and MRR moves within
    0.81-0.86, so the plain k = 60 is kept rather than the single best cell.
    """

    rrf_k: int = 60
    candidates: int = 50  # taken from each retriever before fusion
    # norm units read per dense query: the best unit of each of the candidates and more
    # (on the dev set 50, 100 and 150 rank identically)
    unit_candidates: int = 100
    dense_weight: float = 1.5
    lexical_weight: float = 1.0
    named_regulation_boost: float = 1.5


@dataclass
class RetrievalResult:
    query: ParsedQuery
    hits: list[Hit]
    timings: dict[str, float] = field(default_factory=dict)
    top_dense_score: float = 0.0  # cosine of the nearest chunk: evidence for refusals
    unknown_terms: tuple[str, ...] = ()  # query terms the corpus never uses
    # for a hit of an amended Pasal: the chunks of the wording it is quoted with (the
    # newest one for an old wording, the amended one for an amending act's)
    versions: dict[str, tuple[Hit, ...]] = field(default_factory=dict)


class HybridRetriever:
    """Dense + BM25 retrieval over one store, kept in step with it."""

    def __init__(
        self, settings: Settings, store: Store, embedder: Embedder, config: FusionConfig | None = None
    ) -> None:
        self.settings = settings
        self.config = config or FusionConfig()
        self.store = store
        self.embedder = embedder
        self.lexical = LexicalIndex(settings.data_dir / "lexical" / store.name)
        self._versions: dict[tuple[str, str], list[str]] | None = None
        self._ready = False
        self._stamp: tuple[int, int] | None = None
        self._generation: str | None = None  # the store generation the BM25 index matches
        self._active: dict[str, str] = {}  # source -> the version readers see (kb.store)
        self.repeals = Repeals()  # what the indexed closing provisions repeal (kb.repeal)
        self._refresh_lock = threading.Lock()

    # -- keeping BM25 in step ------------------------------------------------------------

    def refresh(self, force: bool = False, generation: str | None = None) -> bool:
        """Make the BM25 index match the store; True when it had to be rebuilt.

        The check reads only the store's ids; documents are read only to rebuild. The new
        index is swapped in whole, so searches running meanwhile see the old or the new one,
        never a mix. The generation is read before the ids: a write landing during the
        rebuild changes it again, and the next search refreshes once more."""
        from kb.lexical import fingerprint

        with self._refresh_lock:
            generation = self.store.generation() if generation is None else generation
            fresh = LexicalIndex(self.lexical.directory, self.lexical.k1, self.lexical.b)
            rebuilt = force or not fresh.load() or fresh.fingerprint != fingerprint(self.store.ids())
            if rebuilt:
                chunks = self.store.all_chunks()
                log.info("rebuilding the BM25 index (%d chunks)", len(chunks))
                fresh.build(
                    [h.chunk_id for h in chunks],
                    [h.embed_text for h in chunks],
                    [h.metadata for h in chunks],
                )
                fresh.save()
            self._learn_versions(fresh.meta)
            self._active = self.store.active_versions()
            self.repeals = self._learn_repeals()
            self.lexical = fresh
            self._stamp = fresh.stamp()
            self._generation = generation
            return rebuilt

    def _learn_repeals(self) -> Repeals:
        """The Pasal the indexed regulations' closing provisions repeal (their active versions)."""
        repeals = Repeals()
        for hit in self._active_only(self.store.containing(REPEAL_WORD, section=SECTION_BODY)):
            p = hit.provenance
            for regulation, pasal in repealed_in(hit.text):
                by = f"{p.regulation} Pasal {p.pasal}" if p.pasal else str(p.regulation)
                repeals.add(str(regulation), pasal, by)
        return repeals

    def _learn_versions(self, meta: dict[str, list[str]]) -> None:
        """Which regulations hold a wording of each amended (regulation, Pasal), oldest first."""
        versions: dict[tuple[str, str], list[str]] = defaultdict(list)
        for reg, pasal, amends, section in zip(
            meta["regulation"], meta["pasal"], meta["amends"], meta["section"], strict=True
        ):
            if amends and pasal and section == SECTION_BODY:
                key = (amends, pasal)
                if not versions[key]:
                    versions[key].append(amends)
                if reg not in versions[key]:
                    versions[key].append(reg)
        for chain in versions.values():
            chain.sort(key=regulation_year)
        self._versions = dict(versions)
        self._ready = True

    def _ensure_ready(self) -> None:
        # Another process may have changed the index: a CLI ingest beside the running app
        # (it saves a new BM25 file: one stat notices it) or another replica writing to the
        # same Chroma server (one read of the store generation notices it).
        generation = self.store.generation()
        if not self._ready or generation != self._generation or self.lexical.stamp() != self._stamp:
            self.refresh(generation=generation)

    def in_sync(self) -> bool:
        """Whether the BM25 index saved in this data directory holds exactly the store's
        chunks (reads the ids; rebuilds nothing: the next search would)."""
        from kb.lexical import fingerprint

        saved = LexicalIndex(self.lexical.directory, self.lexical.k1, self.lexical.b)
        return saved.load() and saved.fingerprint == fingerprint(self.store.ids())

    # -- searching -----------------------------------------------------------------------

    def dense(self, text: str, k: int, filters: Filters | None = None) -> list[Hit]:
        vector = self.embedder.embed_queries([text])[0]
        return self.store.query(vector, k, filters)

    def search(
        self,
        question: str,
        k: int | None = None,
        *,
        doc_type: str | None = None,
        regulation: str | None = None,
        section: str | None = None,
    ) -> RetrievalResult:
        import time

        self._ensure_ready()
        k = k or self.settings.search_k
        q = normalise(question)
        timings: dict[str, float] = {}
        if not q.text:
            return RetrievalResult(q, [], timings)
        filters = Filters(doc_type, regulation, section)
        t0 = time.perf_counter()
        vector = self.embedder.embed_queries([q.text])[0]
        t1 = time.perf_counter()
        dense, known, top_dense = self._dense_with_units(vector, filters)
        t2 = time.perf_counter()
        lexical = self.lexical.search(q.text, self.config.candidates, filters)
        t3 = time.perf_counter()
        hits = self._active_only(self._fuse(q, dense, known, lexical))
        hits = self._active_only(self._lookup_pasal(q, hits, filters))
        hits = self._apply_amendments(hits, filters)
        t4 = time.perf_counter()
        timings.update(
            {
                "embed_ms": (t1 - t0) * 1e3,
                "chroma_ms": (t2 - t1) * 1e3,
                "bm25_ms": (t3 - t2) * 1e3,
                "fusion_ms": (t4 - t3) * 1e3,
            }
        )
        return RetrievalResult(
            q,
            hits[:k],
            timings,
            top_dense_score=top_dense,
            unknown_terms=tuple(self.lexical.unknown_terms(q.text)),
            versions=self._other_wordings(hits[:k]),
        )

    def _active_only(self, hits: list[Hit]) -> list[Hit]:
        """Drop chunks of a document's other version while a new one is being switched in."""
        active = self._active
        if not active:
            return hits
        return [
            h
            for h in hits
            if active.get(h.provenance.source, h.provenance.file_hash) == h.provenance.file_hash
        ]

    def _other_wordings(self, hits: list[Hit]) -> dict[str, tuple[Hit, ...]]:
        """Each amended Pasal's partner wording (``RetrievalResult.versions``), whatever
        the filters: the answer quotes the law as it stands beside the wording found."""
        out: dict[str, tuple[Hit, ...]] = {}
        for h in hits:
            p = h.provenance
            partner = p.amended_by.split(", ")[-1] if p.amended_by else p.amends
            if partner and p.pasal:
                out[h.chunk_id] = tuple(self.version_hits(partner, p.pasal, hits))
        return out

    def _dense_with_units(
        self, vector: Any, filters: Filters
    ) -> tuple[list[tuple[str, float]], dict[str, Hit], float]:
        """Dense candidates as (chunk id, max(chunk cosine, best unit cosine)), best first;
        the chunks the query already read (by id); and the top chunk cosine alone (the
        refusal thresholds of ``kb.answer`` are set on it). A chunk found through a unit
        only is read later, together with BM25's (``_fuse``)."""
        chunks = self.store.query(vector, self.config.candidates, filters)
        best = {h.chunk_id: h.score for h in chunks}
        for parent, score in self.store.query_units(vector, self.config.unit_candidates, filters):
            if score > best.get(parent, -2.0):
                best[parent] = score
        ranked = sorted(best.items(), key=lambda item: -item[1])[: self.config.candidates]
        return ranked, {h.chunk_id: h for h in chunks}, chunks[0].score if chunks else 0.0

    def _fuse(
        self, q: ParsedQuery, ranked: list[tuple[str, float]], known: dict[str, Hit], lexical: list[Any]
    ) -> list[Hit]:
        by_id = dict(known)
        # one read for the chunks either retriever found that the dense query did not return
        wanted = [cid for cid, _ in ranked] + [h.chunk_id for h in lexical]
        missing = [cid for cid in dict.fromkeys(wanted) if cid not in by_id]
        if missing:
            by_id.update((h.chunk_id, h) for h in self.store.get_ids(missing))
        dense = [(cid, score) for cid, score in ranked if cid in by_id]
        dense_rank = {cid: r for r, (cid, _) in enumerate(dense, 1)}
        lexical_rank = {h.chunk_id: r for r, h in enumerate(lexical, 1)}
        scores: dict[str, float] = defaultdict(float)
        c = self.config
        for cid, r in dense_rank.items():
            scores[cid] += c.dense_weight / (c.rrf_k + r)
        for cid, r in lexical_rank.items():
            scores[cid] += c.lexical_weight / (c.rrf_k + r)
        fused: list[Hit] = []
        for cid, s in scores.items():
            hit = by_id.get(cid)
            if hit is None:
                continue
            p = hit.provenance
            s *= SECTION_WEIGHT.get(p.section or SECTION_BODY, 1.0)
            if {p.regulation, p.amends} & set(q.regulations):
                s *= c.named_regulation_boost
            if p.is_regulation:
                s += BINDING_BONUS
            fused.append(hit.with_score(s, Ranks(dense_rank.get(cid), lexical_rank.get(cid))))
        fused.sort(key=lambda h: -h.score)
        return fused

    def _lookup_pasal(self, q: ParsedQuery, hits: list[Hit], filters: Filters) -> list[Hit]:
        if not q.pasal:
            return hits
        named = {"regulation": q.regulation, "amends": q.regulation} if q.regulation else None
        exact = self.store.find(filters, any_of=named, pasal=q.pasal, section=SECTION_BODY)
        if not exact:
            return hits
        rank = {h.chunk_id: i for i, h in enumerate(hits)}
        fused = {h.chunk_id: h.ranks for h in hits}
        top = hits[0].score if hits else 1.0
        # order: fused rank where present, else the order of the document (chunk index)
        exact.sort(
            key=lambda h: (
                rank.get(h.chunk_id, len(hits)),
                -regulation_year(h.provenance.regulation),
                h.index,
            )
        )
        first = [
            h.with_score(top + 1.0, replace(fused.get(h.chunk_id, Ranks()), match="pasal")) for h in exact
        ]
        ids = {h.chunk_id for h in first}
        return first + [h for h in hits if h.chunk_id not in ids]

    def _apply_amendments(self, hits: list[Hit], filters: Filters) -> list[Hit]:
        versions = self._versions or {}
        if not versions:
            return hits
        out: list[Hit] = []
        placed: set[str] = set()
        for hit in hits:
            if hit.chunk_id in placed:
                continue
            p = hit.provenance
            pasal = p.pasal or ""
            base = p.family or ""
            chain = versions.get((base, pasal)) if pasal and p.section == SECTION_BODY else None
            if not chain:
                out.append(hit)
                placed.add(hit.chunk_id)
                continue
            own = str(p.regulation)
            newer = [r for r in chain if regulation_year(r) > regulation_year(own)]
            # the newest wording goes first, then this one
            for reg in reversed(newer):
                for nh in self.version_hits(reg, pasal, hits, filters):
                    if nh.chunk_id not in placed:
                        out.append(nh)
                        placed.add(nh.chunk_id)
            out.append(hit.with_score(hit.score, amended_by=", ".join(newer)) if newer else hit)
            placed.add(hit.chunk_id)
        return out

    def version_hits(
        self, regulation: str, pasal: str, hits: list[Hit], filters: Filters | None = None
    ) -> list[Hit]:
        """The body chunks of ``regulation``'s Pasal ``pasal``: from ``hits`` when there,
        else from the store (one wording of an amended Pasal)."""
        present = [
            h
            for h in hits
            if h.provenance.regulation == regulation
            and h.provenance.pasal == pasal
            and h.provenance.section == SECTION_BODY
        ]
        if present:
            return present
        found = self.store.find(filters, regulation=regulation, pasal=pasal, section=SECTION_BODY)
        return [h.with_score(0.0, Ranks(match="amendment")) for h in found]
