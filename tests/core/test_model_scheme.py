"""Span validation, text normalisation, and the scheme's checks and growth."""

from __future__ import annotations

import pytest

from annotator.core.errors import AnnotatorError
from annotator.core.model import Span, normalize_text, validate_span
from annotator.core.scheme import Scheme
from annotator.resources import default_scheme


def test_normalize_turns_every_line_ending_into_lf_and_nothing_else() -> None:
    raw = "\ufeffa\r\nb\rc\u00a0d\u2028e"
    assert normalize_text(raw) == "a\nb\nc\u00a0d\u2028e"


@pytest.mark.parametrize(
    ("span", "message"),
    [
        (Span("x", -1, 3, "QUOTE"), "outside the text"),
        (Span("x", 2, 11, "QUOTE"), "outside the text"),
        (Span("x", 5, 3, "QUOTE"), "ends (3) before it starts (5)"),
        (Span("x", 0, 3, ""), "no label"),
        (Span("x", 0, 9, "QUOTE", fragments=((0, 3), (2, 9))), "overlapping fragments"),
        (Span("x", 0, 8, "QUOTE", fragments=((0, 3), (5, 9))), "outer bounds"),
    ],
)
def test_invalid_spans_are_refused_with_a_reason(span: Span, message: str) -> None:
    with pytest.raises(AnnotatorError, match=message.replace("(", r"\(").replace(")", r"\)")):
        validate_span(span, 10, where="doc")


def test_discontinuous_span_text_joins_its_fragments() -> None:
    text = '"The war," he said, "must end."'
    span = Span("q1", 1, 29, "QUOTE", fragments=((1, 8), (21, 29)))
    validate_span(span, len(text))
    assert span.text_in(text) == "The war … must end"
    assert span.contains(3) and not span.contains(12)


def test_default_scheme_has_the_analysts_labels() -> None:
    scheme = default_scheme()
    assert [lab.name for lab in scheme.labels] == ["QUOTE", "SPEAKER", "CUE", "CLAIM"]
    assert scheme.relation("SAID_BY") is not None
    quote = scheme.label("QUOTE")
    assert quote is not None and quote.attribute("stance") is not None
    assert Scheme.from_dict(scheme.to_dict()) == scheme


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"labels": [{"name": "A", "color": "#000000"}, {"name": "A", "color": "#000000"}]}, "appears twice"),
        ({"labels": [{"color": "#000000"}]}, "invalid 'name'"),
        ({"labels": [{"name": "A", "color": "red"}]}, "#RRGGBB"),
        (
            {"labels": [{"name": "A", "color": "#000000", "shortcut": "Q"},
                        {"name": "B", "color": "#000000", "shortcut": "q"}]},
            "shortcut 'q' appears twice",
        ),
        ({"labels": "nope"}, "must be a list"),
    ],
)
def test_bad_scheme_files_say_what_and_where(data: dict[str, object], message: str) -> None:
    with pytest.raises(AnnotatorError, match=message):
        Scheme.from_dict(data, where="my.json")


def test_extend_adds_only_what_is_missing_and_says_so() -> None:
    scheme = default_scheme()
    grown, added = scheme.extend(
        span_labels={"QUOTE": {"stance": {"favor", "hostile"}}, "EVENT": {"kind": {"war"}}},
        relation_labels=["SAID_BY", "CAUSES"],
        document_labels={"stance": {"favor"}},
    )
    assert added == [
        "label EVENT",
        "attribute EVENT.kind",
        "value EVENT.kind=war",
        "value QUOTE.stance=hostile",
        "relation CAUSES",
    ]
    assert grown.version == scheme.version + 1
    assert grown.label("EVENT") is not None
    same, nothing = grown.extend(span_labels={"QUOTE": {"stance": {"favor"}}})
    assert nothing == [] and same is grown


def test_check_attrs_refuses_values_outside_the_scheme() -> None:
    scheme = default_scheme()
    scheme.check_attrs("QUOTE", {"stance": "favor", "target": "ceasefire", "person": "Anyone"})
    with pytest.raises(AnnotatorError, match="cannot be 'peace'"):
        scheme.check_attrs("QUOTE", {"target": "peace"})
    with pytest.raises(AnnotatorError, match="cannot be 'maybe'"):
        scheme.check_attrs("QUOTE", {"stance": "maybe"})
    with pytest.raises(AnnotatorError, match="no attribute"):
        scheme.check_attrs("QUOTE", {"colour": "red"})
