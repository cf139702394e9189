"""Suggestions are dashed until accepted; accepting is one undoable step that remembers its origin."""

from __future__ import annotations

from PySide6.QtCore import Qt

from annotator.store import Project
from annotator.ui.main_window import MainWindow

SAMPLE_ID = "ceasefire-talks"


def test_suggest_accept_one_reject_one_accept_all_undo(qtbot, window: MainWindow, project: Project) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(window.view, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    pending = window.view.suggestions()
    assert len(pending) > 20 and project.spans(SAMPLE_ID) == []  # nothing written yet
    quote = next(s for s in pending if s.label == "QUOTE" and any(r.head == s.id for r in window._pending.relations))
    window.view.set_selected_suggestion(quote.id)
    qtbot.keyClick(window.view, Qt.Key.Key_Y)
    stored = project.spans(SAMPLE_ID)
    assert any(s.label == "QUOTE" and (s.start, s.end) == (quote.start, quote.end) for s in stored)
    assert all(s.attrs["_origin"] == "suggested:rules" for s in stored)
    assert any(r.label == "SAID_BY" for r in project.relations(SAMPLE_ID))
    assert quote.id not in {s.id for s in window.view.suggestions()}
    left = window.view.suggestions()
    window.view.set_selected_suggestion(left[0].id)
    qtbot.keyClick(window.view, Qt.Key.Key_X)
    assert len(window.view.suggestions()) == len(left) - 1
    before = len(project.spans(SAMPLE_ID))
    qtbot.keyClick(window.view, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert len(project.spans(SAMPLE_ID)) == before + len(left) - 1
    assert window.view.suggestions() == []
    window.undo_stack.undo()
    assert len(project.spans(SAMPLE_ID)) == before


def test_suggestions_skip_what_is_already_annotated(qtbot, window: MainWindow, project: Project) -> None:  # type: ignore[no-untyped-def]
    window.suggest()
    first = window.view.suggestions()[0]
    window.view.select_cp(first.start, first.end)
    window.tag(first.label, exact=True)
    window.suggest()
    assert (first.label, first.start, first.end) not in {(s.label, s.start, s.end) for s in window.view.suggestions()}
