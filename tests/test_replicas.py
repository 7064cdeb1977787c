"""Several app replicas over one Chroma server (docs/OPERATIONS.md, multi-office layout):
each keeps its own data directory (BM25 cache) and corpus disk; the server is the one truth.

The replicas are two ``KnowledgeBase`` objects with separate data and corpus directories
against a real ``chroma run`` on 127.0.0.1 (fake embeddings: this is plumbing)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.library import Upload, upload_documents
from ingest.pipeline import ADDED, REMOVED, ingest
from kb.base import KnowledgeBase
from kb.errors import IngestLockedError
from kb.legaltext import norm_units
from kb.settings import Settings
from kb.store import UNIT_ID_MARK
from tests.conftest import FakeEmbedder, chroma_server, free_port

pytestmark = pytest.mark.slow

NOTE = """# Catatan rapat kerja sama {name}

Desa {name} membahas kerja sama pengelolaan {topic} bersama desa tetangga.
Musyawarah desa menyepakati pembentukan badan kerja sama {topic}.
"""


def _note(corpus: Path, rel: str, name: str, topic: str) -> Path:
    path = corpus / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(NOTE.format(name=name, topic=topic), encoding="utf-8")
    return path


def _replica(base: Path, port: int) -> KnowledgeBase:
    settings = Settings(
        data_dir=base / "data",
        corpus_dir=base / "corpus",
        chroma_host="127.0.0.1",
        chroma_port=port,
        admin_password="rahasia",
        _env_file=None,  # type: ignore[call-arg]
    )
    settings.corpus_dir.mkdir(parents=True)
    return KnowledgeBase(settings, embedder=FakeEmbedder())


def _ingest(kb: KnowledgeBase, prune: bool | None = None):
    settings = kb.settings if prune is None else kb.settings.model_copy(update={"prune": prune})
    return ingest([settings.corpus_dir], settings, kb.store, kb.embedder, retriever=kb.retriever)


def _sources(kb: KnowledgeBase, query: str) -> dict[str, int | None]:
    """The sources of a search's hits, with the best lexical rank each got."""
    out: dict[str, int | None] = {}
    for hit in kb.search(query, 10):
        rank = hit.ranks.lexical
        best = out.get(hit.provenance.source)
        out[hit.provenance.source] = rank if best is None else min(best, rank if rank is not None else best)
    return out


@pytest.fixture
def replicas(tmp_path: Path) -> Iterator[tuple[KnowledgeBase, KnowledgeBase]]:
    port = free_port()
    with chroma_server(tmp_path / "server", port):
        yield _replica(tmp_path / "a", port), _replica(tmp_path / "b", port)


def test_a_write_on_one_replica_is_searched_with_its_lexical_rank_on_the_next(replicas):
    a, b = replicas
    _note(a.settings.corpus_dir, "catatan/sukamaju.txt", "Sukamaju", "air bersih")
    _ingest(a)
    assert "catatan/sukamaju.txt" in _sources(b, "air bersih")  # B's BM25 built from the server

    _note(a.settings.corpus_dir, "catatan/mekarsari.txt", "Mekarsari", "sampah terpadu")
    assert {r.status for r in _ingest(a).results if r.source == "catatan/mekarsari.txt"} == {ADDED}
    assert b.stats()["bm25_in_sync"] is False  # B's cache is behind, and says so
    found = _sources(b, "pengelolaan sampah terpadu Mekarsari")
    assert found.get("catatan/mekarsari.txt") is not None, found  # BM25 ranks it on B at once
    assert "catatan/mekarsari.txt" in {d.source for d in b.documents()}

    a.store.delete_source("catatan/mekarsari.txt")  # the Dokumen tab's delete on A
    assert "catatan/mekarsari.txt" not in _sources(b, "pengelolaan sampah terpadu Mekarsari")
    assert "catatan/mekarsari.txt" not in {d.source for d in b.documents()}

    _sources(a, "air bersih")  # A searched too: both caches follow the server
    stats_a, stats_b = a.stats(), b.stats()
    assert stats_a["generation"] == stats_b["generation"] != ""
    assert stats_a["chunks"] == stats_b["chunks"] > 0
    assert stats_a["bm25_in_sync"] is stats_b["bm25_in_sync"] is True


