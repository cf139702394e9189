"""The dashboard on the real demo project: counted off the GUI thread, clicked, exported, themed."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from annotator.core.stats import STANCES
from annotator.io.importer import import_paths
from annotator.resources import seeds_dir
from annotator.store import Project
from annotator.ui.dashboard import (
    Chart,
    DashboardData,
    DashboardWindow,
    PeopleChart,
    StanceChart,
    theme_of,
    write_csv,
)
from annotator.ui.interaction import ScriptedInteraction
from annotator.ui.main_window import MainWindow

DEMO = seeds_dir() / "demo" / "ceasefire-talks.jsonl"
DOC = "ceasefire-talks"


@pytest.fixture
def demo(empty_project: Project) -> Project:
    import_paths(empty_project, [DEMO])
    return empty_project


@pytest.fixture
def opened() -> list[tuple[str, str]]:
    return []


@pytest.fixture
def interaction() -> ScriptedInteraction:
    return ScriptedInteraction()


def make_dashboard(qtbot, project: Project, opened: list[tuple[str, str]],  # type: ignore[no-untyped-def]
                   interaction: ScriptedInteraction, **kw: object) -> DashboardWindow:
    win = DashboardWindow(project, lambda d, s: opened.append((d, s)), interaction=interaction, **kw)  # type: ignore[arg-type]
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


@pytest.fixture
def dashboard(qtbot, demo: Project, opened: list[tuple[str, str]],  # type: ignore[no-untyped-def]
              interaction: ScriptedInteraction) -> DashboardWindow:
    win = make_dashboard(qtbot, demo, opened, interaction)
    qtbot.waitUntil(lambda: win.data is not None, timeout=20_000)
    return win


@pytest.fixture
def dark_palette() -> Iterator[QPalette]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.palette()
    p = QPalette(before)
    R = QPalette.ColorRole
    for role, color in ((R.Window, "#2b2b2e"), (R.WindowText, "#e6e6e6"), (R.Base, "#1f1f22"),
                        (R.Text, "#e6e6e6"), (R.Button, "#35353a"), (R.ButtonText, "#e6e6e6")):
        p.setColor(role, QColor(color))
    yield p
    app.setPalette(before)


def click(qtbot, chart: Chart, artist) -> None:  # type: ignore[no-untyped-def]
    """A real left click in the middle of a bar, through Qt and matplotlib's picking."""
    chart.canvas.draw()
    box = artist.get_window_extent()
    ratio = chart.canvas.device_pixel_ratio
    x = (box.x0 + box.x1) / 2 / ratio
    y = chart.canvas.height() - (box.y0 + box.y1) / 2 / ratio
    qtbot.mouseClick(chart.canvas, Qt.MouseButton.LeftButton, pos=QPoint(round(x), round(y)))


def to_rgba(color: object) -> tuple[float, ...]:
    from matplotlib.colors import to_rgba as rgba

    return rgba(color)  # type: ignore[arg-type]


def luminance(color: tuple[float, ...]) -> float:
    r, g, b = color[:3]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_counts_off_the_gui_thread_with_a_busy_indicator(qtbot, demo, opened, interaction) -> None:  # type: ignore[no-untyped-def]
    win = make_dashboard(qtbot, demo, opened, interaction)
    assert win.busy
    assert win.pages.currentIndex() == 0  # the busy page, with an indeterminate bar
    assert win.busy_bar.maximum() == 0
    assert not win.refresh_button.isEnabled()
    qtbot.waitUntil(lambda: not win.busy, timeout=20_000)
    assert win.pages.currentWidget() is win.tabs
    assert win.summary.text() == "1 document · 27 quotes · 6 people quoted · 8 claims"


def test_people_chart_has_trump_first_and_a_click_lists_his_quotes(qtbot, dashboard, opened, demo) -> None:  # type: ignore[no-untyped-def]
    chart = dashboard.charts["people"]
    assert isinstance(chart, PeopleChart)
    ax_quotes, ax_words = chart.figure.axes
    assert [t.get_text() for t in ax_quotes.get_yticklabels()][:3] == [
        "Donald Trump", "Vladimir Putin", "Dmitri Peskov"
    ]
    first = chart.bars[0]
    assert first.get_width() == 12
    assert ax_words.patches[0].get_width() == 169  # words quoted, the second series

    click(qtbot, chart, first)
    quotes = chart.model.quotes
    assert len(quotes) == 12 == chart.model.rowCount()
    assert {q.person for q in quotes} == {"Donald Trump"}
    assert chart.caption.text().startswith("Quotes by Donald Trump: 12 listed")
    assert chart.model.data(chart.model.index(0, 0)) == "Donald Trump"
    assert chart.model.data(chart.model.index(0, 2)) == DOC

    # activating a listed quote (Enter on the row) opens it
    chart.table.setFocus()
    chart.table.setCurrentIndex(chart.model.index(2, 1))
    qtbot.keyClick(chart.table, Qt.Key.Key_Return)
    assert opened == [(DOC, quotes[2].span_id)]
    span = demo.span(DOC, quotes[2].span_id, annotator="demo")
    assert span.label == "QUOTE"
    assert span.text_in(demo.document_text(DOC)) == quotes[2].text


