"""The ingest as seen in a terminal: rich progress bars for files and embedded chunks, and
a one-line summary with each failure's Indonesian message. Used by ``kb ingest`` and by
the app when it prepares the index at start-up."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from ingest.fetch import FetchResult, fetch_configured
from ingest.pipeline import ADDED, DUPLICATE, FAILED, REMOVED, SKIPPED, UPDATED, IngestReport, ingest
from kb.errors import KBError
from kb.settings import Settings

STATUS_LABELS = {
    ADDED: "ditambahkan",
    UPDATED: "diperbarui",
    REMOVED: "dihapus",
    SKIPPED: "tidak berubah",
    DUPLICATE: "duplikat",
    FAILED: "gagal",
}


def ingest_with_progress(
    paths: Sequence[Path], settings: Settings, kb: Any, console: Console
) -> IngestReport:
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        files_task = progress.add_task("Berkas", total=None)
        chunk_task = progress.add_task("Potongan di-embed", total=None)
        return ingest(
            paths,
            settings,
            kb.store,
            kb.embedder,
            on_start=lambda n: progress.update(files_task, total=n),
            on_file=lambda r: progress.advance(files_task),
            on_chunks=lambda n: progress.advance(chunk_task, n),
            retriever=kb.retriever,
        )


def summary(report: IngestReport) -> str:
    counts = ", ".join(f"{report.count(s)} {label}" for s, label in STATUS_LABELS.items())
    return f"Selesai dalam {report.seconds:.1f} dtk: {counts}."


def print_report(report: IngestReport, console: Console) -> None:
    console.print(f"[bold]{summary(report)}[/]")
    for r in report.results:
        if r.status == DUPLICATE:
            console.print(f"  [yellow]=[/] {escape(r.message)}", highlight=False)
    for r in report.results:
        for w in r.warnings:
            console.print(f"  [yellow]![/] {escape(w)}", highlight=False)
    for r in report.failed:
        console.print(f"  [red]✗[/] {escape(r.message)}", highlight=False)


def fetch_with_progress(
    settings: Settings, console: Console, ids: Sequence[str] = (), *, deadline: float | None = None
) -> list[FetchResult]:
    """Download the regulation pack (or the named regulations) with a progress bar per file."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        tasks: dict[str, TaskID] = {}

        def on_progress(rid: str, done: int, total: int | None) -> None:
            if rid not in tasks:
                tasks[rid] = progress.add_task(f"Unduh {rid}", total=total)
            progress.update(tasks[rid], completed=done, total=total)

        return fetch_configured(settings, ids, deadline=deadline, on_progress=on_progress)


def print_fetch(results: Sequence[FetchResult], console: Console) -> None:
    """One line per file; offline, the one line that says so."""
    offline = [r for r in results if r.offline]
    if offline:
        console.print(f"  [yellow]![/] {escape(offline[0].message)}", highlight=False)
        return
    for r in results:
        mark = "[green]✓[/]" if r.ok else "[yellow]![/]"
        console.print(f"  {mark} {escape(r.message)}", highlight=False)


def ensure_pack(settings: Settings, console: Console) -> None:
    """On a fresh machine, download the regulation pack the corpus lacks, within the timeout:
    offline it says so in one line and start-up goes on with what there is."""
    from kb.pustaka import PackState, load_manifest, status

    if not settings.manifest_path.exists():
        return
    try:
        missing = [
            s.regulation.id
            for s in status(load_manifest(settings.manifest_path), settings.regulation_dir)
            if s.state in (PackState.MISSING, PackState.FAILED)
        ]
        if not missing:
            return
        console.print(
            f"Mengunduh pustaka regulasi ({len(missing)} berkas, paling lama {settings.pustaka_timeout:g} dtk) …"
        )
        results = fetch_with_progress(
            settings, console, missing, deadline=time.monotonic() + settings.pustaka_timeout
        )
    except KBError as exc:
        console.print(f"Pustaka regulasi tidak diunduh: {exc.user_message}")
        return
    print_fetch(results, console)
    if not all(r.ok for r in results):
        console.print(
            f"Regulasi yang belum ada dapat ditambahkan sendiri: simpan berkasnya di '{settings.regulation_dir}', "
            "atau unggah di tab Dokumen, atau jalankan 'kb pustaka unduh' saat tersambung."
        )
