"""Watch for the PySide6 6.12.0 crash that the dependency pin (!=6.12.0) keeps out."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    from PySide6.QtWidgets import QApplication, QTextEdit

    app = QApplication([])
    edit = QTextEdit()
    edit.setPlainText("some text " * 100)
    selections = []
    for _ in range(5000):
        sel = QTextEdit.ExtraSelection()
        sel.cursor = edit.textCursor()
        selections.append(sel)
    edit.setExtraSelections(selections)
    del selections
    app.processEvents()
    print("ok")
    """
)


def test_many_extra_selection_cursor_assignments_do_not_crash() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0 and "ok" in proc.stdout, (
        "PySide6 6.12.0 crashes here (none_dealloc); keep the pin PySide6-Essentials!=6.12.0\n"
        f"exit code {proc.returncode}\nstderr:\n{proc.stderr[-2000:]}"
    )
