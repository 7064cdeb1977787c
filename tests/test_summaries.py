"""The per-document summaries the store keeps beside the chunks: the document list
(refusals, the Dokumen tab, ``kb stats``) reads them instead of every chunk, and they
follow every change and repair themselves after a crash."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ingest.pipeline import ingest
from kb.answer import Answerer
from kb.base import KnowledgeBase
from kb.settings import Settings
from kb.types import DocumentSummary
from tests.conftest import FakeEmbedder
from tests.test_pipeline import PERDES, _write


def _scan(store: Any) -> list[DocumentSummary]:
    """The summaries as a full scan of the chunks gives them (the reference)."""
    return store._rebuild_summaries(set())


def _kb(settings: Settings) -> KnowledgeBase:
    return KnowledgeBase(settings, FakeEmbedder())


def test_summaries_follow_adds_updates_and_removals(settings: Settings) -> None:
    corpus = settings.corpus_dir
    perdes = _write(corpus, "regulasi/perdes.txt", PERDES)
    _write(corpus, "webinar/catatan.md", "# Catatan\n\nKerja sama desa di bidang pertanian.\n")
    kb = _kb(settings)
    ingest([corpus], settings, kb.store, kb.embedder)
    docs = kb.documents()
    assert [(d.source, d.regulation, d.pasal) for d in docs] == [
        ("regulasi/perdes.txt", "Perdes Sukamaju 3/2023", 2),
        ("webinar/catatan.md", None, 0),
    ]
    assert docs == sorted(_scan(kb.store), key=lambda d: d.source)
    perdes.write_text(PERDES + "Pasal 3\nPeraturan Desa ini mulai berlaku.\n", encoding="utf-8")
    ingest([corpus], settings, kb.store, kb.embedder)
    assert kb.documents()[0].pasal == 3
    (corpus / "webinar" / "catatan.md").unlink()
    ingest([corpus], settings, kb.store, kb.embedder)
    assert [d.source for d in kb.documents()] == ["regulasi/perdes.txt"]


def test_lost_summaries_are_rebuilt_from_the_chunks(settings: Settings) -> None:
    _write(settings.corpus_dir, "regulasi/perdes.txt", PERDES)
    kb = _kb(settings)
    ingest([settings.corpus_dir], settings, kb.store, kb.embedder)
    before = kb.documents()
    kb.store.docs.delete(ids=["regulasi/perdes.txt"])  # a crash between the two writes
    assert kb.documents() == before
    assert kb.store.docs.count() == 1  # and written back


def test_a_refusal_reads_no_chunk(settings: Settings, monkeypatch: Any) -> None:
    _write(settings.corpus_dir, "regulasi/perdes.txt", PERDES)
    kb = _kb(settings)
    ingest([settings.corpus_dir], settings, kb.store, kb.embedder)
    kb.documents()
    reads: list[Any] = []
    collection = kb.store.collection
    real_get = collection.get

    def get(*args: Any, **kwargs: Any) -> Any:
        reads.append(kwargs)
        return real_get(*args, **kwargs)

    monkeypatch.setattr(collection, "get", get)
    answer = Answerer(kb)._refusal("Berapa tarif pajak?", "Berapa tarif pajak?", "umum", "bukti_lemah")
    assert answer.refused and "Perdes Sukamaju 3/2023" in answer.answer
    assert reads == []


def test_a_summary_survives_the_round_trip_through_chroma_metadata() -> None:
    summary = DocumentSummary(
        "x.pdf", "PP 1/2020", "regulasi", "PP 1/2020", 9, 4, None, gaps=("3", "5"), ocr_pages=(2,)
    )
    assert DocumentSummary.from_metadata(summary.to_metadata()) == summary
    assert None not in summary.to_metadata().values()


def test_an_empty_index_lists_no_documents(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, corpus_dir=tmp_path / "c", _env_file=None)  # type: ignore[call-arg]
    kb = _kb(settings)
    assert kb.documents() == []


def test_provenance_reads_stored_metadata_as_types() -> None:
    from kb.types import DocType, Hit, Provenance, Ranks, Section

    hit = Hit(
        "c1",
        "Pasal 92 …",
        0.5,
        {
            "source": "uu.txt",
            "doc_type": "regulasi",
            "section": "batang_tubuh",
            "pasal": "92",
            "page": "3",
            "ayat": "",
        },
    )
    p = hit.provenance
    assert (p.doc_type, p.section, p.pasal, p.page, p.ayat) == (DocType.REGULASI, Section.BODY, "92", 3, None)
    assert p.is_regulation and p.title == "uu.txt"  # a missing title falls back to the file
    assert Provenance.from_metadata({"doc_type": "rahasia"}).doc_type == DocType.LAINNYA
    found = hit.with_score(1.0, Ranks(dense=2, match="pasal"))
    assert found.to_json()["dense_rank"] == 2 and found.to_json()["match"] == "pasal"
    assert "dense_rank" not in found.metadata  # diagnostics stay out of the provenance
