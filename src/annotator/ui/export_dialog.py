"""File > Export…: every dataset format, limited to some documents, annotators and labels.

The export runs with a progress bar and Cancel (a cancelled export leaves the
old file as it was); the summary, the dataset card and any warnings are shown
when it is done.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressDialog,
    QPushButton,
    QWidget,
)

from annotator.core.errors import AnnotatorError
from annotator.core.model import STATUSES
from annotator.store import Project

STATUS_TEXT = {"todo": "to do", "in_progress": "in progress", "done": "done"}


def _checklist(items: Sequence[str], name: str) -> QListWidget:
    widget = QListWidget()
    widget.setObjectName(name)
    for text in items:
        item = QListWidgetItem(text)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked)
        widget.addItem(item)
    widget.setMaximumHeight(min(110, 22 * max(2, len(items)) + 6))
    return widget


def _checked(widget: QListWidget) -> list[str]:
    return [
        widget.item(i).text()
        for i in range(widget.count())
        if widget.item(i).checkState() == Qt.CheckState.Checked
    ]


class ExportDialog(QDialog):
    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        from annotator.io.export import FORMATS

        super().__init__(parent)
        self.setObjectName("export_dialog")
        self.setWindowTitle("Export dataset")
        self.project = project
        self.formats = FORMATS
        form = QFormLayout(self)
        self.format = QComboBox()
        self.format.setObjectName("export_format")
        for name, spec in FORMATS.items():
            self.format.addItem(f"{name} — {spec.description}", name)
        self.format.currentIndexChanged.connect(self._on_format)
        form.addRow("Format", self.format)
        self.about = QLabel()
        self.about.setWordWrap(True)
        self.about.setObjectName("hint")
        self.about.setTextFormat(Qt.TextFormat.PlainText)
        form.addRow(self.about)
        row = QHBoxLayout()
        self.out = QLineEdit()
        self.out.setObjectName("export_out")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._choose)
        row.addWidget(self.out, 1)
        row.addWidget(browse)
        form.addRow("Write to", row)
        self.statuses = _checklist([STATUS_TEXT[s] for s in STATUSES], "export_statuses")
        form.addRow("Documents", self.statuses)
        annotators = sorted(
            {r.annotator for r in project.records()} if len(project.document_ids()) < 500 else {project.owner}
        )
        self.annotators = _checklist(annotators, "export_annotators")
        form.addRow("Annotators", self.annotators)
        self.labels = _checklist([lab.name for lab in project.scheme.labels], "export_labels")
        form.addRow("Labels", self.labels)
        self.bom = QCheckBox("UTF-8 with BOM (for Excel)")
        self.guard = QCheckBox("Neutralise cells that start with = + - @ (formula injection)")
        self.guard.setChecked(True)
        form.addRow(self.bom)
        form.addRow(self.guard)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self._on_format()
        self.resize(620, 560)

    def fmt(self) -> str:
        return str(self.format.currentData())

    def _on_format(self) -> None:
        spec = self.formats[self.fmt()]
        kind = "a folder" if spec.folder else "one file"
        self.about.setText(f"Writes {kind}. Offsets: {spec.offsets}. Carries: {spec.carries}.")
        is_csv = "csv" in spec.name
        self.bom.setEnabled(is_csv)
        self.guard.setEnabled(is_csv)
        current = self.out.text().strip()
        stem = Path(current).stem if current else f"{self.project.path.stem}-{spec.name}"
        folder = Path(current).parent if current else self.project.path.parent
        self.out.setText(str(folder / (stem + ("" if spec.folder else spec.suffix))))

    def _choose(self) -> None:
        spec = self.formats[self.fmt()]
        if spec.folder:
            name = QFileDialog.getExistingDirectory(self, "Export into folder", self.out.text())
        else:
            name, _ = QFileDialog.getSaveFileName(self, "Export to", self.out.text())
        if name:
            self.out.setText(name)

    def options(self) -> dict[str, object]:
        from annotator.io.context import CsvOptions

        statuses = [s for s in STATUSES if STATUS_TEXT[s] in _checked(self.statuses)]
        return {
            "statuses": statuses,
            "annotators": _checked(self.annotators),
            "labels": _checked(self.labels),
            "csv_options": CsvOptions(guard_formulas=self.guard.isChecked(), bom=self.bom.isChecked()),
        }


def run_export(
    project: Project, fmt: str, out: Path, options: dict[str, object], parent: QWidget | None
) -> list[str]:
    """Export with a progress bar and Cancel; returns the summary lines (raises AnnotatorError)."""
    from annotator.io.export import export_project

    dialog = QProgressDialog("Exporting…", "Cancel", 0, 100, parent)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)

    def progress(done: int, total: int) -> bool:
        dialog.setMaximum(max(total, 1))
        dialog.setValue(done)
        dialog.setLabelText(f"Exporting document {done:,} of {total:,}…")
        QApplication.processEvents()
        return not dialog.wasCanceled()

    try:
        report = export_project(project, fmt, out, progress=progress, **options)  # type: ignore[arg-type]
    except AnnotatorError:
        raise
    finally:
        dialog.close()
    return report.summary()
