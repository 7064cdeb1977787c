"""The regulation pack (*pustaka regulasi*): which regulations the product is about, where each
can be downloaded (pinned public addresses, expected sha256), and which of them this machine
holds. Reading only: downloading and verifying are ``ingest.fetch``'s job.

The manifest is ``corpus/pustaka.yaml``. What has been downloaded and verified is recorded in
``<regulasi>/.pustaka.json`` (a file whose text has no pinned hash is verified by parsing once;
the record keeps the hash it was verified with).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

import yaml
from pydantic import BaseModel, Field, ValidationError

from kb.errors import ConfigError
from kb.hashing import file_sha256

RECORD_NAME = ".pustaka.json"


class Source(BaseModel):
    """One download address of a regulation."""

    url: str
    format: Literal["txt", "pdf"]
    sha256: str | None = None
    size: int | None = None


class Regulation(BaseModel):
    """One regulation of the pack."""

    id: str
    title: str
    role: Literal["core", "amending", "related"]
    page: str = Field(description="The official page (peraturan.go.id), for people to verify.")
    file: str | None = Field(None, description="File stem in the regulation folder.")
    min_pasal: int = 1
    sources: list[Source] = []
    manual: bool = False

    def path_for(self, folder: Path, source: Source) -> Path:
        return folder / f"{self.file}.{source.format}"


class Manifest(BaseModel):
    regulations: list[Regulation]

    def get(self, ids: list[str]) -> list[Regulation]:
        """The regulations named (all when ``ids`` is empty); unknown ids raise ConfigError."""
        if not ids:
            return list(self.regulations)
        by = {r.id.lower(): r for r in self.regulations}
        unknown = [i for i in ids if i.lower() not in by]
        if unknown:
            known = ", ".join(r.id for r in self.regulations)
            raise ConfigError(f"Regulasi {', '.join(unknown)} tidak ada dalam pustaka. Yang ada: {known}.")
        return [by[i.lower()] for i in ids]


def load_manifest(path: Path) -> Manifest:
    """Read and validate the manifest; a clear ConfigError when it is missing or wrong."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Manifest.model_validate(data)
    except FileNotFoundError as exc:
        raise ConfigError(f"Daftar pustaka '{path}' tidak ditemukan.") from exc
    except (yaml.YAMLError, ValidationError) as exc:
        raise ConfigError(f"Daftar pustaka '{path}' tidak valid: {exc}") from exc


def mirrored(url: str, base_url: str | None) -> str:
    """The address with its scheme and host replaced by ``base_url``'s, its path kept:
    ``https://raw.githubusercontent.com/o/r/c/p`` with ``http://127.0.0.1:8080`` becomes
    ``http://127.0.0.1:8080/o/r/c/p`` (a mirror laid out as ``{owner}/{repo}/{commit}/{path}``)."""
    if not base_url:
        return url
    base = urlsplit(base_url)
    parts = urlsplit(url)
    path = base.path.rstrip("/") + parts.path
    return urlunsplit((base.scheme, base.netloc, path, parts.query, ""))


class PackState(StrEnum):
    PRESENT = "ada"
    MISSING = "belum ada"
    CHANGED = "berbeda"  # a file is there, but it is none of the pinned versions
    FAILED = "gagal verifikasi"
    MANUAL = "unduh manual"


@dataclass(frozen=True)
class PackStatus:
    regulation: Regulation
    state: PackState
    path: Path | None = None
    message: str = ""

    def to_json(self) -> dict[str, object]:
        r = self.regulation
        return {
            "id": r.id,
            "title": r.title,
            "role": r.role,
            "page": r.page,
            "state": self.state.value,
            "file": str(self.path) if self.path else None,
            "message": self.message or None,
        }

    def hint(self) -> str:
        """What to tell a user who needs this regulation (Indonesian)."""
        r = self.regulation
        if self.state == PackState.MANUAL:
            return f"{r.id} (unduh dari {r.page}, lalu simpan di folder regulasi korpus atau unggah di tab Dokumen)"
        return f"{r.id} (jalankan 'kb pustaka unduh', atau unduh dari {r.page})"


def read_record(folder: Path) -> dict[str, dict[str, str]]:
    try:
        data = json.loads((folder / RECORD_NAME).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def status(manifest: Manifest, folder: Path) -> list[PackStatus]:
    """Which regulations of the pack the folder holds, verified."""
    record = read_record(folder)
    out = []
    for reg in manifest.regulations:
        if reg.manual or not reg.sources:
            out.append(PackStatus(reg, PackState.MANUAL))
            continue
        seen = record.get(reg.id, {})
        found = [(s, reg.path_for(folder, s)) for s in reg.sources if reg.path_for(folder, s).exists()]
        if not found:
            state = PackState.FAILED if seen.get("failed") else PackState.MISSING
            out.append(PackStatus(reg, state, None, seen.get("failed", "")))
            continue
        source, path = found[0]
        digest = file_sha256(path)
        ok = digest == source.sha256 if source.sha256 else digest == seen.get("sha256")
        out.append(PackStatus(reg, PackState.PRESENT if ok else PackState.CHANGED, path))
    return out


def missing_from_pack(manifest_path: Path, folder: Path, indexed: set[str]) -> list[str]:
    """Hints for the pack's regulations the index lacks ("Permendagri 96/2017 belum ada …");
    empty when there is no manifest."""
    if not manifest_path.exists():
        return []
    try:
        rows = status(load_manifest(manifest_path), folder)
    except ConfigError:
        return []
    return [r.hint() for r in rows if r.regulation.id not in indexed]


def pack_note(hints: list[str]) -> str:
    """One sentence naming the pack's regulations the index lacks (for refusals)."""
    return "Regulasi pustaka yang belum ada di basis pengetahuan: " + "; ".join(hints) if hints else ""
