"""The scheme editor driven like a user: fields, the attribute table, questions, files, undo."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from annotator.core.commands import AddSpan, Command
from annotator.core.errors import AnnotatorError
from annotator.core.model import Span
from annotator.core.scheme_edits import scheme_json
from annotator.store import Project
from annotator.store.scheme_store import SchemeStoreMixin
from annotator.ui.interaction import ScriptedInteraction
from annotator.ui.scheme_editor import SchemeEditorDialog

SAMPLE_ID = "ceasefire-talks"


class Runner:
    """What the main window's ``run`` does: execute in one transaction, report refusals, keep for undo."""

    def __init__(self, project: Project, interaction: ScriptedInteraction) -> None:
        self.project = project
        self.interaction = interaction
        self.done: list[Command] = []

    def __call__(self, command: Command) -> bool:
        try:
            self.project.execute(command)
        except AnnotatorError as e:
            self.interaction.error("Annotator", str(e))
            return False
        self.done.append(command)
        return True

    def undo(self) -> None:
        self.project.revert(self.done.pop())


@pytest.fixture
def proj(project: Project, sample_text: str) -> Project:
    if not isinstance(project, SchemeStoreMixin):  # until the mixin is one of Project's bases
        project.__class__ = type("ProjectWithSchemeEdits", (SchemeStoreMixin, Project), {})
    for phrase, label, attrs in [
        ("Millions of people are needlessly dead", "QUOTE", {"kind": "mixed", "target": "ceasefire"}),
        ("get us out", "QUOTE", {"kind": "direct"}),
        ("the president", "SPEAKER", {}),
    ]:
        s = sample_text.index(phrase)
        project.execute(AddSpan(SAMPLE_ID, Span("", s, s + len(phrase), label, attrs)))
    return project


@pytest.fixture
def interaction() -> ScriptedInteraction:
    return ScriptedInteraction()


@pytest.fixture
def runner(proj: Project, interaction: ScriptedInteraction) -> Runner:
    return Runner(proj, interaction)


@pytest.fixture
def dialog(qtbot: Any, proj: Project, runner: Runner, interaction: ScriptedInteraction) -> SchemeEditorDialog:
    d = SchemeEditorDialog(proj, runner, interaction)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    return d


def state(p: Project) -> tuple[Any, ...]:
    return (
        p.scheme,
        p.db.execute("SELECT * FROM spans ORDER BY id").fetchall(),
        p.db.execute("SELECT * FROM relations ORDER BY id").fetchall(),
    )


def labels(p: Project) -> list[str]:
    return [s.label for s in p.spans(SAMPLE_ID)]


def attribute_row(dialog: SchemeEditorDialog, name: str) -> int:
    row = dialog.attributes.row_of(name)
    assert row >= 0
    return row


def errors(interaction: ScriptedInteraction) -> list[str]:
    return [m for kind, _, m in interaction.messages if kind == "error"]


def test_shows_scheme_name_version_and_labels(dialog: SchemeEditorDialog) -> None:
    assert dialog.title.text() == "news-attribution · version 1"
    items = [dialog.label_list.item(i).text() for i in range(dialog.label_list.count())]
    assert items == ["QUOTE   [Q]", "SPEAKER   [S]", "CUE   [V]", "CLAIM   [C]"]
    assert dialog.name_edit.text() == "QUOTE"
    assert dialog.shortcut_edit.maxLength() == 1
    table = dialog.attributes.table
    assert [table.item(r, 0).text() for r in range(table.rowCount())] == [
        "kind", "stance", "target", "person"
    ]
    assert table.item(0, 1).text() == "direct, indirect, mixed"
    assert table.item(1, 2).checkState() == Qt.CheckState.Checked  # stance is ordered
    assert table.item(2, 1).text() == "(the stance targets)"


def test_rename_label_through_the_name_field_renames_the_spans(
    qtbot: Any, dialog: SchemeEditorDialog, proj: Project, runner: Runner
) -> None:
    before = state(proj)
    dialog.name_edit.setFocus()
    dialog.name_edit.selectAll()
    qtbot.keyClicks(dialog.name_edit, "STATEMENT")
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    assert labels(proj) == ["STATEMENT", "STATEMENT", "SPEAKER"]
    assert dialog.label_list.currentItem().text() == "STATEMENT   [Q]"
    assert dialog.title.text() == "news-attribution · version 2"
    assert dialog.isVisible()  # Return finished the field; it did not press a button
    assert runner.done[-1].text == "Rename label QUOTE to STATEMENT"
    runner.undo()
    dialog.refresh()
    assert state(proj) == before
    assert dialog.name_edit.text() == "QUOTE"


