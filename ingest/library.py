"""The document library's admin actions, as the app offers them: upload files into the
corpus and ingest them; delete a document from the index (and its file from the corpus).

Uploads are treated as hostile until checked: the admin password is compared in constant
time; the name is reduced to a safe base name (no path traversal, nothing written outside
``settings.upload_dir``); the size is limited; the type is checked by content as well as
by extension. A file that fails to ingest is removed again, so it cannot fail every later
ingest of the corpus.
"""

from __future__ import annotations

import hmac
import os
import re
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.loaders import check_file, decode_text
from ingest.pipeline import DUPLICATE, FAILED, FileResult, IngestReport, ingest, ingest_lock
from kb.errors import AdminError, DocumentError, KBError
from kb.hashing import file_sha256
from kb.settings import Settings

MAX_NAME_CHARS = 100


@dataclass(frozen=True)
class Upload:
    path: Path  # where the web server stored the uploaded bytes
    name: str  # the name the user's browser gave


def admin_enabled(settings: Settings) -> bool:
    return bool(settings.admin_password and settings.admin_password.get_secret_value())


def check_password(settings: Settings, given: str | None) -> None:
    """Raise AdminError unless ``given`` is the admin password (constant-time compare)."""
    if not admin_enabled(settings):
        raise AdminError("Unggah dan hapus dokumen dinonaktifkan: KB_ADMIN_PASSWORD belum diatur di server.")
    assert settings.admin_password is not None
    secret = settings.admin_password.get_secret_value().encode("utf-8")
    if not hmac.compare_digest((given or "").encode("utf-8"), secret):
        raise AdminError("Kata sandi admin salah.")


def safe_name(name: str) -> str:
    """A base name that is safe on disk: no directories, no leading dots, plain characters."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFKC", name or ""))[-1]
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = re.sub(r"[^\w-]+", "-", stem, flags=re.UNICODE).strip("-._") or "dokumen"
    suffix = re.sub(r"[^a-z0-9]", "", suffix.lower())
    stem = stem[: MAX_NAME_CHARS - len(suffix) - 1]
    return f"{stem}.{suffix}" if suffix else stem


def check_content(path: Path, name: str, max_file_mb: float) -> None:
    """The file's bytes must match its extension and fit the size limit."""
    suffix = check_file(path, name, max_file_mb, Path(name).suffix)
    with path.open("rb") as f:
        head = f.read(8192)
    if suffix == ".pdf":
        if b"%PDF-" not in head[:1024]:
            raise DocumentError(name, "isinya bukan PDF walaupun namanya berakhiran .pdf.")
    elif suffix == ".docx":
        if not zipfile.is_zipfile(path):
            raise DocumentError(name, "isinya bukan dokumen Word (.docx).")
        with zipfile.ZipFile(path) as z:
            if "word/document.xml" not in z.namelist():
                raise DocumentError(name, "isinya bukan dokumen Word (.docx).")
    else:
        decode_text(head, name)  # refuses binary content


def _destination(folder: Path, name: str, file_hash: str, taken: Callable[[Path], bool]) -> Path:
    """``folder/name``, or ``name-2``, ``name-3`` … when another file has that name, here or
    in the index (``taken``: another replica's upload is not on this disk)."""
    stem, suffix = Path(name).stem, Path(name).suffix
    for n in range(1, 1000):
        candidate = folder / (name if n == 1 else f"{stem}-{n}{suffix}")
        if candidate.exists() and file_sha256(candidate) != file_hash:
            continue
        if not taken(candidate):
            return candidate
    raise DocumentError(name, "terlalu banyak berkas dengan nama yang sama. Ganti nama berkasnya.")


def _source_of(path: Path, settings: Settings) -> str:
    """The name the index knows an upload by: its path inside the corpus."""
    return path.resolve().relative_to(settings.corpus_dir.resolve()).as_posix()


