"""Tanya Kerja Sama Desa: the Gradio app (``python app.py``, the Spaces convention).

Thin by design: the library (``kb``) retrieves, answers, renders and exports; ``ingest``
loads and checks documents; this file lays out the tabs and wires events. At start-up the
shipped corpus is ingested when the index is empty or stale (unchanged files are skipped in
a fraction of a second), then the app serves on ``KB_HOST:KB_PORT`` (127.0.0.1:7860).

API (``gradio_client``): ``/ask`` and ``/search`` take the question or query first and
return the same JSON as ``kb ask --json`` and ``kb search --json``.
"""

from __future__ import annotations

import os

# before gradio is imported: no analytics, no model hub look-ups, no telemetry
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import logging
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from kb import basket, render
from kb.answer import Answerer
from kb.base import KnowledgeBase
from kb.basket import BasketItem
from kb.errors import KBError
from kb.feedback import Feedback, record_feedback
from kb.handout import file_stem, to_docx, to_markdown, to_pdf
from kb.llm import make_chat_model
from kb.settings import Settings
from kb.types import Answer, Hit

log = logging.getLogger("app")

# Example questions, each with the regulations it needs: shown only when the index holds them.
EXAMPLES = [
    ("Apa dasar hukum kerja sama desa?", ("UU 6/2014",)),
    ("Bidang apa saja yang bisa dikerjasamakan oleh desa?", ("UU 6/2014",)),
    ("Siapa yang menandatangani kerja sama antar-Desa?", ("UU 6/2014",)),
    ("kalau kerja sama dengan pihak ketiga?", ("UU 6/2014",)),
]
PACK_COLUMNS = ["Regulasi", "Status", "Peran", "Judul", "Laman resmi"]
ROLES = {"core": "inti", "amending": "perubahan", "related": "terkait"}
DOC_TYPES = [
    ("Semua jenis", ""),
    ("Regulasi", "regulasi"),
    ("Catatan webinar", "webinar"),
    ("Arah kebijakan", "kebijakan"),
    ("Lainnya", "lainnya"),
]
SECTIONS = [
    ("Semua bagian", ""),
    ("Batang tubuh", "batang_tubuh"),
    ("Penjelasan", "penjelasan"),
    ("Konsiderans", "konsiderans"),
]
DOC_COLUMNS = [
    "Judul",
    "Jenis",
    "Regulasi",
    "Pasal",
    "Pemeriksaan struktur",
    "Potongan",
    "Dimasukkan",
    "Berkas",
]
THINKING = "⏳ Mencari di dokumen …"
START_RETRY_SECONDS = 5.0  # between attempts to reach a Chroma server at start
# Gradio picks its widgets' language ("Drop File Here") from the browser's; the users read
# Indonesian whatever their browser is set to. Gradio's own Indonesian strings, given for
# the locales a browser most often reports, override its English ones.
_WIDGETS_ID = {
    "upload_text.drop_file": "Letakkan berkas di sini",
    "upload_text.click_to_upload": "Klik untuk mengunggah",
    "common.or": "atau",
    "common.clear": "Bersihkan",
    "common.download": "Unduh",
    "common.remove": "Hapus",
    "common.loading": "Memuat",
    "common.error": "Galat",
}
INDONESIAN_WIDGETS = gr.I18n(**{lang: _WIDGETS_ID for lang in ("en", "en-US", "en-GB", "id")})
# After an answer arrives: its beginning in view (the chat would show its end, the disclaimer)
SHOW_ANSWER_START = """() => {
  const chat = document.querySelector('#chat');
  const bots = chat ? chat.querySelectorAll('.message-row.bot-row') : [];
  const last = bots[bots.length - 1];
  if (!last) return;
  let box = last.parentElement;
  while (box && box !== chat && box.scrollHeight <= box.clientHeight + 1) box = box.parentElement;
  if (box) box.scrollTop += last.getBoundingClientRect().top - box.getBoundingClientRect().top - 40;
  const top = chat.getBoundingClientRect().top;
  if (top < 0 || top > innerHeight / 3) window.scrollBy(0, top - 8);
}"""


def intro(regulations: list[str], notes: int) -> str:
    """The page header: what the index actually holds."""
    held = ", ".join(regulations) if regulations else "belum ada regulasi"
    extra = f" dan {notes} catatan/dokumen lain" if notes else ""
    return (
        "# Tanya Kerja Sama Desa\n"
        f"Tanya-jawab regulasi kerja sama desa. Memuat: {held}{extra}. "
        "Setiap jawaban dikutip langsung dari dokumen, dengan dasar hukumnya."
    )


ADMIN_DISABLED = (
    "🔒 Unggah dan hapus dokumen dinonaktifkan: kata sandi admin (`KB_ADMIN_PASSWORD`) belum "
    "diatur di server. Minta pengelola mengaturnya, lalu jalankan ulang aplikasi."
)


