"""The user's preferences and the app's memory (window layout, recent projects), in one place.

Backed by an INI file in the platformdirs config folder (``QSettings``), so
nothing here touches a project file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings

from annotator.core.scheme import PALETTE

THEMES = ("system", "light", "dark")
#: Annotator layer colours: Okabe-Ito, the most distinct ones first (blue, vermillion, green…).
ANNOTATOR_COLORS: tuple[str, ...] = tuple(PALETTE[i] for i in (4, 5, 2, 6, 0, 1, 3, 7))
MAX_RECENT = 8


@dataclass
class Preferences:
    annotator: str = ""
    font_family: str = ""
    font_size: float = 12.0
    snapping: bool = True
    theme: str = "system"
    colorblind_palette: bool = False


class Settings:
    def __init__(self, store: QSettings) -> None:
        self.store = store

    @classmethod
    def at(cls, path: Path) -> Settings:
        return cls(QSettings(str(path), QSettings.Format.IniFormat))

    # ---- preferences ----------------------------------------------------
    def preferences(self) -> Preferences:
        s = self.store
        theme = str(s.value("prefs/theme", "system"))
        return Preferences(
            annotator=str(s.value("prefs/annotator", "")),
            font_family=str(s.value("prefs/font_family", "")),
            font_size=_float(s.value("prefs/font_size", 12.0), 12.0),
            snapping=_bool(s.value("prefs/snapping", True)),
            theme=theme if theme in THEMES else "system",
            colorblind_palette=_bool(s.value("prefs/colorblind_palette", False)),
        )

    def set_preferences(self, prefs: Preferences) -> None:
        s = self.store
        s.setValue("prefs/annotator", prefs.annotator)
        s.setValue("prefs/font_family", prefs.font_family)
        s.setValue("prefs/font_size", prefs.font_size)
        s.setValue("prefs/snapping", prefs.snapping)
        s.setValue("prefs/theme", prefs.theme)
        s.setValue("prefs/colorblind_palette", prefs.colorblind_palette)
        s.sync()

    # ---- recent projects --------------------------------------------------
    def recent_projects(self) -> list[Path]:
        raw = self.store.value("recent", [])
        items = [raw] if isinstance(raw, str) else list(raw or [])
        return [Path(p) for p in items if p]

    def add_recent(self, path: Path) -> None:
        path = path.resolve()
        recent = [p for p in self.recent_projects() if p != path]
        self.store.setValue("recent", [str(p) for p in [path, *recent][:MAX_RECENT]])
        self.store.setValue("last_project", str(path))
        self.store.sync()

    def last_project(self) -> Path | None:
        value = self.store.value("last_project", "")
        return Path(str(value)) if value else None

    # ---- layout -----------------------------------------------------------
    def value(self, key: str) -> object:
        return self.store.value(key)

    def set_value(self, key: str, value: object) -> None:
        self.store.setValue(key, value)


def display_colors(labels: list[tuple[str, str]], colorblind: bool) -> dict[str, str]:
    """Label colours to draw with: the scheme's, or the colour-blind-safe palette in order."""
    if not colorblind:
        return dict(labels)
    return {name: PALETTE[i % len(PALETTE)] for i, (name, _c) in enumerate(labels)}


def _bool(value: object) -> bool:
    if isinstance(value, str):
        return value.lower() in ("1", "true", "yes")
    return bool(value)


def _float(value: object, default: float) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default
