"""What a question asks (dasar hukum, bidang, siapa, kapan, berapa lama, bagaimana,
definisi, isi Pasal X) and the form of text that answers each kind: recognised by the
question's wording, so the extractive answer can quote the passage of the right form."""

from __future__ import annotations

import re

INTENTS: tuple[tuple[str, str], ...] = (
    ("contoh", r"\bcontoh(?:nya)?\b|\bmisalnya\b|\bpraktik\b"),
    (
        "dasar_hukum",
        r"dasar hukum|landasan hukum|payung hukum|diatur (?:dalam|di) (?:mana|apa)|aturan(?:nya)? apa",
    ),
    ("definisi", r"apa (?:yang )?dimaksud|apa itu|pengertian|definisi|artinya"),
    ("bidang", r"bidang apa|meliputi|ruang lingkup|apa saja|unsur|terdiri|jenis"),
    ("siapa", r"\bsiapa\b"),
    ("jumlah", r"berapa kali|berapa periode|berapa banyak|berapa orang|paling banyak"),
    ("lama", r"berapa lama|berapa tahun|berapa bulan|jangka waktu|masa jabatan|batas waktu"),
    ("waktu", r"\bkapan\b"),
    ("cara", r"bagaimana|\bcara\b|tata cara|prosedur|mekanisme|langkah"),
)

# Words that only frame a question; they are not matched against passages.
FRAMING = re.compile(
    r"dasar hukum|landasan hukum|payung hukum|apa (?:yang )?dimaksud|apa itu|apa saja|\bcontoh(?:nya)?\b"
    r"|bagaimana cara|gimana cara|berapa lama|berapa kali",
    re.IGNORECASE,
)

DELEGATION = re.compile(r"(?:\(\d+[a-z]?\)\s*)?Ketentuan lebih lanjut (?:mengenai|tentang)", re.IGNORECASE)

INTENT_CUES = {
    "siapa": r"\b(?:oleh|kepala desa|camat|bupati|walikota|menteri|badan|pemerintah|BPD|lembaga)\b",
    # a moment ("sejak", "berakhir apabila", "paling lambat")
    "waktu": r"\d+ \(\w+\) (?:tahun|bulan|hari|minggu)|\bsejak\b|paling lambat|berakhir|apabila",
    # a duration: "selama 6 (enam) tahun", "paling lama 30 (tiga puluh) hari", or the time
    # allowed "paling lambat 7 (tujuh) hari sejak …" (how legislation words most time
    # limits; measured: dev unchanged, dev2 e47 answered by its Pasal); not a moment such as
    # "6 (enam) bulan sebelum", not a count such as "paling lama 3 kali"
    "lama": r"(?:selama|paling lama|paling lambat|jangka waktu) \d+ \(\w+(?: \w+)?\) (?:tahun|bulan|hari|minggu)",
    # a count ("3 (tiga) kali", "paling banyak")
    "jumlah": r"\d+ \(\w+\) kali|paling banyak|paling sedikit",
    "cara": r"\b(?:melalui|dengan cara|dilakukan|tahapan|mekanisme|musyawarah)\b",
    "definisi": r"\badalah\b|\bmerupakan\b|\byang dimaksud\b",
    # a list: lettered ("a. …"), announced ("meliputi", "terdiri"), or inline in one
    # sentence ("penyelenggaraan Pemerintahan Desa, pelaksanaan Pembangunan Desa, …, dan …")
    "bidang": r"\n[a-z]\.\s|meliputi|terdiri|,[^,.;]+,[^.;]*\bdan\b",
}


def detect_intent(question: str, pasal_named: bool) -> str:
    if pasal_named:
        return "isi_pasal"
    q = question.lower()
    for name, pattern in INTENTS:
        if re.search(pattern, q):
            return name
    return "umum"
