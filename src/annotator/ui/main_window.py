"""The main window: document list | article | tagging panel, menus, undo stack, status bar.

It shows the store and turns gestures into core commands; every change is
executed in one transaction before it is shown, so what is on screen is on
disk. It never reads the article back from the widget: the store's text is
the truth.
"""

from __future__ import annotations

import contextlib
import html
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QIcon,
    QKeySequence,
    QPalette,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QProgressDialog,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator import __version__
from annotator.core.commands import (
    AcceptSuggestions,
    AddPerson,
    AddSpan,
    Attribute,
    Batch,
    Change,
    Command,
    EditPerson,
    EditSpan,
    MergePeople,
    RemoveSpan,
    SetDocumentLabel,
    SetStatus,
)
from annotator.core.errors import AnnotatorError
from annotator.core.model import STATUSES, Document, Person, Relation, Span
from annotator.core.scheme import Scheme
from annotator.core.spans import snap

if TYPE_CHECKING:
    from annotator.core.suggest import Suggestions
    from annotator.ui.adjudication import AdjudicationPanel
    from annotator.ui.picker import Choice, PickerDialog
from annotator.store import Project, open_project
from annotator.store.files import ProjectDamaged
from annotator.store.lock import ProjectLocked
from annotator.store.project import DocumentSummary
from annotator.ui.actions import ACTIONS, MENUS, build_actions, label_shortcuts
from annotator.ui.article_view import ArticleView
from annotator.ui.find_bar import MAX_HIGHLIGHTS, FindBar, find_all
from annotator.ui.interaction import Interaction, UnattendedInteraction
from annotator.ui.settings import ANNOTATOR_COLORS, Preferences, Settings, display_colors
from annotator.ui.tag_panel import TagPanel
from annotator.ui.undo import UndoableCommand


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


STATUS_TEXT = {"todo": "To do", "in_progress": "In progress", "done": "Done"}
IMPORT_FILTER = (
    "Articles and datasets (*.txt *.md *.markdown *.html *.htm *.docx *.jsonl *.json *.ann *.xmi);;"
    "All files (*)"
)
PROJECT_FILTER = "Annotator projects (*.annotator);;All files (*)"


