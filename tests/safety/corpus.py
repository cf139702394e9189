"""A generated corpus of hostile and broken project files, with what each opener must do.

``build(folder)`` writes one valid project (``base.annotator``) and then every case
into ``folder``; each ``Case`` says what ``open_project`` (one's own file) and
``open_received`` (a colleague's file) must do with it:

* ``refuse``: an ``AnnotatorError`` naming the file (and matching ``match``);
* ``open``: opens, and every document reads without error;
* ``bad-read``: opens (one's own project only), and reading the bad document refuses
  it with an ``AnnotatorError`` naming the file and the document.

Every case is also checked for: nothing executed (triggers write into ``meta`` under a
``pwned`` key: the canary), no crash, no hang, and the file's bytes and modification
time unchanged (``own_may_write``: one's own project may legitimately be written when it
opens, e.g. a hot journal rolled back or a WAL file switched back to rollback mode).

Used by ``test_hostile_files.py``, ``test_damaged_startup.py`` and ``bench/soak.py``.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import struct
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from annotator.core.model import Document, DocumentMeta, Person, Relation, Span
from annotator.resources import default_scheme
from annotator.store import open_project
from annotator.store.project import Record
from annotator.store.schema import APPLICATION_ID, SCHEMA_VERSION

TEXT = "Peace is near, said Donald Trump 😀. The war must end, Putin said.\nשלום — e\u0301 fin."
CANARY_KEY = "pwned"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
HUGE = 50 * 1024 * 1024  # the huge meta text, in characters

Maker = Callable[[Path, Path], Path]


@dataclass(frozen=True)
class Case:
    name: str
    make: Maker
    own: str  # refuse | open | bad-read
    received: str  # refuse | open
    match: str = ""  # regex the refusal messages must match (both openers)
    own_may_write: bool = False
    damaged: bool = False  # open_project says ProjectDamaged: the app keeps it aside, offers a backup
    unprivileged: bool = False  # run as an unprivileged user when the suite runs as root
    canary: bool = False  # the file carries a trigger writing the canary
    note: str = ""


# ---- the valid project everything starts from ---------------------------------------------


def make_base(path: Path) -> Path:
    """A small, valid project of the current schema: two documents, spans, a relation, a person."""
    project = open_project(path, create=True, owner="alice", scheme=default_scheme())
    trump = TEXT.index("Donald Trump")
    project.add_records(
        [
            Record(
                Document("d1", TEXT, DocumentMeta(title="Talks"), labels={"stance": "favor"}),
                "",
                (
                    Span("q1", 0, 13, "QUOTE", {"stance": "favor"}),
                    Span("s1", trump, trump + 12, "SPEAKER", {"person": "Donald Trump"}),
                    Span("q2", 36, 55, "QUOTE", fragments=((36, 44), (45, 55))),
                ),
                (Relation("SAID_BY", "q1", "s1"),),
            ),
            Record(Document("d2", "Nothing said here."), "", (), ()),
        ]
    )
    project.insert_person(Person("Donald Trump", "president"))
    project.close()
    return path


def _copy(base: Path, path: Path) -> Path:
    shutil.copyfile(base, path)
    return path


def _sql(path: Path, *statements: str, params: tuple[object, ...] = ()) -> None:
    conn = sqlite3.connect(path)
    try:
        for i, sql in enumerate(statements):
            conn.execute(sql, params if i == 0 and params else ())
        conn.commit()
    finally:
        conn.close()


def with_sql(*statements: str) -> Maker:
    def make(path: Path, base: Path) -> Path:
        _copy(base, path)
        _sql(path, *statements)
        return path

    return make


def _patch(path: Path, offset: int, data: bytes) -> None:
    raw = bytearray(path.read_bytes())
    raw[offset : offset + len(data)] = data
    path.write_bytes(bytes(raw))


def page_size(data: bytes) -> int:
    size = struct.unpack(">H", data[16:18])[0]
    return 65536 if size == 1 else size


# ---- makers ----------------------------------------------------------------------------------


def valid(path: Path, base: Path) -> Path:
    return _copy(base, path)


def not_sqlite(path: Path, base: Path) -> Path:
    path.write_bytes(b"hello, this is not a database at all\n" * 40)
    return path


def zero_bytes(path: Path, base: Path) -> Path:
    path.write_bytes(b"")
    return path


def truncated(length: Callable[[int, int], int]) -> Maker:
    def make(path: Path, base: Path) -> Path:
        data = base.read_bytes()
        path.write_bytes(data[: length(len(data), page_size(data))])
        return path

    return make


def corrupted_pages(path: Path, base: Path) -> Path:
    data = bytearray(base.read_bytes())
    page = page_size(data)
    data[page + 8 : 3 * page] = b"\xa5" * (2 * page - 8)
    path.write_bytes(bytes(data))
    return path


def corrupted_btree_header(path: Path, base: Path) -> Path:
    """Page 2's b-tree page type becomes an invalid one."""
    _copy(base, path)
    _patch(path, page_size(base.read_bytes()), b"\x07")
    return path


