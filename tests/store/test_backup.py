"""Backups are verified and rotate; a damaged project is kept aside and a backup restored."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from annotator.core.commands import AddSpan
from annotator.core.errors import AnnotatorError
from annotator.core.model import Span
from annotator.store import Project, open_project
from annotator.store.backup import backups_for, latest_good_backup, make_backup, restore, set_aside
from annotator.store.files import ProjectDamaged

SAMPLE_ID = "ceasefire-talks"


def test_backups_are_complete_verified_and_rotated(project: Project, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    project.execute(AddSpan(SAMPLE_ID, Span("", 0, 5, "QUOTE")))
    made = [make_backup(project, folder, keep=3) for _ in range(5)]
    kept = backups_for(project.path, folder)
    assert kept == sorted(made[-3:], reverse=True)
    assert not list(folder.glob("*.partial"))
    copy = tmp_path / "copy.annotator"
    copy.write_bytes(kept[0].read_bytes())
    with open_project(copy) as restored:
        assert [s.id for s in restored.spans(SAMPLE_ID)] == ["q1"]


def corrupt(path: Path) -> None:
    data = bytearray(path.read_bytes())
    page = struct.unpack(">H", data[16:18])[0]
    for i in range(page, min(len(data), 4 * page)):
        data[i] = 0x5A
    path.write_bytes(bytes(data))


def test_damaged_project_is_set_aside_and_the_latest_good_backup_restored(project: Project, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    project.execute(AddSpan(SAMPLE_ID, Span("", 0, 5, "QUOTE")))
    make_backup(project, folder)
    path = project.path
    project.close()
    corrupt(path)
    damaged_bytes = path.read_bytes()
    with pytest.raises(ProjectDamaged):
        open_project(path)
    aside = set_aside(path)
    assert aside.read_bytes() == damaged_bytes and not path.exists()  # kept, never deleted
    backup = latest_good_backup(path, folder)
    assert backup is not None
    restore(backup, path)
    with open_project(path) as back:
        assert [s.id for s in back.spans(SAMPLE_ID)] == ["q1"]


def test_a_damaged_backup_is_skipped(project: Project, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    good = make_backup(project, folder)
    bad = make_backup(project, folder)
    corrupt(bad)
    assert latest_good_backup(project.path, folder) == good
    with pytest.raises(AnnotatorError):
        restore(bad, tmp_path / "x.annotator")
