"""Preferences dialog: annotator name, reading font, snapping, theme, colour-blind-safe palette."""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFontComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from annotator.ui.settings import THEMES, Preferences


class PreferencesDialog(QDialog):
    def __init__(self, prefs: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preferences")
        self.setWindowTitle("Preferences")
        form = QFormLayout(self)
        self.annotator = QLineEdit(prefs.annotator)
        self.annotator.setObjectName("pref_annotator")
        self.annotator.setPlaceholderText("your name, recorded with your annotations")
        form.addRow("Annotator name", self.annotator)
        note = QLabel("Used for new projects; this project's name is under Edit > Annotator name.")
        note.setWordWrap(True)
        note.setObjectName("hint")
        form.addRow(note)
        self.font_family = QFontComboBox()
        self.font_family.setObjectName("pref_font")
        if prefs.font_family:
            self.font_family.setCurrentFont(QFont(prefs.font_family))
        form.addRow("Reading font", self.font_family)
        self.font_size = QDoubleSpinBox()
        self.font_size.setObjectName("pref_font_size")
        self.font_size.setRange(6, 48)
        self.font_size.setSingleStep(1)
        self.font_size.setValue(prefs.font_size)
        form.addRow("Font size", self.font_size)
        self.snapping = QCheckBox("Snap selections to whole words (Shift+key tags exactly)")
        self.snapping.setObjectName("pref_snapping")
        self.snapping.setChecked(prefs.snapping)
        form.addRow(self.snapping)
        self.theme = QComboBox()
        self.theme.setObjectName("pref_theme")
        for t in THEMES:
            self.theme.addItem({"system": "Follow the system", "light": "Light", "dark": "Dark"}[t], t)
        self.theme.setCurrentIndex(THEMES.index(prefs.theme))
        form.addRow("Theme", self.theme)
        self.colorblind = QCheckBox("Colour-blind-safe label colours (Okabe-Ito)")
        self.colorblind.setObjectName("pref_colorblind")
        self.colorblind.setChecked(prefs.colorblind_palette)
        form.addRow(self.colorblind)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def preferences(self) -> Preferences:
        return Preferences(
            annotator=self.annotator.text().strip(),
            font_family=self.font_family.currentFont().family(),
            font_size=float(self.font_size.value()),
            snapping=self.snapping.isChecked(),
            theme=str(self.theme.currentData()),
            colorblind_palette=self.colorblind.isChecked(),
        )
