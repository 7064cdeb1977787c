"""Retrieval evaluation on a question set (the format of ``../shared/eval/dev.jsonl``).

A hit is relevant when it matches an entry of ``relevant``: by ``regulation`` + ``pasal``
(a Pasal's amended wording counts for the regulation it amends: UU 3/2024's new Pasal 39
*is* UU 6/2014 Pasal 39 as amended), or by ``doc_type`` for notes.

Our hybrid retriever is measured in the same run, on the same indexed files, against two
baselines:

* ``langchain``: the tutorial setup: RecursiveCharacterTextSplitter(1000, 200) over the raw
  text of the same files, dense only, the same embedder. Its chunks have no Pasal
  metadata, so a chunk counts for a Pasal when it holds that Pasal's heading or a 60-
  character stretch of its text, in a file of that regulation;
* ``bm25``: our BM25 index alone.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kb.errors import KBError
from kb.types import Hit, Provenance, Section

Relevant = dict[str, str]


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    expect: str
    relevant: tuple[Relevant, ...]
    keywords: tuple[str, ...]
    history: tuple[str, ...] = ()  # the user's earlier questions, for a follow-up

    @property
    def standalone(self) -> str:
        """The question as the retriever gets it: a follow-up rewritten with its history,
        as the answerer does (``kb.followup``)."""
        from kb.followup import standalone_question

        return standalone_question(self.question, self.history)


def load_questions(path: Path) -> list[Question]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise KBError(f"Berkas evaluasi '{path}' tidak dapat dibaca.") from exc
    out = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            out.append(
                Question(
                    str(d["id"]),
                    str(d["question"]),
                    str(d.get("expect", "answer")),
                    tuple(d.get("relevant", [])),
                    tuple(d.get("keywords", [])),
                    tuple(str(x) for x in d.get("history", [])),
                )
            )
        except (ValueError, KeyError) as exc:
            raise KBError(f"Baris {n} pada '{path}' bukan JSON pertanyaan yang valid.") from exc
    return out


def matches(p: Provenance, rel: Relevant) -> bool:
    """Whether a passage is one a question's label names: a Pasal of the body of a
    regulation (or of an act amending it), or any passage of a kind of document."""
    if "pasal" in rel:
        if p.pasal != str(rel["pasal"]) or p.section not in (None, Section.BODY):
            return False
        return rel.get("regulation") in (p.regulation, p.amends)
    if "doc_type" in rel:
        return p.doc_type == rel["doc_type"]
    return False


@dataclass
class Metrics:
    name: str
    recall_1: float = 0.0
    recall_k: float = 0.0
    mrr_10: float = 0.0
    per_question: dict[str, int | None] = field(default_factory=dict)  # first relevant rank
    ms_p50: float = 0.0
    ms_p95: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "recall@1": round(self.recall_1, 4),
            "recall@k": round(self.recall_k, 4),
            "mrr@10": round(self.mrr_10, 4),
            "ms_p50": round(self.ms_p50, 1),
            "ms_p95": round(self.ms_p95, 1),
            "first_relevant_rank": self.per_question,
        }


def score_run(
    name: str,
    questions: Sequence[Question],
    ranked: Callable[[Question], list[Any]],
    is_relevant: Callable[[Any, Relevant], bool],
    k: int,
) -> Metrics:
    m = Metrics(name)
    answerable = [q for q in questions if q.expect != "refuse"]
    if answerable:
        ranked(answerable[0])  # warm up: first-use loads (stemmer, indexes) are not latency
    times: list[float] = []
    for q in answerable:
        t0 = time.perf_counter()
        results = ranked(q)[:10]
        times.append((time.perf_counter() - t0) * 1e3)
        first = next(
            (i for i, r in enumerate(results, 1) if any(is_relevant(r, rel) for rel in q.relevant)), None
        )
        m.per_question[q.id] = first
    n = max(len(answerable), 1)
    ranks = list(m.per_question.values())
    m.recall_1 = sum(1 for r in ranks if r == 1) / n
    m.recall_k = sum(1 for r in ranks if r is not None and r <= k) / n
    m.mrr_10 = sum(1 / r for r in ranks if r is not None) / n
    if times:
        m.ms_p50, m.ms_p95 = (float(x) for x in np.percentile(times, [50, 95]))
    return m


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


RawLoader = Callable[[Path], str]


def langchain_baseline(kb: Any, questions: Sequence[Question], k: int, raw_loader: RawLoader) -> Metrics:
    """The tutorial setup over the raw files the index holds, judged as described above."""
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from kb.embedder import as_langchain
    from kb.store import langchain_memory_store

    chunks = kb.store.all_chunks()
    files: dict[str, dict[str, Any]] = {}
    for h in chunks:
        p = h.provenance
        files.setdefault(str(p.path), {"regulation": p.regulation, "doc_type": p.doc_type.value})
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    docs: list[Document] = []
    for path, meta in files.items():
        raw = raw_loader(Path(path))
        for piece in splitter.split_text(raw):
            docs.append(Document(page_content=piece, metadata={k2: v for k2, v in meta.items() if v}))
    store = langchain_memory_store("baseline-langchain", as_langchain(kb.embedder))
    for start in range(0, len(docs), 1000):
        store.add_documents(docs[start : start + 1000])

    snippets: dict[tuple[str, str], list[str]] = {}
    for h in chunks:
        p = h.provenance
        if p.pasal and p.section == Section.BODY:
            body = h.text.split("\n", 1)[1] if "\n" in h.text else h.text
            keys = {(str(p.regulation), p.pasal)}
            if p.amends:
                keys.add((p.amends, p.pasal))
            lines = [_norm(x)[:60] for x in body.split("\n") if len(x.strip()) >= 30]
            for key in keys:
                snippets.setdefault(key, []).extend(lines)

    def relevant(doc: Document, rel: Relevant) -> bool:
        if "doc_type" in rel:
            return doc.metadata.get("doc_type") == rel["doc_type"]
        if doc.metadata.get("regulation") != rel.get("regulation"):
            return False
        text = _norm(doc.page_content)
        if re.search(rf"(?:^|\n)\s*pasal {re.escape(str(rel['pasal']))}\s*(?:\n|$)", doc.page_content, re.I):
            return True
        return any(s in text for s in snippets.get((str(rel["regulation"]), str(rel["pasal"])), []))

    return score_run("langchain", questions, lambda q: store.similarity_search(q.question, k=10), relevant, k)


def evaluate(
    kb: Any, questions: Sequence[Question], k: int = 5, raw_loader: RawLoader | None = None
) -> dict[str, Any]:
    """Metrics for our retriever and (given a loader of raw file text) the baselines, plus
    the top dense score of each question the set expects to be refused."""
    kb.retriever.refresh()

    def ours(q: Question) -> list[Hit]:
        return list(kb.retrieve(q.standalone, 10).hits)

    runs = [score_run("hybrid", questions, ours, lambda h, rel: matches(h.provenance, rel), k)]
    if raw_loader is not None:
        runs.append(langchain_baseline(kb, questions, k, raw_loader))
        by_id = {h.chunk_id: h for h in kb.store.all_chunks()}

        def bm25(q: Question) -> list[Hit]:
            from kb.query import normalise

            return [by_id[h.chunk_id] for h in kb.retriever.lexical.search(normalise(q.question).text, 10)]

        runs.append(score_run("bm25", questions, bm25, lambda h, rel: matches(h.provenance, rel), k))
    # the refusal gate's own evidence (``RetrievalResult.top_dense_score``: the normalised
    # question against the chunks), so these figures are the ones its thresholds compare
    evidence = {q.id: kb.retrieve(q.standalone, 1).top_dense_score for q in questions}
    refusals = [
        {"id": q.id, "question": q.question, "top_dense_score": round(evidence[q.id], 4)}
        for q in questions
        if q.expect == "refuse"
    ]
    answerable_scores = [evidence[q.id] for q in questions if q.expect != "refuse"]
    from kb.answer import Answerer

    answers = answer_metrics(Answerer(kb), questions)
    return {
        "k": k,
        "questions": len(questions),
        "answers": answers,
        "answerable": sum(1 for q in questions if q.expect != "refuse"),
        "runs": [r.to_json() for r in runs],
        "refuse": refusals,
        "min_answerable_dense_score": round(min(answerable_scores), 4) if answerable_scores else None,
    }


def answer_metrics(answerer: Any, questions: Sequence[Question]) -> dict[str, Any]:
    """Citation precision, keyword coverage, refusal accuracy and false refusals."""
    cited = relevant_cited = 0
    keywords = keywords_found = 0
    refuse_total = refuse_ok = false_refusals = 0
    per: dict[str, Any] = {}
    times: list[float] = []
    if questions:
        answerer.ask(questions[0].question)  # warm up, as in score_run
    for q in questions:
        t0 = time.perf_counter()
        ans = answerer.ask(q.question, q.history)
        times.append((time.perf_counter() - t0) * 1e3)
        if q.expect == "refuse":
            refuse_total += 1
            refuse_ok += int(ans.refused)
            per[q.id] = {"refused": ans.refused, "refusal_reason": ans.refusal_reason}
            continue
        if ans.refused:
            false_refusals += 1
        good = [c for c in ans.citations if any(matches(c.provenance, rel) for rel in q.relevant)]
        cited += len(ans.citations)
        relevant_cited += len(good)
        text = (ans.answer + " " + " ".join(c.text for c in ans.citations)).lower()
        found = [k for k in q.keywords if k.lower() in text]
        keywords += len(q.keywords)
        keywords_found += len(found)
        per[q.id] = {
            "refused": ans.refused,
            "refusal_reason": ans.refusal_reason,
            "cited": [c.label for c in ans.citations],
            "relevant_cited": len(good),
            "keywords_missing": [k for k in q.keywords if k not in found],
        }
    p50, p95 = (float(x) for x in np.percentile(times, [50, 95])) if times else (0.0, 0.0)
    return {
        "citation_precision": round(relevant_cited / cited, 4) if cited else None,
        "keyword_coverage": round(keywords_found / keywords, 4) if keywords else None,
        "refusal_accuracy": round(refuse_ok / refuse_total, 4) if refuse_total else None,
        "false_refusals": false_refusals,
        "answer_ms_p50": round(p50, 1),
        "answer_ms_p95": round(p95, 1),
        "per_question": per,
    }


def review_table(result: dict[str, Any], questions: Sequence[Question]) -> str:
    """One Markdown row per question for review (``kb eval --tabel``): the first relevant
    rank, what the answer cited or why it refused, and the keywords it missed."""
    ranks = result["runs"][0]["first_relevant_rank"]
    per = result["answers"]["per_question"]
    rows = [
        "| id | diharapkan | peringkat relevan | jawaban | sitasi (relevan) | kata kunci hilang | pertanyaan |",
        "|---|---|---|---|---|---|---|",
    ]
    for q in questions:
        a = per.get(q.id, {})
        rank = ranks.get(q.id)
        verdict = f"ditolak ({a.get('refusal_reason') or '?'})" if a.get("refused") else "dijawab"
        if q.expect == "refuse":
            verdict += " ✓" if a.get("refused") else " ✗"
        elif a.get("refused"):
            verdict += " ✗"
        cited = "; ".join(a.get("cited", []))
        if cited:
            cited += f" ({a.get('relevant_cited', 0)})"
        question = q.standalone if q.history else q.question
        cells = [
            q.id,
            "tolak" if q.expect == "refuse" else "jawab",
            "" if q.expect == "refuse" else str(rank or "–"),
            verdict,
            cited,
            "; ".join(a.get("keywords_missing", [])),
            question.replace("|", "/"),
        ]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows) + "\n"
