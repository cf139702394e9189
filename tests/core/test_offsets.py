"""Code points <-> UTF-16: the one conversion, checked against Python's own UTF-16 encoder."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.core.offsets import ZERO_WIDTH_SPACE, Utf16Map, display_text


def utf16_len(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


TEXTS = [
    "",
    "plain ascii",
    "a😀b",
    "😀😀 start and end 👍🏽",
    "e\u0301te\u0301 combining",
    "no\u00a0break\u00a0space",
    "line\u2028separator\u2029para",
    "שלום world مرحبا 😀",
    "flag 🇺🇦 and family 👨‍👩‍👧",
]


@pytest.mark.parametrize("text", TEXTS)
def test_every_offset_matches_the_utf16_encoder(text: str) -> None:
    m = Utf16Map(text)
    assert m.length_utf16 == utf16_len(text)
    for cp in range(len(text) + 1):
        u = utf16_len(text[:cp])
        assert m.to_utf16(cp) == u
        assert m.to_code_point(u) == cp


def test_position_inside_a_surrogate_pair_snaps_to_the_character() -> None:
    m = Utf16Map("a😀b")
    # UTF-16: a=0, 😀=1..2, b=3; position 2 is between the two halves of the emoji
    assert m.to_code_point(2) == 1
    assert m.to_code_point(2, round_up=True) == 2
    assert m.span_to_code_points(2, 4) == (1, 3)


def test_out_of_range_offsets_are_refused() -> None:
    m = Utf16Map("abc")
    with pytest.raises(ValueError):
        m.to_utf16(4)
    with pytest.raises(ValueError):
        m.to_code_point(-1)


def test_display_text_keeps_one_unit_per_code_unit_for_cr() -> None:
    stored = "one\r\ntwo\rthree"
    shown = display_text(stored)
    assert len(shown) == len(stored)
    assert shown == f"one{ZERO_WIDTH_SPACE}\ntwo\nthree"
    assert display_text("no cr") == "no cr"


@given(st.text())
def test_round_trip_for_any_text(text: str) -> None:
    m = Utf16Map(text)
    for cp in range(0, len(text) + 1, max(1, len(text) // 20)):
        assert m.to_code_point(m.to_utf16(cp)) == cp
    assert m.to_utf16(len(text)) == utf16_len(text)
