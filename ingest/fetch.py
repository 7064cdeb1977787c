"""Downloads the regulation pack (``kb.pustaka``) into the corpus, verified, the way a package
manager would: nothing half-written or unverified ever lands where the ingest reads.

* httpx, for its streaming responses, separate connect/read timeouts, and proxies taken from
  the environment (``HTTPS_PROXY``, ``HTTP_PROXY``, ``NO_PROXY``: offices behind a proxy);
* each file is written to ``<regulasi>/.unduhan/<name>.part`` (a hidden folder the ingest
  skips), resumed with a ``Range`` request after a dropped connection (restarted when the
  server ignores it), at most ``retries`` times, and refused past the size limit;
* verified: a PDF must start with ``%PDF``, a text must be UTF-8 text and not an HTML page;
  the sha256 must match where it is pinned; otherwise the file is parsed, and its identity must
  be the expected regulation with at least its expected Pasal and a passing structure check;
* then moved into place atomically (``os.replace``) and recorded in ``.pustaka.json``.

The first connection that cannot be made stops the run: offline, every other file would wait
for the same timeout. ``deadline`` bounds the whole run (the app's start-up).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from ingest.clean import join_pages
from ingest.legal import parse_identity, parse_regulation
from ingest.loaders import load_file
from ingest.structure import check_regulation
from kb.errors import DocumentError
from kb.hashing import file_sha256
from kb.pustaka import (
    RECORD_NAME,
    Manifest,
    PackState,
    Regulation,
    Source,
    load_manifest,
    mirrored,
    read_record,
    status,
)
from kb.settings import Settings

PART_DIR = ".unduhan"
# What a first request may wait between retries (seconds), doubled each time.
RETRY_PAUSE = 0.5

Progress = Callable[[str, int, int | None], None]  # (regulation id, bytes so far, total or None)


class Offline(Exception):
    """No connection to the download host could be made."""


@dataclass(frozen=True)
class FetchResult:
    regulation: str
    ok: bool
    message: str  # Indonesian, one line
    path: Path | None = None
    downloaded: bool = False  # False: it was already there, verified
    manual: bool = False  # no public file: to be downloaded by hand
    offline: bool = False  # not tried: no connection to its host


class _Rejected(Exception):
    """A downloaded file that fails verification (its message is Indonesian)."""


def fetch_pack(
    manifest: Manifest,
    folder: Path,
    *,
    ids: Sequence[str] = (),
    base_url: str | None = None,
    timeout: float = 30.0,
    max_mb: float = 50.0,
    retries: int = 3,
    deadline: float | None = None,
    on_progress: Progress | None = None,
) -> list[FetchResult]:
    """Download and verify the named regulations of the pack (all when ``ids`` is empty) that
    the folder does not hold yet. Never raises for one file: each gets a result."""
    wanted = {r.id for r in manifest.get(list(ids))}
    results: list[FetchResult] = []
    folder.mkdir(parents=True, exist_ok=True)
    with httpx.Client(follow_redirects=True, trust_env=True) as client:
        for st in status(manifest, folder):
            reg = st.regulation
            if reg.id not in wanted:
                continue
            if st.state == PackState.MANUAL:
                results.append(FetchResult(reg.id, False, f"{reg.id} belum ada: {st.hint()}.", manual=True))
                continue
            if st.state == PackState.PRESENT:
                results.append(FetchResult(reg.id, True, f"{reg.id}: sudah ada dan terverifikasi.", st.path))
                continue
            if deadline is not None and time.monotonic() >= deadline:
                results.append(FetchResult(reg.id, False, f"{reg.id}: dilewati, batas waktu unduhan habis."))
                continue
            try:
                results.append(
                    _fetch_one(client, reg, folder, base_url, timeout, max_mb, retries, deadline, on_progress)
                )
            except Offline as exc:
                results.append(FetchResult(reg.id, False, str(exc), offline=True))
                for rest in manifest.regulations:
                    if (
                        rest.id in wanted
                        and not rest.manual
                        and rest.id not in {r.regulation for r in results}
                    ):
                        results.append(
                            FetchResult(
                                rest.id, False, f"{rest.id}: dilewati (tidak tersambung).", offline=True
                            )
                        )
                break
    return results


def fetch_configured(
    settings: Settings,
    ids: Sequence[str] = (),
    *,
    deadline: float | None = None,
    on_progress: Progress | None = None,
) -> list[FetchResult]:
    """:func:`fetch_pack` with the manifest, folder, mirror and limits of ``settings``."""
    return fetch_pack(
        load_manifest(settings.manifest_path),
        settings.regulation_dir,
        ids=ids,
        base_url=settings.pustaka_base_url,
        timeout=settings.pustaka_timeout,
        max_mb=settings.max_file_mb,
        deadline=deadline,
        on_progress=on_progress,
    )


def _fetch_one(
    client: httpx.Client,
    reg: Regulation,
    folder: Path,
    base_url: str | None,
    timeout: float,
    max_mb: float,
    retries: int,
    deadline: float | None,
    on_progress: Progress | None,
) -> FetchResult:
    failures = []
    for source in reg.sources:
        url = mirrored(source.url, base_url)
        part = folder / PART_DIR / f"{reg.file}.{source.format}.part"
        try:
            _download(client, url, part, source, timeout, max_mb, retries, deadline, reg.id, on_progress)
            digest = _verify(part, source, reg)
        except _Rejected as exc:
            part.unlink(missing_ok=True)
            failures.append(str(exc))
            continue
        except httpx.HTTPError as exc:
            failures.append(f"{url}: unduhan gagal ({type(exc).__name__}).")
            continue
        target = reg.path_for(folder, source)
        os.replace(part, target)
        _record(folder, reg.id, {"sha256": digest, "url": url, "file": target.name})
        return FetchResult(
            reg.id, True, f"{reg.id}: diunduh dan terverifikasi ({target.name}).", target, True
        )
    message = f"{reg.id}: gagal — " + " ".join(failures)
    _record(folder, reg.id, {"failed": message})
    return FetchResult(reg.id, False, message)


def _remaining(timeout: float, deadline: float | None) -> float:
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise _Rejected("batas waktu unduhan habis.")
    return min(timeout, left)


def _download(
    client: httpx.Client,
    url: str,
    part: Path,
    source: Source,
    timeout: float,
    max_mb: float,
    retries: int,
    deadline: float | None,
    rid: str,
    on_progress: Progress | None,
) -> None:
    """Stream ``url`` into ``part``, resuming after a dropped connection."""
    part.parent.mkdir(parents=True, exist_ok=True)
    limit = int(max_mb * 1024 * 1024)
    for attempt in range(retries + 1):
        have = part.stat().st_size if part.exists() else 0
        headers = {"Range": f"bytes={have}-"} if have else {}
        try:
            with client.stream("GET", url, headers=headers, timeout=_remaining(timeout, deadline)) as resp:
                if resp.status_code == 416:  # the part is complete or wrong: start again
                    part.unlink(missing_ok=True)
                    continue
                if resp.status_code == 404:
                    raise _Rejected(f"{url}: tidak ditemukan (404).")
                resp.raise_for_status()
                resumed = resp.status_code == 206
                total = _total(resp, have if resumed else 0)
                if total is not None and total > limit:
                    raise _Rejected(f"{url}: ukuran {total / 1048576:.1f} MB melebihi batas {max_mb:g} MB.")
                with part.open("ab" if resumed else "wb") as out:
                    done = have if resumed else 0
                    for block in resp.iter_bytes():  # as received: a dropped connection keeps what came
                        done += len(block)
                        if done > limit:
                            raise _Rejected(f"{url}: berkas melebihi batas {max_mb:g} MB.")
                        out.write(block)
                        if on_progress:
                            on_progress(rid, done, total)
                if total is not None and done < total:
                    raise httpx.RemoteProtocolError("connection closed before the end of the file")
                return
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            if attempt == 0 and not have:
                raise Offline(
                    f"Tidak dapat tersambung ke {httpx.URL(url).host} ({type(exc).__name__}): pustaka "
                    "regulasi tidak diunduh. Simpan berkasnya di folder regulasi korpus, atau unggah di tab Dokumen."
                ) from exc
        except (httpx.TransportError, httpx.HTTPStatusError) as exc:
            if attempt == retries:
                raise _Rejected(
                    f"{url}: unduhan gagal setelah {retries + 1} percobaan ({type(exc).__name__})."
                ) from exc
        time.sleep(min(RETRY_PAUSE * 2**attempt, max(0.0, _remaining(timeout, deadline) - 0.1)))
    raise _Rejected(f"{url}: unduhan gagal setelah {retries + 1} percobaan.")


def _total(resp: httpx.Response, offset: int) -> int | None:
    length = resp.headers.get("content-length")
    return offset + int(length) if length and length.isdigit() else None


def _verify(part: Path, source: Source, reg: Regulation) -> str:
    """Check a downloaded file; returns its sha256. Raises _Rejected with the reason."""
    with part.open("rb") as f:
        head = f.read(2048)
    if source.format == "pdf" and b"%PDF" not in head[:1024]:
        kind = "halaman HTML" if b"<html" in head.lower() or b"<!doctype" in head.lower() else "bukan PDF"
        raise _Rejected(f"{reg.id}: berkas yang diterima {kind}, bukan PDF peraturan.")
    if source.format == "txt":
        low = head.lstrip().lower()
        if low.startswith((b"<!doctype", b"<html")) or b"\x00" in head:
            raise _Rejected(f"{reg.id}: berkas yang diterima bukan teks peraturan (halaman HTML atau biner).")
    digest = file_sha256(part)
    if source.size is not None and part.stat().st_size != source.size:
        raise _Rejected(f"{reg.id}: ukuran berkas {part.stat().st_size} bita, seharusnya {source.size}.")
    if source.sha256:
        if digest != source.sha256:
            raise _Rejected(
                f"{reg.id}: sidik sha256 tidak cocok (berkas berubah atau rusak); tidak disimpan."
            )
        return digest
    _verify_structure(part, source, reg)
    return digest


def _verify_structure(part: Path, source: Source, reg: Regulation) -> None:
    """No pinned hash: the file must parse as the expected regulation, complete."""
    name = f"{reg.file}.{source.format}"
    readable = part.with_name(name)  # the loader reads by suffix
    os.replace(part, readable)
    try:
        doc = load_file(readable, name, max_file_mb=1024)
        text = join_pages(doc.pages)
        identity = parse_identity(text)
        if identity is None or identity.regulation != reg.id:
            found = identity.regulation if identity else "tidak terbaca"
            raise _Rejected(f"{reg.id}: isi berkas bukan peraturan yang diharapkan (terbaca: {found}).")
        check = check_regulation(parse_regulation(text, identity), doc.text)
        if not check.ok or check.pasal_found < reg.min_pasal:
            raise _Rejected(
                f"{reg.id}: struktur tidak lengkap ({check.pasal_found} Pasal terbaca, diharapkan ≥ {reg.min_pasal})."
            )
    except DocumentError as exc:
        raise _Rejected(f"{reg.id}: {exc.reason}") from exc
    finally:
        if readable.exists():
            os.replace(readable, part)


def _record(folder: Path, rid: str, entry: dict[str, str]) -> None:
    """Update ``.pustaka.json`` atomically."""
    record = read_record(folder)
    record[rid] = {**entry, "at": datetime.now(UTC).isoformat(timespec="seconds")}
    tmp = folder / (RECORD_NAME + ".tmp")
    tmp.write_text(json.dumps(record, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, folder / RECORD_NAME)
