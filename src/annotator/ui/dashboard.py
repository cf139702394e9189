"""The project dashboard: who gets quoted, on which side, and how far the annotation has come.

One tab per chart: most-quoted people and organisations (quotes and words
quoted), quotes per outlet, stance per target (overall, by person or by
outlet), claims by kind and check-worthiness, and progress by annotator.
Clicking a bar lists the quotes behind it; activating a listed quote calls
``open_quote(doc_id, span_id)`` so the main window can show it in its article.

The numbers (``core.stats.compute`` over ``store.stats_queries``) are counted
in a worker thread on a read-only connection of its own, so the window stays
responsive on large projects and the main window's connection is never shared.

Charts are drawn with matplotlib, imported here on first use only: the main
window imports this module when the dashboard is opened, never at start-up.
Their colours follow the window's palette (light or dark theme, redrawn when it
changes); stance colours are fixed and colour-blind safe (Okabe-Ito).
Strings from files reach Qt only as plain text (item models, plain-text
labels); matplotlib draws them with math rendering turned off.
"""

from __future__ import annotations

import csv
import html
import io
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QAction, QCloseEvent, QColor, QKeySequence, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from annotator.core.errors import AnnotatorError
from annotator.core.stats import NO_TARGET, STANCES, UNATTRIBUTED, QuoteRow, compute
from annotator.io.atomic import atomic_write
from annotator.store import Project, open_project
from annotator.store.stats_queries import document_rows, quote_rows
from annotator.ui.interaction import Interaction

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import PickEvent
    from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
    from matplotlib.container import BarContainer
    from matplotlib.figure import Figure

#: Cells a spreadsheet would run as a formula (the same rule as the CSV exports).
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
#: What ``core.stats.compute`` calls a quote with no outlet, and a claim with no kind.
UNKNOWN_OUTLET = "(unknown outlet)"
NONE_VALUE = "(none)"

#: Stance colours: fixed in both themes, colour-blind safe (Okabe-Ito).
STANCE_COLORS: dict[str, str] = {
    "favor": "#009E73",
    "against": "#D55E00",
    "neutral": "#999999",
    "unclear": "#E69F00",
}
#: For stance values a scheme adds beyond the four.
EXTRA_COLORS = ("#56B4E9", "#CC79A7", "#0072B2", "#F0E442")
PROGRESS = (("done", "Done", "#009E73"), ("in_progress", "In progress", "#E69F00"),
            ("todo", "To do", "#999999"))
STATUS_TEXT = {"todo": "to do", "in_progress": "in progress", "done": "done"}
TOP_CHOICES = (("Top 10", 10), ("Top 20", 20), ("Top 50", 50), ("All", 0))
#: Inches per horizontal bar, and around the bars (title, axis, legend).
BAR_INCHES = 0.42
FRAME_INCHES = 1.6
MIN_INCHES = 2.6
DPI = 100


# ---- the numbers -------------------------------------------------------------


@dataclass(frozen=True)
class DashboardData:
    """Everything the charts draw and list, counted once per refresh."""

    stats: dict[str, Any]
    rows: tuple[QuoteRow, ...]
    #: doc_id -> status, to list the quotes behind a progress bar
    status: dict[str, str]


def load_data(path: Path) -> DashboardData:
    """Count on a read-only connection of our own (safe from a worker thread)."""
    with open_project(path, readonly=True) as project:
        return data_of(project)


def data_of(project: Project) -> DashboardData:
    rows = quote_rows(project)
    docs = document_rows(project)
    return DashboardData(compute(rows, docs), tuple(rows), {d.doc_id: d.status for d in docs})


#: How ``compute`` groups a row, field by field (so a bar's count equals its quote list).
_GROUPED: dict[str, Callable[[QuoteRow], str | None]] = {
    "person": lambda r: r.person or UNATTRIBUTED,
    "outlet": lambda r: r.outlet or UNKNOWN_OUTLET,
    "target": lambda r: (r.target or NO_TARGET) if r.stance else None,
    "kind": lambda r: r.kind or NONE_VALUE,
    "checkworthy": lambda r: r.checkworthy or NONE_VALUE,
}


def field_value(row: QuoteRow, field: str, status: dict[str, str]) -> str | None:
    """A row's value as ``compute`` groups it; ``status`` is its document's."""
    if field == "status":
        return status.get(row.doc_id)
    if field in _GROUPED:
        return _GROUPED[field](row)
    value = getattr(row, field)
    return None if value is None else str(value)


