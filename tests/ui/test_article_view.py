"""ArticleView: code-point offsets through Qt, painting of visible spans, clicks, tooltips."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QHelpEvent, QImage, QTextCursor, QWheelEvent
from PySide6.QtWidgets import QLineEdit, QToolTip, QVBoxLayout, QWidget

from annotator.core.model import Span
from annotator.core.offsets import Utf16Map
from annotator.ui.article_view import ArticleView

BLUE, RED = "#0000FF", "#FF0000"
COLORS = {"QUOTE": BLUE, "SPEAKER": RED, "CUE": "#00AA00", "CLAIM": "#CC79A7"}

TEXTS = [
    "a😀b",
    "😀😀 x 👍🏽 y 😀",
    "cafe\u0301 e\u0301te\u0301",
    "one\r\ntwo\r\n",
    "one\rtwo\r",
    "a\u00a0b c\u00a0",
    "line\u2028next\u2029para",
    "Hello שלום עולם and مرحبا بالعالم end",
    "😀 עברית 😀 mixed\r\nعربي 👍",
]


def u16(text: str, i: int) -> int:
    """UTF-16 position of code point i, computed without Utf16Map."""
    return len(text[:i].encode("utf-16-le")) // 2


@pytest.fixture
def make_view(qtbot):
    def make(
        text: str,
        spans: list[Span] | tuple[Span, ...] = (),
        colors: dict[str, str] | None = None,
        size: tuple[int, int] = (600, 400),
    ) -> ArticleView:
        view = ArticleView()
        qtbot.addWidget(view)
        view.resize(*size)
        view.set_document(text, list(spans), COLORS if colors is None else colors)
        view.show()
        qtbot.waitExposed(view)
        return view

    return make


def span_of(text: str, word: str, label: str, sid: str) -> Span:
    start = text.index(word)
    return Span(sid, start, start + len(word), label)


def mean_rgb(img: QImage, rect: QRectF) -> tuple[float, float, float]:
    r = rect.toAlignedRect().intersected(img.rect())
    assert r.width() > 0 and r.height() > 0
    tot = [0.0, 0.0, 0.0]
    n = 0
    for y in range(r.top(), r.bottom() + 1):
        for x in range(r.left(), r.right() + 1):
            c = img.pixelColor(x, y)
            tot[0] += c.red()
            tot[1] += c.green()
            tot[2] += c.blue()
            n += 1
    return tot[0] / n, tot[1] / n, tot[2] / n


def render(view: ArticleView) -> QImage:
    return view.viewport().grab().toImage()


# ---- offsets ------------------------------------------------------------


@pytest.mark.parametrize("text", TEXTS)
def test_display_text_keeps_qt_positions_in_step(make_view, text):
    view = make_view(text)
    assert view.document().characterCount() - 1 == Utf16Map(text).length_utf16
    assert view.text() == text


@pytest.mark.parametrize("text", TEXTS)
def test_select_cp_round_trips(make_view, text):
    view = make_view(text)
    for s in range(len(text) + 1):
        for e in range(s, len(text) + 1):
            view.select_cp(s, e)
            assert view.selection_cp() == (s, e), (s, e)


@pytest.mark.parametrize("text", TEXTS)
def test_qt_selection_converts_to_code_points(make_view, text):
    view = make_view(text)
    for s in range(len(text) + 1):
        for e in range(s, len(text) + 1):
            cursor = QTextCursor(view.document())
            cursor.setPosition(u16(text, e))
            cursor.setPosition(u16(text, s), QTextCursor.MoveMode.KeepAnchor)  # backwards
            view.setTextCursor(cursor)
            assert view.selection_cp() == (s, e), (s, e)


def test_half_selected_surrogate_pair_widens(make_view):
    view = make_view("a😀b")  # UTF-16: a=0, 😀=1..2, b=3
    cursor = QTextCursor(view.document())
    cursor.setPosition(2)  # between the two halves of the emoji
    cursor.setPosition(4, QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)
    assert view.selection_cp() == (1, 3)
    cursor.setPosition(0)
    cursor.setPosition(2, QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)
    assert view.selection_cp() == (0, 2)


def test_keyboard_selection_over_emoji(make_view, qtbot):
    view = make_view("a😀b")
    view.setFocus()
    view.select_cp(0, 0)
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert view.selection_cp() == (0, 2)


def test_selection_changed_signal_in_code_points(make_view, qtbot):
    text = "😀😀 hello"
    view = make_view(text)
    with qtbot.waitSignal(view.selectionChangedCp, timeout=1000) as blocker:
        view.select_cp(1, 5)
    assert blocker.args == [1, 5]


def test_cp_at_point_finds_the_character(make_view):
    text = "😀 alpha beta"
    view = make_view(text)
    start = text.index("beta")
    (rect,) = view.cp_rects(start + 1, start + 2)  # the "e"
    assert view.cp_at_point(rect.center().toPoint()) == start + 1
    below = QPoint(int(rect.center().x()), view.viewport().height() - 2)
    assert view.cp_at_point(below) is None


# ---- drawing --------------------------------------------------------------


def test_visible_span_is_tinted_in_its_colour(make_view):
    text = "plain words here and tagged words there"
    span = span_of(text, "tagged", "QUOTE", "q1")
    view = make_view(text, [span])
    (tagged,) = view.cp_rects(span.start, span.end)
    untagged_start = text.index("plain")
    (untagged,) = view.cp_rects(untagged_start, untagged_start + 5)
    with_span = render(view)
    view.set_spans([])
    without = render(view)

    r1, g1, b1 = mean_rgb(with_span, tagged)
    r0, g0, b0 = mean_rgb(without, tagged)
    assert r1 < r0 - 15 and g1 < g0 - 15  # tinted towards blue
    assert abs(b1 - b0) < 25
    assert mean_rgb(with_span, untagged) == mean_rgb(without, untagged)


def test_nested_spans_both_show_in_underline_lanes(make_view):
    text = "He said 'we asked Adam Hall about it' yesterday."
    quote = Span("q", text.index("'"), text.rindex("'") + 1, "QUOTE")
    speaker = span_of(text, "Adam Hall", "SPEAKER", "s")
    view = make_view(text, [quote, speaker])
    img = render(view)
    view.set_spans([])
    bare = render(view)  # where the glyphs are: lanes run beneath the text's lowest strokes
    view.set_spans([quote, speaker])
    (rect,) = view.cp_rects(speaker.start, speaker.end)

    def row(y: float) -> list[QColor]:
        yy = int(y)
        xs = range(int(rect.left()) + 2, int(rect.right()) - 2)
        return [img.pixelColor(x, yy) for x in xs if bare.pixelColor(x, yy).lightness() > 240]

    lane0 = row(rect.bottom() - 1.5)  # outermost (the quote) at the bottom
    lane1 = row(rect.bottom() - 4.5)  # the speaker just above it
    assert len(lane0) > 20 and len(lane1) > 20
    assert sum(c.blue() > 200 and c.red() < 60 for c in lane0) > len(lane0) * 0.9
    assert sum(c.red() > 200 and c.blue() < 60 for c in lane1) > len(lane1) * 0.9
    # beside the speaker only the quote's lane is drawn
    (word,) = view.cp_rects(text.index("asked"), text.index("asked") + 5)
    above = img.pixelColor(int(word.left()) + 1, int(word.bottom() - 4.5))
    assert not (above.red() > 200 and above.blue() < 60)


def test_highlights_are_yellow(make_view):
    text = "find me here and find me there"
    view = make_view(text)
    before = render(view)
    start = text.index("here")
    view.set_highlights([(start, start + 4)])
    after = render(view)
    (rect,) = view.cp_rects(start, start + 4)
    r0, _, b0 = mean_rgb(before, rect)
    r1, _, b1 = mean_rgb(after, rect)
    assert b1 < b0 - 30 and abs(r1 - r0) < 20


def test_selected_span_scrolls_into_view(make_view):
    filler = " ".join(["words that wrap over several lines of the view"] * 8)
    text = "\n".join(f"Paragraph {i}: {filler}." for i in range(300))
    target = span_of(text, "Paragraph 250:", "CLAIM", "far")
    view = make_view(text, [target])
    assert view.cp_rects(target.start, target.end) == []  # not visible yet
    view.set_selected_span("far")
    assert view.selected_span() == "far"
    (rect,) = view.cp_rects(target.start, target.end)
    assert 0 < rect.top() < view.viewport().height() / 2  # with some text above it
    scroll = view.verticalScrollBar().value()
    view.set_selected_span("far")  # already in view: no scrolling
    assert view.verticalScrollBar().value() == scroll
    view.set_selected_span(None)
    assert view.selected_span() is None


def test_selected_span_has_an_outline(make_view):
    text = "alpha beta gamma"
    span = span_of(text, "beta", "QUOTE", "b")
    view = make_view(text, [span])
    plain = render(view)
    view.set_selected_span("b")
    outlined = render(view)
    (rect,) = view.cp_rects(span.start, span.end)
    x, y = int(rect.center().x()), int(rect.top()) + 1  # top edge: above the glyphs
    edge = outlined.pixelColor(x, y)
    assert edge != plain.pixelColor(x, y)
    assert edge.red() < 30 and edge.green() < 30 and 100 < edge.blue() < 200  # a darker blue


def test_only_visible_spans_are_painted(make_view):
    words = [f"word{i}" for i in range(20_000)]
    paragraphs = [" ".join(words[i : i + 40]) for i in range(0, len(words), 40)]
    text = "\n".join(paragraphs)
    spans, pos = [], 0
    for i, w in enumerate(words):
        pos = text.index(w, pos)
        spans.append(Span(f"s{i}", pos, pos + len(w), ("QUOTE", "SPEAKER", "CUE")[i % 3]))
        pos += len(w)
    view = make_view(text, spans, size=(800, 600))
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum() // 2)
    render(view)
    assert 0 < view.last_paint_count < 500
    start = view.cp_at_point(QPoint(60, 60))
    assert start is not None
    view.add_span(Span("new", start, start + 3, "CLAIM"))
    render(view)  # paints synchronously, like the screen does
    assert 0 < view.last_paint_count < 500
    assert view.spans_at_cp(start)[0].id == "new"


def test_add_update_remove_span(make_view):
    text = "one two three"
    view = make_view(text)
    view.add_span(span_of(text, "two", "QUOTE", "a"))
    assert [s.id for s in view.spans_at_cp(5)] == ["a"]
    view.update_span(Span("a", 8, 13, "CLAIM"))
    assert view.spans_at_cp(5) == []
    assert view.spans_at_cp(9)[0].label == "CLAIM"
    view.set_selected_span("a")
    view.remove_span("a")
    assert view.spans_at_cp(9) == []
    assert view.selected_span() is None


# ---- mouse, tooltips, wheel, focus ----------------------------------------


def test_click_cycles_from_innermost_outwards(make_view, qtbot):
    text = "He said 'we asked Adam Hall about it' yesterday."
    quote = Span("q", text.index("'"), text.rindex("'") + 1, "QUOTE")
    speaker = span_of(text, "Adam Hall", "SPEAKER", "s")
    view = make_view(text, [quote, speaker])
    (rect,) = view.cp_rects(speaker.start + 1, speaker.start + 2)
    point = rect.center().toPoint()

    def click(at: QPoint) -> str:
        with qtbot.waitSignal(view.spanActivated, timeout=1000) as blocker:
            qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=at)
        return blocker.args[0]

    assert click(point) == "s"
    assert view.selected_span() == "s"
    assert click(point) == "q"
    assert click(point) == "s"
    (plain,) = view.cp_rects(text.index("yesterday"), text.index("yesterday") + 1)
    assert click(plain.center().toPoint()) == ""
    assert view.selected_span() is None


def test_drag_selects_text_without_activating(make_view, qtbot):
    text = "alpha beta gamma"
    view = make_view(text, [span_of(text, "beta", "QUOTE", "b")])
    (a,) = view.cp_rects(0, 1)
    (b,) = view.cp_rects(text.index("gamma"), text.index("gamma") + 1)
    fired: list[str] = []
    view.spanActivated.connect(fired.append)
    vp = view.viewport()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=a.topLeft().toPoint() + QPoint(0, 3))
    qtbot.mouseMove(vp, pos=b.center().toPoint())
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=b.center().toPoint())
    assert fired == []
    s, e = view.selection_cp()
    assert s == 0 and e > text.index("gamma")


def test_tooltip_is_escaped_plain_text(make_view):
    text = "He wrote <b>x</b> & <img src=y> in the post."
    span = Span("t", text.index("<b>"), text.index("post") + 4, "QUOTE")
    view = make_view(text, [span])
    (rect,) = view.cp_rects(span.start + 1, span.start + 2)
    tip = view.tooltip_at(rect.center().toPoint())
    assert tip.startswith("<p style='white-space:pre-wrap'>")
    assert "QUOTE — &lt;b&gt;x&lt;/b&gt; &amp; &lt;img src=y&gt;" in tip
    assert "<b>" not in tip and "<img" not in tip
    (plain,) = view.cp_rects(0, 1)
    assert view.tooltip_at(plain.center().toPoint()) == ""


def test_tooltip_event_shows_it(make_view, qtbot):
    text = "a <i>quoted</i> word"
    view = make_view(text, [Span("t", 2, 15, "QUOTE")])
    (rect,) = view.cp_rects(3, 4)
    pos = rect.center().toPoint()
    event = QHelpEvent(QEvent.Type.ToolTip, pos, view.viewport().mapToGlobal(pos))
    view.viewportEvent(event)
    qtbot.waitUntil(lambda: "&lt;i&gt;" in QToolTip.text(), timeout=2000)
    QToolTip.hideText()


def _wheel(view: ArticleView, dy: int, modifiers: Qt.KeyboardModifier) -> None:
    pos = QPointF(50, 50)
    event = QWheelEvent(
        pos,
        QPointF(view.viewport().mapToGlobal(pos.toPoint())),
        QPoint(0, 0),
        QPoint(0, dy),
        Qt.MouseButton.NoButton,
        modifiers,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    view.wheelEvent(event)


def test_ctrl_wheel_zooms_and_plain_wheel_scrolls(make_view):
    text = "\n".join(f"line {i}" for i in range(300))
    view = make_view(text)
    size = view.font().pointSizeF()
    _wheel(view, 120, Qt.KeyboardModifier.ControlModifier)
    assert view.font().pointSizeF() == size + 1
    assert view.verticalScrollBar().value() == 0
    _wheel(view, -240, Qt.KeyboardModifier.ControlModifier)
    assert view.font().pointSizeF() == size - 1
    _wheel(view, -120, Qt.KeyboardModifier.NoModifier)
    assert view.verticalScrollBar().value() > 0


def test_zoom_is_bounded(make_view):
    view = make_view("text")
    view.zoom(-100)
    assert view.font().pointSizeF() >= 6
    view.zoom(+200)
    assert view.font().pointSizeF() <= 48


def test_tab_moves_focus_on(qtbot):
    box = QWidget()
    qtbot.addWidget(box)
    layout = QVBoxLayout(box)
    view = ArticleView()
    after = QLineEdit()
    layout.addWidget(view)
    layout.addWidget(after)
    view.set_document("some text", [], COLORS)
    box.show()
    qtbot.waitExposed(box)
    box.activateWindow()
    view.setFocus()
    qtbot.waitUntil(view.hasFocus, timeout=2000)
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    qtbot.waitUntil(after.hasFocus, timeout=2000)
    assert view.text() == "some text"
