"""Fixtures of the io tests: a record that exercises every awkward corner of Unicode."""

from __future__ import annotations

from typing import Any

import pytest

from annotator.core.model import Document, DocumentMeta, Relation, Span
from annotator.store.project import Record

HARD_TEXT = (
    "Trump \U0001f1fa\U0001f1f8 said: \u00ab\u00a0Caf\u0065\u0301 \U0001f600 \U0001f469\u200d\U0001f4bb\u00a0\u00bb\n"
    "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645 \u200f"
    "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd\u2028next\u2029para\u0085nel\rcr\r\nend"
)


def _span(text: str, sid: str, needle: str, label: str = "QUOTE", **attrs: Any) -> Span:
    start = text.index(needle)
    return Span(sid, start, start + len(needle), label, attrs, annotator="alice")


@pytest.fixture
def hard_record() -> Record:
    """Emoji, flags, ZWJ, combining marks, Arabic, Hebrew, RLM, NBSP, U+2028/9, NEL, CR."""
    text = HARD_TEXT
    quote = _span(text, "q1", "Caf\u0065\u0301 \U0001f600", stance="favor", target="ceasefire")
    speaker = _span(text, "s1", "Trump", "SPEAKER", person="Donald Trump")
    arabic = _span(text, "a1", "\u0645\u0631\u062d\u0628\u0627", "CLAIM", checkworthy=None, n=3)
    a = text.index("\u05e9\u05dc\u05d5\u05dd")
    b = text.index("next")
    split = Span("d1", a, b + 4, "QUOTE", {"score": 0.5, "ok": True},
                 fragments=((a, a + 4), (b, b + 4)), annotator="alice")  # fmt: skip
    line_sep = _span(text, "l1", "\u2028next\u2029", "CUE")
    return Record(
        Document(
            "hard-doc",
            text,
            DocumentMeta(
                title="T\u00eftle \U0001f600", source="S", url="https://x/\u00e9", published=None
            ),
            status="in_progress",
            labels={"stance": "favor", "topic": "war"},
        ),
        "alice",
        (quote, speaker, arabic, split, line_sep),
        (Relation("SAID_BY", "q1", "s1", "alice"), Relation("CUED_BY", "q1", "l1", "alice")),
    )
