"""File > Export dataset…: the dialog's choices reach the export, with progress."""

from __future__ import annotations

import csv
from pathlib import Path

from annotator.io.importer import import_paths
from annotator.resources import seeds_dir
from annotator.store import Project
from annotator.ui.export_dialog import ExportDialog, run_export


def test_quotes_table_of_done_documents(qtbot, empty_project: Project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import_paths(empty_project, [seeds_dir() / "demo" / "ceasefire-talks.jsonl"])
    dialog = ExportDialog(empty_project)
    qtbot.addWidget(dialog)
    dialog.format.setCurrentIndex(dialog.format.findData("quotes-csv"))
    out = tmp_path / "quotes.csv"
    dialog.out.setText(str(out))
    lines = run_export(empty_project, dialog.fmt(), out, dialog.options(), None)
    assert lines[0].startswith("wrote")
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) >= 27
    assert any(r.get("person") == "Donald Trump" for r in rows)


def test_status_filter_leaves_out_documents_not_done(qtbot, empty_project: Project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    article = tmp_path / "a.txt"
    article.write_text("A headline\n\nSome text.", encoding="utf-8")
    import_paths(empty_project, [article])  # status: to do
    dialog = ExportDialog(empty_project)
    qtbot.addWidget(dialog)
    dialog.format.setCurrentIndex(dialog.format.findData("documents-csv"))
    dialog.statuses.item(0).setCheckState(dialog.statuses.item(0).checkState().Unchecked)  # not "to do"
    out = tmp_path / "docs.csv"
    run_export(empty_project, dialog.fmt(), out, dialog.options(), None)
    with out.open(encoding="utf-8", newline="") as f:
        assert list(csv.DictReader(f)) == []
