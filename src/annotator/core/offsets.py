"""Code points <-> UTF-16 positions: the single conversion between the core and Qt.

The core counts Unicode code points (Python ``str`` indices). Qt's text
documents count UTF-16 code units, so every character outside the Basic
Multilingual Plane (most emoji) takes two positions there. ``Utf16Map`` turns
one into the other in O(log n), keeping only the positions of astral
characters, so a 1 MB text without emoji costs nothing.

Qt also rewrites line breaks: a CR or CRLF becomes one paragraph separator.
``display_text`` gives the string to hand to the widget so that its positions
stay in step with the stored text: every code point keeps its own UTF-16
length (CR before LF becomes an invisible zero-width space, a lone CR a LF).
The stored text is never changed; only what Qt is shown.
"""

from __future__ import annotations

import re
from bisect import bisect_left

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
ZERO_WIDTH_SPACE = "\u200b"


def display_text(text: str) -> str:
    """The text to put in a Qt document so positions map one-to-one (per UTF-16 unit)."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", ZERO_WIDTH_SPACE + "\n").replace("\r", "\n")


class Utf16Map:
    """Convert offsets between code points (core) and UTF-16 units (Qt) for one text."""

    __slots__ = ("_astral_cp", "_astral_u16", "length", "length_utf16")

    def __init__(self, text: str) -> None:
        self._astral_cp = [m.start() for m in _ASTRAL.finditer(text)]
        # UTF-16 position of each astral character: every earlier one adds a unit.
        self._astral_u16 = [cp + i for i, cp in enumerate(self._astral_cp)]
        self.length = len(text)
        self.length_utf16 = len(text) + len(self._astral_cp)

    def to_utf16(self, cp: int) -> int:
        """UTF-16 position of code-point offset ``cp`` (0 <= cp <= len(text))."""
        if not 0 <= cp <= self.length:
            raise ValueError(f"code-point offset {cp} outside 0..{self.length}")
        return cp + bisect_left(self._astral_cp, cp)

    def to_code_point(self, u16: int, *, round_up: bool = False) -> int:
        """Code-point offset of UTF-16 position ``u16``.

        A position inside a surrogate pair (between the two halves of an emoji)
        snaps to the character's start, or to its end with ``round_up``.
        """
        if not 0 <= u16 <= self.length_utf16:
            raise ValueError(f"UTF-16 position {u16} outside 0..{self.length_utf16}")
        # astral characters starting strictly before u16
        i = bisect_left(self._astral_u16, u16)
        if i and self._astral_u16[i - 1] + 1 == u16:
            # u16 is the low surrogate of astral char i-1
            return self._astral_cp[i - 1] + (1 if round_up else 0)
        return u16 - i

    def span_to_utf16(self, start: int, end: int) -> tuple[int, int]:
        return self.to_utf16(start), self.to_utf16(end)

    def span_to_code_points(self, start: int, end: int) -> tuple[int, int]:
        """A selection in UTF-16 units as code points, widened to whole characters."""
        a, b = sorted((start, end))
        return self.to_code_point(a), self.to_code_point(b, round_up=True)
