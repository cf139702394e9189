"""The scheme editor: labels, attributes and values, colours, keys, guideline texts, targets.

Every edit becomes a ``core.scheme_edits`` command handed to ``run`` (the main
window's: one transaction, then onto the undo stack), so it is undoable from
Edit > Undo and renames reach every annotation. Removing something in use asks
first, saying how much uses it. The dialog only reads the project; after each
edit (or undo, via ``refresh``) it shows the stored scheme again.
"""

from __future__ import annotations

import contextlib
import html
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QColor, QFocusEvent, QIcon, QPainter, QPixmap, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QColorDialog,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from annotator.core.commands import Batch, Command
from annotator.core.errors import AnnotatorError
from annotator.core.scheme import Attribute, Label, Scheme
from annotator.core.scheme_edits import (
    RESERVED_KEYS,
    ImportScheme,
    RemoveAttribute,
    RemoveLabel,
    RemoveTarget,
    RemoveValue,
    RenameAttribute,
    RenameLabel,
    RenameTarget,
    RenameValue,
    SchemeRepository,
    SetScheme,
    add_attribute,
    add_label,
    add_target,
    attributes_of,
    load_scheme_file,
    move_label,
    relations_dropped_with,
    scheme_digest,
    scheme_json,
    target_usage,
    update_attribute,
    update_label,
    usage,
)
from annotator.ui.interaction import Interaction

SCHEME_FILTER = "Scheme files (*.json);;All files (*)"
UNDO_HINT = "Edit > Undo brings it back."

#: (stored source, what the source column shows)
SOURCES: tuple[tuple[str, str], ...] = (
    ("", "own list"),
    ("targets", "stance targets"),
    ("people", "people register"),
)

Run = Callable[[Command], bool]


def swatch(colour: str, size: int = 14) -> QIcon:
    """A filled square of the label's colour with a thin outline (readable on any theme)."""
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pix)
    painter.setPen(QColor("#444444"))
    painter.setBrush(QColor(colour) if QColor.isValidColorName(colour) else QColor("#999999"))
    painter.drawRect(0, 0, size - 1, size - 1)
    painter.end()
    icon = QIcon(pix)
    icon.addPixmap(pix, QIcon.Mode.Selected)  # the true colour on a selected row, not a tint
    return icon


def _tip(text: str) -> str:
    """Tooltips are rich text; file strings are escaped so they show as written."""
    return "<p>" + html.escape(text).replace("\n", "<br>") + "</p>" if text else ""


class CommitTextEdit(QPlainTextEdit):
    """A plain-text box that reports its text when it loses focus (like editingFinished)."""

    committed = Signal(str)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.committed.emit(self.toPlainText())