class MainWindow(QMainWindow):
    def __init__(
        self,
        project: Project,
        *,
        interaction: Interaction | None = None,
        settings: Settings | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("MainWindow")
        self.interaction = interaction or Interaction(self)
        self.settings = settings
        self.prefs = settings.preferences() if settings is not None else Preferences()
        self.project = project
        self.doc: Document | None = None
        self._relations: list[Relation] = []
        #: the project's other annotators, in colour order (read when first needed)
        self._colleagues: list[str] | None = None
        #: "also annotated by …" for the header
        self._others_note = ""
        self._quotes_dirty = False
        self._pending: Suggestions | None = None
        self._dashboard: QMainWindow | None = None
        self.adjudication: AdjudicationPanel | None = None
        self.adjudication_dock: QDockWidget | None = None
        self.undo_stack = QUndoStack(self)
        self.label_actions: list[QAction] = []
        self.setAcceptDrops(True)
        self.resize(1360, 860)

        self._build_widgets()
        self._build_actions()
        self._build_status_bar()
        self.set_project(project)

    # ---- construction -------------------------------------------------
    def _build_widgets(self) -> None:
        self.doc_list = QListWidget()
        self.doc_list.setObjectName("document_list")
        self.doc_list.setMinimumWidth(180)
        self.doc_list.setWordWrap(True)
        self.doc_list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.doc_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.doc_list.setSpacing(2)
        self.doc_list.currentItemChanged.connect(self._on_doc_item)

        self.title_label = QLabel()
        self.title_label.setObjectName("doc_title")
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.title_label.setWordWrap(True)
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.title_label.setFont(font)
        self.meta_label = QLabel()
        self.meta_label.setObjectName("doc_meta")
        self.meta_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("status_combo")
        for s in STATUSES:
            self.status_combo.addItem(STATUS_TEXT[s], s)
        self.status_combo.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.status_combo.activated.connect(
            lambda _i: self.set_status(str(self.status_combo.currentData()))
        )

        header = QWidget()
        header.setObjectName("doc_header")
        hl = QVBoxLayout(header)
        hl.setContentsMargins(24, 16, 24, 8)
        hl.addWidget(self.title_label)
        row = QHBoxLayout()
        row.addWidget(self.meta_label, 1)
        row.addWidget(QLabel("Status:"))
        row.addWidget(self.status_combo)
        hl.addLayout(row)

        self.view = ArticleView()
        self.view.setObjectName("article_view")
        self.view.spanActivated.connect(self._on_span_activated)
        self.view.suggestionActivated.connect(self._on_suggestion_activated)

        center = QWidget()
        cl = QVBoxLayout(center)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.setSpacing(0)
        cl.addWidget(header)
        self.find_bar = FindBar()
        self.find_bar.searchChanged.connect(self._on_find_text)
        self.find_bar.stepRequested.connect(self.find_step)
        self.find_bar.closed.connect(self._on_find_closed)
        cl.addWidget(self.find_bar)
        cl.addWidget(self.view, 1)
        self._matches: list[tuple[int, int]] = []

        self.panel = TagPanel()
        self.panel.tagRequested.connect(lambda name: self.tag(name, exact=False))
        self.panel.labelChangeRequested.connect(self._on_label_change)
        self.panel.attributeChangeRequested.connect(self._on_attr_change)
        self.panel.deleteRequested.connect(self.delete_span)
        self.panel.spanChosen.connect(self.select_span)
        self.panel.attributeRequested.connect(self.attribute_selected)
        self.panel.personAddRequested.connect(self.add_person)
        self.panel.personEditRequested.connect(self.edit_person)
        self.panel.personMergeRequested.connect(self.merge_person)
        self.panel.documentLabelRequested.connect(self._on_document_label)
        self.panel.tabs.currentChanged.connect(lambda _i: self._refresh_lists())

        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(6, 8, 0, 0)
        self.progress_label = QLabel()
        self.progress_label.setObjectName("progress_label")
        ll.addWidget(self.progress_label)
        ll.addWidget(self.doc_list, 1)

        self.splitter = QSplitter()
        self.splitter.addWidget(left)
        self.splitter.addWidget(center)
        self.splitter.addWidget(self.panel)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        self.splitter.setSizes([240, 760, 360])
        self.setCentralWidget(self.splitter)

    def _build_actions(self) -> None:
        handlers: dict[str, Callable[[], None]] = {
            "new_project": self.new_project,
            "open_project": self.choose_project,
            "import": self.choose_import,
            "import_folder": self.choose_import_folder,
            "export_jsonl": self.export_jsonl,
            "export_dataset": self.export_dataset,
            "review_files": self.review_files,
            "new_gold_project": self.new_gold_project,
            "focus_adjudication": self.focus_adjudication,
            "share_copy": self.share_copy,
            "quit": self.close,
            "delete_span": lambda: self.delete_span(self.view.selected_span() or ""),
            "deselect": lambda: self.select_span(None),
            "set_owner": self.ask_owner,
            "edit_scheme": self.edit_scheme,
            "preferences": self.edit_preferences,
            "user_guide": self.open_user_guide,
            "find": self.find_bar_open,
            "find_next": lambda: self.find_step(+1),
            "find_prev": lambda: self.find_step(-1),
            "next_unattributed": self.next_unattributed,
            "attribute": self.attribute_selected,
            "new_person": self.new_person_from_mention,
            "add_fragment": self.add_fragment,
            "open_demo": self.open_demo,
            "suggest": self.suggest,
            "dashboard": self.open_dashboard,
            "accept_suggestion": self.accept_selected_suggestion,
            "reject_suggestion": self.reject_selected_suggestion,
            "accept_all_suggestions": lambda: self.accept_suggestions(None),
            "clear_suggestions": lambda: self._set_pending(None),
            "next_span": lambda: self.step_span(+1),
            "prev_span": lambda: self.step_span(-1),
            "next_doc": lambda: self.step_document(+1),
            "prev_doc": lambda: self.step_document(-1),
            "status_todo": lambda: self.set_status("todo"),
            "status_in_progress": lambda: self.set_status("in_progress"),
            "status_done": lambda: self.set_status("done"),
            "colleagues": self._show_others,
            "zoom_in": lambda: self.view.zoom(+1),
            "zoom_out": lambda: self.view.zoom(-1),
            "shortcuts": self.show_shortcuts,
            "about": self.show_about,
        }
        self.actions_by_name = build_actions(self, handlers)
        self.actions_by_name["colleagues"].setCheckable(True)
        # Undo/redo come from the stack so their text names the action ("Undo Tag QUOTE …").
        undo = self.undo_stack.createUndoAction(self, "&Undo")
        redo = self.undo_stack.createRedoAction(self, "&Redo")
        for name, action in (("undo", undo), ("redo", redo)):
            spec = next(s for s in ACTIONS if s.name == name)
            action.setShortcuts([QKeySequence(s) for s in spec.shortcuts])
            action.setObjectName(f"action_{name}")
            self.actions_by_name[name] = action
        self.menus: dict[str, QMenu] = {}
        bar = self.menuBar()
        for menu_name in MENUS:
            menu = bar.addMenu(f"&{menu_name}")
            self.menus[menu_name] = menu
            for spec in ACTIONS:
                if spec.menu == menu_name:
                    menu.addAction(self.actions_by_name[spec.name])
                    self.addAction(self.actions_by_name[spec.name])
        self.recent_menu = QMenu("Open &recent", self)
        self.recent_menu.setObjectName("recent_menu")
        self.menus["File"].insertMenu(self.actions_by_name["import"], self.recent_menu)
        self.menus["File"].insertSeparator(self.actions_by_name["import"])
        self._rebuild_recent_menu()
        self.annotate_menu = self.menus["Annotate"]
        self._label_anchor = self.annotate_menu.insertSeparator(
            self.annotate_menu.actions()[0] if self.annotate_menu.actions() else None
        )

    def _build_status_bar(self) -> None:
        self.project_label = QLabel()
        self.position_label = QLabel()
        self.saved_label = QLabel()
        self.saved_label.setObjectName("saved_indicator")
        bar = self.statusBar()
        bar.addPermanentWidget(self.position_label)
        bar.addPermanentWidget(self.project_label)
        bar.addPermanentWidget(self.saved_label)

    def _rebuild_label_actions(self) -> None:
        for action in self.label_actions:
            self.removeAction(action)
            self.annotate_menu.removeAction(action)
            action.deleteLater()
        self.label_actions = []
        for label in self.scheme().labels:
            if not label.shortcut:
                continue
            snapped, exact = label_shortcuts(label.shortcut)
            for key, is_exact in ((snapped, False), (exact, True)):
                text = f"Tag as {label.name}" + (" (exactly)" if is_exact else "")
                action = QAction(text, self)
                action.setObjectName(f"tag_{label.name}{'_exact' if is_exact else ''}")
                action.setShortcut(QKeySequence(key))
                action.triggered.connect(
                    lambda _c=False, n=label.name, e=is_exact: self.tag(n, exact=e)
                )
                self.annotate_menu.insertAction(self._label_anchor, action)
                self.addAction(action)
                self.label_actions.append(action)

    # ---- project and documents ----------------------------------------
    def set_project(self, project: Project) -> None:
        self._drop_adjudication()
        self.project = project
        self.undo_stack.clear()
        mode = " (read-only)" if project.readonly else ""
        self.setWindowTitle(f"{project.path.name}{mode} — Annotator")
        self.project_label.setText(f"{project.path}  ·  {project.owner}")
        self._refresh_people()
        self.panel.set_scheme(self.scheme())
        self._rebuild_label_actions()
        self.refresh_documents()
        if self.doc_list.count():
            self.doc_list.setCurrentRow(0)
        else:
            self.show_document(None)
        self._show_adjudication()

    def scheme(self) -> Scheme:
        """The project's scheme; if the file's copy is unreadable, the default one, said once."""
        try:
            return self.project.scheme
        except AnnotatorError as e:
            if getattr(self, "_scheme_warned", None) is not self.project:
                self._scheme_warned = self.project
                self.interaction.error(
                    "Unreadable scheme",
                    f"{e}\n\nThe default scheme is shown instead; changes to this project "
                    "are refused until its scheme is repaired (Edit > Scheme… > Import).",
                )
            from annotator.resources import default_scheme

            return default_scheme()

    # ---- adjudication (a gold project with a queue of differences) -----
    def _drop_adjudication(self) -> None:
        if self.adjudication_dock is not None:
            self.removeDockWidget(self.adjudication_dock)
            self.adjudication_dock.deleteLater()
        self.adjudication = None
        self.adjudication_dock = None

    def _show_adjudication(self) -> None:
        from annotator.store import gold

        if not gold.has_queue(self.project.conn):
            return
        from annotator.store.project import default_owner
        from annotator.ui.adjudication import AdjudicationPanel

        panel = AdjudicationPanel(
            self.project,
            self.run,
            self.interaction,
            decided_by=self.prefs.annotator or default_owner(),
            undo_stack=self.undo_stack,
        )
        panel.itemShown.connect(lambda doc, _a, _b: self._select_doc_item(doc))
        panel.editRequested.connect(self._edit_gold_span)
        dock = QDockWidget("Adjudication", self)
        dock.setObjectName("adjudication_dock")
        dock.setWidget(panel)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        self.adjudication, self.adjudication_dock = panel, dock
        panel.reload()  # after connecting, so the window follows the first item
        panel.setFocus()

    def _edit_gold_span(self, doc_id: str, span_id: str) -> None:
        self._select_doc_item(doc_id)
        self.select_span(span_id)
        self.view.setFocus()

    def focus_adjudication(self) -> None:
        if self.adjudication is not None:
            self.adjudication.setFocus()

    def refresh_documents(self) -> None:
        current = self.doc.id if self.doc else None
        self._colleagues = None  # an import may have brought someone new
        try:
            summaries = self.project.documents()
        except AnnotatorError as e:
            self.interaction.error("Cannot list the documents", str(e))
            summaries = []
        self.doc_list.blockSignals(True)
        self.doc_list.clear()
        for summary in summaries:
            item = QListWidgetItem(
                f"{summary.title}\n{STATUS_TEXT.get(summary.status, summary.status)} · "
                f"{summary.spans} annotation{'s' if summary.spans != 1 else ''}"
            )
            item.setData(Qt.ItemDataRole.UserRole, summary.id)
            item.setToolTip(f"<p>{html.escape(summary.title)}</p>")
            self.doc_list.addItem(item)
            if summary.id == current:
                self.doc_list.setCurrentItem(item)
        self.doc_list.blockSignals(False)
        self._update_position()
        self._update_progress(summaries)

    def _update_progress(self, summaries: Sequence[DocumentSummary] | None = None) -> None:
        """Progress counts above the document list: how many are done, in progress, to do."""
        counts = {s: 0 for s in STATUSES}
        if summaries is None:
            try:
                summaries = self.project.documents()
            except AnnotatorError:
                summaries = []
        for summary in summaries:
            counts[summary.status] = counts.get(summary.status, 0) + 1
        total = sum(counts.values())
        self.progress_label.setText(
            f"<b>{total} document{'s' if total != 1 else ''}</b><br>"
            f"{counts['done']} done · {counts['in_progress']} in progress · {counts['todo']} to do"
        )

    def _on_doc_item(self, item: QListWidgetItem | None, _prev: QListWidgetItem | None) -> None:
        self.show_document(item.data(Qt.ItemDataRole.UserRole) if item else None)

    def show_document(self, doc_id: str | None) -> None:
        try:
            self._show_document(doc_id)
        except AnnotatorError as e:
            # a bad row in the file: say which document and why, keep the window usable
            self.interaction.error("Cannot show this document", str(e))
            self._show_document(None)
            self.title_label.setText("This document cannot be shown")
            self.meta_label.setText(str(e))

    def _show_document(self, doc_id: str | None) -> None:
        if doc_id is None:
            self.doc = None
            self.view.set_document("", [], {})
            self.title_label.setText("No document yet")
            self.meta_label.setText("Import articles with File > Import (Ctrl+I) or drop files here.")
            self.status_combo.setEnabled(False)
            self.panel.model.reset("", [], {})
            self.panel.show_span(None, "")
            self.panel.set_document_labels(None)
            self.panel.set_quotes([])
            return
        self._set_pending(None)
        self.doc = self.project.document(doc_id)
        spans = self.project.spans(doc_id)
        intact = self.project.text_intact(doc_id)
        if not intact:
            # Offsets no longer point at the words they tagged: never draw them misplaced.
            self.interaction.error(
                "Text changed outside Annotator",
                f"The text of “{self.doc.display_title}” no longer matches its checksum: it was "
                f"changed outside Annotator. Its {len(spans)} annotation(s) are set aside "
                "(not shown) so none is drawn at the wrong place; export the project to review them.",
            )
            spans = []
        colors = self.colors()
        self.view.set_document(self.doc.text, spans, colors)
        self.panel.model.reset(self.doc.text, spans, colors)
        self.panel.show_span(None, self.doc.text)
        self._refresh_links()
        self._show_others(draw=intact)
        if self.find_bar.isVisible():
            self._on_find_text(self.find_bar.edit.text())
        self._update_position()
        self.view.setFocus()

    def _show_header(self) -> None:
        assert self.doc is not None
        meta = self.doc.meta
        self.title_label.setText(self.doc.display_title)
        byline = f"by {meta.author}" if meta.author else None
        parts = [p for p in (byline, meta.source, meta.published, meta.url) if p]
        parts.append(f"{len(self.doc.text):,} characters")
        if self._others_note:
            parts.append(self._others_note)
        self.meta_label.setText("  ·  ".join(parts))
        self.status_combo.setEnabled(True)
        self.status_combo.setCurrentIndex(max(0, STATUSES.index(self.doc.status)))
        self.panel.set_document_labels(self.doc.labels)

    def _show_others(self, *, draw: bool | None = None) -> None:
        """Other annotators' spans in this document (a merged project): named in the header;
        drawn, read-only, when View > Colleagues' annotations is on (never over a text
        changed outside Annotator: ``draw`` False)."""
        self._others_note = ""
        if self.doc is not None:
            if draw is None:
                draw = self.project.text_intact(self.doc.id)
            owner = self.project.owner
            theirs = [s for s in self.project.spans(self.doc.id, "*") if s.annotator != owner]
            if theirs and self._colleagues is None:  # (read only where someone else tagged)
                from annotator.store.export_queries import annotator_names

                self._colleagues = sorted(annotator_names(self.project) - {owner})
            shown = self.actions_by_name["colleagues"].isChecked() and draw
            colors = {
                who: ANNOTATOR_COLORS[i % len(ANNOTATOR_COLORS)]
                for i, who in enumerate(self._colleagues or ())
            }
            self.view.set_others(theirs if shown else [], colors)
            counts: dict[str, int] = {}
            for span in theirs:
                counts[span.annotator] = counts.get(span.annotator, 0) + 1
            if counts:
                listed = ", ".join(f"{who} ({n})" for who, n in sorted(counts.items()))
                hint = "" if shown else " (View > Colleagues' annotations)"
                self._others_note = f"also annotated by {listed}{hint}"
            self._show_header()

    def _update_position(self) -> None:
        row, total = self.doc_list.currentRow(), self.doc_list.count()
        self.position_label.setText(f"Document {row + 1} of {total}" if total else "No documents")

    def step_document(self, delta: int) -> None:
        row = self.doc_list.currentRow() + delta
        if 0 <= row < self.doc_list.count():
            self.doc_list.setCurrentRow(row)

    # ---- commands -----------------------------------------------------
    def run(self, command: Command) -> bool:
        """Execute one user action (one transaction), then push it on the undo stack."""
        if self.project.readonly:
            self.statusBar().showMessage(
                "Read-only: this project is open for editing in another window.", 6000
            )
            return False
        try:
            change = self.project.execute(command)
        except Exception as e:  # refused edit, disk full, file gone: nothing is shown as done
            self.report_error(e)
            return False
        self.undo_stack.push(
            UndoableCommand(self.project, command, self.apply_change, self.report_error)
        )
        self.apply_change(change)
        return True

    def report_error(self, error: Exception) -> None:
        if isinstance(error, AnnotatorError):
            message = str(error)
        elif isinstance(error, sqlite3.Error):
            message = f"The project file could not be written: {error}. Your earlier work is safe."
        else:
            message = f"{type(error).__name__}: {error}"
        self.saved_label.setText("⚠ Not saved")
        self.interaction.error("Annotator", message)

    def apply_change(self, change: Change) -> None:
        """Show what a command changed: only the spans it touched, not the whole document."""
        if change.people:
            self._refresh_people()
        if change.document == "":
            # across documents (a rename, a scheme edit): reload what is shown, keep the selection
            self.panel.set_scheme(self.scheme())
            self._rebuild_label_actions()
            selected = self.view.selected_span()
            if self.doc is not None:
                self.show_document(self.doc.id)
                if selected:
                    self.select_span(selected, scroll=False)
            self.refresh_documents()
            self.saved_label.setText("✓ Saved")
            return
        if self.doc is None or change.document != self.doc.id:
            self._select_doc_item(change.document)
        assert self.doc is not None
        selected = self.view.selected_span()
        for span_id in change.spans:
            self.view.remove_span(span_id)
            self.panel.model.remove(span_id)
            try:
                span = self.project.span(self.doc.id, span_id)
            except AnnotatorError:
                if self.view.selected_span() == span_id:
                    self.select_span(None)
                continue
            self.view.add_span(span)
            self.panel.model.upsert(span)
        if change.relations or change.spans:
            self._refresh_links()
        if change.document_fields:
            self.doc = self.project.document(self.doc.id)
            self._show_header()
            self._update_progress()
        self._refresh_current_item()
        if selected:
            self.select_span(selected, scroll=False)
        self.saved_label.setText("✓ Saved")

    def _refresh_links(self) -> None:
        """Attribution links in the view; the quote list when it is on screen."""
        if self.doc is None:
            return
        self._relations = self.project.relations(self.doc.id)
        self.view.set_links([(r.head, r.child) for r in self._relations])
        self._quotes_dirty = True
        self._refresh_lists()

    def _refresh_lists(self) -> None:
        if self.doc is None or not getattr(self, "_quotes_dirty", False):
            return
        if self.panel.tabs.currentWidget() is not self.panel.quotes:
            return  # built when shown: keeps tagging fast in long documents
        self._quotes_dirty = False
        self.panel.set_quotes(self.quote_rows())

    def quote_rows(self) -> list[tuple[str, str, str, str]]:
        """(span id, speaker, quote, stance) for each quote or claim of the document."""
        assert self.doc is not None
        said_by = self.scheme().relation("SAID_BY")
        heads = set(said_by.heads) if said_by else {"QUOTE", "CLAIM"}
        spans = {s.id: s for s in self.panel.model._spans}
        source = {r.head: r.child for r in self._relations if r.label == "SAID_BY"}
        rows = []
        for span in self.panel.model._spans:
            if span.label not in heads:
                continue
            speaker = ""
            mention = spans.get(source.get(span.id, ""))
            if mention is not None:
                speaker = str(mention.attrs.get("person") or mention.text_in(self.doc.text))
            elif span.attrs.get("person"):
                speaker = str(span.attrs["person"])
            rows.append((span.id, speaker, span.text_in(self.doc.text), str(span.attrs.get("stance") or "")))
        return rows

    def _refresh_people(self) -> None:
        self.panel.set_people(self.project.people_with_counts())

    def _select_doc_item(self, doc_id: str) -> None:
        for row in range(self.doc_list.count()):
            if self.doc_list.item(row).data(Qt.ItemDataRole.UserRole) == doc_id:
                self.doc_list.setCurrentRow(row)
                return

    def _refresh_current_item(self) -> None:
        item = self.doc_list.currentItem()
        if item is None or self.doc is None:
            return
        count = len(self.panel.model._spans)
        status = STATUS_TEXT.get(self.doc.status, self.doc.status)
        item.setText(f"{self.doc.display_title}\n{status} · {count} annotation{'s' if count != 1 else ''}")

    # ---- gestures -----------------------------------------------------
    def tag(self, label: str, *, exact: bool = False) -> None:
        if self.doc is None:
            return
        start, end = self.view.selection_cp()
        if not self.prefs.snapping:
            exact = not exact  # with snapping off, Shift+key snaps instead
        bounds = (start, end) if exact else snap(self.doc.text, start, end)
        if bounds[0] >= bounds[1]:
            self.statusBar().showMessage("Select some text first, then press the label's key.", 4000)
            return
        span = Span("", bounds[0], bounds[1], label, annotator=self.project.owner)
        command = AddSpan(self.doc.id, span)
        if self.run(command):
            cursor = self.view.textCursor()
            cursor.clearSelection()  # show the new highlight, not the text selection
            self.view.setTextCursor(cursor)
            self.select_span(command.span.id, scroll=False)

    def select_span(self, span_id: str | None, *, scroll: bool = True) -> None:
        if self.doc is None:
            return
        span = None
        if span_id:
            try:
                span = self.project.span(self.doc.id, span_id)
            except AnnotatorError:
                span = None
        self.view.set_selected_span(span.id if span else None)
        if span is not None and scroll:
            self.view.scroll_to_cp(span.start)
        self.panel.show_span(span, self.doc.text)

    def _on_span_activated(self, span_id: str) -> None:
        self.select_span(span_id or None, scroll=False)

    def delete_span(self, span_id: str) -> None:
        if self.doc is None or not span_id:
            return
        self.run(RemoveSpan(self.doc.id, span_id, self.project.owner))

    def _on_label_change(self, span_id: str, label: str) -> None:
        if self.doc is None:
            return
        before = self.project.span(self.doc.id, span_id)
        keep = self.scheme().label(label)
        attrs = {k: v for k, v in before.attrs.items() if keep and keep.attribute(k)}
        self.run(EditSpan(self.doc.id, before, before.with_(label=label, attrs=attrs), "label"))

    def _on_attr_change(self, span_id: str, name: str, value: object) -> None:
        if self.doc is None:
            return
        before = self.project.span(self.doc.id, span_id)
        attrs = dict(before.attrs)
        if value is None:
            attrs.pop(name, None)
        else:
            attrs[name] = value  # type: ignore[assignment]
        if attrs == dict(before.attrs):
            return
        edit = EditSpan(self.doc.id, before, before.with_(attrs=attrs), name)
        label = self.scheme().label(before.label)
        attr = label.attribute(name) if label else None
        if (
            attr is not None
            and attr.source == "people"
            and isinstance(value, str)
            and self.project.person(value) is None
        ):
            # a new name joins the register in the same undo step
            self.run(Batch(f"Add {value} and set {name}", [AddPerson(Person(value)), edit]))
            return
        self.run(edit)

    def _on_document_label(self, name: str, value: object) -> None:
        if self.doc is None or self.doc.labels.get(name) == value:
            return
        self.run(SetDocumentLabel(self.doc.id, name, value))  # type: ignore[arg-type]

    # ---- attribution and people --------------------------------------
    def _selected(self) -> Span | None:
        span_id = self.view.selected_span()
        if self.doc is None or not span_id:
            return None
        try:
            return self.project.span(self.doc.id, span_id)
        except AnnotatorError:
            return None

    def attribute_selected(self) -> None:
        """A: pick a speaker mention or a person for the selected quote or claim."""
        from annotator.ui.picker import Mention, PickerDialog

        span = self._selected()
        said_by = self.scheme().relation("SAID_BY")
        if span is None or said_by is None or span.label not in said_by.heads:
            self.statusBar().showMessage("Select a quote or claim first (click it), then press A.", 5000)
            return
        assert self.doc is not None
        mentions = [
            Mention(s.id, _short(s.text_in(self.doc.text)), str(s.attrs.get("person") or "") or None)
            for s in self.panel.model._spans
            if s.label in (said_by.children or ("SPEAKER",))
        ]
        # nearest mentions first: the speaker is usually just before or after the quote
        mentions.sort(key=lambda m: abs(self.project.span(self.doc.id, m.span_id).start - span.start))
        dialog = PickerDialog(mentions, self.project.people(), parent=self)
        self._picker = dialog
        choice = self.pick(dialog)
        if choice is None:
            return
        self.run(Attribute(self.doc.id, span.id, speaker_id=choice.speaker_id, person=choice.person))

    def pick(self, dialog: PickerDialog) -> Choice | None:
        """Run the picker (tests answer through ``interaction``)."""
        return self.interaction.pick(dialog)

    def new_person_from_mention(self) -> None:
        """P: the selected SPEAKER mention's person joins the register (name asked, text offered)."""
        span = self._selected()
        if span is None or span.label != "SPEAKER" or self.doc is None:
            self.statusBar().showMessage("Select a speaker mention first, then press P.", 5000)
            return
        name = self.interaction.ask_text(
            "New person", "Canonical name of this person:", span.text_in(self.doc.text).strip()
        )
        if not name or not name.strip():
            return
        name = name.strip()
        steps: list[Command] = []
        if self.project.person(name) is None:
            steps.append(AddPerson(Person(name)))
        steps.append(EditSpan(self.doc.id, span, span.with_(attrs={**span.attrs, "person": name}), "person"))
        self.run(Batch(f"Person {name} from “{_short(span.text_in(self.doc.text))}”", steps))

    def add_person(self) -> None:
        name = self.interaction.ask_text("Add person", "Canonical name:", "")
        if name and name.strip():
            self.run(AddPerson(Person(name.strip())))

    def edit_person(self, name: str) -> None:
        person = self.project.person(name)
        if person is None:
            return
        new_name = self.interaction.ask_text("Rename person", "Canonical name (renames every mention):", person.name)
        if new_name is None:
            return
        role = self.interaction.ask_text("Role", f"Role of {new_name} (optional):", person.role or "")
        org = self.interaction.ask_text(
            "Organisation", f"Organisation of {new_name} (optional):", person.organisation or ""
        )
        after = Person(new_name.strip(), (role or "").strip() or None, (org or "").strip() or None)
        if after != person:
            self.run(EditPerson(person, after))

    def merge_person(self, name: str) -> None:
        person = self.project.person(name)
        if person is None:
            return
        from annotator.ui.picker import PickerDialog

        others = [p for p in self.project.people() if p.name != name]
        dialog = PickerDialog([], others, title=f"Merge {name} into…", parent=self)
        choice = self.pick(dialog)
        if choice is None or choice.person is None:
            return
        if self.interaction.confirm(
            "Merge people",
            f"Every mention of {name} becomes {choice.person}, and {name} leaves the register.",
        ):
            self.run(MergePeople(person, choice.person))

    def next_unattributed(self) -> None:
        """U: the next quote or claim with no speaker (wrapping)."""
        if self.doc is None:
            return
        said_by = self.scheme().relation("SAID_BY")
        heads = set(said_by.heads) if said_by else {"QUOTE", "CLAIM"}
        attributed = {r.head for r in self._relations if r.label == "SAID_BY"}
        todo = [
            s
            for s in self.panel.model._spans
            if s.label in heads and s.id not in attributed and not s.attrs.get("person")
        ]
        if not todo:
            self.statusBar().showMessage("Every quote and claim here is attributed.", 5000)
            return
        current = self._selected()
        pos = current.start if current else self.view.selection_cp()[0] - 1
        after = [s for s in todo if s.start > pos]
        self.select_span((after or todo)[0].id)

    def add_fragment(self) -> None:
        """+: add the selected text to the selected span as another fragment."""
        span = self._selected()
        if span is None or self.doc is None:
            self.statusBar().showMessage("Select a quote first, then select more text and press +.", 5000)
            return
        a, b = snap(self.doc.text, *self.view.selection_cp())
        if a >= b:
            self.statusBar().showMessage("Select the text to add to the quote, then press +.", 5000)
            return
        pieces = sorted([*span.pieces, (a, b)])
        merged: list[tuple[int, int]] = []
        for x, y in pieces:
            if merged and x <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], y))
            else:
                merged.append((x, y))
        after = span.with_(
            start=merged[0][0],
            end=merged[-1][1],
            fragments=tuple(merged) if len(merged) > 1 else None,
        )
        cursor = self.view.textCursor()
        cursor.clearSelection()
        self.view.setTextCursor(cursor)
        self.run(EditSpan(self.doc.id, span, after, "fragments"))

    # ---- suggestions ----------------------------------------------------
    def suggest(self) -> None:
        """Ctrl+G: run the suggester on this article; results are pending until accepted."""
        from annotator.core.suggest import RuleSuggester

        if self.doc is None:
            return
        suggester = RuleSuggester()
        found = suggester.suggest(self.doc.text, self.project.people())
        self._suggester = suggester.name
        self._set_pending(found.without(self.panel.model._spans))
        n = len(self._pending.spans) if self._pending else 0
        note = f" ({found.note})" if found.note else ""
        self.statusBar().showMessage(
            f"{n} suggestion(s), drawn dashed{note}. Click one, then Y to accept or X to reject; "
            "Ctrl+Shift+Y accepts all.",
            10000,
        )

    def _set_pending(self, found: Suggestions | None) -> None:
        if found is None and self._pending is None:
            return
        self._pending = found if found and found.spans else None
        self.view.set_suggestions(self._pending.spans if self._pending else [])
        self._rebuild_accept_label_actions()

    def _rebuild_accept_label_actions(self) -> None:
        for action in getattr(self, "_accept_label_actions", []):
            self.annotate_menu.removeAction(action)
            action.deleteLater()
        self._accept_label_actions = []
        labels = sorted({s.label for s in self._pending.spans}) if self._pending else []
        for label in labels:
            action = QAction(f"Accept all suggested {label}", self)
            action.triggered.connect(lambda _c=False, lab=label: self.accept_suggestions(lab))
            self.annotate_menu.addAction(action)
            self._accept_label_actions.append(action)

    def _on_suggestion_activated(self, span_id: str) -> None:
        span = next((s for s in self._pending.spans if s.id == span_id), None) if self._pending else None
        if span is not None and self.doc is not None:
            self.statusBar().showMessage(
                f"Suggested {span.label}: “{_short(span.text_in(self.doc.text))}” — Y accepts, X rejects",
                8000,
            )

    def accept_selected_suggestion(self) -> None:
        chosen = self.view.selected_suggestion()
        if chosen is None or self._pending is None:
            self.statusBar().showMessage("Click a dashed suggestion first (Ctrl+G suggests).", 5000)
            return
        # a quote comes with its suggested speaker and cue, so the link is kept
        ids = {chosen} | {
            r.child for r in self._pending.relations if r.head == chosen
        }
        self._accept(self._pending.only(ids))

    def accept_suggestions(self, label: str | None) -> None:
        if self._pending is None:
            return
        ids = {s.id for s in self._pending.spans if label is None or s.label == label}
        self._accept(self._pending.only(ids))

    def _accept(self, chosen: Suggestions) -> None:
        if self.doc is None or not chosen.spans or self._pending is None:
            return
        origin = f"suggested:{getattr(self, '_suggester', 'rules')}"
        accept = AcceptSuggestions(
            self.doc.id, chosen.spans, chosen.relations, origin, self.project.owner
        )
        names = sorted(
            {str(s.attrs["person"]) for s in chosen.spans if s.attrs.get("person")}
            - {p.name for p in self.project.people()}
        )
        steps: list[Command] = [AddPerson(Person(n)) for n in names]
        if self.run(Batch(accept.text, [*steps, accept]) if steps else accept):
            left = {s.id for s in self._pending.spans} - {s.id for s in chosen.spans}
            self._set_pending(self._pending.only(left))

    def reject_selected_suggestion(self) -> None:
        chosen = self.view.selected_suggestion()
        if chosen is None or self._pending is None:
            return
        left = {s.id for s in self._pending.spans} - {chosen}
        self._set_pending(self._pending.only(left))

    # ---- find ---------------------------------------------------------
    def find_bar_open(self) -> None:
        a, b = self.view.selection_cp()
        seed = self.doc.text[a:b] if self.doc and 0 < b - a < 80 and "\n" not in self.doc.text[a:b] else ""
        self.find_bar.open_bar(seed)

    def _on_find_text(self, needle: str) -> None:
        self._matches = find_all(self.doc.text, needle) if self.doc else []
        self.view.set_highlights(self._matches[:MAX_HIGHLIGHTS])
        n = len(self._matches)
        self.find_bar.count.setText(f"{n} match{'es' if n != 1 else ''}" if needle else "")
        if self._matches:
            self.find_step(0)

    def find_step(self, delta: int) -> None:
        if not self._matches:
            if not self.find_bar.isVisible():
                self.find_bar_open()
            return
        pos = self.view.selection_cp()[0]
        starts = [a for a, _ in self._matches]
        if delta > 0:
            i = next((k for k, a in enumerate(starts) if a > pos), 0)
        elif delta < 0:
            i = next((k for k in range(len(starts) - 1, -1, -1) if starts[k] < pos), len(starts) - 1)
        else:
            i = next((k for k, a in enumerate(starts) if a >= pos), 0)
        a, b = self._matches[i]
        self.view.select_cp(a, b)
        self.view.scroll_to_cp(a)
        self.find_bar.count.setText(f"{i + 1} of {len(self._matches)}")

    def _on_find_closed(self) -> None:
        self._matches = []
        self.view.set_highlights([])
        self.view.setFocus()

    def step_span(self, delta: int) -> None:
        model = self.panel.model
        if model.rowCount() == 0:
            return
        current = self.view.selected_span()
        row = model.row_of(current) if current else -1
        if row < 0:
            cursor = self.view.selection_cp()[0]
            spans = [model.span_at(i) for i in range(model.rowCount())]
            after = [i for i, s in enumerate(spans) if s and s.start >= cursor]
            row = (after[0] if after else model.rowCount()) - (1 if delta < 0 else 0)
            row = min(max(row, 0), model.rowCount() - 1)
        else:
            row = min(max(row + delta, 0), model.rowCount() - 1)
        span = model.span_at(row)
        if span:
            self.select_span(span.id)

    def set_status(self, status: str) -> None:
        if self.doc is None or status == self.doc.status:
            return
        self.run(SetStatus(self.doc.id, status))

    # ---- files --------------------------------------------------------
    def choose_import(self) -> None:
        paths = self.interaction.open_files("Import articles or JSONL", IMPORT_FILTER)
        if paths:
            self.import_files(paths)

    def choose_import_folder(self) -> None:
        """A whole folder: articles, or a brat / INCEpTION export."""
        folder = self.interaction.open_folder("Import a folder")
        if folder is not None:
            self.import_files([folder])

    def import_files(self, paths: Sequence[Path]) -> bool:
        from annotator.io.importer import import_paths

        dialog = QProgressDialog("Importing…", "Cancel", 0, len(paths), self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(400)

        def progress(done: int, total: int, name: str) -> bool:
            dialog.setMaximum(total)
            dialog.setValue(done)
            dialog.setLabelText(f"Importing {name}…")
            QApplication.processEvents()
            return not dialog.wasCanceled()

        try:
            report = import_paths(self.project, list(paths), progress=progress)
        except AnnotatorError as e:
            dialog.close()
            message = str(e)
            if "nothing was imported" not in message.lower():
                message += "\n\nNothing was imported."
            self.interaction.error("Import failed", message)
            return False
        dialog.close()
        self.undo_stack.clear()  # imports are not undoable one by one; the stack would lie
        self.panel.set_scheme(self.scheme())
        self._rebuild_label_actions()
        self.refresh_documents()
        if self.doc is None and self.doc_list.count():
            self.doc_list.setCurrentRow(0)
        lines = report.summary()
        self.statusBar().showMessage(lines[0] if lines else "Imported.", 8000)
        if len(lines) > 1:
            self.interaction.info("Import finished", "\n".join(lines))
        return True

    def export_dataset(self) -> None:
        """File > Export…: any format, filters, progress with Cancel, then the summary."""
        from annotator.ui.export_dialog import ExportDialog, run_export

        dialog = ExportDialog(self.project, self)
        self._export_dialog = dialog
        if not self.interaction.show_dialog(dialog) or dialog.result() != QDialog.DialogCode.Accepted:
            return
        out = Path(dialog.out.text().strip())
        try:
            lines = run_export(self.project, dialog.fmt(), out, dialog.options(), self)
        except AnnotatorError as e:
            self.interaction.error("Export", str(e))
            return
        self.statusBar().showMessage(lines[0], 10000)
        self.interaction.info("Export finished", "\n".join(lines))

    def export_jsonl(self) -> None:
        from annotator.io.export import export_project

        out = self.interaction.save_file(
            "Export as JSONL", "JSON Lines (*.jsonl)", f"{self.project.path.stem}.jsonl"
        )
        if out is None:
            return
        try:
            n = export_project(self.project, "jsonl", out)
        except AnnotatorError as e:
            self.interaction.error("Export failed", str(e))
            return
        self.statusBar().showMessage(f"Wrote {n} record(s) to {out}", 8000)

    def review_files(self) -> None:
        """File > Review colleagues' files: compare, measure agreement (files only read)."""

        paths = self.interaction.open_files("Review colleagues' files", PROJECT_FILTER)
        if paths:
            self.open_review_window(paths)

    def open_review_window(self, paths: Sequence[Path]) -> None:
        from annotator.ui.review_window import open_review

        window = open_review(list(paths), self.interaction, self, settings=self.settings)
        if window is not None:
            self._review_window = window
            window.goldRequested.connect(lambda: self.new_gold_project(list(paths)))

    def new_gold_project(self, paths: list[Path] | None = None) -> None:
        """File > New gold project from files: agreements at once, differences in a queue."""
        from annotator.store.project import default_owner
        from annotator.ui.adjudication import ask_new_gold

        decided_by = self.prefs.annotator or default_owner()
        path = ask_new_gold(self.interaction, decided_by, paths=paths or None)
        if path is not None:
            self.open_project_file(path)

    def open_dashboard(self) -> None:
        """The project's charts in their own window (matplotlib is imported only now)."""
        from annotator.ui.dashboard import DashboardWindow

        if self._dashboard is None:
            self._dashboard = DashboardWindow(
                self.project, self.open_quote, interaction=self.interaction, parent=self
            )
        else:
            self._dashboard.refresh()  # type: ignore[attr-defined]
        self._dashboard.show()
        self._dashboard.raise_()
        self._dashboard.activateWindow()

    def open_quote(self, doc_id: str, span_id: str) -> None:
        """Show a quote listed in the dashboard, selected in its article."""
        self._select_doc_item(doc_id)
        if self.doc is None or self.doc.id != doc_id:
            self.show_document(doc_id)
        self.select_span(span_id)
        self.raise_()
        self.activateWindow()

    def share_copy(self) -> None:
        from annotator.store.backup import share_copy

        out = self.interaction.save_file(
            "Share a copy", PROJECT_FILTER, f"{self.project.path.stem}-copy.annotator"
        )
        if out is None:
            return
        try:
            share_copy(self.project, out)
        except AnnotatorError as e:
            self.interaction.error("Share a copy", str(e))
            return
        self.statusBar().showMessage(f"Wrote a self-contained copy to {out}", 8000)

    def choose_project(self) -> None:
        path = self.interaction.open_file("Open project", PROJECT_FILTER)
        if path:
            self.open_project_file(path)

    def new_project(self) -> None:
        from annotator.resources import default_scheme

        path = self.interaction.save_file("New project", PROJECT_FILTER, "project.annotator")
        if path is None:
            return
        if path.suffix != ".annotator":
            path = path.with_suffix(".annotator")
        if path.exists():
            self.interaction.error("New project", f"{path} already exists; open it instead.")
            return
        try:
            project = open_project(path, create=True, owner=self.project.owner, scheme=default_scheme())
        except AnnotatorError as e:
            self.interaction.error("New project", str(e))
            return
        self._switch_project(project)

    def open_project_file(self, path: Path) -> bool:
        project = open_for_window(path, self.interaction)
        if project is None:
            return False
        self._switch_project(project)
        return True

    def _switch_project(self, project: Project) -> None:
        if self._dashboard is not None:
            self._dashboard.close()
            self._dashboard = None
        old = self.project
        self.doc = None
        self.set_project(project)
        if old is not project:
            old.close()
        self._remember(project.path)

    def colors(self) -> dict[str, str]:
        """Label colours as drawn: the scheme's, or the colour-blind-safe palette."""
        labels = [(lab.name, lab.color) for lab in self.scheme().labels]
        return display_colors(labels, self.prefs.colorblind_palette)

    def apply_preferences(self, prefs: Preferences) -> None:
        self.prefs = prefs
        font = self.view.font()
        if prefs.font_family:
            font.setFamily(prefs.font_family)
        font.setPointSizeF(prefs.font_size)
        self.view.setFont(font)
        self.view.set_colors(self.colors())
        if self.doc is not None:
            self.panel.model.reset(self.doc.text, self.panel.model._spans, self.colors())
        apply_theme(prefs.theme)

    def edit_preferences(self) -> None:
        from annotator.ui.preferences import PreferencesDialog

        dialog = PreferencesDialog(self.prefs, self)
        self._prefs_dialog = dialog
        if not self.interaction.show_dialog(dialog) or dialog.result() != QDialog.DialogCode.Accepted:
            return
        self.save_preferences(dialog.preferences())

    def save_preferences(self, prefs: Preferences) -> None:
        if self.settings is not None:
            self.settings.set_preferences(prefs)
        self.apply_preferences(prefs)

    def open_user_guide(self) -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        from annotator.resources import user_guide

        guide = user_guide()
        if guide is None:
            self.interaction.error("User guide", "The user guide is not installed with this copy.")
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(guide)))

    def _remember(self, path: Path) -> None:
        if self.settings is None:
            return
        self.settings.add_recent(path)
        self._rebuild_recent_menu()

    def _rebuild_recent_menu(self) -> None:
        menu = self.recent_menu
        menu.clear()
        recent = self.settings.recent_projects() if self.settings is not None else []
        for i, path in enumerate(recent, 1):
            action = menu.addAction(f"&{i} {path.name}  —  {path.parent}")
            action.setData(str(path))
            action.triggered.connect(lambda _c=False, p=path: self.open_project_file(p))
        menu.setEnabled(bool(recent))

    def edit_scheme(self) -> None:
        from annotator.ui.scheme_editor import SchemeEditorDialog

        dialog = SchemeEditorDialog(
            self.project, self.run, self.interaction, self, undo_stack=self.undo_stack
        )
        self._scheme_dialog = dialog
        if self.interaction.show_dialog(dialog):
            dialog.deleteLater()

    def open_demo(self) -> None:
        """Help > Open the demo project: built from seeds/demo/*.jsonl into the data folder."""
        from annotator.app import ensure_demo_project

        try:
            path = ensure_demo_project()
        except AnnotatorError as e:
            self.interaction.error("Demo project", str(e))
            return
        self.open_project_file(path)

    def ask_owner(self) -> None:
        name = self.interaction.ask_text(
            "Annotator name", "Your name, recorded with your annotations:", self.project.owner
        )
        if name is None:
            return
        try:
            self.project.set_owner(name)
        except AnnotatorError as e:
            self.interaction.error("Annotator name", str(e))
            return
        self.set_project(self.project)

    # ---- help ---------------------------------------------------------
    def shortcut_rows(self) -> list[tuple[str, str]]:
        """(action, shortcut) for every shortcut in the window: the generated Help list."""
        rows: list[tuple[str, str]] = []
        for spec in ACTIONS:
            action = self.actions_by_name[spec.name]
            keys = ", ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts())
            if keys:
                rows.append((spec.text.replace("&", "").rstrip("…"), keys))
        for action in self.label_actions:
            rows.append((action.text(), action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)))
        return rows

    def show_shortcuts(self) -> None:
        dialog = QDialog(self)
        dialog.setWindowTitle("Keyboard shortcuts")
        table = QTableWidget(0, 2, dialog)
        table.setObjectName("shortcut_table")
        table.setHorizontalHeaderLabels(["Action", "Shortcut"])
        for text, keys in self.shortcut_rows():
            r = table.rowCount()
            table.insertRow(r)
            table.setItem(r, 0, QTableWidgetItem(text))
            table.setItem(r, 1, QTableWidgetItem(keys))
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        table.verticalHeader().hide()
        layout = QVBoxLayout(dialog)
        layout.addWidget(table)
        dialog.resize(520, 560)
        dialog.show()
        self._shortcuts_dialog = dialog

    def show_about(self) -> None:
        from annotator.app import data_dir

        self.interaction.info(
            "About Annotator",
            f"Annotator {__version__}\nMIT licence\n\nProjects are stored in {data_dir()}\n"
            f"This project: {self.project.path}",
        )

    # ---- drag and drop, close -----------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if not paths:
            return
        event.acceptProposedAction()
        projects = [p for p in paths if p.suffix == ".annotator"]
        if projects:
            self.open_project_file(projects[0])
        else:
            self.import_files(paths)

    def closeEvent(self, event: QCloseEvent) -> None:
        # Nothing to save: every action was committed when it was made. A backup on the way out.
        if self.settings is not None:
            back_up(self.project)
        if self.settings is not None:
            self.settings.set_value("geometry", self.saveGeometry())
            self.settings.set_value("splitter", self.splitter.saveState())
        super().closeEvent(event)


