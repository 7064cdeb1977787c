"""The handout basket: passages a trainer collects from any search or answer, kept in the
order the trainer sets until removed. Plain values in, plain values out, so the app can keep
the basket in the browser (it survives a reload) and every operation is a pure function."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from kb.handout import HandoutPassage, hierarchy_key, passage_from_hit
from kb.naming import source_label
from kb.types import Hit, Provenance


@dataclass(frozen=True)
class BasketItem:
    chunk_id: str
    text: str  # the whole Pasal, or the note's passage
    metadata: dict[str, Any]  # the passage's stored provenance
    note: str = ""  # the trainer's own note

    @property
    def provenance(self) -> Provenance:
        return Provenance.from_metadata(self.metadata)

    @property
    def label(self) -> str:
        return source_label(self.provenance, None)

    @classmethod
    def of_hit(cls, hit: Hit, text: str | None = None) -> BasketItem:
        return cls(hit.chunk_id, text or hit.text, dict(hit.metadata))

    def passage(self) -> HandoutPassage:
        return passage_from_hit(Hit(self.chunk_id, self.text, 0.0, self.metadata), self.text, self.note)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


Basket = list[BasketItem]


def load(raw: Any) -> Basket:
    """The basket from its stored form; anything unreadable is left out (an old or edited
    browser store never breaks the page)."""
    out: Basket = []
    for item in raw if isinstance(raw, list) else []:
        try:
            out.append(
                BasketItem(
                    str(item["chunk_id"]),
                    str(item["text"]),
                    dict(item["metadata"]),
                    str(item.get("note", "")),
                )
            )
        except (KeyError, TypeError, ValueError):
            continue
    return out


def dump(basket: Sequence[BasketItem]) -> list[dict[str, Any]]:
    return [item.to_dict() for item in basket]


def add(basket: Sequence[BasketItem], items: Iterable[BasketItem]) -> Basket:
    """New passages at the end; one already in the basket stays where it is."""
    out = list(basket)
    held = {i.chunk_id for i in out}
    for item in items:
        if item.chunk_id not in held:
            out.append(item)
            held.add(item.chunk_id)
    return out


def remove(basket: Sequence[BasketItem], chunk_ids: Iterable[str]) -> Basket:
    gone = set(chunk_ids)
    return [i for i in basket if i.chunk_id not in gone]


def move(basket: Sequence[BasketItem], chunk_id: str, step: int) -> Basket:
    """One place up (``step`` -1) or down (+1); at either end it stays."""
    out = list(basket)
    at = next((n for n, i in enumerate(out) if i.chunk_id == chunk_id), None)
    if at is None or not 0 <= at + step < len(out):
        return out
    out[at], out[at + step] = out[at + step], out[at]
    return out


def by_hierarchy(basket: Sequence[BasketItem]) -> Basket:
    """UU, PP, Permen, Perda, … then notes; each regulation's Pasal in order (stable)."""
    return sorted(basket, key=lambda i: hierarchy_key(i.provenance))


def annotate(basket: Sequence[BasketItem], chunk_id: str, note: str) -> Basket:
    return [replace(i, note=note.strip()) if i.chunk_id == chunk_id else i for i in basket]
