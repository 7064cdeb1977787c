"""Normalising informal Indonesian and parsing regulation / Pasal references."""

from __future__ import annotations

import pytest

from kb.query import normalise, regulation_year


@pytest.mark.parametrize(
    ("question", "regulation"),
    [
        ("UU 6/2014", "UU 6/2014"),
        ("UU No. 6 Tahun 2014", "UU 6/2014"),
        ("uu desa", "UU 6/2014"),
        ("UU nomor 6 th 2014", "UU 6/2014"),
        ("PP 43 th 2014", "PP 43/2014"),
        ("pp 43/2014", "PP 43/2014"),
        ("permendagri 96/2017", "Permendagri 96/2017"),
        ("Peraturan Menteri Dalam Negeri Nomor 96 Tahun 2017", "Permendagri 96/2017"),
        ("undang-undang no 3 thn 2024", "UU 3/2024"),
        ("apa isi pp bumdes?", "PP 11/2021"),
        ("kerja sama desa", None),
    ],
)
def test_regulation_references_become_canonical_ids(question: str, regulation: str | None):
    assert normalise(question).regulation == regulation


def test_pasal_and_ayat_are_parsed_from_informal_spelling():
    q = normalise("psl 92 uu desa isinya apa")
    assert (q.regulation, q.pasal, q.ayat) == ("UU 6/2014", "92", None)
    assert q.text == "pasal 92 UU 6/2014 isinya apa"
    q = normalise("UU No 6 th 2014 ps 5a ayat (2)")
    assert (q.pasal, q.ayat) == ("5A", "2")


@pytest.mark.parametrize(
    ("informal", "formal"),
    [
        ("kades boleh menjabat berapa periode?", "kepala desa boleh menjabat berapa periode?"),
        ("kerjasama desa utk bencana boleh gak?", "kerja sama desa untuk bencana boleh tidak?"),
        ("kerja sama antar desa dgn pihak 3", "kerja sama antar-Desa dengan pihak ketiga"),
        ("hasil bumdes yg dibagi", "hasil BUM Desa yang dibagi"),
        ("musdes membahas apbdes", "musyawarah Desa membahas APB Desa"),
    ],
)
def test_informal_words_are_normalised(informal: str, formal: str):
    assert normalise(informal).text == formal


def test_words_inside_other_words_are_left_alone():
    # "ps" and "dd" are abbreviations only as whole words
    assert normalise("pasokan padd").text == "pasokan padd"


def test_regulation_year_orders_versions():
    assert regulation_year("UU 3/2024") > regulation_year("UU 6/2014") > regulation_year(None)


def test_every_regulation_a_question_names_is_parsed_the_first_leading():
    q = normalise(
        "Apakah ketentuan BUM Desa dalam PP 43 Tahun 2014 masih berlaku setelah PP No. 11 thn 2021?"
    )
    assert (q.regulation, q.regulations) == ("PP 43/2014", ("PP 43/2014", "PP 11/2021"))
    assert normalise("psl 92 uu desa").regulations == ("UU 6/2014",)
    assert normalise("kerja sama antar desa").regulations == ()
