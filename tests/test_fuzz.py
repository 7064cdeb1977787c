"""Property tests (hypothesis) for the hand-written parts that read untrusted text: the
legal structure parser and chunker, the query normaliser and the regulation-reference
parser. No crash, no hang (a deadline per example catches runaway regexes), and the
outputs keep their invariants."""

from __future__ import annotations

import re
from datetime import timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ingest.chunking import DocInfo, regulation_chunks
from ingest.legal import parse_identity, parse_regulation
from kb.query import normalise, parse_regulation_ref
from kb.types import DocType, Provenance

FUZZ = settings(
    max_examples=150,
    deadline=timedelta(seconds=2),
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,  # the same examples in every run: a red CI run can be reproduced
)

WORDS = [
    "Pasal", "pasal", "PASAL", "BAB", "Bagian", "Kesatu", "Paragraf", "ayat", "(1)", "(2)", "(21", "a.",
    "b.", "huruf", "Desa", "kerja", "sama", "dan/atau", "sebagaimana", "dimaksud", "dalam", "Pasal 92",
    "92", "143", "5A", "I", "II", "IV", "Ketentuan", "diubah", "sehingga", "berbunyi", "sebagai", "berikut:",
    "PENJELASAN", "ATAS", "UMUM", "Cukup", "jelas.", "Undang-Undang", "Nomor", "6", "Tahun", "2014",
    "tentang", "PERATURAN", "PEMERINTAH", "UNDANG-UNDANG", "REPUBLIK", "INDONESIA", "NOMOR", "TAHUN",
    "TENTANG", "MEMUTUSKAN:", "Menetapkan:", "Menimbang", "Mengingat", "-", "2", "-", "\n", "\n\n", "\f",
    ";", ".", ",", ":", "“", "”", "…", "<script>", "\u00a0", "ǅ", "ı", "İ",
]  # fmt: skip
HEADER = "UNDANG-UNDANG REPUBLIK INDONESIA\nNOMOR 6 TAHUN 2014\nTENTANG\nDESA\nMEMUTUSKAN:\n"

words = st.lists(st.sampled_from(WORDS) | st.text(max_size=12), max_size=30).map(" ".join)
# lines shaped like a regulation's (headings, ayat, huruf, page furniture) with noisy words
line = st.one_of(
    st.just("Pasal #"),  # numbered in order below, as in a real regulation
    st.tuples(st.sampled_from(["I", "II", "IV", "X", "XIV"]), words).map(lambda t: f"BAB {t[0]}\n{t[1]}"),
    st.tuples(st.sampled_from(["Kesatu", "Kedua", "Ketiga"]), words).map(lambda t: f"Bagian {t[0]}\n{t[1]}"),
    st.tuples(st.integers(1, 12), words).map(lambda t: f"({t[0]}) {t[1]}"),
    st.tuples(st.sampled_from("abcdefg"), words).map(lambda t: f"{t[0]}. {t[1]}"),
    st.just("PENJELASAN\nATAS\nUNDANG-UNDANG REPUBLIK INDONESIA\nNOMOR 6 TAHUN 2014"),
    st.just("I. UMUM"),
    st.integers(1, 9).map(lambda n: f"- {n} -"),
    words,
)


def _number_pasal(lines: list[str]) -> str:
    n = 0
    out = []
    for x in lines:
        if x == "Pasal #":
            n += 1
            x = f"Pasal {n}"
        out.append(x)
    return "\n".join(out)


legal_text = st.lists(line, max_size=60).map(_number_pasal)


def _count(text: str) -> int:
    return len(text.split()) + 2


@FUZZ
@given(body=legal_text)
def test_legal_parser_and_chunker_keep_their_invariants(body: str) -> None:
    text = HEADER + body
    identity = parse_identity(text)
    assert identity is not None and identity.regulation == "UU 6/2014"
    reg = parse_regulation(text, identity)
    numbers = [a.number for a in reg.articles]
    event(f"articles: {min(len(numbers), 3)}")
    for art in reg.articles:
        assert re.fullmatch(r"\d+[A-Z]?|[IVXLC]+", art.number), art.number
        assert 0 <= art.start <= art.end <= len(reg.text)
    info = DocInfo(Provenance(source="uji.txt", file_hash="0" * 64, title="uji", doc_type=DocType.REGULASI,
                              regulation=identity.regulation, tentang=identity.tentang))  # fmt: skip
    chunks = regulation_chunks(reg, info, _count, 120)
    ids = [c.chunk_id for c in chunks]
    assert len(ids) == len(set(ids))
    for c in chunks:
        assert c.metadata["regulation"] == "UU 6/2014"
        assert c.metadata.get("pasal") in (None, *numbers)
        assert _count(c.embed_text) <= 120
        assert c.text.strip()


@FUZZ
@given(text=st.text(max_size=400))
def test_identity_parser_never_crashes_on_any_text(text: str) -> None:
    identity = parse_identity(text)
    if identity is not None:
        assert re.fullmatch(r"[\w .-]+ \d+[A-Z]?/\d{4}", identity.regulation), identity.regulation


QUERY_WORDS = [
    "psl", "ps", "pasal", "92", "ayat", "(1)", "uu", "UU", "desa", "no.", "No", "nomor", "6", "th", "thn",
    "tahun", "2014", "/", "pp", "PP", "43", "permendagri", "96/2017", "kades", "bumdes", "yg", "utk",
    "gak", "kerjasama", "antar", "dengan", "?", "!", "perdes", "ttg", "1945", "99999999999999999999",
]  # fmt: skip
query_text = st.lists(st.sampled_from(QUERY_WORDS) | st.text(max_size=8), max_size=40).map(" ".join)


@FUZZ
@given(question=query_text)
def test_query_normaliser_keeps_its_invariants(question: str) -> None:
    q = normalise(question)
    assert q.original == question
    if q.pasal is not None:
        assert re.fullmatch(r"\d+[A-Za-z]?", q.pasal), q.pasal
    if q.ayat is not None:
        assert re.fullmatch(r"\d+", q.ayat), q.ayat
    if q.regulation is not None:
        assert re.fullmatch(r"[\w .-]+ \d+/\d{4}", q.regulation), q.regulation
    assert normalise(q.text).text == normalise(normalise(q.text).text).text  # settles


@FUZZ
@given(text=query_text)
def test_regulation_reference_parser_returns_a_canonical_id_and_the_rest(text: str) -> None:
    regulation, rest = parse_regulation_ref(text)
    if regulation is not None:
        assert re.fullmatch(r"[\w .-]+ \d+/\d{4}", regulation), regulation
    assert len(rest) <= len(text) + 50


@FUZZ
@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=2000))
def test_any_unicode_question_is_normalised_without_error(text: str) -> None:
    normalise(text)