def store_upload(upload: Upload, settings: Settings, held: Mapping[str, set[str]] | None = None) -> Path:
    """Check an upload and copy it into the corpus' upload folder; the path written.
    ``held``: the index's sources and their file hashes; a name it holds with other
    content is not reused (never a silent replacement of another office's document)."""
    name = safe_name(upload.name)
    check_content(upload.path, name, settings.max_file_mb)
    folder = settings.upload_dir.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    file_hash = file_sha256(upload.path)

    def taken(candidate: Path) -> bool:
        hashes = (held or {}).get(_source_of(candidate, settings))
        return bool(hashes) and hashes != {file_hash}

    dest = _destination(folder, name, file_hash, taken)
    if dest.resolve().parent != folder:  # belt and braces: safe_name already forbids this
        raise DocumentError(name, "nama berkas tidak sah.")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-")
    os.close(fd)
    shutil.copyfile(upload.path, tmp)
    os.replace(tmp, dest)  # atomic: the corpus never holds half a file
    return dest


def upload_documents(
    kb: Any,
    settings: Settings,
    uploads: Sequence[Upload],
    password: str | None,
    on_file: Callable[[FileResult], None] | None = None,
    on_stage: Callable[[str, str], None] | None = None,
) -> IngestReport:
    """Check, store and ingest uploaded files; a per-file result for each, and each file's
    stage as it goes (``on_stage(name, stage)``)."""
    check_password(settings, password)
    refused: list[FileResult] = []
    stored: list[Path] = []
    report = IngestReport()
    # Names are chosen and files ingested under the writer lock: another replica's upload of
    # the same name either finished before (its name is then taken) or waits for this one.
    with ingest_lock(settings, kb.store):
        states = kb.store.file_states()
        # a file the index already holds is refused before it is written: nothing is left
        # in the upload folder that the delete list cannot reach
        complete = {h: src for src, st in states.items() for h in st.hashes if st.complete_for(h)}
        held = {src: set(st.hashes) for src, st in states.items()}
        for up in uploads:
            name = safe_name(up.name)
            try:
                if on_stage:
                    on_stage(name, "memeriksa")
                owner = complete.get(file_sha256(up.path))
                if owner:
                    refused.append(
                        FileResult(
                            name,
                            DUPLICATE,
                            message=f"Isinya sama persis dengan dokumen '{owner}' yang sudah ada; "
                            "tidak diunggah lagi.",
                        )
                    )
                    continue
                stored.append(store_upload(up, settings, held))
            except DocumentError as exc:
                refused.append(FileResult(name, FAILED, message=exc.user_message))
        if stored:
            if settings.chroma_host:  # uploaded on purpose: a deletion elsewhere no longer holds
                for path in stored:
                    kb.store.clear_deleted(_source_of(path, settings))
            try:
                report = ingest(
                    stored,
                    settings,
                    kb.store,
                    kb.embedder,
                    on_file=on_file,
                    on_stage=on_stage,
                    retriever=kb.retriever,
                    locked=True,
                )
            # the store failed mid-way: no upload stays behind to be indexed silently later
            # (one indexed before the failure stays listed, and can be deleted)
            except KBError:
                for path in stored:
                    path.unlink(missing_ok=True)
                raise
    for r in report.failed:  # a file that cannot be ingested does not stay in the corpus
        path = settings.corpus_dir / r.source
        if path.resolve().parent == settings.upload_dir.resolve():
            path.unlink(missing_ok=True)
    for r in refused:
        if on_file:
            on_file(r)
    report.results[:0] = refused
    return report


def delete_document(kb: Any, settings: Settings, source: str, password: str | None) -> str:
    """Remove a document from the index, and its file when it lies inside the corpus."""
    check_password(settings, password)
    with ingest_lock(settings, kb.store):
        state = kb.store.file_states().get(source)
        if state is None:
            raise DocumentError(source, "dokumen ini tidak ada di indeks.")
        kb.store.delete_source(source)
        if settings.chroma_host:  # other replicas' copies of the file must not bring it back
            kb.store.mark_deleted(source, list(state.hashes))
        note = "File aslinya di luar folder korpus dan tidak dihapus."
        # the recorded path, or (a shared server records none) the source's name in this corpus
        path = Path(state.path) if state.path else settings.corpus_dir / source
        corpus = settings.corpus_dir.resolve()
        if path.resolve().is_relative_to(corpus) and not path.is_symlink():
            path.unlink(missing_ok=True)
            note = "Berkasnya juga dihapus dari folder korpus."
        kb.retriever.refresh()
    return f"Dokumen '{source}' dihapus dari indeks. {note}"
