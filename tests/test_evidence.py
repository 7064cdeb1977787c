"""The form checks of ``kb.evidence`` and the refusals they lead to."""

from __future__ import annotations

import pytest

from ingest.pipeline import ingest
from kb.answer import Answerer
from kb.base import KnowledgeBase
from kb.evidence import asked_value, holds, names_in, thing_asked, uncovered_names
from kb.law import find_regional_name
from kb.settings import Settings
from tests.conftest import FakeEmbedder
from tests.test_pipeline import PERDES, _write


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("berapa rupiah honor operator desa?", "jumlah uang"),
        ("berapa persen dana desa untuk BLT?", "persentase"),
        ("paling lambat tanggal berapa APB Desa ditetapkan?", "tanggal"),
        ("berapa hari paling lambat rancangan disampaikan?", "jumlah atau lama"),
        ("siapa yang menandatangani?", None),
    ],
)
def test_the_kind_of_value_a_question_asks_for(question: str, kind: str | None) -> None:
    asked = asked_value(question)
    assert (asked.kind if asked else None) == kind


def test_a_passage_holds_a_value_only_in_the_form_legislation_writes_it() -> None:
    number = asked_value("berapa lama")
    assert number is not None
    assert holds(number, "paling lambat 15 (lima belas) hari kerja")
    assert holds(number, "dihadiri paling sedikit 2/3 (dua pertiga) anggota")
    assert not holds(number, "sebagaimana dimaksud dalam Pasal 10 ayat (5)")  # a reference
    money, percent, date = (asked_value(q) for q in ("berapa rupiah", "berapa persen", "tanggal berapa"))
    assert money and holds(money, "ADD sampai dengan Rp500.000.000,00 (lima ratus juta rupiah)")
    assert money and not holds(money, "paling sedikit 70% (tujuh puluh per seratus)")
    assert percent and holds(percent, "paling sedikit 10% (sepuluh persen)")
    assert date and holds(date, "paling lambat tanggal 31 Desember tahun berjalan")
    assert date and not holds(date, "paling lambat bulan Oktober tahun berjalan")


@pytest.mark.parametrize(
    ("question", "thing"),
    [
        ("Paling lama berapa hari musyawarah antar-Desa diadakan?", "musyawarah antar-Desa diadakan?"),
        ("Berapa persen minimal dana desa untuk BUM Desa?", "dana desa untuk BUM Desa?"),
        ("Tanggal berapa laporan tahunan diserahkan?", "laporan tahunan diserahkan?"),
        ("Siapa yang menandatangani peraturan bersama?", "Siapa yang menandatangani peraturan bersama?"),
    ],
)
def test_the_thing_whose_value_is_asked(question: str, thing: str) -> None:
    assert thing_asked(question) == thing


@pytest.mark.parametrize(
    ("question", "names"),
    [
        ("Bagaimana mendaftarkan BKAD ke Kementerian Hukum?", ["Kementerian Hukum", "BKAD"]),
        ("Kapan webinar Sapa Desa berikutnya?", ["Sapa Desa"]),
        ("Kepala Desa wajib hadir? Siapa memimpin Musyawarah Antar Desa?", ["Musyawarah Antar Desa"]),
        ("Apa tugas kepala desa?", []),  # nothing capitalised inside the sentence
        ("Menurut UU Pemerintahan Daerah, siapa yang membina?", []),  # a regulation's own check
        ("Kami di Kabupaten Garut dan Desa Sukamaju, bolehkah?", []),  # places: the asker's situation
        ("Apakah BUM Desa boleh meminjam?", ["BUM Desa"]),  # "BUM" is inside the name
        ("Dana BUMDes dari APBDes tahun III?", ["BUMDes", "APBDes"]),  # not the roman numeral
    ],
)
def test_the_names_a_question_writes(question: str, names: list[str]) -> None:
    assert names_in(question) == names


