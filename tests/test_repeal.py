"""What the closing provisions repeal (``kb.repeal``): whole regulations, ranges of Pasal,
never a Pasal of which only some ayat go, never the amendment cited in passing; OCR'd text too."""

from __future__ import annotations

import re

from kb.repeal import Repeals, repealed_in
from kb.types import DocType, Provenance
from tests.conftest import CORPUS_REF, require_shared

RANGE = (
    "Pada saat Peraturan Bupati ini mulai berlaku, Pasal 4 sampai dengan Pasal 7 dan Pasal 12 "
    "Peraturan Bupati Sleman Nomor 3 Tahun 2019 tentang Kerja Sama Desa sebagaimana telah diubah "
    "dengan Peraturan Bupati Sleman Nomor 9 Tahun 2021 tentang Perubahan atas Peraturan Bupati "
    "Sleman Nomor 3 Tahun 2019 tentang Kerja Sama Desa, dicabut dan dinyatakan tidak berlaku."
)


def _named(repealed: list) -> list[tuple[str, frozenset[str] | None]]:
    return [(str(regulation), pasal) for regulation, pasal in repealed]


def test_a_range_of_pasal_is_repealed_in_the_regulation_it_precedes():
    assert _named(repealed_in("Pasal 40\n" + RANGE)) == [
        ("Perbup Sleman 3/2019", frozenset({"4", "5", "6", "7", "12"}))
    ]


def test_a_whole_regulation_and_a_list_of_them():
    text = (
        "Pasal 99\nPada saat Peraturan Menteri ini mulai berlaku:\n"
        "a. Peraturan Menteri Dalam Negeri Nomor 29 Tahun 2006 tentang Pedoman Peraturan Desa; dan\n"
        "b. Pasal 3, Pasal 5 ayat (2) sampai dengan ayat (4), dan Pasal 9 Peraturan Menteri Dalam "
        "Negeri Nomor 12 Tahun 2010 tentang Kerja Sama Desa,\ndicabut dan dinyatakan tidak berlaku."
    )
    assert _named(repealed_in(text)) == [
        ("Permendagri 29/2006", None),
        ("Permendagri 12/2010", frozenset({"3", "9"})),  # Pasal 5 keeps its ayat (1)
    ]


def test_only_ayat_of_a_pasal_repeal_no_pasal():
    text = "Pasal 8 ayat (2) Peraturan Pemerintah Nomor 72 Tahun 2005 tentang Desa dicabut dan dinyatakan tidak berlaku."
    assert repealed_in(text) == []


def test_no_closing_phrase_no_repeal():
    assert repealed_in("Peraturan Pemerintah Nomor 72 Tahun 2005 tentang Desa tetap berlaku.") == []


def test_the_ocr_closing_of_pp_11_2021_repeals_pp_43_2014_pasal_132_to_142():
    text = (require_shared(CORPUS_REF) / "pp-11-2021.txt").read_text(encoding="utf-8")
    closing = re.search(r"Pada saat Peraturan Pemerintah ini mulai berlaku, BAB VIII.*?berlaku\.", text, re.S)
    assert closing is not None
    assert _named(repealed_in(closing.group())) == [
        ("PP 43/2014", frozenset(str(n) for n in range(132, 143)))
    ]


def _pasal(regulation: str, pasal: str, amends: str | None = None) -> Provenance:
    return Provenance(
        f"{regulation}.txt", regulation, DocType.REGULASI, regulation=regulation, pasal=pasal, amends=amends
    )


def test_a_repealed_pasal_is_repealed_in_every_wording():
    repeals = Repeals()
    repeals.add("PP 43/2014", frozenset({"137", "142"}), "PP 11/2021 Pasal 76")
    repeals.add("PP 72/2005", None, "PP 43/2014 Pasal 158")
    assert repeals.repealed(_pasal("PP 43/2014", "137"))
    assert repeals.repealed(_pasal("PP 47/2015", "142", "PP 43/2014"))
    assert not repeals.repealed(_pasal("PP 43/2014", "143"))
    assert repeals.repealed(_pasal("PP 72/2005", "1"))
    assert not repeals.repealed(_pasal("PP 11/2021", "137"))
    assert repeals.repealed_by(_pasal("PP 47/2015", "142", "PP 43/2014")) == "PP 11/2021 Pasal 76"
    assert repeals.repealed_by(_pasal("PP 43/2014", "143")) is None
