"""Selections become spans: trimmed, snapped to whole words, and found again by position."""

from __future__ import annotations

import pytest

from annotator.core.model import Span
from annotator.core.spans import SpanIndex, snap, trim

TEXT = "Kremlin spokesman Dmitri Peskov said it doesn't work, a 30-day ceasefire."


def test_trim_drops_surrounding_space_only() -> None:
    assert trim("  ab c  ", 0, 8) == (2, 6)
    assert trim("   ", 0, 3) == (3, 3)


@pytest.mark.parametrize(
    ("selected", "expected"),
    [
        ("esman Dmit", "spokesman Dmitri"),
        (" Peskov ", "Peskov"),
        ("oesn", "doesn't"),
        ("30-d", "30-day"),
        ("ceasefire.", "ceasefire."),
    ],
)
def test_snap_widens_to_whole_words(selected: str, expected: str) -> None:
    start = TEXT.index(selected)
    a, b = snap(TEXT, start, start + len(selected))
    assert TEXT[a:b] == expected


def test_snap_keeps_combining_marks_with_their_letter() -> None:
    text = "cafe\u0301 noir"
    a, b = snap(text, 0, 3)
    assert text[a:b] == "cafe\u0301"


def test_snap_of_whitespace_is_empty() -> None:
    a, b = snap(TEXT, 7, 8)
    assert a == b


def test_index_finds_innermost_first_and_only_overlapping() -> None:
    quote = Span("q1", 0, 40, "QUOTE")
    speaker = Span("s1", 18, 31, "SPEAKER")
    claim = Span("c1", 50, 60, "CLAIM")
    index = SpanIndex([claim, quote, speaker])
    assert [s.id for s in index.at(20)] == ["s1", "q1"]
    assert [s.id for s in index.overlapping(35, 55)] == ["q1", "c1"]
    index.remove("s1")
    assert [s.id for s in index.at(20)] == ["q1"]
    index.add(Span("s2", 18, 24, "SPEAKER"))
    assert [s.id for s in index.at(20)] == ["s2", "q1"]
    assert [s.start for s in index] == sorted(s.start for s in index)


def test_index_lookup_with_many_spans_is_local() -> None:
    spans = [Span(f"t{i}", i * 10, i * 10 + 5, "QUOTE") for i in range(20_000)]
    index = SpanIndex(spans)
    assert [s.id for s in index.overlapping(100_000, 100_020)] == ["t10000", "t10001"]
