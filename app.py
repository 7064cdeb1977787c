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
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from kb import render
from kb.answer import Answerer
from kb.base import KnowledgeBase
from kb.errors import KBError
from kb.feedback import Feedback, record_feedback
from kb.handout import file_stem, passage_from_hit, to_docx, to_markdown
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
        sources = render.citation_cards(final, final.standalone_question)
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

    # -- Cari Kutipan -----------------------------------------------------------------------

    def search_cards(
        self, query: str, k: int, doc_type: str, regulation: str, section: str
    ) -> tuple[str, Any, list[dict[str, Any]]]:
        hits = self._search(query, k, doc_type, regulation, section)
        full = {h.chunk_id: self.kb.whole_pasal(h) for h in hits}
        choices = [
            (f"[{n}] {render.source_label(h.provenance, None)}", h.chunk_id) for n, h in enumerate(hits, 1)
        ]
        state = [{"chunk_id": h.chunk_id, "text": full[h.chunk_id], "metadata": h.metadata} for h in hits]
        return render.hit_cards(hits, query, full), gr.update(choices=choices, value=[]), state

    def export(self, title: str, chosen: list[str], results: list[dict[str, Any]]) -> tuple[Any, Any, str]:
        picked = [r for r in results if r["chunk_id"] in set(chosen or [])]
        if not picked:
            return None, None, "Pilih dulu kutipan yang akan dimasukkan ke bahan ajar."
        passages = [
            passage_from_hit(Hit(r["chunk_id"], r["text"], 0.0, r["metadata"]), r["text"]) for r in picked
        ]
        folder = Path(tempfile.mkdtemp(dir=self.export_dir))
        md = folder / f"{file_stem(title)}.md"
        md.write_text(to_markdown(title, passages), encoding="utf-8")
        docx = to_docx(title, passages, folder / f"{file_stem(title)}.docx")
        return str(md), str(docx), f"Bahan ajar berisi {len(passages)} kutipan siap diunduh."

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
            sources=[d.source for d in docs],
            regulations=[("Semua regulasi", ""), *((r, r) for r in regs)],
            about=render.about_markdown(self.settings, self.kb.stats(docs)),
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
        from ingest.library import Upload, upload_documents

        if not files:
            return "Pilih berkas yang akan diunggah."
        uploads = [Upload(Path(f), Path(f).name) for f in files]
        done: list[str] = []

        def on_file(result: Any) -> None:
            done.append(result.source)
            if progress is not None:
                progress((len(done), len(uploads)), desc=f"Memproses {result.source}")

        try:
            report = upload_documents(self.kb, self.settings, uploads, password, on_file)
        except KBError as exc:
            return f"⚠️ {exc.user_message}"
        from ingest.console import STATUS_LABELS

        rows = [
            f"- **{render.escape_markdown(r.source)}**: {STATUS_LABELS[r.status]}"
            + (f", {r.chunks} potongan" if r.chunks else "")
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
        gr.api(app.ask, api_name="ask")
        gr.api(app.search, api_name="search")
        with gr.Tabs():
            with gr.Tab("Tanya", id="tanya"):
                history = gr.State([])
                last = gr.State(None)
                with gr.Row():
                    with gr.Column(scale=3):
                        chat = gr.Chatbot(label="Percakapan", height=480, elem_id="chat", sanitize_html=True)
                        msg = gr.Textbox(
                            label="Pertanyaan",
                            placeholder="mis. bidang apa saja yang boleh dikerjasamakan?",
                            submit_btn="Kirim",
                            elem_id="question",
                        )
                        with gr.Row():
                            doc_type = gr.Dropdown(DOC_TYPES, value="", label="Jenis dokumen")
                            regulation = gr.Dropdown(lib.regulations, value="", label="Regulasi")
                        gr.Markdown("**Contoh pertanyaan** (klik untuk bertanya):")
                        with gr.Row():
                            example_buttons = [
                                gr.Button(q, size="sm", visible=shown)
                                for (q, _), shown in zip(EXAMPLES, lib.examples, strict=True)
                            ]
                        with gr.Row():
                            new_chat = gr.Button("🗒️ Percakapan baru", size="sm")
                            copy_btn = gr.Button("📋 Salin jawaban", size="sm", elem_id="copy-answer")
                        copy_text = gr.Textbox(
                            label="Jawaban (teks biasa)", visible="hidden", elem_id="copy-text"
                        )
                        with gr.Row():
                            comment = gr.Textbox(label="Komentar (opsional)", scale=3)
                            good = gr.Button(
                                "👍 Membantu", size="sm", scale=0, min_width=120, elem_id="fb-good"
                            )
                            bad = gr.Button(
                                "👎 Kurang tepat", size="sm", scale=0, min_width=120, elem_id="fb-bad"
                            )
                        fb_status = gr.Markdown()
                    with gr.Column(scale=2):
                        gr.Markdown("### Sumber")
                        sources = gr.HTML(
                            '<p class="kb-empty">Sumber jawaban akan tampil di sini.</p>', elem_id="sources"
                        )
                outputs = [chat, sources, history, last, copy_text, msg]
                turn: dict[str, Any] = {
                    "fn": app.respond,
                    "inputs": [msg, chat, history, doc_type, regulation],
                    "outputs": outputs,
                }
                msg.submit(**turn, api_name="chat")
                for b in example_buttons:
                    b.click(lambda q: q, inputs=b, outputs=msg, api_visibility="private").then(
                        **turn, api_visibility="private"
                    )
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
                with gr.Row():
                    s_type = gr.Dropdown(DOC_TYPES, value="", label="Jenis dokumen")
                    s_reg = gr.Dropdown(lib.regulations, value="", label="Regulasi")
                    s_section = gr.Dropdown(SECTIONS, value="", label="Bagian")
                results = gr.State([])
                with gr.Row():
                    with gr.Column(scale=3):
                        cards = gr.HTML(elem_id="search-results")
                    with gr.Column(scale=2):
                        chosen = gr.CheckboxGroup(
                            [], label="Pilih kutipan untuk bahan ajar", elem_id="chosen"
                        )
                        title = gr.Textbox("Bahan Ajar Kerja Sama Desa", label="Judul bahan ajar")
                        export_btn = gr.Button(
                            "Buat bahan ajar (Markdown + DOCX)", variant="primary", elem_id="export"
                        )
                        export_status = gr.Markdown()
                        md_file = gr.File(label="Markdown", elem_id="handout-md")
                        docx_file = gr.File(label="DOCX", elem_id="handout-docx")
                query.submit(
                    app.search_cards,
                    [query, k, s_type, s_reg, s_section],
                    [cards, chosen, results],
                    api_visibility="private",
                )
                export_btn.click(
                    app.export,
                    [title, chosen, results],
                    [md_file, docx_file, export_status],
                    api_visibility="private",
                )

            with gr.Tab("Dokumen", id="dokumen"):
                docs = gr.Dataframe(
                    lib.table,
                    headers=DOC_COLUMNS,
                    interactive=False,
                    elem_id="documents",
                    wrap=True,
                    column_widths=["26%", "8%", "10%", "6%", "16%", "7%", "12%", "15%"],
                )
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

        after = [docs, to_delete, regulation, s_reg, about, header, pack, *example_buttons]
        demo.load(refresh, outputs=after, api_visibility="private")

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


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:  # some libraries set their loggers to DEBUG (bm25s)
        handler.setLevel(logging.WARNING)
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    settings = Settings()
    try:
        app = App(settings)
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
        footer_links=["api"],
        max_file_size=int(settings.max_file_mb * 1024 * 1024),
        allowed_paths=[str(app.export_dir)],
        quiet=True,
    )


if __name__ == "__main__":
    main()
