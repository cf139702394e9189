"""QUndoCommand adapters over core commands: the Qt undo stack, the core's undo logic.

A command is executed (one transaction) *before* it is pushed, so a failure
(disk full, a refused edit) is reported and never appears as done on the
stack; the first ``redo`` Qt makes on push is then skipped.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from annotator.core.commands import Change, Command
from annotator.store import Project

ChangeListener = Callable[[Change], None]


class UndoableCommand(QUndoCommand):
    def __init__(
        self,
        project: Project,
        command: Command,
        on_change: ChangeListener,
        on_error: Callable[[Exception], None],
    ) -> None:
        super().__init__(command.text)
        self.project = project
        self.command = command
        self.on_change = on_change
        self.on_error = on_error
        self._done = True  # executed before push

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        self._run(self.project.execute)

    def undo(self) -> None:
        self._run(self.project.revert)

    def _run(self, step: Callable[[Command], Change]) -> None:
        try:
            change = step(self.command)
        except Exception as e:  # disk full, file gone: say so, never crash the event loop
            self.on_error(e)
            return
        self.setText(self.command.text)
        self.on_change(change)