def test_a_replica_with_another_local_corpus_deletes_nothing_of_the_others(replicas):
    a, b = replicas
    shared_path = a.settings.corpus_dir / "unggahan" / "perdes.txt"
    _note(a.settings.corpus_dir, "unggahan/perdes.txt", "Sukamaju", "air bersih")
    _ingest(a)
    # B starts with the same corpus folder name but its own disk: A's upload is not on it
    b.settings = b.settings.model_copy(update={"corpus_dir": a.settings.corpus_dir})
    shared_path.rename(shared_path.with_suffix(".bak"))
    _note(a.settings.corpus_dir, "catatan/mekarsari.txt", "Mekarsari", "sampah terpadu")

    report = _ingest(b)  # server mode: an ingest never prunes by default
    assert not [r for r in report.results if r.status == REMOVED]
    assert {"unggahan/perdes.txt", "catatan/mekarsari.txt"} <= {d.source for d in a.documents()}

    pruned = _ingest(b, prune=True)  # the explicit route removes it, and says so
    assert [r.source for r in pruned.results if r.status == REMOVED] == ["unggahan/perdes.txt"]
    assert "unggahan/perdes.txt" not in {d.source for d in a.documents()}


def _upload(kb: KnowledgeBase, marker: str, tmp_path: Path, results: dict[str, object]) -> None:
    """One office uploads ``perdes.md`` holding ``marker``; the report or the refusal kept."""
    src = tmp_path / marker.replace(" ", "-") / "perdes.md"
    src.parent.mkdir()
    src.write_text(f"# Perdes\n\nKerja sama desa dicatat oleh {marker}.\n", encoding="utf-8")
    try:
        results[marker] = upload_documents(kb, kb.settings, [Upload(src, "perdes.md")], "rahasia")
    except IngestLockedError as exc:
        results[marker] = exc


