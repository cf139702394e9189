"""Opening a colleague's file: read in full from a private read-only copy; hostile files refused.

Every refusal test also proves the received file was not touched: same bytes, same mtime.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from annotator.core.errors import AnnotatorError
from annotator.core.model import Document, DocumentMeta, Person, Relation, Span
from annotator.resources import default_scheme
from annotator.store import open_project
from annotator.store import received as received_module
from annotator.store.project import Record
from annotator.store.received import open_received
from annotator.store.schema import APPLICATION_ID, SCHEMA_VERSION

TEXT = "Peace is near, said Donald Trump. The war must end, Putin said."


def fingerprint(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


@pytest.fixture(autouse=True)
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Temporary copies go to a folder of ours, so we can check nothing is left behind."""
    folder = tmp_path / "tmpdir"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder
    assert list(folder.iterdir()) == [], "a temporary copy was left behind"


def make_file(path: Path) -> Path:
    project = open_project(path, create=True, owner="alice", scheme=default_scheme())
    speaker = TEXT.index("Donald Trump")
    project.add_records(
        [
            Record(
                Document("d1", TEXT, DocumentMeta(title="Talks"), labels={"stance": "favor"}),
                "",
                (
                    Span("q1", 0, 13, "QUOTE", {"stance": "favor"}),
                    Span("s1", speaker, speaker + 12, "SPEAKER", {"person": "Donald Trump"}),
                    Span("q2", 34, 50, "QUOTE", fragments=((34, 41), (42, 50))),
                ),
                (Relation("SAID_BY", "q1", "s1"),),
            ),
            Record(Document("d2", "Nothing said here."), "", (), ()),
            Record(Document("d1", TEXT), "bob", (Span("q1", 0, 13, "QUOTE"),), ()),
        ]
    )
    project.close()
    return path


@pytest.fixture
def received_file(tmp_path: Path) -> Path:
    return make_file(tmp_path / "colleague.annotator")


def test_reads_everything_the_project_holds(received_file: Path) -> None:
    with open_project(received_file) as own:
        expected = list(own.records())
        scheme = own.scheme
    before = fingerprint(received_file)
    with open_received(received_file) as colleague:
        assert colleague.owner == "alice"
        assert colleague.scheme == scheme
        assert colleague.annotators() == ["alice", "bob"]
        assert [d.id for d in colleague.documents()] == ["d1", "d2"]
        assert list(colleague.records()) == expected
    assert fingerprint(received_file) == before


def test_only_a_private_copy_is_opened_read_only(
    received_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[tuple[Path, int]] = []
    real = received_module._open_copy_read_only

    def spy(copy: Path, name: str) -> sqlite3.Connection:
        opened.append((copy, stat.S_IMODE(copy.parent.stat().st_mode)))
        conn = real(copy, name)
        assert conn.execute("PRAGMA query_only").fetchone()[0] == 1
        assert conn.execute("PRAGMA trusted_schema").fetchone()[0] == 0
        with pytest.raises(sqlite3.OperationalError, match=r"readonly|query_only"):
            conn.execute("DELETE FROM meta")
        return conn

    monkeypatch.setattr(received_module, "_open_copy_read_only", spy)
    before = fingerprint(received_file)
    open_received(received_file).close()
    ((copy, mode),) = opened
    assert copy.parent != received_file.parent
    assert mode == 0o700
    assert not copy.parent.exists()  # deleted once read
    assert fingerprint(received_file) == before


# ---- hostile or broken files ----------------------------------------------------------


def _sqlite(path: Path, app_id: int, user_version: int) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.execute(f"PRAGMA application_id = {app_id}")
    conn.execute(f"PRAGMA user_version = {user_version}")
    conn.commit()
    conn.close()


def _truncate(path: Path) -> None:
    make_file(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_bytes(b"hello, not a database" * 10), "not an SQLite database"),
        (lambda p: p.write_bytes(b""), "empty file"),
        (_truncate, "damaged"),
        (lambda p: _sqlite(p, 0, 0), "not an Annotator project"),
        (lambda p: _sqlite(p, 0x12345678, 1), "another application"),
        (lambda p: _sqlite(p, APPLICATION_ID, SCHEMA_VERSION + 1), "newer version"),
    ],
    ids=["not-sqlite", "zero-bytes", "truncated", "plain-sqlite", "other-app", "future-version"],
)
def test_files_that_are_not_readable_projects_are_refused_untouched(
    tmp_path: Path, make: Callable[[Path], None], message: str
) -> None:
    path = tmp_path / "x.annotator"
    make(path)
    before = fingerprint(path)
    with pytest.raises(AnnotatorError, match=message) as info:
        open_received(path)
    assert str(path) in str(info.value)
    assert fingerprint(path) == before


