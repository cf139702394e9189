"""Turning a raw selection into a span's bounds: trimming, snapping, lookup.

``snap`` trims surrounding white space and widens both ends to whole words, as
an analyst expects when a drag stops mid-word. ``exact`` bounds only trim
nothing. A "word character" is a letter, digit, combining mark or connector,
plus an apostrophe or hyphen between two of them ("doesn't", "30-day").
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence

from annotator.core.model import Span

_JOINERS = frozenset("'’-\u2011")


def _is_word(ch: str) -> bool:
    cat = unicodedata.category(ch)
    return cat[0] in ("L", "N", "M") or cat == "Pc"


def _word_at(text: str, i: int) -> bool:
    """Whether text[i] belongs to a word (joiners count between word characters)."""
    if not 0 <= i < len(text):
        return False
    ch = text[i]
    if _is_word(ch):
        return True
    if ch in _JOINERS:
        return 0 < i < len(text) - 1 and _is_word(text[i - 1]) and _is_word(text[i + 1])
    return False


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop white space at both ends of [start, end)."""
    start, end = max(0, min(start, end)), min(len(text), max(start, end))
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def snap(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim white space, then widen to whole words. Returns (start, end); empty if nothing left."""
    start, end = trim(text, start, end)
    if start >= end:
        return start, start
    if _word_at(text, start):
        while start > 0 and _word_at(text, start - 1):
            start -= 1
    if _word_at(text, end - 1):
        while end < len(text) and _word_at(text, end):
            end += 1
    # a combining mark belongs to the character before it
    while end < len(text) and unicodedata.category(text[end])[0] == "M":
        end += 1
    return start, end


class SpanIndex:
    """Spans of one document sorted by start, for "what is visible / under the cursor".

    Lookups are O(log n + k); ``max_len`` bounds how far back a span covering a
    position can start, so long quotes do not force a scan of everything.
    """

    def __init__(self, spans: Iterable[Span] = ()) -> None:
        self._spans: list[Span] = sorted(spans, key=lambda s: (s.start, -s.end, s.id))
        self._starts = [s.start for s in self._spans]
        self._max_len = max((s.end - s.start for s in self._spans), default=0)

    def __len__(self) -> int:
        return len(self._spans)

    def __iter__(self) -> Iterator[Span]:
        return iter(self._spans)

    @property
    def spans(self) -> Sequence[Span]:
        return self._spans

    def add(self, span: Span) -> None:
        i = bisect_left(self._starts, span.start)
        key = (-span.end, span.id)
        while i < len(self._spans) and self._spans[i].start == span.start:
            if (-self._spans[i].end, self._spans[i].id) > key:
                break
            i += 1
        self._spans.insert(i, span)
        self._starts.insert(i, span.start)
        self._max_len = max(self._max_len, span.end - span.start)

    def remove(self, span_id: str) -> None:
        for i, s in enumerate(self._spans):
            if s.id == span_id:
                del self._spans[i]
                del self._starts[i]
                return

    def overlapping(self, start: int, end: int) -> list[Span]:
        """Spans with any character in [start, end) (or touching ``start`` when empty)."""
        lo = bisect_left(self._starts, start - self._max_len)
        hi = bisect_left(self._starts, max(end, start + 1))
        return [s for s in self._spans[lo:hi] if s.end > start and s.start < max(end, start + 1)]

    def at(self, pos: int) -> list[Span]:
        """Spans covering ``pos``, innermost (shortest) first."""
        hits = [s for s in self.overlapping(pos, pos + 1) if s.contains(pos)]
        return sorted(hits, key=lambda s: (s.end - s.start, s.start, s.id))
