"""A short lead sentence before the quotes, when the quoted passage answers the question
directly: "Ya, sesuai UU 6/2014 Pasal 93 ayat (2) [1]." for a yes/no question, "Singkatnya:
8 (delapan) tahun, sesuai …" for a "berapa lama / berapa kali" one. It is built only from the
quoted text and its citation; whenever the quote leaves room for doubt (a negation, a
permission where an obligation is asked, two values, a partial match) there is none.

The checks read the grammar of the question and of legislation (Indonesian modal verbs,
negation, the legal form of quantities), never the topic of a question.
"""

from __future__ import annotations

import re

from kb.evidence import Asked, stated_values

# A yes/no question: "apakah …", "bolehkah …", "… harus …, gak?" (after normalisation,
# which spells "gak", "nggak", "ga" as "tidak")
_POLAR = re.compile(
    r"^\s*(?:apakah|apa\s+(?:harus|wajib|boleh|bisa|dapat|perlu|benar))\b"
    r"|\b(?:bolehkah|haruskah|wajibkah|bisakah|dapatkah|perlukah|benarkah)\b"
    r"|\b(?:tidak|gak|nggak|enggak|ga|ngga|bukan|kah)\s*\??\s*$",
    re.IGNORECASE,
)
_ASKS_DUTY = re.compile(r"\b(?:harus|wajib|perlu|mesti|hrs)\b", re.IGNORECASE)
_ASKS_LEAVE = re.compile(r"\b(?:boleh|bisa|dapat|bisakah|bolehkah|dapatkah)\b", re.IGNORECASE)
_PERMISSIVE = re.compile(r"\b(?:dapat|boleh|berhak|dapat\s+juga)\b", re.IGNORECASE)
_DUTY = re.compile(r"\b(?:wajib|harus|diwajibkan|berkewajiban)\b", re.IGNORECASE)
# a negation anywhere in the quote: the answer might be "no", or "yes, unless"
_NEGATION = re.compile(r"\b(?:tidak|tak|bukan|dilarang|larangan|tanpa|kecuali|selain)\b", re.IGNORECASE)

# A lead is written only when the quote covers the question nearly whole: its content
# terms, by weight (``_Unit.coverage`` in kb.answer). Tuned on dev: its yes/no questions
# answered from a regulation sit at 0.79 (d05, no lead: "dimusyawarahkan" states no duty
# in words) and 1.0 (d12, a right lead). Checked on dev2: no first quote reaches 0.75; the
# next ones down are right at 0.62 (e27) but a wrong Pasal at 0.55 (e47).
LEAD_COVERAGE = 0.75


def is_polar(question: str) -> bool:
    return bool(_POLAR.search(question))


def polar_lead(question: str, quote: str, label: str, coverage: float) -> str | None:
    """'Ya, sesuai …' when the quote states what the yes/no question asks, with the modality
    asked stated in it (an obligation for "harus", a permission for "boleh"), and no negation."""
    if not is_polar(question) or coverage < LEAD_COVERAGE or _NEGATION.search(quote):
        return None
    # the modality asked must be stated, not inferred: "harus?" is answered yes only by a
    # passage that says "wajib" / "harus" ("apakah desa wajib bekerja sama?" is not answered
    # yes by a passage on what a joint regulation must contain, nor by "Desa dapat …"),
    # "boleh?" only by one that says "dapat" / "boleh" / "berhak"
    if _ASKS_DUTY.search(question):
        if not _DUTY.search(quote):
            return None
    elif _ASKS_LEAVE.search(question) and not _PERMISSIVE.search(quote):
        return None
    return f"Ya, sesuai {label}."


def value_lead(asked: Asked | None, quote: str, label: str, coverage: float) -> str | None:
    """'Singkatnya: 8 (delapan) tahun, sesuai …' when the quote states exactly one value of
    the kind asked."""
    if asked is None or coverage < LEAD_COVERAGE:
        return None
    values = stated_values(asked, quote)
    if len(values) != 1:
        return None
    return f"Singkatnya: {values[0]}, sesuai {label}."
