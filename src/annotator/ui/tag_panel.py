"""The tagging panel: label buttons, the selected annotation's editor, the document's annotations.

It only shows state and emits what the user asked for; the main window turns
those requests into commands.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.core.model import AttrValue, Span
from annotator.core.scheme import Label, Scheme

_Index = QModelIndex | QPersistentModelIndex


def _excerpt(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class SpanTableModel(QAbstractTableModel):
    """The document's annotations in text order: an adapter over a list of spans."""

    HEADERS = ("Label", "Text", "Attributes")

    def __init__(self) -> None:
        super().__init__()
        self._spans: list[Span] = []
        self._text = ""
        self._colors: Mapping[str, str] = {}

    def reset(self, text: str, spans: Sequence[Span], colors: Mapping[str, str]) -> None:
        self.beginResetModel()
        self._text = text
        self._spans = sorted(spans, key=lambda s: (s.start, -s.end, s.id))
        self._colors = colors
        self.endResetModel()

    def row_of(self, span_id: str) -> int:
        return next((i for i, s in enumerate(self._spans) if s.id == span_id), -1)

    def span_at(self, row: int) -> Span | None:
        return self._spans[row] if 0 <= row < len(self._spans) else None

    def upsert(self, span: Span) -> None:
        self.remove(span.id)
        key = (span.start, -span.end, span.id)
        row = next(
            (i for i, s in enumerate(self._spans) if (s.start, -s.end, s.id) > key), len(self._spans)
        )
        self.beginInsertRows(QModelIndex(), row, row)
        self._spans.insert(row, span)
        self.endInsertRows()

    def remove(self, span_id: str) -> None:
        row = self.row_of(span_id)
        if row >= 0:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._spans[row]
            self.endRemoveRows()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._spans)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: _Index, role: int = 0) -> object:
        span = self.span_at(index.row())
        if span is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return span.label
            if col == 1:
                return _excerpt(span.text_in(self._text))
            return ", ".join(f"{k}={v}" for k, v in span.attrs.items() if v not in (None, ""))
        if role == Qt.ItemDataRole.ToolTipRole and col == 1:
            return f"<p>{html.escape(span.text_in(self._text))}</p>"
        if role == Qt.ItemDataRole.DecorationRole and col == 0:
            return QColor(self._colors.get(span.label, "#999999"))
        return None


