"""File > Review colleagues' files…: compare annotation files, measure agreement, visit differences.

``open_review`` reads the files in a worker thread behind a progress dialog
(``io.review.load_files`` copies and closes each file before anything else
happens, so nothing here can ever write to them), tells the user about
refused files, and opens a ``ReviewWindow``:

* left, the shared documents (title, annotators, disagreements) and below
  them the disagreements of the current document; ``N`` / ``Shift+N`` (or
  ``Alt+Down`` / ``Alt+Up``) step through every disagreement of the review,
  across documents, selecting its range in the article;
* centre, the article with every annotator's spans as a layer: **Overlay**
  (one view, coloured by annotator, a checkbox per layer) or **Side by side**
  (one view per annotator, label colours, scrolling kept in sync; up to
  ``MAX_SIDE_BY_SIDE`` annotators);
* right, the agreement report for the whole review and the current document,
  with every missing figure shown as "—" and its reason as a footnote.

Every string read from the files (titles, names, labels, paths, reasons) is
shown as plain text or HTML-escaped.
"""

from __future__ import annotations

import html
import json
import math
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QEventLoop, QPoint, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QColor,
    QHelpEvent,
    QIcon,
    QKeySequence,
    QPixmap,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QProgressDialog,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTextBrowser,
    QToolBar,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from annotator.core.model import Span
from annotator.core.scheme import PALETTE
from annotator.io.review import (
    KINDS,
    Disagreement,
    ReviewDocument,
    ReviewSet,
    agreement_report,
    disagreements,
    load_files,
)
from annotator.ui.article_view import ArticleView
from annotator.ui.interaction import Interaction
from annotator.ui.settings import ANNOTATOR_COLORS, Settings

#: Side by side shows one view per annotator up to this many; beyond, overlay only.
MAX_SIDE_BY_SIDE = 4
OVERLAY, SIDE_BY_SIDE = "overlay", "side_by_side"
MODE_KEY = "review/mode"
#: Joins an annotator key to a label (overlay labels) and to a span id (overlay ids).
LAYER_SEP = "·"
_ID_SEP = "\u241f"
PROJECT_FILTER = "Annotator projects (*.annotator);;All files (*)"
_NOTE_HREF = "note:"


# ---- loading ----------------------------------------------------------------------------


@dataclass
class LoadedReview:
    """What the worker thread computes: the review, its report and its disagreements."""

    review: ReviewSet
    report: dict[str, Any]
    found: list[Disagreement]


def compute_review(
    paths: Sequence[str | Path], stage: Callable[[str], None] = lambda _s: None
) -> LoadedReview:
    """Load the files and compute everything the window shows (runs off the UI thread)."""
    stage(f"Reading {len(paths)} file{'s' if len(paths) != 1 else ''}…")
    review = load_files(paths)
    stage("Measuring agreement…")
    report = agreement_report(review)
    stage("Listing disagreements…")
    found = disagreements(review)
    return LoadedReview(review, report, found)


def _run_in_thread(
    paths: Sequence[str | Path], parent: QWidget | None
) -> LoadedReview | BaseException | None:
    """``compute_review`` in a worker thread while the event loop runs; None if cancelled."""
    state: dict[str, Any] = {"stage": "Reading files…"}
    done = threading.Event()

    def work() -> None:
        try:
            state["result"] = compute_review(paths, lambda s: state.__setitem__("stage", s))
        except BaseException as e:  # reported on the UI thread
            state["result"] = e
        finally:
            done.set()

    dialog = QProgressDialog(state["stage"], "Cancel", 0, 0, parent)
    dialog.setWindowTitle("Review colleagues' files")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setValue(0)
    # Not a daemon: at exit Python waits for it, so the private copies are always removed.
    worker = threading.Thread(target=work, name="review-loader")
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(25)

    def poll() -> None:
        if dialog.labelText() != state["stage"]:
            dialog.setLabelText(state["stage"])
        if done.is_set() or dialog.wasCanceled():
            loop.quit()

    timer.timeout.connect(poll)
    dialog.canceled.connect(loop.quit)
    worker.start()
    timer.start()
    if not done.is_set():
        loop.exec()
    timer.stop()
    cancelled = dialog.wasCanceled() and not done.is_set()
    dialog.close()
    dialog.deleteLater()
    if cancelled:
        return None  # the thread finishes on its own; its result is dropped
    worker.join()
    return state.get("result")


def _reason_lines(review: ReviewSet) -> str:
    lines = []
    for r in review.rejected:
        reason = r.reason if r.path.name in r.reason else f"{r.path}: {r.reason}"
        lines.append(f"• {reason}")
    return "\n".join(lines)


def open_review(
    paths: Sequence[str | Path],
    interaction: Interaction,
    parent: QWidget | None = None,
    *,
    settings: Settings | None = None,
) -> ReviewWindow | None:
    """Read ``paths`` (UI kept responsive), report refused files, open and show the window.

    Returns None, after saying why, when no file could be read or when the files
    share no document annotated by two annotators; None too when cancelled.
    """
    paths = list(paths)
    if not paths:
        return None
    outcome = _run_in_thread(paths, parent)
    if outcome is None:
        return None
    if isinstance(outcome, BaseException):
        interaction.error("Review failed", f"The files could not be compared:\n\n{outcome}")
        return None
    review = outcome.review
    if not review.files:
        interaction.error(
            "No file could be read",
            f"None of the {len(paths)} file(s) could be read, so there is nothing to review.\n\n"
            + _reason_lines(review),
        )
        return None
    if not review.shared_documents():
        if len(review.span_annotators()) < 2:
            why = (
                "Only one annotator has annotated anything in these files, so there is "
                "nothing to compare."
            )
        else:
            why = (
                "These files have no document in common: no article text appears, annotated, "
                "in the files of two annotators (documents are matched by their text, not by "
                "their id)."
            )
        extra = [why]
        read = ", ".join(
            f"{f.path.name} ({', '.join(f.annotators) or f.owner})" for f in review.files
        )
        extra.append(f"Read: {read}.")
        if review.conflicts:
            extra.append("\n".join(f"• {c.description}" for c in review.conflicts))
        if review.rejected:
            extra.append("Not read:\n" + _reason_lines(review))
        interaction.error("No documents in common", "\n\n".join(extra))
        return None
    if review.rejected:
        n = len(review.rejected)
        interaction.error(
            "Some files were not read",
            f"{n} of the {len(paths)} file(s) could not be read; the other "
            f"{len(review.files)} are loaded for review.\n\n" + _reason_lines(review),
        )
    window = ReviewWindow(
        review,
        interaction=interaction,
        parent=parent,
        settings=settings,
        report=outcome.report,
        found=outcome.found,
    )
    if parent is not None:
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.show()
    return window


