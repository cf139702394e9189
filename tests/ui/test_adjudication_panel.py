"""The adjudication panel in a real main window on a real gold project, driven by keys."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget

from annotator.core.model import Document, Relation, Span
from annotator.io.adjudicate import create_gold
from annotator.resources import default_scheme
from annotator.store import Project, open_project
from annotator.store.project import Record
from annotator.ui.adjudication import AdjudicationPanel, ask_new_gold, has_queue
from annotator.ui.interaction import ScriptedInteraction
from annotator.ui.main_window import MainWindow

TEXT = (
    "Peace is near, said Donald Trump. The war must end, Putin said. Sanctions work, claimed Biden."
)
SECOND = "Talks resume <b>on Monday</b>, the Kremlin said."


def at(phrase: str, text: str = TEXT) -> tuple[int, int]:
    start = text.index(phrase)
    return start, start + len(phrase)


GoldProject = Project  # Project carries GoldStoreMixin


def colleague(path: Path, owner: str, variant: bool) -> Path:
    spans = [
        Span("q1", *at("Peace is near"), "QUOTE", {"stance": "against" if variant else "favor"}),
        Span("s1", *at("Donald Trump"), "SPEAKER"),
        Span("q2", *at("The war must end," if variant else "The war must end"), "QUOTE"),
        Span("s2", *at("Putin"), "SPEAKER"),
    ]
    if not variant:
        spans.append(Span("q3", *at("Sanctions work"), "QUOTE"))
    rels = [Relation("SAID_BY", "q1", "s1"), Relation("SAID_BY", "q2", "s2")]
    second = [Span("c1", *at("Talks resume <b>on Monday</b>", SECOND), "CLAIM")] if variant else []
    with open_project(path, create=True, owner=owner, scheme=default_scheme()) as project:
        project.add_records(
            [
                Record(Document("d1", TEXT, status="done"), "", tuple(spans), tuple(rels)),
                Record(Document("d2", SECOND, status="done"), "", tuple(second), ()),
            ]
        )
    return path


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    return [
        colleague(tmp_path / "alice.annotator", "alice", False),
        colleague(tmp_path / "bob.annotator", "bob", True),
    ]


@pytest.fixture
def gold(tmp_path: Path, files: list[Path]) -> Iterator[Project]:
    create_gold(files, tmp_path / "gold.annotator", decided_by="lead")
    project = open_project(tmp_path / "gold.annotator")
    project.__class__ = GoldProject
    yield project
    project.close()


@pytest.fixture
def window(qtbot, gold: Project) -> tuple[MainWindow, AdjudicationPanel]:  # type: ignore[no-untyped-def]
    """The main window with the panel docked, wired as the lead's integration does."""
    interaction = ScriptedInteraction()
    win = MainWindow(gold, interaction=interaction)
    qtbot.addWidget(win)
    assert has_queue(gold)
    panel = AdjudicationPanel(
        gold, win.run, interaction, decided_by="lead", undo_stack=win.undo_stack
    )
    panel.itemShown.connect(lambda doc, _a, _b: win._select_doc_item(doc))
    panel.editRequested.connect(lambda doc, sid: (win._select_doc_item(doc), win.select_span(sid)))
    dock = QDockWidget("Adjudication", win)
    dock.setObjectName("adjudication_dock")
    dock.setWidget(panel)
    win.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    win.resize(1360, 980)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    panel.reload()
    panel.setFocus()
    return win, panel


def states(project: Project) -> list[str]:
    return [s for _, s in project.adjudication_states()]  # type: ignore[attr-defined]


