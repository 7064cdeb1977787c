"""The drafting entry points the CLI and the app share: a draft from the index, and the
check of a draft's text, both against the legal registry of the same knowledge base."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kb.draft.basis import LawRegistry, pack_amendments, registry_from_index
from kb.draft.check import DraftReport, check_draft
from kb.draft.compose import Draft, Parties, compose
from kb.draft.spec import KINDS, DraftKind
from kb.errors import ConfigError

if TYPE_CHECKING:
    from kb.base import KnowledgeBase


def registry(kb: KnowledgeBase) -> LawRegistry:
    """What the index says of regulations, with the amendments the regulation pack lists."""
    from kb.pustaka import load_manifest

    path = kb.settings.manifest_path
    amending = []
    if path.exists():
        manifest = load_manifest(path)
        amending = pack_amendments((r.id, r.title, r.role) for r in manifest.regulations)
    return registry_from_index(kb, amending)


def kind_of(key: str) -> DraftKind:
    try:
        return KINDS[key]
    except KeyError as exc:
        known = ", ".join(KINDS)
        raise ConfigError(f"Jenis dokumen '{key}' tidak dikenal. Pilih salah satu: {known}.") from exc


def make_draft(
    kb: KnowledgeBase,
    kind: str,
    desa: list[str],
    bidang: str = "",
    term: str = "",
    kecamatan: str = "",
    kabupaten: str = "",
    pihak_ketiga: str = "",
) -> Draft:
    parties = Parties(tuple(d.strip() for d in desa if d.strip()), kecamatan, kabupaten, pihak_ketiga)
    return compose(kb, registry(kb), kind_of(kind), parties, bidang.strip(), term.strip())


def check_text(kb: KnowledgeBase, text: str, kind: str | None = None) -> DraftReport:
    return check_draft(kb, registry(kb), text, kind_of(kind) if kind else None)
