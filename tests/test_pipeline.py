"""The ingest against a real Chroma on disk (and a real Chroma server), with LangChain's
deterministic fake embeddings: these tests are about bookkeeping, not retrieval quality."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from ingest.pipeline import ADDED, FAILED, REMOVED, SKIPPED, UPDATED, ingest, ingest_lock
from kb.base import KnowledgeBase
from kb.errors import IngestLockedError, StoreError
from kb.settings import Settings
from kb.store import Store
from tests.conftest import CORPUS_REF, FakeEmbedder, chroma_server, free_port, require_shared

PERDES = """PERATURAN DESA SUKAMAJU
NOMOR 3 TAHUN 2023
TENTANG
KERJA SAMA DESA
MEMUTUSKAN:
BAB I KETENTUAN UMUM
Pasal 1
Desa Sukamaju dapat mengadakan kerja sama dengan Desa lain.
Pasal 2
(1) Kerja sama dilaksanakan oleh badan kerja sama antar-Desa.
(2) Badan kerja sama bertanggung jawab kepada kepala Desa.
"""


def _write(corpus: Path, rel: str, text: str) -> Path:
    p = corpus / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return p


def _snapshot(store: Store) -> dict[str, tuple[str, str]]:
    """Every chunk and every norm unit: id -> (text, source)."""
    units = store.units.get(include=["documents", "metadatas"])
    return {h.chunk_id: (h.text, str(h.metadata.get("source"))) for h in store.all_chunks()} | {
        i: (d, m["source"])
        for i, d, m in zip(units["ids"], units["documents"], units["metadatas"], strict=True)
    }


def _unit_parents(store: Store, source: str) -> set[str]:
    return {
        m["parent"] for m in store.units.get(where={"source": source}, include=["metadatas"])["metadatas"]
    }


@pytest.fixture
def corpus_files(settings: Settings) -> Path:
    corpus = settings.corpus_dir
    _write(corpus, "regulasi/perdes-sukamaju-3-2023.txt", PERDES)
    _write(
        corpus,
        "webinar/catatan.md",
        "---\ntitle: Catatan Rapat\ndoc_type: webinar\n---\n# Rapat\nKerja sama desa dibahas.",
    )
    return corpus


def _run(settings: Settings, embedder: FakeEmbedder | None = None):
    embedder = embedder or FakeEmbedder()
    store = Store(settings, embedder)
    return ingest([settings.corpus_dir], settings, store, embedder), store


def test_first_ingest_adds_every_file_with_structure(settings: Settings, corpus_files: Path):
    report, store = _run(settings)
    assert {r.source: r.status for r in report.results} == {
        "regulasi/perdes-sukamaju-3-2023.txt": ADDED,
        "webinar/catatan.md": ADDED,
    }
    hits = store.find(pasal="2")
    assert len(hits) == 1
    assert hits[0].metadata["regulation"] == "Perdes Sukamaju 3/2023"
    assert hits[0].metadata["bab"] == "BAB I KETENTUAN UMUM"


def test_reingest_of_unchanged_files_is_a_no_op(settings: Settings, corpus_files: Path):
    _, store = _run(settings)
    before = _snapshot(store)
    embedder = FakeEmbedder()
    report, store = _run(settings, embedder)
    assert {r.status for r in report.results} == {SKIPPED}
    assert embedder.calls == 0
    assert _snapshot(store) == before


def test_changed_file_replaces_its_chunks(settings: Settings, corpus_files: Path):
    _, store = _run(settings)
    _write(
        corpus_files,
        "regulasi/perdes-sukamaju-3-2023.txt",
        PERDES + "Pasal 3\nPeraturan Desa ini mulai berlaku.\n",
    )
    report, store = _run(settings)
    assert {r.source: r.status for r in report.results}["regulasi/perdes-sukamaju-3-2023.txt"] == UPDATED
    chunks = store.find(source="regulasi/perdes-sukamaju-3-2023.txt")
    assert sorted(h.metadata["pasal"] for h in chunks if h.metadata.get("pasal")) == ["1", "2", "3"]
    assert len({h.metadata["file_hash"] for h in chunks}) == 1
    # the old version's norm units went with its chunks
    assert _unit_parents(store, "regulasi/perdes-sukamaju-3-2023.txt") == {h.chunk_id for h in chunks}


def test_deleted_file_disappears_from_the_index(settings: Settings, corpus_files: Path):
    _, store = _run(settings)
    assert _unit_parents(store, "webinar/catatan.md")
    (corpus_files / "webinar" / "catatan.md").unlink()
    report, store = _run(settings)
    assert {r.source: r.status for r in report.results}["webinar/catatan.md"] == REMOVED
    assert store.find(source="webinar/catatan.md") == []
    assert _unit_parents(store, "webinar/catatan.md") == set()


def test_one_bad_file_is_reported_and_the_rest_is_indexed(settings: Settings, corpus_files: Path):
    (corpus_files / "regulasi" / "rusak.pdf").write_bytes(b"%PDF-1.4 broken")
    (corpus_files / "regulasi" / "kosong.txt").write_bytes(b"")
    report, store = _run(settings)
    failed = {r.source: r.message for r in report.failed}
    assert set(failed) == {"regulasi/rusak.pdf", "regulasi/kosong.txt"}
    assert "rusak.pdf" in failed["regulasi/rusak.pdf"]
    assert report.count(ADDED) == 2
    assert store.count() > 0


def test_interrupted_ingest_then_rerun_equals_a_clean_ingest(
    tmp_path: Path, settings: Settings, corpus_files: Path
):
    for i in range(4):
        _write(corpus_files, f"regulasi/perdes-{i}.txt", PERDES.replace("NOMOR 3", f"NOMOR {i + 10}"))
    clean_settings = Settings(data_dir=tmp_path / "clean", corpus_dir=corpus_files, _env_file=None)  # type: ignore[call-arg]
    _, clean_store = _run(clean_settings)
    expected = _snapshot(clean_store)

    with pytest.raises(KeyboardInterrupt):
        _run(settings, FakeEmbedder(fail_after=3))  # Ctrl-C in the middle of the 4th file
    partial = Store(settings, FakeEmbedder())
    assert 0 < partial.count() < len(expected)
    report, store = _run(settings)
    assert report.count(FAILED) == 0
    assert _snapshot(store) == expected


def test_a_second_ingest_waits_for_the_lock(settings: Settings, corpus_files: Path):
    with ingest_lock(settings), pytest.raises(IngestLockedError) as err:
        _run(settings)
    assert "sedang berjalan" in err.value.user_message
    report, _ = _run(settings)  # released again
    assert report.count(ADDED) == 2


def test_collection_name_changes_with_the_model(settings: Settings):
    assert Store(settings, FakeEmbedder(32)).name != Store(settings, FakeEmbedder(64)).name


def test_ingest_reads_paths_outside_the_corpus(settings: Settings):
    src = require_shared(CORPUS_REF / "pp-47-2015.txt")
    embedder = FakeEmbedder()
    store = Store(settings, embedder)
    report = ingest([src], settings, store, embedder)
    assert [r.source for r in report.results] == ["corpus-ref/pp-47-2015.txt"]
    hits = store.find(pasal="149", regulation="PP 47/2015")
    assert hits and hits[0].metadata["amends"] == "PP 43/2014"


@pytest.mark.slow
def test_chroma_server_mode_ingests_searches_and_reports_outages(tmp_path: Path, corpus_files: Path):
    port = free_port()
    with chroma_server(tmp_path / "server", port):
        settings = Settings(
            data_dir=tmp_path / "data",
            corpus_dir=corpus_files,
            chroma_host="127.0.0.1",
            chroma_port=port,
            _env_file=None,  # type: ignore[call-arg]
        )
        kb = KnowledgeBase(settings, embedder=FakeEmbedder())
        report = ingest([corpus_files], settings, kb.store, kb.embedder)
        assert report.count(ADDED) == 2
        assert "127.0.0.1" in kb.store.location
        assert kb.search("kerja sama badan", 3)
    with pytest.raises(StoreError) as err:
        kb.search("kerja sama", 3)
    assert "tidak dapat dihubungi" in err.value.user_message


def test_large_collections_are_read_in_pages(
    settings: Settings, corpus_files: Path, monkeypatch: pytest.MonkeyPatch
):
    import kb.store

    report, store = _run(settings)
    total = store.count()
    monkeypatch.setattr(kb.store, "READ_PAGE", 2)  # every read now takes several pages
    assert total > 2
    assert len(store.ids()) == len(store.all_chunks()) == total
    assert sum(sum(s.hashes.values()) for s in store.file_states().values()) == total
    report, _ = _run(settings)
    assert {r.status for r in report.results} == {SKIPPED}


def test_a_file_reached_through_another_folder_keeps_its_name(settings: Settings, tmp_path: Path):
    ext = tmp_path / "luar" / "sub"
    _write(ext, "perdes.txt", PERDES)
    embedder = FakeEmbedder()
    store = Store(settings, embedder)
    first = ingest([tmp_path / "luar"], settings, store, embedder)
    assert [r.source for r in first.results] == ["luar/sub/perdes.txt"]
    second = ingest([ext], settings, store, embedder)
    assert [(r.source, r.status) for r in second.results] == [("luar/sub/perdes.txt", SKIPPED)]
    assert set(store.file_states()) == {"luar/sub/perdes.txt"}


def test_a_tar_backup_restores_elsewhere_and_the_next_ingest_follows_the_new_paths(tmp_path: Path):
    """docs/OPERATIONS.md: `tar czf backup.tgz corpus data`, then `tar xzf` on another machine."""
    site = tmp_path / "kantor"
    settings = Settings(data_dir=site / "data", corpus_dir=site / "corpus", _env_file=None)  # type: ignore[call-arg]
    _write(settings.corpus_dir, "regulasi/perdes-sukamaju-3-2023.txt", PERDES)
    _, store = _run(settings)
    before = _snapshot(store)
    hits = [h.chunk_id for h in KnowledgeBase(settings, FakeEmbedder()).search("badan kerja sama", 3)]
    del store
    subprocess.run(["tar", "czf", str(tmp_path / "backup.tgz"), "corpus", "data"], cwd=site, check=True)
    restored = tmp_path / "baru"
    restored.mkdir()
    subprocess.run(["tar", "xzf", str(tmp_path / "backup.tgz")], cwd=restored, check=True)

    moved = Settings(data_dir=restored / "data", corpus_dir=restored / "corpus", _env_file=None)  # type: ignore[call-arg]
    kb = KnowledgeBase(moved, FakeEmbedder())
    assert _snapshot(kb.store) == before
    assert [h.chunk_id for h in kb.search("badan kerja sama", 3)] == hits
    again, store = _run(moved)
    assert [r.status for r in again.results] == [SKIPPED]
    state = store.file_states()["regulasi/perdes-sukamaju-3-2023.txt"]
    assert state.path == str((restored / "corpus" / "regulasi" / "perdes-sukamaju-3-2023.txt").resolve())


def test_the_structure_check_is_reported_by_ingest_and_kept_with_the_document(settings: Settings) -> None:
    broken = PERDES.replace("Pasal 2\n", "Pasal 3\n") + "Pasal 4\nSelesai.\n"  # Pasal 2 is lost
    _write(settings.corpus_dir, "regulasi/perdes-celah.txt", broken)
    _write(settings.corpus_dir, "regulasi/perdes-sukamaju-3-2023.txt", PERDES)
    kb = KnowledgeBase(settings, FakeEmbedder())
    report = ingest([settings.corpus_dir], settings, kb.store, kb.embedder)
    by = {r.source: r for r in report.results}
    assert by["regulasi/perdes-celah.txt"].status == ADDED  # indexed all the same
    assert by["regulasi/perdes-celah.txt"].warnings == (
        "Perdes Sukamaju 3/2023: 3 dari ±4 Pasal terbaca; Pasal 2 tidak terbaca (urutan nomor Pasal "
        "terputus) — periksa berkas.",
    )
    assert by["regulasi/perdes-sukamaju-3-2023.txt"].warnings == ()
    docs = {d["source"]: d for d in kb.stats()["documents"]}
    bad, good = docs["regulasi/perdes-celah.txt"], docs["regulasi/perdes-sukamaju-3-2023.txt"]
    assert (bad["pasal_found"], bad["pasal_expected"], bad["gaps"], bad["structure_ok"]) == (
        3,
        4,
        ["2"],
        False,
    )
    assert (good["pasal_found"], good["pasal_expected"], good["gaps"], good["structure_ok"]) == (
        2,
        2,
        [],
        True,
    )
    assert good["pages_without_text"] == [] and good["ocr_pages"] == []


def test_a_file_with_pasal_headings_but_no_regulation_identity_is_reported(settings: Settings) -> None:
    body = "Catatan rapat desa\n" + "\n".join(f"Pasal {i}\nIsi pasal {i}." for i in range(1, 6))
    _write(settings.corpus_dir, "regulasi/tanpa-kop.txt", body)
    kb = KnowledgeBase(settings, FakeEmbedder())
    report = ingest([settings.corpus_dir], settings, kb.store, kb.embedder)
    (result,) = report.results
    assert result.status == ADDED
    assert result.warnings and "0 Pasal terbaca dari ±5 judul Pasal" in result.warnings[0]


def test_every_write_changes_the_index_generation(settings: Settings, corpus_files: Path):
    store = Store(settings, FakeEmbedder())
    assert store.generation() == ""
    seen = [store.generation()]
    report = ingest([corpus_files], settings, store, store.embedder)
    seen.append(store.generation())
    source = report.results[0].source
    store.update_source(source, duplicates="salinan.txt")
    seen.append(store.generation())
    store.delete_source(source)
    seen.append(store.generation())
    assert len(set(seen)) == len(seen)  # four distinct generations
    assert Store(settings, FakeEmbedder()).generation() == seen[-1]  # kept in the store


def test_an_embedded_index_prunes_missing_files_unless_told_not_to(settings: Settings, corpus_files: Path):
    _, store = _run(settings)
    gone = next(p for p in sorted(corpus_files.rglob("*.txt")))
    gone.unlink()
    kept = ingest([corpus_files], settings.model_copy(update={"prune": False}), store, store.embedder)
    assert not [r for r in kept.results if r.status == REMOVED]
    pruned = ingest([corpus_files], settings, store, store.embedder)  # embedded: prunes by default
    assert [r.status for r in pruned.results if r.status == REMOVED] == [REMOVED]


def test_a_new_version_is_switched_in_whole_for_readers(settings: Settings):
    from ingest.loaders import load_file
    from ingest.pipeline import _embed, parse_document
    from kb.hashing import file_sha256

    path = _write(
        settings.corpus_dir, "catatan/rapat.md", "# Rapat\n\nVersi lama: embung dikelola bersama.\n"
    )
    kb = KnowledgeBase(settings, embedder=FakeEmbedder())
    ingest([settings.corpus_dir], settings, kb.store, kb.embedder)
    assert {h.provenance.file_hash for h in kb.search("embung dikelola", 10)} == {file_sha256(path)}
    assert kb.store.active_versions() == {"catatan/rapat.md": file_sha256(path)}

    path.write_text("# Rapat\n\nVersi baru: embung dan irigasi dikelola bersama.\n", encoding="utf-8")
    new = load_file(path, "catatan/rapat.md", max_file_mb=5)
    chunks, _ = parse_document(new, kb.embedder)
    vectors, units = _embed(kb.embedder, chunks, None)
    kb.store.upsert(chunks, vectors, units)  # written, not yet active: readers see the old only
    seen = kb.search("embung dikelola", 10)
    assert seen and all("Versi lama" in h.text for h in seen)
    assert len(kb.store.file_states()["catatan/rapat.md"].hashes) == 2  # both versions are stored
    kb.store.activate("catatan/rapat.md", new.file_hash)  # the switch: the new only
    seen = kb.search("embung dikelola", 10)
    assert seen and all("Versi baru" in h.text for h in seen)
    kb.store.delete_source("catatan/rapat.md", keep_hash=new.file_hash)
    assert all("Versi baru" in h.text for h in kb.search("embung dikelola", 10))


def test_a_version_missing_some_of_its_units_is_not_complete_and_the_next_ingest_repairs_it(
    settings: Settings, corpus_files: Path
):
    _, store = _run(settings)
    source = "regulasi/perdes-sukamaju-3-2023.txt"
    before = _snapshot(store)
    units = [
        i for i in store.units.get(include=[])["ids"] if i.startswith(store.find(source=source)[0].chunk_id)
    ]
    assert units
    store.units.delete(ids=units[:1])  # a write interrupted after the chunks, before this unit
    state = store.file_states()[source]
    assert not state.complete_for(next(iter(state.hashes)))
    again, _ = _run(settings)
    assert {r.source: r.status for r in again.results}[source] == UPDATED
    assert _snapshot(store) == before
