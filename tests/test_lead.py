"""The lead sentence: written only when the quote answers the question directly, built only
from the quote and its citation."""

from __future__ import annotations

from kb.evidence import asked_value, stated_values
from kb.lead import LEAD_COVERAGE, is_polar, polar_lead, value_lead

LABEL = "PP 43/2014 Pasal 145 [1]"
DUTY = "Perubahan atau berakhirnya kerja sama Desa harus dimusyawarahkan dengan para pihak."
LEAVE = "Desa dapat mengadakan kerja sama dengan Desa lain dan/atau kerja sama dengan pihak ketiga."


def test_yes_no_questions_are_told_by_their_grammar() -> None:
    for q in (
        "Apakah desa boleh bekerja sama?",
        "bolehkah kades menandatangani?",
        "hrs lewat musdes dulu tidak?",
    ):
        assert is_polar(q), q
    for q in ("Siapa yang menandatangani?", "Bidang apa saja yang boleh dikerjasamakan?"):
        assert not is_polar(q), q


def test_yes_only_when_the_quote_states_the_modality_asked_and_no_negation() -> None:
    full = 1.0
    assert polar_lead("Apakah perubahan harus dimusyawarahkan?", DUTY, LABEL, full) == f"Ya, sesuai {LABEL}."
    assert polar_lead("Apakah desa boleh bekerja sama?", LEAVE, LABEL, full) == f"Ya, sesuai {LABEL}."
    # asked "must", the law says "may": no yes
    assert polar_lead("Apakah desa wajib bekerja sama?", LEAVE, LABEL, full) is None
    # a passage that states no duty in words (what a regulation contains) is no "yes, must"
    assert (
        polar_lead("Apakah desa wajib bekerja sama?", "Peraturan bersama memuat: a. bidang;", LABEL, full)
        is None
    )
    assert (
        polar_lead("Apakah desa boleh bekerja sama?", "Kerja sama tidak dapat dilakukan.", LABEL, full)
        is None
    )
    assert polar_lead("Apakah perubahan harus dimusyawarahkan?", DUTY, LABEL, LEAD_COVERAGE - 0.01) is None
    assert polar_lead("Siapa yang memusyawarahkan perubahan?", DUTY, LABEL, full) is None


def test_a_value_lead_needs_exactly_one_value_of_the_kind_asked() -> None:
    asked = asked_value("berapa lama masa jabatan kepala desa")
    one = "(1) Kepala Desa memegang jabatan selama 8 (delapan) tahun terhitung sejak tanggal pelantikan."
    assert value_lead(asked, one, "UU 3/2024 Pasal 39 ayat (1) [1]", 1.0) == (
        "Singkatnya: 8 (delapan) tahun, sesuai UU 3/2024 Pasal 39 ayat (1) [1]."
    )
    two = one + " (2) Kepala Desa dapat menjabat paling banyak 2 (dua) kali masa jabatan."
    assert value_lead(asked, two, "UU 3/2024 Pasal 39 [1]", 1.0) is None
    assert value_lead(None, one, "x", 1.0) is None


def test_values_are_read_whole_with_their_unit() -> None:
    money = asked_value("berapa rupiah")
    assert money and stated_values(money, "sebesar Rp 5.000.000,00 (lima juta rupiah) per tahun") == [
        "Rp 5.000.000,00 (lima juta rupiah)"
    ]
    share = asked_value("berapa persen")
    assert share and stated_values(share, "paling sedikit 10% (sepuluh persen) dari dana") == [
        "10% (sepuluh persen)"
    ]
    span = asked_value("berapa hari")
    assert span and stated_values(span, "paling lama 30 (tiga puluh) hari kerja") == [
        "30 (tiga puluh) hari kerja"
    ]