def test_a_folder_or_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AnnotatorError, match="folder"):
        open_received(tmp_path)
    with pytest.raises(AnnotatorError, match="no such file"):
        open_received(tmp_path / "absent.annotator")
    assert not (tmp_path / "absent.annotator").exists()


def _add_schema_object(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    for sql in statements:
        conn.execute(sql)
    conn.commit()
    conn.close()


HOSTILE_SCHEMA: dict[str, tuple[tuple[str, ...], str]] = {
    # a trigger writing into another of our tables whenever a span is inserted
    "trigger-on-insert": (
        (
            "CREATE TRIGGER evil AFTER INSERT ON spans "
            "BEGIN INSERT INTO meta VALUES ('pwned', '1'); END",
        ),
        "unexpected trigger 'evil'",
    ),
    "trigger-on-update": (
        (
            "CREATE TRIGGER evil2 BEFORE UPDATE ON documents "
            "BEGIN INSERT INTO meta VALUES ('pwned', '1'); END",
        ),
        "unexpected trigger 'evil2'",
    ),
    "view": (("CREATE VIEW everything AS SELECT * FROM documents",), "unexpected view"),
    "expression-index": (
        ("CREATE INDEX lower_label ON spans (lower(label))",),
        "unexpected index 'lower_label'",
    ),
    "extra-table": (("CREATE TABLE notes (x)",), "unexpected table 'notes'"),
}


@pytest.mark.parametrize("kind", sorted(HOSTILE_SCHEMA))
def test_any_object_beyond_our_schema_is_refused_before_anything_runs(
    received_file: Path, kind: str
) -> None:
    statements, message = HOSTILE_SCHEMA[kind]
    _add_schema_object(received_file, *statements)
    before = fingerprint(received_file)
    with pytest.raises(AnnotatorError, match=message) as info:
        open_received(received_file)
    assert str(received_file) in str(info.value)
    assert fingerprint(received_file) == before
    conn = sqlite3.connect(f"file:{received_file}?mode=ro", uri=True)
    assert conn.execute("SELECT count(*) FROM meta WHERE key = 'pwned'").fetchone()[0] == 0
    conn.close()


def test_a_virtual_table_is_refused(received_file: Path) -> None:
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("CREATE VIRTUAL TABLE t USING fts5(x)")
    except sqlite3.OperationalError:
        pytest.skip("this SQLite has no fts5")
    finally:
        probe.close()
    _add_schema_object(received_file, "CREATE VIRTUAL TABLE search USING fts5(text)")
    before = fingerprint(received_file)
    with pytest.raises(AnnotatorError, match="unexpected"):
        open_received(received_file)
    assert fingerprint(received_file) == before


# ---- row contents ------------------------------------------------------------------------


ROW_DAMAGE = {
    "negative offset": ("UPDATE spans SET start = -1 WHERE sid = 'q1'", "outside the text"),
    "past the text": ("UPDATE spans SET \"end\" = 9999 WHERE sid = 'q1'", "outside the text"),
    "end before start": ("UPDATE spans SET start = 12, \"end\" = 3 WHERE sid = 'q1'", "before"),
    "offset as text": ("UPDATE spans SET start = 'abc' WHERE sid = 'q1'", "whole number"),
    "bad attrs json": ("UPDATE spans SET attrs = '{nope' WHERE sid = 'q1'", "invalid JSON"),
    "attrs not an object": ("UPDATE spans SET attrs = '[1]' WHERE sid = 'q1'", "JSON dict"),
    "nested attr value": (
        "UPDATE spans SET attrs = '{\"stance\": [1]}' WHERE sid = 'q1'",
        "must be text",
    ),
    "bad fragments": ("UPDATE spans SET fragments = '[[1]]' WHERE sid = 'q2'", "fragments"),
    "relation to a missing span": (
        "INSERT INTO relations (doc, annotator, label, head, child) "
        "SELECT id, 'alice', 'SAID_BY', 'q2', 'zz' FROM documents WHERE ext_id = 'd1'",
        "missing span 'zz'",
    ),
    "NUL in the text": ("UPDATE documents SET text = 'a' || char(0) || 'b'", "NUL"),
    "checksum mismatch": (
        "UPDATE documents SET checksum = 'x' WHERE ext_id = 'd2'",
        "checksum does not match",
    ),
    "invalid UTF-8 text": (
        "UPDATE documents SET text = CAST(x'41ff42' AS TEXT) WHERE ext_id = 'd2'",
        "not valid UTF-8",
    ),
    "unknown status": ("UPDATE documents SET status = 'gone' WHERE ext_id = 'd2'", "status"),
    "bad document labels": ("UPDATE documents SET labels = 'x' WHERE ext_id = 'd1'", "labels"),
    "bad scheme": ("UPDATE meta SET value = '{' WHERE key = 'scheme'", "scheme"),
}


@pytest.mark.parametrize("damage", sorted(ROW_DAMAGE))
def test_bad_rows_refuse_the_whole_file_naming_the_place(received_file: Path, damage: str) -> None:
    sql, message = ROW_DAMAGE[damage]
    _add_schema_object(received_file, sql)
    before = fingerprint(received_file)
    with pytest.raises(AnnotatorError, match=message) as info:
        open_received(received_file)
    text = str(info.value)
    assert text.startswith(str(received_file))
    if "span" in damage or "attr" in damage or "offset" in damage or "start" in damage:
        assert "document 'd1'" in text and "'q" in text
    if damage in ("checksum mismatch", "invalid UTF-8 text", "unknown status"):
        assert "document 'd2'" in text
    assert fingerprint(received_file) == before


# ---- files caught mid-transaction ----------------------------------------------------------


def test_an_interrupted_transaction_is_rolled_back_on_the_copy_only(tmp_path: Path) -> None:
    path = make_file(tmp_path / "hot.annotator")
    script = f"""
import os, sqlite3
c = sqlite3.connect({str(path)!r}, isolation_level=None)
c.execute("PRAGMA cache_size = 1")
c.execute("BEGIN")
c.execute("UPDATE meta SET value = 'mallory' WHERE key = 'owner'")
c.execute("UPDATE documents SET title = hex(randomblob(3000))")
c.execute("DELETE FROM spans")
os._exit(0)  # killed mid-transaction: a hot journal is left beside the file
"""
    subprocess.run([sys.executable, "-c", script], check=True)
    journal = Path(str(path) + "-journal")
    assert journal.exists() and journal.stat().st_size > 0
    before = (fingerprint(path), fingerprint(journal))
    with open_received(path) as colleague:
        assert colleague.owner == "alice"
        assert len([r for r in colleague.records() if r.spans]) == 2
    assert (fingerprint(path), fingerprint(journal)) == before


def test_committed_changes_still_in_the_wal_are_read(received_file: Path) -> None:
    writer = sqlite3.connect(received_file, isolation_level=None)
    try:
        writer.execute("PRAGMA journal_mode = WAL")
        writer.execute("PRAGMA wal_autocheckpoint = 0")
        writer.execute("UPDATE meta SET value = 'alice2' WHERE key = 'owner'")
        wal = Path(str(received_file) + "-wal")
        assert wal.exists() and wal.stat().st_size > 0
        before = (fingerprint(received_file), fingerprint(wal))
        with open_received(received_file) as colleague:
            assert colleague.owner == "alice2"
        assert (fingerprint(received_file), fingerprint(wal)) == before
    finally:
        writer.close()


def test_a_temporary_copy_is_removed_even_when_the_file_is_refused(
    received_file: Path, private_tmp: Path
) -> None:
    _add_schema_object(received_file, "CREATE VIEW v AS SELECT 1")
    with pytest.raises(AnnotatorError):
        open_received(received_file)
    assert list(private_tmp.iterdir()) == []
    assert os.access(received_file, os.R_OK)


# ---- versions and the people register ------------------------------------------------------


def test_a_file_of_an_older_schema_is_read_as_it_is(received_file: Path) -> None:
    conn = sqlite3.connect(received_file)
    conn.execute("DROP INDEX documents_position")
    conn.execute("DROP TABLE provenance")
    conn.execute("DROP TABLE adjudication")
    conn.execute("DROP TABLE people")  # what a schema-1 file looks like
    conn.execute("ALTER TABLE documents DROP COLUMN author")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    before = fingerprint(received_file)
    with open_received(received_file) as colleague:
        assert colleague.schema_version == 1
        assert colleague.people == []
        assert colleague.annotators() == ["alice", "bob"]
    assert fingerprint(received_file) == before


def test_the_people_register_is_read(received_file: Path) -> None:
    with open_project(received_file) as own:
        own.insert_person(Person("Donald Trump", "president", "United States"))
    with open_received(received_file) as colleague:
        assert colleague.schema_version == SCHEMA_VERSION
        assert colleague.people == [Person("Donald Trump", "president", "United States")]
