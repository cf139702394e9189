"""The tagging panel: label buttons, the selected annotation's editor, the document's annotations.

It only shows state and emits what the user asked for; the main window turns
those requests into commands.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from annotator.core.model import AttrValue, Person, Span
from annotator.core.scheme import Attribute, Label, Scheme

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
    spanChosen = Signal(str)  # span id picked in a list
    attributeRequested = Signal()  # open the attribution picker for the selected span
    personEditRequested = Signal(str)  # name: rename / edit role and organisation
    personMergeRequested = Signal(str)  # name: merge into another person
    personAddRequested = Signal()
    documentLabelRequested = Signal(str, object)  # name, value (None clears)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TagPanel")
        self._scheme = Scheme()
        self._span: Span | None = None
        self._updating = False
        self.people_names: list[str] = []

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)

        self.labels_box = QGroupBox("Tag the selection")
        self.labels_layout = QGridLayout(self.labels_box)
        self.labels_layout.setSpacing(4)
        self.hint = QLabel(
            "Select text, then press a label's key (Shift+key: exactly as selected). "
            "Click a highlight to edit it; A attributes a quote to its speaker."
        )
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
        self.attribute_button = QPushButton("Attribute to speaker…  [A]")
        self.attribute_button.setObjectName("attribute_button")
        self.attribute_button.clicked.connect(lambda: self.attributeRequested.emit())
        form.addRow(self.attribute_button)
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

        self.doc_box = QGroupBox("Document")
        self.doc_form = QFormLayout(self.doc_box)
        layout.addWidget(self.doc_box)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("panel_tabs")
        self.model = SpanTableModel()
        self.table = QTableView()
        self.table.setObjectName("span_table")
        self.table.setModel(self.model)
        self._setup_table(self.table)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(0, 104)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.clicked.connect(self._on_table_clicked)
        self.table.activated.connect(self._on_table_clicked)
        self.tabs.addTab(self.table, "Annotations")

        self.quotes = QTableWidget(0, 3)
        self.quotes.setObjectName("quote_table")
        self.quotes.setHorizontalHeaderLabels(["Speaker", "Quote", "Stance"])
        self._setup_table(self.quotes)
        qh = self.quotes.horizontalHeader()
        qh.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        qh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        qh.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.quotes.cellClicked.connect(lambda row, _c: self._emit_row_span(self.quotes, row))
        self.quotes.cellActivated.connect(lambda row, _c: self._emit_row_span(self.quotes, row))
        self.tabs.addTab(self.quotes, "Quotes")

        people_page = QWidget()
        pl = QVBoxLayout(people_page)
        pl.setContentsMargins(0, 4, 0, 0)
        self.people = QTableWidget(0, 3)
        self.people.setObjectName("people_table")
        self.people.setHorizontalHeaderLabels(["Person", "Role, organisation", "Mentions"])
        self._setup_table(self.people)
        ph = self.people.horizontalHeader()
        ph.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        ph.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        ph.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.people.cellActivated.connect(lambda row, _c: self._emit_person(row, edit=True))
        pl.addWidget(self.people, 1)
        buttons = QHBoxLayout()
        for text, name, slot in (
            ("Add…", "person_add", lambda: self.personAddRequested.emit()),
            ("Rename / edit…", "person_edit", lambda: self._emit_person(-1, edit=True)),
            ("Merge into…", "person_merge", lambda: self._emit_person(-1, edit=False)),
        ):
            button = QPushButton(text)
            button.setObjectName(name)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        pl.addLayout(buttons)
        self.tabs.addTab(people_page, "People")

        self.guidelines = QTextBrowser()
        self.guidelines.setObjectName("guidelines")
        self.guidelines.setOpenLinks(False)
        self.tabs.addTab(self.guidelines, "Guidelines")
        layout.addWidget(self.tabs, 1)
        self.show_span(None, "")

    # ---- scheme -------------------------------------------------------
    def set_scheme(self, scheme: Scheme) -> None:
        self._scheme = scheme
        while self.labels_layout.count():
            item = self.labels_layout.takeAt(0)
            widget = item.widget() if item else None
            if widget is not None and widget is not self.hint:
                widget.deleteLater()
        for i, label in enumerate(scheme.labels):
            self.labels_layout.addWidget(self._label_button(label), i // 2, i % 2)
        rows = (len(scheme.labels) + 1) // 2
        self.labels_layout.addWidget(self.hint, rows, 0, 1, 2)
        self._updating = True
        self.label_combo.clear()
        self.label_combo.addItems([lab.name for lab in scheme.labels])
        self._updating = False
        self.guidelines.setHtml(
            "".join(
                f"<h3 style='color:{lab.color}'>{html.escape(lab.name)}"
                f"{' &nbsp;[' + html.escape(lab.shortcut) + ']' if lab.shortcut else ''}</h3>"
                f"<p>{html.escape(_guideline_text(lab)).replace(chr(10), '<br>')}</p>"
                for lab in scheme.labels
            )
        )

    @staticmethod
    def _setup_table(table: QTableView) -> None:
        table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        table.verticalHeader().hide()
        table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        table.setWordWrap(False)
        table.setAlternatingRowColors(True)

    def _emit_row_span(self, table: QTableWidget, row: int) -> None:
        item = table.item(row, 0)
        if item is not None:
            self.spanChosen.emit(str(item.data(Qt.ItemDataRole.UserRole)))

    def _emit_person(self, row: int, *, edit: bool) -> None:
        row = row if row >= 0 else self.people.currentRow()
        item = self.people.item(row, 0) if row >= 0 else None
        if item is None:
            return
        name = str(item.data(Qt.ItemDataRole.UserRole))
        (self.personEditRequested if edit else self.personMergeRequested).emit(name)

    # ---- lists ---------------------------------------------------------
    def set_quotes(self, rows: Sequence[tuple[str, str, str, str]]) -> None:
        """(span id, speaker, quote text, stance) for every quote and claim."""
        self.quotes.setRowCount(0)
        self.quotes.setRowCount(len(rows))
        for r, (span_id, speaker, text, stance) in enumerate(rows):
            for c, value in enumerate((speaker or "— unattributed", _excerpt(text), stance or "")):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, span_id)
                if c == 1:
                    item.setToolTip(f"<p>{html.escape(text)}</p>")
                self.quotes.setItem(r, c, item)
        self.tabs.setTabText(1, f"Quotes ({len(rows)})")

    def set_people(self, people: Sequence[tuple[Person, int]]) -> None:
        self.people_names = [p.name for p, _ in people]
        self.people.setRowCount(0)
        self.people.setRowCount(len(people))
        for r, (person, count) in enumerate(people):
            extra = ", ".join(x for x in (person.role, person.organisation) if x)
            for c, value in enumerate((person.name, extra, str(count))):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, person.name)
                self.people.setItem(r, c, item)
        self.tabs.setTabText(2, f"People ({len(people)})")

    def set_document_labels(self, labels: Mapping[str, AttrValue] | None) -> None:
        self._updating = True
        try:
            while self.doc_form.rowCount():
                self.doc_form.removeRow(0)
            self.doc_box.setEnabled(labels is not None)
            for attr in self._scheme.document_labels:
                current = (labels or {}).get(attr.name)
                editor = self._value_editor(
                    attr, current, lambda v, n=attr.name: self._emit_doc_label(n, v)
                )
                editor.setObjectName(f"doclabel_{attr.name}")
                self.doc_form.addRow(attr.name.capitalize(), editor)
        finally:
            self._updating = False

    def _emit_doc_label(self, name: str, value: AttrValue) -> None:
        if not self._updating:
            self.documentLabelRequested.emit(name, value)

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
            kind = self._scheme.relation("SAID_BY")
            self.attribute_button.setVisible(kind is not None and span.label in kind.heads)
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
        assert attr is not None
        editor = self._value_editor(attr, span.attrs.get(name), lambda v: self._emit_attr(name, v))
        editor.setObjectName(f"attr_{name}")
        return editor

    def _value_editor(
        self, attr: Attribute, current: AttrValue, emit: Callable[[AttrValue], None]
    ) -> QWidget:
        """A combo box for listed values (the scheme's, the targets, the people), else a line."""
        if attr.source == "people":
            combo = QComboBox()
            combo.setEditable(True)
            combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            combo.addItem("")
            combo.addItems(self.people_names)
            combo.setCurrentText("" if current is None else str(current))
            combo.lineEdit().setPlaceholderText("type a name; new names join the register")
            completer = combo.completer()
            if completer is not None:
                completer.setFilterMode(Qt.MatchFlag.MatchContains)
                completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            combo.lineEdit().editingFinished.connect(
                lambda c=combo: emit(c.currentText().strip() or None)
            )
            combo.activated.connect(lambda _i, c=combo: emit(c.currentText().strip() or None))
            return combo
        values = self._scheme.targets if attr.source == "targets" else attr.values
        if values and not attr.free:
            combo = QComboBox()
            combo.addItem("—", None)
            for v in values:
                combo.addItem(v, v)
            idx = combo.findData(current) if current is not None else 0
            combo.setCurrentIndex(max(idx, 0))
            combo.currentIndexChanged.connect(lambda _i, c=combo: emit(c.currentData()))
            return combo
        edit = QLineEdit("" if current is None else str(current))
        edit.editingFinished.connect(lambda e=edit: emit(e.text().strip() or None))
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
