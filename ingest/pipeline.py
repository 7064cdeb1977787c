"""The ingest: files in, chunks embedded into the store; idempotent, incremental, safe.

* new files are added, changed files replaced, files gone from a scanned folder removed,
  unchanged files skipped (one hash of the file, one look-up: well under a second);
* one bad file is reported with an Indonesian message and the rest goes on;
* a crash or Ctrl-C loses nothing already indexed: a file's new chunks are written before
  its old version is deleted, chunk ids are deterministic (so a rerun rewrites, never
  duplicates), and a file counts as indexed only when all its chunks are present;
* one ingest at a time: a lock file in the data directory.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from ingest.chunking import DocInfo, regulation_chunks, text_chunks
from ingest.clean import join_pages
from ingest.legal import parse_identity, parse_regulation
from ingest.loaders import SUPPORTED_SUFFIXES, load_file
from ingest.structure import StructureCheck, check_regulation, check_unparsed
from kb.embedder import Embedder
from kb.errors import DocumentError, IngestLockedError, KBError
from kb.hashing import file_sha256
from kb.lease import WriterLease
from kb.legaltext import norm_units
from kb.promulgation import own_promulgation
from kb.retrieve import HybridRetriever
from kb.settings import Settings
from kb.store import FileState, Store
from kb.types import DOC_TYPES, Chunk, DocType, LoadedDocument, Provenance

log = logging.getLogger(__name__)

ADDED, UPDATED, SKIPPED, REMOVED, FAILED = "added", "updated", "skipped", "removed", "failed"
DUPLICATE = "duplicate"  # the same bytes as another file: listed with it, not indexed twice
# files in a corpus folder that describe it rather than belong to it (pustaka.yaml: the pack)
NOT_DOCUMENTS = ("readme.md", "readme.txt", "pustaka.yaml")


@dataclass(frozen=True)
class FileResult:
    source: str
    status: str
    chunks: int = 0
    message: str = ""
    warnings: tuple[str, ...] = ()  # the structure check's findings (the file is indexed)


@dataclass
class IngestReport:
    results: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0
    embed_seconds: float = 0.0
    chunks_embedded: int = 0

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def failed(self) -> list[FileResult]:
        return [r for r in self.results if r.status == FAILED]

    @property
    def changed(self) -> bool:
        return any(r.status in (ADDED, UPDATED, REMOVED) for r in self.results)


@dataclass(frozen=True)
class SourceFile:
    path: Path
    source: str
    root: Path


def _source_for(path: Path, root: Path, corpus_dir: Path) -> str:
    resolved = path.resolve()
    for base in (corpus_dir.resolve(), root.resolve() if root.is_dir() else root.resolve().parent):
        try:
            rel = resolved.relative_to(base)
        except ValueError:
            continue
        if base == corpus_dir.resolve():
            return rel.as_posix()
        return (Path(base.name) / rel).as_posix()
    return resolved.name


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def discover(paths: Sequence[Path], corpus_dir: Path) -> tuple[list[SourceFile], list[FileResult]]:
    """Files to ingest under the given paths (recursively), and those refused outright."""
    found: list[SourceFile] = []
    refused: list[FileResult] = []
    for root in paths:
        if not root.exists():
            refused.append(FileResult(str(root), FAILED, message=f"Path '{root}' tidak ditemukan."))
            continue
        candidates = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for p in candidates:
            if any(part.startswith(".") for part in p.relative_to(root).parts) and p != root:
                continue
            if p.name.lower() in NOT_DOCUMENTS:
                continue
            source = _source_for(p, root, corpus_dir)
            if p.is_symlink() and not _inside(
                p.resolve(), root.resolve() if root.is_dir() else root.parent.resolve()
            ):
                link = (p.relative_to(root) if root.is_dir() else Path(p.name)).as_posix()
                refused.append(
                    FileResult(
                        link,
                        FAILED,
                        message=f"Berkas '{link}' dilewati: tautan (symlink) yang menunjuk ke luar folder "
                        "korpus. Salin berkas aslinya ke dalam folder korpus bila memang perlu diindeks.",
                    )
                )
                continue
            if p.suffix.lower() not in SUPPORTED_SUFFIXES:
                refused.append(
                    FileResult(
                        source,
                        FAILED,
                        message=f"Berkas '{source}' dilewati: jenis '{p.suffix or '-'}' tidak didukung "
                        "(gunakan PDF, TXT, MD atau DOCX).",
                    )
                )
                continue
            found.append(SourceFile(p, source, root))
    return found, refused


def _doc_type(doc: LoadedDocument, is_regulation: bool) -> DocType:
    """Declared in the front matter, else the folder it sits in, else what it reads as."""
    declared = str(doc.meta.get("doc_type", "")).strip().lower()
    if declared in DOC_TYPES:
        return DocType(declared)
    for part in Path(doc.source).parts[:-1]:
        if part.lower() in DOC_TYPES:
            return DocType(part.lower())
    return DocType.REGULASI if is_regulation else DocType.LAINNYA


def build_chunks(doc: LoadedDocument, embedder: Embedder) -> list[Chunk]:
    """Parse a loaded document and cut it into chunks that fit the embedder's window."""
    return parse_document(doc, embedder)[0]


