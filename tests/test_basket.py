"""The handout basket: what a trainer collects stays, in the order set, across searches and
a reload (its stored form round-trips)."""

from __future__ import annotations

from kb import basket
from kb.basket import BasketItem
from kb.types import Hit


def _item(cid: str, reg: str | None, pasal: str | None, title: str = "") -> BasketItem:
    meta = {"source": f"{cid}.txt", "title": title or cid, "doc_type": "regulasi" if reg else "webinar"}
    if reg:
        meta |= {"regulation": reg, "pasal": pasal, "section": "batang_tubuh"}
    return BasketItem.of_hit(Hit(cid, f"Pasal {pasal}\nisi {cid}", 1.0, meta))


PP143 = _item("pp143", "PP 43/2014", "143")
UU92 = _item("uu92", "UU 6/2014", "92")
NOTE = _item("note", None, None, "Webinar Sapa Desa")
UU91 = _item("uu91", "UU 6/2014", "91")


def test_adding_keeps_what_is_there_and_never_doubles() -> None:
    items = basket.add([], [PP143, NOTE])
    items = basket.add(items, [UU92, PP143])  # a second search, one passage again
    assert [i.chunk_id for i in items] == ["pp143", "note", "uu92"]
    assert [i.chunk_id for i in basket.remove(items, ["note"])] == ["pp143", "uu92"]


def test_moving_by_hand_and_sorting_by_the_hierarchy_of_norms() -> None:
    items = [PP143, NOTE, UU92, UU91]
    assert [i.chunk_id for i in basket.move(items, "uu92", -1)] == ["pp143", "uu92", "note", "uu91"]
    assert basket.move(items, "pp143", -1) == items  # the first stays first
    assert basket.move(items, "uu91", 1) == items
    assert [i.chunk_id for i in basket.by_hierarchy(items)] == ["uu91", "uu92", "pp143", "note"]


def test_a_note_per_passage_and_the_stored_form_round_trips() -> None:
    items = basket.annotate([PP143, UU92], "uu92", "  Bahas bersama camat.  ")
    assert items[1].note == "Bahas bersama camat." and items[0].note == ""
    again = basket.load(basket.dump(items))
    assert again == items
    assert again[1].passage().note == "Bahas bersama camat."
    assert again[1].label == "UU 6/2014 Pasal 92"


def test_an_unreadable_stored_basket_is_an_empty_one() -> None:
    assert basket.load(None) == [] and basket.load("rusak") == []
    assert basket.load([{"chunk_id": "a"}, *basket.dump([UU92])]) == [UU92]
