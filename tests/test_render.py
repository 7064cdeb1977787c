"""How answers and passages are shown: escaped, highlighted, labelled."""

from __future__ import annotations

from kb.render import answer_markdown, answer_plain, citation_cards, escape_markdown, highlight, hit_cards
from kb.types import Answer, Citation, Hit

HOSTILE = 'Desa <script>alert(1)</script> <img src=x onerror="alert(2)"> kerja sama'


def _answer(text: str = HOSTILE, source: str = "uu.pdf") -> Answer:
    cite = Citation(
        1,
        "UU 6/2014",
        "92",
        "1",
        "regulasi",
        source,
        "UU Desa",
        3,
        text,
        "c1",
        "UU 3/2024",
        "UU 6/2014 Pasal 92 ayat (1)",
    )
    return Answer(
        "q",
        "q",
        f"Menurut UU 6/2014 Pasal 92 ayat (1) [1]: “{text}”",
        False,
        (cite,),
        ("UU No. 6 Tahun 2014 tentang Desa, Pasal 92 ayat (1)",),
    )


def test_document_text_is_escaped_everywhere() -> None:
    for out in (
        highlight(HOSTILE, {"desa"}),
        citation_cards(_answer(), {"desa"}),
        answer_markdown(_answer()),
    ):
        assert "<script>" not in out and "<img" not in out
        assert "&lt;script&gt;" in out


def test_query_words_are_highlighted_by_stem() -> None:
    out = highlight("Kerja sama antar-Desa dikerjasamakan", {"desa", "kerja"})
    assert "<mark>Desa</mark>" in out and "<mark>Kerja</mark>" in out
    assert "<mark>antar</mark>" not in out


def test_citation_cards_show_badge_and_amended_mark() -> None:
    out = citation_cards(_answer("Kerja sama antar-Desa meliputi"), {"kerja", "sama"})
    assert "Regulasi" in out and "telah diubah oleh UU 3/2024" in out and "hlm. 3" in out
    assert "[1] UU 6/2014 Pasal 92 ayat (1)" in out and "uu.pdf" not in out  # no file names
    # a text file has no pages to cite
    assert "hlm." not in citation_cards(_answer("Kerja sama", "regulasi/uu.txt"), {"kerja"})


def test_search_cards_show_penjelasan_and_note_badge() -> None:
    hits = [
        Hit(
            "a",
            "Pasal 92 …",
            1.0,
            {"regulation": "UU 6/2014", "pasal": "92", "doc_type": "regulasi", "penjelasan": "Cukup jelas."},
        ),
        Hit("b", "catatan", 0.5, {"doc_type": "webinar", "title": "Webinar Sapa Desa", "date": "2022-03-25"}),
    ]
    out = hit_cards(hits, {"kerja", "sama"}, {"a": "Pasal 92 (1) … (2) …"})
    assert "Penjelasan:" in out and "Cukup jelas." in out and "Pasal 92 (1) … (2) …" in out
    assert "Catatan Webinar" in out and "25 Maret 2022" in out


def test_markdown_keeps_legal_text_literal() -> None:
    assert escape_markdown("a. *huruf* _b_ [1] # x") == r"a. \*huruf\* \_b\_ \[1\] \# x"


def test_plain_answer_has_dasar_hukum_and_disclaimer() -> None:
    text = answer_plain(_answer("isi"))
    assert "Dasar hukum:\n- UU No. 6 Tahun 2014 tentang Desa, Pasal 92 ayat (1)" in text
    assert "bukan pendapat hukum resmi" in text


def test_a_passage_read_by_ocr_says_so_on_its_card() -> None:
    from dataclasses import replace

    answer = _answer("Kerja sama antar-Desa meliputi: a. pengembangan usaha bersama.")
    ocr_answer = replace(answer, citations=tuple(replace(c, ocr=True) for c in answer.citations))
    assert "teks hasil OCR, periksa naskah asli" in citation_cards(ocr_answer, {"usaha"})
    assert "teks hasil OCR" not in citation_cards(answer, {"usaha"})
    hit = Hit(
        "c1",
        "Kerja sama.",
        1.0,
        {"doc_type": "regulasi", "regulation": "UU 6/2014", "pasal": "92", "ocr": True},
    )
    assert "teks hasil OCR, periksa naskah asli" in hit_cards([hit], {"kerja"})


def test_citation_from_hit_carries_the_provenance_and_the_ocr_mark() -> None:
    hit = Hit(
        "c9",
        "…",
        1.0,
        {"doc_type": "regulasi", "regulation": "UU 6/2014", "pasal": "1", "page": 2, "ocr": True},
    )
    c = Citation.from_hit(
        hit, 1, text="(1) Desa adalah …", ayat=None, label="UU 6/2014 Pasal 1 angka 1", angka="1"
    )
    assert (c.regulation, c.pasal, c.angka, c.page, c.ocr, c.chunk_id) == (
        "UU 6/2014",
        "1",
        "1",
        2,
        True,
        "c9",
    )
    assert c.to_json()["ocr"] is True
