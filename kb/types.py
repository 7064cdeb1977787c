"""The things that flow through the pipeline: pages, documents, chunks, search hits, and the
answers with their citations."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any


class DocType(StrEnum):
    """What a document is; a plain string where it is stored (Chroma metadata, JSON)."""

    REGULASI = "regulasi"
    WEBINAR = "webinar"
    KEBIJAKAN = "kebijakan"
    LAINNYA = "lainnya"


class Section(StrEnum):
    """The part of a regulation a passage comes from."""

    BODY = "batang_tubuh"
    EXPLANATION = "penjelasan"
    PREAMBLE = "konsiderans"


DOC_TYPES = tuple(t.value for t in DocType)
SECTION_BODY = Section.BODY
SECTION_EXPLANATION = Section.EXPLANATION
SECTION_PREAMBLE = Section.PREAMBLE


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


# Provenance's optional text fields, stored under their own names
_TEXT_FIELDS = (
    "path", "regulation", "tentang", "date", "event", "speaker", "organizer", "bab", "bagian",
    "paragraf", "pasal", "ayat", "heading", "amends", "perubahan", "amended_by", "penjelasan",
)  # fmt: skip


@dataclass(frozen=True)
class Provenance:
    """Where a passage comes from, typed: the one reading of a chunk's stored metadata
    (``kb.store`` writes it flat to Chroma, ``Hit.provenance`` reads it back)."""

    source: str  # the file's name under its corpus folder: the document's identity
    title: str
    doc_type: DocType
    file_hash: str = ""
    path: str | None = None  # where the file was read from
    regulation: str | None = None
    tentang: str | None = None
    date: str | None = None  # a note's date
    event: str | None = None  # a note's event, speaker and organiser
    speaker: str | None = None
    organizer: str | None = None
    # where in the document
    section: Section | None = None
    bab: str | None = None
    bagian: str | None = None
    paragraf: str | None = None
    pasal: str | None = None
    ayat: str | None = None
    heading: str | None = None  # a note's Markdown headings
    page: int | None = None
    amends: str | None = None  # the regulation an amending Pasal changes, and how
    perubahan: str | None = None
    amended_by: str | None = None  # set by retrieval: the newer wordings of this Pasal
    penjelasan: str | None = None  # the Pasal's Penjelasan, carried along (never embedded)
    ocr: bool = False

    @classmethod
    def from_metadata(cls, m: dict[str, Any]) -> Provenance:
        doc_type = str(m.get("doc_type") or DocType.LAINNYA)
        section = str(m.get("section") or "")
        text = {f: _text(m.get(f)) for f in _TEXT_FIELDS}
        return cls(
            source=str(m.get("source") or ""),
            title=str(m.get("title") or m.get("source") or ""),
            doc_type=DocType(doc_type) if doc_type in DOC_TYPES else DocType.LAINNYA,
            file_hash=str(m.get("file_hash") or ""),
            section=Section(section) if section in Section._value2member_map_ else None,
            page=int(m["page"]) if m.get("page") not in (None, "") else None,
            ocr=bool(m.get("ocr")),
            **text,
        )

    def to_metadata(self) -> dict[str, Any]:
        """The flat form stored with a chunk (Chroma metadata): scalars only, empty fields
        left out."""
        out: dict[str, Any] = {
            "source": self.source,
            "title": self.title,
            "doc_type": self.doc_type.value,
            "file_hash": self.file_hash,
            "section": self.section.value if self.section else None,
            "page": self.page,
            "ocr": True if self.ocr else None,
        }
        out.update((f, getattr(self, f)) for f in _TEXT_FIELDS)
        return {k: v for k, v in out.items() if v not in (None, "")}

    @property
    def is_regulation(self) -> bool:
        return self.doc_type == DocType.REGULASI

    @property
    def has_pages(self) -> bool:
        """Whether its page number means anything to a reader: a PDF's pages do, the page
        marks of a text file do not."""
        return self.source.lower().endswith(".pdf")

    @property
    def family(self) -> str | None:
        """A regulation and the acts amending it are one family (the amended act's id)."""
        return self.amends or self.regulation


@dataclass(frozen=True)
class Ranks:
    """How retrieval found a hit (diagnostics, kept apart from its provenance)."""

    dense: int | None = None  # rank among the dense candidates (chunks and norm units)
    lexical: int | None = None  # rank in BM25
    match: str | None = None  # "pasal": the Pasal the question names; "amendment": its other wording


@dataclass(frozen=True)
class Filters:
    """The filters a search may carry; ``kb.store`` turns them into Chroma's dialect."""

    doc_type: str | None = None
    regulation: str | None = None
    section: str | None = None

    def items(self) -> list[tuple[str, str]]:
        return [
            (k, v)
            for k, v in (
                ("doc_type", self.doc_type),
                ("regulation", self.regulation),
                ("section", self.section),
            )
            if v
        ]

    def __bool__(self) -> bool:
        return bool(self.items())


@dataclass(frozen=True)
class Page:
    """One page of extracted text; ``number`` is 1-based (text files are a single page 1)."""

    number: int
    text: str


@dataclass(frozen=True)
class LoadedDocument:
    """A file as loaded from disk, before any legal parsing."""

    source: str  # path relative to the corpus root, with forward slashes
    path: str  # absolute path on disk
    file_hash: str  # sha256 of the file's bytes
    pages: tuple[Page, ...]
    meta: dict[str, Any] = field(default_factory=dict)  # front matter and loader facts
    warnings: tuple[str, ...] = ()
    ocr_pages: tuple[int, ...] = ()  # pages whose text comes from OCR
    pages_without_text: tuple[int, ...] = ()  # pages that gave no text, even after OCR
    ocr_problem: str = ""  # why OCR could not read them (Indonesian)

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.pages)