def bad_page_size(path: Path, base: Path) -> Path:
    _copy(base, path)
    _patch(path, 16, struct.pack(">H", 768))  # not a power of two
    return path


def header_field(offset: int, value: int, fmt: str = ">I") -> Maker:
    def make(path: Path, base: Path) -> Path:
        _copy(base, path)
        _patch(path, offset, struct.pack(fmt, value))
        return path

    return make


def plain_sqlite(app_id: int, user_version: int) -> Maker:
    def make(path: Path, base: Path) -> Path:
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE t (x)")
        conn.execute(f"PRAGMA application_id = {app_id}")
        conn.execute(f"PRAGMA user_version = {user_version}")
        conn.commit()
        conn.close()
        return path

    return make


def _fts_or_rtree() -> str:
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("CREATE VIRTUAL TABLE t USING fts5(x)")
        return "CREATE VIRTUAL TABLE search USING fts5(text)"
    except sqlite3.OperationalError:
        return "CREATE VIRTUAL TABLE search USING rtree(id, a, b)"
    finally:
        probe.close()


def huge_meta(path: Path, base: Path) -> Path:
    _copy(base, path)
    _sql(path, "INSERT INTO meta (key, value) VALUES ('notes', ?)", params=("A" * HUGE,))
    return path


def directory(path: Path, base: Path) -> Path:
    path.mkdir()
    return path


def fifo(path: Path, base: Path) -> Path:
    os.mkfifo(path)
    return path


def unix_socket(path: Path, base: Path) -> Path:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(path))
    sock.close()  # the socket file stays; opening it fails (ENXIO)
    return path


def symlink_loop(path: Path, base: Path) -> Path:
    other = path.with_name(path.name + ".loop")
    os.symlink(other.name, path)
    os.symlink(path.name, other)
    return path


def dangling_symlink(path: Path, base: Path) -> Path:
    os.symlink(path.name + ".nowhere", path)
    return path


def unreadable(path: Path, base: Path) -> Path:
    _copy(base, path)
    path.chmod(0)
    return path


def inside_closed_folder(path: Path, base: Path) -> Path:
    folder = path.with_name(path.name + ".closed")
    folder.mkdir()
    inner = folder / path.name
    _copy(base, inner)
    folder.chmod(0)
    return inner


