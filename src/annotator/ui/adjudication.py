"""The adjudication panel: a gold project's queue, one difference at a time, by keyboard.

``AdjudicationPanel`` shows the current queue item (its place in the queue,
kind, document and what differs), each annotator's version numbered 1-9 in
that annotator's colour, and the article with every version drawn over it
(the gold already decided in grey). Keys, when the panel has the focus:

* ``1``-``9`` accept that annotator's version; ``Up``/``Down`` choose a
  version, ``Enter`` accepts it; ``E`` accepts it and hands it over for
  editing (``editRequested``), recorded as "edited";
* ``B`` accepts every version; ``X`` rejects them all;
* ``N`` / ``Shift+N`` go to the next / previous open item; ``Page Down`` /
  ``Page Up`` to the next / previous item, decided ones too;
* ``R`` reopens the decided item shown (``core.adjudication.Reopen``: a
  decision from an earlier session, which Ctrl+Z no longer reaches).

Decisions are ``core.adjudication.Decide`` commands given to ``run`` (the
main window's: executed in one transaction and pushed on its undo stack), so
Ctrl+Z undoes them; given the ``undo_stack``, the panel follows undo and redo
and shows the item an undo reopened. The queue lives in the project file:
reopening the project resumes at the first open item.

``ask_new_gold`` is File > New gold project: choose the files, the majority
and where to save; it returns the new file's path for the window to open.
All text shown is plain text.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import cast

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QKeyEvent, QPixmap, QUndoStack
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from annotator.core.adjudication import (
    SINGLE_CHOICE_KINDS,
    Candidate,
    Decide,
    QueueItem,
    Reopen,
    now,
)
from annotator.core.commands import Command
from annotator.core.errors import AnnotatorError
from annotator.core.model import Relation, Span
from annotator.store import Project
from annotator.store import gold as gold_store
from annotator.store.gold import GoldStoreMixin
from annotator.ui.article_view import ArticleView
from annotator.ui.interaction import Interaction

#: Annotators' colours, in order (Okabe-Ito, without the yellow that vanishes on white).
ANNOTATOR_COLORS: tuple[str, ...] = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
)
GOLD_COLOR = "#9E9E9E"
KEY_HELP = (
    "1–9 accept that version · ↑↓ choose, Enter accept · E accept and edit · "
    "B accept all · X reject · N / Shift+N next / previous open item · "
    "PgDn / PgUp next / previous item · R reopen a decided item · Ctrl+Z undo"
)
PROJECT_FILTER = "Annotator projects (*.annotator);;All files (*)"

_KIND_TEXT = {
    "missing": "marked by some, not all",
    "boundary": "boundaries differ",
    "label": "labels differ",
    "attribute": "attributes differ",
    "attribution": "attribution differs",
    "relation": "links differ",
    "document": "document label differs",
}


def has_queue(project: Project) -> bool:
    """Whether ``project`` is a gold project with an adjudication queue (show the panel)."""
    return gold_store.has_queue(project.conn)


def _short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _swatch(color: str) -> QIcon:
    pix = QPixmap(12, 12)
    pix.fill(QColor(color))
    return QIcon(pix)


class AdjudicationPanel(QWidget):
    #: (document id, gold span id): "accept and edit" was chosen; select it for editing
    editRequested = Signal(str, str)
    #: (document id, start, end): the item now shown, for the window to follow
    itemShown = Signal(str, int, int)

    def __init__(
        self,
        project: Project,
        run: Callable[[Command], bool],
        interaction: Interaction,
        *,
        decided_by: str,
        undo_stack: QUndoStack | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("adjudication_panel")
        self.project = project
        #: the same project, as its adjudication queue (``GoldStoreMixin``)
        self.gold = cast(GoldStoreMixin, project)
        self.run = run
        self.interaction = interaction
        self.decided_by = decided_by
        self.item: QueueItem | None = None
        self._ids: list[int] = []  # item ids in queue order
        self._number: dict[int, int] = {}  # item id -> its number in the queue (from 1)
        self._states: dict[int, str] = {}  # item id -> state, kept in step with the file
        self._deciding = False
        self._stack = undo_stack
        self._stack_index = undo_stack.index() if undo_stack is not None else 0
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        self.position_label = QLabel()
        self.position_label.setObjectName("adjudication_position")
        font = self.position_label.font()
        font.setBold(True)
        self.position_label.setFont(font)
        self.document_label = QLabel()
        self.document_label.setObjectName("adjudication_document")
        self.description_label = QLabel()
        self.description_label.setObjectName("adjudication_description")
        self.message_label = QLabel()
        self.message_label.setObjectName("adjudication_message")
        self.help_label = QLabel(KEY_HELP)
        self.help_label.setObjectName("adjudication_keys")
        for label in (
            self.position_label,
            self.document_label,
            self.description_label,
            self.message_label,
            self.help_label,
        ):
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setWordWrap(True)
        self.help_label.setEnabled(False)  # drawn as secondary text

        self.candidates = QListWidget()
        self.candidates.setObjectName("adjudication_candidates")
        self.candidates.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.candidates.setWordWrap(True)
        self.candidates.setSpacing(3)
        self.candidates.itemDoubleClicked.connect(lambda _i: self.accept_current())
        self.candidates.currentRowChanged.connect(self._on_candidate_row)

        self.view = ArticleView()
        self.view.setObjectName("adjudication_article")
        self.view.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(8, 8, 8, 8)
        ll.addWidget(self.position_label)
        ll.addWidget(self.document_label)
        ll.addWidget(self.description_label)
        ll.addWidget(self.candidates, 1)
        ll.addWidget(self.message_label)
        ll.addWidget(self.help_label)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.view)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

        if undo_stack is not None:
            undo_stack.indexChanged.connect(self._on_stack_index)
        self.reload()

    # ---- state ----------------------------------------------------------
    def reload(self) -> None:
        """Read the queue again and show the first open item (how a session resumes)."""
        self._read_states()
        self.show_item(next((i for i in self._ids if self._states[i] == "open"), None))

    def refresh(self) -> None:
        """Re-read the queue's states and the item shown (after an undo, a redo, an edit)."""
        self._read_states()
        self.show_item(self.item.id if self.item else None, follow=False)

    def _read_states(self) -> None:
        order = self.gold.adjudication_states()
        self._ids = [i for i, _ in order]
        self._number = {i: n for n, i in enumerate(self._ids, 1)}
        self._states = dict(order)

    def open_count(self) -> int:
        return sum(1 for state in self._states.values() if state == "open")

    def show_item(self, item_id: int | None, *, follow: bool = True) -> None:
        had_focus = self._has_focus()
        self.item = None
        if item_id is not None:
            try:
                self.item = self.gold.adjudication_item(item_id)
            except AnnotatorError:
                self.item = None
        self._show()
        if self.item is not None and follow:
            self.itemShown.emit(self.item.document, self.item.start, self.item.end)
        if had_focus:
            self.setFocus()  # the window may have moved the focus to its article

    def _has_focus(self) -> bool:
        focus = QApplication.focusWidget()
        return focus is not None and (focus is self or self.isAncestorOf(focus))

    def _show(self) -> None:
        item = self.item
        total = len(self._ids)
        left = self.open_count()
        self.candidates.clear()
        self.message_label.setText("")
        if item is None:
            self.position_label.setText(
                "Nothing to adjudicate" if total == 0 else f"All {total} items decided"
            )
            self.document_label.setText("")
            self.description_label.setText(
                "Every difference has been decided. Review the gold in the article, then export it."
                if total
                else ""
            )
            self.view.set_document("", [], {})
            return
        number = self._number.get(item.id, 0)
        state = "" if item.is_open else f" · {item.state} by {item.decided_by}"
        self.position_label.setText(
            f"Item {number} of {total} · {left} open · {_KIND_TEXT.get(item.kind, item.kind)}"
            + state
        )
        doc = self.project.document(item.document)
        title = doc.display_title
        self.document_label.setText(title if title == doc.id else f"{title}  ({doc.id})")
        self.description_label.setText(item.description)
        text = doc.text
        mapping = self._gold_mapping(item.document)
        gold_spans = self.project.spans(item.document)
        for n, cand in enumerate(item.candidates, 1):
            color = ANNOTATOR_COLORS[(n - 1) % len(ANNOTATOR_COLORS)]
            row = QListWidgetItem(_swatch(color), self._describe(n, cand, item, text, mapping))
            row.setData(Qt.ItemDataRole.UserRole, cand.annotator)
            if item.chosen and cand.annotator in item.chosen:
                font = row.font()
                font.setBold(True)
                row.setFont(font)
            self.candidates.addItem(row)
        # the article: every version in its annotator's colour, the gold in grey
        shown: list[Span] = []
        colors: dict[str, str] = {}
        links: list[tuple[str, str]] = []
        for n, cand in enumerate(item.candidates, 1):
            color = ANNOTATOR_COLORS[(n - 1) % len(ANNOTATOR_COLORS)]
            for s in cand.spans:
                label = f"{n} {cand.annotator} · {s.label}"
                colors[label] = color
                shown.append(s.with_(id=f"{n}/{s.id}", label=label))
            own = {s.id for s in cand.spans}
            for rel in cand.relations:
                ends = [
                    f"{n}/{e}" if e in own else f"gold/{mapping.get((cand.annotator, e), '')}"
                    for e in (rel.head, rel.child)
                ]
                links.append((ends[0], ends[1]))
        for s in gold_spans:
            label = f"gold · {s.label}"
            colors[label] = GOLD_COLOR
            shown.append(s.with_(id=f"gold/{s.id}", label=label))
        self.view.set_document(text, shown, colors)
        self.view.set_links(links)
        if item.kind != "document":
            if not any(c.spans for c in item.candidates):
                # links only: mark the place (the versions' own colours show otherwise)
                self.view.set_highlights([(item.start, item.end)])
            self.view.scroll_to_cp(item.start)
        if self.candidates.count():
            self.candidates.setCurrentRow(0)

    def _gold_mapping(self, doc_id: str) -> dict[tuple[str, str], str]:
        sources = self.gold.gold_sources(doc_id)
        return {(who, their): gsid for gsid, src in sources.items() for who, their in src.items()}

    def _describe(
        self,
        n: int,
        cand: Candidate,
        item: QueueItem,
        text: str,
        mapping: dict[tuple[str, str], str],
    ) -> str:
        lines = [f"{n}  {cand.annotator}"]
        if item.kind == "document":
            for name, value in cand.labels.items():
                lines.append(f"    {name} = {'(none)' if value in (None, '') else value}")
            return "\n".join(lines)
        by_id = {s.id: s for s in cand.spans}
        for s in cand.spans:
            attrs = ", ".join(f"{k}={v}" for k, v in sorted(s.attrs.items()) if v not in (None, ""))
            where = " + ".join(f"[{a}, {b})" for a, b in s.pieces)
            lines.append(f"    {s.label} “{_short(s.text_in(text))}” {where}")
            if attrs:
                lines.append(f"        {attrs}")
        for rel in cand.relations:
            lines.append(f"    {rel.label}: {self._end(rel, by_id, cand, text, mapping)}")
        if len(lines) == 1:
            lines.append("    (nothing here)" if item.kind != "attribution" else "    (no link)")
        return "\n".join(lines)

    def _end(
        self,
        rel: Relation,
        by_id: dict[str, Span],
        cand: Candidate,
        text: str,
        mapping: dict[tuple[str, str], str],
    ) -> str:
        def name(sid: str) -> str:
            span = by_id.get(sid)
            if span is None:
                gsid = mapping.get((cand.annotator, sid))
                if gsid is None:
                    return f"({sid}, not in the gold yet)"
                try:
                    span = self.project.span(self.item.document if self.item else "", gsid)
                except AnnotatorError:
                    return f"({sid})"
            return f"{span.label} “{_short(span.text_in(text), 30)}”"

        return f"{name(rel.head)} → {name(rel.child)}"

    def _on_candidate_row(self, row: int) -> None:
        if self.item is None or not (0 <= row < len(self.item.candidates)):
            return
        cand = self.item.candidates[row]
        first = cand.spans[0].id if cand.spans else None
        self.view.set_selected_span(f"{row + 1}/{first}" if first else None)
        if self.item.kind != "document":
            self.view.scroll_to_cp(self.item.start)

    # ---- decisions ------------------------------------------------------
    def decide(self, choice: str, candidate: str | None = None, *, edit: bool = False) -> bool:
        """Run one decision on the item shown; on success go to the next open item."""
        item = self.item
        if item is None:
            self.message_label.setText("No item to decide.")
            return False
        if not item.is_open:
            self.message_label.setText(
                f"Already decided ({item.state} by {item.decided_by}); R reopens it."
            )
            return False
        if choice == "both" and item.kind in SINGLE_CHOICE_KINDS:
            self.message_label.setText(
                f"Only one version of a difference in {_KIND_TEXT[item.kind].split()[0]} "
                "can be gold: accept one (1–9) or reject (X)."
            )
            return False
        command = Decide(item.id, choice, candidate, self.decided_by, now(), edit=edit)
        if not self._run_own(command):
            return False
        self._states[item.id] = command.state
        if edit and command.gold_spans:
            self.editRequested.emit(item.document, command.gold_spans[0])
            self.show_item(self._next_open(item.id, +1), follow=False)
            return True
        self.step(+1, after=item.id)
        return True

    def _run_own(self, command: Command) -> bool:
        """Run one of the panel's commands (the stack's signal of its push needs no reading back)."""
        self._deciding = True
        try:
            return self.run(command)
        finally:
            self._deciding = False

    def accept_number(self, n: int) -> bool:
        if self.item is None:
            return False
        if not 1 <= n <= len(self.item.candidates):
            self.message_label.setText(f"There is no version {n} here.")
            return False
        return self.decide("accept", self.item.candidates[n - 1].annotator)

    def accept_current(self, *, edit: bool = False) -> bool:
        row = self.candidates.currentRow()
        if self.item is None or not 0 <= row < len(self.item.candidates):
            return False
        return self.decide("accept", self.item.candidates[row].annotator, edit=edit)

    def reopen(self) -> bool:
        """Reopen the decided item shown: the gold it made goes, it waits in the queue again."""
        item = self.item
        if item is None:
            self.message_label.setText("No item to reopen.")
            return False
        if item.is_open:
            self.message_label.setText("This item is open: there is no decision to reopen.")
            return False
        if not self._run_own(Reopen(item.id)):
            return False
        self._states[item.id] = "open"
        self.show_item(item.id, follow=False)
        self.message_label.setText(
            f"Reopened: the {item.state} decision by {item.decided_by} was taken back."
        )
        return True

    # ---- moving ---------------------------------------------------------
    def _next_open(self, after: int | None, delta: int) -> int | None:
        ids, n = self._ids, len(self._ids)
        number = self._number.get(after) if after is not None else None
        start = number - 1 if number is not None else (-1 if delta > 0 else n)
        for step in range(1, n + 1):
            candidate = ids[(start + delta * step) % n]
            if self._states[candidate] == "open":
                return candidate
        return None

    def browse(self, delta: int) -> None:
        """Show the next (+1) or previous (-1) item, open or decided, wrapping around."""
        if not self._ids:
            return
        number = self._number.get(self.item.id) if self.item is not None else None
        start = number - 1 if number is not None else (-1 if delta > 0 else len(self._ids))
        self.show_item(self._ids[(start + delta) % len(self._ids)])

    def step(self, delta: int, *, after: int | None = None) -> None:
        """Show the next (+1) or previous (-1) open item, wrapping around."""
        after = after if after is not None else (self.item.id if self.item else None)
        target = self._next_open(after, delta)
        if target is None:
            self.show_item(None)
            return
        self.show_item(target)

    def _on_stack_index(self, index: int) -> None:
        """Follow undo and redo: an undone decision shows its item again, reopened."""
        before, self._stack_index = self._stack_index, index
        if self._deciding:
            return  # our own decision being pushed: ``decide`` goes on from here
        try:
            if self._stack is None or self._stack.count() == 0:
                return  # the stack was cleared: the window is changing projects
            moved = self._stack.command(index if index < before else index - 1)
            command = getattr(moved, "command", None)
            if isinstance(command, (Decide, Reopen)):
                state = self.gold.adjudication_item(command.item_id).state
                self._states[command.item_id] = state
                if index < before:
                    self.show_item(command.item_id)
                    return
            self.show_item(self.item.id if self.item else None, follow=False)
        except (RuntimeError, sqlite3.Error, AnnotatorError):
            return  # the window (and its stack) or this project is closing

    # ---- keys -----------------------------------------------------------
    def _key_action(self, event: QKeyEvent) -> Callable[[], object] | None:
        key = event.key()
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        shift = mods == Qt.KeyboardModifier.ShiftModifier
        plain = mods == Qt.KeyboardModifier.NoModifier
        if plain and Qt.Key.Key_1 <= key <= Qt.Key.Key_9:
            n = int(key - Qt.Key.Key_0)
            return lambda: self.accept_number(n)
        if plain and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return self.accept_current
        if plain and key == Qt.Key.Key_E:
            return lambda: self.accept_current(edit=True)
        if plain and key == Qt.Key.Key_B:
            return lambda: self.decide("both")
        if plain and key == Qt.Key.Key_X:
            return lambda: self.decide("reject")
        if plain and key == Qt.Key.Key_N:
            return lambda: self.step(+1)
        if shift and key == Qt.Key.Key_N:
            return lambda: self.step(-1)
        if plain and key in (Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
            delta = 1 if key == Qt.Key.Key_PageDown else -1
            return lambda: self.browse(delta)
        if plain and key == Qt.Key.Key_R:
            return self.reopen
        if plain and key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            delta = -1 if key == Qt.Key.Key_Up else 1
            return lambda: self._move_candidate(delta)
        return None

    def _move_candidate(self, delta: int) -> None:
        count = self.candidates.count()
        if count:
            row = max(0, min(count - 1, self.candidates.currentRow() + delta))
            self.candidates.setCurrentRow(row)

    def event(self, event: QEvent) -> bool:
        # claim our keys before the window's shortcuts (a label key may be B, E, N or X)
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and self._key_action(event) is not None
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        action = self._key_action(event)
        if action is None:
            super().keyPressEvent(event)
            return
        event.accept()
        action()


# ---- File > New gold project -------------------------------------------------------------


def ask_new_gold(
    interaction: Interaction, decided_by: str, *, paths: Sequence[Path] | None = None
) -> Path | None:
    """Ask for colleagues' files, the majority and a new file; build the gold project.

    Returns the new project's path (for the window to open), or None when
    cancelled or refused (the reason is shown; nothing is written then).
    """
    from annotator.io.adjudicate import create_gold

    title = "New gold project"
    files = (
        list(paths)
        if paths is not None
        else interaction.open_files("Colleagues' project files to adjudicate", PROJECT_FILTER)
    )
    if not files:
        return None
    if len(files) < 2:
        interaction.error(title, "Choose at least two colleagues' project files.")
        return None
    answer = interaction.ask_text(
        title,
        "How many annotators must agree for an annotation to be gold at once?\n"
        "(leave empty: all of them; every other difference waits in the queue)",
        "",
    )
    if answer is None:
        return None
    majority: int | None = None
    if answer.strip():
        try:
            majority = int(answer.strip())
        except ValueError:
            interaction.error(title, f"“{answer.strip()}” is not a number of annotators.")
            return None
    out = interaction.save_file("Save the gold project as", PROJECT_FILTER, "gold.annotator")
    if out is None:
        return None
    if out.suffix != ".annotator":
        out = out.with_suffix(".annotator")
    try:
        report = create_gold(files, out, decided_by=decided_by, majority=majority)
    except AnnotatorError as e:
        interaction.error(title, str(e))
        return None
    interaction.info(title, "\n".join(report.summary()))
    return out