def document_id(source: str) -> str:
    """A short stable id of a document, from its source name (the prefix of its chunk ids)."""
    return hashlib.sha1(source.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class Chunk:
    """One indexable unit with full provenance.

    ``text`` is the passage as shown to users; ``embed_text`` is what the embedder sees
    (a short context header, then the passage). ``units`` are its norm units (each ayat or
    list item with its lead-in, ``kb.legaltext``), embedded beside it for dense retrieval.
    """

    chunk_id: str
    text: str
    embed_text: str
    provenance: Provenance
    index: int = 0  # its place in the document, of ``count``
    count: int = 1
    record: tuple[tuple[str, Any], ...] = ()  # the document's ingest record (time, structure check)
    units: tuple[str, ...] = ()

    @property
    def doc_id(self) -> str:
        return document_id(self.provenance.source)

    @property
    def metadata(self) -> dict[str, Any]:
        """What the store keeps beside the text: provenance, position, ingest record."""
        return {
            "doc_id": self.doc_id,
            **self.provenance.to_metadata(),
            "chunk_index": self.index,
            "n_chunks": self.count,
            "n_units": len(self.units),  # its norm units, stored beside it (kb.store)
            **{k: v for k, v in self.record if v not in (None, "")},
        }


def _listed(value: Any, cast: type = str) -> tuple[Any, ...]:
    """', '-joined metadata back to a tuple."""
    return tuple(cast(v) for v in str(value or "").split(", ") if v)


@dataclass(frozen=True)
class DocumentSummary:
    """One indexed document as the Dokumen tab, ``kb stats`` and refusals see it. Kept by
    the store beside the chunks (``kb.store``), so reading it never scans the chunks."""

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

    @classmethod
    def of_chunks(cls, source: str, metas: Sequence[dict[str, Any]]) -> DocumentSummary:
        """The summary of a document from its chunks' metadata (each carries the file's)."""
        first = metas[0]
        pasal = {m["pasal"] for m in metas if m.get("pasal") and m.get("section") == SECTION_BODY}
        return cls(
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

    def to_metadata(self) -> dict[str, Any]:
        """Flat, None-free values, as Chroma metadata must be."""
        out: dict[str, Any] = {}
        for key, value in self.__dict__.items():
            if isinstance(value, tuple):
                value = ", ".join(str(v) for v in value)
            if value is not None:
                out[key] = value
        return out

    @classmethod
    def from_metadata(cls, meta: dict[str, Any]) -> DocumentSummary:
        fields = {"regulation": None, "ingested_at": None, **meta}  # None is left out of Chroma
        for key, cast in (("gaps", str), ("pages_without_text", int), ("ocr_pages", int)):
            fields[key] = _listed(fields.get(key), cast)
        return cls(**{k: v for k, v in fields.items() if k in cls.__dataclass_fields__})

    def to_json(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        for key in ("gaps", "pages_without_text", "ocr_pages"):
            out[key] = list(out[key])
        return out


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its score (higher is better) and metadata."""

    chunk_id: str
    text: str
    score: float
    metadata: dict[str, Any]  # as stored; read it through ``provenance``
    ranks: Ranks = Ranks()

    @cached_property
    def provenance(self) -> Provenance:
        return Provenance.from_metadata(self.metadata)

    @property
    def embed_text(self) -> str:
        """The text the embedder saw (context header, then the passage)."""
        return str(self.metadata.get("embed_text") or self.text)

    @property
    def index(self) -> int:
        """Its place in its document."""
        return int(self.metadata.get("chunk_index", 0))

    def with_score(self, score: float, ranks: Ranks | None = None, **metadata: Any) -> Hit:
        """The same chunk found again: a new score, ranks, or derived metadata fields."""
        meta = dict(self.metadata, **metadata) if metadata else self.metadata
        return Hit(self.chunk_id, self.text, score, meta, self.ranks if ranks is None else ranks)

    def to_json(self) -> dict[str, Any]:
        """The CLI/API shape: a flat object, ``null`` where a field does not apply."""
        m = dict(
            self.metadata,
            dense_rank=self.ranks.dense,
            lexical_rank=self.ranks.lexical,
            match=self.ranks.match,
        )
        out: dict[str, Any] = {
            "chunk_id": self.chunk_id,
            "text": self.text,
            "score": round(self.score, 6),
        }
        for key in (
            "doc_type",
            "source",
            "title",
            "regulation",
            "pasal",
            "ayat",
            "page",
            "section",
            "bab",
            "bagian",
            "amends",
            "amended_by",
            "penjelasan",
            "ocr",
            "dense_rank",
            "lexical_rank",
            "match",
        ):
            value = m.get(key)
            out[key] = None if value in ("", None) else value
        return out


# --- answers ------------------------------------------------------------------------

REFUSAL = "Maaf, informasi tersebut tidak ditemukan dalam dokumen yang tersedia."
DISCLAIMER = (
    "Informasi ini disusun otomatis dari dokumen yang tersedia, bukan pendapat hukum resmi. "
    "Periksa naskah resmi peraturan sebelum mengambil keputusan."
)


@dataclass(frozen=True)
class Citation:
    marker: int
    regulation: str | None
    pasal: str | None
    ayat: str | None
    doc_type: str
    source: str
    title: str
    page: int | None
    text: str  # the exact quoted text
    chunk_id: str
    amended_by: str | None = None
    label: str = ""
    angka: str | None = None  # a definition's number in a Ketentuan Umum list ("Pasal 1 angka 4")
    ocr: bool = False  # the quoted text was read by OCR: check it against the original
    amends: str | None = None  # the cited Pasal is an amendment of this regulation

    @property
    def provenance(self) -> Provenance:
        """The cited passage's provenance, as far as a citation carries it."""
        doc_type = self.doc_type if self.doc_type in DOC_TYPES else DocType.LAINNYA
        return Provenance(
            source=self.source,
            title=self.title,
            doc_type=DocType(doc_type),
            section=Section.BODY if self.pasal else None,
            regulation=self.regulation,
            pasal=self.pasal,
            ayat=self.ayat,
            page=self.page,
            amends=self.amends,
            amended_by=self.amended_by,
            ocr=self.ocr,
        )

    @classmethod
    def from_hit(
        cls, hit: Hit, marker: int, *, text: str, ayat: str | None, label: str, angka: str | None = None
    ) -> Citation:
        """The one way to cite a retrieved passage: provenance comes from the hit."""
        p = hit.provenance
        return cls(
            marker=marker,
            regulation=p.regulation,
            pasal=p.pasal,
            ayat=ayat,
            doc_type=p.doc_type.value,
            source=p.source,
            title=p.title,
            page=p.page,
            text=text,
            chunk_id=hit.chunk_id,
            amended_by=p.amended_by,
            label=label,
            angka=angka,
            ocr=p.ocr,
            amends=p.amends,
        )

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Answer:
    question: str
    standalone_question: str
    answer: str
    refused: bool
    citations: tuple[Citation, ...] = ()
    dasar_hukum: tuple[str, ...] = ()
    disclaimer: str = DISCLAIMER
    intent: str = "umum"
    notice: str = ""  # e.g. the chat model could not be reached
    mode: str = "ekstraktif"
    # why it refused: "bukti_lemah" (nothing close enough), "regulasi_tidak_ada" (a named
    # regulation is not indexed), "nilai_tidak_ada" (no passage states the value asked),
    # "nama_tidak_ada" (a name the question writes is in no quoted passage), "indeks_kosong";
    # "" when it answered
    refusal_reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "standalone_question": self.standalone_question,
            "answer": self.answer,
            "refused": self.refused,
            "citations": [c.to_json() for c in self.citations],
            "dasar_hukum": list(self.dasar_hukum),
            "disclaimer": self.disclaimer,
            "intent": self.intent,
            "notice": self.notice or None,
            "mode": self.mode,
            "refusal_reason": self.refusal_reason or None,
        }

    def to_text(self, with_answer: bool = True) -> str:
        """The layout for readers: short answer, Dasar hukum, quoted text, disclaimer."""
        parts = [self.answer] if with_answer else []
        if self.notice:
            parts.insert(0, f"({self.notice})")
        if self.dasar_hukum:
            parts.append("Dasar hukum:\n" + "\n".join(f"- {d}" for d in self.dasar_hukum))
        if self.citations:
            parts.append(
                "Kutipan:\n" + "\n".join(f"[{c.marker}] {c.label}\n{c.text}" for c in self.citations)
            )
        parts.append(self.disclaimer)
        return "\n\n".join(parts)


class AnswerStream:
    """An answer as it is made: iterating yields a chat model's text as it grows (nothing
    without one); :meth:`answer` is the checked :class:`Answer`, which may differ from the
    streamed text (invalid markers removed, or the extractive answer as a fallback)."""

    def __init__(self, events: Iterator[str | Answer]) -> None:
        self._events = events
        self._final: Answer | None = None

    def __iter__(self) -> Iterator[str]:
        for event in self._events:
            if isinstance(event, Answer):
                self._final = event
            else:
                yield event

    def answer(self) -> Answer:
        for _ in self:  # the rest of the stream, if the caller did not read it
            pass
        if self._final is None:
            raise RuntimeError("the answer stream ended without an answer")
        return self._final
