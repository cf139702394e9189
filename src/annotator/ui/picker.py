"""The attribution picker: type to filter the people and mentions of this document, Enter to link.

Built on a ``QStandardItemModel`` behind a ``QSortFilterProxyModel``, so
filtering thousands of people stays well under a frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QModelIndex, QObject, QSortFilterProxyModel, Qt
from PySide6.QtGui import QKeyEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QListView, QVBoxLayout, QWidget

from annotator.core.model import Person


@dataclass(frozen=True)
class Choice:
    """What the user picked: a SPEAKER mention of this document, or a person of the register."""

    speaker_id: str | None = None
    person: str | None = None


@dataclass(frozen=True)
class Mention:
    span_id: str
    text: str
    person: str | None


_CHOICE = Qt.ItemDataRole.UserRole + 1


class PickerDialog(QDialog):
    def __init__(
        self,
        mentions: Sequence[Mention],
        people: Sequence[Person],
        *,
        title: str = "Attribute to…",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("picker")
        self.setWindowTitle(title)
        self.choice: Choice | None = None
        self.model = QStandardItemModel(self)
        for m in mentions:
            who = f"  →  {m.person}" if m.person else "  (no person yet)"
            item = QStandardItem(f"“{m.text}”{who}")
            item.setData(Choice(speaker_id=m.span_id), _CHOICE)
            item.setToolTip("A mention in this document: links the quote to it (SAID_BY)")
            item.setEditable(False)
            self.model.appendRow(item)
        for p in people:
            item = QStandardItem(f"{p.describe()}  ·  person")
            item.setData(Choice(person=p.name), _CHOICE)
            item.setToolTip("A person of the register: for a quote whose speaker is not named here")
            item.setEditable(False)
            self.model.appendRow(item)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

        self.filter = QLineEdit()
        self.filter.setObjectName("picker_filter")
        self.filter.setPlaceholderText("Type to filter people and mentions, Enter to link")
        self.filter.textChanged.connect(self._on_filter)
        self.filter.installEventFilter(self)
        self.list = QListView()
        self.list.setObjectName("picker_list")
        self.list.setModel(self.proxy)
        self.list.setUniformItemSizes(True)
        self.list.activated.connect(self._on_activated)
        hint = QLabel("Mentions in this document first, then the people register.")
        hint.setObjectName("hint")
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.list, 1)
        layout.addWidget(hint)
        self.resize(460, 420)
        self._select_first()

    def _on_filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        self._select_first()

    def _select_first(self) -> None:
        if self.proxy.rowCount():
            self.list.setCurrentIndex(self.proxy.index(0, 0))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Up/Down move in the list while typing; Enter picks."""
        if watched is self.filter and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
                self.list.keyPressEvent(event)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._on_activated(self.list.currentIndex())
                return True
        return super().eventFilter(watched, event)

    def _on_activated(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        self.choice = index.data(_CHOICE)
        self.accept()

    def visible_count(self) -> int:
        return self.proxy.rowCount()
