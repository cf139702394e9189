"""Property tests: any text and any valid spans survive write_jsonl -> read_jsonl unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.core.model import AttrValue, Document, DocumentMeta, Relation, Span
from annotator.io.jsonl import read_jsonl, record_from_dict, record_to_dict, write_jsonl
from annotator.store.project import Record

#: The characters that break naive tools: emoji (astral, ZWJ, flags), combining marks,
#: Arabic and Hebrew with direction marks, no-break spaces, and every line separator.
AWKWARD = [
    "\U0001f600", "\U0001f469\u200d\U0001f4bb", "\U0001f1fa\U0001f1f8", "\u0301", "\u0308",
    "\u0645", "\u0631", "\u05e9", "\u05dc", "\u200f", "\u200e", "\u202b", "\u00a0", "\u202f",
    "\u2028", "\u2029", "\u0085", "\r", "\n", "\r\n", "\t", "\x0b", "\x0c", "\ufeff", "\u2026",
    "\"", "\\", "/", "a", "Z", " ",
]  # fmt: skip
PIECES = st.one_of(st.sampled_from(AWKWARD), st.characters(exclude_categories=("Cs",)))


def texts(min_size: int = 0, max_size: int = 20) -> st.SearchStrategy[str]:
    """Strings made of awkward pieces (some are several code points) and any other character."""
    return st.lists(PIECES, min_size=min_size, max_size=max_size).map("".join)


NAMES = st.sampled_from(["QUOTE", "SPEAKER", "CLAIM", "X-1", "_y", "stance", "target"])
VALUES: st.SearchStrategy[AttrValue] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False, allow_infinity=False),
    texts(max_size=12),
)
ATTRS = st.dictionaries(NAMES, VALUES, max_size=3)
OPTIONAL_TEXT = st.one_of(st.none(), texts(max_size=20))


@st.composite
def spans_for(draw: st.DrawFn, length: int, annotator: str) -> tuple[Span, ...]:
    spans = []
    for i in range(draw(st.integers(0, 5))):
        label, attrs = draw(NAMES), draw(ATTRS)
        if length >= 4 and draw(st.booleans()):
            points = draw(st.lists(st.integers(0, length), min_size=4, max_size=4, unique=True))
            a, b, c, d = sorted(points)
            spans.append(Span(f"s{i}", a, d, label, attrs, ((a, b), (c, d)), annotator))
        else:
            start = draw(st.integers(0, length - 1))
            end = draw(st.integers(start + 1, length))
            spans.append(Span(f"s{i}", start, end, label, attrs, None, annotator))
    return tuple(spans)


@st.composite
def records(draw: st.DrawFn) -> Record:
    text = draw(texts(min_size=1, max_size=80))
    annotator = draw(st.sampled_from(["", "alice", "b\u00f6b \U0001f600"]))
    spans = draw(spans_for(len(text), annotator))
    relations: list[Relation] = []
    if len(spans) >= 2:
        for _ in range(draw(st.integers(0, 3))):
            pair = st.lists(
                st.sampled_from(spans), min_size=2, max_size=2, unique_by=lambda s: s.id
            )
            head, child = draw(pair)
            relations.append(Relation(draw(NAMES), head.id, child.id, annotator))
    doc_id = draw(texts(min_size=1, max_size=20).filter(lambda s: s.strip()))
    meta = DocumentMeta(*(draw(OPTIONAL_TEXT) for _ in range(4)))
    status = draw(st.sampled_from(["todo", "in_progress", "done"]))
    document = Document(doc_id, text, meta, status, draw(ATTRS))
    return Record(document, annotator, spans, tuple(relations))


@given(records())
@settings(max_examples=300)
def test_dict_round_trip(record: Record) -> None:
    assert record_from_dict(record_to_dict(record), where="x") == record


@given(st.lists(records(), max_size=4))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_file_round_trip(tmp_path_factory: pytest.TempPathFactory, batch: list[Record]) -> None:
    path: Path = tmp_path_factory.getbasetemp() / "property.jsonl"
    assert write_jsonl(batch, path) == len(batch)
    data = path.read_bytes()
    assert data.count(b"\n") == len(batch)
    assert len(data.decode("utf-8").splitlines()) == len(batch)  # no reader sees a split record
    assert list(read_jsonl(path)) == batch
