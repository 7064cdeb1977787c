"""Small facts of Indonesian legal text shared by the ingest and the answers."""

from __future__ import annotations

import re

_AYAT = re.compile(r"(?:^|\n)\s*\(\s?(?P<num>\d{1,2}|[lI])\s?(?P<close>[)1l\]]?)\s")


def split_ayat(text: str) -> list[tuple[str, str]]:
    """Split a Pasal's content into ayat "(1) … (2) …", tolerating OCR "(21" for "(2)"."""
    marks: list[tuple[int, str]] = []
    expected = 1
    for m in _AYAT.finditer(text):
        num, close = m.group("num"), m.group("close")
        num = "1" if num in ("l", "I") else num
        value = None
        if (
            (int(num) == expected and close in (")", "]", ""))
            or (close in ("1", "l") and int(num) == expected)
            or (len(num) == 2 and num[1] in "1" and int(num[0]) == expected and not close)
        ):
            value = expected
        if value is None:
            continue
        marks.append((m.start() + (1 if text[m.start()] == "\n" else 0), str(value)))
        expected += 1
    if len(marks) < 2 and not (marks and marks[0][0] == 0):
        return [("", text.strip())]
    parts: list[tuple[str, str]] = []
    if marks[0][0] > 0 and text[: marks[0][0]].strip():
        parts.append(("", text[: marks[0][0]].strip()))
    for i, (pos, num) in enumerate(marks):
        end = marks[i + 1][0] if i + 1 < len(marks) else len(text)
        parts.append((num, text[pos:end].strip()))
    return parts