def test_every_bar_lists_as_many_quotes_as_it_counts(dashboard: DashboardWindow) -> None:
    for key in ("people", "outlets", "stance", "claims"):
        chart = dashboard.charts[key]
        if key == "stance":
            assert isinstance(chart, StanceChart)
        assert chart.bars, key
        for bar in chart.bars:
            chart.pick(bar)
            listed = chart.model.quotes
            if bar.axes.get_xlabel() == "words":
                assert sum(q.words for q in listed) == bar.get_width(), chart.caption.text()
            else:
                assert len(listed) == bar.get_width(), (key, chart.caption.text())


def test_stance_by_person_toward_one_target(qtbot, dashboard: DashboardWindow, interaction, tmp_path) -> None:  # type: ignore[no-untyped-def]
    chart = dashboard.charts["stance"]
    assert isinstance(chart, StanceChart)
    assert not chart.target.isEnabled()  # by target: no target to choose
    chart.group.setCurrentIndex(chart.group.findData("person"))
    chart.target.setCurrentIndex(chart.target.findData("ceasefire"))
    assert chart.target.isEnabled()
    assert chart.figure.axes[0].get_title(loc="left") == "Stance toward ceasefire, by person"
    names = [t.get_text() for t in chart.figure.axes[0].get_yticklabels()]
    assert names[0] == "Donald Trump"
    favor = chart.bars[0]  # first series (favor), first row (Trump)
    assert favor.get_facecolor()[:3] == pytest.approx(QColor("#009E73").getRgbF()[:3])
    chart.pick(favor)
    assert len(chart.model.quotes) == 6
    assert {(q.person, q.stance, q.target) for q in chart.model.quotes} == {
        ("Donald Trump", "favor", "ceasefire")
    }

    interaction.answers.append(tmp_path / "stance.csv")
    qtbot.mouseClick(chart.export_buttons["csv"], Qt.MouseButton.LeftButton)
    with (tmp_path / "stance.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["person", "target", *STANCES]
    assert ["Donald Trump", "ceasefire", "6", "0", "3", "0"] in rows
    assert ["Vladimir Putin", "ceasefire", "0", "2", "1", "3"] in rows
    assert {r[1] for r in rows[1:]} == {"ceasefire"}


def test_csv_export_writes_the_numbers(qtbot, dashboard: DashboardWindow, interaction, tmp_path) -> None:  # type: ignore[no-untyped-def]
    chart = dashboard.charts["people"]
    interaction.answers.append(tmp_path / "people")  # no suffix: one is added
    qtbot.mouseClick(chart.export_buttons["csv"], Qt.MouseButton.LeftButton)
    with (tmp_path / "people.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows[0] == {"person": "Donald Trump", "role": "", "organisation": "",
                       "quotes": "12", "words": "169"}
    assert [r["person"] for r in rows] == [p["person"] for p in dashboard.data.stats["people"]]
    assert sum(int(r["quotes"]) for r in rows) == 27

    expected = {
        "outlets": [["outlet", "quotes", "documents"], ["Mail Online", "27", "1"]],
        "claims": [["breakdown", "value", "claims"], ["kind", "causal", "1"], ["kind", "other", "4"],
                   ["kind", "prediction", "1"], ["kind", "statistic", "2"],
                   ["checkworthy", "yes", "8"]],
        "progress": [["annotator", "done", "in_progress", "todo", "spans"],
                     ["demo", "1", "0", "0", "85"]],
        "stance": [["target", *STANCES], ["(no target)", "0", "0", "3", "0"],
                   ["ceasefire", "9", "2", "9", "3"], ["sanctions on Russia", "1", "0", "0", "0"]],
    }
    for key, table in expected.items():
        out = tmp_path / f"{key}.csv"
        interaction.answers.append(out)
        assert dashboard.charts[key].export("csv") == out
        with out.open(encoding="utf-8", newline="") as f:
            assert list(csv.reader(f)) == table, key


def test_csv_cells_cannot_run_as_formulas(tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    write_csv(out, ["person", "quotes"], [["=HYPERLINK(\"http://x\")", 3], ["-1 source", -1]])
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[1:] == [["'=HYPERLINK(\"http://x\")", "3"], ["'-1 source", "-1"]]


def test_png_and_svg_export(qtbot, dashboard: DashboardWindow, interaction, tmp_path) -> None:  # type: ignore[no-untyped-def]
    chart = dashboard.charts["people"]
    interaction.answers.extend([tmp_path / "people.png", tmp_path / "people.svg"])
    qtbot.mouseClick(chart.export_buttons["png"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(chart.export_buttons["svg"], Qt.MouseButton.LeftButton)
    assert (tmp_path / "people.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = (tmp_path / "people.svg").read_text(encoding="utf-8")
    assert "<svg" in svg
    # cancelled: nothing written, nothing said
    assert chart.export("png") is None
    assert interaction.messages == []


def test_export_failure_is_reported(dashboard: DashboardWindow, interaction, tmp_path) -> None:  # type: ignore[no-untyped-def]
    interaction.answers.append(tmp_path / "no-such-folder" / "people.png")
    assert dashboard.charts["people"].export("png") is None
    assert [m[:2] for m in interaction.messages] == [("error", "Export failed")]


def test_dark_palette_gives_a_dark_figure(qtbot, demo, opened, interaction, dark_palette) -> None:  # type: ignore[no-untyped-def]
    QApplication.setPalette(dark_palette)
    win = make_dashboard(qtbot, demo, opened, interaction)
    qtbot.waitUntil(lambda: win.data is not None, timeout=20_000)
    chart = win.charts["people"]
    assert chart.theme.dark
    assert luminance(chart.figure.get_facecolor()) < 0.25
    ax = chart.figure.axes[0]
    assert luminance(ax.get_facecolor()) < 0.25
    assert luminance(to_rgba(ax.get_yticklabels()[0].get_color())) > 0.7
    assert luminance(to_rgba(ax.xaxis.label.get_color())) > 0.7


def test_switching_the_theme_redraws_the_charts(qtbot, dashboard: DashboardWindow, dark_palette) -> None:  # type: ignore[no-untyped-def]
    chart = dashboard.charts["stance"]
    assert luminance(chart.figure.get_facecolor()) > 0.75  # offscreen default: light
    chart.pick(chart.bars[0])  # favor toward ceasefire
    assert chart.model.rowCount() == 9
    QApplication.setPalette(dark_palette)
    qtbot.waitUntil(lambda: chart.theme.dark)
    assert luminance(chart.figure.get_facecolor()) < 0.25
    assert chart.model.rowCount() == 9  # the clicked bar stays selected
    assert chart.selected is chart.bars[0]
    # stance colours do not follow the theme
    assert chart.bars[0].get_facecolor()[:3] == pytest.approx(QColor("#009E73").getRgbF()[:3])


def test_theme_of_reads_the_palette() -> None:
    p = QPalette()
    p.setColor(QPalette.ColorRole.Window, QColor("#1f1f22"))
    p.setColor(QPalette.ColorRole.WindowText, QColor("#e6e6e6"))
    theme = theme_of(p)
    assert theme.dark
    assert (theme.background, theme.foreground) == ("#1f1f22", "#e6e6e6")


def test_a_failed_count_is_shown_and_can_be_retried(qtbot, demo, opened, interaction) -> None:  # type: ignore[no-untyped-def]
    from annotator.ui.dashboard import load_data

    calls: list[Path] = []

    def flaky(path: Path) -> DashboardData:
        calls.append(path)
        if len(calls) == 1:
            raise OSError("disk on fire")
        return load_data(path)

    win = make_dashboard(qtbot, demo, opened, interaction, loader=flaky)
    qtbot.waitUntil(lambda: not win.busy, timeout=20_000)
    assert win.pages.currentIndex() == 2
    assert "disk on fire" in win.error_label.text()
    win.refresh()
    qtbot.waitUntil(lambda: win.data is not None, timeout=20_000)
    assert win.pages.currentWidget() is win.tabs
    assert calls == [demo.path, demo.path]


def test_empty_project_draws_empty_charts(qtbot, empty_project, opened, interaction) -> None:  # type: ignore[no-untyped-def]
    win = make_dashboard(qtbot, empty_project, opened, interaction)
    qtbot.waitUntil(lambda: win.data is not None, timeout=20_000)
    for chart in win.charts.values():
        assert chart.bars == []
        chart.canvas.draw()
    assert win.summary.text() == "0 documents · 0 quotes · 0 people quoted · 0 claims"


def test_opening_a_quote_shows_it_in_the_main_window(qtbot, empty_project: Project, interaction) -> None:  # type: ignore[no-untyped-def]
    import_paths(empty_project, [DEMO], annotator=empty_project.owner)
    main = MainWindow(empty_project, interaction=ScriptedInteraction())
    qtbot.addWidget(main)

    def open_quote(doc_id: str, span_id: str) -> None:  # what the main window's handler does
        main._select_doc_item(doc_id)
        main.select_span(span_id)

    win = DashboardWindow(empty_project, open_quote, interaction=interaction, parent=main)
    qtbot.addWidget(win)
    qtbot.waitUntil(lambda: win.data is not None, timeout=20_000)
    chart = win.charts["people"]
    chart.pick(chart.bars[1])  # Vladimir Putin
    quote = chart.model.quotes[0]
    assert quote.person == "Vladimir Putin"
    chart.table.activated.emit(chart.model.index(0, 1))
    assert main.doc is not None and main.doc.id == DOC
    assert main.view.selected_span() == quote.span_id