# ---- helpers ----------------------------------------------------------------------------


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _mnemonic_safe(text: str) -> str:
    """Text for a button or checkbox: a file's "&" must not become a shortcut."""
    return text.replace("&", "&&")


def _tip(text: str) -> str:
    """A tooltip from plain text: escaped and wrapped, so Qt never reads it as markup."""
    return f"<p style='white-space:pre-wrap'>{html.escape(text)}</p>"


def _swatch(color: str, size: int = 12) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)


def disagreement_label(d: Disagreement, labels: Sequence[str]) -> str:
    """The label(s) a disagreement is about, read from its description."""
    text = d.description
    if d.kind == "label":
        # "alice: QUOTE; bob: CLAIM/CUE"
        found = [
            lab
            for lab in labels
            if re.search(rf"(?:: |/){re.escape(lab)}(?=/|;|$)", text) is not None
        ]
        return "/".join(found)
    # "QUOTE marked by…", "QUOTE boundaries differ…", "QUOTE.stance: …", "QUOTE attributed to…"
    for lab in sorted(labels, key=len, reverse=True):
        if text.startswith(lab) and text[len(lab) : len(lab) + 1] in (" ", "."):
            return lab
    head = re.match(r"[^\s.:]+", text)
    return head.group(0) if head else ""


def disagreement_text(d: Disagreement, labels: Sequence[str]) -> str:
    """ "kind · label · annotators — description", as listed."""
    label = disagreement_label(d, labels)
    parts = [d.kind, *([label] if label else []), ", ".join(d.annotators)]
    return f"{' · '.join(parts)} — {d.description}"


def _fmt(value: object) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.3f}"
    if isinstance(value, int):
        return f"{value:,}"
    return html.escape(str(value))


class _Notes:
    """Footnotes for the figures that could not be computed: "—" links to its reason."""

    def __init__(self, text_color: str = "#000000") -> None:
        self.items: list[str] = []
        self.text_color = text_color

    def cell(self, row: Mapping[str, Any], key: str, what: str) -> str:
        if key not in row:
            return "<td></td>"
        value = row[key]
        if value is not None:
            return f"<td align='right'>{_fmt(value)}</td>"
        reason = str(row.get(f"{key}_reason") or "not computable")
        note = f"{what}: {reason}"
        if note in self.items:
            k = self.items.index(note) + 1
        else:
            self.items.append(note)
            k = len(self.items)
        return (
            f"<td align='right'><a href='{_NOTE_HREF}{k}'>"
            f"<span style='text-decoration:none; color:{self.text_color}'>—</span>"
            f"<span style='text-decoration:none'><sup>&nbsp;{k}</sup></span></a></td>"
        )

    def reason(self, k: int) -> str | None:
        return self.items[k - 1] if 0 < k <= len(self.items) else None

    def html(self) -> str:
        if not self.items:
            return ""
        rows = "".join(
            f"<tr><td valign='top'><a name='note-{k}'></a><sup>{k}</sup></td>"
            f"<td>{html.escape(note)}</td></tr>"
            for k, note in enumerate(self.items, 1)
        )
        return f"<p class='small'><b>Not computed (—)</b></p><table class='notes'>{rows}</table>"


_CSS = """
h2 { font-size: large; margin-top: 12px; margin-bottom: 2px; }
h3 { font-size: medium; margin-top: 12px; margin-bottom: 4px; }
p { margin-top: 2px; margin-bottom: 4px; }
table.grid { border-collapse: collapse; margin-bottom: 6px; }
table.grid th { font-weight: 600; padding: 2px 4px; border-bottom: 1px solid #888; white-space: nowrap; }
table.grid td { padding: 2px 4px; white-space: nowrap; }
.muted { color: #777; }
.small { font-size: small; }
table.notes td { font-size: small; padding: 1px 3px; }
"""


def _table(header: Sequence[str], rows: Iterable[str]) -> str:
    head = "".join(
        f"<th align='{'left' if i == 0 else 'right'}'>{h}</th>" for i, h in enumerate(header)
    )
    return (
        f"<table class='grid' cellspacing='0' width='100%'><tr>{head}</tr>{''.join(rows)}</table>"
    )


