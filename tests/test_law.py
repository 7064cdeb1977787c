"""The regulation id as a value: one canonical form for the ingest and the question parser."""

from __future__ import annotations

import pytest

from kb.law import KIND_TABLE, Kind, RegulationId
from kb.query import normalise
from tests.test_structure import REFERENCE, _reference


def test_a_question_naming_a_regional_regulation_yields_its_id() -> None:
    q = normalise("pasal 7 perda kabupaten banjarnegara 8/2025")
    assert (q.regulation, q.pasal) == ("Perda Kabupaten Banjarnegara 8/2025", "7")
    assert normalise("perbup sleman no 5 th 2019 ttg kerja sama").regulation == "Perbup Sleman 5/2019"
    assert normalise("Peraturan Desa Sukamaju nomor 3 tahun 2023").regulation == "Perdes Sukamaju 3/2023"
    assert normalise("peraturan daerah kota batu 2/2020").regulation == "Perda Kota Batu 2/2020"
    assert normalise("psl 92 uu desa").regulation == "UU 6/2014"  # national ones as before


@pytest.mark.parametrize("path", REFERENCE, ids=[p.name for p in REFERENCE])
def test_every_reference_regulation_id_round_trips(path) -> None:  # type: ignore[no-untyped-def]
    identity = _reference(path)[0].identity
    for text in filter(None, (identity.regulation, identity.amends)):
        rid = RegulationId.parse(text)
        assert rid is not None and str(rid) == text


def test_ids_compare_as_values_and_know_their_level() -> None:
    perda = RegulationId.of("Perda", "08", "2025", "KABUPATEN  BANJARNEGARA")
    assert str(perda) == "Perda Kabupaten Banjarnegara 8/2025"
    assert perda == RegulationId.parse("Perda Kabupaten Banjarnegara 8/2025")
    uu, pp = RegulationId.parse("UU 6/2014"), RegulationId.parse("PP 43/2014")
    assert uu is not None and pp is not None and uu.level < pp.level < perda.level
    assert RegulationId.of("UU", 6, 2014, "Desa").place is None  # a national act has no place
    assert RegulationId.parse("catatan webinar") is None


@pytest.mark.parametrize("kind", KIND_TABLE, ids=[k.short for k in KIND_TABLE])
def test_one_table_of_kinds_reads_title_blocks_and_questions(kind: Kind) -> None:
    from ingest.legal import parse_identity

    place = {"Perda": "KABUPATEN SUKAMAJU", "Permen": "PERTANIAN"}.get(kind.short, "SUKAMAJU")
    head = kind.long.upper() + (f" {place}" if kind.regional else "")
    identity = parse_identity(f"{head}\nNOMOR 5 TAHUN 2020\nTENTANG\nKERJA SAMA DESA\nMenimbang")
    expected = RegulationId.of(kind.short, 5, 2020, place if kind.regional else None)
    assert identity is not None and identity.regulation == str(expected)
    for spelling in kind.spellings:  # every way users write it names the same id
        where = f"{place.lower()} " if kind.regional else ""
        assert normalise(f"pasal 3 {spelling} {where}no 5 tahun 2020").regulation == str(expected), spelling
