"""Feedback lines in the data directory."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from kb.feedback import Feedback, read_feedback, record_feedback


def test_feedback_lines_keep_question_answer_citations_and_comment(tmp_path: Path) -> None:
    path = tmp_path / "data" / "feedback.jsonl"
    cites = [
        {
            "marker": 1,
            "regulation": "UU 6/2014",
            "pasal": "91",
            "ayat": None,
            "source": "uu.txt",
            "chunk_id": "c",
            "text": "…",
        }
    ]
    record_feedback(path, Feedback("baik", "dasar hukum?", "Menurut … [1]", cites, "jelas"))
    record_feedback(path, Feedback("buruk", "siapa?", "Maaf …"))
    lines = read_feedback(path)
    assert [x["rating"] for x in lines] == ["baik", "buruk"]
    assert lines[0]["citations"][0]["pasal"] == "91" and "text" not in lines[0]["citations"][0]
    assert lines[0]["comment"] == "jelas" and lines[0]["time"]


def test_concurrent_feedback_never_interleaves(tmp_path: Path) -> None:
    path = tmp_path / "feedback.jsonl"
    threads = [
        threading.Thread(target=record_feedback, args=(path, Feedback("baik", f"q{i}", "x" * 5000)))
        for i in range(20)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(x["question"] for x in read_feedback(path)) == sorted(f"q{i}" for i in range(20))


def test_unknown_rating_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        record_feedback(tmp_path / "f.jsonl", Feedback("mantap", "q", "a"))
