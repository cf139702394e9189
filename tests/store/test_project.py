"""The project file: created right, reopened intact, commands and their undo, bad files refused."""

from __future__ import annotations

import os
import sqlite3
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.core.commands import AddSpan, EditSpan, RemoveSpan, SetDocumentLabel, SetStatus
from annotator.core.errors import AnnotatorError
from annotator.core.model import Document, Relation, Span
from annotator.store import Project, open_project
from annotator.store.project import Record
from annotator.store.schema import APPLICATION_ID, SCHEMA_VERSION

SAMPLE_ID = "ceasefire-talks"  # tests/conftest.py imports the sample under this id


def fingerprint(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


def test_new_file_is_ours_versioned_and_in_rollback_journal_mode(project: Project) -> None:
    conn = sqlite3.connect(project.path)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()
    assert project.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert not Path(str(project.path) + "-wal").exists()


def test_an_action_is_on_disk_when_execute_returns(project: Project, sample_text: str) -> None:
    start = sample_text.index("Donald Trump")
    command = AddSpan(SAMPLE_ID, Span("", start, start + 12, "SPEAKER"))
    project.execute(command)
    # a second, independent connection sees it at once: committed, not buffered
    other = sqlite3.connect(project.path)
    rows = other.execute('SELECT sid, label, start, "end", annotator FROM spans').fetchall()
    other.close()
    assert rows == [("s1", "SPEAKER", start, start + 12, "alice")]
    assert command.text == "Tag SPEAKER “Donald Trump”"


def test_commands_undo_exactly(project: Project, sample_text: str) -> None:
    q = AddSpan(SAMPLE_ID, Span("", 0, 10, "QUOTE"))
    s = AddSpan(SAMPLE_ID, Span("", 2, 5, "SPEAKER"))
    project.execute(q)
    project.execute(s)
    project.insert_relation(SAMPLE_ID, Relation("SAID_BY", "q1", "s1"))
    remove = RemoveSpan(SAMPLE_ID, "s1", "alice")
    project.execute(remove)
    assert project.relations(SAMPLE_ID) == []
    project.revert(remove)
    assert [r.child for r in project.relations(SAMPLE_ID)] == ["s1"]
    before = project.span(SAMPLE_ID, "q1")
    edit = EditSpan(SAMPLE_ID, before, before.with_(attrs={"stance": "favor"}), "stance")
    project.execute(edit)
    assert project.span(SAMPLE_ID, "q1").attrs == {"stance": "favor"}
    project.revert(edit)
    assert project.span(SAMPLE_ID, "q1") == before
    status = SetStatus(SAMPLE_ID, "done")
    project.execute(status)
    assert project.document(SAMPLE_ID).status == "done"
    project.revert(status)
    assert project.document(SAMPLE_ID).status == "todo"
    label = SetDocumentLabel(SAMPLE_ID, "stance", "against")
    project.execute(label)
    assert project.document(SAMPLE_ID).labels == {"stance": "against"}
    project.revert(label)
    assert project.document(SAMPLE_ID).labels == {}
    project.revert(s)
    project.revert(q)
    assert project.spans(SAMPLE_ID) == []


def test_a_refused_command_changes_nothing(project: Project, sample_text: str) -> None:
    with pytest.raises(AnnotatorError, match="outside the text"):
        project.execute(AddSpan(SAMPLE_ID, Span("", 0, len(sample_text) + 1, "QUOTE")))
    with pytest.raises(AnnotatorError, match="missing span"):
        project.insert_relation(SAMPLE_ID, Relation("SAID_BY", "q9", "s9"))
    assert project.spans(SAMPLE_ID) == []


def test_reopen_gives_back_everything(project: Project) -> None:
    project.execute(AddSpan(SAMPLE_ID, Span("", 0, 5, "CLAIM", attrs={"kind": "statistic"})))
    path = project.path
    project.close()
    with open_project(path) as again:
        assert again.owner == "alice"
        assert [(s.id, s.attrs) for s in again.spans(SAMPLE_ID)] == [("c1", {"kind": "statistic"})]
        assert again.scheme.label("QUOTE") is not None


def test_records_import_is_idempotent_and_refuses_changed_text(empty_project: Project) -> None:
    doc = Document("d", "Hello 😀 world")
    rec = Record(doc, "bob", (Span("q1", 6, 7, "QUOTE"),), ())
    first = empty_project.add_records([rec])
    second = empty_project.add_records([rec])
    assert (first.documents_added, first.spans_added) == (1, 1)
    assert (second.documents_unchanged, second.spans_added) == (1, 0)
    with pytest.raises(AnnotatorError, match="different text"):
        empty_project.add_records([Record(Document("d", "Other"), "", (), ())])
    assert empty_project.spans("d", "bob")[0].text_in(doc.text) == "😀"


def _write_sqlite(path: Path, app_id: int, user_version: int) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.execute(f"PRAGMA application_id = {app_id}")
    conn.execute(f"PRAGMA user_version = {user_version}")
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_bytes(b"hello, not a database" * 10), "not an SQLite database"),
        (lambda p: _write_sqlite(p, 0, 0), "not an Annotator project"),
        (lambda p: _write_sqlite(p, 0x12345678, 1), "another application"),
        (lambda p: _write_sqlite(p, APPLICATION_ID, SCHEMA_VERSION + 5), "newer version"),
        (lambda p: p.mkdir(), "folder"),
    ],
)
def test_files_that_are_not_our_projects_are_refused_and_untouched(
    tmp_path: Path, make: object, message: str
) -> None:
    path = tmp_path / "x.annotator"
    make(path)  # type: ignore[operator]
    before = None if path.is_dir() else fingerprint(path)
    with pytest.raises(AnnotatorError, match=message):
        open_project(path)
    if before is not None:
        assert fingerprint(path) == before


