"""Answers and passages as the app shows them: Markdown for the chat, HTML cards for the
sources panel and the excerpt search, plain text for copying.

Every piece of document text is escaped before it is placed in HTML or Markdown: a
document that contains ``<script>`` shows those characters, it never runs them. The
question's distinctive terms (``KnowledgeBase.distinctive_terms``) are highlighted by stem,
so "dikerjasamakan" lights up "kerja sama"'s relatives the way the search matched them,
and a word nearly every passage holds ("desa") is not lit everywhere."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from typing import Any

from kb.lexical import analyse
from kb.naming import source_label
from kb.types import Answer, Hit, Provenance

BADGES = {
    "regulasi": ("Regulasi", "kb-badge-reg"),
    "webinar": ("Catatan Webinar", "kb-badge-note"),
    "kebijakan": ("Arah Kebijakan", "kb-badge-policy"),
}
OTHER_BADGE = ("Dokumen Lain", "kb-badge-other")

_WORD = re.compile(r"\w+", re.UNICODE)
# Markdown syntax characters that legal text uses literally ("a.", "1)", "*)"): escaped
# so a quote renders as written
_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")

CSS = """
.kb-card{border:1px solid #d0d7de;border-radius:8px;padding:8px 12px;margin:0 0 10px 0;background:#fff;color:#1f2328}
.kb-card summary{cursor:pointer;font-weight:600}
.kb-card .kb-meta{color:#57606a;font-size:.85em;margin:4px 0}
.kb-card .kb-text{white-space:pre-wrap;margin-top:6px;line-height:1.45}
.kb-card .kb-penjelasan{white-space:pre-wrap;margin-top:8px;padding:6px 8px;background:#f6f8fa;border-left:3px solid #8c959f;font-size:.92em}
.kb-badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:.78em;font-weight:600;margin-left:6px;vertical-align:middle}
.kb-badge-reg{background:#dafbe1;color:#116329}
.kb-badge-note{background:#fff8c5;color:#7d4e00}
.kb-badge-policy{background:#ddf4ff;color:#0550ae}
.kb-badge-other{background:#eaeef2;color:#424a53}
.kb-amended{background:#ffebe9;color:#a40e26}
.kb-card mark{background:#fff3a3;color:inherit;padding:0 1px}
.kb-empty{color:#57606a;font-style:italic}
.kb-basket{margin:0;padding-left:1.4em}
.kb-basket li{margin:0 0 6px 0}
#documents-cards{display:none}
@media (max-width: 700px){
  #documents{display:none}
  #documents-cards{display:block}
  #chat{height:min(440px,55vh) !important}
  .tab-container button{padding:0 7px !important;font-size:.92em !important}
}
"""


def badge(doc_type: str | None) -> str:
    text, cls = BADGES.get(str(doc_type), OTHER_BADGE)
    return f'<span class="kb-badge {cls}">{text}</span>'


def highlight(text: str, stems: Iterable[str]) -> str:
    """Escaped ``text`` with the words whose stem is among ``stems`` wrapped in <mark>."""
    wanted = frozenset(stems)
    out: list[str] = []
    last = 0
    for m in _WORD.finditer(text):
        if wanted and set(analyse(m.group(0))) & wanted:
            out.append(html.escape(text[last : m.start()]))
            out.append(f"<mark>{html.escape(m.group(0))}</mark>")
            last = m.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def _amended_mark(p: Provenance) -> str:
    marks = []
    if p.amended_by:
        marks.append(f"telah diubah oleh {html.escape(p.amended_by)}")
    if p.amends:
        marks.append(f"mengubah {html.escape(p.amends)}")
    if p.ocr:
        marks.append("teks hasil OCR, periksa naskah asli")
    return "".join(f'<span class="kb-badge kb-amended">{m}</span>' for m in marks)


def _meta_line(p: Provenance) -> str:
    """The document's title, and the page where the source has pages (never a file path)."""
    page = f" · hlm. {p.page}" if p.page and p.has_pages else ""
    return html.escape(p.title or p.source) + page


def citation_cards(answer: Answer, stems: Iterable[str]) -> str:
    """The sources panel: one card per cited passage, opened on click."""
    if not answer.citations:
        return '<p class="kb-empty">Tidak ada sumber untuk jawaban ini.</p>'
    cards = []
    for c in answer.citations:
        p = c.provenance
        cards.append(
            f'<details class="kb-card" data-marker="{c.marker}">'
            f"<summary>[{c.marker}] {html.escape(c.label)}{badge(c.doc_type)}{_amended_mark(p)}</summary>"
            f'<div class="kb-meta">{_meta_line(p)}</div>'
            f'<div class="kb-text">{highlight(c.text, stems)}</div>'
            "</details>"
        )
    return "\n".join(cards)


def hit_cards(hits: list[Hit], stems: Iterable[str], full_text: dict[str, str] | None = None) -> str:
    """Search results for trainers: the whole Pasal (``full_text`` by chunk id when the
    Pasal spans several chunks) and its Penjelasan."""
    if not hits:
        return '<p class="kb-empty">Tidak ada kutipan yang cocok.</p>'
    cards = []
    for n, h in enumerate(hits, 1):
        p = h.provenance
        text = (full_text or {}).get(h.chunk_id, h.text)
        penjelasan = (p.penjelasan or "").strip()
        expl = (
            f'<div class="kb-penjelasan"><b>Penjelasan:</b> {highlight(penjelasan, stems)}</div>'
            if penjelasan
            else ""
        )
        cards.append(
            f'<div class="kb-card" data-chunk="{html.escape(h.chunk_id)}">'
            f"<div><b>[{n}] {html.escape(source_label(p, None))}</b>{badge(p.doc_type)}"
            f"{_amended_mark(p)}</div>"
            f'<div class="kb-meta">{_meta_line(p)}</div>'
            f'<div class="kb-text">{highlight(text, stems)}</div>{expl}'
            "</div>"
        )
    return "\n".join(cards)


def escape_markdown(text: str) -> str:
    """Document text made inert for a Markdown renderer: HTML escaped, syntax escaped."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def answer_markdown(answer: Answer) -> str:
    """The chat message: short answer, Dasar hukum, disclaimer (quotes sit in the answer)."""
    parts = []
    if answer.notice:
        parts.append(f"> {escape_markdown(answer.notice)}")
    parts.append(escape_markdown(answer.answer))
    if answer.dasar_hukum:
        parts.append("**Dasar hukum:**\n" + "\n".join(f"- {escape_markdown(d)}" for d in answer.dasar_hukum))
    parts.append(f"_{escape_markdown(answer.disclaimer)}_")
    return "\n\n".join(parts)


def answer_plain(answer: Answer) -> str:
    """What the copy button puts on the clipboard: the answer and its dasar hukum."""
    parts = [answer.answer]
    if answer.dasar_hukum:
        parts.append("Dasar hukum:\n" + "\n".join(f"- {d}" for d in answer.dasar_hukum))
    parts.append(answer.disclaimer)
    return "\n\n".join(parts)


def about_markdown(settings: Any, stats: dict[str, Any]) -> str:
    """The Tentang tab: contents, method, disclaimer and the settings in effect."""
    from kb.types import DISCLAIMER

    docs = stats["documents"]
    regs = [d for d in docs if d["doc_type"] == "regulasi"]
    lines = [
        "## Isi basis pengetahuan",
        f"{len(docs)} dokumen ({len(regs)} regulasi, {len(docs) - len(regs)} catatan/dokumen lain), "
        f"{stats['chunks']} potongan teks.",
        "",
        *(
            f"- {escape_markdown(str(d['title']))}"
            + (f" ({escape_markdown(str(d['regulation']))}, {d['pasal']} pasal)" if d["regulation"] else "")
            for d in docs
        ),
        "",
        "## Cara jawaban disusun",
        "1. Pertanyaan dinormalkan (singkatan seperti *kades*, *psl*, *PP 43/2014* dikenali).",
        "2. Dicari dengan dua cara sekaligus: kemiripan makna (model embedding multilingual-e5) dan "
        "kata kunci (BM25 dengan stemming bahasa Indonesia); hasilnya digabung. Pasal yang disebut "
        "langsung diambil persis; pasal yang telah diubah ditampilkan dengan bunyi terbarunya dulu.",
        "3. Jawaban dikutip apa adanya dari ayat yang paling menjawab, dengan nomor sumber [1], [2] "
        "dan dasar hukum. Catatan webinar dan arah kebijakan diberi label dan bukan peraturan.",
        "4. Jika bukti di dokumen lemah, aplikasi menjawab bahwa informasinya tidak ditemukan.",
        "",
        f"**Penafian:** {DISCLAIMER}",
        "",
        "## Pengaturan yang berlaku",
        f"- Model embedding: `{stats['embedding_model']}` (mesin `{settings.embedder}`)",
        f"- Model bahasa: {('`' + settings.llm + '`') if settings.llm else 'tidak dipakai (jawaban ekstraktif)'}",
        f"- Kata sandi admin: {'diatur' if settings.admin_password else 'belum diatur (unggah/hapus nonaktif)'}",
        f"- Batas ukuran berkas: {settings.max_file_mb:g} MB; permintaan serentak: {settings.concurrency}",
    ]
    return "\n".join(lines)


def structure_status(doc: Any) -> str:
    """The structure check of a document (``kb.types.DocumentSummary``) in a few words."""
    if doc.pasal_found is None:
        return "-"
    parts = []
    if doc.structure_ok and not doc.pasal_found:
        parts.append("teks biasa (tanpa Pasal)")
    elif doc.structure_ok:
        parts.append(f"✓ {doc.pasal_found} Pasal lengkap")
    elif doc.gaps:
        shown = ", ".join(doc.gaps[:6]) + (" …" if len(doc.gaps) > 6 else "")
        parts.append(f"⚠️ {doc.pasal_found} dari ±{doc.pasal_expected} Pasal; tidak terbaca: Pasal {shown}")
    elif doc.pasal_found < (doc.pasal_expected or 0):
        parts.append(f"⚠️ {doc.pasal_found} dari ±{doc.pasal_expected} Pasal terbaca")
    if doc.ocr_pages:
        parts.append(f"{len(doc.ocr_pages)} hlm. hasil OCR")
    if doc.pages_without_text:
        parts.append(f"⚠️ {len(doc.pages_without_text)} hlm. tanpa teks")
    return "; ".join(parts)


def basket_html(items: Sequence[Any]) -> str:
    """The handout basket (``kb.basket.BasketItem``s) in its order, numbered as exported."""
    if not items:
        return (
            '<p class="kb-empty">Bahan ajar masih kosong. Centang kutipan hasil pencarian, atau '
            "tekan “Sumber ke bahan ajar” di tab Tanya.</p>"
        )
    rows = []
    for item in items:
        first = next((x for x in item.text.splitlines()[1:] if x.strip()), item.text)[:90]
        note = ' <span class="kb-badge kb-badge-other">catatan</span>' if item.note else ""
        rows.append(
            f'<li data-chunk="{html.escape(item.chunk_id)}"><b>{html.escape(item.label)}</b>{note}'
            f'<div class="kb-meta">{html.escape(first)}</div></li>'
        )
    return f'<ol class="kb-basket">{"".join(rows)}</ol>'


def document_cards(docs: Sequence[Any]) -> str:
    """The indexed documents (``kb.types.DocumentSummary``) as cards: the Dokumen tab on a
    narrow screen, where a table of eight columns cannot be read."""
    if not docs:
        return '<p class="kb-empty">Belum ada dokumen di basis pengetahuan.</p>'
    cards = []
    for d in docs:
        facts = [d.regulation or "", f"{d.pasal} Pasal" if d.pasal else "", f"{d.chunks} potongan"]
        status = structure_status(d)
        cards.append(
            f'<div class="kb-card"><div><b>{html.escape(d.title)}</b>{badge(d.doc_type)}</div>'
            f'<div class="kb-meta">{html.escape(" · ".join(f for f in facts if f))}</div>'
            + (f'<div class="kb-meta">{html.escape(status)}</div>' if status and status != "-" else "")
            + "</div>"
        )
    return "\n".join(cards)
