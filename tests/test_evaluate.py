"""``kb eval`` asks a follow-up as a user does: with the conversation before it."""

from __future__ import annotations

import json
from pathlib import Path

from kb.evaluate import answer_metrics, load_questions
from kb.types import Answer


def _write(tmp_path: Path, rows: list[dict]) -> Path:
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_a_follow_up_is_loaded_with_its_history_and_retrieved_standalone(tmp_path: Path):
    path = _write(
        tmp_path,
        [
            {"id": "a", "question": "Apa tugas BPD?", "relevant": []},
            {
                "id": "b",
                "question": "kalau kepala desa?",
                "relevant": [],
                "history": ["Siapa yang melantik anggota BPD?"],
            },
        ],
    )
    first, follow_up = load_questions(path)
    assert first.history == () and first.standalone == "Apa tugas BPD?"
    assert follow_up.history == ("Siapa yang melantik anggota BPD?",)
    assert "melantik" in follow_up.standalone and follow_up.standalone != follow_up.question


class _Recorder:
    """Records what the metrics ask; answers every question with a refusal."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[str, ...]]] = []

    def ask(self, question: str, history: tuple[str, ...] = ()) -> Answer:
        self.calls.append((question, tuple(history)))
        return Answer(question, question, "Maaf.", True)


def test_answer_metrics_pass_the_history_to_the_answerer(tmp_path: Path):
    path = _write(
        tmp_path,
        [{"id": "b", "question": "kalau kepala desa?", "relevant": [], "history": ["Apa tugas BPD?"]}],
    )
    recorder = _Recorder()
    result = answer_metrics(recorder, load_questions(path))
    assert recorder.calls[-1] == ("kalau kepala desa?", ("Apa tugas BPD?",))
    assert result["false_refusals"] == 1


def test_the_review_table_has_a_row_per_question_with_the_refusal_reason(tmp_path: Path):
    from kb.evaluate import review_table

    path = _write(
        tmp_path,
        [
            {"id": "r", "question": "Berapa harga tiket kereta?", "expect": "refuse", "relevant": []},
            {"id": "b", "question": "kalau kepala desa?", "relevant": [], "history": ["Apa tugas BPD?"]},
        ],
    )
    questions = load_questions(path)
    answers = answer_metrics(_Recorder(), questions)
    table = review_table({"runs": [{"first_relevant_rank": {"b": None}}], "answers": answers}, questions)
    lines = table.splitlines()
    assert len(lines) == 2 + len(questions)
    refuse_row, follow_up_row = lines[2:]
    assert refuse_row.startswith("| r | tolak |") and "ditolak (?) ✓" in refuse_row
    assert "ditolak (?) ✗" in follow_up_row and "Apa tugas kepala desa?" in follow_up_row  # standalone
