"""Find in the article: a slim bar above the text; every match highlighted, Enter for the next.

Matching runs on the stored text (code points), case-insensitively, never on
the widget's text.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

#: More matches than this are not all highlighted (the count still says how many).
MAX_HIGHLIGHTS = 5000


def find_all(text: str, needle: str) -> list[tuple[int, int]]:
    """Case-insensitive matches of ``needle`` in ``text`` as code-point ranges."""
    if not needle:
        return []
    hay, pat = text.casefold(), needle.casefold()
    if len(hay) != len(text) or len(pat) != len(needle):  # casefold changed lengths (ß, ﬁ…)
        hay, pat = text.lower(), needle.lower()
        if len(hay) != len(text):
            hay, pat = text, needle
    out: list[tuple[int, int]] = []
    i = hay.find(pat)
    while i >= 0:
        out.append((i, i + len(pat)))
        i = hay.find(pat, i + max(1, len(pat)))
    return out


class FindBar(QWidget):
    searchChanged = Signal(str)
    stepRequested = Signal(int)
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("find_bar")
        self.edit = QLineEdit()
        self.edit.setObjectName("find_edit")
        self.edit.setPlaceholderText("Find in article (Enter: next, Shift+Enter: previous, Esc: close)")
        self.edit.setClearButtonEnabled(True)
        self.edit.textChanged.connect(self.searchChanged.emit)
        self.edit.installEventFilter(self)
        self.count = QLabel()
        self.count.setObjectName("find_count")
        prev_button = QToolButton()
        prev_button.setText("▲")
        prev_button.setToolTip("Previous match (Shift+F3)")
        prev_button.clicked.connect(lambda: self.stepRequested.emit(-1))
        next_button = QToolButton()
        next_button.setText("▼")
        next_button.setToolTip("Next match (F3)")
        next_button.clicked.connect(lambda: self.stepRequested.emit(+1))
        close = QToolButton()
        close.setText("✕")
        close.setToolTip("Close (Esc)")
        close.clicked.connect(self.close_bar)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(24, 4, 24, 4)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.count)
        layout.addWidget(prev_button)
        layout.addWidget(next_button)
        layout.addWidget(close)
        self.hide()

    def open_bar(self, text: str = "") -> None:
        if text:
            self.edit.setText(text)
        self.show()
        self.edit.setFocus()
        self.edit.selectAll()

    def close_bar(self) -> None:
        self.hide()
        self.closed.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit and event.type() == QEvent.Type.ShortcutOverride:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Escape, Qt.Key.Key_Return, Qt.Key.Key_Enter):
                event.accept()  # ours, not the window's Esc (clear selection) shortcut
                return True
        if watched is self.edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                shift = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
                self.stepRequested.emit(-1 if shift else +1)
                return True
            if event.key() == Qt.Key.Key_Escape:
                self.close_bar()
                return True
        return super().eventFilter(watched, event)