def test_simultaneous_same_name_uploads_are_kept_apart_or_refused_never_replaced(replicas, tmp_path: Path):
    a, b = replicas
    outcomes: Counter[str] = Counter()
    kept: dict[str, str] = {}  # source -> the content's marker
    for round_no in range(8):
        results: dict[str, object] = {}
        threads = [
            threading.Thread(
                target=_upload, args=(kb, f"kantor {office} putaran {round_no}", tmp_path, results)
            )
            for kb, office in ((a, "A"), (b, "B"))
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for marker, result in results.items():
            if isinstance(result, IngestLockedError):
                assert "sedang berjalan di" in result.user_message  # refused, with the holder named
                outcomes["refused"] += 1
            else:
                [r] = result.results  # type: ignore[attr-defined]
                assert r.status == ADDED, r.message
                assert r.source not in kept  # a new name: nothing of another office replaced
                kept[r.source] = marker
                outcomes["kept"] += 1
        # nothing refused stays in either office's upload folder to be indexed later
        on_disk = {p.name for kb in (a, b) for p in (kb.settings.corpus_dir / "unggahan").glob("*")}
        assert on_disk == {Path(s).name for s in kept}

    assert outcomes["kept"] >= 8 and sum(outcomes.values()) == 16
    states = a.store.file_states()
    assert set(states) == set(kept)
    for source, marker in kept.items():
        state = states[source]
        [file_hash] = state.hashes
        assert state.complete_for(file_hash)
        [hit, *_] = a.store.find(source=source)
        assert marker in hit.text  # each version holds its own office's content
    chunks = {h.chunk_id: h.text for h in a.store.all_chunks()}
    units = Counter(i.split(UNIT_ID_MARK)[0] for i in a.store.units.get(include=[])["ids"])
    assert {cid: units[cid] for cid in chunks} == {cid: len(norm_units(t)) for cid, t in chunks.items()}


UPLOADED = """---
title: Catatan Replika Embung Mekarsari
doc_type: webinar
---
# Catatan rapat

Desa Mekarsari dan Desa Mekarjaya sepakat mengelola embung bersama lewat badan kerja sama.
"""


def test_two_app_replicas_see_each_others_upload_and_delete(tmp_path: Path) -> None:
    """Two ``app.py`` over one server, each with its own data and corpus disk: A's upload is
    searched on B with its lexical rank and listed on a fresh page of B; A's delete is gone
    from B; B's start-up with another local corpus removed nothing of A's."""
    from gradio_client import Client, handle_file

    from tests.conftest import ADMIN_PASSWORD, app_corpus, running_app
    from tests.test_browser import ARGS, CHROMIUM

    port = free_port()
    env = {"KB_CHROMA_HOST": "127.0.0.1", "KB_CHROMA_PORT": str(port)}
    note = tmp_path / "catatan-replika.md"
    note.write_text(UPLOADED, encoding="utf-8")
    query = "embung Mekarsari Mekarjaya"
    with chroma_server(tmp_path / "server", port):
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        with running_app(tmp_path / "a", app_corpus(tmp_path / "a", ()), **env) as (url_a, _):
            a = Client(url_a, verbose=False)
            assert "ditambahkan" in a.predict([handle_file(str(note))], ADMIN_PASSWORD, api_name="/upload")
            # B starts later, on a disk without A's upload
            with running_app(tmp_path / "b", app_corpus(tmp_path / "b", ()), **env) as (url_b, _):
                assert "1 dihapus" not in (tmp_path / "b" / "app.log").read_text()
                b = Client(url_b, verbose=False)
                hits = b.predict(query, 3, "", "", "", api_name="/search")
                assert hits[0]["source"] == "unggahan/catatan-replika.md"
                assert hits[0]["lexical_rank"] is not None

                if Path(CHROMIUM).exists():
                    from playwright.sync_api import sync_playwright

                    with sync_playwright() as p:
                        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                        page = browser.new_page()
                        page.set_default_timeout(60_000)
                        page.goto(url_b)
                        page.get_by_role("tab", name="Dokumen").click()
                        page.locator("#documents").get_by_text("Catatan Replika Embung Mekarsari").wait_for()
                        browser.close()

                deleted = a.predict("unggahan/catatan-replika.md", ADMIN_PASSWORD, api_name="/delete")
                assert "dihapus dari indeks" in deleted
                after = b.predict(query, 3, "", "", "", api_name="/search")
                assert "unggahan/catatan-replika.md" not in {h["source"] for h in after}


def test_a_delete_on_one_replica_is_not_undone_by_the_others_copy_of_the_file(replicas, tmp_path: Path):
    from ingest.library import delete_document

    a, b = replicas
    results: dict[str, object] = {}
    _upload(a, "kantor A catatan embung", tmp_path, results)
    [added] = results["kantor A catatan embung"].results  # type: ignore[attr-defined]
    assert all(not h.metadata.get("path") for h in a.store.find(source=added.source))  # no machine's path
    assert "dihapus dari indeks" in delete_document(b, b.settings, added.source, "rahasia")
    assert (a.settings.corpus_dir / added.source).exists()  # A's disk still holds the file

    again = _ingest(a)  # A's next start-up ingest
    assert [r.status for r in again.results if r.source == added.source] == ["skipped"]
    assert added.source not in {d.source for d in b.documents()}

    results.clear()
    (tmp_path / "lagi").mkdir()
    _upload(a, "kantor A catatan embung", tmp_path / "lagi", results)  # uploaded again, on purpose
    [back] = results["kantor A catatan embung"].results  # type: ignore[attr-defined]
    assert back.status == ADDED and back.source in {d.source for d in b.documents()}