class TagPanel(QWidget):
    """Right-hand panel. Signals carry the user's intent; the window executes it."""

    tagRequested = Signal(str)  # label name
    labelChangeRequested = Signal(str, str)  # span id, new label
    attributeChangeRequested = Signal(str, str, object)  # span id, attribute, value (None clears)
    deleteRequested = Signal(str)  # span id
    spanChosen = Signal(str)  # span id picked in the list

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TagPanel")
        self._scheme = Scheme()
        self._span: Span | None = None
        self._updating = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)

        self.labels_box = QGroupBox("Tag the selection")
        self.labels_layout = QVBoxLayout(self.labels_box)
        self.labels_layout.setSpacing(4)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setObjectName("hint")
        layout.addWidget(self.labels_box)

        self.editor = QGroupBox("Selected annotation")
        form = QFormLayout(self.editor)
        self.span_text = QLabel()
        self.span_text.setWordWrap(True)
        self.span_text.setTextFormat(Qt.TextFormat.PlainText)
        self.span_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label_combo = QComboBox()
        self.label_combo.setObjectName("label_combo")
        self.label_combo.currentTextChanged.connect(self._on_label_combo)
        form.addRow(self.span_text)
        form.addRow("Label", self.label_combo)
        self.attr_form = QFormLayout()
        form.addRow(self.attr_form)
        self.delete_button = QPushButton("Delete annotation")
        self.delete_button.setObjectName("delete_button")
        self.delete_button.clicked.connect(self._on_delete)
        form.addRow(self.delete_button)
        self.guideline = QLabel()
        self.guideline.setWordWrap(True)
        self.guideline.setTextFormat(Qt.TextFormat.PlainText)
        self.guideline.setObjectName("guideline")
        form.addRow(self.guideline)
        layout.addWidget(self.editor)

        self.table_title = QLabel("Annotations in this document")
        layout.addWidget(self.table_title)
        self.model = SpanTableModel()
        self.table = QTableView()
        self.table.setObjectName("span_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(0, 104)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.clicked.connect(self._on_table_clicked)
        self.table.activated.connect(self._on_table_clicked)
        layout.addWidget(self.table, 1)
        self.show_span(None, "")

    # ---- scheme -------------------------------------------------------
    def set_scheme(self, scheme: Scheme) -> None:
        self._scheme = scheme
        while self.labels_layout.count():
            item = self.labels_layout.takeAt(0)
            if item and item.widget():
                item.widget().deleteLater()
        for label in scheme.labels:
            self.labels_layout.addWidget(self._label_button(label))
        self.hint.setText(
            "Select text, then press a label's key. Hold Shift to tag exactly "
            "(no snapping to whole words). Click a highlight to edit it."
        )
        self.labels_layout.addWidget(self.hint)
        self._updating = True
        self.label_combo.clear()
        self.label_combo.addItems([lab.name for lab in scheme.labels])
        self._updating = False

    def _label_button(self, label: Label) -> QPushButton:
        key = f"  [{label.shortcut}]" if label.shortcut else ""
        button = QPushButton(f"{label.name}{key}")
        button.setObjectName(f"tag_{label.name}")
        button.setToolTip(_guideline_html(label))
        button.setStyleSheet(
            f"QPushButton {{ text-align: left; padding: 5px 8px; border-left: 6px solid {label.color}; }}"
        )
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.clicked.connect(lambda _=False, n=label.name: self.tagRequested.emit(n))
        return button

    # ---- the selected annotation -------------------------------------
    def show_span(self, span: Span | None, text: str) -> None:
        self._span = span
        self._updating = True
        try:
            while self.attr_form.rowCount():
                self.attr_form.removeRow(0)
            self.editor.setEnabled(span is not None)
            if span is None:
                self.span_text.setText("Nothing selected. Click a highlight or pick one below.")
                self.guideline.setText("")
                self.label_combo.setCurrentIndex(-1)
                self.table.clearSelection()
                return
            self.span_text.setText(f"“{_excerpt(span.text_in(text), 300)}”")
            self.label_combo.setCurrentText(span.label)
            label = self._scheme.label(span.label)
            if label is not None:
                for attr in label.attributes:
                    self.attr_form.addRow(attr.name, self._attr_editor(span, attr.name))
                self.guideline.setText(_guideline_text(label))
            row = self.model.row_of(span.id)
            if row >= 0:
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0))
        finally:
            self._updating = False

    def _attr_editor(self, span: Span, name: str) -> QWidget:
        label = self._scheme.label(span.label)
        attr = label.attribute(name) if label else None
        current = span.attrs.get(name)
        if attr is not None and attr.values and not attr.free:
            combo = QComboBox()
            combo.setObjectName(f"attr_{name}")
            combo.addItem("—", None)
            for v in attr.values:
                combo.addItem(v, v)
            idx = combo.findData(current) if current is not None else 0
            combo.setCurrentIndex(max(idx, 0))
            combo.currentIndexChanged.connect(
                lambda _i, c=combo, n=name: self._emit_attr(n, c.currentData())
            )
            return combo
        edit = QLineEdit("" if current is None else str(current))
        edit.setObjectName(f"attr_{name}")
        if name == "target" and self._scheme.targets:
            edit.setPlaceholderText(", ".join(self._scheme.targets))
        edit.editingFinished.connect(lambda e=edit, n=name: self._emit_attr(n, e.text().strip() or None))
        return edit

    def _emit_attr(self, name: str, value: AttrValue) -> None:
        if self._updating or self._span is None:
            return
        if self._span.attrs.get(name) == value:
            return
        self.attributeChangeRequested.emit(self._span.id, name, value)

    def _on_label_combo(self, name: str) -> None:
        if self._updating or self._span is None or not name or name == self._span.label:
            return
        self.labelChangeRequested.emit(self._span.id, name)

    def _on_delete(self) -> None:
        if self._span is not None:
            self.deleteRequested.emit(self._span.id)

    def _on_table_clicked(self, index: QModelIndex) -> None:
        span = self.model.span_at(index.row())
        if span is not None:
            self.spanChosen.emit(span.id)


def _guideline_text(label: Label) -> str:
    parts = [label.description] if label.description else []
    if label.example:
        parts.append(f"Example: {label.example}")
    return "\n".join(parts)


def _guideline_html(label: Label) -> str:
    return "<p>" + html.escape(_guideline_text(label) or label.name).replace("\n", "<br>") + "</p>"
