"""A real main window on a real project file, offscreen, with scripted dialogs."""

from __future__ import annotations

import pytest

from annotator.store import Project
from annotator.ui.interaction import ScriptedInteraction
from annotator.ui.main_window import MainWindow


@pytest.fixture
def interaction() -> ScriptedInteraction:
    return ScriptedInteraction()


@pytest.fixture
def window(qtbot, project: Project, interaction: ScriptedInteraction) -> MainWindow:  # type: ignore[no-untyped-def]
    win = MainWindow(project, interaction=interaction)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    win.view.setFocus()
    return win
