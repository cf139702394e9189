"""A project file unchanged since it last passed quick_check is not read whole again; any change is."""

from __future__ import annotations

import os
import sqlite3
import struct
import time
from pathlib import Path

import pytest

import annotator.store.project as project_module
from annotator.core.model import Document, DocumentMeta
from annotator.resources import default_scheme
from annotator.store import open_project, verified
from annotator.store.files import ProjectDamaged
from annotator.store.project import Record

PAST = time.time() - 3600


def corrupt(path: Path) -> None:
    data = bytearray(path.read_bytes())
    page = struct.unpack(">H", data[16:18])[0]
    data[page : 4 * page] = b"\x5a" * (3 * page)
    path.write_bytes(bytes(data[: len(data)]))


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The real quick_check, counted."""
    seen: list[str] = []
    real = project_module.check_integrity

    def counted(conn: sqlite3.Connection, name: str) -> None:
        seen.append(name)
        real(conn, name)

    monkeypatch.setattr(project_module, "check_integrity", counted)
    return seen


def settled(tmp_path: Path) -> Path:
    """A project with one document, last written an hour ago (not 'racily' new)."""
    path = tmp_path / "p.annotator"
    with open_project(path, create=True, owner="alice", scheme=default_scheme()) as p:
        p.add_records([Record(Document("d1", "Some text here.", DocumentMeta(title="d1")), "alice", (), ())])
    os.utime(path, (PAST, PAST))
    return path


def test_an_unchanged_file_is_checked_once(tmp_path: Path, checks: list[str]) -> None:
    path = settled(tmp_path)
    with open_project(path):
        pass
    assert len(checks) == 1  # checked, then stamped
    with open_project(path, readonly=True):
        pass
    with open_project(path):
        pass
    assert len(checks) == 1  # unchanged since: no second read of the whole file


def test_damage_after_the_stamp_is_still_found(tmp_path: Path, checks: list[str]) -> None:
    path = settled(tmp_path)
    open_project(path).close()
    corrupt(path)  # a write: the time changes
    with pytest.raises(ProjectDamaged):
        open_project(path)
    with pytest.raises(ProjectDamaged):
        open_project(path, readonly=True)


def test_a_write_with_the_old_time_put_back_is_seen_by_the_change_counter(
    tmp_path: Path, checks: list[str]
) -> None:
    path = settled(tmp_path)
    open_project(path).close()
    stat = path.stat()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE documents SET title = 'changed by another program'")
    conn.commit()
    conn.close()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size
    before = len(checks)
    open_project(path).close()
    assert len(checks) == before + 1


def test_a_file_written_just_now_is_checked_next_time(tmp_path: Path, checks: list[str]) -> None:
    path = settled(tmp_path)
    with open_project(path) as p:
        p.set_document_status("d1", "done")  # the session writes, then closes at once
    before = len(checks)
    with open_project(path) as p:
        assert p.document_status("d1") == "done"
    assert len(checks) == before + 1  # racily new: not trusted by its stamp


def test_a_session_that_failed_leaves_the_next_open_to_check(tmp_path: Path, checks: list[str]) -> None:
    path = settled(tmp_path)
    open_project(path).close()
    verified.forget(path)
    with pytest.raises(RuntimeError), open_project(path):
        raise RuntimeError("something went wrong while it was open")
    before = len(checks)
    open_project(path).close()
    assert len(checks) == before + 1


def test_the_cache_lives_where_the_environment_says(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANNOTATOR_CACHE_DIR", str(tmp_path / "cache"))
    path = settled(tmp_path)
    open_project(path).close()
    assert verified.is_unchanged(path)
    assert (tmp_path / "cache").is_dir()
    (tmp_path / "cache" / "verified-projects.json").write_text("{not json", encoding="utf-8")
    assert not verified.is_unchanged(path)  # a broken cache only costs a check