def test_a_name_counts_only_when_the_index_knows_it_and_the_evidence_lacks_it() -> None:
    question = "Bolehkah desa bekerja sama dengan Bank Dunia?"
    assert uncovered_names(question, ["Desa dapat bekerja sama dengan pihak ketiga."]) == ["Bank Dunia"]
    assert uncovered_names(question, ["Pinjaman dari bank dunia diatur tersendiri."]) == []
    assert uncovered_names(question, ["Desa bekerja sama."], unknown=["dunia"]) == []  # never indexed


def test_an_acronym_is_held_as_written_or_spelt_out() -> None:
    question = "Bagaimana mendaftarkan BKAD?"
    assert uncovered_names(question, ["BKAD dibentuk dengan Peraturan Bersama."]) == []
    assert uncovered_names(question, ["Desa membentuk badan kerja sama antar-Desa."]) == []
    assert uncovered_names(question, ["BUM Desa didaftarkan pada Menteri."]) == ["BKAD"]
    # the expansion's own acronym in brackets is not asked of the evidence
    assert uncovered_names("Apa tugas BPD?", ["Badan Permusyawaratan Desa membahas rancangan."]) == []


def test_a_short_name_the_index_defines_is_held_by_its_full_name_and_back() -> None:
    defined = {"lpam desa": ["Lembaga Pengelola Air Minum Desa"]}
    full = ["Pada saat ini berlaku, ketentuan tentang Lembaga Pengelola Air Minum Desa dicabut."]
    assert uncovered_names("Apakah aturan LPAM Desa masih berlaku?", full) == ["LPAM Desa"]
    assert uncovered_names("Apakah aturan LPAM Desa masih berlaku?", full, short_names=defined) == []
    question = "Siapa membentuk Lembaga Pengelola Air Minum Desa?"
    assert uncovered_names(question, ["LPAM Desa dibentuk oleh Desa."], short_names=defined) == []
    assert uncovered_names(question, ["Desa membentuk lembaga."], short_names=defined) == [
        "Lembaga Pengelola Air Minum Desa"
    ]


def test_a_regional_regulation_named_by_place_only() -> None:
    assert find_regional_name("menurut Perda Provinsi Bali berapa?") == "Perda Provinsi Bali"
    assert find_regional_name("peraturan daerah kota batu") == "Perda Kota Batu"
    assert find_regional_name("perdes APB Desa boleh diubah?") is None  # a topic, not a place


def test_a_named_regulation_missing_from_the_index_is_refused_with_its_name(settings: Settings) -> None:
    _write(settings.corpus_dir, "regulasi/perdes.txt", PERDES)
    kb = KnowledgeBase(settings, FakeEmbedder())
    ingest([settings.corpus_dir], settings, kb.store, kb.embedder)
    answerer = Answerer(kb)
    ans = answerer.ask("Menurut Permendagri Nomor 44 Tahun 2016, siapa yang menyusun perdes?")
    assert ans.refused and ans.refusal_reason == "regulasi_tidak_ada"
    assert "Permendagri 44/2016 belum ada di basis pengetahuan" in ans.answer
    assert "Perdes Sukamaju 3/2023" in ans.answer  # and what is there
    assert ans.to_json()["refusal_reason"] == "regulasi_tidak_ada"
    held = answerer.ask("Perda Kabupaten Sleman tentang kerja sama desa isinya apa?")
    assert held.refused and "Perda Kabupaten Sleman belum ada" in held.answer
    named = answerer.ask("Menurut Perdes Sukamaju 3/2023, siapa yang melaksanakan kerja sama?")
    assert named.refusal_reason != "regulasi_tidak_ada"  # it is indexed
    # every regulation named counts, not only the first
    both = answerer.ask("Apakah Perdes Sukamaju 3/2023 masih berlaku setelah PP Nomor 11 Tahun 2019?")
    assert both.refusal_reason == "regulasi_tidak_ada" and "PP 11/2019 belum ada" in both.answer
