"""The legal-structure parser against the real regulation texts in ../shared/corpus-ref."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from ingest.clean import join_pages
from ingest.legal import (
    ParsedRegulation,
    is_trivial_explanation,
    parse_identity,
    parse_regulation,
)
from kb.legaltext import norm_units, short_names, split_ayat
from tests.conftest import CORPUS_REF, PDF_DIR, load_reference, require_shared


@cache
def parsed(name: str) -> ParsedRegulation:
    path = require_shared(CORPUS_REF / name) if not name.endswith(".pdf") else require_shared(PDF_DIR / name)
    doc = load_reference(Path(path), name)
    text = join_pages(doc.pages)
    identity = parse_identity(text)
    assert identity is not None
    return parse_regulation(text, identity)


def article(reg: ParsedRegulation, number: str):
    found = [a for a in reg.articles if a.number == number]
    assert len(found) == 1, f"Pasal {number}: {len(found)} found"
    return found[0]


def test_uu_6_2014_identity_is_canonical():
    ident = parsed("uu-6-2014.txt").identity
    assert ident.regulation == "UU 6/2014"
    assert ident.tentang == "Desa"
    assert ident.amends is None
    assert ident.legal_name == "UU No. 6 Tahun 2014 tentang Desa"


def test_uu_6_2014_body_has_pasal_1_to_122_in_order():
    numbers = [a.number for a in parsed("uu-6-2014.txt").articles]
    assert numbers == [str(i) for i in range(1, 123)]


def test_pasal_92_has_its_ayat_and_bab_and_bagian():
    art = article(parsed("uu-6-2014.txt"), "92")
    # the authentic text of UU 6/2014 Pasal 92 has six ayat
    assert [n for n, _ in art.ayat()] == ["1", "2", "3", "4", "5", "6"]
    assert art.bab == "BAB XI KERJA SAMA DESA"
    assert art.bagian == "Bagian Kesatu Kerja Sama antar-Desa"
    assert "keamanan dan ketertiban" in art.text


def test_penjelasan_is_kept_apart_from_the_body():
    reg = parsed("uu-6-2014.txt")
    art = article(reg, "92")
    assert "Cukup jelas" not in art.text
    assert art.penjelasan == "Cukup jelas."  # all it says, normalised (a handout shows it)
    p66 = article(reg, "66")
    assert "Jaminan kesehatan" in p66.penjelasan
    assert "Jaminan kesehatan" not in p66.text
    assert "Dasar Pemikiran" in reg.penjelasan_umum


def test_bab_heading_glued_to_previous_pasal_opens_the_next_bab():
    reg = parsed("uu-6-2014.txt")
    assert "BAB VI" not in article(reg, "66").text
    assert article(reg, "67").bab == "BAB VI HAK DAN KEWAJIBAN DESA DAN MASYARAKAT DESA"
    assert "__" not in article(reg, "66").text


def test_penjelasan_flattened_on_one_line_is_split_per_pasal():
    reg = parsed("pp-43-2014.txt")
    assert "kondisi objektif Desa" in article(reg, "117").penjelasan
    assert "Pasal 117" not in article(reg, "116").penjelasan


def test_pp_43_2014_kerja_sama_bab_is_pasal_143_to_149():
    reg = parsed("pp-43-2014.txt")
    assert [a.number for a in reg.articles] == [str(i) for i in range(1, 160)]
    for n in range(143, 150):
        assert article(reg, str(n)).bab == "BAB IX KERJA SAMA DESA"
    assert "ruang lingkup kerja sama" in article(reg, "143").text


def test_pp_47_2015_pasal_149_amends_pp_43_2014():
    reg = parsed("pp-47-2015.txt")
    assert reg.identity.amends == "PP 43/2014"
    art = article(reg, "149")
    assert art.amends == "PP 43/2014"
    assert "peraturan menteri yang menyelenggarakan urusan pemerintahan" in art.text
    assert "Ketentuan Pasal 149 diubah" in art.instruction
    # the amending act's own articles are Roman and amend nothing
    assert article(reg, "I").amends is None
    assert article(reg, "II").amends is None
    assert "Ketentuan Pasal 153" not in art.text


def test_uu_3_2024_parses_despite_ocr_noise_and_page_headers():
    reg = parsed("uu-3-2024.txt")
    assert reg.identity.regulation == "UU 3/2024"
    assert reg.identity.amends == "UU 6/2014"  # "2OI4" in the OCR title
    numbers = [a.number for a in reg.articles]
    # 26 numbered changes; 2 only change the Penjelasan: 24 quoted Pasal, plus Pasal I and II
    assert numbers[0] == "I" and numbers[-1] == "II"
    assert len(numbers) == 26
    assert {"39", "5A", "72A", "74", "87A", "118", "121A"} <= set(numbers)  # "PasalT4", "Pasal l2IA"
    assert numbers.count("118") == 1  # "Pasal 118" repeated across a page break as "Pasal 1 18"
    p39 = article(reg, "39")
    assert "8 (delapan)" in p39.text
    assert p39.amends == "UU 6/2014"
    for art in reg.articles:
        assert not re.search(r"\bSK No\b|REPUBLIK INDONESIA\n|^-\d+-$", art.text, re.M), art.number
        assert "PRESIDEN\n" not in art.text


def test_ocr_ayat_21_is_read_as_ayat_2():
    art = article(parsed("uu-3-2024.txt"), "39")
    assert [n for n, _ in art.ayat()] == ["1", "2"]


def test_ayat_run_on_after_a_sentence_are_their_own():
    """Text whose line breaks were lost writes "… Peraturan Desa. (2) …": each ayat stands
    alone, while "pada ayat (2)" inside a sentence opens none."""
    text = (
        "(1) BUM Desa didirikan oleh 1 (satu) Desa. (2) BUM Desa bersama didirikan oleh 2 (dua) "
        "Desa. (3) Pendirian sebagaimana dimaksud pada ayat (2) tidak terikat pada batas wilayah."
    )
    assert [n for n, _ in split_ayat(text)] == ["1", "2", "3"]
    assert split_ayat(text)[2][1].endswith("batas wilayah.")
    # a number out of sequence after a sentence is a reference, not an ayat
    assert split_ayat("(1) Desa membentuk. (3) Lihat.") == [("1", "(1) Desa membentuk. (3) Lihat.")]


def test_pp_11_2021_run_on_ayat_are_split():
    art = article(parsed("pp-11-2021.txt"), "7")
    assert [n for n, _ in art.ayat()][:5] == ["1", "2", "3", "4", "5"]


def test_pp_11_2021_noisy_ocr_finds_most_pasal():
    reg = parsed("pp-11-2021.txt")
    numbers = [int(a.number) for a in reg.articles]
    assert numbers == sorted(numbers)
    # 78 Pasal exist; inline headings and OCR digits ("Pasal 4l", "Pasal T4") are found,
    # 4 headings lost in unreadable OCR are left inside their neighbours' text
    assert len(numbers) >= 74
    assert {1, 41, 74, 78} <= set(numbers)


def test_ocr_pasal_i_in_a_scanned_pdf_is_pasal_1():
    reg = parsed("uu-27-2022-pdp-salinan-ocr.pdf")
    assert reg.identity.regulation == "UU 27/2022"
    numbers = [a.number for a in reg.articles]
    assert numbers[0] == "1"
    assert len(numbers) >= 74  # of 76


def test_regulation_ids_for_other_kinds():
    assert parsed("perpres-83-2025.pdf").identity.regulation == "Perpres 83/2025"
    perda = parsed("perda-kab-banjarnegara-8-2025.pdf").identity
    assert perda.regulation == "Perda Kabupaten Banjarnegara 8/2025"
    assert perda.amends == "Perda Kabupaten Banjarnegara 8/2023"
    assert [a.number for a in parsed("uu-11-2008-ite.pdf").articles] == [str(i) for i in range(1, 55)]


def test_identity_reads_permendagri_and_perdes():
    perm = parse_identity(
        "PERATURAN MENTERI DALAM NEGERI REPUBLIK INDONESIA\nNOMOR 96 TAHUN 2017\nTENTANG\n"
        "TATA CARA KERJA SAMA DESA DI BIDANG PEMERINTAHAN DESA\nDENGAN RAHMAT TUHAN YANG MAHA ESA"
    )
    assert perm is not None
    assert perm.regulation == "Permendagri 96/2017"
    assert perm.tentang == "Tata Cara Kerja Sama Desa di Bidang Pemerintahan Desa"
    perdes = parse_identity("PERATURAN DESA SUKAMAJU\nNOMOR 3 TAHUN 2023\nTENTANG\nKERJA SAMA DESA")
    assert perdes is not None and perdes.regulation == "Perdes Sukamaju 3/2023"
    assert parse_identity("Catatan rapat koordinasi desa, 2 Mei 2023.") is None


def test_reference_inside_a_sentence_is_not_a_heading():
    text = (
        "PERATURAN DESA MAJU\nNOMOR 1 TAHUN 2020\nTENTANG\nUJI\nMEMUTUSKAN:\nPasal 1\n"
        "Desa dapat bekerja sama.\nPasal 2\nKerja sama sebagaimana dimaksud dalam\nPasal 7 dilakukan bersama.\n"
        "Pasal 3\nSelesai."
    )
    ident = parse_identity(text)
    assert ident is not None
    reg = parse_regulation(text, ident)
    assert [a.number for a in reg.articles] == ["1", "2", "3"]


def test_split_ayat_keeps_enumeration_inside_its_ayat():
    parts = split_ayat("(1) Kerja sama meliputi:\na. satu;\nb. dua.\n(2) Lainnya.")
    assert parts == [("1", "(1) Kerja sama meliputi:\na. satu;\nb. dua."), ("2", "(2) Lainnya.")]


PASAL_26 = """Pasal 26
(1) Kepala Desa bertugas menyelenggarakan Pemerintahan Desa, melaksanakan Pembangunan Desa, pembinaan kemasyarakatan Desa, dan pemberdayaan masyarakat Desa.
(2) Dalam melaksanakan tugas sebagaimana dimaksud pada ayat (1), Kepala Desa berwenang:
a. memimpin penyelenggaraan Pemerintahan
Desa;
b. mengangkat dan memberhentikan perangkat Desa;
c. memegang kekuasaan pengelolaan Keuangan dan Aset Desa;"""


def test_a_list_item_is_a_norm_unit_with_its_lead_in():
    units = norm_units(PASAL_26)
    lead = "(2) Dalam melaksanakan tugas sebagaimana dimaksud pada ayat (1), Kepala Desa berwenang:"
    assert units[0].startswith("(1) Kepala Desa bertugas")
    assert units[1:] == [
        f"{lead} memimpin penyelenggaraan Pemerintahan Desa;",  # a wrapped item is joined
        f"{lead} mengangkat dan memberhentikan perangkat Desa;",
        f"{lead} memegang kekuasaan pengelolaan Keuangan dan Aset Desa;",
    ]


def test_sub_items_stay_in_their_item_and_short_units_are_dropped():
    text = "Pasal 8\n(1) Syarat:\na. jumlah penduduk, yaitu:\n1) wilayah Jawa 6.000 jiwa;\n2) wilayah Bali 5.000 jiwa.\n(2) Cukup jelas."
    assert norm_units(text) == [
        "(1) Syarat: jumlah penduduk, yaitu: 1) wilayah Jawa 6.000 jiwa; 2) wilayah Bali 5.000 jiwa."
    ]


@pytest.mark.parametrize(
    ("text", "trivial"),
    [
        ("Cukup jelas.", True),
        ("Ayat (1) Cukup jelas. Ayat (2) Cukup jelas.", True),
        ("Huruf a Cukup jelas. Huruf b Yang dimaksud dengan “pendampingan” adalah pendamping.", False),
    ],
)
def test_cukup_jelas_is_trivial(text: str, trivial: bool):
    assert is_trivial_explanation(text) is trivial


def test_the_short_names_a_ketentuan_umum_defines():
    text = (
        "1. Dewan Pengawas Lembaga Keuangan Desa, yang selanjutnya disingkat DPLK Desa, adalah …\n"
        "2. Rencana Usaha Tahunan selanjutnya disebut RUT adalah …\n"
        "3. ketua pelaksana, yang selanjutnya disebut ketua, memimpin …\n"  # not a name
        "4. Dana Alokasi Khusus yang selanjutnya disebut Alokasi Dana Pusat …\n"  # no shorter
    )
    assert short_names(text) == [
        ("DPLK Desa", "Dewan Pengawas Lembaga Keuangan Desa"),
        ("RUT", "Rencana Usaha Tahunan"),
    ]


def test_the_reference_texts_define_their_short_names():
    defined = dict(short_names((require_shared() / "pp-43-2014.txt").read_text(encoding="utf-8")))
    assert defined["BUM Desa"] == "Badan Usaha Milik Desa"
    assert defined["APB Desa"] == "Anggaran Pendapatan dan Belanja Desa"
