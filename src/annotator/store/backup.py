"""Rotating, verified backups of a project, and setting a damaged file aside.

A backup is made with SQLite's online backup API (a consistent copy even
while the project is open), written under a temporary name, checked with
``quick_check`` and the exact schema, then renamed into place; the newest
``keep`` are kept. A damaged project is never deleted: it is renamed
``<name>.damaged-<time>`` and the newest good backup can take its place.
"""

from __future__ import annotations

import datetime as _dt
import os
import shutil
import sqlite3
from pathlib import Path

from annotator.core.errors import AnnotatorError
from annotator.store.files import check_integrity, check_schema, harden, read_header
from annotator.store.project import Project

KEEP = 5
STAMP = "%Y%m%d-%H%M%S"


def backups_for(project_path: Path, folder: Path) -> list[Path]:
    """Backups of that project in ``folder``, newest first."""
    stem = project_path.stem
    found = [p for p in folder.glob(f"{stem}-*.annotator") if p.is_file()]
    return sorted(found, key=lambda p: p.name, reverse=True)


def make_backup(project: Project, folder: Path, *, keep: int = KEEP) -> Path:
    """Copy the open project into ``folder``, verify the copy, drop the oldest beyond ``keep``."""
    folder.mkdir(parents=True, exist_ok=True)
    now = _dt.datetime.now()
    target = folder / f"{project.path.stem}-{now.strftime(STAMP)}-{now.microsecond:06d}.annotator"
    partial = target.with_name(target.name + ".partial")
    try:
        dest = sqlite3.connect(partial)
        try:
            project.conn.backup(dest)
        finally:
            dest.close()
        verify(partial)
        os.replace(partial, target)
    except (sqlite3.Error, OSError) as e:
        partial.unlink(missing_ok=True)
        raise AnnotatorError(f"backup of {project.path.name} failed ({e})") from None
    except AnnotatorError:
        partial.unlink(missing_ok=True)
        raise
    for old in backups_for(project.path, folder)[keep:]:
        old.unlink(missing_ok=True)
    return target


def verify(path: Path) -> None:
    """Raise AnnotatorError unless ``path`` is a sound project file (read-only check)."""
    header = read_header(path)
    if header.empty:
        raise AnnotatorError(f"{path}: empty file")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as e:
        raise AnnotatorError(f"{path}: cannot be opened ({e})") from None
    try:
        harden(conn)
        check_integrity(conn, str(path))
        check_schema(conn, header.user_version, str(path))
    finally:
        conn.close()


def latest_good_backup(project_path: Path, folder: Path) -> Path | None:
    for candidate in backups_for(project_path, folder):
        try:
            verify(candidate)
        except AnnotatorError:
            continue
        return candidate
    return None


def set_aside(path: Path) -> Path:
    """Rename a damaged project (and its journal) out of the way; never delete it."""
    stamp = _dt.datetime.now().strftime(STAMP)
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    try:
        os.replace(path, aside)
        journal = path.with_name(path.name + "-journal")
        if journal.exists():
            os.replace(journal, aside.with_name(aside.name + "-journal"))
    except OSError as e:
        raise AnnotatorError(f"{path}: cannot be set aside ({e.strerror or e})") from None
    return aside


def restore(backup: Path, path: Path) -> None:
    """Put a verified backup in place of ``path`` (which must no longer exist)."""
    verify(backup)
    tmp = path.with_name(path.name + ".restoring")
    try:
        shutil.copyfile(backup, tmp)
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise AnnotatorError(f"{path}: cannot restore {backup.name} ({e.strerror or e})") from None


def share_copy(project: Project, dest: Path) -> Path:
    """A self-contained copy for a colleague: ``VACUUM INTO`` (one file, no deleted data inside)."""
    dest = Path(dest)
    if dest.exists():
        raise AnnotatorError(f"{dest}: already exists; choose a new file name")
    if dest.resolve() == project.path.resolve():
        raise AnnotatorError(f"{dest}: that is the project itself")
    conn = project.conn
    query_only = conn.execute("PRAGMA query_only").fetchone()[0]
    try:
        # VACUUM INTO writes only the new file; a read-only view (mode=ro) may make it too
        conn.execute("PRAGMA query_only = OFF")
        conn.execute("VACUUM INTO ?", [str(dest)])
        verify(dest)
    except (sqlite3.Error, OSError) as e:
        dest.unlink(missing_ok=True)
        raise AnnotatorError(f"{dest}: cannot write the copy ({e})") from None
    except AnnotatorError:
        dest.unlink(missing_ok=True)
        raise
    finally:
        conn.execute(f"PRAGMA query_only = {int(query_only)}")
    return dest