def test_remove_a_value_in_use_asks_first(
    dialog: SchemeEditorDialog, proj: Project, interaction: ScriptedInteraction
) -> None:
    before = state(proj)
    row = attribute_row(dialog, "kind")
    interaction.answers.append(False)
    dialog.attributes.table.item(row, 1).setText("direct, indirect")
    kind, title, message = interaction.messages[-1]
    assert kind == "confirm" and title == "Remove values"
    assert "“mixed”: 1 annotation in 1 document" in message
    assert state(proj) == before
    assert dialog.attributes.table.item(row, 1).text() == "direct, indirect, mixed"  # shown as stored

    interaction.answers.append(True)
    dialog.attributes.table.item(row, 1).setText("direct, indirect")
    assert proj.scheme.label("QUOTE").attribute("kind").values == ("direct", "indirect")
    assert proj.span(SAMPLE_ID, "q1").attrs.get("kind") is None
    assert proj.span(SAMPLE_ID, "q2").attrs["kind"] == "direct"
    assert errors(interaction) == []


def test_replacing_one_value_renames_it_and_adding_values_needs_no_question(
    dialog: SchemeEditorDialog, proj: Project, interaction: ScriptedInteraction, runner: Runner
) -> None:
    row = attribute_row(dialog, "kind")
    dialog.attributes.table.item(row, 1).setText("direct, indirect, partial")
    assert runner.done[-1].text == "Rename QUOTE.kind value mixed to partial"
    assert proj.span(SAMPLE_ID, "q1").attrs["kind"] == "partial"
    dialog.attributes.table.item(row, 1).setText("direct, indirect, partial, other")
    assert proj.scheme.label("QUOTE").attribute("kind").values[-1] == "other"
    assert not [m for m in interaction.messages if m[0] == "confirm"]
    # replace a value and drop one in the same edit: one undo step, one question
    interaction.answers.append(True)
    dialog.attributes.table.item(row, 1).setText("indirect, partial, new")
    assert proj.scheme.label("QUOTE").attribute("kind").values == ("indirect", "partial", "new")
    assert runner.done[-1].text == "Edit values of QUOTE.kind"
    assert proj.span(SAMPLE_ID, "q2").attrs.get("kind") is None  # was "direct"


def test_shortcut_clash_and_reserved_key_are_refused_and_the_field_reverts(
    qtbot: Any, dialog: SchemeEditorDialog, proj: Project, interaction: ScriptedInteraction
) -> None:
    before = state(proj)
    dialog.select_label("SPEAKER")
    for key, message in (("q", "shortcut 'Q' is already used by QUOTE"), ("a", "'A' is reserved")):
        dialog.shortcut_edit.setFocus()
        dialog.shortcut_edit.selectAll()
        qtbot.keyClicks(dialog.shortcut_edit, key)
        qtbot.keyClick(dialog.shortcut_edit, Qt.Key.Key_Return)
        assert message in errors(interaction)[-1]
        assert errors(interaction)[-1].startswith("label SPEAKER: ")
        assert dialog.shortcut_edit.text() == "S"
    assert state(proj) == before
    dialog.shortcut_edit.selectAll()
    qtbot.keyClicks(dialog.shortcut_edit, "k")
    qtbot.keyClick(dialog.shortcut_edit, Qt.Key.Key_Return)
    assert proj.scheme.label("SPEAKER").shortcut == "K"
    assert dialog.label_list.currentItem().text() == "SPEAKER   [K]"


def test_colour_description_and_attributes(
    dialog: SchemeEditorDialog, proj: Project, interaction: ScriptedInteraction, runner: Runner
) -> None:
    dialog.pick_colour = lambda initial, title: QColor("#336699")
    dialog.choose_colour()
    assert proj.scheme.label("QUOTE").color == "#336699"
    assert dialog.colour_button.text().strip() == "#336699"
    dialog.description_edit.setPlainText("Words someone said. <b>not bold</b>")
    dialog.description_edit.committed.emit(dialog.description_edit.toPlainText())
    assert proj.scheme.label("QUOTE").description == "Words someone said. <b>not bold</b>"
    interaction.answers.append("tone")
    dialog.attributes.add_button.click()
    assert proj.scheme.label("QUOTE").attribute("tone") is not None
    row = attribute_row(dialog, "tone")
    dialog.attributes.table.item(row, 1).setText("calm, angry")
    assert proj.scheme.label("QUOTE").attribute("tone").values == ("calm", "angry")
    dialog.attributes.table.item(row, 2).setCheckState(Qt.CheckState.Checked)
    assert proj.scheme.label("QUOTE").attribute("tone").ordered
    dialog.attributes.table.item(row, 0).setText("mood")
    assert proj.scheme.label("QUOTE").attribute("mood") is not None
    assert proj.scheme.version == 7
    assert errors(interaction) == []


def test_remove_label_in_use_asks_and_is_undoable(
    dialog: SchemeEditorDialog, proj: Project, interaction: ScriptedInteraction, runner: Runner
) -> None:
    before = state(proj)
    interaction.answers.append(False)
    assert not dialog.remove_label("SPEAKER")
    assert "1 annotation in 1 document use the label SPEAKER" in interaction.messages[-1][2]
    assert "SAID_BY would have nothing left to link and goes too" in interaction.messages[-1][2]
    assert state(proj) == before
    interaction.answers.append(True)
    dialog.select_label("SPEAKER")
    dialog.remove_label_button.click()
    assert labels(proj) == ["QUOTE", "QUOTE"]
    assert dialog.label_list.count() == 3
    runner.undo()
    dialog.refresh()
    assert state(proj) == before
    assert dialog.label_list.count() == 4


