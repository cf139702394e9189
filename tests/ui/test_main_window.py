"""The real window driven like an analyst: select, press a key, undo, redo, reopen."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QAction, QDropEvent, QKeySequence, QTextCursor

from annotator.core.model import Document, DocumentMeta
from annotator.store import Project, open_project
from annotator.store.project import Record
from annotator.ui.interaction import ScriptedInteraction
from annotator.ui.main_window import MainWindow

SAMPLE_ID = "ceasefire-talks"


def select_utf16(window: MainWindow, start: int, end: int) -> None:
    """Select in the widget by Qt positions, as a mouse drag would."""
    cursor = window.view.textCursor()
    cursor.setPosition(start)
    cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
    window.view.setTextCursor(cursor)


def press(qtbot, window: MainWindow, key: str) -> None:  # type: ignore[no-untyped-def]
    seq = QKeySequence(key)
    combo = seq[0]
    qtbot.keyClick(window.view, combo.key(), combo.keyboardModifiers())


def test_select_press_q_undo_redo_reopen(qtbot, window: MainWindow, project: Project, sample_text: str) -> None:  # type: ignore[no-untyped-def]
    phrase = "Millions of people are needlessly dead"
    start = sample_text.index(phrase)
    # a sloppy drag: starts mid-word ("li|ons"), ends mid-word ("de|ad")
    select_utf16(window, start + 3, start + len(phrase) - 2)
    press(qtbot, window, "Q")
    spans = project.spans(SAMPLE_ID)
    assert [(s.label, s.start, s.end) for s in spans] == [("QUOTE", start, start + len(phrase))]
    assert window.undo_stack.undoText() == "Tag QUOTE “Millions of people are needless…”"
    assert window.actions_by_name["undo"].text().startswith("&Undo Tag QUOTE")

    press(qtbot, window, "Ctrl+Z")
    assert project.spans(SAMPLE_ID) == []
    assert window.view.spans_at_cp(start + 1) == []
    press(qtbot, window, "Ctrl+Shift+Z")
    assert [s.start for s in project.spans(SAMPLE_ID)] == [start]
    assert [s.id for s in window.view.spans_at_cp(start + 1)] == ["q1"]

    path = project.path
    window.close()
    project.close()
    with open_project(path) as again:
        reopened = MainWindow(again, interaction=ScriptedInteraction())
        qtbot.addWidget(reopened)
        assert [s.id for s in reopened.view.spans_at_cp(start + 1)] == ["q1"]
        assert reopened.panel.model.rowCount() == 1


def test_shift_tags_exactly_without_snapping(qtbot, window: MainWindow, project: Project, sample_text: str) -> None:  # type: ignore[no-untyped-def]
    start = sample_text.index("Witkoff")
    select_utf16(window, start + 1, start + 4)
    press(qtbot, window, "Shift+S")
    (span,) = project.spans(SAMPLE_ID)
    assert sample_text[span.start : span.end] == "itk"


def test_nothing_selected_is_a_hint_not_an_annotation(qtbot, window: MainWindow, project: Project) -> None:  # type: ignore[no-untyped-def]
    select_utf16(window, 10, 10)
    press(qtbot, window, "Q")
    assert project.spans(SAMPLE_ID) == []
    assert "Select some text" in window.statusBar().currentMessage()


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("Intro 😀😀 then “the quote” ends", "the quote"),
        ("one\r\ntwo\r\nthe quote here", "the quote"),
        ("e\u0301e\u0301 the quote", "the quote"),
        ("nb\u00a0space\u2028the quote", "the quote"),
        ("שלום עולם the quote مرحبا", "the quote"),
    ],
)
def test_offsets_survive_emoji_crlf_marks_and_rtl(qtbot, empty_project: Project, text: str, target: str) -> None:  # type: ignore[no-untyped-def]
    empty_project.add_records([Record(Document("d", text, DocumentMeta(title="t")), "", (), ())])
    win = MainWindow(empty_project, interaction=ScriptedInteraction())
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    cp_start = text.index(target)
    u16 = lambda i: len(text[:i].encode("utf-16-le")) // 2  # noqa: E731
    select_utf16(win, u16(cp_start), u16(cp_start + len(target)))
    win.tag("QUOTE")
    (span,) = empty_project.spans("d")
    assert text[span.start : span.end] == target
    # drawn back at the same place: selecting the span selects the same Qt positions
    win.select_span(span.id)
    win.view.select_cp(span.start, span.end)
    cursor = win.view.textCursor()
    assert (cursor.selectionStart(), cursor.selectionEnd()) == (u16(span.start), u16(span.end))
    assert empty_project.document("d").text == text  # stored text byte-identical


def test_click_a_highlight_then_edit_and_delete_it(qtbot, window: MainWindow, project: Project, sample_text: str) -> None:  # type: ignore[no-untyped-def]
    start = sample_text.index("Dmitri Peskov")
    window.view.select_cp(start, start + len("Dmitri Peskov"))
    window.tag("SPEAKER")
    window.select_span(None)
    assert window.panel._span is None
    window.select_span("s1")
    assert window.panel._span is not None and window.panel._span.id == "s1"
    window.panel.label_combo.setCurrentText("QUOTE")
    assert project.span(SAMPLE_ID, "s1").label == "QUOTE"
    combo = window.panel.findChild(type(window.panel.label_combo), "attr_stance")
    assert combo is not None
    combo.setCurrentIndex(combo.findData("favor"))
    assert project.span(SAMPLE_ID, "s1").attrs == {"stance": "favor"}
    press(qtbot, window, "Ctrl+Z")
    assert project.span(SAMPLE_ID, "s1").attrs == {}
    window.select_span("s1")
    press(qtbot, window, "Del")
    assert project.spans(SAMPLE_ID) == []
    press(qtbot, window, "Ctrl+Z")
    assert [s.id for s in project.spans(SAMPLE_ID)] == ["s1"]


def test_mouse_click_on_highlight_selects_it(qtbot, window: MainWindow, project: Project, sample_text: str) -> None:  # type: ignore[no-untyped-def]
    start = sample_text.index("Witkoff")
    window.view.select_cp(start, start + 7)
    window.tag("SPEAKER")
    window.select_span(None)
    cursor = window.view.textCursor()
    cursor.setPosition(start + 3)
    rect = window.view.cursorRect(cursor)
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.x(), rect.center().y()))
    assert window.panel._span is not None and window.panel._span.id == "s1"


def test_status_and_navigation(qtbot, window: MainWindow, project: Project, sample_text: str) -> None:  # type: ignore[no-untyped-def]
    press(qtbot, window, "Ctrl+3")
    assert project.document(SAMPLE_ID).status == "done"
    assert "Done" in window.doc_list.currentItem().text()
    press(qtbot, window, "Ctrl+Z")
    assert project.document(SAMPLE_ID).status == "todo"
    for word in ("Witkoff", "Peskov"):
        s = sample_text.index(word)
        window.view.select_cp(s, s + len(word))
        window.tag("SPEAKER")
    window.select_span(None)
    window.view.select_cp(0, 0)
    press(qtbot, window, "]")
    first = window.view.selected_span()
    press(qtbot, window, "]")
    second = window.view.selected_span()
    assert [first, second] == ["s1", "s2"]
    press(qtbot, window, "[")
    assert window.view.selected_span() == "s1"


def test_import_of_a_bad_file_says_so_and_changes_nothing(qtbot, window: MainWindow, project: Project, interaction: ScriptedInteraction, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "good.txt"
    good.write_text("A fine article.\n\nWith text.", encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02binary\x00")
    before = project.path.read_bytes()
    assert window.import_files([good, bad]) is False
    kind, _title, message = interaction.messages[-1]
    assert kind == "error" and "bad.txt" in message and "Nothing was imported" in message
    assert project.path.read_bytes() == before
    assert window.doc_list.count() == 1


def test_drop_articles_on_the_window_imports_them(qtbot, window: MainWindow, project: Project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    article = tmp_path / "dropped.md"
    article.write_text("# Dropped headline\n\nBody text.", encoding="utf-8")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(article))])
    event = QDropEvent(
        window.rect().center().toPointF(), Qt.DropAction.CopyAction, mime,
        Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)
    assert window.doc_list.count() == 2
    assert any(s.title == "Dropped headline" for s in project.documents())


def test_shortcut_help_lists_exactly_the_real_shortcuts(window: MainWindow) -> None:
    listed = set()
    for _text, keys in window.shortcut_rows():
        listed.update(k.strip() for k in keys.split(", "))
    real = set()
    for action in window.findChildren(QAction):
        for seq in action.shortcuts():
            if not seq.isEmpty():
                real.add(seq.toString(QKeySequence.SequenceFormat.NativeText))
    assert listed == real
    assert {"Q", "Shift+Q", "Ctrl+Z", "Ctrl+Shift+Z", "Ctrl+I", "Ctrl+E"} <= real


def test_export_jsonl_from_the_menu(qtbot, window: MainWindow, project: Project, interaction: ScriptedInteraction, tmp_path: Path, sample_text: str) -> None:  # type: ignore[no-untyped-def]
    s = sample_text.index("Peskov")
    window.view.select_cp(s, s + 6)
    window.tag("SPEAKER")
    out = tmp_path / "out.jsonl"
    interaction.answers.append(str(out))
    window.export_jsonl()
    text = out.read_text(encoding="utf-8")
    assert text.count("\n") == 1 and '"Peskov"' in text


def test_progress_counts_follow_the_status(qtbot, window: MainWindow, project: Project) -> None:  # type: ignore[no-untyped-def]
    assert "0 done · 0 in progress · 1 to do" in window.progress_label.text()
    window.set_status("done")
    assert "1 done · 0 in progress · 0 to do" in window.progress_label.text()


def test_open_demo_project_builds_it_from_the_seeds(qtbot, window: MainWindow, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ANNOTATOR_DATA_DIR", str(tmp_path / "data"))
    window.open_demo()
    assert window.project.path == tmp_path / "data" / "demo.annotator"
    assert window.doc.id == "ceasefire-talks"
    assert window.panel.model.rowCount() > 50
    assert len(window.project.people()) >= 5
    window.panel.tabs.setCurrentWidget(window.panel.quotes)
    speakers = {window.panel.quotes.item(r, 0).text() for r in range(window.panel.quotes.rowCount())}
    assert {"Donald Trump", "Vladimir Putin", "Dmitri Peskov"} <= speakers


def test_a_project_open_elsewhere_opens_read_only_on_request(qtbot, project: Project, sample_text: str) -> None:  # type: ignore[no-untyped-def]
    from annotator.ui.main_window import open_for_window

    # ``project`` holds the lock, as another window would
    answers = ScriptedInteraction(True)
    view = open_for_window(project.path, answers)
    assert view is not None and view.readonly
    assert "already open" in answers.messages[0][2]
    win = MainWindow(view, interaction=answers)
    qtbot.addWidget(win)
    assert "(read-only)" in win.windowTitle()
    s = sample_text.index("Witkoff")
    win.view.select_cp(s, s + 7)
    win.tag("SPEAKER")
    assert project.spans(SAMPLE_ID) == []
    assert "Read-only" in win.statusBar().currentMessage()
    view.close()
    assert open_for_window(project.path, ScriptedInteraction(False)) is None


def test_a_damaged_project_is_kept_aside_and_a_backup_offered(qtbot, project: Project, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import struct

    from annotator.store.backup import make_backup
    from annotator.ui.main_window import open_for_window

    monkeypatch.setenv("ANNOTATOR_DATA_DIR", str(tmp_path / "data"))
    make_backup(project, tmp_path / "data" / "backups")
    path = project.path
    project.close()
    data = bytearray(path.read_bytes())
    page = struct.unpack(">H", data[16:18])[0]
    data[page : 4 * page] = b"\x5a" * (3 * page)
    path.write_bytes(bytes(data))
    answers = ScriptedInteraction(True)
    restored = open_for_window(path, answers)
    assert restored is not None and restored.document_ids() == [SAMPLE_ID]
    assert "kept as" in answers.messages[0][2]
    assert list(tmp_path.glob("p.annotator.damaged-*"))
    restored.close()


def test_text_changed_outside_the_app_sets_spans_aside(qtbot, project: Project, sample_text: str) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    from annotator.core.commands import AddSpan
    from annotator.core.model import Span

    project.execute(AddSpan(SAMPLE_ID, Span("", 0, 5, "QUOTE")))
    other = sqlite3.connect(project.path)  # someone edits the file with another tool
    other.execute("UPDATE documents SET text = 'XX' || text")
    other.commit()
    other.close()
    answers = ScriptedInteraction()
    win = MainWindow(project, interaction=answers)
    qtbot.addWidget(win)
    assert win.view.spans_at_cp(2) == []
    assert any("changed outside Annotator" in m[1] for m in answers.messages)
    assert len(project.spans(SAMPLE_ID)) == 1  # kept in the file, just not drawn


def test_strings_from_files_are_shown_as_plain_text(qtbot, empty_project: Project) -> None:  # type: ignore[no-untyped-def]
    from annotator.core.model import Document, DocumentMeta

    hostile = "<b>bold</b> <img src=x> <a href='http://x'>link</a>"
    empty_project.add_records([Record(Document("h", hostile, DocumentMeta(title=hostile, source=hostile)), "", (), ())])
    win = MainWindow(empty_project, interaction=ScriptedInteraction())
    qtbot.addWidget(win)
    assert win.title_label.textFormat() == Qt.TextFormat.PlainText
    assert win.title_label.text() == hostile
    assert win.meta_label.textFormat() == Qt.TextFormat.PlainText
    tip = win.doc_list.item(0).toolTip()
    assert "&lt;b&gt;" in tip and "<b>" not in tip


def test_renaming_a_label_in_the_scheme_editor_updates_the_window(qtbot, window: MainWindow, project: Project, sample_text: str) -> None:  # type: ignore[no-untyped-def]
    s = sample_text.index("Witkoff")
    window.view.select_cp(s, s + 7)
    window.tag("SPEAKER")
    window.edit_scheme()
    dialog = window._scheme_dialog
    dialog.label_list.setCurrentRow(1)
    dialog.name_edit.setFocus()
    dialog.name_edit.selectAll()
    qtbot.keyClicks(dialog.name_edit, "SOURCE")
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    assert project.span(SAMPLE_ID, "s1").label == "SOURCE"
    layout = window.panel.labels_layout
    buttons = [layout.itemAt(i).widget().objectName() for i in range(layout.count())]
    assert buttons[:2] == ["tag_QUOTE", "tag_SOURCE"]
    assert any(a.text() == "Tag as SOURCE" for a in window.label_actions)
    window.undo_stack.undo()
    assert project.span(SAMPLE_ID, "s1").label == "SPEAKER"
    dialog.close()


def test_review_and_share_from_the_file_menu(qtbot, window: MainWindow, project: Project, interaction: ScriptedInteraction, tmp_path: Path, sample_text: str) -> None:  # type: ignore[no-untyped-def]
    s = sample_text.index("Peskov")
    window.view.select_cp(s, s + 6)
    window.tag("SPEAKER")
    copy = tmp_path / "copy.annotator"
    interaction.answers.append(str(copy))
    window.share_copy()
    assert copy.is_file()
    with open_project(copy, readonly=True) as shared:
        assert [sp.id for sp in shared.spans(SAMPLE_ID)] == ["s1"]
    other = tmp_path / "other.annotator"
    interaction.answers.append(str(other))
    window.share_copy()
    window.open_review_window([copy, other])
    review = window._review_window
    assert review is not None and review.isVisible()
    review.close()


def test_a_gold_project_opens_with_its_adjudication_queue(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from annotator.core.commands import AddSpan
    from annotator.core.model import Span
    from annotator.io.adjudicate import create_gold
    from annotator.resources import default_scheme

    text = "Peskov said 'there is hope'. Trump said 'it will end'."
    files = []
    for name, phrase in (("a", "there is hope"), ("b", "is hope")):
        path = tmp_path / f"{name}.annotator"
        with open_project(path, create=True, owner=name, scheme=default_scheme()) as p:
            p.add_records([Record(Document("d", text), "", (), ())])
            for label, words in (("QUOTE", phrase), ("QUOTE", "it will end")):
                s = text.index(words)
                p.execute(AddSpan("d", Span("", s, s + len(words), label)))
        files.append(path)
    gold = tmp_path / "gold.annotator"
    create_gold(files, gold, decided_by="lead")
    with open_project(gold) as project:
        win = MainWindow(project, interaction=ScriptedInteraction())
        qtbot.addWidget(win)
        assert win.adjudication is not None and win.adjudication_dock is not None
        agreed = [(s.start, s.end) for s in project.spans("d")]
        assert (text.index("it will end"), text.index("it will end") + 11) in agreed
        before = len(project.spans("d"))
        win.adjudication.setFocus()
        qtbot.keyClick(win.adjudication, Qt.Key.Key_1)
        assert len(project.spans("d")) == before + 1
        win.undo_stack.undo()
        assert len(project.spans("d")) == before


def test_the_header_shows_the_byline(qtbot, empty_project: Project) -> None:  # type: ignore[no-untyped-def]
    from annotator.core.model import Document, DocumentMeta

    meta = DocumentMeta(title="Talks resume", source="Mail Online", author="Jane Doe")
    empty_project.add_records([Record(Document("t", "Some text.", meta), "", (), ())])
    win = MainWindow(empty_project, interaction=ScriptedInteraction())
    qtbot.addWidget(win)
    assert win.meta_label.text().startswith("by Jane Doe  ·  Mail Online")


def test_colleagues_annotations_are_named_then_drawn_read_only(qtbot, window: MainWindow, project: Project, sample_text: str) -> None:  # type: ignore[no-untyped-def]
    from annotator.core.model import Span

    doc = project.document(SAMPLE_ID)
    quote = sample_text.index("Millions of people")
    peskov = sample_text.index("Peskov")
    project.add_records([
        Record(doc, "bob", (Span("q1", quote, quote + 18, "QUOTE"), Span("s1", peskov, peskov + 6, "SPEAKER")), ()),
        Record(doc, "carol", (Span("q1", quote, quote + 8, "QUOTE"),), ()),
    ])  # fmt: skip
    window.refresh_documents()
    window.show_document(SAMPLE_ID)
    note = "also annotated by bob (2), carol (1) (View > Colleagues' annotations)"
    assert window.meta_label.text().endswith(note)
    assert window.view.others() == []  # named, not drawn: off by default

    press(qtbot, window, "Ctrl+Shift+L")
    assert window.actions_by_name["colleagues"].isChecked()
    assert window.meta_label.text().endswith("also annotated by bob (2), carol (1)")
    assert sorted(s.id for s in window.view.others()) == ["bob/q1", "bob/s1", "carol/q1"]
    assert project.spans(SAMPLE_ID) == [] and window.panel.model.rowCount() == 0  # ours only
    (rect,) = window.view.cp_rects(peskov + 2, peskov + 3)
    tip = window.view.tooltip_at(rect.center().toPoint())
    assert "bob · SPEAKER — Peskov" in tip
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    assert window.view.selected_span() is None and window.panel._span is None  # never selected
    window.grab()  # drawn without error

    window.view.select_cp(peskov, peskov + 6)  # tagging there makes our own span, theirs stays
    window.tag("SPEAKER")
    there = sorted(s.annotator for s in project.spans(SAMPLE_ID, "*") if s.start == peskov)
    assert there == sorted(["bob", project.owner])
    press(qtbot, window, "Ctrl+Shift+L")
    assert window.view.others() == []
