"""The knowledge base as one object: settings, embedder and store wired together, with the
read operations the CLI and the app share (search, stats). Heavy parts load lazily."""

from __future__ import annotations

from typing import Any

from kb.embedder import Embedder, make_embedder
from kb.repeal import Repeals
from kb.retrieve import HybridRetriever, RetrievalResult
from kb.settings import Settings
from kb.store import Store
from kb.types import SECTION_BODY, DocumentSummary, Hit

# A term that more than half the passages hold marks nothing in a passage ("desa", "pasal").
# Measured on the reference index (650 chunks): the terms of the 100 dev questions sit at
# <= 0.3 of the chunks (821 uses) or >= 0.6 (147: desa 0.73, atur 0.62), 32 in between.
COMMON_TERM_SHARE = 0.5


class KnowledgeBase:
    """Entry point of the library: ``KnowledgeBase(Settings()).search("psl 92 uu desa")``."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.embedder = embedder or make_embedder(settings)
        self.store = Store(settings, self.embedder)
        self.retriever = HybridRetriever(settings, self.store, self.embedder)

    def search(
        self,
        query: str,
        k: int | None = None,
        *,
        doc_type: str | None = None,
        regulation: str | None = None,
        section: str | None = None,
    ) -> list[Hit]:
        """Hybrid retrieval (dense + BM25, legal ranking rules): the best ``k`` chunks."""
        return self.retrieve(query, k, doc_type=doc_type, regulation=regulation, section=section).hits

    def retrieve(
        self,
        query: str,
        k: int | None = None,
        *,
        doc_type: str | None = None,
        regulation: str | None = None,
        section: str | None = None,
    ) -> RetrievalResult:
        """Like :meth:`search`, with the parsed query and timings."""
        return self.retriever.search(query, k, doc_type=doc_type, regulation=regulation, section=section)

    def idf(self, term: str) -> float:
        """The weight of a (stemmed) term in the indexed texts (BM25's idf)."""
        return self.retriever.lexical.idf(term)

    def repeals(self) -> Repeals:
        """What the indexed regulations' closing provisions repeal (``kb.repeal``), as of the
        last search."""
        return self.retriever.repeals

    def short_names(self) -> dict[str, list[str]]:
        """The short names the indexed texts define, lower-cased, with their full names
        ("bum desa" -> ["Badan Usaha Milik Desa"])."""
        return self.retriever.lexical.short_names

    def distinctive_terms(self, text: str) -> frozenset[str]:
        """The stemmed terms of ``text`` that tell passages apart (what a card highlights)."""
        from kb.lexical import analyse

        lexical = self.retriever.lexical
        return frozenset(t for t in analyse(text) if lexical.share(t) <= COMMON_TERM_SHARE)

    def whole_pasal(self, hit: Hit) -> str:
        """The full text of the Pasal a hit belongs to (a long Pasal spans several chunks)."""
        p = hit.provenance
        if p.section != SECTION_BODY or not p.pasal:
            return hit.text
        parts = self.store.find(source=p.source, pasal=p.pasal, section=SECTION_BODY, file_hash=p.file_hash)
        if len(parts) <= 1:
            return hit.text
        return "\n".join(part.text for part in sorted(parts, key=lambda part: part.chunk_id))

    def documents(self) -> list[DocumentSummary]:
        """The indexed documents with their chunk and Pasal counts (kept by the store: no
        chunk is read)."""
        return self.store.documents()

    def stats(self, docs: list[DocumentSummary] | None = None, *, sync: bool = True) -> dict[str, Any]:
        """Counts, model and index location; ``docs`` when the caller already read them.
        ``sync`` adds whether this data directory's BM25 cache matches the store (it reads
        every chunk id, so a page load skips it)."""
        docs = self.documents() if docs is None else docs
        out = {
            "chunks": sum(d.chunks for d in docs),
            "documents": [d.to_json() for d in docs],
            "embedding_model": self.embedder.model_id,
            "embedder": self.settings.embedder,
            "collection": self.store.name,
            "index_location": self.store.location,
            # another replica's write changes the generation; this data directory's BM25
            # cache is in sync when it holds exactly the store's chunks
            "generation": self.store.generation(),
        }
        if sync:
            out["bm25_in_sync"] = self.retriever.in_sync()
        return out