@dataclass(frozen=True)
class Library:
    table: list[list[Any]]
    cards: str  # the same documents as cards, for a phone
    sources: list[str]
    regulations: list[tuple[str, str]]
    about: str
    header: str
    examples: list[bool]  # which of EXAMPLES the index can answer
    pack: list[list[str]]  # the regulation pack's status


class App:
    """The knowledge base, loaded once per process and shared by every user."""

    def __init__(self, settings: Settings) -> None:
        from ingest.library import admin_enabled

        self.settings = settings
        self.kb = KnowledgeBase(settings)
        self.answerer = Answerer(self.kb, make_chat_model(settings))
        self.admin = admin_enabled(settings)
        self.export_dir = Path(tempfile.mkdtemp(prefix="kb-handout-"))

    # -- API endpoints (also used by the UI) ----------------------------------------------

    def ask(
        self, question: str, history: list[str] | None = None, doc_type: str = "", regulation: str = ""
    ) -> dict[str, Any]:
        """Jawab pertanyaan: sama dengan `kb ask --json`."""
        return self._answer(question, history or [], doc_type, regulation).to_json()

    def search(
        self, query: str, k: int = 5, doc_type: str = "", regulation: str = "", section: str = ""
    ) -> list[dict[str, Any]]:
        """Cari kutipan: sama dengan `kb search --json`."""
        return [h.to_json() for h in self._search(query, k, doc_type, regulation, section)]

    def _answer(self, question: str, history: list[str], doc_type: str, regulation: str) -> Answer:
        try:
            return self.answerer.ask(
                question, history, doc_type=doc_type or None, regulation=regulation or None
            )
        except KBError as exc:
            raise gr.Error(exc.user_message) from exc

    def _search(self, query: str, k: int, doc_type: str, regulation: str, section: str) -> list[Hit]:
        if not query.strip():
            return []
        try:
            return self.kb.search(
                query,
                max(1, min(int(k), 50)),
                doc_type=doc_type or None,
                regulation=regulation or None,
                section=section or None,
            )
        except KBError as exc:
            raise gr.Error(exc.user_message) from exc

    # -- Tanya ----------------------------------------------------------------------------

    def respond(
        self, message: str, chat: list[dict[str, Any]], history: list[str], doc_type: str, regulation: str
    ) -> Iterator[tuple[Any, ...]]:
        """Stream one turn: the question, a waiting line, the model's tokens if any, the answer."""
        message = (message or "").strip()
        if not message:
            yield chat, gr.skip(), history, gr.skip(), gr.skip(), ""
            return
        chat = [
            *chat,
            {"role": "user", "content": render.escape_markdown(message)},
            {"role": "assistant", "content": THINKING},
        ]
        yield chat, gr.skip(), history, gr.skip(), gr.skip(), ""
        try:
            stream = self.answerer.ask_stream(
                message, history, doc_type=doc_type or None, regulation=regulation or None
            )
            for text in stream:
                chat[-1] = {"role": "assistant", "content": render.escape_markdown(text)}
                yield chat, gr.skip(), history, gr.skip(), gr.skip(), ""
            final = stream.answer()
        except KBError as exc:
            chat[-1] = {"role": "assistant", "content": f"⚠️ {render.escape_markdown(exc.user_message)}"}
            yield chat, gr.skip(), history, gr.skip(), gr.skip(), ""
            return
        chat[-1] = {"role": "assistant", "content": render.answer_markdown(final)}
        history = [*history, final.standalone_question]
        sources = render.citation_cards(final, self.kb.distinctive_terms(final.standalone_question))
        yield chat, sources, history, final.to_json(), render.answer_plain(final), ""

    def feedback_good(self, comment: str, last: dict[str, Any] | None) -> str:
        """👍 on the last answer of this conversation, with an optional comment."""
        return self.feedback("baik", comment, last)

    def feedback_bad(self, comment: str, last: dict[str, Any] | None) -> str:
        """👎 on the last answer of this conversation, with an optional comment."""
        return self.feedback("buruk", comment, last)

    def feedback(self, rating: str, comment: str, last: dict[str, Any] | None) -> str:
        if not last:
            return "Belum ada jawaban untuk dinilai."
        record_feedback(
            self.settings.feedback_path,
            Feedback(
                rating,
                str(last.get("question", "")),
                str(last.get("answer", "")),
                list(last.get("citations") or []),
                comment or "",
            ),
        )
        return "Terima kasih, penilaian Anda tersimpan."

    # -- Cari Kutipan and the handout basket ----------------------------------------------

    def search_cards(
        self, query: str, k: int, doc_type: str, regulation: str, section: str, raw_basket: Any
    ) -> tuple[str, Any, list[dict[str, Any]]]:
        """Search results as cards, and one tick box per result (ticked: in the basket)."""
        hits = self._search(query, k, doc_type, regulation, section)
        full = {h.chunk_id: self.kb.whole_pasal(h) for h in hits}
        choices = [
            (f"[{n}] {render.source_label(h.provenance, None)}", h.chunk_id) for n, h in enumerate(hits, 1)
        ]
        results = [BasketItem.of_hit(h, full[h.chunk_id]).to_dict() for h in hits]
        held = {i.chunk_id for i in basket.load(raw_basket)}
        cards = render.hit_cards(hits, self.kb.distinctive_terms(query), full)
        return (
            cards,
            gr.update(choices=choices, value=[h.chunk_id for h in hits if h.chunk_id in held]),
            results,
        )

    def basket_view(
        self, items: basket.Basket, selected: str | None, results: list[dict[str, Any]]
    ) -> tuple[Any, ...]:
        """What every change of the basket updates: its stored form, the list, the picker
        (keeping the selection), the note of the selected passage and the search's ticks."""
        held = [i.chunk_id for i in items]
        keep = selected if selected in held else (held[0] if held else None)
        note = next((i.note for i in items if i.chunk_id == keep), "")
        return (
            basket.dump(items),
            render.basket_html(items),
            gr.update(choices=[(f"{n}. {i.label}", i.chunk_id) for n, i in enumerate(items, 1)], value=keep),
            note,
            gr.update(value=[r["chunk_id"] for r in results if r["chunk_id"] in held]),
        )

    def tick(
        self, ticked: list[str], results: list[dict[str, Any]], raw: Any, selected: str | None
    ) -> tuple[Any, ...]:
        """A tick puts a search result in the basket, an untick takes it out; the basket
        keeps what earlier searches put in."""
        ticked_ids = set(ticked or [])
        shown = basket.load(results)
        items = basket.remove(basket.load(raw), {i.chunk_id for i in shown} - ticked_ids)
        before = {i.chunk_id for i in items}
        items = basket.add(items, [i for i in shown if i.chunk_id in ticked_ids])
        added = [i.chunk_id for i in items if i.chunk_id not in before]
        return self.basket_view(items, added[-1] if added else selected, results)

    def reorder(
        self, action: str, raw: Any, selected: str | None, results: list[dict[str, Any]], note: str = ""
    ) -> tuple[Any, ...]:
        items = basket.load(raw)
        if action == "naik" and selected:
            items = basket.move(items, selected, -1)
        elif action == "turun" and selected:
            items = basket.move(items, selected, 1)
        elif action == "hapus" and selected:
            items = basket.remove(items, [selected])
        elif action == "hierarki":
            items = basket.by_hierarchy(items)
        elif action == "kosongkan":
            items = []
        elif action == "catatan" and selected:
            items = basket.annotate(items, selected, note)
        return self.basket_view(items, selected, results)

    def add_answer_sources(
        self, last: dict[str, Any] | None, raw: Any, results: list[dict[str, Any]]
    ) -> tuple[Any, ...]:
        """The cited passages of the last answer into the basket (each as its whole Pasal)."""
        items = basket.load(raw)
        cited = [c for c in (last or {}).get("citations") or [] if c.get("chunk_id")]
        hits = {h.chunk_id: h for h in self.kb.store.get_ids([c["chunk_id"] for c in cited])}
        new = []
        for c in cited:
            hit = hits.get(c["chunk_id"])
            if hit is not None:
                extra = {"amended_by": c["amended_by"]} if c.get("amended_by") else {}
                hit = hit.with_score(hit.score, **extra)
                new.append(BasketItem.of_hit(hit, self.kb.whole_pasal(hit)))
        items = basket.add(items, new)
        status = (
            f"{len(new)} sumber masuk ke bahan ajar ({len(items)} kutipan; lihat tab Cari Kutipan)."
            if new
            else "Belum ada sumber jawaban untuk dimasukkan."
        )
        return (*self.basket_view(items, None, results), status)

    def export(self, title: str, raw: Any, questions: str) -> tuple[Any, Any, Any, str]:
        items = basket.load(raw)
        if not items:
            return None, None, None, "Bahan ajar masih kosong: centang dulu kutipan yang akan dimasukkan."
        passages = [i.passage() for i in items]
        asked = [q for q in (questions or "").splitlines() if q.strip()]
        folder = Path(tempfile.mkdtemp(dir=self.export_dir))
        stem = file_stem(title)
        md = folder / f"{stem}.md"
        md.write_text(to_markdown(title, passages, questions=asked), encoding="utf-8")
        docx = to_docx(title, passages, folder / f"{stem}.docx", questions=asked)
        pdf = to_pdf(title, passages, folder / f"{stem}.pdf", questions=asked)
        return str(md), str(docx), str(pdf), f"Bahan ajar berisi {len(passages)} kutipan siap diunduh."

    # -- Draf -------------------------------------------------------------------------------

    def draft(
        self,
        kind: str,
        desa: str,
        bidang: str,
        term: str,
        kecamatan: str = "",
        kabupaten: str = "",
        pihak_ketiga: str = "",
    ) -> tuple[str, str | None, str | None]:
        """Susun draf: sama dengan `kb draf` (Markdown untuk pratinjau, berkas DOCX dan MD)."""
        from kb.draft.render import to_docx, to_markdown
        from kb.draft.service import make_draft

        villages = [d.strip() for d in re.split(r"[,;\n]", desa or "") if d.strip()]
        try:
            drafted = make_draft(
                self.kb, kind, villages, bidang or "", term or "", kecamatan, kabupaten, pihak_ketiga
            )
        except KBError as exc:
            return f"**Galat:** {exc.user_message}", None, None
        folder = Path(tempfile.mkdtemp(dir=self.export_dir))
        stem = file_stem(drafted.title)[:60] or "draf"
        text = to_markdown(drafted)
        md = folder / f"{stem}.md"
        md.write_text(text, encoding="utf-8")
        docx = to_docx(drafted, folder / f"{stem}.docx")
        return text, str(docx), str(md)

    def bidang_options(self, kind: str = "peraturan-bersama") -> list[str]:
        """The fields the index offers for a draft's bidang (none when it cannot be read)."""
        from kb.draft.service import bidang_choices

        try:
            return bidang_choices(self.kb, kind)
        except KBError:
            return []

    def check_draft(self, path: str | None) -> dict[str, Any]:
        """Periksa draf: sama dengan `kb periksa-draf --json` (plus `text`, laporan dalam teks)."""
        from ingest.loaders import load_file
        from kb.draft.render import report_text
        from kb.draft.service import check_text

        if not path:
            return {"error": "Unggah dulu berkas draf (DOCX, PDF, TXT atau MD)."}
        try:
            text = load_file(Path(path), Path(path).name, max_file_mb=self.settings.max_file_mb).text
            report = check_text(self.kb, text)
        except KBError as exc:
            return {"error": exc.user_message}
        return {**report.to_json(), "text": report_text(report)}

    def check_draft_view(self, path: str | None) -> tuple[str, dict[str, Any]]:
        """The report as text for the page, and as `kb periksa-draf --json` for the API."""
        result = self.check_draft(path)
        if "error" in result:
            return f"**Galat:** {result['error']}", result
        return f"```text\n{result['text']}\n```", result

    # -- Dokumen ----------------------------------------------------------------------------

    def library(self) -> Library:
        """What the Dokumen, Tentang and filter widgets show, from one read of the index."""
        docs = self.kb.documents()
        table = [
            [
                d.title,
                d.doc_type,
                d.regulation or "-",
                d.pasal,
                render.structure_status(d),
                d.chunks,
                (d.ingested_at or "-")[:16].replace("T", " "),
                d.source + (f" (juga: {d.duplicates})" if d.duplicates else ""),
            ]
            for d in docs
        ]
        regs = sorted({d.regulation for d in docs if d.regulation})
        return Library(
            table=table,
            cards=render.document_cards(docs),
            sources=[d.source for d in docs],
            regulations=[("Semua regulasi", ""), *((r, r) for r in regs)],
            about=render.about_markdown(self.settings, self.kb.stats(docs, sync=False)),
            header=intro(regs, sum(1 for d in docs if d.doc_type != "regulasi")),
            examples=[all(r in regs for r in needs) for _, needs in EXAMPLES],
            pack=self.pack_rows(set(regs)),
        )

    def pack_rows(self, indexed: set[str]) -> list[list[str]]:
        from kb.pustaka import PackState, load_manifest, status

        try:
            rows = status(load_manifest(self.settings.manifest_path), self.settings.regulation_dir)
        except KBError:
            return []
        out = []
        for r in rows:
            if r.regulation.id in indexed:
                state = "✓ terindeks"
            elif r.state == PackState.MANUAL:
                state = "⚠️ belum ada — unduh manual dari laman resmi"
            else:
                state = f"⚠️ {r.state.value}"
            out.append(
                [r.regulation.id, state, ROLES[r.regulation.role], r.regulation.title, r.regulation.page]
            )
        return out

    def fetch_pack(self, password: str, progress: Any = None) -> str:
        """Download the missing regulations of the pack, then ingest them (admin)."""
        from ingest.fetch import fetch_configured
        from ingest.library import check_password
        from ingest.pipeline import ingest

        try:
            check_password(self.settings, password)
            results = fetch_configured(
                self.settings,
                on_progress=(lambda rid, done, total: progress((done, total), desc=f"Unduh {rid}"))
                if progress is not None
                else None,
            )
            if any(r.downloaded for r in results):
                ingest(
                    [self.settings.regulation_dir],
                    self.settings,
                    self.kb.store,
                    self.kb.embedder,
                    retriever=self.kb.retriever,
                )
        except KBError as exc:
            return f"⚠️ {exc.user_message}"
        return "\n".join(f"- {'✓' if r.ok else '⚠️'} {render.escape_markdown(r.message)}" for r in results)

    def upload(self, files: list[str] | None, password: str, progress: Any = None) -> str:
        """Store and ingest uploads (admin), showing each file's stage as it goes, then a
        line per file with its result and structure check."""
        from ingest.library import Upload, upload_documents

        if not files:
            return "Pilih berkas yang akan diunggah."
        uploads = [Upload(Path(f), Path(f).name) for f in files]
        done: list[str] = []

        def on_file(result: Any) -> None:
            done.append(result.source)
            if progress is not None:
                progress((len(done), len(uploads)), desc=f"{result.source}: selesai")

        def on_stage(source: str, stage: str) -> None:
            if progress is not None:
                progress((len(done), len(uploads)), desc=f"{source}: {stage}")

        try:
            report = upload_documents(self.kb, self.settings, uploads, password, on_file, on_stage)
        except KBError as exc:
            return f"⚠️ {exc.user_message}"
        from ingest.console import STATUS_LABELS

        checks = {d.source: render.structure_status(d) for d in self.kb.documents()}
        rows = [
            f"- **{render.escape_markdown(r.source)}**: {STATUS_LABELS[r.status]}"
            + (f", {r.chunks} potongan" if r.chunks else "")
            + (f"; {render.escape_markdown(checks[r.source])}" if checks.get(r.source, "-") != "-" else "")
            + (f". {render.escape_markdown(r.message)}" if r.message else "")
            + "".join(f"\n  - ⚠️ {render.escape_markdown(w)}" for w in r.warnings)
            for r in report.results
        ]
        return "\n".join(rows) or "Tidak ada berkas yang diproses."

    def delete(self, source: str, password: str) -> str:
        from ingest.library import delete_document

        if not source:
            return "Pilih dokumen yang akan dihapus."
        try:
            return delete_document(self.kb, self.settings, source, password)
        except KBError as exc:
            return f"⚠️ {exc.user_message}"


