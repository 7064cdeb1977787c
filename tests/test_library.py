"""Admin actions of the document library (ingest.library) against a real Chroma on disk
with fake embeddings: password, safe names, content checks, upload and delete."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from pydantic import SecretStr

from ingest.library import Upload, check_content, check_password, delete_document, safe_name, upload_documents
from kb.base import KnowledgeBase
from kb.errors import AdminError, DocumentError
from kb.settings import Settings
from tests.conftest import FakeEmbedder

NOTE = "---\ntitle: Catatan Rapat Embung\ndoc_type: webinar\n---\n# Rapat\nEmbung desa dikelola bersama.\n"


@pytest.fixture
def admin(settings: Settings) -> Settings:
    return settings.model_copy(update={"admin_password": SecretStr("rahasia")})


@pytest.fixture
def kb(admin: Settings) -> KnowledgeBase:
    return KnowledgeBase(admin, embedder=FakeEmbedder())


def _upload(tmp_path: Path, name: str, data: bytes | str) -> Upload:
    src = tmp_path / "incoming" / f"blob-{len(list(tmp_path.glob('incoming/*')))}"
    src.parent.mkdir(exist_ok=True)
    src.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return Upload(src, name)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\windows\\system.ini.md", "system-ini.md"),
        ("/abs/path/Perdes No. 3 (2023).PDF", "Perdes-No-3-2023.pdf"),
        (".hidden.txt", "hidden.txt"),
        ("", "dokumen"),
        ("catatan webinar<script>.md", "catatan-webinar-script.md"),
    ],
)
def test_upload_names_are_reduced_to_a_safe_base_name(given: str, expected: str) -> None:
    assert safe_name(given) == expected


def test_password_is_required_and_compared(settings: Settings, admin: Settings) -> None:
    with pytest.raises(AdminError, match="KB_ADMIN_PASSWORD belum diatur"):
        check_password(settings, "apa saja")
    with pytest.raises(AdminError, match="salah"):
        check_password(admin, "Rahasia")
    with pytest.raises(AdminError, match="salah"):
        check_password(admin, None)
    check_password(admin, "rahasia")


def test_content_must_match_the_extension(tmp_path: Path) -> None:
    fake_pdf = _upload(tmp_path, "x.pdf", "bukan pdf")
    with pytest.raises(DocumentError, match="bukan PDF"):
        check_content(fake_pdf.path, "x.pdf", 1)
    binary = _upload(tmp_path, "x.txt", b"\x00\x01\x02garbage")
    with pytest.raises(DocumentError, match="biner"):
        check_content(binary.path, "x.txt", 1)
    zip_path = tmp_path / "not-word.docx"
    with zipfile.ZipFile(zip_path, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(DocumentError, match="bukan dokumen Word"):
        check_content(zip_path, "not-word.docx", 1)
    big = _upload(tmp_path, "big.txt", "a" * 2_000_000)
    with pytest.raises(DocumentError, match="melebihi batas"):
        check_content(big.path, "big.txt", 1)
    exe = _upload(tmp_path, "tool.exe", "MZ")
    with pytest.raises(DocumentError, match="tidak didukung"):
        check_content(exe.path, "tool.exe", 1)


def test_upload_stores_inside_the_corpus_and_ingests(
    kb: KnowledgeBase, admin: Settings, tmp_path: Path
) -> None:
    report = upload_documents(kb, admin, [_upload(tmp_path, "../../rapat embung.md", NOTE)], "rahasia")
    assert [r.status for r in report.results] == ["added"]
    stored = admin.upload_dir / "rapat-embung.md"
    assert stored.read_text(encoding="utf-8") == NOTE
    assert [p.name for p in admin.upload_dir.iterdir()] == ["rapat-embung.md"]  # no temp file left
    assert kb.search("embung")[0].metadata["source"] == "unggahan/rapat-embung.md"
    # the same bytes again, under its name or another: refused before anything is written
    stages: list[tuple[str, str]] = []
    for name in ("rapat embung.md", "salinan rapat.md"):
        again = upload_documents(
            kb, admin, [_upload(tmp_path, name, NOTE)], "rahasia", on_stage=lambda *a: stages.append(a)
        )
        assert [r.status for r in again.results] == ["duplicate"]
        assert "unggahan/rapat-embung.md" in again.results[0].message
        assert [p.name for p in admin.upload_dir.iterdir()] == ["rapat-embung.md"]
    assert stages == [("rapat-embung.md", "memeriksa"), ("salinan-rapat.md", "memeriksa")]
    # other bytes under the same name: a second file, the first is kept; each stage is heard
    stages.clear()
    upload_documents(
        kb, admin, [_upload(tmp_path, "rapat embung.md", NOTE + "Tambahan.\n")], "rahasia",
        on_stage=lambda *a: stages.append(a),
    )  # fmt: skip
    assert sorted(p.name for p in admin.upload_dir.iterdir()) == ["rapat-embung-2.md", "rapat-embung.md"]
    heard = [st for src, st in stages if src == "unggahan/rapat-embung-2.md"]
    assert heard[:3] == ["memeriksa", "membaca", "mengurai Pasal"] and heard[-1] == "embedding 1/1", heard


def test_a_bad_upload_is_reported_and_not_kept(kb: KnowledgeBase, admin: Settings, tmp_path: Path) -> None:
    ups = [_upload(tmp_path, "kosong.md", "---\ntitle: x\n---\n"), _upload(tmp_path, "palsu.pdf", "teks")]
    report = upload_documents(kb, admin, ups, "rahasia")
    assert sorted(r.status for r in report.results) == ["failed", "failed"]
    assert all(r.message for r in report.results)
    assert not any(admin.upload_dir.glob("*.*")) if admin.upload_dir.exists() else True


def test_upload_without_the_password_writes_nothing(
    kb: KnowledgeBase, admin: Settings, tmp_path: Path
) -> None:
    with pytest.raises(AdminError):
        upload_documents(kb, admin, [_upload(tmp_path, "rapat.md", NOTE)], "salah")
    assert not admin.upload_dir.exists()


def test_delete_removes_the_index_entries_and_the_corpus_file(
    kb: KnowledgeBase, admin: Settings, tmp_path: Path
) -> None:
    upload_documents(kb, admin, [_upload(tmp_path, "rapat.md", NOTE)], "rahasia")
    with pytest.raises(AdminError):
        delete_document(kb, admin, "unggahan/rapat.md", "salah")
    message = delete_document(kb, admin, "unggahan/rapat.md", "rahasia")
    assert "dihapus" in message
    assert not (admin.upload_dir / "rapat.md").exists()
    assert kb.store.count() == 0 and kb.retriever.lexical.ids == []
    with pytest.raises(DocumentError, match="tidak ada di indeks"):
        delete_document(kb, admin, "unggahan/rapat.md", "rahasia")


def test_delete_keeps_files_outside_the_corpus(kb: KnowledgeBase, admin: Settings, tmp_path: Path) -> None:
    from ingest.pipeline import ingest

    outside = tmp_path / "luar" / "catatan.md"
    outside.parent.mkdir()
    outside.write_text(NOTE, encoding="utf-8")
    ingest([outside], admin, kb.store, kb.embedder)
    source = next(iter(kb.store.file_states()))
    assert "tidak dihapus" in delete_document(kb, admin, source, "rahasia")
    assert outside.exists() and kb.store.count() == 0
