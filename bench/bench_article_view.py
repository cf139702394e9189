"""Benchmark ArticleView on a ~1 MB article with 20,000 spans.

Run: ``.venv/bin/python bench/bench_article_view.py`` (add ``--display`` to use the
real display instead of the offscreen platform). Prints each figure with its
target and "ok" or "SLOW":

* set_document + show + first paint of the 1 MB article with 20,000 spans
  (and the same for a bare QPlainTextEdit.setPlainText, with the ratio);
* add_span + repaint of the viewport, median and max over 50 places;
* the same with 200 spans, and the ratio 20k/200 (painting follows what is
  visible, so the cost must not grow with the number of spans).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from collections.abc import Callable

if "--display" not in sys.argv:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"

from PySide6.QtCore import QEvent, QObject, QPoint
from PySide6.QtWidgets import QApplication, QPlainTextEdit

from annotator.core.model import Span
from annotator.core.offsets import display_text
from annotator.ui.article_view import ArticleView

TARGET_BYTES = 1_000_000
N_SPANS = 20_000
FEW_SPANS = 200
ADDS = 50
SIZE = (1000, 800)
COLORS = {"QUOTE": "#0072B2", "SPEAKER": "#D55E00", "CUE": "#009E73", "CLAIM": "#CC79A7"}

PROSE = (
    "the government minister said on Tuesday that talks would continue despite "
    "growing pressure from opposition parties and international observers who "
    "warned of further delays in the ceasefire agreement while officials in the "
    "capital insisted that progress had been made on several key issues including "
    "sanctions trade energy prices and the return of prisoners of war"
)
WORDS = PROSE.split()
NAMES = ["Maria Keller", "Olena Petrenko", "John Smith", "Ahmed Saleh", "Li Wei", "Ana Souza"]
CUES = ["said", "told reporters", "warned", "added", "claimed", "insisted"]
EMOJI = ["😀", "👍", "🇺🇦", "🔥", "📉"]


def build_article(rng: random.Random) -> tuple[str, list[tuple[int, int, int, int, int, int]]]:
    """A ~1 MB article of news-like paragraphs; also, per quote, its (quote, speaker, cue) bounds.

    Each paragraph holds one to three "units": a sentence, then a quote with its
    speaker and speech verb, e.g. ``... 'Talks will go on,' Maria Keller told reporters.``
    """
    parts: list[str] = []
    anchors: list[tuple[int, int, int, int, int, int]] = []
    size = 0
    while size < TARGET_BYTES:
        for unit in range(rng.randint(1, 3)):
            words = rng.choices(WORDS, k=rng.randint(8, 18))
            if rng.random() < 0.05:
                words.append(rng.choice(EMOJI))
            sentence = " ".join(words).capitalize() + ". "
            quote = "'" + " ".join(rng.choices(WORDS, k=rng.randint(6, 16))).capitalize() + ",'"
            name, cue = rng.choice(NAMES), rng.choice(CUES)
            chunk = f"{sentence}{quote} {name} {cue}." + (" " if unit < 2 else "")
            q_start = size + len(sentence)
            s_start = q_start + len(quote) + 1
            c_start = s_start + len(name) + 1
            anchors.append(
                (
                    q_start,
                    q_start + len(quote),
                    s_start,
                    s_start + len(name),
                    c_start,
                    c_start + len(cue),
                )
            )
            parts.append(chunk)
            size += len(chunk)
        parts.append("\n\n")
        size += 2
    return "".join(parts), anchors


def build_spans(
    text: str, anchors: list[tuple[int, int, int, int, int, int]], n: int, rng: random.Random
) -> list[Span]:
    """Nested and overlapping QUOTE/SPEAKER/CUE/CLAIM spans, ``n`` in all, spread evenly."""
    spans: list[Span] = []
    per = max(1, len(anchors) * 4 // n)
    for i, (qs, qe, ss, se, cs, ce) in enumerate(anchors[::per]):
        spans.append(Span(f"q{i}", qs, qe, "QUOTE"))
        spans.append(Span(f"s{i}", ss, se, "SPEAKER"))
        spans.append(Span(f"c{i}", cs, ce, "CUE"))
        # a claim crossing the quote's start: overlaps without nesting
        cl_start = max(0, qs - rng.randint(10, 60))
        spans.append(Span(f"k{i}", cl_start, min(len(text), qs + rng.randint(5, 40)), "CLAIM"))
        if len(spans) >= n:
            break
    return spans[:n]


class PaintWatch(QObject):
    """Counts paint events reaching a viewport (to be sure a paint really happened)."""

    def __init__(self) -> None:
        super().__init__()
        self.paints = 0

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False


def paint_now(app: QApplication, widget: QPlainTextEdit, watch: PaintWatch) -> None:
    """Process events and repaint until at least one paint of the viewport happened."""
    before = watch.paints
    app.processEvents()
    widget.viewport().repaint()
    deadline = time.perf_counter() + 5
    while watch.paints == before and time.perf_counter() < deadline:
        app.processEvents()


def timed(fn: Callable[[], None]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def verdict(value: float, target: float) -> str:
    return "ok" if value < target else "SLOW"


def first_paint_ours(app: QApplication, text: str, spans: list[Span]) -> tuple[float, ArticleView]:
    view = ArticleView()
    view.resize(*SIZE)
    watch = PaintWatch()
    view.viewport().installEventFilter(watch)
    view._bench_watch = watch  # type: ignore[attr-defined]  # keep it alive with the view

    def run() -> None:
        view.set_document(text, spans, COLORS)
        view.show()
        paint_now(app, view, watch)

    return timed(run), view


def bare_widget(app: QApplication, text: str) -> tuple[float, QPlainTextEdit, PaintWatch]:
    """A plain QPlainTextEdit with the same text: seconds to setPlainText + show + paint."""
    edit = QPlainTextEdit()
    edit.resize(*SIZE)
    watch = PaintWatch()
    edit.viewport().installEventFilter(watch)

    def run() -> None:
        edit.setPlainText(display_text(text))
        edit.show()
        paint_now(app, edit, watch)

    return timed(run), edit, watch


def bare_repaint_times(app: QApplication, edit: QPlainTextEdit, watch: PaintWatch) -> list[float]:
    """Seconds of a plain viewport repaint at the same places add_times uses."""
    bar = edit.verticalScrollBar()
    times = []
    for i in range(ADDS):
        bar.setValue(int(bar.maximum() * (i + 0.5) / ADDS))
        paint_now(app, edit, watch)
        times.append(timed(edit.viewport().repaint))
    return times


def add_times(app: QApplication, view: ArticleView, rng: random.Random) -> tuple[list[float], int]:
    """Seconds of add_span + repaint at ADDS places, and the largest number of spans painted."""
    watch: PaintWatch = view._bench_watch  # type: ignore[attr-defined]
    bar = view.verticalScrollBar()
    times: list[float] = []
    most_painted = 0
    for i in range(ADDS):
        bar.setValue(int(bar.maximum() * (i + 0.5) / ADDS))
        paint_now(app, view, watch)
        cp = view.cp_at_point(QPoint(200, 60 + rng.randint(0, SIZE[1] // 2)))
        if cp is None:
            cp = view.cp_at_point(QPoint(60, 40)) or 0
        span = Span(f"bench{i}", cp, min(len(view.text()), cp + rng.randint(3, 40)), "CLAIM")
        before = watch.paints
        t0 = time.perf_counter()
        view.add_span(span)
        view.viewport().repaint()
        elapsed = time.perf_counter() - t0
        if watch.paints == before:  # the paint did not happen synchronously: wait for it
            paint_now(app, view, watch)
            elapsed = time.perf_counter() - t0
        times.append(elapsed)
        most_painted = max(most_painted, view.last_paint_count)
    return times, most_painted


def main() -> int:
    t_start = time.perf_counter()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    rng = random.Random(20240601)
    text, anchors = build_article(rng)
    spans = build_spans(text, anchors, N_SPANS, rng)
    few = build_spans(text, anchors, FEW_SPANS, rng)
    size_mb = len(text.encode("utf-8")) / 1e6
    print(
        f"article: {len(text):,} code points ({size_mb:.2f} MB UTF-8), "
        f"{text.count(chr(10) * 2):,} paragraphs, {len(spans):,} spans "
        "(QUOTE/SPEAKER/CUE/CLAIM, nested and crossing)"
    )

    bare, edit, edit_watch = bare_widget(app, text)
    bare_repaint = statistics.median(bare_repaint_times(app, edit, edit_watch))
    edit.close()
    ours, view = first_paint_ours(app, text, spans)
    print(
        f"set_document+show+first paint, 20k spans: {ours * 1000:7.1f} ms "
        f"(target < 500 ms) {verdict(ours, 0.5)}"
    )
    print(
        f"bare QPlainTextEdit setPlainText+paint:    {bare * 1000:7.1f} ms "
        f"(ours / bare = {ours / bare:.2f}x)"
    )

    times_many, painted_many = add_times(app, view, random.Random(1))
    view.close()
    _, view_few = first_paint_ours(app, text, few)
    times_few, painted_few = add_times(app, view_few, random.Random(1))
    view_few.close()

    med_many, max_many = statistics.median(times_many), max(times_many)
    med_few = statistics.median(times_few)
    print(
        f"add_span+repaint, 20k spans: median {med_many * 1000:6.2f} ms "
        f"(target < 16 ms) {verdict(med_many, 0.016)}; "
        f"max {max_many * 1000:6.2f} ms {verdict(max_many, 0.016)}; "
        f"at most {painted_many} spans painted"
    )
    print(
        f"add_span+repaint, {FEW_SPANS} spans: median {med_few * 1000:6.2f} ms "
        f"(target < 16 ms) {verdict(med_few, 0.016)}; at most {painted_few} spans painted"
    )
    print(
        f"bare QPlainTextEdit viewport repaint, same places: median {bare_repaint * 1000:6.2f} ms"
    )
    ratio = med_many / med_few
    print(
        f"ratio 20k/{FEW_SPANS} spans (median add+repaint): {ratio:.2f}x (target < 10x; "
        f"{N_SPANS // FEW_SPANS}x would mean the cost grows with the span count; what "
        f"remains follows the spans in view) {verdict(ratio, 10.0)}"
    )
    print(f"total bench time {time.perf_counter() - t_start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