def test_pressing_1_accepts_the_first_version_and_ctrl_z_undoes(qtbot, window, gold) -> None:  # type: ignore[no-untyped-def]
    win, panel = window
    assert panel.position_label.text().startswith("Item 1 of 4 · 4 open · attributes differ")
    assert panel.candidates.count() == 2
    assert panel.candidates.item(0).text().startswith("1  alice\n    QUOTE “Peace is near”")
    assert "stance=favor" in panel.candidates.item(0).text()
    assert (
        "SAID_BY: QUOTE “Peace is near” → SPEAKER “Donald Trump”" in panel.candidates.item(0).text()
    )
    first = panel.item
    assert first is not None
    gold_before = gold.spans("d1")

    qtbot.keyClick(panel, Qt.Key.Key_1)
    assert states(gold) == ["accepted", "open", "open", "open"]
    assert panel.item is not None and panel.item.position == 2
    assert panel.position_label.text().startswith("Item 2 of 4 · 3 open")
    quote = next(s for s in gold.spans("d1") if s.label == "QUOTE")
    assert dict(quote.attrs) == {"stance": "favor"}
    assert quote.id in win.view._by_id  # the main window shows the new gold span
    assert win.undo_stack.undoText().startswith("Accept alice’s attribute")
    assert panel.hasFocus()

    qtbot.keyClick(panel, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert states(gold) == ["open", "open", "open", "open"]
    assert gold.spans("d1") == gold_before
    assert panel.item is not None and panel.item.id == first.id  # back to the undone item
    assert quote.id not in win.view._by_id

    qtbot.keyClick(
        panel, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert states(gold) == ["accepted", "open", "open", "open"]


def test_page_keys_reach_a_decided_item_and_r_reopens_it(qtbot, window, gold) -> None:  # type: ignore[no-untyped-def]
    win, panel = window
    qtbot.keyClick(panel, Qt.Key.Key_R)  # item 1 is open: nothing to reopen
    assert "no decision to reopen" in panel.message_label.text()
    qtbot.keyClick(panel, Qt.Key.Key_1)
    quote = next(s for s in gold.spans("d1") if s.label == "QUOTE")
    assert panel.item is not None and panel.item.position == 2
    qtbot.keyClick(panel, Qt.Key.Key_PageUp)  # back to the decided item (N skips it)
    assert panel.item is not None and panel.item.position == 1 and not panel.item.is_open
    assert "· accepted by lead" in panel.position_label.text()
    qtbot.keyClick(panel, Qt.Key.Key_1)
    assert "R reopens it" in panel.message_label.text()

    qtbot.keyClick(panel, Qt.Key.Key_R)
    assert states(gold) == ["open", "open", "open", "open"]
    assert quote.id not in {s.id for s in gold.spans("d1")}
    assert quote.id not in win.view._by_id  # gone from the article too
    assert panel.item is not None and panel.item.position == 1 and panel.item.is_open
    assert panel.message_label.text().startswith("Reopened: the accepted decision by lead")
    assert win.undo_stack.undoText().startswith("Reopen attribute")

    qtbot.keyClick(panel, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert states(gold) == ["accepted", "open", "open", "open"]
    assert quote in gold.spans("d1")
    qtbot.keyClick(panel, Qt.Key.Key_PageDown)
    assert panel.item is not None and panel.item.position == 2
    qtbot.keyClick(panel, Qt.Key.Key_PageUp)
    qtbot.keyClick(panel, Qt.Key.Key_PageUp)  # wraps around to the last item
    assert panel.item is not None and panel.item.position == 4


def test_both_reject_and_moving_between_open_items(qtbot, window, gold) -> None:  # type: ignore[no-untyped-def]
    _win, panel = window
    qtbot.keyClick(panel, Qt.Key.Key_B)  # an attribute: only one version can be gold
    assert "Only one version" in panel.message_label.text()
    assert states(gold) == ["open"] * 4
    qtbot.keyClick(panel, Qt.Key.Key_N)
    assert panel.item is not None and panel.item.kind == "boundary"
    qtbot.keyClick(panel, Qt.Key.Key_B)
    assert states(gold) == ["open", "both", "open", "open"]
    assert len([s for s in gold.spans("d1") if s.label == "QUOTE"]) == 2
    assert panel.item is not None and panel.item.kind == "missing"
    qtbot.keyClick(panel, Qt.Key.Key_X)
    assert states(gold) == ["open", "both", "rejected", "open"]
    assert panel.item is not None and panel.item.document == "d2"
    qtbot.keyClick(panel, Qt.Key.Key_N, Qt.KeyboardModifier.ShiftModifier)
    assert panel.item is not None and panel.item.position == 1  # wraps over the decided ones
    qtbot.keyClick(panel, Qt.Key.Key_9)
    assert "no version 9" in panel.message_label.text()


def test_accept_and_edit_hands_the_gold_span_to_the_window(qtbot, window, gold) -> None:  # type: ignore[no-untyped-def]
    win, panel = window
    qtbot.keyClick(panel, Qt.Key.Key_N)
    qtbot.keyClick(panel, Qt.Key.Key_Down)  # bob's version
    assert panel.view.selected_span() == "2/q2"
    with qtbot.waitSignal(panel.editRequested) as signal:
        qtbot.keyClick(panel, Qt.Key.Key_E)
    doc, sid = signal.args
    assert (doc, states(gold)) == ("d1", ["open", "edited", "open", "open"])
    assert win.view.selected_span() == sid
    assert (gold.span("d1", sid).start, gold.span("d1", sid).end) == at("The war must end,")


def test_text_is_shown_as_plain_text(qtbot, window, gold) -> None:  # type: ignore[no-untyped-def]
    _win, panel = window
    for _ in range(3):
        qtbot.keyClick(panel, Qt.Key.Key_N)
    assert panel.item is not None and panel.item.document == "d2"
    assert "“Talks resume <b>on Monday</b>”" in panel.candidates.item(1).text()
    assert panel.description_label.textFormat() == Qt.TextFormat.PlainText


def test_a_reopened_gold_project_resumes_at_the_first_open_item(qtbot, gold: Project) -> None:  # type: ignore[no-untyped-def]
    def runner(project: Project):  # type: ignore[no-untyped-def]
        def run(command) -> bool:  # type: ignore[no-untyped-def]
            project.execute(command)
            return True

        return run

    panel = AdjudicationPanel(gold, runner(gold), ScriptedInteraction(), decided_by="lead")
    qtbot.addWidget(panel)
    panel.accept_number(2)
    panel.accept_number(1)
    assert states(gold) == ["accepted", "accepted", "open", "open"]
    path = gold.path
    gold.close()
    again = open_project(path)
    again.__class__ = GoldProject
    try:
        resumed = AdjudicationPanel(again, runner(again), ScriptedInteraction(), decided_by="lead")
        qtbot.addWidget(resumed)
        assert resumed.item is not None and resumed.item.position == 3
        assert resumed.position_label.text().startswith("Item 3 of 4 · 2 open")
        resumed.decide("reject")
        resumed.decide("reject")
        assert resumed.item is None
        assert resumed.position_label.text() == "All 4 items decided"
    finally:
        again.close()


def test_new_gold_project_from_files(tmp_path: Path, files: list[Path]) -> None:
    out = tmp_path / "new-gold"
    interaction = ScriptedInteraction(files, "2", str(out))
    made = ask_new_gold(interaction, "lead")
    assert made == out.with_suffix(".annotator") and made.exists()
    kind, title, message = interaction.messages[-1]
    assert (kind, title) == ("info", "New gold project")
    assert "waiting in the queue: 4 item(s)" in message
    with open_project(made) as project:
        assert has_queue(project)

    bad = tmp_path / "bad.annotator"
    bad.write_bytes(b"nonsense" * 40)
    refused = ScriptedInteraction([files[0], bad], "", str(tmp_path / "other.annotator"))
    assert ask_new_gold(refused, "lead") is None
    assert refused.messages[-1][0] == "error" and "bad.annotator" in refused.messages[-1][2]
    assert not (tmp_path / "other.annotator").exists()


def test_an_ordinary_project_has_no_queue(project: Project) -> None:
    assert not has_queue(project)


def test_the_panel_keys_win_over_a_label_key_of_the_window(qtbot, gold: Project) -> None:  # type: ignore[no-untyped-def]
    scheme = gold.scheme
    labels = tuple(
        replace(lab, shortcut="X") if lab.name == "CLAIM" else lab for lab in scheme.labels
    )
    gold.set_scheme(replace(scheme, labels=labels))
    win = MainWindow(gold, interaction=ScriptedInteraction())
    qtbot.addWidget(win)
    panel = AdjudicationPanel(gold, win.run, win.interaction, decided_by="lead")
    dock = QDockWidget("Adjudication", win)
    dock.setWidget(panel)
    win.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()  # the window's shortcuts are live
    qtbot.waitUntil(win.isActiveWindow)
    panel.setFocus()
    qtbot.keyClick(panel, Qt.Key.Key_X)
    assert states(gold) == ["rejected", "open", "open", "open"]
    assert [s.label for s in gold.spans("d1")] == ["SPEAKER", "SPEAKER"]  # nothing tagged
