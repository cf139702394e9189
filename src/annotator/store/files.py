"""Checks made on a file before SQLite is allowed to touch it, and the connection settings.

Reading the 100-byte header ourselves means a file that is not ours, or from a
newer version, is refused without SQLite ever opening it for writing.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import struct
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from annotator.core.errors import AnnotatorError
from annotator.store.schema import APPLICATION_ID, SCHEMA_VERSION, expected_objects, objects_of

SQLITE_MAGIC = b"SQLite format 3\x00"

#: What reading a hostile file may raise: Python raises UnicodeDecodeError, not an
#: sqlite3.Error, when SQLite's error message quotes names from the file that are not UTF-8.
DB_ERRORS = (sqlite3.Error, UnicodeDecodeError)


def db_error_text(e: BaseException) -> str:
    """The SQLite message of an error from ``DB_ERRORS``, however it was encoded."""
    if isinstance(e, UnicodeDecodeError) and isinstance(e.object, bytes):
        return e.object.decode("utf-8", "replace")
    return str(e)


@dataclass(frozen=True)
class Header:
    application_id: int
    user_version: int
    empty: bool  # zero bytes: a new file
    wal: bool = False  # in WAL mode (header bytes 18-19): opening it may write beside and into it


def read_header(path: Path) -> Header:
    """Read and judge the SQLite header; raise AnnotatorError naming the problem."""
    name = str(path)
    try:
        if path.is_dir():
            raise AnnotatorError(f"{name}: is a folder, not a project file")
        # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then refuses it
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        fd = os.open(path, flags)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise AnnotatorError(f"{name}: not a regular file")
            head = os.read(fd, 100)
        finally:
            os.close(fd)
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
    return Header(app_id, user_version, empty=False, wal=head[18:20] == b"\x02\x02")


def harden(conn: sqlite3.Connection) -> None:
    """Settings for every connection: no schema-borne code, defensive mode when available."""
    conn.execute("PRAGMA trusted_schema = OFF")
    defensive = getattr(sqlite3, "SQLITE_DBCONFIG_DEFENSIVE", None)
    if defensive is not None and hasattr(conn, "setconfig"):
        conn.setconfig(defensive, True)


def connect_read_only(path: str | Path) -> sqlite3.Connection:
    """A connection that can only read the file (SQLite's ``mode=ro`` plus ``query_only``), hardened."""
    conn = sqlite3.connect(
        f"file:{quote(str(path))}?mode=ro", uri=True, isolation_level=None, check_same_thread=False
    )
    try:
        harden(conn)
        conn.execute("PRAGMA query_only = ON")
    except BaseException:
        conn.close()
        raise
    return conn


class ProjectDamaged(AnnotatorError):
    """The file is ours but SQLite finds it corrupt: keep it aside, offer a backup."""


def check_integrity(conn: sqlite3.Connection, name: str) -> None:
    # as bytes: quick_check's messages quote names from the damaged file, maybe not UTF-8
    text_factory = conn.text_factory
    conn.text_factory = bytes
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except DB_ERRORS as e:
        raise ProjectDamaged(f"{name}: damaged project file ({db_error_text(e)})") from None
    finally:
        conn.text_factory = text_factory
    if rows != [(b"ok",)]:
        first = rows[0][0] if rows else b"no answer"
        if isinstance(first, bytes):
            first = first.decode("utf-8", "replace")
        raise ProjectDamaged(f"{name}: damaged project file (quick_check: {first})")


def check_schema(conn: sqlite3.Connection, version: int, name: str) -> None:
    """Refuse any object beyond the exact schema of that version (triggers, views, indexes...)."""
    try:
        found = objects_of(conn)
    except sqlite3.Error as e:
        raise ProjectDamaged(f"{name}: damaged project file ({e})") from None
    except UnicodeDecodeError:
        raise ProjectDamaged(
            f"{name}: damaged project file (its schema holds names that are not UTF-8 text)"
        ) from None
    expected = expected_objects(version)
    extra = sorted(found - expected)
    missing = sorted(expected - found)
    altered = sorted({(k, n) for k, n, _, _ in extra} & {(k, n) for k, n, _, _ in missing})
    added = [e for e in extra if (e[0], e[1]) not in altered]
    if added:
        kind, obj, _, _ = added[0]
        raise AnnotatorError(
            f"{name}: unexpected {kind} {obj!r} in the file; refusing to open it "
            f"(project files contain only Annotator's own tables)"
        )
    if altered:
        kind, obj = altered[0]
        raise AnnotatorError(
            f"{name}: the {kind} {obj!r} is altered (not as Annotator made it); refusing to open it"
        )
    if missing:
        kind, obj, _, _ = missing[0]
        raise AnnotatorError(f"{name}: the {kind} {obj!r} is missing or altered")