def build(app: App) -> gr.Blocks:
    s = app.settings
    lib = app.library()
    with gr.Blocks(title="Tanya Kerja Sama Desa", analytics_enabled=False) as demo:
        header = gr.Markdown(lib.header, elem_id="header")
        # the handout basket lives in the browser: it survives a reload and every new search
        # (outside the tabs, so it is read at page load whichever tab is open)
        saved = gr.BrowserState([], storage_key="kb-bahan-ajar")
        gr.api(app.ask, api_name="ask")
        gr.api(app.search, api_name="search")
        with gr.Tabs():
            with gr.Tab("Tanya", id="tanya"):
                history = gr.State([])
                last = gr.State(None)
                # the chat and its sources side by side on a wide screen; on a phone the
                # row wraps and the sources come directly under the answer
                with gr.Row(elem_id="tanya-row"):
                    with gr.Column(scale=3, min_width=330):
                        chat = gr.Chatbot(
                            label="Percakapan",
                            height=440,
                            elem_id="chat",
                            sanitize_html=True,
                            autoscroll=False,
                        )
                    with gr.Column(scale=2, min_width=330):
                        gr.Markdown("### Sumber")
                        sources = gr.HTML(render_empty(), elem_id="sources")
                        to_basket = gr.Button("+ Sumber ke bahan ajar", size="sm", elem_id="to-basket")
                        basket_status = gr.Markdown(elem_id="basket-status")
                msg = gr.Textbox(
                    label="Pertanyaan",
                    placeholder="mis. bidang apa saja yang boleh dikerjasamakan?",
                    submit_btn="Kirim",
                    elem_id="question",
                )
                with gr.Accordion("Contoh pertanyaan dan saringan", open=False, elem_id="tanya-more"):
                    with gr.Row():
                        example_buttons = [
                            gr.Button(q, size="sm", visible=shown)
                            for (q, _), shown in zip(EXAMPLES, lib.examples, strict=True)
                        ]
                    with gr.Row():
                        doc_type = gr.Dropdown(DOC_TYPES, value="", label="Jenis dokumen")
                        regulation = gr.Dropdown(lib.regulations, value="", label="Regulasi")
                with gr.Row():
                    new_chat = gr.Button("🗒️ Percakapan baru", size="sm")
                    copy_btn = gr.Button("📋 Salin jawaban", size="sm", elem_id="copy-answer")
                copy_text = gr.Textbox(label="Jawaban (teks biasa)", visible="hidden", elem_id="copy-text")
                with gr.Row():
                    comment = gr.Textbox(label="Komentar (opsional)", scale=3)
                    good = gr.Button("👍 Membantu", size="sm", scale=0, min_width=120, elem_id="fb-good")
                    bad = gr.Button("👎 Kurang tepat", size="sm", scale=0, min_width=120, elem_id="fb-bad")
                fb_status = gr.Markdown()
                outputs = [chat, sources, history, last, copy_text, msg]
                turn: dict[str, Any] = {
                    "fn": app.respond,
                    "inputs": [msg, chat, history, doc_type, regulation],
                    "outputs": outputs,
                }
                msg.submit(**turn, api_name="chat").then(None, js=SHOW_ANSWER_START)
                for b in example_buttons:
                    b.click(lambda q: q, inputs=b, outputs=msg, api_visibility="private").then(
                        **turn, api_visibility="private"
                    ).then(None, js=SHOW_ANSWER_START)
                new_chat.click(
                    lambda: ([], render_empty(), [], None, "", ""), outputs=outputs, api_visibility="private"
                )
                copy_btn.click(
                    None, inputs=copy_text, js="(t) => { navigator.clipboard.writeText(t || ''); }"
                )
                good.click(app.feedback_good, [comment, last], fb_status, api_name="feedback_good")
                bad.click(app.feedback_bad, [comment, last], fb_status, api_name="feedback_bad")

            with gr.Tab("Cari Kutipan", id="cari"):
                with gr.Row():
                    query = gr.Textbox(
                        label="Kata kunci atau pertanyaan", scale=3, submit_btn="Cari", elem_id="search-query"
                    )
                    k = gr.Slider(1, 20, value=s.search_k, step=1, label="Jumlah hasil")
                with gr.Accordion("Saringan", open=False), gr.Row():
                    s_type = gr.Dropdown(DOC_TYPES, value="", label="Jenis dokumen")
                    s_reg = gr.Dropdown(lib.regulations, value="", label="Regulasi")
                    s_section = gr.Dropdown(SECTIONS, value="", label="Bagian")
                results = gr.State([])
                with gr.Row():
                    with gr.Column(scale=3, min_width=330):
                        cards = gr.HTML(elem_id="search-results")
                    with gr.Column(scale=2, min_width=330):
                        chosen = gr.CheckboxGroup(
                            [], label="Centang untuk memasukkan ke bahan ajar", elem_id="chosen"
                        )
                        gr.Markdown("### Bahan ajar")
                        basket_list = gr.HTML(render.basket_html([]), elem_id="basket")
                        picked = gr.Dropdown([], label="Kutipan terpilih", elem_id="basket-pick")
                        with gr.Row():
                            up = gr.Button("⬆ Naik", size="sm", elem_id="basket-up")
                            down = gr.Button("⬇ Turun", size="sm", elem_id="basket-down")
                            drop = gr.Button("✕ Keluarkan", size="sm", elem_id="basket-remove")
                        with gr.Row():
                            by_law = gr.Button("Urutkan menurut hierarki", size="sm", elem_id="basket-sort")
                            clear = gr.Button("Kosongkan", size="sm", elem_id="basket-clear")
                        note = gr.Textbox(label="Catatan pelatih untuk kutipan terpilih (opsional)", lines=2)
                        save_note = gr.Button("Simpan catatan", size="sm")
                        questions = gr.Textbox(
                            label="Pertanyaan diskusi di akhir (satu per baris, opsional)", lines=3
                        )
                        title = gr.Textbox("Bahan Ajar Kerja Sama Desa", label="Judul bahan ajar")
                        export_btn = gr.Button(
                            "Buat bahan ajar (Markdown, DOCX, PDF)", variant="primary", elem_id="export"
                        )
                        export_status = gr.Markdown()
                        md_file = gr.File(label="Markdown", elem_id="handout-md")
                        docx_file = gr.File(label="DOCX", elem_id="handout-docx")
                        pdf_file = gr.File(label="PDF", elem_id="handout-pdf")
                view = [saved, basket_list, picked, note, chosen]
                private: dict[str, Any] = {"api_visibility": "private"}
                query.submit(
                    app.search_cards,
                    [query, k, s_type, s_reg, s_section, saved],
                    [cards, chosen, results],
                    **private,
                )
                chosen.input(app.tick, [chosen, results, saved, picked], view, **private)
                for button, action in (
                    (up, "naik"),
                    (down, "turun"),
                    (drop, "hapus"),
                    (by_law, "hierarki"),
                    (clear, "kosongkan"),
                ):
                    button.click(
                        lambda raw, sel, res, a=action: app.reorder(a, raw, sel, res),
                        [saved, picked, results],
                        view,
                        **private,
                    )
                save_note.click(
                    lambda raw, sel, res, text: app.reorder("catatan", raw, sel, res, text),
                    [saved, picked, results, note],
                    view,
                    **private,
                )
                picked.input(
                    lambda raw, sel, res: app.basket_view(basket.load(raw), sel, res),
                    [saved, picked, results],
                    view,
                    **private,
                )
                to_basket.click(
                    app.add_answer_sources, [last, saved, results], [*view, basket_status], **private
                )
                export_btn.click(
                    app.export,
                    [title, saved, questions],
                    [md_file, docx_file, pdf_file, export_status],
                    **private,
                )

            with gr.Tab("Draf", id="draf"):
                gr.Markdown(
                    "Susun draf Peraturan Bersama Kepala Desa atau perjanjian bersama dari regulasi di "
                    "basis pengetahuan, atau periksa draf Anda terhadap unsur yang diwajibkan."
                )
                with gr.Row():
                    with gr.Column():
                        d_kind = gr.Radio(
                            [
                                ("Peraturan Bersama Kepala Desa", "peraturan-bersama"),
                                ("Perjanjian bersama (pihak ketiga)", "perjanjian-bersama"),
                            ],
                            value="peraturan-bersama",
                            label="Jenis dokumen",
                            elem_id="draft-kind",
                        )
                        d_desa = gr.Textbox(label="Nama desa (pisahkan dengan koma)", elem_id="draft-desa")
                        d_bidang = gr.Dropdown(
                            app.bidang_options(),
                            value=None,
                            label="Bidang kerja sama (pilih dari regulasi dan catatan, atau ketik sendiri)",
                            allow_custom_value=True,
                            elem_id="draft-bidang",
                        )
                        d_term = gr.Textbox(label="Jangka waktu (mis. 5 (lima) tahun)", elem_id="draft-term")
                        with gr.Row():
                            d_kec = gr.Textbox(label="Kecamatan")
                            d_kab = gr.Textbox(label="Kabupaten/Kota")
                        d_third = gr.Textbox(label="Pihak ketiga (untuk perjanjian bersama)")
                        d_btn = gr.Button("Susun draf", variant="primary", elem_id="draft-make")
                        d_docx = gr.File(label="DOCX", elem_id="draft-docx")
                        d_md = gr.File(label="Markdown", elem_id="draft-md")
                    with gr.Column():
                        d_preview = gr.Markdown(elem_id="draft-preview")
                gr.Markdown("### Periksa draf")
                with gr.Row():
                    c_file = gr.File(
                        label="Unggah draf (DOCX, PDF, TXT, MD)",
                        file_types=[".docx", ".pdf", ".txt", ".md"],
                        type="filepath",
                        elem_id="check-file",
                    )
                    c_btn = gr.Button("Periksa", variant="primary", elem_id="check-draft")
                c_report = gr.Markdown(elem_id="check-report")
                d_btn.click(
                    app.draft,
                    [d_kind, d_desa, d_bidang, d_term, d_kec, d_kab, d_third],
                    [d_preview, d_docx, d_md],
                    api_name="draf",
                )
                d_kind.change(lambda k: gr.update(choices=app.bidang_options(k)), d_kind, d_bidang, **private)
                c_json = gr.JSON(visible=False)
                c_btn.click(app.check_draft_view, [c_file], [c_report, c_json], api_name="periksa_draf")

            with gr.Tab("Dokumen", id="dokumen"):
                docs = gr.Dataframe(
                    lib.table,
                    headers=DOC_COLUMNS,
                    interactive=False,
                    elem_id="documents",
                    wrap=True,
                    column_widths=["26%", "8%", "10%", "6%", "16%", "7%", "12%", "15%"],
                )
                doc_cards = gr.HTML(lib.cards, elem_id="documents-cards")
                if not app.admin:
                    gr.Markdown(ADMIN_DISABLED)
                password = gr.Textbox(label="Kata sandi admin", type="password", interactive=app.admin)
                with gr.Row():
                    with gr.Column():
                        files = gr.File(
                            label="Unggah PDF / TXT / MD / DOCX",
                            file_count="multiple",
                            elem_id="upload-files",
                            file_types=[".pdf", ".txt", ".md", ".docx"],
                            interactive=app.admin,
                        )
                        upload_btn = gr.Button(
                            "Unggah dan proses", variant="primary", interactive=app.admin, elem_id="upload"
                        )
                    with gr.Column():
                        to_delete = gr.Dropdown(
                            lib.sources,
                            label="Dokumen",
                            interactive=app.admin,
                            allow_custom_value=True,
                        )
                        delete_btn = gr.Button("Hapus dokumen", variant="stop", interactive=app.admin)
                admin_status = gr.Markdown(elem_id="admin-status")

                gr.Markdown("### Pustaka regulasi")
                pack = gr.Dataframe(
                    lib.pack,
                    headers=PACK_COLUMNS,
                    interactive=False,
                    wrap=True,
                    elem_id="pack",
                    column_widths=["14%", "22%", "9%", "35%", "20%"],
                )
                pack_btn = gr.Button(
                    "Unduh regulasi pustaka yang belum ada", interactive=app.admin, elem_id="pack-download"
                )

                def refresh() -> tuple[Any, ...]:
                    now = app.library()
                    regs = gr.update(choices=now.regulations)
                    shown = [gr.update(visible=v) for v in now.examples]
                    return (
                        now.table,
                        now.cards,
                        gr.update(choices=now.sources, value=None),
                        regs,
                        regs,
                        now.about,
                        now.header,
                        now.pack,
                        *shown,
                    )

            with gr.Tab("Tentang", id="tentang"):
                about = gr.Markdown(lib.about)

        after = [docs, doc_cards, to_delete, regulation, s_reg, about, header, pack, *example_buttons]
        demo.load(refresh, outputs=after, api_visibility="private")
        demo.load(
            lambda raw: app.basket_view(basket.load(raw), None, []), [saved], view, api_visibility="private"
        )

        def do_fetch(pw: str, progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
            return app.fetch_pack(pw, progress)

        pack_btn.click(do_fetch, [password], admin_status, api_name="pustaka").then(
            refresh, outputs=after, api_visibility="private"
        )

        def do_upload(f: list[str] | None, pw: str, progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
            return app.upload(f, pw, progress)

        upload_btn.click(do_upload, [files, password], admin_status, api_name="upload").then(
            refresh, outputs=after, api_visibility="private"
        )
        delete_btn.click(app.delete, [to_delete, password], admin_status, api_name="delete").then(
            refresh, outputs=after, api_visibility="private"
        )
    return demo


def render_empty() -> str:
    return '<p class="kb-empty">Sumber jawaban akan tampil di sini.</p>'


def prepare_index(app: App) -> None:
    """Ingest the shipped corpus when the index is empty or stale (progress on the console)."""
    from rich.console import Console

    from ingest.console import ensure_pack, ingest_with_progress, print_report
    from kb.errors import IngestLockedError

    console = Console(stderr=True)
    if not app.settings.corpus_dir.is_dir():
        console.print(f"Folder korpus '{app.settings.corpus_dir}' tidak ada; indeks dipakai apa adanya.")
        return
    ensure_pack(app.settings, console)
    console.print(f"Memeriksa korpus '{app.settings.corpus_dir}' …")
    try:
        report = ingest_with_progress([app.settings.corpus_dir], app.settings, app.kb, console)
    except IngestLockedError as exc:
        console.print(exc.user_message + " Aplikasi memakai indeks yang ada.")
        return
    print_report(report, console)


def wait_for_store(app: App) -> None:
    """Wait for a Chroma server that is not up yet (a replica started before it, a server
    restarting), saying so, for up to ``KB_START_WAIT`` seconds; then its error stands."""
    import time

    from rich.console import Console

    from kb.errors import StoreError

    console = Console(stderr=True)
    deadline = time.monotonic() + app.settings.start_wait
    while True:
        try:
            app.kb.store.count()
            return
        except StoreError as exc:
            if time.monotonic() >= deadline:
                raise
            console.print(f"{exc.user_message} Mencoba lagi dalam {START_RETRY_SECONDS:.0f} detik …")
            time.sleep(START_RETRY_SECONDS)


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:  # some libraries set their loggers to DEBUG (bm25s)
        handler.setLevel(logging.WARNING)
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    settings = Settings()
    try:
        app = App(settings)
        wait_for_store(app)
        prepare_index(app)
        app.kb.embedder.embed_queries(["pemanasan model"])  # the first user does not wait for it
    except KBError as exc:
        raise SystemExit(f"Galat: {exc.user_message}") from exc
    demo = build(app)
    demo.queue(default_concurrency_limit=settings.concurrency)
    print(f"Tanya Kerja Sama Desa siap di http://{settings.host}:{settings.port}", flush=True)
    demo.launch(
        server_name=settings.host,
        server_port=settings.port,
        share=False,
        show_error=False,
        css=render.CSS,
        i18n=INDONESIAN_WIDGETS,
        footer_links=["api"],
        max_file_size=int(settings.max_file_mb * 1024 * 1024),
        allowed_paths=[str(app.export_dir)],
        quiet=True,
    )


if __name__ == "__main__":
    main()