def test_stance_targets(
    dialog: SchemeEditorDialog, proj: Project, interaction: ScriptedInteraction
) -> None:
    dialog.tabs.setCurrentIndex(1)
    dialog.target_list.setCurrentRow(0)
    interaction.answers.append("truce")
    dialog._rename_selected_target()
    assert proj.scheme.targets[0] == "truce"
    assert proj.span(SAMPLE_ID, "q1").attrs["target"] == "truce"
    interaction.answers.append("elections")
    dialog.ask_add_target()
    assert dialog.target_list.item(3).text() == "elections"
    interaction.answers.append(False)
    assert not dialog.remove_target("truce")
    assert "1 annotation in 1 document name the target “truce”" in interaction.messages[-1][2]
    interaction.answers.append(True)
    assert dialog.remove_target("truce")
    assert "target" not in proj.span(SAMPLE_ID, "q1").attrs


def test_document_labels_tab(dialog: SchemeEditorDialog, proj: Project, interaction: ScriptedInteraction) -> None:
    table = dialog.document_attributes.table
    assert [table.item(r, 0).text() for r in range(table.rowCount())] == ["stance", "topic"]
    assert table.item(1, 3).checkState() == Qt.CheckState.Checked  # topic is free text
    interaction.answers.append("region")
    dialog.document_attributes.add_button.click()
    assert proj.scheme.document_label("region") is not None


def test_export_then_import_and_bad_files(
    dialog: SchemeEditorDialog, proj: Project, interaction: ScriptedInteraction, tmp_path: Path
) -> None:
    out = tmp_path / "team.json"
    interaction.answers.append(str(out))
    assert dialog.choose_export()
    assert out.read_text(encoding="utf-8") == scheme_json(proj.scheme)

    data = json.loads(out.read_text(encoding="utf-8"))
    data["name"], data["version"] = "team", 4
    data["labels"][3]["color"] = "#000000"
    out.write_text(json.dumps(data), encoding="utf-8")
    interaction.answers.extend([str(out), True])
    assert dialog.choose_import()
    assert (proj.scheme.name, proj.scheme.version) == ("team", 4)
    assert dialog.title.text() == "team · version 4"

    before = state(proj)
    data["labels"][1]["shortcut"] = "Q"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    interaction.answers.append(str(bad))
    assert not dialog.choose_import()
    assert errors(interaction)[-1] == (
        f"{bad}: labels[1] (SPEAKER): shortcut 'Q' is already used by QUOTE\n\nNothing was changed."
    )
    del data["labels"][0]  # QUOTE is in use
    data["relations"] = []
    small = tmp_path / "small.json"
    small.write_text(json.dumps(data), encoding="utf-8")
    interaction.answers.extend([str(small), True])
    assert not dialog.choose_import()
    assert "label QUOTE (2)" in errors(interaction)[-1]
    assert state(proj) == before


def test_with_the_main_window_undo_stack(qtbot: Any, proj: Project) -> None:
    """The real window's ``run``: one undo step per edit, named after it."""
    from annotator.ui.main_window import MainWindow

    interaction = ScriptedInteraction()
    window = MainWindow(proj, interaction=interaction)
    qtbot.addWidget(window)
    d = SchemeEditorDialog(proj, window.run, interaction, window, undo_stack=window.undo_stack)
    qtbot.addWidget(d)
    assert d.rename_label("CUE", "VERB")
    assert window.undo_stack.undoText() == "Rename label CUE to VERB"
    d.undo_button.click()  # the dialog follows the stack
    assert proj.scheme.label("CUE") is not None
    assert d.label_list.item(2).text() == "CUE   [V]"
    # closing commits a guideline text still being typed, and stops following the stack
    original = proj.scheme.label("QUOTE").description
    assert d.current == "QUOTE"
    d.description_edit.setPlainText("Typed, not yet committed.")
    d.close_button.click()
    assert proj.scheme.label("QUOTE").description == "Typed, not yet committed."
    assert window.undo_stack.undoText() == "Edit description of QUOTE"
    window.undo_stack.undo()
    assert proj.scheme.label("QUOTE").description == original
    assert [m for m in interaction.messages if m[0] == "error"] == []


def test_screenshot(qtbot: Any, dialog: SchemeEditorDialog) -> None:
    dialog.resize(940, 640)
    qtbot.wait(50)
    assert dialog.grab().save("/tmp/scheme_editor.png")
    dialog.tabs.setCurrentIndex(1)
    qtbot.wait(20)
    assert dialog.grab().save("/tmp/scheme_editor_targets.png")
    dialog.tabs.setCurrentIndex(2)
    qtbot.wait(20)
    assert dialog.grab().save("/tmp/scheme_editor_documents.png")