def wal_mode(path: Path, base: Path) -> Path:
    _copy(base, path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    return path


def _wal_with(*statements: str) -> Maker:
    """Committed changes still in the ``-wal`` beside the file (a writer that never checkpointed)."""

    def make(path: Path, base: Path) -> Path:
        live = path.with_name(path.name + ".live")
        _copy(base, live)
        conn = sqlite3.connect(live, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA wal_autocheckpoint = 0")
            for sql in statements:
                conn.execute(sql)
            shutil.copyfile(live, path)
            shutil.copyfile(f"{live}-wal", f"{path}-wal")
        finally:
            conn.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{live}{suffix}").unlink(missing_ok=True)
        return path

    return make


INTERRUPTED = """
import os, sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("PRAGMA cache_size = 1")
c.execute("BEGIN")
c.execute("UPDATE meta SET value = 'mallory' WHERE key = 'owner'")
c.execute("UPDATE documents SET title = hex(randomblob(3000))")
c.execute("DELETE FROM spans")
os._exit(0)  # killed mid-transaction: a hot journal is left beside the file
"""


def hot_journal(*first: str) -> Maker:
    """A writer killed mid-transaction (pages already spilled into the file): a hot journal."""

    def make(path: Path, base: Path) -> Path:
        _copy(base, path)
        if first:
            _sql(path, *first)
        subprocess.run([sys.executable, "-c", INTERRUPTED, str(path)], check=True)
        journal = Path(f"{path}-journal")
        assert journal.stat().st_size > 0
        return path

    return make


def garbage_journal(path: Path, base: Path) -> Path:
    _copy(base, path)
    Path(f"{path}-journal").write_bytes(b"\xd9\xd5\x05\xf9 not a journal" + bytes(range(256)) * 8)
    return path


TRIGGER = (
    "CREATE TRIGGER evil_{n} {when} ON {table} "
    f"BEGIN INSERT OR REPLACE INTO meta (key, value) VALUES ('{CANARY_KEY}-{{n}}', 'ran'); END"
)


def trigger(n: str, when: str, table: str) -> str:
    return TRIGGER.format(n=n, when=when, table=table)


DAMAGED = r"damaged|malformed|not a database|not an SQLite|not an Annotator|missing|unexpected"


def cases() -> list[Case]:
    return [
        # ---- not a database, or not ours
        Case("not-sqlite", not_sqlite, "refuse", "refuse", "not an SQLite database"),
        Case("zero-bytes", zero_bytes, "refuse", "refuse", "empty file"),
        Case("truncated-50", truncated(lambda n, p: 50), "refuse", "refuse", "not an SQLite"),
        Case("truncated-100", truncated(lambda n, p: 100), "refuse", "refuse", DAMAGED, damaged=True),
        Case("truncated-1-page", truncated(lambda n, p: p), "refuse", "refuse", DAMAGED, damaged=True),
        Case("truncated-half", truncated(lambda n, p: n // 2), "refuse", "refuse", DAMAGED, damaged=True),
        Case("truncated-last-page", truncated(lambda n, p: n - p), "refuse", "refuse", DAMAGED, damaged=True),
        Case(
            "truncated-odd", truncated(lambda n, p: n - 1), "open", "open",
            note="the lost last byte was free space: SQLite reads a short page zero-filled",
        ),
        Case(
            "truncated-mid-page", truncated(lambda n, p: n - p - p // 2), "refuse", "refuse",
            DAMAGED, damaged=True,
        ),
        Case("corrupted-pages", corrupted_pages, "refuse", "refuse", DAMAGED, damaged=True),
        Case("corrupted-btree-header", corrupted_btree_header, "refuse", "refuse", DAMAGED, damaged=True),
        Case("bad-page-size", bad_page_size, "refuse", "refuse", DAMAGED, damaged=True),
        Case("other-application", plain_sqlite(0x12345678, 1), "refuse", "refuse", "another application"),
        Case("plain-sqlite", plain_sqlite(0, 0), "refuse", "refuse", "not an Annotator project"),
        Case(
            "future-version",
            with_sql(f"PRAGMA user_version = {SCHEMA_VERSION + 1}"),
            "refuse", "refuse", "newer version",
        ),
        Case("version-zero", with_sql("PRAGMA user_version = 0"), "refuse", "refuse", "no schema"),
        Case("version-negative", header_field(60, -7, ">i"), "refuse", "refuse", "no schema"),
        Case("application-id-in-header", header_field(68, 0xDEADBEEF), "refuse", "refuse", "another application"),
        # ---- anything beyond our exact schema: refused before anything runs
        Case(
            "trigger-on-insert", with_sql(trigger("i", "AFTER INSERT", "spans")),
            "refuse", "refuse", "unexpected trigger", canary=True,
        ),
        Case(
            "trigger-on-update", with_sql(trigger("u", "BEFORE UPDATE", "documents")),
            "refuse", "refuse", "unexpected trigger", canary=True,
        ),
        Case(
            "trigger-on-delete", with_sql(trigger("d", "AFTER DELETE", "spans")),
            "refuse", "refuse", "unexpected trigger", canary=True,
        ),
        Case(
            "view-shadowing-table",
            with_sql(
                "DROP TABLE relations",
                "CREATE VIEW relations AS SELECT 1 AS id, 1 AS doc, 'x' AS annotator, "
                "'SAID_BY' AS label, 'q1' AS head, 's1' AS child",
            ),
            "refuse", "refuse", "unexpected view|missing",
        ),
        Case(
            "view-with-instead-of-trigger",
            with_sql(
                "ALTER TABLE spans RENAME TO spans_real",
                "CREATE VIEW spans AS SELECT * FROM spans_real",
                trigger("v", "INSTEAD OF INSERT", "spans"),
            ),
            "refuse", "refuse", "unexpected|missing", canary=True,
        ),
        Case("virtual-table", with_sql(_fts_or_rtree()), "refuse", "refuse", "unexpected"),
        Case(
            "expression-index", with_sql("CREATE INDEX lower_label ON spans (lower(label))"),
            "refuse", "refuse", "unexpected index",
        ),
        Case("extra-table", with_sql("CREATE TABLE notes (x)"), "refuse", "refuse", "unexpected table"),
        Case(
            "altered-table", with_sql("ALTER TABLE spans ADD COLUMN extra TEXT"),
            "refuse", "refuse", "altered",
        ),
        Case(
            "dropped-index", with_sql("DROP INDEX spans_doc_start"), "refuse", "refuse", "missing",
        ),
        # ---- big, or bad rows: one's own project opens and refuses the bad document when read
        Case("huge-meta-text", huge_meta, "open", "open", note=f"{HUGE // 2**20} MB text in meta"),
        Case(
            "invalid-utf8-text",
            with_sql("UPDATE documents SET text = CAST(x'41ff42' AS TEXT) WHERE ext_id = 'd2'"),
            "bad-read", "refuse", "not valid UTF-8|UTF-8",
        ),
        Case(
            "invalid-utf8-title",
            with_sql("UPDATE documents SET title = CAST(x'c328' AS TEXT) WHERE ext_id = 'd1'"),
            "bad-read", "refuse", "UTF-8",
        ),
        Case(
            "nul-in-text",
            with_sql("UPDATE documents SET text = 'a' || char(0) || 'b' WHERE ext_id = 'd2'"),
            "open", "refuse", "NUL",
            note="one's own project keeps the text as it is (checksum mismatch: spans set aside)",
        ),
        Case(
            "negative-offset", with_sql("UPDATE spans SET start = -1 WHERE sid = 'q1'"),
            "bad-read", "refuse", "outside the text",
        ),
        Case(
            "offset-past-text", with_sql("UPDATE spans SET \"end\" = 9999 WHERE sid = 'q1'"),
            "bad-read", "refuse", "outside the text",
        ),
        Case(
            "end-before-start", with_sql("UPDATE spans SET start = 12, \"end\" = 3 WHERE sid = 'q1'"),
            "bad-read", "refuse", "before",
        ),
        Case(
            "offset-as-text", with_sql("UPDATE spans SET start = 'abc' WHERE sid = 'q1'"),
            "bad-read", "refuse", "whole number|cannot be read",
        ),
        Case(
            "relation-to-missing-span",
            with_sql(
                "INSERT INTO relations (doc, annotator, label, head, child) "
                "SELECT id, 'alice', 'SAID_BY', 'q2', 'zz' FROM documents WHERE ext_id = 'd1'"
            ),
            "bad-read", "refuse", "missing span",
        ),
        Case(
            "malformed-json-attrs", with_sql("UPDATE spans SET attrs = '{nope' WHERE sid = 'q1'"),
            "bad-read", "refuse", "JSON|cannot be read",
        ),
        Case(
            "malformed-json-fragments", with_sql("UPDATE spans SET fragments = '[[1' WHERE sid = 'q2'"),
            "bad-read", "refuse", "JSON|cannot be read",
        ),
        Case(
            "malformed-json-labels", with_sql("UPDATE documents SET labels = 'x' WHERE ext_id = 'd1'"),
            "bad-read", "refuse", "labels|cannot be read",
        ),
        Case(
            "malformed-scheme", with_sql("UPDATE meta SET value = '{' WHERE key = 'scheme'"),
            "bad-read", "refuse", "scheme",
        ),
        Case(
            "span-of-no-document",
            with_sql(
                "PRAGMA foreign_keys = OFF",
                "INSERT INTO spans (doc, sid, annotator, label, start, \"end\") "
                "VALUES (999, 'x1', 'alice', 'QUOTE', 0, 1)",
            ),
            "open", "refuse", "no document",
        ),
        Case(
            "checksum-mismatch",
            with_sql("UPDATE documents SET text = 'Changed.' WHERE ext_id = 'd2'"),
            "open", "refuse", "checksum",
            note="one's own project opens; the GUI sets that document's spans aside",
        ),
        # ---- not a regular file, or not readable
        Case("directory", directory, "refuse", "refuse", "folder"),
        Case("fifo", fifo, "refuse", "refuse", "not a regular file", note="must not hang"),
        Case("unix-socket", unix_socket, "refuse", "refuse", "not a regular file|cannot be read"),
        Case("symlink-loop", symlink_loop, "refuse", "refuse", "symbolic links|no such|cannot be read"),
        Case("dangling-symlink", dangling_symlink, "refuse", "refuse", "no such"),
        Case(
            "unreadable-file", unreadable, "refuse", "refuse", "permission denied",
            unprivileged=True, note="chmod 000; run as nobody when the suite runs as root",
        ),
        Case(
            "inside-closed-folder", inside_closed_folder, "refuse", "refuse",
            "permission denied|cannot be read|no such",
            unprivileged=True, note="a file inside a chmod 000 folder; run as nobody under root",
        ),
        # ---- journals and WAL beside the file
        Case("wal-mode", wal_mode, "open", "open", own_may_write=True),
        Case(
            "wal-with-committed-frames",
            _wal_with("UPDATE meta SET value = 'alice2' WHERE key = 'owner'"),
            "open", "open", own_may_write=True,
        ),
        Case(
            "wal-frames-with-trigger",
            _wal_with(trigger("w", "AFTER INSERT", "spans")),
            "refuse", "refuse", "unexpected trigger", canary=True,
            note="the trigger exists only in the -wal; the file itself must stay untouched",
        ),
        Case("hot-journal", hot_journal(), "open", "open", own_may_write=True),
        Case(
            "hot-journal-beside-hostile-file",
            hot_journal(trigger("h", "AFTER INSERT", "spans")),
            "refuse", "refuse", "unexpected trigger", canary=True,
            note="refused without rolling the journal back into the file",
        ),
        Case("garbage-journal", garbage_journal, "open", "open", own_may_write=True),
        Case("valid-control", valid, "open", "open"),
    ]


def build(folder: Path, names: list[str] | None = None) -> tuple[Path, list[tuple[Case, Path]]]:
    """Write the base project and every case (or those named) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    base = make_base(folder / "base.annotator")
    made = []
    for case in cases():
        if names is not None and case.name not in names:
            continue
        made.append((case, case.make(folder / f"{case.name}.annotator", base)))
    return base, made


__all__ = [
    "APPLICATION_ID",
    "CANARY_KEY",
    "Case",
    "build",
    "cases",
    "make_base",
]
