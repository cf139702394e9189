"""The schema, as migrations. Each step is a small recorded function, never edited once released.

``user_version`` is set by each step inside its own transaction, so a migration
killed halfway leaves the file wholly at the old version or wholly at the new.
``expected_objects(version)`` builds the schema in memory to give the exact
allow-list a file of that version may contain.
"""

from __future__ import annotations

import sqlite3
from functools import cache

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

#: "Anno" in ASCII: marks a SQLite file as an Annotator project (PRAGMA application_id).
APPLICATION_ID = 0x416E6E6F
#: The newest schema this version writes and reads.
SCHEMA_VERSION = 2

migrations = Migrations("annotator")


@migrations(name="0001_initial")
def _m0001_initial(db: Database) -> None:
    db.execute(
        """CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            ext_id TEXT NOT NULL UNIQUE,
            position INTEGER NOT NULL,
            text TEXT NOT NULL,
            checksum TEXT NOT NULL,
            title TEXT,
            source TEXT,
            url TEXT,
            published TEXT,
            status TEXT NOT NULL DEFAULT 'todo',
            labels TEXT NOT NULL DEFAULT '{}',
            imported_at TEXT NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE spans (
            id INTEGER PRIMARY KEY,
            doc INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            sid TEXT NOT NULL,
            annotator TEXT NOT NULL,
            label TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            fragments TEXT,
            attrs TEXT NOT NULL DEFAULT '{}',
            UNIQUE (doc, annotator, sid)
        )"""
    )
    db.execute("CREATE INDEX spans_doc_start ON spans (doc, start)")
    db.execute(
        """CREATE TABLE relations (
            id INTEGER PRIMARY KEY,
            doc INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            annotator TEXT NOT NULL,
            label TEXT NOT NULL,
            head TEXT NOT NULL,
            child TEXT NOT NULL,
            UNIQUE (doc, annotator, label, head, child)
        )"""
    )
    db.execute("PRAGMA user_version = 1")


@migrations(name="0002_people")
def _m0002_people(db: Database) -> None:
    """The people register: every SPEAKER mention's ``person`` attribute names one of them."""
    db.execute(
        """CREATE TABLE people (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            role TEXT,
            organisation TEXT
        )"""
    )
    db.execute("PRAGMA user_version = 2")


def applied_names() -> list[str]:
    return [m.name for m in migrations._migrations]


SchemaObject = tuple[str, str, str, str]


def objects_of(conn: sqlite3.Connection) -> set[SchemaObject]:
    """(type, name, table, normalised sql) of every object in a database's schema."""
    rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    return {(t, n, tb, " ".join((sql or "").split())) for t, n, tb, sql in rows}


@cache
def expected_objects(version: int) -> frozenset[SchemaObject]:
    """The exact schema a file at ``version`` must have: built fresh in memory."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    db = Database(conn)
    names = applied_names()
    stop = names[version] if version < len(names) else None
    migrations.apply(db, stop_before=stop)
    objs = frozenset(objects_of(conn))
    conn.close()
    return objs
