"""The review window: colleagues' files side by side, disagreements to visit, agreement figures."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from annotator.core.model import Document, DocumentMeta, Relation, Span
from annotator.io.review import Disagreement, agreement_report, disagreements, load_files
from annotator.resources import default_scheme
from annotator.store import open_project
from annotator.store.project import Record
from annotator.ui.article_view import ArticleView
from annotator.ui.interaction import ScriptedInteraction
from annotator.ui.review_window import (
    MAX_SIDE_BY_SIDE,
    MODE_KEY,
    OVERLAY,
    SIDE_BY_SIDE,
    ReviewWindow,
    disagreement_label,
    disagreement_text,
    open_review,
)
from annotator.ui.settings import Settings

FILLER = "\n\n".join(
    f"Paragraph {i}: the talks went on late into the night, and nobody said anything new."
    for i in range(60)
)
TEXT = (
    "Peace is near, said Donald Trump. The war must end, Putin said. Sanctions work, claimed "
    "Biden.\n\n" + FILLER + "\n\nTalks will resume on Monday, a spokesman said."
)
SHORT = "The minister said the budget is balanced. Critics disagree."
ALONE = "Only alice has this article."


def at(phrase: str, text: str = TEXT) -> tuple[int, int]:
    start = text.index(phrase)
    return start, start + len(phrase)


Q1, S1 = at("Peace is near"), at("Donald Trump")
Q2, S2 = at("The war must end"), at("Putin")
Q3 = at("Sanctions work")
Q4, S4 = at("Talks will resume on Monday"), at("a spokesman")
B1 = at("the budget is balanced", SHORT)


def write(path: Path, owner: str, records: Iterable[Record]) -> Path:
    project = open_project(path, create=True, owner=owner, scheme=default_scheme())
    project.add_records(list(records))
    project.close()
    return path


def d1() -> Document:
    return Document(
        "d1",
        TEXT,
        DocumentMeta(title="Ceasefire <b>talks</b> & more", source="Wire"),
        status="done",
    )


def alice_records() -> list[Record]:
    spans = (
        Span("q1", *Q1, "QUOTE", {"stance": "favor", "kind": "direct"}),
        Span("s1", *S1, "SPEAKER"),
        Span("q2", *Q2, "QUOTE", {"stance": "against", "kind": "direct"}),
        Span("s2", *S2, "SPEAKER"),
        Span("q3", *Q3, "QUOTE", {"stance": "neutral", "kind": "direct"}),
        Span("q4", *Q4, "QUOTE", {"kind": "indirect"}),
        Span("s4", *S4, "SPEAKER"),
    )
    rels = (Relation("SAID_BY", "q1", "s1"), Relation("SAID_BY", "q2", "s2"))
    return [
        Record(d1(), "", spans, rels),
        Record(
            Document("d2", SHORT, DocumentMeta(title="Budget"), status="done"),
            "",
            (Span("b1", *B1, "QUOTE"),),
            (),
        ),
        Record(Document("d3", ALONE, DocumentMeta(title="Alone"), status="done"), "", (), ()),
    ]


def bob_records() -> list[Record]:
    spans = (
        Span("q1", *Q1, "QUOTE", {"stance": "against", "kind": "direct"}),  # attribute
        Span("s1", *S1, "SPEAKER"),
        Span("q2", Q2[0] + 4, Q2[1], "QUOTE", {"stance": "against", "kind": "direct"}),  # bounds
        Span("s2", *S2, "SPEAKER"),
        # q3 missing
        Span("q4", *Q4, "QUOTE", {"kind": "indirect"}),
        Span("s4", *S4, "SPEAKER"),
    )
    rels = (Relation("SAID_BY", "q1", "s1"), Relation("SAID_BY", "q2", "s2"))
    return [
        Record(d1(), "", spans, rels),
        Record(
            Document("d2", SHORT, DocumentMeta(title="Budget"), status="done"),
            "",
            (Span("b1", *B1, "CLAIM"),),  # label
            (),
        ),
    ]


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    a = write(tmp_path / "alice.annotator", "alice", alice_records())
    b = write(tmp_path / "bob.annotator", "bob", bob_records())
    junk = tmp_path / "junk.annotator"
    junk.write_bytes(b"certainly not a database " * 40)
    return {"alice": a, "bob": b, "junk": junk}


@pytest.fixture
def interaction() -> ScriptedInteraction:
    return ScriptedInteraction()


def show(qtbot, window: ReviewWindow) -> ReviewWindow:
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    window.overlay_view.setFocus()
    return window


@pytest.fixture
def window(qtbot: QtBot, files: dict[str, Path], interaction: ScriptedInteraction) -> ReviewWindow:
    win = open_review([files["alice"], files["junk"], files["bob"]], interaction)
    assert win is not None
    return show(qtbot, win)


def found_in(window: ReviewWindow) -> list[Disagreement]:
    return disagreements(load_files([window.review.files[0].path, window.review.files[1].path]))


def labels_at(view: ArticleView, pos: int) -> set[str]:
    return {s.label for s in view.spans_at_cp(pos)}


# ---- opening ------------------------------------------------------------------------------


def test_window_lists_the_shared_documents(window: ReviewWindow) -> None:
    assert window.doc_list.count() == 2  # d3 is alice's only
    first = window.doc_list.item(0).text()
    assert first.startswith("Ceasefire <b>talks</b> & more")  # plain text, as written
    assert "2 annotators" in first and "3 disagreements" in first
    assert "1 disagreement" in window.doc_list.item(1).text()
    assert window.title_label.text() == "Ceasefire <b>talks</b> & more"
    assert window.overlay_view.text() == TEXT
    assert window.dis_list.count() == 3


def test_a_junk_file_is_reported_and_the_others_load(
    window: ReviewWindow, interaction: ScriptedInteraction, files: dict[str, Path]
) -> None:
    (kind, title, message), *_ = interaction.messages
    assert kind == "error" and title == "Some files were not read"
    assert str(files["junk"]) in message and "other 2 are loaded" in message
    assert [f.path for f in window.review.files] == [files["alice"], files["bob"]]
    status = window.files_label.text()
    assert "alice.annotator (alice)" in status and "bob.annotator (bob)" in status
    assert "Not read: junk.annotator" in status


def test_only_junk_gives_a_clear_message_and_no_window(
    qtbot: QtBot,
    tmp_path: Path,
    interaction: ScriptedInteraction,
) -> None:
    junk = tmp_path / "junk.annotator"
    junk.write_bytes(b"nope" * 100)
    assert open_review([junk], interaction) is None
    ((kind, title, message),) = interaction.messages
    assert kind == "error" and title == "No file could be read"
    assert str(junk) in message


def test_no_shared_document_gives_a_clear_message_and_no_window(
    qtbot: QtBot,
    tmp_path: Path,
    interaction: ScriptedInteraction,
) -> None:
    a = write(tmp_path / "a.annotator", "alice", alice_records()[2:])
    b = write(tmp_path / "b.annotator", "bob", bob_records()[1:])
    assert open_review([a, b], interaction) is None
    ((kind, title, message),) = interaction.messages
    assert kind == "error" and title == "No documents in common"
    assert "no document in common" in message
    assert "a.annotator (alice)" in message and "b.annotator (bob)" in message


def test_nothing_given_opens_nothing(interaction: ScriptedInteraction) -> None:
    assert open_review([], interaction) is None
    assert interaction.messages == []


# ---- disagreements ---------------------------------------------------------------------------


def test_n_steps_through_disagreements_across_documents(qtbot: QtBot, window: ReviewWindow) -> None:
    found = found_in(window)
    assert len(found) == 4 and [d.doc_id for d in found] == ["d1", "d1", "d1", "d2"]
    view = window.overlay_view
    assert view.selection_cp()[0] == view.selection_cp()[1]  # nothing selected yet
    for d in found[:3]:
        qtbot.keyClick(view, Qt.Key.Key_N)
        assert view.selection_cp() == (d.start, d.end)
        assert window.doc_list.currentRow() == 0
    assert window.dis_list.currentRow() == 2
    qtbot.keyClick(view, Qt.Key.Key_N)  # on to the next document
    assert window.doc_list.currentRow() == 1
    assert window.title_label.text() == "Budget"
    assert view.text() == SHORT
    assert view.selection_cp() == (found[3].start, found[3].end)
    assert window.dis_list.currentRow() == 0
    assert "label" in window.dis_list.currentItem().text()
    qtbot.keyClick(view, Qt.Key.Key_N, Qt.KeyboardModifier.ShiftModifier)  # back again
    assert window.doc_list.currentRow() == 0
    assert view.selection_cp() == (found[2].start, found[2].end)
    qtbot.keyClick(view, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert view.selection_cp() == (found[1].start, found[1].end)
    qtbot.keyClick(view, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert view.selection_cp() == (found[2].start, found[2].end)
    assert "disagreement 3 of 4" in window.position_label.text()


def test_n_wraps_around_and_works_from_the_lists(qtbot: QtBot, window: ReviewWindow) -> None:
    found = found_in(window)
    window.doc_list.setFocus()
    qtbot.keyClick(window.doc_list, Qt.Key.Key_N, Qt.KeyboardModifier.ShiftModifier)
    assert window.current == len(found) - 1  # nothing before the cursor: the last one
    assert window.overlay_view.selection_cp() == (found[-1].start, found[-1].end)
    qtbot.keyClick(window.doc_list, Qt.Key.Key_N)
    assert window.current == 0
    assert "Wrapped" in window.statusBar().currentMessage()


def test_choosing_a_disagreement_selects_and_shows_its_range(
    qtbot: QtBot, window: ReviewWindow
) -> None:
    found = found_in(window)
    window.dis_list.setCurrentRow(2)
    d = found[2]
    view = window.overlay_view
    assert view.selection_cp() == (d.start, d.end)
    qtbot.wait(10)
    assert view.cp_rects(d.start, d.end), "the disagreement is scrolled into view"


def test_disagreement_items_read_kind_label_annotators_description() -> None:
    d = Disagreement("d", 0, 4, "label", ("alice", "bob"), "alice: QUOTE; bob: CLAIM/CUE")
    assert disagreement_label(d, ["QUOTE", "SPEAKER", "CUE", "CLAIM"]) == "QUOTE/CUE/CLAIM"
    d = Disagreement("d", 0, 4, "attribute", ("alice", "bob"), "QUOTE.stance: alice=a, bob=b")
    assert disagreement_text(d, ["QUOTE"]) == (
        "attribute · QUOTE · alice, bob — QUOTE.stance: alice=a, bob=b"
    )


# ---- layers ------------------------------------------------------------------------------------


def test_overlay_colours_by_annotator_and_layers_hide(qtbot: QtBot, window: ReviewWindow) -> None:
    view = window.overlay_view
    assert labels_at(view, Q1[0]) == {"alice·QUOTE", "bob·QUOTE"}
    assert labels_at(view, Q3[0]) == {"alice·QUOTE"}  # bob missed it
    colors = window.overlay_colors()
    assert colors["alice·QUOTE"] == colors["alice·SPEAKER"] != colors["bob·QUOTE"]
    window.layer_boxes["bob"].click()
    assert labels_at(view, Q1[0]) == {"alice·QUOTE"}
    qtbot.keyClick(view, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)  # alice off too
    assert labels_at(view, Q1[0]) == set()
    assert not window.layer_boxes["alice"].isChecked()
    qtbot.keyClick(view, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    assert labels_at(view, Q1[0]) == {"bob·QUOTE"}
    assert view.text() == TEXT  # same document, same text


def test_overlay_tooltip_names_the_annotator(window: ReviewWindow) -> None:
    view = window.overlay_view
    view.scroll_to_cp(Q3[0])
    rect = view.cp_rects(*Q3)[0]
    tip = view.tooltip_at(rect.center().toPoint())
    assert "alice·QUOTE — Sanctions work" in tip


def test_side_by_side_shows_one_view_per_annotator_scrolling_together(
    qtbot: QtBot,
    window: ReviewWindow,
) -> None:
    qtbot.keyClick(window.overlay_view, Qt.Key.Key_M)
    assert window.mode == SIDE_BY_SIDE
    views = window.side_views()
    assert list(views) == ["alice", "bob"]
    alice, bob = views["alice"], views["bob"]
    assert alice.isVisible() and bob.isVisible()
    assert labels_at(alice, Q3[0]) == {"QUOTE"} and labels_at(bob, Q3[0]) == set()
    assert window.panes["alice"].title.text().startswith("alice")
    bar_a, bar_b = alice.verticalScrollBar(), bob.verticalScrollBar()
    assert bar_a.maximum() > 10, "the article is long enough to scroll"
    bar_a.setValue(bar_a.maximum() // 2)
    assert bar_b.value() > 0
    assert bob.firstVisibleBlock().blockNumber() == alice.firstVisibleBlock().blockNumber()
    bar_b.setValue(3)
    assert alice.firstVisibleBlock().blockNumber() == bob.firstVisibleBlock().blockNumber()
    assert bar_a.value() < bar_a.maximum() // 2
    qtbot.keyClick(alice, Qt.Key.Key_N)  # the disagreement is selected in both
    found = found_in(window)
    assert alice.selection_cp() == bob.selection_cp() == (found[0].start, found[0].end)
    window.layer_boxes["bob"].click()  # a hidden layer hides its pane
    assert list(window.side_views()) == ["alice"]
    qtbot.keyClick(alice, Qt.Key.Key_M)
    assert window.mode == OVERLAY and window.stack.currentWidget() is window.overlay_view


def test_the_mode_is_remembered(qtbot: QtBot, tmp_path: Path, files: dict[str, Path]) -> None:
    settings = Settings.at(tmp_path / "settings.ini")
    review = load_files([files["alice"], files["bob"]])
    first = show(qtbot, ReviewWindow(review, settings=settings))
    assert first.mode == OVERLAY
    first.actions_by_name["side_by_side"].trigger()
    assert settings.value(MODE_KEY) == SIDE_BY_SIDE
    second = show(qtbot, ReviewWindow(review, settings=settings))
    assert second.mode == SIDE_BY_SIDE
    assert second.actions_by_name["side_by_side"].isChecked()


def test_side_by_side_is_for_a_few_annotators_only(qtbot: QtBot, tmp_path: Path) -> None:
    names = [f"a{i}" for i in range(MAX_SIDE_BY_SIDE + 1)]
    paths = [write(tmp_path / f"{n}.annotator", n, alice_records()[:1]) for n in names]
    window = show(qtbot, ReviewWindow(load_files(paths)))
    assert not window.actions_by_name["side_by_side"].isEnabled()
    window.set_mode(SIDE_BY_SIDE)
    assert window.mode == OVERLAY
    assert len(window.layer_boxes) == len(names)
    assert labels_at(window.overlay_view, Q1[0]) == {f"{n}·QUOTE" for n in names}


# ---- agreement ------------------------------------------------------------------------------------


def test_agreement_panel_shows_the_figures_and_why_some_are_missing(
    window: ReviewWindow,
) -> None:
    report = agreement_report(window.review)
    text = window.agreement.toPlainText()
    overall = report["spans"]["overall"]["exact_f1"]
    assert f"{overall:.3f}" in text
    entry = report["by_document"][0]
    assert f"{entry['exact_f1']:.3f}" in text  # this document
    assert "This document" in text and "Whole review" in text
    assert "Ceasefire <b>talks</b> & more" in text  # escaped, not rendered
    # a missing figure is a dash with a footnote giving the reason, also as a tooltip
    assert report["attributes"]["QUOTE.target"]["alpha_nominal"] is None
    reason = report["attributes"]["QUOTE.target"]["alpha_nominal_reason"]
    assert f"QUOTE.target, α: {reason}" in text
    assert "—" in text
    assert window.agreement._note_at("note:1") == window.agreement.notes.items[0]
    assert str(report["attribution"]["n"]) in text
    window.doc_list.setCurrentRow(1)
    assert "Budget" in window.agreement.toPlainText()


def test_copy_as_json(qtbot: QtBot, window: ReviewWindow) -> None:
    qtbot.mouseClick(window.copy_button, Qt.MouseButton.LeftButton)
    copied = json.loads(QApplication.clipboard().text())
    assert copied == json.loads(json.dumps(window.report))
    assert copied["spans"]["overall"]["exact_f1"] == window.report["spans"]["overall"]["exact_f1"]


def test_gold_button_emits(qtbot: QtBot, window: ReviewWindow) -> None:
    with qtbot.waitSignal(window.goldRequested, timeout=1000):
        window.actions_by_name["gold"].trigger()


# ---- the received files are never touched -------------------------------------------------------


def test_files_are_unchanged_after_a_whole_session(
    qtbot: QtBot,
    files: dict[str, Path],
    interaction: ScriptedInteraction,
) -> None:
    def state() -> dict[str, tuple[bytes, int]]:
        return {k: (p.read_bytes(), p.stat().st_mtime_ns) for k, p in files.items()}

    folder = files["alice"].parent
    before, listing = state(), sorted(folder.iterdir())
    window = open_review(list(files.values()), interaction)
    assert window is not None
    show(qtbot, window)
    for _ in range(6):
        qtbot.keyClick(window.overlay_view, Qt.Key.Key_N)
    window.layer_boxes["alice"].click()
    window.set_mode(SIDE_BY_SIDE)
    window.layer_boxes["alice"].click()
    window.copy_json()
    window.step_document(-1)
    window.close()
    assert state() == before
    assert sorted(folder.iterdir()) == listing  # no journal, no copy left beside them