def render_report(
    report: Mapping[str, Any],
    *,
    document: Mapping[str, Any] | None = None,
    document_kinds: Mapping[str, int] | None = None,
    span_counts: Mapping[str, Mapping[str, int]] | None = None,
    text_color: str = "#000000",
) -> tuple[str, _Notes]:
    """The agreement report as HTML (every file string escaped), and its footnotes.

    ``document`` is the current document's entry of ``by_document``,
    ``document_kinds`` its disagreements by kind, ``span_counts`` label ->
    annotator -> spans on the shared documents (the n behind the F1 figures).
    """
    notes = _Notes(text_color)
    out: list[str] = [f"<style>{_CSS}</style>"]
    names = list(report.get("annotators", []))
    pairs = len(names) * (len(names) - 1) // 2
    counts = span_counts or {}

    # ---- current document
    if document is not None:
        title = html.escape(str(document.get("title") or document.get("document", "")))
        out.append(f"<h2>This document</h2><p><b>{title}</b></p>")
        per = document.get("spans", {})
        rows = [
            f"<tr><td>{html.escape(k)}</td><td align='right'>{_fmt(n)}</td></tr>"
            for k, n in per.items()
        ]
        measures = [
            ("exact F1", "exact_f1"),
            ("overlap F1", "overlap_f1"),
            ("u-α", "u_alpha"),
        ]
        fig = [
            f"<tr><td>{label}</td>{notes.cell(document, key, f'this document, {label}')}</tr>"
            for label, key in measures
        ]
        out.append(
            "<table width='100%' cellspacing='0'><tr><td valign='top' width='50%'>"
            + _table(["Measure", "value"], fig)
            + "</td><td width='12'></td><td valign='top' width='50%'>"
            + _table(["Annotator", "spans"], rows)
            + "</td></tr></table>"
        )
        kinds = document_kinds or {}
        total = sum(kinds.values())
        if total:
            listed = " · ".join(f"{k} {kinds[k]}" for k in KINDS if kinds.get(k))
            out.append(f"<p>{_plural(total, 'disagreement')}: {listed}</p>")
        else:
            out.append("<p>No disagreements on this document.</p>")

    # ---- whole review
    shared = int(report.get("documents", 0))
    who = ", ".join(html.escape(n) for n in names)
    out.append(
        f"<h2>Whole review</h2><p>{_plural(len(names), 'annotator')} ({who}) · "
        f"{_plural(shared, 'shared document')}</p>"
    )
    spans = report.get("spans", {})
    overall = spans.get("overall", {})

    def n_spans(label: str | None) -> str:
        if label is None:
            total = sum(sum(per.values()) for per in counts.values())
        else:
            total = sum(counts.get(label, {}).values())
        return f"<td align='right'>{_fmt(total)}</td>"

    rows = [
        "<tr><td><b>All labels</b></td>"
        + "".join(
            notes.cell(overall, k, f"all labels, {w}")
            for k, w in (("exact_f1", "exact F1"), ("overlap_f1", "overlap F1"), ("u_alpha", "u-α"))
        )
        + n_spans(None)
        + "</tr>"
    ]
    for label, row in spans.get("by_label", {}).items():
        esc = html.escape(label)
        rows.append(
            f"<tr><td>{esc}</td>"
            + "".join(
                notes.cell(row, k, f"{label}, {w}")
                for k, w in (
                    ("exact_f1", "exact F1"),
                    ("overlap_f1", "overlap F1"),
                    ("u_alpha", "u-α"),
                )
            )
            + n_spans(label)
            + "</tr>"
        )
    out.append("<h3>Spans</h3>")
    out.append(_table(["Label", "exact F1", "overlap F1", "u-α", "n"], rows))
    u_docs = overall.get("u_alpha_documents")
    basis = [f"F1: mean over {_plural(pairs, 'annotator pair')}"]
    if u_docs is not None:
        basis.append(f"u-α over {_plural(int(u_docs), 'document')} annotated by everyone")
    basis.append("n: spans of all annotators on shared documents")
    out.append(f"<p class='small muted'>{html.escape('; '.join(basis))}.</p>")

    if counts:
        per_annotator = Counter[str]()
        for per in counts.values():
            per_annotator.update(per)
        cells = " · ".join(f"{html.escape(k)} {_fmt(per_annotator.get(k, 0))}" for k in names)
        out.append(f"<p class='small'>Spans by annotator: {cells}</p>")

    attrs = report.get("attributes", {})
    if attrs:
        rows = []
        for name, row in attrs.items():
            rows.append(
                f"<tr><td>{html.escape(name)}</td>"
                + notes.cell(row, "alpha_nominal", f"{name}, α")
                + (
                    notes.cell(row, "alpha_ordinal", f"{name}, α ordinal")
                    if "alpha_ordinal" in row
                    else "<td align='right' class='muted'></td>"
                )
                + notes.cell(row, "kappa", f"{name}, κ")
                + f"<td align='right'>{_fmt(row.get('n', 0))}</td></tr>"
            )
        out.append("<h3>Attributes <span class='small muted'>(exact matches)</span></h3>")
        out.append(_table(["Attribute", "α", "α ord.", "κ", "n"], rows))

    doc_labels = report.get("document_labels", {})
    if doc_labels:
        rows = []
        for name, row in doc_labels.items():
            rows.append(
                f"<tr><td>{html.escape(name)}</td>"
                + notes.cell(row, "alpha_nominal", f"document {name}, α")
                + (
                    notes.cell(row, "alpha_ordinal", f"document {name}, α ordinal")
                    if "alpha_ordinal" in row
                    else "<td></td>"
                )
                + notes.cell(row, "kappa", f"document {name}, κ")
                + notes.cell(row, "fleiss_kappa", f"document {name}, Fleiss κ")
                + f"<td align='right'>{_fmt(row.get('n', 0))}</td></tr>"
            )
        out.append("<h3>Document labels</h3>")
        out.append(_table(["Label", "α", "α ord.", "κ", "Fleiss", "n"], rows))

    attribution = report.get("attribution", {})
    out.append("<h3>Attribution <span class='small muted'>(quotes matched by overlap)</span></h3>")
    out.append(
        _table(
            ["", "agreement", "n quote pairs"],
            [
                "<tr><td>Who said it</td>"
                + notes.cell(attribution, "agreement", "attribution")
                + f"<td align='right'>{_fmt(attribution.get('n', 0))}</td></tr>"
            ],
        )
    )

    for title, key in (("Messages", "messages"), ("Warnings", "warnings")):
        items = report.get(key) or []
        if items:
            out.append(f"<h3>{title}</h3><ul>")
            out += [f"<li>{html.escape(str(m))}</li>" for m in items]
            out.append("</ul>")
    if report.get("conflicts"):
        out.append("<h3>Conflicts</h3><ul>")
        out += [f"<li>{html.escape(str(c['description']))}</li>" for c in report["conflicts"]]
        out.append("</ul>")
    if report.get("rejected"):
        out.append("<h3>Files not read</h3><ul>")
        out += [f"<li>{html.escape(str(r['reason']))}</li>" for r in report["rejected"]]
        out.append("</ul>")
    out.append(notes.html())
    return "".join(out), notes