def parse_document(doc: LoadedDocument, embedder: Embedder) -> tuple[list[Chunk], StructureCheck | None]:
    """The document's chunks, and the structure check of a regulation (None for notes)."""
    text = join_pages(doc.pages)
    identity = parse_identity(text)
    doc_type = _doc_type(doc, identity is not None)
    meta = doc.meta
    pages: dict[str, Any] = {
        "pages_without_text": doc.pages_without_text,
        "ocr_pages": doc.ocr_pages,
        "ocr_problem": doc.ocr_problem,
    }

    def count(t: str) -> int:
        return embedder.count_tokens(t, "passage")

    def front(key: str) -> str | None:  # a field of the file's front matter
        return str(meta[key]) if meta.get(key) else None

    def info(title: str, check: StructureCheck | None) -> DocInfo:
        provenance = Provenance(
            source=doc.source,
            title=title,
            doc_type=doc_type,
            file_hash=doc.file_hash,
            path=doc.path,
            regulation=identity.regulation if identity else None,
            tentang=identity.tentang if identity else None,
            date=front("date"),
            event=front("event"),
            speaker=front("speaker"),
            organizer=front("organizer"),
        )
        # where the regulation was promulgated, from its own closing (kb.promulgation)
        promulgated = (
            own_promulgation(text, int(identity.tahun)) if identity and identity.tahun.isdigit() else None
        )
        record = (
            ("ingested_at", datetime.now(UTC).isoformat(timespec="seconds")),
            *(check.to_metadata().items() if check else ()),
            *(promulgated.to_metadata().items() if promulgated else ()),
        )
        return DocInfo(provenance, record)

    check: StructureCheck | None = None
    if identity is not None and doc_type == DocType.REGULASI:
        reg = parse_regulation(text, identity)
        check = check_regulation(reg, doc.text, **pages)
        if reg.articles:
            title = str(meta.get("title") or identity.title)
            chunks = regulation_chunks(reg, info(title, check), count, embedder.max_tokens)
            return _finish(chunks, doc), check
    if check is None:
        unparsed = check_unparsed(doc.text, identity.regulation if identity else None, **pages)
        check = unparsed if unparsed.problems() or doc_type == DocType.REGULASI else None
    title = str(meta.get("title") or Path(doc.source).stem.replace("-", " ").replace("_", " "))
    markdown = doc.source.lower().endswith((".md", ".markdown"))
    chunks = text_chunks(text, info(title, check), count, embedder.max_tokens, markdown)
    if not chunks:
        raise DocumentError(doc.source, "tidak ada teks yang dapat diindeks (hanya kop/nomor halaman).")
    return _finish(chunks, doc), check


def _finish(chunks: list[Chunk], doc: LoadedDocument) -> list[Chunk]:
    """Norm units on every chunk; chunks read from OCR'd pages marked ``ocr``."""
    ocr = set(doc.ocr_pages)
    return [
        replace(
            c,
            units=tuple(norm_units(c.text)),
            provenance=replace(c.provenance, ocr=True) if c.provenance.page in ocr else c.provenance,
        )
        for c in chunks
    ]


