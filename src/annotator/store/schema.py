"""The schema, as migrations. Each step is a small recorded function, never edited once released.

``user_version`` is set by each step inside its own transaction, so a migration
killed halfway leaves the file wholly at the old version or wholly at the new.
``expected_objects(version)`` builds the schema in memory to give the exact
allow-list a file of that version may contain.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

#: "Anno" in ASCII: marks a SQLite file as an Annotator project (PRAGMA application_id).
APPLICATION_ID = 0x416E6E6F
#: The newest schema this version writes and reads.
SCHEMA_VERSION = 5

class SqlExecutor(Protocol):
    """What a migration step needs: a sqlite-utils ``Database`` or a plain connection."""

    def execute(self, sql: str, /) -> Any: ...


def _m0001_initial(db: SqlExecutor) -> None:
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


def _m0002_people(db: SqlExecutor) -> None:
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


def _m0003_adjudication(db: SqlExecutor) -> None:
    """A gold project's memory: where each gold span came from, and the queue of differences.

    ``provenance``: one row per gold span made by adjudication (``annotator``/``sid``
    name it in ``spans``). ``sources`` is a JSON object {review annotator key: that
    annotator's span id} of everyone whose version it is; ``decision`` is
    agreed | accepted | both | edited; ``item`` the queue item it was decided in
    (NULL when agreed at creation).

    ``adjudication``: the queue, in ``position`` order. ``candidates`` is a JSON list
    of each annotator's version ({annotator, spans, relations, labels}); ``state`` is
    open | accepted | both | edited | rejected; ``chosen`` a JSON list of the
    annotator keys whose version was accepted.
    """
    db.execute(
        """CREATE TABLE adjudication (
            id INTEGER PRIMARY KEY,
            doc INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            position INTEGER NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            candidates TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'open',
            chosen TEXT,
            decided_by TEXT,
            decided_at TEXT
        )"""
    )
    # the queue's order and states without reading the candidates (stepping through it)
    db.execute("CREATE INDEX adjudication_order ON adjudication (position, state)")
    db.execute(
        """CREATE TABLE provenance (
            id INTEGER PRIMARY KEY,
            doc INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            annotator TEXT NOT NULL,
            sid TEXT NOT NULL,
            sources TEXT NOT NULL,
            decision TEXT NOT NULL,
            decided_by TEXT NOT NULL,
            decided_at TEXT NOT NULL,
            item INTEGER REFERENCES adjudication(id) ON DELETE CASCADE,
            UNIQUE (doc, annotator, sid)
        )"""
    )
    db.execute("PRAGMA user_version = 3")


def _m0004_author(db: SqlExecutor) -> None:
    """A document's byline (who wrote the article), as a saved news page names it."""
    db.execute("ALTER TABLE documents ADD COLUMN author TEXT")
    db.execute("PRAGMA user_version = 4")


def _m0005_document_order(db: SqlExecutor) -> None:
    """Documents in project order, from an index: the document list and the exports
    read it instead of every document's text (a table of 50,000 articles: 0.2 s)."""
    db.execute("CREATE INDEX documents_position ON documents (position)")
    db.execute("PRAGMA user_version = 5")


#: The schema steps in order; the n-th brings a file to ``user_version`` n.
STEPS: tuple[tuple[str, Callable[[SqlExecutor], None]], ...] = (
    ("0001_initial", _m0001_initial),
    ("0002_people", _m0002_people),
    ("0003_adjudication", _m0003_adjudication),
    ("0004_author", _m0004_author),
    ("0005_document_order", _m0005_document_order),
)

#: What sqlite-utils' ``Migrations`` creates to record applied steps (checked by a test).
MIGRATIONS_TABLE_DDL = (
    'CREATE TABLE "_sqlite_migrations" ( "id" INTEGER PRIMARY KEY, "migration_set" TEXT, '
    '"name" TEXT, "applied_at" TEXT )',
    'CREATE UNIQUE INDEX "idx__sqlite_migrations_migration_set_name" ON "_sqlite_migrations" '
    '("migration_set", "name")',
)


@cache
def migrations() -> Migrations:
    """The sqlite-utils migration set (imported only when a file is created or migrated)."""
    from sqlite_utils.migrations import Migrations

    steps = Migrations("annotator")
    for name, fn in STEPS:
        steps(name=name)(fn)
    return steps


def apply_migrations(db: Database) -> None:
    migrations().apply(db)


SchemaObject = tuple[str, str, str, str]


def objects_of(conn: sqlite3.Connection) -> set[SchemaObject]:
    """(type, name, table, normalised sql) of every object in a database's schema."""
    rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    return {(t, n, tb, " ".join((sql or "").split())) for t, n, tb, sql in rows}


@cache
def expected_objects(version: int) -> frozenset[SchemaObject]:
    """The exact schema a file at ``version`` must have: built fresh in memory.

    The steps run on a plain connection (no sqlite-utils import at start-up);
    a test checks the result equals what sqlite-utils' ``Migrations`` builds.
    """
    conn = sqlite3.connect(":memory:", isolation_level=None)
    for ddl in MIGRATIONS_TABLE_DDL:
        conn.execute(ddl)
    for _name, step in STEPS[:version]:
        step(conn)
    objs = frozenset(objects_of(conn))
    conn.close()
    return objs
