"""The knowledge base as one object: settings, embedder and store wired together, with the
read operations the CLI and the app share (search, stats). Heavy parts load lazily."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from kb.embedder import Embedder, make_embedder
from kb.retrieve import HybridRetriever, RetrievalResult
from kb.settings import Settings
from kb.store import Store
from kb.types import SECTION_BODY, Hit


@dataclass(frozen=True)
class DocumentSummary:
    source: str
    title: str
    doc_type: str
    regulation: str | None
    chunks: int
    pasal: int
    ingested_at: str | None
    duplicates: str = ""  # other file names with the same bytes
    # the ingest's structure check (``ingest.structure``); None where it did not apply
    pasal_found: int | None = None
    pasal_expected: int | None = None
    gaps: tuple[str, ...] = ()
    pages_without_text: tuple[int, ...] = ()
    ocr_pages: tuple[int, ...] = ()
    structure_ok: bool | None = None
    structure_problems: str = ""

    def to_json(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        for key in ("gaps", "pages_without_text", "ocr_pages"):
            out[key] = list(out[key])
        return out


def _listed(value: Any, cast: type = str) -> tuple[Any, ...]:
    """', '-joined metadata back to a tuple."""
    return tuple(cast(v) for v in str(value or "").split(", ") if v)


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

    def whole_pasal(self, hit: Hit) -> str:
        """The full text of the Pasal a hit belongs to (a long Pasal spans several chunks)."""
        m = hit.metadata
        if m.get("section") != SECTION_BODY or not m.get("pasal"):
            return hit.text
        parts = self.store.get(
            {"$and": [{"source": m.get("source")}, {"pasal": m["pasal"]}, {"section": SECTION_BODY}]}
        )
        parts = [p for p in parts if p.metadata.get("file_hash") == m.get("file_hash")]
        if len(parts) <= 1:
            return hit.text
        return "\n".join(p.text for p in sorted(parts, key=lambda p: p.chunk_id))

    def documents(self) -> list[DocumentSummary]:
        """The indexed documents with their chunk and Pasal counts."""
        per: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for hit in self.store.all_chunks():
            per[str(hit.metadata.get("source"))].append(hit.metadata)
        out = []
        for source, metas in sorted(per.items()):
            first = metas[0]
            pasal = {m["pasal"] for m in metas if m.get("pasal") and m.get("section") == "batang_tubuh"}
            out.append(
                DocumentSummary(
                    source=source,
                    title=str(first.get("title", source)),
                    doc_type=str(first.get("doc_type", "lainnya")),
                    regulation=first.get("regulation"),
                    chunks=len(metas),
                    pasal=len(pasal),
                    ingested_at=first.get("ingested_at"),
                    duplicates=str(first.get("duplicates") or ""),
                    pasal_found=first.get("pasal_found"),
                    pasal_expected=first.get("pasal_expected"),
                    gaps=_listed(first.get("structure_gaps")),
                    pages_without_text=_listed(first.get("pages_without_text"), int),
                    ocr_pages=_listed(first.get("ocr_pages"), int),
                    structure_ok=first.get("structure_ok"),
                    structure_problems=str(first.get("structure_problems") or ""),
                )
            )
        return out

    def stats(self, docs: list[DocumentSummary] | None = None) -> dict[str, Any]:
        """Counts, model and index location; ``docs`` when the caller already read them."""
        docs = self.documents() if docs is None else docs
        return {
            "chunks": sum(d.chunks for d in docs),
            "documents": [d.to_json() for d in docs],
            "embedding_model": self.embedder.model_id,
            "embedder": self.settings.embedder,
            "collection": self.store.name,
            "index_location": self.store.location,
        }
