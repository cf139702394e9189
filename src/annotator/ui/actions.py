"""Every action of the main window, its menu, text and shortcut: declared here and nowhere else.

Help > Keyboard shortcuts is generated from ``ACTIONS`` (plus the label keys
of the scheme), and a test keeps that list equal to the real shortcuts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget


@dataclass(frozen=True)
class ActionSpec:
    name: str
    menu: str
    text: str
    shortcuts: tuple[str, ...] = ()
    tip: str = ""


S = QKeySequence.StandardKey

ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("new_project", "File", "&New project…", ("Ctrl+N",), "Create an empty project file"),
    ActionSpec("open_project", "File", "&Open project…", ("Ctrl+O",), "Open a project file"),
    ActionSpec("import", "File", "&Import articles or JSONL…", ("Ctrl+I",),
               "Import .txt, .md, .html articles or canonical JSONL"),
    ActionSpec("import_folder", "File", "Import a &folder…", ("Ctrl+Shift+I",),
               "Every article in a folder, or a brat or INCEpTION export"),
    ActionSpec("export_jsonl", "File", "&Export as JSONL…", ("Ctrl+E",),
               "Write the project as canonical JSONL"),
    ActionSpec("export_dataset", "File", "Export &dataset…", ("Ctrl+Shift+E",),
               "CSV, quotes table, brat, spaCy, Label Studio, doccano, INCEpTION… with filters"),
    ActionSpec("review_files", "File", "&Review colleagues' files…", ("Ctrl+R",),
               "Compare colleagues' annotation files and measure agreement"),
    ActionSpec("new_gold_project", "File", "New &gold project from files…", (),
               "Adjudicate colleagues' files: agreements at once, differences in a queue"),
    ActionSpec("share_copy", "File", "&Share a copy…", (),
               "Write a self-contained copy of this project for a colleague"),
    ActionSpec("quit", "File", "&Quit", ("Ctrl+Q",), "Close the window (everything is already saved)"),
    ActionSpec("undo", "Edit", "&Undo", ("Ctrl+Z",)),
    ActionSpec("redo", "Edit", "&Redo", ("Ctrl+Shift+Z", "Ctrl+Y")),
    ActionSpec("delete_span", "Edit", "&Delete annotation", ("Del", "Backspace"),
               "Delete the selected annotation"),
    ActionSpec("deselect", "Edit", "Clear selection", ("Esc",)),
    ActionSpec("find", "Edit", "&Find in article…", ("Ctrl+F",), "Highlight every match in the text"),
    ActionSpec("find_next", "Edit", "Find ne&xt", ("F3",)),
    ActionSpec("find_prev", "Edit", "Find pre&vious", ("Shift+F3",)),
    ActionSpec("set_owner", "Edit", "Annotator &name…", (), "Whose annotations this project records"),
    ActionSpec("preferences", "Edit", "&Preferences…", ("Ctrl+,",),
               "Annotator name, reading font, snapping, theme, colours"),
    ActionSpec("edit_scheme", "Edit", "&Scheme…", ("Ctrl+Shift+S",),
               "Labels, attributes, values, colours, keys and stance targets"),
    ActionSpec("next_span", "Navigate", "&Next annotation", ("Alt+Down", "]"),
               "Select the next annotation in the text"),
    ActionSpec("prev_span", "Navigate", "&Previous annotation", ("Alt+Up", "["),
               "Select the previous annotation in the text"),
    ActionSpec("next_unattributed", "Navigate", "Next &unattributed quote", ("U",),
               "Select the next quote or claim with no speaker"),
    ActionSpec("focus_adjudication", "Navigate", "Go to the adjudication &queue", ("F6",),
               "Back to the adjudication panel of a gold project"),
    ActionSpec("next_doc", "Navigate", "Next &document", ("Ctrl+PgDown",)),
    ActionSpec("prev_doc", "Navigate", "Previous d&ocument", ("Ctrl+PgUp",)),
    ActionSpec("attribute", "Annotate", "&Attribute to speaker…", ("A",),
               "Link the selected quote or claim to a speaker mention or a person"),
    ActionSpec("new_person", "Annotate", "New &person from mention…", ("P",),
               "Add the selected speaker mention's person to the people register"),
    ActionSpec("add_fragment", "Annotate", "Add selection as &fragment", ("+",),
               "Extend the selected quote with the selected text (discontinuous quote)"),
    ActionSpec("suggest", "Annotate", "&Suggest quotes and speakers", ("Ctrl+G",),
               "Propose quotes, cues and speakers for this article (dashed until accepted)"),
    ActionSpec("accept_suggestion", "Annotate", "Accept the selected s&uggestion", ("Y",)),
    ActionSpec("reject_suggestion", "Annotate", "Reject the selected suggestion", ("X",)),
    ActionSpec("accept_all_suggestions", "Annotate", "Accept all suggestions", ("Ctrl+Shift+Y",)),
    ActionSpec("clear_suggestions", "Annotate", "Clear suggestions", ()),
    ActionSpec("status_todo", "Document", "Mark as &to do", ("Ctrl+1",)),
    ActionSpec("status_in_progress", "Document", "Mark as &in progress", ("Ctrl+2",)),
    ActionSpec("status_done", "Document", "Mark as &done", ("Ctrl+3",)),
    ActionSpec("dashboard", "View", "Project &dashboard…", ("Ctrl+Shift+D",),
               "Charts: who gets quoted, on which side, claims, progress by annotator"),
    ActionSpec("colleagues", "View", "&Colleagues' annotations", ("Ctrl+Shift+L",),
               "Show the other annotators' spans in this project: dotted boxes around the text"),
    ActionSpec("zoom_in", "View", "Zoom &in", ("Ctrl+=", "Ctrl++")),
    ActionSpec("zoom_out", "View", "Zoom &out", ("Ctrl+-",)),
    ActionSpec("user_guide", "Help", "&User guide", (), "Open the user guide"),
    ActionSpec("shortcuts", "Help", "&Keyboard shortcuts", ("F1",)),
    ActionSpec("open_demo", "Help", "Open the &demo project", (),
               "A copy of the sample article, fully annotated"),
    ActionSpec("about", "Help", "&About Annotator", ()),
)

#: The modifier that tags exactly (no trimming or snapping) when held with a label key.
EXACT_MODIFIER = "Shift"

MENUS = ("File", "Edit", "Annotate", "Navigate", "Document", "View", "Help")


def build_actions(parent: QWidget, handlers: dict[str, Callable[[], None]]) -> dict[str, QAction]:
    """Create a QAction per spec, wired to ``handlers[name]``."""
    actions: dict[str, QAction] = {}
    for spec in ACTIONS:
        action = QAction(spec.text, parent)
        action.setObjectName(f"action_{spec.name}")
        if spec.shortcuts:
            action.setShortcuts([QKeySequence(s) for s in spec.shortcuts])
        if spec.tip:
            action.setStatusTip(spec.tip)
            action.setToolTip(spec.tip)
        handler = handlers.get(spec.name)
        if handler is not None:
            action.triggered.connect(lambda _checked=False, h=handler: h())
        actions[spec.name] = action
    return actions


def label_shortcuts(key: str) -> tuple[str, str]:
    """The snapped and the exact shortcut of a label key."""
    return key, f"{EXACT_MODIFIER}+{key}"
