"""End to end in a real browser: Debian's chromium driven by Playwright (browser downloads
fail here, so ``executable_path``). Each tab is photographed into ``tests/artifacts/``
(and into ``docs/screenshots/`` when ``KB_SCREENSHOTS=1``, for the README)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kb.feedback import read_feedback
from kb.settings import Settings
from tests.conftest import ADMIN_PASSWORD, ROOT

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = ROOT / "tests" / "artifacts"
TIMEOUT = 60_000

HOSTILE_NOTE = """---
title: Catatan Uji Keamanan Lumbung
doc_type: webinar
date: 2026-11-21
---
# Catatan uji keamanan

Lumbung pangan desa dikelola bersama oleh Desa Mekarsari dan Desa Mekarjaya.
<script>window.__xss = 1</script> <img src=x onerror="window.__xss = 2"> tetap teks biasa.
"""


@pytest.fixture(scope="module")
def page(app_server: tuple[str, Settings]) -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: make test installs Debian's chromium (scripts/browser.sh)")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_server[0])
        pg = context.new_page()
        pg.set_default_timeout(TIMEOUT)
        pg.outside = []  # requests that leave the machine: the UI must work offline
        pg.on(
            "request",
            lambda r: (
                pg.outside.append(r.url) if not r.url.startswith((app_server[0], "data:", "blob:")) else None
            ),
        )
        pg.goto(app_server[0], wait_until="load")
        pg.wait_for_selector("#question textarea")
        yield pg
        browser.close()


def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if os.environ.get("KB_SCREENSHOTS") == "1":
        target = ROOT / "docs" / "screenshots"
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target / path.name)


def ask(page: Any, question: str, turns_before: int) -> None:
    page.locator("#question textarea").fill(question)
    page.locator("#question textarea").press("Enter")
    # the answer has replaced the waiting line when its disclaimer is there
    page.wait_for_function(
        "n => document.querySelectorAll('#chat .message-row, #chat [data-testid=bot]').length > n"
        " && !document.querySelector('#chat').innerText.includes('Mencari di dokumen')",
        arg=turns_before,
    )


def test_ask_cites_uu_6_2014_pasal_91_and_a_source_opens(page: Any, app_server: tuple[str, Settings]) -> None:
    ask(page, "Apa dasar hukum kerja sama desa?", 0)
    chat = page.locator("#chat").inner_text()
    assert "UU 6/2014 Pasal 91" in chat
    assert "Dasar hukum" in chat and "bukan pendapat hukum resmi" in chat
    card = page.locator("#sources details").first
    assert "UU 6/2014 Pasal 91" in card.locator("summary").inner_text()
    assert "Regulasi" in card.locator("summary").inner_text()
    card.locator("summary").click()
    assert card.locator(".kb-text").is_visible()
    assert "Desa dapat mengadakan kerja sama" in card.locator(".kb-text").inner_text()
    marks = [m.lower() for m in card.locator("mark").all_inner_texts()]
    assert marks and "desa" not in marks  # the question's distinctive words, not "desa" everywhere

    _, settings = app_server
    before = len(read_feedback(settings.feedback_path))
    page.get_by_label("Komentar (opsional)").fill("jawaban tepat")
    page.locator("#fb-good").click()
    page.get_by_text("penilaian Anda tersimpan").wait_for()
    assert read_feedback(settings.feedback_path)[before:][0]["rating"] == "baik"

    page.locator("#copy-answer").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("Menurut UU 6/2014 Pasal 91") and "Dasar hukum:\n- UU No. 6 Tahun 2014" in copied
    screenshot(page, "tanya")


def test_an_example_question_is_asked_by_a_click_and_new_conversation_clears(page: Any) -> None:
    example = page.get_by_role("button", name="Bidang apa saja yang bisa dikerjasamakan oleh desa?")
    assert not example.is_visible()  # examples and filters wait, collapsed, under the input
    page.get_by_text("Contoh pertanyaan dan saringan").click()
    example.click()
    page.wait_for_function(
        "() => { const t = document.querySelector('#chat').innerText;"
        " return t.includes('Bidang apa saja') && !t.includes('Mencari di dokumen')"
        " && t.split('bukan pendapat hukum resmi').length > 2; }"
    )
    assert page.locator("#sources details").count() >= 1
    page.get_by_role("button", name="Percakapan baru").click()
    page.locator("#sources").get_by_text("Sumber jawaban akan tampil di sini").wait_for()
    assert "Bidang apa saja" not in page.locator("#chat").inner_text()


def search(page: Any, query: str, first: str) -> None:
    """Search, and wait until the first result is ``first`` (a citation), its tick box too."""
    page.locator("#search-query textarea").fill(query)
    page.locator("#search-query textarea").press("Enter")
    page.wait_for_function(
        "f => { const card = document.querySelector('#search-results .kb-card b');"
        " const box = document.querySelector('#chosen label');"
        " return card && box && card.innerText.includes(f) && box.innerText.includes(f); }",
        arg=first,
    )


def test_ticks_from_two_searches_go_into_one_handout_in_the_chosen_order(page: Any, tmp_path: Path) -> None:
    """A trainer's basket keeps passages across searches and a reload; the exports hold them
    in the order set, named by their citations, with no file paths; the PDF is A4 with page
    numbers."""
    from docx import Document
    from pypdf import PdfReader

    page.get_by_role("tab", name="Cari Kutipan").click()
    search(page, "psl 92 uu desa", "UU 6/2014 Pasal 92")
    page.locator("#chosen input[type=checkbox]").first.check()
    page.locator("#basket li").first.wait_for()
    search(page, "pasal 143 pp 43/2014", "PP 43/2014 Pasal 143")
    page.locator("#chosen input[type=checkbox]").first.check()
    page.wait_for_function("() => document.querySelectorAll('#basket li').length === 2")
    assert page.locator("#basket li").nth(0).inner_text().startswith("UU 6/2014 Pasal 92")
    page.locator("#basket-up").click()  # the passage just added moves up
    page.wait_for_function(
        "() => document.querySelector('#basket li').innerText.startsWith('PP 43/2014 Pasal 143')"
    )
    page.reload()
    page.wait_for_selector("#question textarea")
    page.get_by_role("tab", name="Cari Kutipan").click()
    page.wait_for_function("() => document.querySelectorAll('#basket li').length === 2")
    page.locator("#export").click()
    page.locator("#handout-pdf a").first.wait_for()
    files = {}
    for kind in ("md", "docx", "pdf"):
        href = page.locator(f"#handout-{kind} a").first.get_attribute("href")
        files[kind] = tmp_path / f"bahan.{kind}"
        files[kind].write_bytes(page.request.get(href).body())
    md = files["md"].read_text(encoding="utf-8")
    assert md.index("## 1. PP 43/2014 Pasal 143") < md.index("## 2. UU 6/2014 Pasal 92")
    doc = Document(str(files["docx"]))
    heads = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert heads[:2] == ["1. PP 43/2014 Pasal 143", "2. UU 6/2014 Pasal 92"]
    text = "\n".join(p.text for p in doc.paragraphs)
    assert (
        "Sumber: PP No. 43 Tahun 2014" in text
        and "Sumber: UU No. 6 Tahun 2014 tentang Desa, Pasal 92" in text
    )
    assert ".txt" not in text and "corpus" not in text  # citations, not file paths
    assert "Penjelasan: Cukup jelas." in text
    pdf = PdfReader(str(files["pdf"]))
    box = pdf.pages[0].mediabox
    assert abs(float(box.width) - 595.3) < 1 and abs(float(box.height) - 841.9) < 1  # A4
    assert all(f"Halaman {n}" in pg.extract_text() for n, pg in enumerate(pdf.pages, 1))
    screenshot(page, "cari-kutipan")


def test_admin_uploads_a_file_and_document_text_stays_text(page: Any, tmp_path: Path) -> None:
    page.get_by_role("tab", name="Dokumen").click()
    note = tmp_path / "catatan-uji-keamanan.md"
    note.write_text(HOSTILE_NOTE, encoding="utf-8")
    page.get_by_label("Kata sandi admin").fill(ADMIN_PASSWORD)
    page.locator("#upload-files input[type=file]").set_input_files(str(note))
    page.locator("#upload").click()
    page.locator("#admin-status").get_by_text("ditambahkan").wait_for()
    page.locator("#documents").get_by_text("Catatan Uji Keamanan Lumbung").wait_for()
    screenshot(page, "dokumen")

    # another browser, loaded after the upload, lists it (the index is the one source of truth)
    other = page.context.browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-US")
    try:
        fresh = other.new_page()
        fresh.set_default_timeout(TIMEOUT)
        fresh.goto(page.url)
        fresh.get_by_role("tab", name="Dokumen").click()
        fresh.locator("#documents").get_by_text("Catatan Uji Keamanan Lumbung").wait_for()
        assert "Letakkan berkas di sini" in fresh.locator("#upload-files").inner_text()  # not English
        assert "Drop File" not in fresh.locator("body").inner_text()
    finally:
        other.close()

    # the hostile text shows as text in the search cards, the chat and the sources panel
    page.get_by_role("tab", name="Cari Kutipan").click()
    page.locator("#search-query textarea").fill("lumbung pangan Mekarsari")
    page.locator("#search-query textarea").press("Enter")
    page.locator("#search-results").get_by_text("window.__xss = 1").wait_for()
    page.get_by_role("tab", name="Tanya").click()
    turns = page.locator("#chat .message-row, #chat [data-testid=bot]").count()
    ask(page, "siapa yang mengelola lumbung pangan Mekarsari?", turns)
    assert "<script>" in page.locator("#chat").inner_text()
    assert "onerror" in (page.locator("#sources").text_content() or "")
    assert page.evaluate("window.__xss") is None


def test_the_draf_tab_drafts_a_peraturan_bersama_and_checks_an_uploaded_draft(
    page: Any, tmp_path: Path
) -> None:
    from docx import Document

    page.get_by_role("tab", name="Draf").click()
    page.locator("#draft-desa textarea, #draft-desa input").first.fill("Sukamaju, Mekarsari")
    bidang = page.locator("#draft-bidang input").first
    bidang.fill("pengelolaan air bersih")
    bidang.press("Enter")
    page.locator("#draft-make").click()
    page.locator("#draft-preview h1").get_by_text("KEPALA DESA SUKAMAJU DAN KEPALA DESA MEKARSARI").wait_for()
    page.locator("#draft-docx a").first.wait_for()
    href = page.locator("#draft-docx a").first.get_attribute("href")
    docx = tmp_path / "draf.docx"
    docx.write_bytes(page.request.get(href).body())
    text = "\n".join(p.text for p in Document(str(docx)).paragraphs)
    assert (
        "Undang-Undang Nomor 6 Tahun 2014 tentang Desa (Lembaran Negara Republik Indonesia Tahun 2014 Nomor 7"
        in text
    )
    assert "Wajib dimuat menurut PP 43/2014 Pasal 143 ayat (4) huruf h" in text
    screenshot(page, "draf")

    page.locator("#check-file input[type=file]").set_input_files(
        str(ROOT / "tests" / "drafts" / "pb-tanpa-jangka-sengketa.txt")
    )
    page.locator("#check-draft").click()
    report = page.locator("#check-report")
    report.get_by_text("jangka waktu: tidak ada").wait_for()
    assert "penyelesaian perselisihan: tidak ada" in report.inner_text()
    assert "UU 6/2014 disebut tanpa perubahannya" in report.inner_text()


def test_on_a_phone_the_answer_starts_in_view_with_its_sources_below(page: Any) -> None:
    """390x844: every tab reachable without an overflow menu, the answer's first line in
    view after it arrives, the first source card within one screen below it, and the
    Dokumen tab as readable cards."""
    phone = page.context.browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    try:
        pg = phone.new_page()
        pg.set_default_timeout(TIMEOUT)
        pg.goto(page.url)
        pg.wait_for_selector("#question textarea")
        assert [t.strip() for t in pg.locator("[role=tab]").all_inner_texts()] == [
            "Tanya",
            "Cari Kutipan",
            "Draf",
            "Dokumen",
            "Tentang",
        ]
        ask(pg, "Apa dasar hukum kerja sama desa?", 0)
        pg.wait_for_timeout(800)  # the scroll after the answer
        where = pg.evaluate(
            """() => {
              const bots = document.querySelectorAll('#chat .message-row.bot-row');
              const bot = bots[bots.length - 1].querySelector('.message-content, .prose') || bots[bots.length - 1];
              const walk = document.createTreeWalker(bot, NodeFilter.SHOW_TEXT);
              let node = walk.nextNode();
              while (node && !node.textContent.trim()) node = walk.nextNode();
              const range = document.createRange();
              range.selectNodeContents(node);
              const first = range.getClientRects()[0];
              const card = document.querySelector('#sources details').getBoundingClientRect();
              const chat = document.querySelector('#chat').getBoundingClientRect();
              return {first: first.top, firstBottom: first.bottom, chatTop: chat.top, chatBottom: chat.bottom,
                      card: card.top, h: innerHeight, text: bot.innerText.slice(0, 40)};
            }"""
        )
        assert where["text"].startswith("Menurut UU 6/2014 Pasal 91"), where
        assert where["first"] >= 0 and where["firstBottom"] <= min(where["h"], where["chatBottom"]), where
        assert where["chatTop"] - 60 <= where["first"], where  # the answer's start, not its end
        assert where["card"] - where["first"] <= where["h"], where
        screenshot(pg, "tanya-hp")
        pg.get_by_role("tab", name="Dokumen").click()
        cards = pg.locator("#documents-cards .kb-card")
        cards.first.wait_for()
        assert cards.count() >= 4 and "UU 6/2014" in pg.locator("#documents-cards").inner_text()
        assert not pg.locator("#documents").is_visible()
        screenshot(pg, "dokumen-hp")
    finally:
        phone.close()


def test_about_tab_and_no_request_leaves_the_machine(page: Any) -> None:
    page.get_by_role("tab", name="Tentang").click()
    page.get_by_text("Pengaturan yang berlaku").wait_for()
    assert "UU 6/2014" in page.locator("body").inner_text()
    screenshot(page, "tentang")
    assert page.outside == []
