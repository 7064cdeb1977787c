"""Generated regulations for parser tests: a known structure, rendered as a PDF the way
official documents are laid out (running headers, page numbers, footers, catchwords), with
Pasal headings pushed to the tops and bottoms of pages. The parse of the PDF must give back
the structure that was generated."""

from __future__ import annotations

import random
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

WORDS = tuple(
    [
        "pemerintah",
        "desa",
        "kepala",
        "badan",
        "permusyawaratan",
        "masyarakat",
        "pembangunan",
        "pelaksanaan",
        "kegiatan",
        "keuangan",
        "aset",
        "kerja",
        "sama",
        "pihak",
        "ketiga",
        "musyawarah",
        "kesepakatan",
        "bersama",
        "pengawasan",
        "laporan",
        "anggaran",
        "pendapatan",
        "belanja",
        "kewenangan",
        "wilayah",
        "penduduk",
        "lembaga",
        "adat",
        "pelayanan",
        "umum",
        "ketentuan",
        "tata",
        "cara",
        "penetapan",
        "perencanaan",
        "pemberdayaan",
        "urusan",
        "bidang",
        "usaha",
        "milik",
    ]
)

# (title block line, expected start of the regulation id)
KINDS = (
    ("UNDANG-UNDANG REPUBLIK INDONESIA", "UU"),
    ("PERATURAN PEMERINTAH REPUBLIK INDONESIA", "PP"),
    ("PERATURAN DAERAH KABUPATEN SUKAMAJU", "Perda Kabupaten Sukamaju"),
    ("PERATURAN BUPATI SUKAMAJU", "Perbup Sukamaju"),
    ("PERATURAN DESA MEKARSARI", "Perdes Mekarsari"),
)
BAB_TITLES = ("KETENTUAN UMUM", "KEWENANGAN", "KERJA SAMA", "PENDANAAN", "KETENTUAN PENUTUP", "PEMBINAAN")


@dataclass
class GenPasal:
    number: int
    ayat: list[str]  # one text per ayat; a single item without marker when the Pasal has none
    numbered: bool


@dataclass
class GenRegulation:
    kind_line: str
    expected_id: str
    number: int
    year: int
    tentang: str
    babs: list[tuple[str, str, list[GenPasal]]] = field(default_factory=list)

    @property
    def pasal(self) -> list[GenPasal]:
        return [p for _, _, ps in self.babs for p in ps]


def _sentence(rng: random.Random, n_pasal: int, words: int) -> str:
    out = [rng.choice(WORDS) for _ in range(words)]
    if rng.random() < 0.4 and n_pasal > 1:
        # a reference that may wrap onto a line start: "Pasal 3 ayat (1)" is not a heading
        at = rng.randrange(len(out))
        out[at:at] = [
            "sebagaimana",
            "dimaksud",
            "dalam",
            "Pasal",
            str(rng.randint(1, n_pasal)),
            "ayat",
            "(1)",
        ]
    text = " ".join(out)
    return text[0].upper() + text[1:] + "."


def generate(seed: int, max_pasal_per_bab: int = 5) -> GenRegulation:
    rng = random.Random(seed)
    kind_line, expected = rng.choice(KINDS)
    number, year = rng.randint(1, 40), rng.randint(2005, 2025)
    reg = GenRegulation(kind_line, f"{expected} {number}/{year}", number, year, "KERJA SAMA DESA")
    n = 0
    n_babs = rng.randint(1, 4)
    sizes = [rng.randint(1, max_pasal_per_bab) for _ in range(n_babs)]
    total = sum(sizes)
    roman = ["I", "II", "III", "IV", "V", "VI"]
    for b, size in enumerate(sizes):
        pasal = []
        for _ in range(size):
            n += 1
            k = rng.choice([1, 1, 2, 3, 4])
            texts = [_sentence(rng, total, rng.randint(6, 45)) for _ in range(k)]
            pasal.append(GenPasal(n, texts, numbered=k > 1))
        reg.babs.append((roman[b], BAB_TITLES[b % len(BAB_TITLES)], pasal))
    return reg