class AgreementBrowser(QTextBrowser):
    """The report; hovering a "—" shows why that figure is missing."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.notes = _Notes()
        self.setOpenLinks(False)
        self.anchorClicked.connect(self._on_anchor)

    def set_report(self, text: str, notes: _Notes) -> None:
        bar = self.verticalScrollBar()
        position = bar.value()
        self.notes = notes
        self.setHtml(text)
        bar.setValue(position)

    def _note_at(self, href: str) -> str | None:
        if not href.startswith(_NOTE_HREF):
            return None
        try:
            return self.notes.reason(int(href[len(_NOTE_HREF) :]))
        except ValueError:
            return None

    def _on_anchor(self, url: Any) -> None:
        href = url.toString()
        if href.startswith(_NOTE_HREF):
            self.scrollToAnchor(f"note-{href[len(_NOTE_HREF) :]}")

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            reason = self._note_at(self.anchorAt(event.pos()))
            if reason:
                QToolTip.showText(event.globalPos(), _tip(reason), self.viewport())
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)


# ---- the window ------------------------------------------------------------------------


class _Pane(QWidget):
    """One annotator's copy of the article (side by side), its name above it."""

    def __init__(self, key: str, color: str, path: Path) -> None:
        super().__init__()
        self.key = key
        self.setObjectName(f"pane_{key}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        swatch = QLabel()
        swatch.setPixmap(_swatch(color).pixmap(12, 12))
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setObjectName("pane_title")
        self.title.setToolTip(_tip(str(path)))
        self.title.setStyleSheet("font-weight: 600;")
        # a long file name must not widen the pane: it is cut, the tooltip has it whole
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        head = QHBoxLayout()
        head.setContentsMargins(10, 4, 10, 4)
        head.setSpacing(6)
        head.addWidget(swatch)
        head.addWidget(self.title, 1)
        self.path = path
        self.view = ArticleView()
        self.view.setObjectName(f"side_view_{key}")
        self.view.setMinimumWidth(160)
        layout.addLayout(head)
        layout.addWidget(self.view, 1)

    def set_count(self, spans: int) -> None:
        self.title.setText(f"{self.key}  ·  {_plural(spans, 'span')}")


class ReviewWindow(QMainWindow):
    """Shared documents | the article with every annotator's layer | agreement."""

    goldRequested = Signal()

    def __init__(
        self,
        review: ReviewSet,
        *,
        interaction: Interaction | None = None,
        parent: QWidget | None = None,
        settings: Settings | None = None,
        report: dict[str, Any] | None = None,
        found: list[Disagreement] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setObjectName("ReviewWindow")
        self.interaction = interaction or Interaction(self)
        self.settings = settings
        self.review = review
        self.report = report if report is not None else agreement_report(review)
        self.found = found if found is not None else disagreements(review)
        self.shared: list[ReviewDocument] = review.shared_documents()
        self.annotators: list[str] = review.span_annotators()
        self.colors = {
            k: ANNOTATOR_COLORS[i % len(ANNOTATOR_COLORS)] for i, k in enumerate(self.annotators)
        }
        self.label_colors = _label_colors(review.labels)
        self.paths = {a.key: a.path for a in review.annotators}
        entries = self.report.get("by_document", [])
        self._entries = {d.checksum: e for d, e in zip(review.documents, entries, strict=False)}
        self._row_of = {d.checksum: i for i, d in enumerate(self.shared)}
        self._by_doc: dict[str, list[int]] = {}
        for i, d in enumerate(self.found):
            self._by_doc.setdefault(d.checksum, []).append(i)
        self._span_counts = _span_counts(self.shared)
        self.doc: ReviewDocument | None = None
        self.current: int | None = None  # index in ``found``
        self._syncing = False
        self.hidden: set[str] = set()
        self.mode = OVERLAY
        self.resize(1400, 900)
        names = ", ".join(f.path.name for f in review.files)
        self.setWindowTitle(f"Review: {names} — Annotator")

        self._build_widgets()
        self._build_actions()
        self._build_status_bar()
        self._fill_documents()
        remembered = str(settings.value(MODE_KEY) or OVERLAY) if settings is not None else OVERLAY
        self.set_mode(remembered, remember=False)
        if self.doc_list.count():
            self.doc_list.setCurrentRow(0)
        self.render_agreement()

    # ---- construction -------------------------------------------------------
    def _build_widgets(self) -> None:
        # left: documents over disagreements
        self.doc_list = QListWidget()
        self.doc_list.setObjectName("review_documents")
        self.doc_list.setWordWrap(True)
        self.doc_list.setSpacing(2)
        self.doc_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.doc_list.currentRowChanged.connect(self._on_doc_row)
        self.docs_label = QLabel()
        self.docs_label.setTextFormat(Qt.TextFormat.PlainText)
        self.docs_label.setStyleSheet("font-weight: 600;")

        self.dis_list = QListWidget()
        self.dis_list.setObjectName("review_disagreements")
        self.dis_list.setWordWrap(True)
        self.dis_list.setAlternatingRowColors(True)
        self.dis_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.dis_list.currentRowChanged.connect(self._on_dis_row)
        self.dis_list.itemActivated.connect(lambda _i: self.active_views()[0].setFocus())
        self.dis_label = QLabel()
        self.dis_label.setTextFormat(Qt.TextFormat.PlainText)
        self.dis_label.setStyleSheet("font-weight: 600;")

        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(6, 8, 0, 0)
        tl.addWidget(self.docs_label)
        tl.addWidget(self.doc_list, 1)
        bottom = QWidget()
        bl = QVBoxLayout(bottom)
        bl.setContentsMargins(6, 4, 0, 0)
        bl.addWidget(self.dis_label)
        bl.addWidget(self.dis_list, 1)
        self.left_splitter = QSplitter(Qt.Orientation.Vertical)
        self.left_splitter.setMinimumWidth(200)
        self.left_splitter.addWidget(top)
        self.left_splitter.addWidget(bottom)
        self.left_splitter.setSizes([340, 460])

        # centre: header, layers, article(s)
        self.title_label = QLabel()
        self.title_label.setObjectName("review_title")
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.title_label.setWordWrap(True)
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.title_label.setFont(font)
        self.meta_label = QLabel()
        self.meta_label.setObjectName("review_meta")
        self.meta_label.setTextFormat(Qt.TextFormat.PlainText)
        self.meta_label.setWordWrap(True)

        self.layer_boxes: dict[str, QCheckBox] = {}
        layers = QHBoxLayout()
        layers.setSpacing(14)
        self.layers_title = QLabel("Layers:")
        layers.addWidget(self.layers_title)
        for i, key in enumerate(self.annotators):
            box = QCheckBox(_mnemonic_safe(key))
            box.setObjectName(f"layer_{key}")
            box.setChecked(True)
            box.setIcon(_swatch(self.colors[key]))
            box.setIconSize(QSize(12, 12))
            shortcut = f" (Alt+{i + 1})" if i < 9 else ""
            box.setToolTip(
                _tip(f"Show or hide {key}'s annotations{shortcut}\n{self.paths.get(key, '')}")
            )
            box.toggled.connect(lambda on, k=key: self.set_layer_visible(k, on))
            layers.addWidget(box)
            self.layer_boxes[key] = box
        layers.addStretch(1)
        self.legend = QLabel()
        self.legend.setObjectName("review_legend")
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setWordWrap(True)
        layers.addWidget(self.legend)

        header = QWidget()
        header.setObjectName("review_header")
        hl = QVBoxLayout(header)
        hl.setContentsMargins(16, 10, 16, 6)
        hl.setSpacing(4)
        hl.addWidget(self.title_label)
        hl.addWidget(self.meta_label)
        hl.addLayout(layers)

        self.overlay_view = ArticleView()
        self.overlay_view.setObjectName("overlay_view")
        self.panes: dict[str, _Pane] = {}
        self.side_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.side_splitter.setObjectName("side_by_side")
        self.side_splitter.setChildrenCollapsible(False)
        if len(self.annotators) <= MAX_SIDE_BY_SIDE:
            for key in self.annotators:
                pane = _Pane(key, self.colors[key], self.paths.get(key, Path()))
                pane.view.verticalScrollBar().valueChanged.connect(
                    lambda value, k=key: self._sync_scroll(k, value)
                )
                self.side_splitter.addWidget(pane)
                self.panes[key] = pane
        self.stack = QStackedWidget()
        self.stack.addWidget(self.overlay_view)
        self.stack.addWidget(self.side_splitter)

        center = QWidget()
        cl = QVBoxLayout(center)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.setSpacing(0)
        cl.addWidget(header)
        cl.addWidget(self.stack, 1)

        # right: agreement
        self.agreement = AgreementBrowser()
        self.agreement.setObjectName("agreement_panel")
        self.copy_button = QPushButton("Copy as JSON")
        self.copy_button.setObjectName("copy_json")
        self.copy_button.setToolTip("Copy the whole agreement report as JSON (Ctrl+Shift+C)")
        self.copy_button.clicked.connect(self.copy_json)
        right = QWidget()
        right.setMinimumWidth(340)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 8, 6, 6)
        agreement_title = QLabel("Agreement")
        agreement_title.setStyleSheet("font-weight: 600;")
        rl.addWidget(agreement_title)
        rl.addWidget(self.agreement, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.copy_button)
        rl.addLayout(row)

        self.splitter = QSplitter()
        self.splitter.addWidget(self.left_splitter)
        self.splitter.addWidget(center)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        self.splitter.setSizes([300, 700, 400])
        self.setCentralWidget(self.splitter)

    def _action(
        self,
        text: str,
        shortcuts: Sequence[str],
        handler: Callable[[], object],
        name: str,
        tip: str = "",
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(f"review_{name}")
        if shortcuts:
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
            keys = " or ".join(shortcuts)
            action.setToolTip(f"{tip or text.replace('&', '').rstrip('…')} ({keys})")
        elif tip:
            action.setToolTip(tip)
        action.triggered.connect(lambda _c=False: handler())
        self.addAction(action)
        self.actions_by_name[name] = action
        return action

    def _build_actions(self) -> None:
        self.actions_by_name: dict[str, QAction] = {}
        bar = QToolBar("Review")
        bar.setObjectName("review_toolbar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.addToolBar(bar)

        group = QActionGroup(self)
        group.setExclusive(True)
        overlay = self._action(
            "Overlay",
            ("Ctrl+1",),
            lambda: self.set_mode(OVERLAY),
            "overlay",
            "One article, each annotator's spans in their colour",
        )
        side = self._action(
            "Side by side",
            ("Ctrl+2",),
            lambda: self.set_mode(SIDE_BY_SIDE),
            "side_by_side",
            "One article per annotator, label colours, scrolling together",
        )
        for action in (overlay, side):
            action.setCheckable(True)
            group.addAction(action)
            bar.addAction(action)
        if not self.panes:
            side.setEnabled(False)
            side.setToolTip(
                f"Side by side shows up to {MAX_SIDE_BY_SIDE} annotators; this review has "
                f"{len(self.annotators)}: overlay only"
            )
        self._action("Toggle view mode", ("M",), self.toggle_mode, "toggle_mode")
        bar.addSeparator()
        bar.addAction(
            self._action(
                "Previous disagreement",
                ("Shift+N", "Alt+Up"),
                lambda: self.step_disagreement(-1),
                "prev_disagreement",
            )
        )
        bar.addAction(
            self._action(
                "Next disagreement",
                ("N", "Alt+Down"),
                lambda: self.step_disagreement(+1),
                "next_disagreement",
            )
        )
        self._action("Next document", ("Ctrl+PgDown",), lambda: self.step_document(+1), "next_doc")
        self._action(
            "Previous document", ("Ctrl+PgUp",), lambda: self.step_document(-1), "prev_doc"
        )
        for i, key in enumerate(self.annotators[:9]):
            self._action(
                f"Show or hide {_mnemonic_safe(key)}",
                (f"Alt+{i + 1}",),
                self.layer_boxes[key].toggle,
                f"layer_{i + 1}",
            )
        self._action("Copy report as JSON", ("Ctrl+Shift+C",), self.copy_json, "copy_json")
        self._action("Close", ("Ctrl+W",), self.close, "close")
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        gold = self._action(
            "New gold project from these files…",
            (),
            self.goldRequested.emit,
            "gold",
            "Start an adjudicated (gold) project from these files",
        )
        bar.addAction(gold)

    def _build_status_bar(self) -> None:
        self.files_label = QLabel()
        self.files_label.setObjectName("review_files")
        self.files_label.setTextFormat(Qt.TextFormat.PlainText)
        parts = [f"{f.path.name} ({', '.join(f.annotators) or f.owner})" for f in self.review.files]
        text = "Files: " + "; ".join(parts)
        tip = [
            f"{f.path}  —  {', '.join(f.annotators) or f.owner}, {_plural(f.documents, 'document')}"
            for f in self.review.files
        ]
        if self.review.rejected:
            text += "   ·   Not read: " + "; ".join(r.path.name for r in self.review.rejected)
            tip += ["", "Not read:"] + [f"{r.path}: {r.reason}" for r in self.review.rejected]
        self.files_label.setText(text)
        self.files_label.setToolTip(_tip("\n".join(tip)))
        self.position_label = QLabel()
        self.position_label.setTextFormat(Qt.TextFormat.PlainText)
        self.statusBar().addWidget(self.files_label, 1)
        self.statusBar().addPermanentWidget(self.position_label)

    # ---- documents --------------------------------------------------------
    def _fill_documents(self) -> None:
        self.doc_list.blockSignals(True)
        self.doc_list.clear()
        for doc in self.shared:
            n = len(self._by_doc.get(doc.checksum, ()))
            item = QListWidgetItem(
                f"{doc.document.display_title}\n"
                f"{_plural(len(doc.spans), 'annotator')} · {_plural(n, 'disagreement')}"
            )
            item.setData(Qt.ItemDataRole.UserRole, doc.checksum)
            item.setToolTip(
                _tip(f"{doc.document.display_title}\nid {doc.id} · {', '.join(doc.spans)}")
            )
            self.doc_list.addItem(item)
        self.doc_list.blockSignals(False)
        total = len(self.found)
        self.docs_label.setText(
            f"{_plural(len(self.shared), 'shared document')} · {_plural(total, 'disagreement')}"
        )

    def _on_doc_row(self, row: int) -> None:
        self.show_document(row)

    def step_document(self, delta: int) -> None:
        row = self.doc_list.currentRow() + delta
        if 0 <= row < self.doc_list.count():
            self.doc_list.setCurrentRow(row)

    def show_document(self, row: int) -> None:
        """Show shared document ``row``: its layers, its disagreements, its figures."""
        if not 0 <= row < len(self.shared):
            return
        doc = self.shared[row]
        if self.doc is not None and doc.checksum == self.doc.checksum:
            return
        self.doc = doc
        self.current = None
        if self.doc_list.currentRow() != row:
            self.doc_list.blockSignals(True)
            self.doc_list.setCurrentRow(row)
            self.doc_list.blockSignals(False)
        self.title_label.setText(doc.document.display_title)
        meta = doc.document.meta
        parts = [p for p in (meta.source, meta.published) if p]
        parts.append(f"{len(doc.text):,} characters")
        parts.append("annotated by " + ", ".join(doc.spans))
        self.meta_label.setText("  ·  ".join(parts))
        for key, box in self.layer_boxes.items():
            box.setEnabled(key in doc.spans)
        self._show_layers(keep_scroll=False)
        self._fill_disagreements()
        self.render_agreement()
        self._update_position()

    def _overlay_spans(self, doc: ReviewDocument) -> tuple[list[Span], list[tuple[str, str]]]:
        spans: list[Span] = []
        links: list[tuple[str, str]] = []
        for key in self.annotators:
            if key in self.hidden or key not in doc.spans:
                continue
            for s in doc.spans[key]:
                spans.append(
                    Span(
                        f"{key}{_ID_SEP}{s.id}",
                        s.start,
                        s.end,
                        f"{key}{LAYER_SEP}{s.label}",
                        s.attrs,
                        s.fragments,
                        key,
                    )
                )
            links += [
                (f"{key}{_ID_SEP}{r.head}", f"{key}{_ID_SEP}{r.child}")
                for r in doc.relations.get(key, ())
            ]
        return spans, links

    def overlay_colors(self) -> dict[str, str]:
        """Display label "<annotator>·<LABEL>" -> the annotator's colour."""
        labels = set(self.review.labels)
        if self.doc is not None:
            labels |= {s.label for spans in self.doc.spans.values() for s in spans}
        return {
            f"{k}{LAYER_SEP}{label}": self.colors[k] for k in self.annotators for label in labels
        }

    def _show_layers(self, *, keep_scroll: bool) -> None:
        doc = self.doc
        if doc is None:
            return
        scroll = self.active_views()[0].verticalScrollBar().value()
        if self.mode == OVERLAY:
            spans, links = self._overlay_spans(doc)
            if self.overlay_view.text() is doc.text and keep_scroll:
                self.overlay_view.set_colors(self.overlay_colors())
                self.overlay_view.set_spans(spans)
            else:
                _set_document(self.overlay_view, doc.text, spans, self.overlay_colors())
            self.overlay_view.set_links(links)
        else:
            for key, pane in self.panes.items():
                visible = key in doc.spans and key not in self.hidden
                pane.setVisible(visible)
                if not visible:
                    continue
                mine = doc.spans[key]
                pane.set_count(len(mine))
                if pane.view.text() is not doc.text:
                    _set_document(pane.view, doc.text, mine, self.label_colors)
                    pane.view.set_links([(r.head, r.child) for r in doc.relations.get(key, ())])
            self._equalize_panes()
        self._update_legend()
        self._reselect()
        if keep_scroll:
            for view in self.active_views():
                view.verticalScrollBar().setValue(scroll)

    def _equalize_panes(self) -> None:
        visible = [p for p in self.panes.values() if not p.isHidden()]
        if visible:
            width = max(1, self.side_splitter.width())
            self.side_splitter.setSizes(
                [width // len(visible) if not p.isHidden() else 0 for p in self.panes.values()]
            )

    def _update_legend(self) -> None:
        if self.mode == SIDE_BY_SIDE and self.doc is not None:
            used = [
                lab
                for lab in self.review.labels
                if any(s.label == lab for spans in self.doc.spans.values() for s in spans)
            ]
            chips = "&nbsp;&nbsp;".join(
                f"<span style='color:{self.label_colors.get(lab, '#999999')}'>■</span>&nbsp;"
                f"{html.escape(lab)}"
                for lab in used
            )
            self.legend.setText(chips)
        else:
            self.legend.setText("")

    def active_views(self) -> list[ArticleView]:
        """The article views on screen: the overlay, or the visible side-by-side panes."""
        if self.mode == OVERLAY:
            return [self.overlay_view]
        views = [p.view for p in self.panes.values() if not p.isHidden()]
        return views or [self.overlay_view]

    def side_views(self) -> dict[str, ArticleView]:
        """Annotator -> their view in side-by-side mode (those shown for this document)."""
        return {k: p.view for k, p in self.panes.items() if not p.isHidden()}

    # ---- layers and modes --------------------------------------------------
    def set_layer_visible(self, key: str, visible: bool) -> None:
        if visible:
            self.hidden.discard(key)
        else:
            self.hidden.add(key)
        box = self.layer_boxes.get(key)
        if box is not None and box.isChecked() != visible:
            box.blockSignals(True)
            box.setChecked(visible)
            box.blockSignals(False)
        self._show_layers(keep_scroll=True)
        state = "shown" if visible else "hidden"
        self.statusBar().showMessage(f"{key}'s annotations {state}", 3000)

    def set_mode(self, mode: str, *, remember: bool = True) -> None:
        if mode not in (OVERLAY, SIDE_BY_SIDE) or (mode == SIDE_BY_SIDE and not self.panes):
            mode = OVERLAY
        changed = mode != self.mode
        scroll = self.active_views()[0].verticalScrollBar().value()
        self.mode = mode
        self.actions_by_name["overlay"].setChecked(mode == OVERLAY)
        self.actions_by_name["side_by_side"].setChecked(mode == SIDE_BY_SIDE)
        self.stack.setCurrentIndex(0 if mode == OVERLAY else 1)
        if remember and self.settings is not None:
            self.settings.set_value(MODE_KEY, mode)
        if self.doc is not None:
            self._show_layers(keep_scroll=False)
            if changed and self.current is None:
                for view in self.active_views():
                    view.verticalScrollBar().setValue(scroll)

    def toggle_mode(self) -> None:
        self.set_mode(SIDE_BY_SIDE if self.mode == OVERLAY else OVERLAY)

    def _sync_scroll(self, source: str, value: int) -> None:
        """Scroll the other panes to the text at the top of ``source`` (the same words,
        not the same fraction: panes of different widths wrap lines differently)."""
        if self._syncing or self.mode != SIDE_BY_SIDE:
            return
        self._syncing = True
        try:
            origin = self.panes[source].view
            top = origin.cursorForPosition(QPoint(0, 0)).position()
            for key, pane in self.panes.items():
                if key != source and not pane.isHidden():
                    _scroll_to_position(pane.view, top)
        finally:
            self._syncing = False

    # ---- disagreements ------------------------------------------------------
    def _fill_disagreements(self) -> None:
        self.dis_list.blockSignals(True)
        self.dis_list.clear()
        indices = self._by_doc.get(self.doc.checksum, []) if self.doc else []
        for i in indices:
            d = self.found[i]
            item = QListWidgetItem(disagreement_text(d, self.review.labels))
            item.setData(Qt.ItemDataRole.UserRole, i)
            item.setToolTip(_tip(f"[{d.start}, {d.end})  {d.description}"))
            self.dis_list.addItem(item)
        self.dis_list.setCurrentRow(-1)
        self.dis_list.blockSignals(False)
        self.dis_label.setText(
            f"Disagreements here: {len(indices)}" if indices else "No disagreements here"
        )

    def _on_dis_row(self, row: int) -> None:
        item = self.dis_list.item(row) if row >= 0 else None
        if item is not None:
            self.select_disagreement(int(item.data(Qt.ItemDataRole.UserRole)))

    def select_disagreement(self, index: int) -> None:
        """Go to disagreement ``index`` of the review: its document, its range selected."""
        if not 0 <= index < len(self.found):
            return
        d = self.found[index]
        row = self._row_of.get(d.checksum)
        if row is None:
            return
        self.show_document(row)
        self.current = index
        indices = self._by_doc.get(d.checksum, [])
        local = indices.index(index)
        if self.dis_list.currentRow() != local:
            self.dis_list.blockSignals(True)
            self.dis_list.setCurrentRow(local)
            self.dis_list.blockSignals(False)
        self.dis_list.scrollToItem(self.dis_list.item(local))
        self._reselect()
        self._update_position()

    def _reselect(self) -> None:
        """Select and highlight the current disagreement's range in every view on screen."""
        views = self.active_views()
        if self.current is None:
            for view in views:
                view.set_highlights([])
            return
        d = self.found[self.current]
        self._syncing = True
        try:
            for view in views:
                view.set_highlights([(d.start, d.end)])
                view.select_cp(d.start, d.end)
                view.scroll_to_cp(d.start)
        finally:
            self._syncing = False

    def step_disagreement(self, step: int) -> None:
        """Next (+1) or previous (-1) disagreement of the review, across documents."""
        if not self.found:
            self.statusBar().showMessage("These files have no disagreements.", 5000)
            return
        if self.current is not None:
            index = self.current + step
        else:
            # from the cursor: the first one at or after it, or the last one before it
            row = self.doc_list.currentRow()
            here = (row, self.active_views()[0].selection_cp()[0])
            keys = [(self._row_of[d.checksum], d.start) for d in self.found]
            if step > 0:
                index = next((i for i, k in enumerate(keys) if k >= here), len(keys))
            else:
                index = next((i for i in range(len(keys) - 1, -1, -1) if keys[i] < here), -1)
        wrapped = ""
        if index >= len(self.found):
            index, wrapped = 0, "Wrapped to the first disagreement. "
        elif index < 0:
            index, wrapped = len(self.found) - 1, "Wrapped to the last disagreement. "
        self.select_disagreement(index)
        if wrapped:
            self.statusBar().showMessage(
                wrapped + disagreement_text(self.found[index], self.review.labels), 8000
            )

    def _update_position(self) -> None:
        row, total = self.doc_list.currentRow(), self.doc_list.count()
        text = f"Document {row + 1} of {total}" if total else "No shared documents"
        if self.current is not None:
            text += f"  ·  disagreement {self.current + 1:,} of {len(self.found):,}"
        self.position_label.setText(text)

    # ---- agreement ----------------------------------------------------------
    def render_agreement(self) -> None:
        entry = self._entries.get(self.doc.checksum) if self.doc is not None else None
        kinds: Counter[str] = Counter()
        if self.doc is not None:
            kinds.update(self.found[i].kind for i in self._by_doc.get(self.doc.checksum, []))
        text, notes = render_report(
            self.report,
            document=entry,
            document_kinds=kinds,
            span_counts=self._span_counts,
            text_color=self.agreement.palette().text().color().name(),
        )
        self.agreement.set_report(text, notes)

    def copy_json(self) -> None:
        QApplication.clipboard().setText(json.dumps(self.report, indent=2, ensure_ascii=False))
        self.statusBar().showMessage("Agreement report copied as JSON.", 4000)

    def closeEvent(self, event: QCloseEvent) -> None:
        # Nothing to save: the received files were copied, read and closed by load_files.
        super().closeEvent(event)


def _scroll_to_position(view: ArticleView, u16: int) -> None:
    """Put the line holding UTF-16 position ``u16`` at the top of ``view``."""
    block = view.document().findBlock(u16)
    if not block.isValid():
        return
    view.blockBoundingRect(block)  # lays the block out, so its lines are known
    line = block.layout().lineForTextPosition(u16 - block.position())
    number = line.lineNumber() if line.isValid() else 0
    view.verticalScrollBar().setValue(block.firstLineNumber() + number)


def _set_document(
    view: ArticleView, text: str, spans: Sequence[Span], colors: Mapping[str, str]
) -> None:
    """``view.set_document``, dropping the text selection first.

    ArticleView reports its selection in code points on every change; replacing
    the text under a selection makes Qt report it at UTF-16 position -1 on the
    new text, which ``selection_cp`` refuses. A collapsed cursor at 0 avoids it.
    """
    if view.textCursor().hasSelection():
        view.setTextCursor(QTextCursor(view.document()))
    view.set_document(text, spans, colors)


def _label_colors(labels: Sequence[str]) -> dict[str, str]:
    """Label colours for side-by-side views: the default scheme's, else the palette in order."""
    try:
        from annotator.resources import default_scheme

        known = {lab.name: lab.color for lab in default_scheme().labels}
    except Exception:  # a missing resource must not stop a review
        known = {}
    colors: dict[str, str] = {}
    spare = [c for c in PALETTE if c not in known.values()] or list(PALETTE)
    k = 0
    for lab in labels:
        if lab in known:
            colors[lab] = known[lab]
        else:
            colors[lab] = spare[k % len(spare)]
            k += 1
    return colors


def _span_counts(shared: Sequence[ReviewDocument]) -> dict[str, dict[str, int]]:
    """Label -> annotator -> spans on the shared documents."""
    counts: dict[str, Counter[str]] = {}
    for doc in shared:
        for key, spans in doc.spans.items():
            for s in spans:
                counts.setdefault(s.label, Counter())[key] += 1
    return {label: dict(c) for label, c in counts.items()}


__all__ = [
    "ANNOTATOR_COLORS",
    "MAX_SIDE_BY_SIDE",
    "OVERLAY",
    "SIDE_BY_SIDE",
    "LoadedReview",
    "ReviewWindow",
    "compute_review",
    "disagreement_label",
    "disagreement_text",
    "open_review",
    "render_report",
]
