"""BM25 with Indonesian analysis, persisted and filtered."""

from __future__ import annotations

from pathlib import Path

from kb.lexical import LexicalIndex, analyse, compound_split, matched_terms, stem


def test_analysis_stems_and_keeps_domain_words():
    terms = analyse("Kerja sama antar-Desa dengan pihak ketiga dimusyawarahkan")
    assert "kerja" in terms and "sama" in terms and "pihak" in terms
    assert "antar-desa" in terms and "desa" in terms
    assert "dengan" not in terms  # a stopword
    assert "musyawarah" in terms  # "dimusyawarahkan" stemmed


def test_index_searches_filters_and_survives_a_reload(tmp_path: Path):
    idx = LexicalIndex(tmp_path / "bm25")
    idx.build(
        ["a", "b", "c"],
        [
            "Pasal 92 Kerja sama antar-Desa dilaksanakan oleh badan kerja sama antar-Desa.",
            "Pasal 39 Kepala Desa memegang jabatan selama 6 (enam) tahun.",
            "Catatan webinar: kerja sama desa di bidang penanggulangan bencana.",
        ],
        [
            {"doc_type": "regulasi", "regulation": "UU 6/2014", "section": "batang_tubuh"},
            {"doc_type": "regulasi", "regulation": "UU 6/2014", "section": "batang_tubuh"},
            {"doc_type": "webinar"},
        ],
    )
    idx.save()
    again = LexicalIndex(tmp_path / "bm25")
    assert again.load()
    assert again.fingerprint == idx.fingerprint
    assert again.search("masa jabatan kepala desa", 3)[0].chunk_id == "b"
    assert [h.chunk_id for h in again.search("kerja sama", 3, {"doc_type": "webinar"})] == ["c"]
    assert again.search("paspor luar negeri", 3) == []


def test_the_short_names_the_texts_define_are_kept_with_the_index(tmp_path: Path):
    idx = LexicalIndex(tmp_path / "bm25")
    idx.build(
        ["a", "b"],
        [
            "Pasal 1\n7. Lembaga Pengelola Air Minum Desa, yang selanjutnya disingkat LPAM Desa, adalah …",
            "Pasal 9 LPAM Desa dibentuk oleh Desa.",
        ],
        [{}, {}],
    )
    idx.save()
    again = LexicalIndex(tmp_path / "bm25")
    assert again.load()
    assert again.short_names == {"lpam desa": ["Lembaga Pengelola Air Minum Desa"]}


def test_missing_index_does_not_load(tmp_path: Path):
    assert not LexicalIndex(tmp_path / "none").load()


def test_index_from_another_analysis_is_not_loaded(tmp_path: Path):
    idx = LexicalIndex(tmp_path / "bm25")
    idx.build(["a"], ["Pasal 1 Desa dapat bekerja sama."], [{}])
    idx.save()
    assert LexicalIndex(tmp_path / "bm25").load()
    assert not LexicalIndex(tmp_path / "bm25", k1=1.2).load()  # other parameters: rebuild


def test_a_chunk_holding_every_term_of_the_question_outranks_a_shorter_one_holding_most(tmp_path: Path):
    """Lucene's coordination factor: without it BM25's length normalisation puts the short
    chunk repeating four of the five words first (1.15 against 0.95)."""
    idx = LexicalIndex(tmp_path / "bm25")
    filler = " ".join(f"kata{i}" for i in range(10))
    idx.build(
        ["long", "short", "x", "y", "z"],
        [
            f"Kepala Desa berwenang: a. {filler}; b. mengangkat dan memberhentikan perangkat Desa.",
            "Perangkat Desa diberhentikan oleh kepala Desa. Perangkat Desa yang diangkat.",
            "Badan Permusyawaratan Desa.",
            "Keuangan Desa.",
            "Pembangunan Desa.",
        ],
        [{}] * 5,
    )
    hits = idx.search("siapa berwenang mengangkat dan memberhentikan perangkat desa", 2)
    assert [h.chunk_id for h in hits] == ["long", "short"]


def test_an_affixed_compound_stems_to_its_two_roots():
    """Sastrawi's dictionary holds roots, not compounds: it leaves these words whole."""
    assert stem("dikerjasamakan") == stem("bekerjasama") == stem("kerjasamanya") == "kerjasama"
    assert stem("ditandatangani") == stem("penandatanganan") == "tandatangan"
    assert stem("dipertanggungjawabkan") == "tanggungjawab"
    assert stem("musyawarah") == "musyawarah" and stem("banjarnegara") == "banjarnegara"


def test_a_compound_meets_its_other_spelling_in_both_directions(tmp_path: Path):
    assert matched_terms(analyse("bidang yang dikerjasamakan"), analyse("Kerja sama meliputi bidang")) == {
        "bidang",
        "kerjasama",
    }
    assert matched_terms(analyse("tanda tangan kepala desa"), analyse("ditandatangani kepala Desa")) >= {
        "tanda",
        "tangan",
        "kepala",
    }
    idx = LexicalIndex(tmp_path / "bm25")
    idx.build(
        ["law", "note", "other", "x"],
        [
            "Pasal 92 Kerja sama antar-Desa meliputi bidang keamanan. Kerja sama dengan pihak ketiga.",
            "Catatan: bidang yang dikerjasamakan desa.",
            "Pasal 7 Kepala Desa bekerja di bidang pemerintahan, sama dengan perangkat.",
            "Pasal 8 Kerja sama Desa.",
        ],
        [{}, {}, {}, {}],
    )
    assert compound_split("kerjasama", idx.df) == ("kerja", "sama")
    assert compound_split("musyawarah", idx.df) is None
    found = [h.chunk_id for h in idx.search("bidang apa yang dikerjasamakan", 4)]
    assert found[:2] == ["note", "law"] and "x" in found  # "kerja sama" counts as the word asked
    assert idx.unknown_terms("dikerjasamakan") == []
    # a joined form is only tried for neighbours: the first term is not joined to the last
    assert ("kerjasama",) not in dict(idx._slots(["sama", "bidang", "kerja"]))["sama"]
    assert ("kerjasama",) in dict(idx._slots(["kerja", "sama"]))["sama"]