@dataclass(frozen=True)
class Selection:
    """What a bar stands for: a caption and the criteria its quotes meet."""

    caption: str
    criteria: tuple[tuple[str, str], ...]

    def rows(self, data: DashboardData) -> list[QuoteRow]:
        """The quotes behind the bar, in the store's order (one pass per criterion: fast)."""
        rows: Sequence[QuoteRow] = data.rows
        for field, value in self.criteria:
            if field == "status":
                status = data.status
                rows = [r for r in rows if status.get(r.doc_id) == value]
            elif field in _GROUPED:
                get = _GROUPED[field]
                rows = [r for r in rows if get(r) == value]
            else:
                index = QuoteRow._fields.index(field)
                rows = [r for r in rows if r[index] == value]
        return list(rows)


# ---- colours -----------------------------------------------------------------


@dataclass(frozen=True)
class Theme:
    background: str
    foreground: str
    muted: str
    grid: str
    dark: bool
    #: the two series of the plain bar charts (quotes, words)
    series: tuple[str, str]


def _mix(a: QColor, b: QColor, t: float) -> str:
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * t,
        a.greenF() + (b.greenF() - a.greenF()) * t,
        a.blueF() + (b.blueF() - a.blueF()) * t,
    ).name()


def theme_of(palette: QPalette) -> Theme:
    """Figure colours from a widget palette: readable on the window's own background."""
    bg = palette.color(QPalette.ColorRole.Window)
    fg = palette.color(QPalette.ColorRole.WindowText)
    dark = bg.lightnessF() < 0.5
    return Theme(
        background=bg.name(),
        foreground=fg.name(),
        muted=_mix(bg, fg, 0.65),
        grid=_mix(bg, fg, 0.2),
        dark=dark,
        series=("#56B4E9", "#CC79A7") if dark else ("#0072B2", "#CC79A7"),
    )


def stance_color(stance: str, extras: Sequence[str]) -> str:
    if stance in STANCE_COLORS:
        return STANCE_COLORS[stance]
    return EXTRA_COLORS[list(extras).index(stance) % len(EXTRA_COLORS)]


