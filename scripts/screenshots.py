"""Regenerate the user guide's screenshots from the real app (docs/images/*.png).

    .venv/bin/python scripts/screenshots.py            # offscreen
    xvfb-run -a .venv/bin/python scripts/screenshots.py --platform xcb   # on a virtual X display

Every picture is the real main window driven through its own methods, so the
guide shows what the current code does.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "images"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--platform", default="offscreen", help="Qt platform plugin (offscreen, xcb)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    os.environ["QT_QPA_PLATFORM"] = args.platform
    os.environ["ANNOTATOR_DATA_DIR"] = tempfile.mkdtemp()
    args.out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv)
    from annotator.app import ensure_demo_project
    from annotator.io.importer import import_paths
    from annotator.resources import default_scheme, sample_article
    from annotator.store import open_project
    from annotator.ui.interaction import ScriptedInteraction
    from annotator.ui.main_window import MainWindow, apply_theme
    from annotator.ui.picker import Mention, PickerDialog

    def save(widget, name: str) -> None:  # type: ignore[no-untyped-def]
        app.processEvents()
        path = args.out / name
        widget.grab().save(str(path))
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")

    # 1. first launch: the default project with the sample article
    tmp = Path(tempfile.mkdtemp())
    project = open_project(tmp / "default.annotator", create=True, owner="alice", scheme=default_scheme())
    import_paths(project, [sample_article()])
    win = MainWindow(project, interaction=ScriptedInteraction())
    win.resize(1280, 800)
    win.show()
    save(win, "01-first-launch.png")

    # 2. tagging a quote and its speaker, attributed
    text = win.doc.text
    def tag(phrase: str, label: str) -> str:
        s = text.index(phrase)
        win.view.select_cp(s, s + len(phrase))
        win.tag(label)
        return win.view.selected_span() or ""

    quote = tag("Millions of people are needlessly dead, never to be seen again", "QUOTE")
    speaker = tag("the president", "SPEAKER")
    tag("wrote on his Truth Social account", "CUE")
    win.select_span(speaker)
    win.interaction.answers.append("Donald Trump")
    win.new_person_from_mention()
    win.select_span(quote)
    mentions = [Mention(speaker, "the president", "Donald Trump")]
    picker = PickerDialog(mentions, project.people(), parent=win)
    picker.filter.setText("pres")
    picker.show()
    save(picker, "03-attribute-picker.png")
    picker.close()
    from annotator.core.commands import Attribute

    win.run(Attribute(win.doc.id, quote, speaker_id=speaker))
    win.select_span(quote)
    save(win, "02-tag-quote-and-speaker.png")

    # 3. stance: set on the selected quote in the panel
    combo = win.panel.findChild(type(win.panel.label_combo), "attr_stance")
    combo.setCurrentIndex(combo.findData("favor"))
    target = win.panel.findChild(type(win.panel.label_combo), "attr_target")
    target.setCurrentIndex(target.findData("ceasefire"))
    win.select_span(quote)
    save(win.panel, "04-stance.png")
    project.close()
    win.close()

    # 4. the finished demo: quotes list and people
    demo = open_project(ensure_demo_project())
    win = MainWindow(demo, interaction=ScriptedInteraction())
    win.resize(1280, 800)
    win.show()
    win.select_span("q5")
    win.panel.tabs.setCurrentWidget(win.panel.quotes)
    save(win, "05-demo-quotes.png")
    win.panel.tabs.setCurrentIndex(2)
    save(win.panel, "06-people.png")
    win.edit_scheme()
    save(win._scheme_dialog, "07-scheme-editor.png")
    win._scheme_dialog.close()
    apply_theme("dark")
    save(win, "08-dark-theme.png")
    apply_theme("system")
    demo.close()


if __name__ == "__main__":
    main()
