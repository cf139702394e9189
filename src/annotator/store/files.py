"""Checks made on a file before SQLite is allowed to touch it, and the connection settings.

Reading the 100-byte header ourselves means a file that is not ours, or from a
newer version, is refused without SQLite ever opening it for writing.
"""

from __future__ import annotations

import sqlite3
import struct
from dataclasses import dataclass
from pathlib import Path

from annotator.core.errors import AnnotatorError
from annotator.store.schema import APPLICATION_ID, SCHEMA_VERSION, expected_objects, objects_of

SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True)
class Header:
    application_id: int
    user_version: int
    empty: bool  # zero bytes: a new file


def read_header(path: Path) -> Header:
    """Read and judge the SQLite header; raise AnnotatorError naming the problem."""
    name = str(path)
    try:
        if path.is_dir():
            raise AnnotatorError(f"{name}: is a folder, not a project file")
        with open(path, "rb") as f:
            head = f.read(100)
    except AnnotatorError:
        raise
    except FileNotFoundError:
        raise AnnotatorError(f"{name}: no such file") from None
    except PermissionError:
        raise AnnotatorError(f"{name}: permission denied") from None
    except OSError as e:
        raise AnnotatorError(f"{name}: cannot be read ({e.strerror or e})") from None
    if not head:
        return Header(0, 0, empty=True)
    if len(head) < 100 or not head.startswith(SQLITE_MAGIC):
        raise AnnotatorError(f"{name}: not an Annotator project (not an SQLite database)")
    (user_version,) = struct.unpack(">i", head[60:64])
    (app_id,) = struct.unpack(">I", head[68:72])
    if app_id != APPLICATION_ID:
        if app_id == 0:
            raise AnnotatorError(f"{name}: an SQLite database, but not an Annotator project")
        raise AnnotatorError(
            f"{name}: an SQLite database of another application (application_id {app_id:#x})"
        )
    if user_version > SCHEMA_VERSION:
        raise AnnotatorError(
            f"{name}: made by a newer version of Annotator (schema {user_version}; "
            f"this version reads up to {SCHEMA_VERSION}). Update Annotator to open it."
        )
    if user_version < 1:
        raise AnnotatorError(f"{name}: an Annotator project with no schema (version 0)")
    return Header(app_id, user_version, empty=False)


def harden(conn: sqlite3.Connection) -> None:
    """Settings for every connection: no schema-borne code, defensive mode when available."""
    conn.execute("PRAGMA trusted_schema = OFF")
    defensive = getattr(sqlite3, "SQLITE_DBCONFIG_DEFENSIVE", None)
    if defensive is not None and hasattr(conn, "setconfig"):
        conn.setconfig(defensive, True)


class ProjectDamaged(AnnotatorError):
    """The file is ours but SQLite finds it corrupt: keep it aside, offer a backup."""


def check_integrity(conn: sqlite3.Connection, name: str) -> None:
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as e:
        raise ProjectDamaged(f"{name}: damaged project file ({e})") from None
    if rows != [("ok",)]:
        first = rows[0][0] if rows else "no answer"
        raise ProjectDamaged(f"{name}: damaged project file (quick_check: {first})")


def check_schema(conn: sqlite3.Connection, version: int, name: str) -> None:
    """Refuse any object beyond the exact schema of that version (triggers, views, indexes...)."""
    try:
        found = objects_of(conn)
    except sqlite3.DatabaseError as e:
        raise ProjectDamaged(f"{name}: damaged project file ({e})") from None
    expected = expected_objects(version)
    extra = sorted(found - expected)
    missing = sorted(expected - found)
    if extra:
        kind, obj, _, _ = extra[0]
        raise AnnotatorError(
            f"{name}: unexpected {kind} {obj!r} in the file; refusing to open it "
            f"(project files contain only Annotator's own tables)"
        )
    if missing:
        kind, obj, _, _ = missing[0]
        raise AnnotatorError(f"{name}: the {kind} {obj!r} is missing or altered")


