"""The drafting entry points the CLI and the app share: a draft from the index, and the
check of a draft's text, both against the legal registry of the same knowledge base."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kb.draft.basis import LawRegistry, pack_amendments, registry_from_index
from kb.draft.check import DraftReport, check_draft
from kb.draft.compose import Draft, Parties, compose, elements, lettered_items, quote
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


def bidang_choices(kb: KnowledgeBase, kind: str = "peraturan-bersama", notes: int = 3) -> list[str]:
    """Fields to offer for a draft's bidang, all read from the index: the list of the Pasal
    that gives the bidang (UU 6/2014 Pasal 92 ayat (1) for villages together), then the lines
    of the notes nearest to the element that open with its head word ("Bidang pembangunan
    desa …", up to the first comma)."""
    chosen = kind_of(kind)
    _, items = elements(kb, chosen.contents)
    element = next((e for e in items if any(letter == e.letter for letter, _ in chosen.guidance)), None)
    out: list[str] = []
    for letter, anchors in chosen.guidance:
        if element is None or letter != element.letter:
            continue
        for anchor in anchors:
            out += [item for _, item in lettered_items(quote(kb, anchor).text or "")]
    if element is not None:
        head = element.name.split()[0].lower()
        for hit in kb.search(f"{element.name} desa", notes, doc_type="webinar"):
            for line in hit.text.splitlines():
                if line.lower().startswith(head + " "):
                    out.append(line.split(",")[0].strip())
    return list(dict.fromkeys(x for x in out if x))
