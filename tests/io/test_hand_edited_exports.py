"""Exports of a project file changed by hand: a span beyond its text is a clear error or written as stored."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from annotator.core.errors import AnnotatorError
from annotator.core.model import Document, DocumentMeta, Relation, Span
from annotator.io.export import export_project
from annotator.resources import default_scheme
from annotator.store import open_project
from annotator.store.project import Record

TEXT = "Peskov said: 'We agree.' Then he left."


@pytest.fixture
def edited(tmp_path: Path) -> Path:
    path = tmp_path / "h.annotator"
    with open_project(path, create=True, owner="alice", scheme=default_scheme()) as p:
        spans = (Span("q1", 13, 23, "QUOTE"), Span("s1", 0, 6, "SPEAKER", {"person": "Peskov"}))
        p.add_records([Record(Document("d1", TEXT, DocumentMeta()), "alice", spans, (Relation("SAID_BY", "q1", "s1"),))])
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE spans SET \"end\" = 999 WHERE sid = 'q1'")
    conn.close()
    return path


@pytest.mark.parametrize("fmt", ["brat", "doccano", "label-studio", "inception", "spacy"])
def test_formats_that_convert_offsets_name_the_span_outside_its_text(edited: Path, tmp_path: Path, fmt: str) -> None:
    if fmt == "spacy":
        pytest.importorskip("spacy")
    if fmt == "inception":
        pytest.importorskip("cassis")
    out = tmp_path / f"out-{fmt}"
    with open_project(edited) as p, pytest.raises(AnnotatorError, match=r"document 'd1': alice's span 'q1' covers 13\.\.999, outside its text \(0\.\.38\)"):
        export_project(p, fmt, out)
    assert not out.exists()


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "quotes-csv"])
def test_tables_write_what_is_stored(edited: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"out.{fmt}"
    with open_project(edited) as p:
        export_project(p, fmt, out)
    assert "We agree.' Then he left." in out.read_text(encoding="utf-8")
