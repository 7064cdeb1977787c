"""Follow-up questions made standalone by rules (the extractive mode; with a chat model
the model rewrites them, see ``kb.llm.rewrite_question``)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from kb.query import normalise, vocabulary


def standalone_question(question: str, history: Sequence[str]) -> str:
    """Rewrite a follow-up ("kalau dengan pihak ketiga?") into a question that stands alone,
    using the previous user question. Rule-based: a cue word or a very short question marks
    a follow-up; a term of a known group replaces its sibling in the previous question."""
    if not history:
        return question
    vocab = vocabulary()
    q = question.strip()
    low = q.lower()
    cue = next((c for c in vocab.followup_cues if re.match(rf"{re.escape(c)}\b", low)), None)
    words = re.findall(r"\w+", low)
    if cue is None and len(words) > 4:
        return question
    previous = history[-1].strip()
    rest = q[len(cue) :].strip(" ,") if cue else q
    rest_n = normalise(rest).text
    prev_n = normalise(previous).text
    for group in vocab.followup_groups:
        named = next((g for g in sorted(group, key=len, reverse=True) if g.lower() in rest_n.lower()), None)
        if not named:
            continue
        for sibling in sorted(group, key=len, reverse=True):
            if sibling.lower() != named.lower() and sibling.lower() in prev_n.lower():
                pattern = re.compile(re.escape(sibling), re.IGNORECASE)
                return pattern.sub(named, prev_n, count=1)
    return f"{prev_n.rstrip('?.! ')} {rest_n}".strip()
