"""Questions and messages to the user behind one seam, so windows run in tests without dialogs.

``Interaction`` shows real dialogs; tests pass a ``ScriptedInteraction`` with
the answers they want, instead of monkeypatching Qt.
"""

from __future__ import annotations

import sys
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget

if TYPE_CHECKING:
    from annotator.ui.picker import Choice, PickerDialog

class Interaction:
    def __init__(self, parent: QWidget | None = None) -> None:
        self.parent = parent

    def error(self, title: str, message: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, title, message, parent=self.parent)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.exec()

    def info(self, title: str, message: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, title, message, parent=self.parent)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.exec()

    def confirm(self, title: str, message: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, title, message, parent=self.parent)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes

    def show_dialog(self, dialog: QDialog) -> bool:
        """Run a modal dialog; True when it has finished (tests keep it open to drive it)."""
        dialog.exec()
        return True

    def ask_text(self, title: str, label: str, default: str = "") -> str | None:
        text, ok = QInputDialog.getText(
            self.parent, title, label, QLineEdit.EchoMode.Normal, default
        )
        return text if ok else None

    def pick(self, dialog: PickerDialog) -> Choice | None:
        """Show a picker; the choice, or None when cancelled."""
        return dialog.choice if dialog.exec() else None

    def open_files(self, title: str, filters: str) -> list[Path]:
        names, _ = QFileDialog.getOpenFileNames(self.parent, title, "", filters)
        return [Path(n) for n in names]

    def open_file(self, title: str, filters: str) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(self.parent, title, "", filters)
        return Path(name) if name else None

    def save_file(self, title: str, filters: str, suggested: str = "") -> Path | None:
        name, _ = QFileDialog.getSaveFileName(self.parent, title, suggested, filters)
        return Path(name) if name else None

    def open_folder(self, title: str) -> Path | None:
        name = QFileDialog.getExistingDirectory(self.parent, title)
        return Path(name) if name else None


class ScriptedInteraction(Interaction):
    """Answers from a script; records every message shown. For tests and batch runs."""

    def __init__(self, *answers: object) -> None:
        super().__init__(None)
        self.answers: deque[object] = deque(answers)
        self.messages: list[tuple[str, str, str]] = []

    def _next(self, default: object) -> object:
        return self.answers.popleft() if self.answers else default

    def error(self, title: str, message: str) -> None:
        self.messages.append(("error", title, message))

    def info(self, title: str, message: str) -> None:
        self.messages.append(("info", title, message))

    def confirm(self, title: str, message: str) -> bool:
        self.messages.append(("confirm", title, message))
        return bool(self._next(True))

    def show_dialog(self, dialog: QDialog) -> bool:
        self.messages.append(("dialog", dialog.windowTitle(), ""))
        dialog.show()
        return False

    def ask_text(self, title: str, label: str, default: str = "") -> str | None:
        answer = self._next(default)
        return None if answer is None else str(answer)

    def pick(self, dialog: PickerDialog) -> Choice | None:
        """A scripted ``Choice``, or a filter text (the first match is taken), or None."""
        answer = self._next(None)
        self.messages.append(("pick", dialog.windowTitle(), str(answer)))
        from annotator.ui.picker import Choice

        if answer is None or isinstance(answer, Choice):
            return answer
        dialog.filter.setText(str(answer))
        index = dialog.list.currentIndex()
        if not index.isValid():
            return None
        dialog._on_activated(index)
        return dialog.choice

    def open_files(self, title: str, filters: str) -> list[Path]:
        answer = self._next([])
        return [Path(p) for p in answer] if isinstance(answer, list | tuple) else []

    def open_file(self, title: str, filters: str) -> Path | None:
        answer = self._next(None)
        return Path(str(answer)) if answer else None

    def save_file(self, title: str, filters: str, suggested: str = "") -> Path | None:
        answer = self._next(None)
        return Path(str(answer)) if answer else None

    def open_folder(self, title: str) -> Path | None:
        answer = self._next(None)
        return Path(str(answer)) if answer else None


class UnattendedInteraction(ScriptedInteraction):
    """For smoke tests and benchmarks (ANNOTATOR_QUIT_WHEN_READY): never blocks on a dialog.

    Errors and notices go to stderr; questions take their default answer;
    confirmations are declined.
    """

    def __init__(self) -> None:
        super().__init__()

    def error(self, title: str, message: str) -> None:
        super().error(title, message)
        print(f"annotator: error: {message}", file=sys.stderr)

    def info(self, title: str, message: str) -> None:
        super().info(title, message)
        print(f"annotator: {message}", file=sys.stderr)

    def confirm(self, title: str, message: str) -> bool:
        self.messages.append(("confirm", title, message))
        return False
