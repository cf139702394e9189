"""Preferences change the window at once and persist; recent projects are remembered."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from annotator.core.scheme import PALETTE
from annotator.store import Project, open_project
from annotator.ui.interaction import ScriptedInteraction
from annotator.ui.main_window import MainWindow
from annotator.ui.preferences import PreferencesDialog
from annotator.ui.settings import Preferences, Settings

SAMPLE_ID = "ceasefire-talks"


def make_window(qtbot, project: Project, tmp_path: Path) -> MainWindow:  # type: ignore[no-untyped-def]
    win = MainWindow(project, interaction=ScriptedInteraction(), settings=Settings.at(tmp_path / "s.ini"))
    qtbot.addWidget(win)
    return win


@pytest.fixture
def restore_style(qapp):  # type: ignore[no-untyped-def]
    style = qapp.style().name()
    yield
    qapp.setStyle(style)
    qapp.styleHints().setColorScheme(Qt.ColorScheme.Unknown)
    qapp.setPalette(qapp.style().standardPalette())


def test_preferences_apply_and_persist(qtbot, project: Project, tmp_path: Path, sample_text: str, restore_style) -> None:  # type: ignore[no-untyped-def]
    win = make_window(qtbot, project, tmp_path)
    prefs = Preferences(annotator="Bea", font_size=17.0, snapping=False, theme="dark", colorblind_palette=True)
    win.save_preferences(prefs)
    assert win.view.font().pointSizeF() == 17.0
    assert Settings.at(tmp_path / "s.ini").preferences() == Preferences(
        annotator="Bea", font_family="", font_size=17.0, snapping=False, theme="dark", colorblind_palette=True
    )
    assert win.colors()["QUOTE"] == PALETTE[0] and win.colors()["SPEAKER"] == PALETTE[1]
    from PySide6.QtWidgets import QApplication

    assert QApplication.palette().window().color().lightness() < 80  # the dark theme is on
    assert QApplication.palette().base().color().lightness() < 80
    # snapping off: a plain key tags exactly what is selected
    start = sample_text.index("Witkoff")
    win.view.select_cp(start + 1, start + 4)
    win.tag("SPEAKER")
    (span,) = project.spans(SAMPLE_ID)
    assert sample_text[span.start : span.end] == "itk"


def test_preferences_dialog_reads_back_what_was_chosen(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = PreferencesDialog(Preferences(annotator="Al", font_size=13, theme="light"))
    qtbot.addWidget(dialog)
    dialog.snapping.setChecked(False)
    dialog.theme.setCurrentIndex(2)
    got = dialog.preferences()
    assert (got.annotator, got.font_size, got.snapping, got.theme) == ("Al", 13.0, False, "dark")


def test_recent_projects_menu(qtbot, project: Project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    win = make_window(qtbot, project, tmp_path)
    other_path = tmp_path / "other.annotator"
    open_project(other_path, create=True, owner="x").close()
    win._remember(project.path)
    assert win.open_project_file(other_path)
    recent = Settings.at(tmp_path / "s.ini").recent_projects()
    assert recent[:2] == [other_path.resolve(), project.path.resolve()]
    texts = [a.text() for a in win.recent_menu.actions()]
    assert texts[0].startswith("&1 other.annotator")
    win.recent_menu.actions()[1].trigger()
    assert win.project.path.resolve() == project.path.resolve()