# ---- small helpers -----------------------------------------------------------


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _mpl(text: str) -> str:
    """Text for matplotlib: a "$" from a file is a dollar sign, never mathematics."""
    return text.replace("$", r"\$")


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _cell(value: Any) -> Any:
    """A CSV cell: text that a spreadsheet would run as a formula gets a leading '."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    with atomic_write(path, mode="w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows([_cell(v) for v in row] for row in rows)


def _with_suffix(path: Path, suffix: str) -> Path:
    return path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)


# ---- the list of quotes behind a bar -------------------------------------------


class QuoteTableModel(QAbstractTableModel):
    """Quotes as plain-text cells: person, quote, document, stance, target, label, annotator."""

    HEADERS = ("Person", "Quote", "Document", "Stance", "Target", "Label", "Annotator")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.quotes: list[QuoteRow] = []

    def set_quotes(self, quotes: list[QuoteRow]) -> None:
        self.beginResetModel()
        self.quotes = quotes
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.quotes)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return None
        q = self.quotes[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(q, col)
        if role == Qt.ItemDataRole.ToolTipRole and col == 1:
            # tool tips guess rich text: escape, and make it rich text on purpose
            return "<p>" + html.escape(" ".join(q.text.split())) + "</p>"
        return None

    @staticmethod
    def _text(q: QuoteRow, col: int) -> str:
        if col == 0:
            return q.person or UNATTRIBUTED
        if col == 1:
            return " ".join(q.text.split())
        if col == 2:
            return q.doc_id
        if col == 3:
            return q.stance or ""
        if col == 4:
            return (q.target or NO_TARGET) if q.stance else ""
        if col == 5:
            return q.label
        return q.annotator


# ---- one chart -----------------------------------------------------------------


class Chart(QWidget):
    """A figure with its controls, export buttons and the quotes behind the clicked bar."""

    key = "chart"
    title = "Chart"
    empty_text = "Nothing to count yet."
    hint = "Click a bar to list the quotes behind it; double-click a quote to open it."

    def __init__(self, dashboard: DashboardWindow) -> None:
        super().__init__()
        from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
        from matplotlib.figure import Figure

        self.dashboard = dashboard
        self.setObjectName(f"chart_{self.key}")
        self.figure: Figure = Figure(figsize=(8, 4), dpi=DPI, layout="constrained")
        self.canvas: FigureCanvasQTAgg = FigureCanvasQTAgg(self.figure)
        self.canvas.setObjectName(f"canvas_{self.key}")
        self.canvas.mpl_connect("pick_event", self._on_pick_event)
        #: bar patch -> what it stands for
        self.picks: dict[Artist, Selection] = {}
        self.bars: list[Artist] = []
        self.selected: Artist | None = None
        self.current: Selection | None = None
        self.theme = theme_of(self.palette())

        self.controls = QHBoxLayout()
        self.controls.setContentsMargins(0, 0, 0, 0)
        self._build_controls()
        self.controls.addStretch(1)
        self.export_buttons: dict[str, QPushButton] = {}
        for fmt, text in (("png", "Export PNG…"), ("svg", "Export SVG…"), ("csv", "Export CSV…")):
            button = QPushButton(text)
            button.setObjectName(f"export_{fmt}")
            button.clicked.connect(lambda _c=False, f=fmt: self.export(f))
            self.controls.addWidget(button)
            self.export_buttons[fmt] = button

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.canvas)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll = scroll

        self.caption = QLabel(self.hint)
        self.caption.setObjectName("quotes_caption")
        self.caption.setTextFormat(Qt.TextFormat.PlainText)
        self.caption.setWordWrap(True)
        self.model = QuoteTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("quotes_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for col, width in ((0, 170), (2, 140), (3, 70), (4, 120), (5, 65), (6, 90)):
            self.table.setColumnWidth(col, width)
        self.table.activated.connect(self._on_activated)

        below = QWidget()
        bl = QVBoxLayout(below)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.addWidget(self.caption)
        bl.addWidget(self.table, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(below)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([520, 200])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(self.controls)
        layout.addWidget(self.splitter, 1)

    # ---- to override ------------------------------------------------------
    def _build_controls(self) -> None:
        """Add selectors to ``self.controls`` (call ``self.redraw`` when they change)."""

    def draw(self, data: DashboardData, fig: Figure) -> int:
        """Draw the chart; return the number of bar rows (for the figure's height)."""
        raise NotImplementedError

    def csv_table(self, data: DashboardData) -> tuple[list[str], list[list[Any]]]:
        raise NotImplementedError

    # ---- shared -------------------------------------------------------------
    @property
    def data(self) -> DashboardData | None:
        return self.dashboard.data

    def _top_combo(self, default: int = 20) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName("top_combo")
        for text, n in TOP_CHOICES:
            combo.addItem(text, n)
        combo.setCurrentIndex([n for _t, n in TOP_CHOICES].index(default))
        combo.currentIndexChanged.connect(lambda _i: self.redraw())
        self.controls.addWidget(QLabel("Show:"))
        self.controls.addWidget(combo)
        return combo

    def redraw(self) -> None:
        """Draw again from the current numbers and palette (the clicked bar stays clicked)."""
        self.theme = theme_of(self.palette())
        fig = self.figure
        fig.clear()
        fig.set_facecolor(self.theme.background)
        fig.set_edgecolor(self.theme.background)
        current = self.current
        self.picks = {}
        self.bars = []
        self.selected = None
        data = self.data
        rows = 0 if data is None else self.draw(data, fig)
        # the canvas sizes the figure: bars keep their thickness, many bars scroll
        height = max(MIN_INCHES, rows * BAR_INCHES + FRAME_INCHES)
        self.canvas.setFixedHeight(int(height * DPI))
        self._fit_splitter()
        self.canvas.draw_idle()
        # the same bar, redrawn (new theme, more bars shown), stays selected
        again = next((a for a, sel in self.picks.items() if sel == current), None)
        if again is not None:
            self.pick(again)
        else:
            self.show_quotes(None)

    def _fit_splitter(self) -> None:
        """Give the quote list the room a short chart does not need."""
        total = sum(self.splitter.sizes())
        if total <= 0:
            return
        top = min(self.canvas.height() + 4, max(total - 180, total // 2))
        self.splitter.setSizes([top, total - top])

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_splitter()

    def _empty(self, fig: Figure, text: str | None = None) -> int:
        ax = fig.add_subplot()
        ax.set_axis_off()
        ax.text(0.5, 0.5, text or self.empty_text, ha="center", va="center",
                transform=ax.transAxes, color=self.theme.muted, fontsize=12)
        return 0

    def _style(self, ax: Axes, title: str = "", xlabel: str = "") -> None:
        t = self.theme
        ax.set_facecolor(t.background)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        for side in ("left", "bottom"):
            ax.spines[side].set_color(t.grid)
        ax.tick_params(colors=t.foreground, labelcolor=t.foreground, which="both")
        ax.grid(axis="x", color=t.grid, linewidth=0.8)
        ax.set_axisbelow(True)
        if title:
            ax.set_title(title, color=t.foreground, loc="left", fontsize=11, fontweight="bold",
                         parse_math=False)
        if xlabel:
            ax.set_xlabel(xlabel, color=t.foreground)
        from matplotlib.ticker import MaxNLocator, StrMethodFormatter

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))

    def _labels(self, ax: Axes, names: Sequence[str]) -> None:
        ax.set_yticks(range(len(names)), [_mpl(_short(n)) for n in names])
        ax.set_ylim(len(names) - 0.5, -0.5)  # first on top

    def _register(self, bars: BarContainer, selections: Sequence[Selection]) -> None:
        for patch, selection in zip(bars.patches, selections, strict=True):
            patch.set_picker(True)
            self.picks[patch] = selection
            self.bars.append(patch)

    def _hbars(
        self,
        ax: Axes,
        values: Sequence[int],
        color: str,
        selections: Sequence[Selection],
        labels: Sequence[str] | None = None,
        margin: float = 0.12,
    ) -> BarContainer:
        bars = ax.barh(range(len(values)), values, color=color, height=0.7,
                       edgecolor=self.theme.background, linewidth=0.5)
        self._register(bars, selections)
        ax.bar_label(bars, labels=list(labels or [f"{v:,}" for v in values]), padding=3,
                     color=self.theme.foreground, fontsize=9)
        ax.margins(x=margin)
        return bars

    def _stacked(
        self,
        ax: Axes,
        names: Sequence[str],
        series: Sequence[tuple[str, str, str]],
        counts: Sequence[dict[str, int]],
        selection: Callable[[int, str], Selection],
    ) -> None:
        """Stacked horizontal bars: one row per name, one segment per (key, label, colour)."""
        left = [0] * len(names)
        for key, label, color in series:
            values = [c.get(key, 0) for c in counts]
            bars = ax.barh(range(len(names)), values, left=left, color=color, height=0.7,
                           label=_mpl(label), edgecolor=self.theme.background, linewidth=0.5)
            self._register(bars, [selection(i, key) for i in range(len(names))])
            left = [a + b for a, b in zip(left, values, strict=True)]
        for i, total in enumerate(left):
            ax.text(total, i, f" {total:,}", va="center", ha="left", fontsize=9,
                    color=self.theme.foreground)
        ax.margins(x=0.15)
        self._legend(ax, len(series))

    def _legend(self, ax: Axes, ncols: int) -> None:
        t = self.theme
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=ncols, frameon=False,
                  labelcolor=t.foreground, fontsize=9, borderaxespad=0.2)

    def changeEvent(self, event: QEvent) -> None:
        """Light or dark theme switched: draw again in the new colours."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self.data is not None \
                and theme_of(self.palette()) != self.theme:
            self.redraw()

    # ---- clicking ------------------------------------------------------------
    def _on_pick_event(self, event: PickEvent) -> None:
        self.pick(event.artist)

    def pick(self, artist: Artist) -> None:
        """Show the quotes behind a bar (what a click on it does)."""
        selection = self.picks.get(artist)
        if selection is None:
            return
        if self.selected is not None:
            self.selected.set_edgecolor(self.theme.background)
            self.selected.set_linewidth(0.5)
        artist.set_edgecolor(self.theme.foreground)
        artist.set_linewidth(2.0)
        self.selected = artist
        self.canvas.draw_idle()
        self.show_quotes(selection)

    def show_quotes(self, selection: Selection | None) -> None:
        self.current = selection
        if selection is None or self.data is None:
            self.model.set_quotes([])
            self.caption.setText(self.hint)
            return
        rows = selection.rows(self.data)
        self.model.set_quotes(rows)
        self.caption.setText(f"{selection.caption}: {len(rows):,} listed. "
                             "Double-click a quote (or press Enter) to open it in its article.")

    def _on_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            q = self.model.quotes[index.row()]
            self.dashboard.open_quote(q.doc_id, q.span_id)

    # ---- export -------------------------------------------------------------
    def export(self, fmt: str) -> Path | None:
        if self.data is None:
            return None
        filters = {
            "png": "PNG images (*.png)",
            "svg": "SVG drawings (*.svg)",
            "csv": "CSV tables (*.csv)",
        }[fmt]
        suggested = f"{self.dashboard.project_name}-{self.key}.{fmt}"
        answer = self.dashboard.interaction.save_file(
            f"Export the {self.title.lower()} chart as {fmt.upper()}", filters, suggested
        )
        if answer is None:
            return None
        path = _with_suffix(answer, f".{fmt}")
        try:
            if fmt == "csv":
                header, rows = self.csv_table(self.data)
                write_csv(path, header, rows)
            else:
                self.save_figure(path, fmt)
        except (AnnotatorError, OSError, ValueError) as e:
            self.dashboard.interaction.error("Export failed", f"{path}: {e}")
            return None
        self.dashboard.statusBar().showMessage(f"Exported {path}", 5000)
        return path

    def save_figure(self, path: Path, fmt: str) -> None:
        buf = io.BytesIO()
        selected = self.selected
        if selected is not None:  # the click outline is not part of the chart
            selected.set_edgecolor(self.theme.background)
            selected.set_linewidth(0.5)
        try:
            self.figure.savefig(buf, format=fmt, dpi=150, facecolor=self.figure.get_facecolor())
        finally:
            if selected is not None:
                selected.set_edgecolor(self.theme.foreground)
                selected.set_linewidth(2.0)
        with atomic_write(path, mode="wb") as f:
            f.write(buf.getvalue())


# ---- the charts ------------------------------------------------------------------


class PeopleChart(Chart):
    key = "people"
    title = "People"
    field = "person"
    source = "people"
    empty_text = "No quotes yet: tag quotes and attribute them to speakers."

    def _build_controls(self) -> None:
        self.top = self._top_combo()

    def entries(self, data: DashboardData) -> list[dict[str, Any]]:
        return list(data.stats[self.source])

    def draw(self, data: DashboardData, fig: Figure) -> int:
        entries = self.entries(data)
        if not entries:
            return self._empty(fig)
        n = int(self.top.currentData() or 0)
        shown = entries[:n] if n else entries
        names = [str(e[self.field]) for e in shown]
        ax_q, ax_w = fig.subplots(1, 2, sharey=True)
        selections = [
            Selection(f"Quotes by {name}" if self.field == "person" else f"Quotes from {name}",
                      (("label", "QUOTE"), (self.field, name)))
            for name in names
        ]
        self._hbars(ax_q, [e["quotes"] for e in shown], self.theme.series[0], selections)
        self._hbars(ax_w, [e["words"] for e in shown], self.theme.series[1], selections)
        self._labels(ax_q, names)
        ax_w.tick_params(left=False, labelleft=False)
        more = f" (top {len(shown)} of {len(entries)})" if len(shown) < len(entries) else ""
        self._style(ax_q, f"Quotes per {self.field}{more}", "quotes")
        self._style(ax_w, "Words quoted", "words")
        return len(shown)

    def csv_table(self, data: DashboardData) -> tuple[list[str], list[list[Any]]]:
        return (
            ["person", "role", "organisation", "quotes", "words"],
            [[e["person"], e["role"], e["organisation"], e["quotes"], e["words"]]
             for e in data.stats["people"]],
        )


class OrganisationsChart(PeopleChart):
    key = "organisations"
    title = "Organisations"
    field = "organisation"
    source = "organisations"
    empty_text = ("No quotes from people with an organisation yet:\n"
                  "give people an organisation in the main window's People tab.")

    def csv_table(self, data: DashboardData) -> tuple[list[str], list[list[Any]]]:
        return (
            ["organisation", "quotes", "words"],
            [[e["organisation"], e["quotes"], e["words"]] for e in data.stats["organisations"]],
        )


class OutletsChart(Chart):
    key = "outlets"
    title = "Outlets"
    empty_text = "No quotes yet."

    def draw(self, data: DashboardData, fig: Figure) -> int:
        outlets = data.stats["outlets"]
        if not outlets:
            return self._empty(fig)
        names = [o["outlet"] for o in outlets]
        ax = fig.add_subplot()
        self._hbars(
            ax, [o["quotes"] for o in outlets], self.theme.series[0],
            [Selection(f"Quotes in {name}", (("label", "QUOTE"), ("outlet", name)))
             for name in names],
            [f"{o['quotes']:,} in {_plural(o['documents'], 'document')}" for o in outlets],
            margin=0.25,
        )
        self._labels(ax, names)
        self._style(ax, "Quotes per outlet", "quotes")
        return len(names)

    def csv_table(self, data: DashboardData) -> tuple[list[str], list[list[Any]]]:
        return (
            ["outlet", "quotes", "documents"],
            [[o["outlet"], o["quotes"], o["documents"]] for o in data.stats["outlets"]],
        )


class StanceChart(Chart):
    key = "stance"
    title = "Stance"
    empty_text = "No stance yet: give quotes a stance toward a target."
    GROUPS = (("By target", "target"), ("By person", "person"), ("By outlet", "outlet"))
    ALL = "\x00all"

    def _build_controls(self) -> None:
        self.group = QComboBox()
        self.group.setObjectName("group_combo")
        for text, key in self.GROUPS:
            self.group.addItem(text, key)
        self.group.currentIndexChanged.connect(lambda _i: self._group_changed())
        self.target = QComboBox()
        self.target.setObjectName("target_combo")
        self.target.currentIndexChanged.connect(lambda _i: self.redraw())
        self.controls.addWidget(QLabel("Stance:"))
        self.controls.addWidget(self.group)
        self.target_label = QLabel("toward:")
        self.controls.addWidget(self.target_label)
        self.controls.addWidget(self.target)
        self.top = self._top_combo()
        self._group_changed(redraw=False)

    def _group_changed(self, *, redraw: bool = True) -> None:
        by_target = self.group.currentData() == "target"
        self.target.setEnabled(not by_target)
        self.target_label.setEnabled(not by_target)
        if redraw:
            self.redraw()

    def set_targets(self, targets: Sequence[str]) -> None:
        """Fill the target selector (kept when still present), most frequent first."""
        current = self.target.currentData()
        self.target.blockSignals(True)
        self.target.clear()
        self.target.addItem("All targets", self.ALL)
        for t in targets:
            self.target.addItem(t, t)
        index = self.target.findData(current) if current is not None else -1
        self.target.setCurrentIndex(max(index, 0))
        self.target.blockSignals(False)

    def stances(self, data: DashboardData) -> list[str]:
        extra = sorted({s for c in data.stats["stance"]["by_target"].values() for s in c}
                       - set(STANCES))
        return [*STANCES, *extra]

    def stance_rows(self, data: DashboardData) -> list[tuple[str, dict[str, int]]]:
        """(row name, counts) as drawn: by target, or by person/outlet for the chosen target."""
        group = self.group.currentData()
        stance = data.stats["stance"]
        if group == "target":
            rows = list(stance["by_target"].items())
        else:
            target = self.target.currentData()
            rows = []
            for name, targets in stance[f"by_{group}"].items():
                counts: Counter[str] = Counter()
                for t, c in targets.items():
                    if target in (None, self.ALL, t):
                        counts.update(c)
                if sum(counts.values()):
                    rows.append((name, dict(counts)))
        rows.sort(key=lambda r: (-sum(r[1].values()), r[0]))
        return rows

    def draw(self, data: DashboardData, fig: Figure) -> int:
        rows = self.stance_rows(data)
        if not rows:
            return self._empty(fig)
        n = int(self.top.currentData() or 0)
        shown = rows[:n] if n else rows
        names = [name for name, _c in shown]
        group = str(self.group.currentData())
        target = self.target.currentData()
        stances = self.stances(data)

        def selection(i: int, stance: str) -> Selection:
            criteria: list[tuple[str, str]] = [("label", "QUOTE"), ("stance", stance)]
            if group == "target":
                criteria.append(("target", names[i]))
                return Selection(f"“{stance}” toward {names[i]}", tuple(criteria))
            criteria.append((group, names[i]))
            toward = ""
            if target not in (None, self.ALL):
                criteria.append(("target", str(target)))
                toward = f" toward {target}"
            return Selection(f"{names[i]}: “{stance}”{toward}", tuple(criteria))

        ax = fig.add_subplot()
        series = [(s, s, stance_color(s, stances[len(STANCES):])) for s in stances]
        self._stacked(ax, names, series, [c for _n, c in shown], selection)
        self._labels(ax, names)
        if group == "target":
            title = "Stance per target"
        else:
            toward = "all targets" if target in (None, self.ALL) else str(target)
            title = f"Stance toward {toward}, by {group}"
        more = f" (top {len(shown)} of {len(rows)})" if len(shown) < len(rows) else ""
        self._style(ax, "", "quotes")
        ax.set_title(title + more, color=self.theme.foreground, loc="left", fontsize=11,
                     fontweight="bold", parse_math=False, pad=24)
        return len(shown)

    def csv_table(self, data: DashboardData) -> tuple[list[str], list[list[Any]]]:
        group = str(self.group.currentData())
        stances = self.stances(data)
        stance = data.stats["stance"]
        if group == "target":
            return (["target", *stances],
                    [[t, *(c.get(s, 0) for s in stances)] for t, c in stance["by_target"].items()])
        target = self.target.currentData()
        out = []
        for name, targets in stance[f"by_{group}"].items():
            for t, c in sorted(targets.items()):
                if target in (None, self.ALL, t):
                    out.append([name, t, *(c.get(s, 0) for s in stances)])
        return [group, "target", *stances], out


class ClaimsChart(Chart):
    key = "claims"
    title = "Claims"
    empty_text = "No claims yet."

    def draw(self, data: DashboardData, fig: Figure) -> int:
        claims = data.stats["claims"]
        if not claims["by_kind"] and not claims["by_checkworthy"]:
            return self._empty(fig)
        axes = fig.subplots(1, 2)
        rows = 0
        for ax, field, title, color in (
            (axes[0], "kind", "Claims by kind", self.theme.series[0]),
            (axes[1], "checkworthy", "By check-worthiness", self.theme.series[1]),
        ):
            counts = sorted(claims[f"by_{field}"].items(), key=lambda kv: (-kv[1], kv[0]))
            names = [k for k, _v in counts]
            word = "kind" if field == "kind" else "check-worthy"
            self._hbars(ax, [v for _k, v in counts], color, [
                Selection(f"Claims with {word} “{name}”", (("label", "CLAIM"), (field, name)))
                for name in names
            ])
            self._labels(ax, names)
            self._style(ax, title, "claims")
            rows = max(rows, len(names))
        return rows

    def csv_table(self, data: DashboardData) -> tuple[list[str], list[list[Any]]]:
        claims = data.stats["claims"]
        return (
            ["breakdown", "value", "claims"],
            [[field, k, v] for field in ("kind", "checkworthy")
             for k, v in claims[f"by_{field}"].items()],
        )


class ProgressChart(Chart):
    key = "progress"
    title = "Progress"
    empty_text = "No documents yet."
    hint = ("Click a bar to list that annotator's quotes and claims in those documents; "
            "double-click one to open it.")

    def draw(self, data: DashboardData, fig: Figure) -> int:
        by = data.stats["progress"]["by_annotator"]
        if not by:
            return self._empty(fig)
        names = list(by)
        ax = fig.add_subplot()

        def selection(i: int, status: str) -> Selection:
            return Selection(
                f"Quotes and claims by {names[i]} in documents marked {STATUS_TEXT[status]}",
                (("annotator", names[i]), ("status", status)),
            )

        self._stacked(ax, names, PROGRESS, [by[n] for n in names], selection)
        self._labels(ax, names)
        self._style(ax, "", "documents")
        ax.set_title("Documents by annotator", color=self.theme.foreground, loc="left",
                     fontsize=11, fontweight="bold", pad=24)
        return len(names)

    def csv_table(self, data: DashboardData) -> tuple[list[str], list[list[Any]]]:
        by = data.stats["progress"]["by_annotator"]
        return (
            ["annotator", "done", "in_progress", "todo", "spans"],
            [[a, c["done"], c["in_progress"], c["todo"], c["spans"]] for a, c in by.items()],
        )


CHARTS: tuple[type[Chart], ...] = (
    PeopleChart, OrganisationsChart, OutletsChart, StanceChart, ClaimsChart, ProgressChart,
)


# ---- the window --------------------------------------------------------------------


class DashboardWindow(QMainWindow):
    """The project's numbers as charts, counted off the GUI thread.

    ``open_quote(doc_id, span_id)`` is called when a listed quote is activated.
    ``loader`` (a path -> ``DashboardData`` function) is for tests.
    """

    POLL_MS = 30

    def __init__(
        self,
        project: Project,
        open_quote: Callable[[str, str], None],
        *,
        interaction: Interaction | None = None,
        parent: QWidget | None = None,
        loader: Callable[[Path], DashboardData] = load_data,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("DashboardWindow")
        self.project = project
        self.open_quote = open_quote
        self.interaction = interaction or Interaction(self)
        self.project_name = Path(project.path).stem or "project"
        self.setWindowTitle(f"Dashboard — {self.project_name}")
        self.resize(1100, 820)
        self.data: DashboardData | None = None
        self._loader = loader
        self._executor: ThreadPoolExecutor | None = None
        self._future: Future[DashboardData] | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(self.POLL_MS)
        self._timer.timeout.connect(self._poll)

        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setObjectName("refresh")
        self.refresh_button.setToolTip("Count again (F5)")
        self.refresh_button.clicked.connect(self.refresh)
        refresh = QAction("Refresh", self)
        refresh.setShortcut(QKeySequence("F5"))
        refresh.triggered.connect(self.refresh)
        self.addAction(refresh)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("chart_tabs")
        self.charts: dict[str, Chart] = {}
        for cls in CHARTS:
            chart = cls(self)
            self.charts[chart.key] = chart
            self.tabs.addTab(chart, chart.title)

        busy = QWidget()
        bl = QVBoxLayout(busy)
        bl.addStretch(1)
        self.busy_label = QLabel("Counting quotes, speakers and stances…")
        self.busy_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.busy_bar = QProgressBar()
        self.busy_bar.setObjectName("busy")
        self.busy_bar.setRange(0, 0)  # indeterminate
        self.busy_bar.setMaximumWidth(320)
        bl.addWidget(self.busy_label)
        bl.addWidget(self.busy_bar, 0, Qt.AlignmentFlag.AlignHCenter)
        bl.addStretch(1)

        failed = QWidget()
        fl = QVBoxLayout(failed)
        fl.addStretch(1)
        self.error_label = QLabel()
        self.error_label.setObjectName("error")
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setWordWrap(True)
        self.error_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        retry = QPushButton("Try again")
        retry.clicked.connect(self.refresh)
        fl.addWidget(self.error_label)
        fl.addWidget(retry, 0, Qt.AlignmentFlag.AlignHCenter)
        fl.addStretch(1)

        self.pages = QStackedWidget()
        self.pages.addWidget(busy)
        self.pages.addWidget(self.tabs)
        self.pages.addWidget(failed)

        central = QWidget()
        cl = QVBoxLayout(central)
        cl.setContentsMargins(8, 8, 8, 0)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.refresh_button)
        cl.addLayout(top)
        cl.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        self.statusBar()
        self.refresh()

    # ---- counting ---------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._future is not None

    def refresh(self) -> None:
        """Count again in the worker thread; the charts appear when it is done."""
        if self._future is not None:
            return
        self.pages.setCurrentIndex(0)
        self.refresh_button.setEnabled(False)
        self.summary.setText("Counting…")
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dashboard")
        self._future = self._executor.submit(self._loader, Path(self.project.path))
        self._timer.start()

    def _poll(self) -> None:
        future = self._future
        if future is None or not future.done():
            return
        self._timer.stop()
        self._future = None
        self.refresh_button.setEnabled(True)
        try:
            data = future.result()
        except Exception as e:  # shown, not raised: the window stays usable
            self.data = None
            self.summary.setText("")
            self.error_label.setText(f"The numbers could not be counted:\n{e}")
            self.pages.setCurrentIndex(2)
            return
        self.show_data(data)

    def show_data(self, data: DashboardData) -> None:
        self.data = data
        stats = data.stats
        claims = sum(stats["claims"]["by_kind"].values())
        self.summary.setText(
            f"{_plural(stats['documents'], 'document')} · {_plural(stats['quotes'], 'quote')} · "
            f"{len(stats['people']):,} {'person' if len(stats['people']) == 1 else 'people'} quoted · {_plural(claims, 'claim')}"
        )
        stance = self.charts["stance"]
        assert isinstance(stance, StanceChart)
        totals = {t: sum(c.values()) for t, c in stats["stance"]["by_target"].items()}
        stance.set_targets(sorted(totals, key=lambda t: (-totals[t], t)))
        for chart in self.charts.values():
            chart.redraw()
        self.pages.setCurrentIndex(1)

    def wait_until_ready(self, timeout: float = 30.0) -> None:
        """Block until the numbers are in and drawn (for tests and scripts)."""
        if self._future is not None:
            self._future.result(timeout=timeout)
            self._poll()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._timer.stop()
        if self._executor is not None:
            # a count under way finishes in its thread (on its own connection) and is dropped
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
        self._future = None
        self.refresh_button.setEnabled(True)
        super().closeEvent(event)