def apply_theme(theme: str) -> None:
    """Light, dark, or follow the system. Light and dark use Fusion with an explicit palette,
    so they look the same on every platform (not all platforms honour Qt's scheme hint)."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    if theme == "system":
        app.styleHints().setColorScheme(Qt.ColorScheme.Unknown)
        app.setPalette(app.style().standardPalette())
        return
    app.setStyle("Fusion")
    if theme == "light":
        app.styleHints().setColorScheme(Qt.ColorScheme.Light)
        app.setPalette(app.style().standardPalette())
        return
    app.styleHints().setColorScheme(Qt.ColorScheme.Dark)
    p = QPalette()
    R = QPalette.ColorRole
    for role, color in (
        (R.Window, "#2b2b2e"), (R.WindowText, "#e6e6e6"), (R.Base, "#1f1f22"),
        (R.AlternateBase, "#2a2a2d"), (R.Text, "#e6e6e6"), (R.Button, "#35353a"),
        (R.ButtonText, "#e6e6e6"), (R.Highlight, "#3d6fb4"), (R.HighlightedText, "#ffffff"),
        (R.ToolTipBase, "#35353a"), (R.ToolTipText, "#e6e6e6"), (R.PlaceholderText, "#8a8a8f"),
        (R.Link, "#7fb2ff"), (R.BrightText, "#ff6b6b"),
    ):
        p.setColor(role, QColor(color))
    p.setColor(QPalette.ColorGroup.Disabled, R.Text, QColor("#77777c"))
    p.setColor(QPalette.ColorGroup.Disabled, R.ButtonText, QColor("#77777c"))
    app.setPalette(p)


def app_icon() -> QIcon:
    from annotator.app import APP_ID
    from annotator.resources import resource

    icon = QIcon()
    for n in (16, 32, 48, 64, 128, 256):
        png = resource("icons", "hicolor", f"{n}x{n}", "apps", f"{APP_ID}.png")
        if png.is_file():
            icon.addFile(str(png))
    return icon


def open_for_window(path: Path, interaction: Interaction) -> Project | None:
    """Open a project for the window: for writing, or read-only if another window has it."""
    try:
        return open_project(path)
    except ProjectDamaged as e:
        return _recover(path, str(e), interaction)
    except ProjectLocked as e:
        if not interaction.confirm(
            "Project already open", f"{e}.\n\nOpen a read-only view of it instead?"
        ):
            return None
        try:
            return open_project(path, readonly=True)
        except AnnotatorError as e2:
            interaction.error("Cannot open project", str(e2))
            return None
    except AnnotatorError as e:
        interaction.error("Cannot open project", str(e))
        return None


def _recover(path: Path, problem: str, interaction: Interaction) -> Project | None:
    """A damaged project: keep it aside under a new name, offer the newest good backup."""
    from annotator.app import backup_dir
    from annotator.store.backup import latest_good_backup, restore, set_aside

    try:
        aside = set_aside(path)
        backup = latest_good_backup(path, backup_dir())
    except AnnotatorError as e:
        interaction.error("Damaged project", f"{problem}\n\n{e}")
        return None
    if backup is None:
        interaction.error(
            "Damaged project",
            f"{problem}\n\nThe damaged file was kept as {aside}. No backup of it was found.",
        )
        return None
    if not interaction.confirm(
        "Damaged project",
        f"{problem}\n\nThe damaged file was kept as {aside}.\n"
        f"Restore the latest good backup ({backup.name})?",
    ):
        return None
    try:
        restore(backup, path)
        return open_project(path)
    except AnnotatorError as e:
        interaction.error("Damaged project", str(e))
        return None


def back_up(project: Project) -> None:
    """A verified, rotating backup of the open project (quietly skipped if it fails)."""
    from annotator.app import backup_dir
    from annotator.store.backup import make_backup

    if project.readonly:
        return
    with contextlib.suppress(AnnotatorError):
        make_backup(project, backup_dir())


def launch(argv: list[str], *, project: Path | None = None, imports: Sequence[Path] = ()) -> int:
    """Create the application and the window; run until the window closes."""
    from annotator.app import APP_ID, APP_NAME, config_dir, ensure_default_project
    from annotator.store.project import default_owner

    app = QApplication.instance() or QApplication(argv)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)  # lets docks match the window to the .desktop entry
    app.setWindowIcon(app_icon())
    settings = Settings.at(config_dir() / "settings.ini")
    unattended = bool(os.environ.get("ANNOTATOR_QUIT_WHEN_READY"))
    interaction: Interaction = UnattendedInteraction() if unattended else Interaction(None)
    try:
        last = settings.last_project()
        if project is None and last is not None and last.is_file():
            project = last  # the project the user had open last time
        if project is None:
            from annotator.app import default_project_path

            owner = None
            if not default_project_path().exists():
                owner = interaction.ask_text(
                    "Welcome to Annotator",
                    "Your name, recorded with your annotations:",
                    settings.preferences().annotator or default_owner(),
                ) or default_owner()
                prefs = settings.preferences()
                prefs.annotator = owner
                settings.set_preferences(prefs)
            project = ensure_default_project(owner)
    except AnnotatorError as e:
        interaction.error("Annotator", str(e))
        if not unattended:
            print(f"annotator: error: {e}", file=sys.stderr)
        return 1
    opened = open_for_window(project, interaction)
    if opened is None:
        return 1
    try:
        window = MainWindow(opened, interaction=interaction, settings=settings)
    except AnnotatorError as e:
        interaction.error("Annotator", str(e))
        opened.close()
        return 1
    window.apply_preferences(window.prefs)
    interaction.parent = window
    window._remember(opened.path)
    geometry = settings.value("geometry")
    if geometry is not None:
        window.restoreGeometry(geometry)
    splitter = settings.value("splitter")
    if splitter is not None:
        window.splitter.restoreState(splitter)
    window.show()
    # sqlite-utils is only needed for the first write: load it once the window is up.
    QTimer.singleShot(150, lambda: None if window.project.readonly else window.project.db)
    QTimer.singleShot(2000, lambda: back_up(window.project))
    if imports:
        QTimer.singleShot(0, lambda: window.import_files(list(imports)))
    if os.environ.get("ANNOTATOR_QUIT_WHEN_READY"):
        # For benchmarks and smoke tests: report when the window is interactive, then quit.
        def ready() -> None:
            print(f"ready {time.perf_counter():.6f}", flush=True)
            window.close()

        QTimer.singleShot(0, ready)
    return int(app.exec())
