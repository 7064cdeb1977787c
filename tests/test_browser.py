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
    assert card.locator("mark").count() > 0  # the query's words are highlighted

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
    page.get_by_role("button", name="Bidang apa saja yang bisa dikerjasamakan oleh desa?").click()
    page.wait_for_function(
        "() => { const t = document.querySelector('#chat').innerText;"
        " return t.includes('Bidang apa saja') && !t.includes('Mencari di dokumen')"
        " && t.split('bukan pendapat hukum resmi').length > 2; }"
    )
    assert page.locator("#sources details").count() >= 1
    page.get_by_role("button", name="Percakapan baru").click()
    page.locator("#sources").get_by_text("Sumber jawaban akan tampil di sini").wait_for()
    assert "Bidang apa saja" not in page.locator("#chat").inner_text()


def test_search_shows_whole_pasal_and_exports_a_handout(page: Any) -> None:
    page.get_by_role("tab", name="Cari Kutipan").click()
    page.locator("#search-query textarea").fill("psl 92 uu desa")
    page.locator("#search-query textarea").press("Enter")
    page.wait_for_selector("#search-results .kb-card")
    first = page.locator("#search-results .kb-card").first.inner_text()
    assert "Pasal" in first
    page.locator("#chosen input[type=checkbox]").first.check()
    page.locator("#export").click()
    link = page.locator("#handout-md a").first
    link.wait_for()
    md = page.request.get(link.get_attribute("href")).text()
    assert md.startswith("# Bahan Ajar Kerja Sama Desa") and "Pasal" in md and "Tanggal:" in md
    page.locator("#handout-docx a").first.wait_for()
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


def test_about_tab_and_no_request_leaves_the_machine(page: Any) -> None:
    page.get_by_role("tab", name="Tentang").click()
    page.get_by_text("Pengaturan yang berlaku").wait_for()
    assert "UU 6/2014" in page.locator("body").inner_text()
    screenshot(page, "tentang")
    assert page.outside == []