def test_an_extra_trigger_is_refused_before_anything_runs(project: Project) -> None:
    path = project.path
    project.close()
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE pwned (x)")
    conn.execute(
        "CREATE TRIGGER evil AFTER INSERT ON spans BEGIN INSERT INTO pwned VALUES (1); END"
    )
    conn.commit()
    conn.close()
    before = fingerprint(path)
    with pytest.raises(AnnotatorError, match="unexpected"):
        open_project(path)
    assert fingerprint(path) == before


def test_a_corrupted_page_is_refused(project: Project) -> None:
    path = project.path
    project.close()
    data = bytearray(path.read_bytes())
    page_size = struct.unpack(">H", data[16:18])[0]
    for i in range(page_size + 8, min(len(data), 3 * page_size)):
        data[i] = 0xA5
    path.write_bytes(bytes(data))
    before = fingerprint(path)
    with pytest.raises(AnnotatorError, match=r"damaged|unexpected|missing"):
        open_project(path)
    assert fingerprint(path) == before


def test_missing_file_is_not_created_unless_asked(tmp_path: Path) -> None:
    with pytest.raises(AnnotatorError, match="no such project"):
        open_project(tmp_path / "nope.annotator")
    assert not (tmp_path / "nope.annotator").exists()


def test_a_killed_writer_loses_nothing_it_acknowledged(tmp_path: Path) -> None:
    """A child tags spans and prints each acknowledged id; we SIGKILL it mid-stream."""
    path = tmp_path / "k.annotator"
    script = f"""
import sys
from annotator.core.commands import AddSpan
from annotator.core.model import Document, Span
from annotator.store import open_project
from annotator.store.project import Record
p = open_project({str(path)!r}, create=True, owner="k")
p.add_records([Record(Document("d", "x" * 100000), "", (), ())])
i = 0
while True:
    c = AddSpan("d", Span("", i, i + 1, "QUOTE"))
    p.execute(c)
    print(c.span.id, flush=True)
    i += 1
"""
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=dict(os.environ)
    )
    assert proc.stdout is not None
    acked = [proc.stdout.readline().strip() for _ in range(40)]
    proc.kill()
    proc.wait()
    with open_project(path) as p:
        stored = {s.id for s in p.spans("d", "k")}
        assert p.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert set(acked) <= stored


def schema_3_file(tmp_path: Path) -> Path:
    """A project as Annotator wrote it before the byline (schema 3), with document d1."""
    from annotator.core.model import Document, DocumentMeta
    from annotator.store.project import Record

    path = tmp_path / "v3.annotator"
    with open_project(path, create=True, owner="alice") as p:
        p.add_records([Record(Document("d1", "Old text.", DocumentMeta(title="Old")), "", (), ())])
    conn = sqlite3.connect(path)
    conn.executescript(
        "DROP INDEX documents_position; ALTER TABLE documents DROP COLUMN author; "
        "PRAGMA user_version = 3; "
        "DELETE FROM _sqlite_migrations WHERE name IN ('0004_author', '0005_document_order');"
    )
    conn.close()
    return path


def test_a_schema_3_file_gains_the_byline_column_and_keeps_its_documents(tmp_path: Path) -> None:
    from annotator.core.model import Document, DocumentMeta
    from annotator.store.project import Record

    path = schema_3_file(tmp_path)
    with open_project(path) as p:
        assert p.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 5
        assert p.document("d1").meta == DocumentMeta(title="Old")
        p.add_records([Record(Document("d2", "New text.", DocumentMeta(title="New", author="Jane Doe")), "", (), ())])
    with open_project(path, readonly=True) as p:
        assert p.document("d2").meta.author == "Jane Doe"


def test_a_read_only_open_of_an_older_file_upgrades_it_first(tmp_path: Path) -> None:
    """`annotator export` of a project from the previous version: upgraded once, then read."""
    from annotator.io.export import export_project

    path = schema_3_file(tmp_path)
    with open_project(path, readonly=True) as p:
        assert p.readonly and p.document("d1").meta.title == "Old"
        export_project(p, "jsonl", tmp_path / "out.jsonl")
    assert '"author": null' in (tmp_path / "out.jsonl").read_text(encoding="utf-8")
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()
