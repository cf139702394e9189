"""A schema migration killed halfway leaves the file wholly at one version.

An old file (built with the real migration steps up to version 1) is opened for
writing, which migrates it, in a child that is SIGKILLed: before a statement, inside
one (after some SQLite VM steps), or at a random moment inside a COMMIT (while its
journal and pages are written and synced). Afterwards a plain connection finds a
``user_version`` between the old and the newest, with exactly that version's schema
(the allow-list) and every row; and ``open_project`` on the crashed file, journal and
all, finishes the migration.
"""

from __future__ import annotations

import shutil
import sqlite3
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from safety_harness import build_old_project, migration_kill

from annotator.store import open_project
from annotator.store.schema import SCHEMA_VERSION, STEPS, expected_objects, objects_of


def test_a_migration_killed_anywhere_leaves_one_whole_version(tmp_path: Path) -> None:
    report = migration_kill(tmp_path, seed=3, statements=12, vm_points=4, commit_points=10)
    assert report.rounds == 26 and report.killed >= 20, report
    assert report.hot_journals >= 1, report  # kills inside commits left journals to roll back
    assert set(report.versions) <= set(range(1, SCHEMA_VERSION + 1))


@pytest.mark.stress
def test_migration_kills_long(tmp_path: Path) -> None:
    report = migration_kill(tmp_path, seed=4, statements=None, vm_points=60, commit_points=300)
    assert report.rounds >= 400 and len(report.versions) >= 2, report


SPILLED = r"""
import os, sqlite3, sys
from annotator.store.schema import STEPS
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("PRAGMA cache_size = 2")
c.execute("BEGIN")
STEPS[1][1](c)  # the next migration step, its user_version bump included
c.execute("UPDATE documents SET text = text || ' '")  # enough to spill pages into the file
os._exit(0)  # killed before COMMIT: the journal is hot
"""


def test_a_header_ahead_of_its_hot_journal_is_rolled_back_not_refused(tmp_path: Path) -> None:
    """Killed during a migration's COMMIT after page 1 (with the new user_version) reached the
    file but before the journal was deleted: the header says new, the journal says old.
    open_project must trust SQLite's recovery, not the header read before it
    (it used to refuse such a file: "the index ... is missing or altered")."""
    path = build_old_project(tmp_path / "ahead.annotator", 1, docs=20)
    subprocess.run([sys.executable, "-c", SPILLED, str(path)], check=True)
    journal = Path(f"{path}-journal")
    assert journal.stat().st_size > 0
    # what the file's header looks like once the commit has written page 1
    data = bytearray(path.read_bytes())
    data[60:64] = struct.pack(">i", 2)
    path.write_bytes(bytes(data))
    plain = tmp_path / "plain.annotator"
    shutil.copyfile(path, plain)
    shutil.copyfile(journal, f"{plain}-journal")
    conn = sqlite3.connect(plain)  # SQLite alone: back to version 1, whole
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert objects_of(conn) == expected_objects(1)
    conn.close()
    with open_project(path) as project:
        assert project.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert objects_of(project.conn) == expected_objects(SCHEMA_VERSION)
        assert len(project.document_ids()) == 20
        assert all(not d.text.endswith(" ") for d in (project.document(i) for i in project.document_ids()))
    assert len(STEPS) == SCHEMA_VERSION
