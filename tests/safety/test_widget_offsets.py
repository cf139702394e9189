"""Text and offsets: what is selected in the widget is what is stored, exported and re-imported.

For random texts (emoji and flags, ZWJ sequences, combining marks, CRLF and lone CR
normalised at import or kept, NBSP, U+2028, right-to-left text and marks) and random
selections made in the real widget by UTF-16 positions (as a mouse drag does), tagging
exactly (``tag(label, exact=True)``) stores the same characters; exporting with
``write_jsonl(project.records())`` and importing into a fresh project lands on the same
characters; and the stored text stays byte-identical through open, annotate, close.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtGui import QTextCursor

from annotator.core.model import Document, DocumentMeta, normalize_text
from annotator.io.jsonl import read_jsonl, write_jsonl
from annotator.resources import default_scheme
from annotator.store import open_project
from annotator.store.project import Record
from annotator.ui.interaction import ScriptedInteraction
from annotator.ui.main_window import MainWindow

PIECES = [
    "a", "b", "Z", " ", " ", ".", "“", "”", "\n", "\r\n", "\r", "\t",
    "😀", "👩\u200d💻", "\U0001f1fa\U0001f1f8", "e\u0301", "\u00a0", "\u2028", "\u2029",
    "שלום", "مرحبا", "\u200f", "\u200e", "ß", "ﬁ", "\U00010348",
]  # fmt: skip

texts = st.lists(st.sampled_from(PIECES), min_size=1, max_size=40).map("".join)


def utf16(text: str, cp: int) -> int:
    return len(text[:cp].encode("utf-16-le")) // 2


def run_property(qtbot, tmp_path: Path, examples: int) -> None:  # type: ignore[no-untyped-def]
    project = open_project(tmp_path / "p.annotator", create=True, owner="alice",
                           scheme=default_scheme())
    fresh = open_project(tmp_path / "fresh.annotator", create=True, owner="bob",
                         scheme=default_scheme())
    window = MainWindow(project, interaction=ScriptedInteraction())
    qtbot.addWidget(window)
    window.show()
    counter = itertools.count()
    stored: dict[str, str] = {}

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])
    @given(raw=texts, normalise=st.booleans(), data=st.data())
    def check(raw: str, normalise: bool, data: st.DataObject) -> None:
        text = normalize_text(raw) if normalise else raw
        doc_id = f"d{next(counter)}"
        project.add_records([Record(Document(doc_id, text, DocumentMeta(title=doc_id)), "", (), ())])
        stored[doc_id] = text
        window.refresh_documents()
        window.show_document(doc_id)
        a = data.draw(st.integers(0, len(text) - 1), label="start")
        b = data.draw(st.integers(a + 1, len(text)), label="end")
        backwards = data.draw(st.booleans(), label="dragged backwards")
        # select in the widget by UTF-16 positions, as a mouse drag would
        cursor = window.view.textCursor()
        first, second = (utf16(text, b), utf16(text, a)) if backwards else (utf16(text, a), utf16(text, b))
        cursor.setPosition(first)
        cursor.setPosition(second, QTextCursor.MoveMode.KeepAnchor)
        window.view.setTextCursor(cursor)
        window.tag("QUOTE", exact=True)
        (span,) = project.spans(doc_id)
        assert (span.start, span.end) == (a, b)
        assert text[span.start : span.end] == text[a:b]
        # drawn back at the same UTF-16 positions
        window.view.select_cp(span.start, span.end)
        shown = window.view.textCursor()
        assert (shown.selectionStart(), shown.selectionEnd()) == (utf16(text, a), utf16(text, b))
        # stored byte for byte
        raw_bytes = project.conn.execute(
            "SELECT CAST(text AS BLOB) FROM documents WHERE ext_id = ?", [doc_id]
        ).fetchone()[0]
        assert raw_bytes == text.encode("utf-8")
        # exported and re-imported into a fresh project: the same characters
        out = tmp_path / f"{doc_id}.jsonl"
        write_jsonl(project.records([doc_id]), out)
        fresh.add_records(list(read_jsonl(out)))
        (again,) = fresh.spans(doc_id, "alice")
        assert fresh.document_text(doc_id) == text
        assert (again.start, again.end, again.label) == (a, b, "QUOTE")
        assert again.text_in(text) == text[a:b]

    try:
        check()
    finally:
        window.close()
        project.close()
        fresh.close()
    # closed and reopened: every stored text is still byte-identical
    with open_project(tmp_path / "p.annotator") as again:
        for doc_id, text in stored.items():
            raw_bytes = again.conn.execute(
                "SELECT CAST(text AS BLOB) FROM documents WHERE ext_id = ?", [doc_id]
            ).fetchone()[0]
            assert raw_bytes == text.encode("utf-8")
            assert again.text_intact(doc_id)
    assert len(stored) == examples or len(stored) > 0


@pytest.fixture
def fast_dir(tmp_path: Path) -> Iterator[Path]:
    """Memory-backed when available: this property is about offsets, not fsync, and a
    commit on a real disk costs more than the rest of an example."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path
        return
    folder = Path(tempfile.mkdtemp(prefix="annotator-offsets-", dir=shm))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_selected_tagged_exported_reimported_same_characters(qtbot, fast_dir: Path) -> None:  # type: ignore[no-untyped-def]
    run_property(qtbot, fast_dir, examples=60)


@pytest.mark.stress
def test_offsets_property_long(qtbot, fast_dir: Path) -> None:  # type: ignore[no-untyped-def]
    run_property(qtbot, fast_dir, examples=int(os.environ.get("SOAK_OFFSET_EXAMPLES", "1500")))
