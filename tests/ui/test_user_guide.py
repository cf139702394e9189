"""The user guide names every action and every shortcut the app has."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QKeySequence

from annotator.resources import user_guide
from annotator.ui.actions import ACTIONS
from annotator.ui.main_window import MainWindow


def guide_text() -> str:
    path = user_guide()
    assert path is not None, "docs/user-guide.md is missing"
    return path.read_text(encoding="utf-8")


def test_every_action_is_in_the_guide() -> None:
    text = guide_text()
    missing = [a.text.replace("&", "").rstrip("…") for a in ACTIONS if a.text.replace("&", "").rstrip("…") not in text]
    assert missing == []


def test_every_shortcut_of_the_window_is_in_the_guide(window: MainWindow) -> None:
    text = guide_text()
    keys = {
        seq.toString(QKeySequence.SequenceFormat.PortableText)
        for action in window.findChildren(type(window.actions_by_name["quit"]))
        for seq in action.shortcuts()
        if not seq.isEmpty()
    }
    missing = sorted(k for k in keys if f"`{k}`" not in text)
    assert missing == []


def test_every_picture_the_guide_shows_exists() -> None:
    path = user_guide()
    assert path is not None
    import re

    for image in re.findall(r"\]\((images/[^)]+)\)", guide_text()):
        assert (Path(path).parent / image).is_file(), image
