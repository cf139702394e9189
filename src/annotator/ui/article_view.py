"""The article reading and tagging widget: text on screen, spans painted over it.

``ArticleView`` owns how one document's text and spans look and respond to the
mouse: the translucent label tints, the underline lanes that keep nested and
overlapping spans apart, the outline of the selected span, find-in-article
highlights, click-to-activate (cycling through enclosing spans), hover
tooltips and Ctrl+wheel zoom. It holds no annotation state of its own beyond
what it is told to show; the main window adds, removes and selects spans.

Offsets on its API are code points, as everywhere outside the Qt layer. The one
``Utf16Map`` built per document (``annotator.core.offsets``) converts to and from
the widget's UTF-16 positions, and the widget is given ``display_text`` so a
stored CR still occupies exactly one position. The article text is never read
back from the widget.

Painting follows what is visible, never the number of spans: each paint asks
the ``SpanIndex`` for the spans overlapping the visible code-point range and
draws their rectangles from the visible blocks' line layouts, underneath the
text drawn by ``QPlainTextEdit`` itself.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFontDatabase,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QTextBlock,
    QTextCursor,
    QTextLayout,
    QTextLine,
    QTextOption,
    QWheelEvent,
)
from PySide6.QtWidgets import QApplication, QPlainTextEdit, QToolTip, QWidget

from annotator.core.model import Span
from annotator.core.offsets import Utf16Map, display_text
from annotator.core.spans import SpanIndex

#: Colour of a label the view was given no colour for.
FALLBACK_COLOR = "#999999"
#: Opacity (0-255) of a span's background tint.
FILL_ALPHA = 70
#: Find-in-article match tint.
HIGHLIGHT_COLOR = QColor(255, 214, 0, 120)
#: Underline bar thickness and the distance between two lanes, in pixels.
BAR_HEIGHT = 2
LANE_STEP = 3
#: Lanes drawn apart; deeper nesting shares the last one.
MAX_LANES = 3
#: Pixels around the text.
DOCUMENT_MARGIN = 24
READING_POINT_SIZE = 12.0
MIN_POINT_SIZE, MAX_POINT_SIZE = 6.0, 48.0
TOOLTIP_CHARS = 80
TOOLTIP_MAX_SPANS = 5

# Scripts written right to left: their lines need per-run rectangles.
_RTL = re.compile(
    "[\u0590-\u08ff\u200f\u202b\u202e\u2067\ufb1d-\ufdff\ufe70-\ufefc"
    "\U00010800-\U00010fff\U0001e800-\U0001efff]"
)
_WS = re.compile(r"\s+")


def _lanes(spans: Sequence[Span]) -> list[int]:
    """Underline lane of each span (sorted by start, longest first): outer spans lower."""
    ends: list[int] = []
    lanes: list[int] = []
    for span in spans:
        for k, end in enumerate(ends):
            if end <= span.start:
                ends[k] = span.end
                lanes.append(k)
                break
        else:
            ends.append(span.end)
            lanes.append(len(ends) - 1)
    return lanes


def _line_index_at_y(layout: QTextLayout, y: float) -> int:
    """Index of the line of ``layout`` containing local ``y`` (clamped to the lines)."""
    lo, hi = 0, layout.lineCount() - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if layout.lineAt(mid).y() <= y:
            lo = mid
        else:
            hi = mid - 1
    return lo


# A laid-out line: (start, end) in the block, top and height in the viewport, the line.
_Line = tuple[int, int, float, float, QTextLine]
# A block's lines: their starts (for bisection), the lines, whether it holds right-to-left text.
_BlockLines = tuple[list[int], list[_Line], bool]


class _Geometry:
    """Line boxes of the visible blocks, gathered once per paint and reused for every span.

    Only lines inside ``clip`` are kept, so one huge paragraph costs what is on screen.
    ``has_rtl(a, b)`` says whether UTF-16 range [a, b) holds right-to-left text.
    """

    __slots__ = ("_blocks", "_clip", "_has_rtl", "_lines", "_starts")

    def __init__(
        self,
        blocks: Sequence[tuple[QTextBlock, QPointF]],
        clip: QRectF,
        has_rtl: Callable[[int, int], bool],
    ) -> None:
        self._blocks = blocks
        self._clip = clip
        self._has_rtl = has_rtl
        self._starts = [block.position() for block, _ in blocks]
        self._lines: dict[int, _BlockLines] = {}  # by index in ``blocks``, filled when needed

    def _block_lines(self, i: int) -> _BlockLines:
        cached = self._lines.get(i)
        if cached is None:
            block, origin = self._blocks[i]
            layout = block.layout()
            lines: list[_Line] = []
            if layout.lineCount():
                first = _line_index_at_y(layout, self._clip.top() - origin.y())
                last = _line_index_at_y(layout, self._clip.bottom() - origin.y())
                for n in range(first, last + 1):
                    line = layout.lineAt(n)
                    ls = line.textStart()
                    lines.append(
                        (ls, ls + line.textLength(), origin.y() + line.y(), line.height(), line)
                    )
            bpos = block.position()
            bidi = bool(lines) and self._has_rtl(bpos + lines[0][0], bpos + lines[-1][1])
            cached = self._lines[i] = ([ln[0] for ln in lines], lines, bidi)
        return cached

    def rects(self, a: int, b: int) -> list[QRectF]:
        """Rectangles covering UTF-16 range [a, b): one per line, or per run in bidi text."""
        out: list[QRectF] = []
        blocks, starts = self._blocks, self._starts
        i = max(0, bisect_right(starts, a) - 1)
        while i < len(blocks) and starts[i] < b:
            block, origin = blocks[i]
            bpos = starts[i]
            la, lb = max(a - bpos, 0), min(b - bpos, block.length() - 1)
            if la < lb:
                line_starts, lines, bidi = self._block_lines(i)
                ox = origin.x()
                for ls, le, y, h, line in lines[max(0, bisect_right(line_starts, la) - 1) :]:
                    if ls >= lb:
                        break
                    s, e = max(la, ls), min(lb, le)
                    if s >= e:
                        continue
                    if bidi:
                        for run in line.glyphRuns(s, e - s):
                            br = run.boundingRect()
                            out.append(QRectF(ox + br.x(), y, br.width(), h))
                    else:
                        x1 = line.cursorToX(s)[0]
                        x2 = line.cursorToX(e)[0]
                        out.append(QRectF(ox + min(x1, x2), y, abs(x2 - x1), h))
            i += 1
        return out


class ArticleView(QPlainTextEdit):
    """Read-only article text with spans drawn over it; offsets are code points."""

    spanActivated = Signal(str)
    suggestionActivated = Signal(str)  # a pending suggestion was clicked
    selectionChangedCp = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._map = Utf16Map("")
        self._index = SpanIndex()
        self._by_id: dict[str, Span] = {}
        self._colors: dict[str, QColor] = {}
        self._fills: dict[str, QColor] = {}
        self._selected: str | None = None
        self._highlights: list[tuple[int, int]] = []
        self._highlight_starts: list[int] = []
        self._highlight_max_len = 0
        self._links: dict[str, set[str]] = {}
        self._heads: set[str] = set()
        self._suggestions = SpanIndex()
        self._suggestion_by_id: dict[str, Span] = {}
        #: other annotators' spans (read-only, a dotted box around the text), their colours
        self._others = SpanIndex()
        self._other_colors: dict[str, QColor] = {}
        self._other_rank: dict[str, int] = {}
        self._selected_suggestion: str | None = None
        self._press_pos: QPoint | None = None
        self._cycle: tuple[str, ...] = ()
        self._wheel_accum = 0
        #: How many spans the last paint looked at (it must follow the view, not the document).
        self.last_paint_count = 0

        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setTabChangesFocus(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setUndoRedoEnabled(False)
        self.document().setDocumentMargin(DOCUMENT_MARGIN)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont)
        font.setPointSizeF(READING_POINT_SIZE)
        self.setFont(font)
        self.selectionChanged.connect(self._on_selection_changed)

    # ---- content -------------------------------------------------------
    def set_document(self, text: str, spans: Sequence[Span], colors: Mapping[str, str]) -> None:
        """Show ``text`` with ``spans``; clears the selected span and highlights."""
        self._text = text
        self._map = Utf16Map(text)
        self._selected = None
        self._cycle = ()
        self._set_highlights([])
        self._colors = {label: QColor(c) for label, c in colors.items()}
        self._fills = {}
        self._set_spans(spans)
        self._others = SpanIndex()
        self.setPlainText(display_text(text))

    def text(self) -> str:
        """The stored article text given to ``set_document``."""
        return self._text

    def set_colors(self, colors: Mapping[str, str]) -> None:
        self._colors = {label: QColor(c) for label, c in colors.items()}
        self._fills = {}
        self.viewport().update()

    def add_span(self, span: Span) -> None:
        if span.id in self._by_id:
            self._index.remove(span.id)
        self._by_id[span.id] = span
        self._index.add(span)
        self.viewport().update()

    def remove_span(self, span_id: str) -> None:
        if self._by_id.pop(span_id, None) is None:
            return
        self._index.remove(span_id)
        if self._selected == span_id:
            self._selected = None
        self.viewport().update()

    def update_span(self, span: Span) -> None:
        """Replace the span with the same id (new bounds, label or fragments)."""
        self.add_span(span)

    def set_spans(self, spans: Sequence[Span]) -> None:
        self._set_spans(spans)
        if self._selected not in self._by_id:
            self._selected = None
        self.viewport().update()

    def _set_spans(self, spans: Sequence[Span]) -> None:
        self._by_id = {s.id: s for s in spans}
        self._index = SpanIndex(self._by_id.values())
        self._cycle = ()

    def set_selected_span(self, span_id: str | None) -> None:
        """Outline ``span_id`` (None: no span) and scroll it into view."""
        span = self._by_id.get(span_id) if span_id else None
        self._selected = span.id if span else None
        if span is not None:
            self.scroll_to_cp(span.start)
        self.viewport().update()

    def selected_span(self) -> str | None:
        return self._selected

    def spans_at_cp(self, pos: int) -> list[Span]:
        """Spans covering code point ``pos``, innermost first."""
        return self._index.at(pos)

    def set_links(self, links: Sequence[tuple[str, str]]) -> None:
        """Relations (head span id, child span id). Attributed heads get a dot at their end;
        the links of the selected span are drawn as connectors."""
        self._links = {}
        for head, child in links:
            self._links.setdefault(head, set()).add(child)
            self._links.setdefault(child, set()).add(head)
        self._heads = {head for head, _ in links}
        self.viewport().update()

    def set_suggestions(self, spans: Sequence[Span]) -> None:
        """Pending suggestions: drawn dashed, not annotations until accepted."""
        if not spans and not self._suggestion_by_id:
            return  # nothing was pending and nothing is: no repaint
        self._suggestion_by_id = {s.id: s for s in spans}
        self._suggestions = SpanIndex(spans)
        if self._selected_suggestion not in self._suggestion_by_id:
            self._selected_suggestion = None
        self.viewport().update()

    def suggestions(self) -> list[Span]:
        return list(self._suggestions)

    def set_others(self, spans: Sequence[Span], colors: Mapping[str, str]) -> None:
        """Other annotators' spans, shown read-only: a dotted box around the text in the
        annotator's colour (``colors``: annotator -> colour); never selected or edited."""
        self._others = SpanIndex(s.with_(id=f"{s.annotator}/{s.id}") for s in spans)
        self._other_colors = {who: QColor(c) for who, c in colors.items()}
        self._other_rank = {who: i for i, who in enumerate(colors)}
        self.viewport().update()

    def others(self) -> list[Span]:
        """The other annotators' spans shown (ids "annotator/id")."""
        return list(self._others)

    def set_selected_suggestion(self, span_id: str | None) -> None:
        span = self._suggestion_by_id.get(span_id or "")
        self._selected_suggestion = span.id if span else None
        if span is not None:
            self.scroll_to_cp(span.start)
        self.viewport().update()

    def selected_suggestion(self) -> str | None:
        return self._selected_suggestion

    def set_highlights(self, ranges: Sequence[tuple[int, int]]) -> None:
        """Find-in-article matches, as code-point ranges; drawn in a subtle yellow."""
        self._set_highlights(ranges)
        self.viewport().update()

    def _set_highlights(self, ranges: Sequence[tuple[int, int]]) -> None:
        self._highlights = sorted((min(a, b), max(a, b)) for a, b in ranges)
        self._highlight_starts = [a for a, _ in self._highlights]
        self._highlight_max_len = max((b - a for a, b in self._highlights), default=0)

    # ---- selection and scrolling --------------------------------------
    def selection_cp(self) -> tuple[int, int]:
        """The text cursor's selection in code points (widened to whole characters)."""
        cursor = self.textCursor()
        top = self._map.length_utf16
        # clamped: while a new text is being set, Qt may still report the old positions
        return self._map.span_to_code_points(
            max(0, min(cursor.selectionStart(), top)), max(0, min(cursor.selectionEnd(), top))
        )

    def select_cp(self, start: int, end: int) -> None:
        """Select code points [start, end) in the widget (anchor at ``start``)."""
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._map.to_utf16(self._clamp(start)))
        cursor.setPosition(self._map.to_utf16(self._clamp(end)), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)

    def scroll_to_cp(self, pos: int) -> None:
        """Scroll so that the line holding code point ``pos`` is visible (no move if it is)."""
        u16 = self._map.to_utf16(self._clamp(pos))
        block = self.document().findBlock(u16)
        if not block.isValid():
            return
        self.blockBoundingRect(block)  # makes sure the block is laid out
        line = block.layout().lineForTextPosition(u16 - block.position())
        height = self.viewport().height()
        for vis_block, origin in self._visible_blocks(QRectF(self.viewport().rect())):
            if vis_block == block and line.isValid():
                top = origin.y() + line.y()
                if top >= 0 and top + line.height() <= height:
                    return
                break
        # The scroll bar counts lines, and blocks not laid out yet count as one line: step
        # back a third of a screen through laid-out lines to find the top line to show.
        n = line.lineNumber() if line.isValid() else 0
        for _ in range(int(height / max(1, self.fontMetrics().lineSpacing())) // 3):
            if n > 0:
                n -= 1
                continue
            previous = block.previous()
            if not previous.isValid():
                break
            self.blockBoundingRect(previous)
            block, n = previous, max(0, previous.layout().lineCount() - 1)
        self.verticalScrollBar().setValue(block.firstLineNumber() + n)

    def _clamp(self, pos: int) -> int:
        return max(0, min(pos, self._map.length))

    # ---- geometry ------------------------------------------------------
    def _visible_blocks(self, clip: QRectF) -> list[tuple[QTextBlock, QPointF]]:
        """Blocks intersecting ``clip`` (viewport coordinates) with their top-left corner."""
        out: list[tuple[QTextBlock, QPointF]] = []
        block = self.firstVisibleBlock()
        offset = QPointF(self.contentOffset())
        bottom = min(clip.bottom(), float(self.viewport().height()))
        while block.isValid():
            rect = self.blockBoundingRect(block).translated(offset)
            if rect.top() > bottom:
                break
            if block.isVisible() and rect.bottom() >= clip.top():
                out.append((block, QPointF(offset)))
            offset.setY(offset.y() + rect.height())
            block = block.next()
        return out

    def _visible_range_utf16(
        self, blocks: Sequence[tuple[QTextBlock, QPointF]], clip: QRectF
    ) -> tuple[int, int]:
        """UTF-16 range of the lines of ``blocks`` inside ``clip`` (lines, not whole blocks)."""
        first, origin = blocks[0]
        layout = first.layout()
        start = first.position()
        if layout.lineCount():
            line = layout.lineAt(_line_index_at_y(layout, clip.top() - origin.y()))
            start += line.textStart()
        last, origin = blocks[-1]
        layout = last.layout()
        end = last.position() + last.length() - 1
        if layout.lineCount():
            line = layout.lineAt(_line_index_at_y(layout, clip.bottom() - origin.y()))
            end = last.position() + line.textStart() + line.textLength()
        top = self._map.length_utf16
        return min(start, top), min(max(end, start), top)

    def cp_rects(self, start: int, end: int) -> list[QRectF]:
        """Viewport rectangles of the visible part of code points [start, end)."""
        clip = QRectF(self.viewport().rect())
        blocks = self._visible_blocks(clip)
        a, b = self._map.span_to_utf16(self._clamp(start), self._clamp(end))
        return _Geometry(blocks, clip, self._has_rtl).rects(a, b)

    def _has_rtl(self, a: int, b: int) -> bool:
        """Whether UTF-16 range [a, b) of the text holds right-to-left characters."""
        top = self._map.length_utf16
        start = self._map.to_code_point(min(a, top))
        end = self._map.to_code_point(min(b, top), round_up=True)
        return _RTL.search(self._text, start, end) is not None

    def cp_at_point(self, point: QPoint) -> int | None:
        """Code point of the character under viewport ``point``, or None off the text."""
        clip = QRectF(self.viewport().rect())
        for block, origin in self._visible_blocks(clip):
            layout = block.layout()
            y = point.y() - origin.y()
            if not layout.lineCount() or y < 0:
                continue
            line = layout.lineAt(_line_index_at_y(layout, y))
            if y >= line.y() + line.height():
                continue
            x = point.x() - origin.x()
            natural = line.naturalTextRect()
            if not natural.left() <= x < natural.right():
                return None
            local = line.xToCursor(x, QTextLine.CursorPosition.CursorOnCharacter)
            if local >= block.length() - 1:
                return None
            u16 = min(block.position() + local, self._map.length_utf16)
            return self._map.to_code_point(u16)
        return None

    # ---- painting ------------------------------------------------------
    def _color(self, label: str) -> QColor:
        color = self._colors.get(label)
        if color is None or not color.isValid():
            color = self._colors[label] = QColor(FALLBACK_COLOR)
        return color

    def _fill(self, label: str) -> QColor:
        fill = self._fills.get(label)
        if fill is None:
            fill = self._fills[label] = QColor(self._color(label))
            fill.setAlpha(FILL_ALPHA)
        return fill

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        try:
            self._paint_marks(painter, event.rect())
        finally:
            painter.end()
        super().paintEvent(event)

    def _paint_marks(self, painter: QPainter, clip_rect: QRect) -> None:
        """Tints, highlights, underline lanes and the selected outline of visible spans."""
        clip = QRectF(clip_rect)
        blocks = self._visible_blocks(clip)
        if not blocks or not self._text:
            self.last_paint_count = 0
            return
        u_start, u_end = self._visible_range_utf16(blocks, clip)
        vis_start = self._map.to_code_point(u_start)
        vis_end = self._map.to_code_point(u_end, round_up=True)
        spans = self._index.overlapping(vis_start, vis_end) if vis_end > vis_start else []
        self.last_paint_count = len(spans)
        geometry = _Geometry(blocks, clip, self._has_rtl)
        to_utf16 = self._map.to_utf16

        def rects(a: int, b: int) -> list[QRectF]:
            a, b = max(a, vis_start), min(b, vis_end)
            if a >= b:
                return []
            return geometry.rects(to_utf16(a), to_utf16(b))

        # Rectangles grouped by label: one drawRects call per colour.
        fills: dict[str, list[QRectF]] = {}
        bars: dict[str, list[QRectF]] = {}
        selected: tuple[str, list[QRectF]] | None = None
        for span, lane in zip(spans, _lanes(spans), strict=True):
            span_rects = [r for a, b in span.pieces for r in rects(a, b)]
            if not span_rects:
                continue
            fills.setdefault(span.label, []).extend(span_rects)
            rise = BAR_HEIGHT + min(lane, MAX_LANES - 1) * LANE_STEP
            bars.setdefault(span.label, []).extend(
                QRectF(r.left(), r.bottom() - rise, r.width(), BAR_HEIGHT) for r in span_rects
            )
            if span.id == self._selected:
                selected = (span.label, span_rects)

        painter.setPen(Qt.PenStyle.NoPen)
        for label, label_rects in fills.items():
            painter.setBrush(self._fill(label))
            painter.drawRects(label_rects)

        lo = bisect_left(self._highlight_starts, vis_start - self._highlight_max_len)
        hi = bisect_left(self._highlight_starts, vis_end)
        found = [r for a, b in self._highlights[lo:hi] for r in rects(a, b)]
        if found:
            painter.setBrush(HIGHLIGHT_COLOR)
            painter.drawRects(found)

        for label, label_rects in bars.items():
            painter.setBrush(self._color(label))
            painter.drawRects(label_rects)

        # A dot after each attributed quote: which quotes have a source, at a glance.
        dots = [
            (span.label, rects(span.end - 1, span.end))
            for span in spans
            if span.id in self._heads and vis_start < span.end <= vis_end
        ]
        for label, end_rects in dots:
            if end_rects:
                r = end_rects[-1]
                painter.setBrush(self._color(label).darker(130))
                painter.drawEllipse(QPointF(r.right() + 1.5, r.top() + 4), 3.0, 3.0)

        if selected is not None:
            label, span_rects = selected
            color = self._color(label)
            dark_theme = self.palette().base().color().lightness() < 128
            outline = color.lighter(150) if dark_theme else color.darker(160)
            painter.setPen(QPen(outline, 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRects([r.adjusted(1, 1, -1, -1) for r in span_rects])
            self._paint_connectors(painter, span_rects, geometry, vis_start, vis_end, outline)

        # Other annotators' spans: a dotted box in the annotator's colour, nested by annotator.
        theirs = self._others.overlapping(vis_start, vis_end) if vis_end > vis_start else []
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for span in theirs:
            color = self._other_colors.get(span.annotator, QColor("gray"))
            painter.setPen(QPen(color, 1.5, Qt.PenStyle.DotLine))
            k = 0.75 + 2.0 * min(self._other_rank.get(span.annotator, 0), MAX_LANES - 1)
            painter.drawRects(
                [r.adjusted(k, k, -k, -k) for a, b in span.pieces for r in rects(a, b)]
            )

        # Pending suggestions: a dashed outline in the label colour, thicker when selected.
        pending = self._suggestions.overlapping(vis_start, vis_end) if vis_end > vis_start else []
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for span in pending:
            chosen = span.id == self._selected_suggestion
            pen = QPen(self._color(span.label), 2.5 if chosen else 1.3, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawRects([r.adjusted(0.5, 0.5, -0.5, -0.5) for a, b in span.pieces for r in rects(a, b)])

    def _paint_connectors(
        self,
        painter: QPainter,
        selected_rects: list[QRectF],
        geometry: _Geometry,
        vis_start: int,
        vis_end: int,
        color: QColor,
    ) -> None:
        """Dashed curves from the selected span to the spans it is linked with (if visible)."""
        if self._selected is None or not selected_rects:
            return
        source = selected_rects[0]
        pen = QPen(color, 1.5, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for other_id in sorted(self._links.get(self._selected, ())):
            other = self._by_id.get(other_id)
            if other is None:
                continue
            a, b = max(other.start, vis_start), min(other.end, vis_end)
            if a >= b:
                continue
            target_rects = geometry.rects(self._map.to_utf16(a), self._map.to_utf16(b))
            if not target_rects:
                continue
            target = target_rects[0]
            start = QPointF(source.center().x(), source.top())
            end = QPointF(target.center().x(), target.top())
            lift = min(40.0, 12.0 + abs(end.x() - start.x()) / 8)
            path = QPainterPath(start)
            top = min(start.y(), end.y()) - lift
            path.cubicTo(QPointF(start.x(), top), QPointF(end.x(), top), end)
            painter.drawPath(path)
            painter.drawEllipse(end, 2.5, 2.5)

    # ---- interaction ---------------------------------------------------
    def tooltip_at(self, point: QPoint) -> str:
        """Rich-text tooltip naming the spans under viewport ``point`` ("" when none)."""
        cp = self.cp_at_point(point)
        if cp is None:
            return ""
        lines = []
        entries = [(s, "") for s in self.spans_at_cp(cp)]
        entries += [(s, f"{s.annotator} · ") for s in self._others.at(cp)]  # a colleague's
        for span, who in entries[:TOOLTIP_MAX_SPANS]:
            if span.fragments:
                raw = span.text_in(self._text)
            else:
                raw = self._text[span.start : min(span.end, span.start + 4 * TOOLTIP_CHARS)]
            snippet = _WS.sub(" ", raw).strip()
            if len(snippet) > TOOLTIP_CHARS:
                snippet = snippet[:TOOLTIP_CHARS].rstrip() + "…"
            lines.append(html.escape(f"{who}{span.label} — {snippet}"))
        if not lines:
            return ""
        return "<p style='white-space:pre-wrap'>" + "<br>".join(lines) + "</p>"

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            tip = self.tooltip_at(event.pos())
            if tip:
                QToolTip.showText(event.globalPos(), tip, self.viewport())
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().viewportEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        left = event.button() == Qt.MouseButton.LeftButton
        self._press_pos = event.position().toPoint() if left else None
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        press, self._press_pos = self._press_pos, None
        if event.button() != Qt.MouseButton.LeftButton or press is None:
            return
        pos = event.position().toPoint()
        if (pos - press).manhattanLength() >= QApplication.startDragDistance():
            return
        if self.textCursor().hasSelection():
            return
        self._on_clicked(pos)

    def _on_clicked(self, point: QPoint) -> None:
        """Activate the innermost span under ``point``; again on the same spans: the next out."""
        cp = self.cp_at_point(point)
        spans = self.spans_at_cp(cp) if cp is not None else []
        pending = self._suggestions.at(cp) if cp is not None else []
        if pending and not spans:
            self._selected_suggestion = pending[0].id
            self.viewport().update()
            self.suggestionActivated.emit(pending[0].id)
            return
        if not spans:
            self._cycle = ()
            self._selected = None
            self.viewport().update()
            self.spanActivated.emit("")
            return
        ids = tuple(s.id for s in spans)
        if ids == self._cycle and self._selected in ids:
            chosen = ids[(ids.index(self._selected) + 1) % len(ids)]
        else:
            chosen = ids[0]
        self._cycle = ids
        self._selected = chosen
        self.viewport().update()
        self.spanActivated.emit(chosen)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self._wheel_accum += event.angleDelta().y()
            steps = int(self._wheel_accum / 120)
            if steps:
                self._wheel_accum -= steps * 120
                self.zoom(steps)
            event.accept()
            return
        super().wheelEvent(event)

    def zoom(self, steps: int) -> None:
        """Make the text ``steps`` points larger (negative: smaller), within limits."""
        font = self.font()
        size = font.pointSizeF() + steps
        font.setPointSizeF(max(MIN_POINT_SIZE, min(MAX_POINT_SIZE, size)))
        self.setFont(font)

    def _on_selection_changed(self) -> None:
        self.selectionChangedCp.emit(*self.selection_cp())