@contextmanager
def ingest_lock(settings: Settings, store: Store | None = None) -> Iterator[None]:
    """One writer at a time: per data directory (an advisory file lock, released on any
    exit), and with a Chroma server and its ``store`` across every replica sharing it (the
    store's writer lease, ``kb.lease``)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(settings.lock_path, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise IngestLockedError(
                "Proses ingest lain sedang berjalan pada folder data ini. Tunggu sampai selesai, "
                "lalu coba lagi."
            ) from exc
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        if store is not None and settings.chroma_host:
            with WriterLease(store).hold():
                yield
        else:
            yield
    finally:
        os.close(fd)


def ingest(
    paths: Sequence[Path],
    settings: Settings,
    store: Store,
    embedder: Embedder,
    *,
    on_file: Callable[[FileResult], None] | None = None,
    on_start: Callable[[int], None] | None = None,
    on_chunks: Callable[[int], None] | None = None,
    on_stage: Callable[[str, str], None] | None = None,
    retriever: HybridRetriever | None = None,
    locked: bool = False,
) -> IngestReport:
    """Bring the index in step with the files under ``paths``. BM25 is rebuilt at the end,
    through ``retriever`` when the caller serves searches with one (it then searches the
    new index at once, without reading the store again). ``on_stage(source, stage)`` hears
    each file's stage in Indonesian: memeriksa, membaca, mengurai Pasal, embedding n/N.
    ``locked``: the caller already holds :func:`ingest_lock` (an upload that chose its
    names under it)."""

    def stage(source: str, text: str) -> None:
        if on_stage:
            on_stage(source, text)

    report = IngestReport()
    t0 = time.perf_counter()

    def done(result: FileResult) -> None:
        report.results.append(result)
        if result.status == FAILED:
            log.warning(result.message)
        if on_file:
            on_file(result)

    ocr_lang = settings.ocr_lang if settings.ocr else None
    shared = bool(settings.chroma_host)
    with nullcontext() if locked else ingest_lock(settings, store):
        files, refused = discover(paths, settings.corpus_dir)
        states = store.file_states()
        if on_start:
            on_start(len(files) + len(refused))
        for r in refused:
            done(r)
        # a file already indexed under another name (the same path reached through another
        # folder argument) keeps its name, so it is never indexed twice
        known = {str(Path(st.path)): src for src, st in states.items() if st.path}
        files = [SourceFile(f.path, known.get(str(f.path.resolve()), f.source), f.root) for f in files]
        seen: set[str] = set()
        # which source holds each file content: indexed sources outside this run whose file
        # still exists, then every file of this run as it is processed (in order)
        scanned = {f.source for f in files}
        owner_of: dict[str, str] = {
            h: src
            for src, st in states.items()
            if src not in scanned and st.path and Path(st.path).exists()
            for h in st.hashes
            if st.complete_for(h)
        }
        duplicates: dict[str, list[str]] = defaultdict(list)
        # shared server: versions an admin deleted on any replica are not brought back by
        # another replica's copy of the file (an upload in the app clears the record)
        deleted = store.deleted_versions() if shared else {}

        def prepare(f: SourceFile) -> tuple[str, LoadedDocument | None, list[Chunk], tuple[str, ...]]:
            """Hash, load and chunk one file (runs ahead of the embedding, in a thread)."""
            stage(f.source, "memeriksa")
            file_hash = file_sha256(f.path)
            state = states.get(f.source)
            if (state and state.complete_for(file_hash)) or file_hash in deleted.get(f.source, ()):
                return file_hash, None, [], ()
            stage(f.source, "membaca")
            doc = load_file(f.path, f.source, max_file_mb=settings.max_file_mb, ocr_lang=ocr_lang)
            stage(f.source, "mengurai Pasal")
            chunks, check = parse_document(doc, embedder)
            return file_hash, doc, chunks, tuple(check.problems()) if check else ()

        # The next file is read and parsed while this one is embedded: pypdf and the
        # parser are Python, the network runs in torch's threads, so the two overlap
        # (the pipeline's own work hides behind the embedding). Writes stay in order.
        with ThreadPoolExecutor(max_workers=1) as pool:
            ahead = pool.submit(prepare, files[0]) if files else None
            for i, f in enumerate(files):
                seen.add(f.source)
                state = states.get(f.source)
                current, ahead = ahead, pool.submit(prepare, files[i + 1]) if i + 1 < len(files) else None
                try:
                    assert current is not None
                    file_hash, doc, chunks, warnings = current.result()
                    if file_hash in deleted.get(f.source, ()):
                        done(FileResult(f.source, SKIPPED, message=DELETED_MESSAGE.format(f.source)))
                        continue
                    owner = owner_of.setdefault(file_hash, f.source)
                    if owner != f.source:
                        if state:  # this name held its own copy before
                            store.delete_source(f.source)
                        duplicates[owner].append(f.source)
                        done(
                            FileResult(
                                f.source,
                                DUPLICATE,
                                message=f"Berkas '{f.source}' sama persis dengan '{owner}': diindeks "
                                "sekali saja, kedua nama dicatat.",
                            )
                        )
                        continue
                    if doc is None:
                        # moved or restored elsewhere (a shared server keeps no machine's paths)
                        if state and not shared and state.path != str(f.path.resolve()):
                            store.update_source(f.source, path=str(f.path.resolve()))
                        done(FileResult(f.source, SKIPPED, sum(state.hashes.values()) if state else 0))
                        continue
                    t1 = time.perf_counter()
                    embedded = 0

                    def progress(n: int, source: str = f.source, total: int = len(chunks)) -> None:
                        nonlocal embedded
                        embedded += n
                        stage(source, f"embedding {embedded}/{total}")
                        if on_chunks:
                            on_chunks(n)

                    if shared:  # a path on this machine means nothing to the other replicas
                        chunks = [replace(c, provenance=replace(c.provenance, path=None)) for c in chunks]
                    stage(f.source, f"embedding 0/{len(chunks)}")
                    vectors, unit_vectors = _embed(embedder, chunks, progress)
                    report.embed_seconds += time.perf_counter() - t1
                    report.chunks_embedded += len(chunks)
                    # the new version beside the old, then made active, then the old deleted:
                    # a search meanwhile sees one version whole (kb.store)
                    store.upsert(chunks, vectors, unit_vectors)
                    store.activate(f.source, doc.file_hash)
                    store.delete_source(f.source, keep_hash=doc.file_hash)
                    done(FileResult(f.source, UPDATED if state else ADDED, len(chunks), warnings=warnings))
                except DocumentError as exc:
                    done(FileResult(f.source, FAILED, message=exc.user_message))
                except KBError:
                    raise  # store or model failures stop the run: every later file would fail too
                except Exception as exc:  # a parser bug on one file must not stop the rest
                    log.exception("ingest of %s failed", f.source)
                    done(
                        FileResult(
                            f.source,
                            FAILED,
                            message=f"Berkas '{f.source}' gagal diproses ({type(exc).__name__}). "
                            "Laporkan berkas ini ke pengelola.",
                        )
                    )
        if settings.prunes:
            for source in _pruned(paths, states, seen, settings.corpus_dir):
                store.delete_source(source)
                done(FileResult(source, REMOVED))
        for r in report.results:
            had = states[r.source].duplicates if r.source in states else ""
            names = duplicates.get(r.source, [])
            if r.status in (ADDED, UPDATED, SKIPPED) and (names or had) and ", ".join(sorted(names)) != had:
                store.update_source(r.source, duplicates=", ".join(sorted(names)))
        # BM25 follows the store (a crash before this line is repaired on next load)
        (retriever or HybridRetriever(settings, store, embedder)).refresh()
    report.seconds = time.perf_counter() - t0
    return report


def _pruned(
    paths: Sequence[Path], states: dict[str, FileState], seen: set[str], corpus_dir: Path
) -> list[str]:
    """Indexed sources whose file (as recorded, or by its name in the corpus when no path is
    recorded: a shared server's) lies under a scanned folder and is gone."""
    roots = [p.resolve() for p in paths if p.exists()]
    out = []
    for source, state in states.items():
        if source in seen:
            continue
        p = Path(state.path) if state.path else (corpus_dir / source).resolve()
        if any(p == r or r in p.parents for r in roots) and not p.exists():
            out.append(source)
    return out


DELETED_MESSAGE = (
    "Berkas '{}' sudah dihapus dari indeks oleh admin; tidak diindeks lagi. Unggah ulang lewat "
    "tab Dokumen untuk memasukkannya kembali."
)


# Chunks handed to the embedder per call: large enough for the engine to sort them by
# length and batch them well, small enough for a lively progress bar.
EMBED_CALL = 128


def _embed(
    embedder: Embedder, chunks: list[Chunk], on_chunks: Callable[[int], None] | None
) -> tuple[np.ndarray, np.ndarray]:
    """The chunks' vectors and their units' vectors (one row per unit, in order).

    A call embeds a group of chunks together with their units, so the engine batches the
    short units with like lengths."""
    parts: list[np.ndarray] = []
    unit_parts: list[np.ndarray] = []
    for start in range(0, len(chunks), EMBED_CALL):
        part = chunks[start : start + EMBED_CALL]
        texts = [c.embed_text for c in part]
        vectors = embedder.embed_passages(texts + [u for c in part for u in c.units])
        parts.append(vectors[: len(part)])
        unit_parts.append(vectors[len(part) :])
        if on_chunks:
            on_chunks(len(part))
    empty = np.zeros((0, embedder.dimension), dtype=np.float32)
    return (np.concatenate(parts), np.concatenate(unit_parts)) if parts else (empty, empty)
