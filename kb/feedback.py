"""Feedback on answers (👍/👎 with an optional comment), kept as JSON lines in the data
directory so the team can read what users found wrong."""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RATINGS = ("baik", "buruk")
MAX_COMMENT_CHARS = 2000

_lock = threading.Lock()


@dataclass(frozen=True)
class Feedback:
    rating: str  # "baik" (👍) or "buruk" (👎)
    question: str
    answer: str
    citations: list[dict[str, Any]] = field(default_factory=list)
    comment: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
            "rating": self.rating,
            "question": self.question,
            "answer": self.answer,
            "citations": [
                {k: c.get(k) for k in ("marker", "regulation", "pasal", "ayat", "source", "chunk_id")}
                for c in self.citations
            ],
            "comment": self.comment[:MAX_COMMENT_CHARS],
        }


def record_feedback(path: Path, feedback: Feedback) -> None:
    """Append one line. A single ``write`` on an O_APPEND file: lines never interleave."""
    if feedback.rating not in RATINGS:
        raise ValueError(f"rating must be one of {RATINGS}")
    line = json.dumps(feedback.to_json(), ensure_ascii=False) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode("utf-8"))
        finally:
            os.close(fd)


def read_feedback(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