class AttributeTable(QWidget):
    """The attributes of one label (or the document labels, ``label=None``) with their buttons."""

    COLUMNS = ("Name", "Values (comma-separated)", "Ordered", "Free text", "Values from")

    def __init__(self, editor: SchemeEditorDialog, object_prefix: str) -> None:
        super().__init__()
        self.editor = editor
        self.label: str | None = None
        self._filling = False
        self._attrs: tuple[Attribute, ...] = ()

        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setObjectName(f"{object_prefix}_table")
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, 120)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for col in (2, 3, 4):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemChanged.connect(self._on_item_changed)

        self.add_button = QPushButton("Add…")
        self.add_button.setObjectName(f"{object_prefix}_add")
        self.rename_button = QPushButton("Rename…")
        self.rename_button.setObjectName(f"{object_prefix}_rename")
        self.remove_button = QPushButton("Remove")
        self.remove_button.setObjectName(f"{object_prefix}_remove")
        self.add_button.clicked.connect(lambda: self.editor.add_attribute(self.label))
        self.rename_button.clicked.connect(self._rename_selected)
        self.remove_button.clicked.connect(self._remove_selected)

        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.rename_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    def show_attributes(self, label: str | None, attrs: Sequence[Attribute]) -> None:
        selected = self.selected_name()
        self.label = label
        self._attrs = tuple(attrs)
        self._filling = True
        try:
            self.table.setRowCount(0)
            for row, attr in enumerate(attrs):
                self.table.insertRow(row)
                name = QTableWidgetItem(attr.name)
                name.setToolTip(_tip(attr.description))
                self.table.setItem(row, 0, name)
                values = QTableWidgetItem(self._values_text(attr))
                if attr.source:
                    values.setFlags(values.flags() & ~Qt.ItemFlag.ItemIsEditable)
                    values.setForeground(self.palette().placeholderText())
                self.table.setItem(row, 1, values)
                for col, on in ((2, attr.ordered), (3, attr.free)):
                    box = QTableWidgetItem()
                    box.setFlags(
                        Qt.ItemFlag.ItemIsUserCheckable
                        | Qt.ItemFlag.ItemIsEnabled
                        | Qt.ItemFlag.ItemIsSelectable
                    )
                    box.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
                    self.table.setItem(row, col, box)
                combo = QComboBox()
                combo.setObjectName(f"source_{attr.name}")
                for value, text in SOURCES:
                    combo.addItem(text, value)
                combo.setCurrentIndex(max(0, combo.findData(attr.source)))
                combo.activated.connect(
                    lambda _i, c=combo, n=attr.name: self.editor.set_attribute_field(
                        self.label, n, source=str(c.currentData())
                    )
                )
                self.table.setCellWidget(row, 4, combo)
                if attr.name == selected:
                    self.table.selectRow(row)
        finally:
            self._filling = False
        self.remove_button.setEnabled(bool(attrs))
        self.rename_button.setEnabled(bool(attrs))

    @staticmethod
    def _values_text(attr: Attribute) -> str:
        if attr.source == "targets":
            return "(the stance targets)"
        if attr.source == "people":
            return "(names from the people register)"
        return ", ".join(attr.values)

    def selected_name(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        row = rows[0].row() if rows else self.table.currentRow()
        return self._attrs[row].name if 0 <= row < len(self._attrs) else None

    def row_of(self, name: str) -> int:
        return next((i for i, a in enumerate(self._attrs) if a.name == name), -1)

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling:
            return
        row, col = item.row(), item.column()
        if not 0 <= row < len(self._attrs):
            return
        attr = self._attrs[row]
        if col == 0:
            new = item.text().strip()
            if new and new != attr.name:
                self.editor.rename_attribute(self.label, attr.name, new)
            else:
                self.editor.refresh()
        elif col == 1:
            self.editor.edit_values(self.label, attr.name, item.text())
        elif col in (2, 3):
            on = item.checkState() == Qt.CheckState.Checked
            key = "ordered" if col == 2 else "free"
            if on != getattr(attr, key):
                self.editor.set_attribute_field(self.label, attr.name, **{key: on})

    def _rename_selected(self) -> None:
        name = self.selected_name()
        if name is not None:
            self.editor.ask_rename_attribute(self.label, name)

    def _remove_selected(self) -> None:
        name = self.selected_name()
        if name is not None:
            self.editor.remove_attribute(self.label, name)


class SchemeEditorDialog(QDialog):
    """Edit the project's scheme; every change is one undoable command given to ``run``."""

    def __init__(
        self,
        project: SchemeRepository,
        run: Run,
        interaction: Interaction,
        parent: QWidget | None = None,
        *,
        undo_stack: QUndoStack | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("SchemeEditor")
        self.setWindowTitle("Scheme editor")
        self.project = project
        self._run = run
        self.interaction = interaction
        self.current: str | None = None
        self._filling = False
        #: Picks a colour; tests replace it (the real one is QColorDialog).
        self.pick_colour: Callable[[QColor, str], QColor | None] = self._pick_colour_dialog

        self.title = QLabel()
        self.title.setObjectName("scheme_title")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.subtitle = QLabel(
            "Changes apply at once to every annotation in the project, and each one can be undone."
        )
        self.subtitle.setWordWrap(True)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_labels_tab(), "Labels")
        self.tabs.addTab(self._build_targets_tab(), "Stance targets")
        self.tabs.addTab(self._build_document_tab(), "Document labels")

        self.import_button = QPushButton("Import scheme JSON…")
        self.import_button.setObjectName("import_scheme")
        self.import_button.clicked.connect(self.choose_import)
        self.export_button = QPushButton("Export scheme JSON…")
        self.export_button.setObjectName("export_scheme")
        self.export_button.clicked.connect(self.choose_export)
        self.close_button = QPushButton("Close")
        self.close_button.setObjectName("close_scheme_editor")
        self.close_button.setDefault(False)
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.accept)
        self.status = QLabel()
        self.status.setObjectName("scheme_status")
        self.status.setTextFormat(Qt.TextFormat.PlainText)

        bottom = QHBoxLayout()
        bottom.addWidget(self.import_button)
        bottom.addWidget(self.export_button)
        self.undo_stack = undo_stack
        if undo_stack is not None:
            self.undo_button = QPushButton("Undo")
            self.undo_button.setObjectName("scheme_undo")
            self.undo_button.clicked.connect(undo_stack.undo)
            bottom.addWidget(self.undo_button)
            undo_stack.indexChanged.connect(self._on_undo_index)
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)
        # Return in a field must only finish that field, never press Remove or Add
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
            button.setDefault(False)
        self.resize(940, 640)
        self.refresh()

    def _on_undo_index(self, _index: int) -> None:
        self.refresh()

    def done(self, result: int) -> None:
        """Closing stops following the undo stack (the window's stack outlives the dialog)."""
        self.commit_pending()
        if self.undo_stack is not None:
            with contextlib.suppress(RuntimeError, TypeError):
                self.undo_stack.indexChanged.disconnect(self._on_undo_index)
        super().done(result)

    def commit_pending(self) -> None:
        """Commit a guideline text still being typed (its box has not lost focus yet)."""
        if self.current is None or self._filling:
            return
        lab = self.scheme.label(self.current)
        if lab is None:
            return
        if self.description_edit.toPlainText() != lab.description:
            self._on_text_edited("description", self.description_edit.toPlainText())
        if self.example_edit.toPlainText() != lab.example:
            self._on_text_edited("example", self.example_edit.toPlainText())

    # ---- construction -------------------------------------------------
    def _build_labels_tab(self) -> QWidget:
        self.label_list = QListWidget()
        self.label_list.setObjectName("label_list")
        self.label_list.setMinimumWidth(200)
        self.label_list.setMaximumWidth(260)
        self.label_list.setSpacing(2)
        self.label_list.currentItemChanged.connect(self._on_label_item)

        self.add_label_button = QPushButton("Add…")
        self.add_label_button.setObjectName("add_label")
        self.add_label_button.clicked.connect(self.ask_add_label)
        self.remove_label_button = QPushButton("Remove")
        self.remove_label_button.setObjectName("remove_label")
        self.remove_label_button.clicked.connect(lambda: self.remove_label(self.current or ""))
        self.up_button = QPushButton("↑")
        self.up_button.setObjectName("label_up")
        self.up_button.setToolTip("Move the label up (the order of the tagging buttons)")
        self.up_button.clicked.connect(lambda: self.move_label(-1))
        self.down_button = QPushButton("↓")
        self.down_button.setObjectName("label_down")
        self.down_button.setToolTip("Move the label down")
        self.down_button.clicked.connect(lambda: self.move_label(+1))
        for b in (self.up_button, self.down_button):
            b.setFixedWidth(36)
        list_buttons = QHBoxLayout()
        list_buttons.addWidget(self.add_label_button)
        list_buttons.addWidget(self.remove_label_button)
        list_buttons.addStretch(1)
        list_buttons.addWidget(self.up_button)
        list_buttons.addWidget(self.down_button)
        left = QVBoxLayout()
        left.addWidget(self.label_list, 1)
        left.addLayout(list_buttons)

        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("label_name")
        self.name_edit.editingFinished.connect(self._on_name_edited)
        self.colour_button = QPushButton()
        self.colour_button.setObjectName("label_colour")
        self.colour_button.setAutoDefault(False)
        self.colour_button.clicked.connect(self.choose_colour)
        self.shortcut_edit = QLineEdit()
        self.shortcut_edit.setObjectName("label_shortcut")
        self.shortcut_edit.setMaxLength(1)
        self.shortcut_edit.setFixedWidth(48)
        self.shortcut_edit.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.shortcut_edit.editingFinished.connect(self._on_shortcut_edited)
        shortcut_row = QHBoxLayout()
        shortcut_row.addWidget(self.shortcut_edit)
        hint = QLabel("One key; Shift + key tags exactly. Reserved: " + " ".join(RESERVED_KEYS))
        hint.setObjectName("shortcut_hint")
        hint.setEnabled(False)
        shortcut_row.addWidget(hint, 1)
        colour_row = QHBoxLayout()
        colour_row.addWidget(self.colour_button)
        colour_row.addStretch(1)
        self.description_edit = CommitTextEdit()
        self.description_edit.setObjectName("label_description")
        self.description_edit.setPlaceholderText("What to tag, and what not (shown as guideline)")
        self.description_edit.setFixedHeight(72)
        self.description_edit.committed.connect(lambda t: self._on_text_edited("description", t))
        self.example_edit = CommitTextEdit()
        self.example_edit.setObjectName("label_example")
        self.example_edit.setPlaceholderText("A short example from a real article")
        self.example_edit.setFixedHeight(52)
        self.example_edit.committed.connect(lambda t: self._on_text_edited("example", t))

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Name", self.name_edit)
        form.addRow("Colour", colour_row)
        form.addRow("Shortcut", shortcut_row)
        form.addRow("Description", self.description_edit)
        form.addRow("Example", self.example_edit)

        self.attributes = AttributeTable(self, "attribute")
        attr_box = QGroupBox("Attributes")
        attr_layout = QVBoxLayout(attr_box)
        attr_layout.addWidget(self.attributes)

        self.label_form = QWidget()
        right = QVBoxLayout(self.label_form)
        right.setContentsMargins(8, 0, 0, 0)
        right.addLayout(form)
        right.addWidget(attr_box, 1)

        tab = QWidget()
        row = QHBoxLayout(tab)
        row.addLayout(left)
        row.addWidget(self.label_form, 1)
        return tab

    def _build_targets_tab(self) -> QWidget:
        self.target_list = QListWidget()
        self.target_list.setObjectName("target_list")
        self.target_list.setSpacing(2)
        add = QPushButton("Add…")
        add.setObjectName("add_target")
        add.clicked.connect(self.ask_add_target)
        rename = QPushButton("Rename…")
        rename.setObjectName("rename_target")
        rename.clicked.connect(self._rename_selected_target)
        remove = QPushButton("Remove")
        remove.setObjectName("remove_target")
        remove.clicked.connect(self._remove_selected_target)
        buttons = QHBoxLayout()
        for b in (add, rename, remove):
            buttons.addWidget(b)
        buttons.addStretch(1)
        note = QLabel(
            "What a quote or claim can take a stance on. Attributes whose values come from "
            "“stance targets” offer this list; renaming a target renames it in every annotation."
        )
        note.setWordWrap(True)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(note)
        layout.addWidget(self.target_list, 1)
        layout.addLayout(buttons)
        return tab

    def _build_document_tab(self) -> QWidget:
        note = QLabel("Labels for a whole article, such as its overall stance or topic.")
        note.setWordWrap(True)
        self.document_attributes = AttributeTable(self, "document_label")
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(note)
        layout.addWidget(self.document_attributes, 1)
        return tab

    # ---- showing the stored scheme -----------------------------------
    @property
    def scheme(self) -> Scheme:
        return self.project.scheme

    def refresh(self) -> None:
        """Show the stored scheme again (after an edit, a refusal, an undo)."""
        scheme = self.scheme
        self.title.setText(f"{scheme.name} · version {scheme.version}")
        self.title.setToolTip(_tip(f"Fingerprint {scheme_digest(scheme)}: the same in every "
                                   "file that uses exactly this scheme"))
        if self.current is None or scheme.label(self.current) is None:
            self.current = scheme.labels[0].name if scheme.labels else None
        self._filling = True
        try:
            with QSignalBlocker(self.label_list):
                self.label_list.clear()
                for lab in scheme.labels:
                    key = f"   [{lab.shortcut}]" if lab.shortcut else ""
                    item = QListWidgetItem(swatch(lab.color), f"{lab.name}{key}")
                    item.setData(Qt.ItemDataRole.UserRole, lab.name)
                    item.setToolTip(_tip(lab.description))
                    self.label_list.addItem(item)
                    if lab.name == self.current:
                        self.label_list.setCurrentItem(item)
            self._show_label(scheme.label(self.current) if self.current else None)
            selected_target = self._selected_target()
            with QSignalBlocker(self.target_list):
                self.target_list.clear()
                for t in scheme.targets:
                    self.target_list.addItem(QListWidgetItem(t))
                    if t == selected_target:
                        self.target_list.setCurrentRow(self.target_list.count() - 1)
            self.document_attributes.show_attributes(None, scheme.document_labels)
        finally:
            self._filling = False

    def _show_label(self, lab: Label | None) -> None:
        self.label_form.setEnabled(lab is not None)
        self.remove_label_button.setEnabled(lab is not None)
        index = self.label_list.currentRow()
        self.up_button.setEnabled(lab is not None and index > 0)
        self.down_button.setEnabled(lab is not None and index < self.label_list.count() - 1)
        blockers = [
            QSignalBlocker(w)
            for w in (self.name_edit, self.shortcut_edit, self.description_edit, self.example_edit)
        ]
        self.name_edit.setText(lab.name if lab else "")
        self.shortcut_edit.setText(lab.shortcut if lab else "")
        self.description_edit.setPlainText(lab.description if lab else "")
        self.example_edit.setPlainText(lab.example if lab else "")
        colour = lab.color if lab else "#999999"
        self.colour_button.setIcon(swatch(colour, 16))
        self.colour_button.setText(f"  {colour}")
        for blocker in blockers:
            blocker.unblock()
        self.attributes.show_attributes(lab.name if lab else "", lab.attributes if lab else ())

    def _on_label_item(self, item: QListWidgetItem | None, _prev: QListWidgetItem | None) -> None:
        if self._filling or item is None:
            return
        self.current = str(item.data(Qt.ItemDataRole.UserRole))
        self._show_label(self.scheme.label(self.current))

    def select_label(self, name: str) -> None:
        for row in range(self.label_list.count()):
            if self.label_list.item(row).data(Qt.ItemDataRole.UserRole) == name:
                self.label_list.setCurrentRow(row)
                return

    def _selected_target(self) -> str | None:
        item = self.target_list.currentItem()
        return item.text() if item else None

    # ---- running commands ---------------------------------------------
    def run(self, command: Command) -> bool:
        """Hand one command to the window (which reports refusals), then show the result."""
        ok = self._run(command)
        if ok:
            self.status.setText(f"✓ {command.text}")
        self.refresh()
        return ok

    def _set_scheme(self, edit: Callable[[Scheme], Scheme], text: str) -> bool:
        before = self.scheme
        try:
            after = edit(before)
        except AnnotatorError as e:
            self.interaction.error("Scheme editor", str(e))
            self.refresh()
            return False
        if after == before:
            return False
        return self.run(SetScheme(before, after, text))

    # ---- labels -------------------------------------------------------
    def ask_add_label(self) -> None:
        name = self.interaction.ask_text("Add label", "Name of the new label (e.g. EVIDENCE):")
        if name is None or not name.strip():
            return
        name = name.strip()
        if self._set_scheme(lambda s: add_label(s, name), f"Add label {name}"):
            self.current = name
            self.refresh()

    def rename_label(self, old: str, new: str) -> bool:
        if self.run(RenameLabel(old, new)):
            self.current = new
            self.refresh()
            return True
        return False

    def _on_name_edited(self) -> None:
        if self._filling or self.current is None:
            return
        new = self.name_edit.text().strip()
        if new and new != self.current:
            self.rename_label(self.current, new)
        elif not new:
            self.refresh()

    def _on_shortcut_edited(self) -> None:
        if self._filling or self.current is None:
            return
        key = self.shortcut_edit.text().strip().upper()
        lab = self.scheme.label(self.current)
        if lab is None or key == lab.shortcut:
            return
        name = self.current
        text = f"Set shortcut of {name} to {key}" if key else f"Clear shortcut of {name}"
        self._set_scheme(lambda s: update_label(s, name, shortcut=key), text)

    def _on_text_edited(self, field: str, text: str) -> None:
        if self._filling or self.current is None:
            return
        lab = self.scheme.label(self.current)
        if lab is None or getattr(lab, field) == text:
            return
        name = self.current
        self._set_scheme(
            lambda s: update_label(s, name, **{field: text}), f"Edit {field} of {name}"
        )

    def choose_colour(self) -> None:
        lab = self.scheme.label(self.current or "")
        if lab is None:
            return
        colour = self.pick_colour(QColor(lab.color), f"Colour of {lab.name}")
        if colour is not None and colour.isValid():
            self.set_label_colour(lab.name, colour.name().upper())

    def _pick_colour_dialog(self, initial: QColor, title: str) -> QColor | None:
        colour = QColorDialog.getColor(initial, self, title)
        return colour if colour.isValid() else None

    def set_label_colour(self, name: str, colour: str) -> bool:
        return self._set_scheme(
            lambda s: update_label(s, name, color=colour), f"Set colour of {name} to {colour}"
        )

    def move_label(self, delta: int) -> None:
        name = self.current
        if name is None:
            return
        where = "up" if delta < 0 else "down"
        self._set_scheme(lambda s: move_label(s, name, delta), f"Move label {name} {where}")

    def remove_label(self, name: str) -> bool:
        if not name or self.scheme.label(name) is None:
            return False
        used = usage(self.project, name)
        dropped = relations_dropped_with(self.scheme, name)
        if used or dropped:
            parts = []
            if used:
                parts.append(
                    f"{used.describe()} use the label {name}. Removing it deletes them "
                    "and their links."
                )
            if dropped:
                parts.append(
                    f"The relation type{'s' if len(dropped) > 1 else ''} {', '.join(dropped)} "
                    f"would have nothing left to link and {'go' if len(dropped) > 1 else 'goes'} too."
                )
            parts.append(f"Remove {name} anyway? {UNDO_HINT}")
            if not self.interaction.confirm("Remove label", "\n\n".join(parts)):
                return False
        return self.run(RemoveLabel(name))

    # ---- attributes and values ----------------------------------------
    def _owner(self, label: str | None) -> str:
        return "document label " if label is None else f"{label}."

    def add_attribute(self, label: str | None) -> None:
        what = "document label" if label is None else f"attribute of {label}"
        name = self.interaction.ask_text(f"Add {what}", f"Name of the new {what}:")
        if name is None or not name.strip():
            return
        name = name.strip()
        self._set_scheme(
            lambda s: add_attribute(s, label, Attribute(name)), f"Add {self._owner(label)}{name}"
        )

    def ask_rename_attribute(self, label: str | None, name: str) -> None:
        new = self.interaction.ask_text("Rename", f"New name for {self._owner(label)}{name}:", name)
        if new is not None and new.strip() and new.strip() != name:
            self.rename_attribute(label, name, new.strip())

    def rename_attribute(self, label: str | None, old: str, new: str) -> bool:
        return self.run(RenameAttribute(label, old, new))

    def remove_attribute(self, label: str | None, name: str) -> bool:
        used = usage(self.project, label, name)
        if used:
            message = (
                f"{used.describe()} have a value for {self._owner(label)}{name}. Remove it from "
                f"them and from the scheme? {UNDO_HINT}"
            )
            if not self.interaction.confirm("Remove attribute", message):
                self.refresh()
                return False
        return self.run(RemoveAttribute(label, name))

    def set_attribute_field(self, label: str | None, name: str, **changes: Any) -> bool:
        """Ordered, free text or where the values come from (``source``)."""
        sources = dict(SOURCES)
        what = ", ".join(
            f"values from {sources.get(v, v)}" if k == "source"
            else f"{'free text' if k == 'free' else k} {'on' if v else 'off'}"
            for k, v in changes.items()
        )
        return self._set_scheme(
            lambda s: update_attribute(s, label, name, **changes),
            f"Set {self._owner(label)}{name}: {what}",
        )

    def edit_values(self, label: str | None, name: str, text: str) -> bool:
        """Values typed in the table: one replaced value is a rename; dropped values ask first."""
        scheme = self.scheme
        try:
            attr = next(a for a in attributes_of(scheme, label) if a.name == name)
        except (StopIteration, AnnotatorError):
            self.refresh()
            return False
        new = [v.strip() for v in text.split(",") if v.strip()]
        old = list(attr.values)
        if new == old:
            self.refresh()
            return False
        removed = [v for v in old if v not in new]
        added = [v for v in new if v not in old]
        whole = f"{self._owner(label)}{name}"
        one_replaced = len(removed) == 1 and len(added) == 1 and len(new) == len(old)
        if one_replaced and [removed[0] if v == added[0] else v for v in new] == old:
            return self.run(RenameValue(label, name, removed[0], added[0]))
        in_use = [(v, usage(self.project, label, name, v)) for v in removed]
        in_use = [(v, u) for v, u in in_use if u]
        if in_use:
            lines = [f"“{v}”: {u.describe()}" for v, u in in_use]
            message = (
                f"Values of {whole} still in use:\n" + "\n".join(lines) +
                f"\n\nRemove {'them' if len(in_use) > 1 else 'it'} and clear "
                f"{'them' if len(in_use) > 1 else 'it'} from those annotations? {UNDO_HINT}"
            )
            if not self.interaction.confirm("Remove values", message):
                self.refresh()
                return False
        steps: list[Command] = []
        widened = [*new, *removed]
        if widened != old:
            steps.append(
                SetScheme(scheme, update_attribute(scheme, label, name, values=widened),
                          f"Edit values of {whole}")
            )
        steps.extend(RemoveValue(label, name, v) for v in removed)
        if len(steps) == 1:
            return self.run(steps[0])
        return self.run(Batch(f"Edit values of {whole}", steps))

    # ---- stance targets ----------------------------------------------
    def ask_add_target(self) -> None:
        target = self.interaction.ask_text("Add stance target", "What can be taken a stance on:")
        if target is None or not target.strip():
            return
        target = target.strip()
        self._set_scheme(lambda s: add_target(s, target), f"Add stance target {target}")

    def rename_target(self, old: str, new: str) -> bool:
        return self.run(RenameTarget(old, new))

    def remove_target(self, target: str) -> bool:
        used = target_usage(self.project, target)
        if used and not self.interaction.confirm(
            "Remove stance target",
            f"{used.describe()} name the target “{target}”. Remove it and clear it from them? "
            f"{UNDO_HINT}",
        ):
            return False
        return self.run(RemoveTarget(target))

    def _rename_selected_target(self) -> None:
        old = self._selected_target()
        if old is None:
            return
        new = self.interaction.ask_text("Rename stance target", "New name:", old)
        if new is not None and new.strip() and new.strip() != old:
            self.rename_target(old, new.strip())

    def _remove_selected_target(self) -> None:
        target = self._selected_target()
        if target is not None:
            self.remove_target(target)

    # ---- files --------------------------------------------------------
    def choose_import(self) -> bool:
        path = self.interaction.open_file("Import scheme JSON", SCHEME_FILTER)
        if path is None:
            return False
        try:
            scheme = load_scheme_file(path)
        except AnnotatorError as e:
            self.interaction.error("Import scheme", f"{e}\n\nNothing was changed.")
            return False
        current = self.scheme
        if not self.interaction.confirm(
            "Import scheme",
            f"Replace the scheme “{current.name} · version {current.version}” with "
            f"“{scheme.name} · version {scheme.version}” from {path.name}?\n\n"
            f"Annotations are kept. {UNDO_HINT}",
        ):
            return False
        return self.run(ImportScheme(scheme, str(path)))

    def choose_export(self) -> bool:
        from annotator.io.atomic import atomic_write

        scheme = self.scheme
        path = self.interaction.save_file(
            "Export scheme JSON", SCHEME_FILTER, f"{scheme.name}-v{scheme.version}.json"
        )
        if path is None:
            return False
        try:
            with atomic_write(path) as f:
                f.write(scheme_json(scheme))
        except AnnotatorError as e:
            self.interaction.error("Export scheme", str(e))
            return False
        self.status.setText(f"Wrote {path}")
        return True