def body_lines(reg: GenRegulation, width: int = 90) -> list[tuple[str, str]]:
    """(kind, line) in reading order; kind 'pasal' marks a Pasal heading line."""
    lines: list[tuple[str, str]] = [
        ("title", reg.kind_line),
        ("title", f"NOMOR {reg.number} TAHUN {reg.year}"),
        ("title", "TENTANG"),
        ("title", reg.tentang),
        ("title", "DENGAN RAHMAT TUHAN YANG MAHA ESA"),
        ("text", "Menimbang : a. bahwa kerja sama desa perlu diatur untuk kesejahteraan masyarakat;"),
        ("text", "Mengingat : 1. Undang-Undang Nomor 6 Tahun 2014 tentang Desa;"),
        ("title", "MEMUTUSKAN:"),
        ("text", f"Menetapkan : PERATURAN TENTANG {reg.tentang}."),
    ]
    for roman, title, pasal in reg.babs:
        lines += [("bab", f"BAB {roman}"), ("bab", title)]
        for p in pasal:
            lines.append(("pasal", f"Pasal {p.number}"))
            for i, text in enumerate(p.ayat, 1):
                para = f"({i}) {text}" if p.numbered else text
                lines += [("text", ln) for ln in textwrap.wrap(para, width)]
    lines += [
        ("text", "Agar setiap orang mengetahuinya, memerintahkan pengundangan peraturan ini."),
        ("text", "Ditetapkan di Sukamaju"),
    ]
    return lines


def expected_text(reg: GenRegulation) -> dict[str, str]:
    """Pasal number -> its text as the parser should give it (whitespace-normalised)."""
    out = {}
    for p in reg.pasal:
        parts = [f"({i}) {t}" if p.numbered else t for i, t in enumerate(p.ayat, 1)]
        out[str(p.number)] = " ".join(" ".join(parts).split())
    return out


def render_pdf(
    reg: GenRegulation, path: Path, *, seed: int, lines_per_page: int = 28, running_title: bool = False
) -> Path:
    """Lay the regulation out on A4 pages with furniture; Pasal headings land at page edges.

    Each page has a running header, a page number ("- n -"), a footer repeated on every page
    and a page-number form ("Halaman n dari N"), and a catchword at the foot of every page
    that does not end the text (``running_title``: the header is the title's first line, as
    in Perda and Perdes prints, the same text as the title block of page 1). Before a Pasal heading a page is ended early (the heading
    opens the next page) or the heading is written as the last line of its page.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    rng = random.Random(seed)
    pages: list[list[str]] = [[]]
    for kind, line in body_lines(reg):
        page = pages[-1]
        if kind == "pasal" and page and rng.random() < 0.7:
            if rng.random() < 0.5:
                pages.append([line])  # the heading opens the next page
            else:
                page.append(line)  # the heading closes this page
                pages.append([])
            continue
        if len(page) >= lines_per_page:
            pages.append([])
        pages[-1].append(line)
    pages = [p for p in pages if p]
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setTitle(f"{reg.kind_line} {reg.number}/{reg.year}")
    width, height = A4
    for i, lines in enumerate(pages, 1):
        c.setFont("Helvetica", 10)
        y = height - 40
        headers = (reg.kind_line,) if running_title else ("PRESIDEN", "REPUBLIK INDONESIA")
        for header in headers if i > 1 else ():
            c.drawCentredString(width / 2, y, header)
            y -= 14
        if i > 1:
            c.drawCentredString(width / 2, y, f"- {i} -")
            y -= 20
        for line in lines:
            c.drawString(60, y, line)
            y -= 14
        if i < len(pages):
            nxt = pages[i][0].split()
            c.drawRightString(width - 60, y - 6, " ".join(nxt[:2]) + " . . .")
        c.drawString(60, 40, "Dokumen ini dibuat otomatis untuk pengujian pengurai")
        c.drawRightString(width - 60, 28, f"Halaman {i} dari {len(pages)}")
        c.showPage()
    c.save()
    return path
