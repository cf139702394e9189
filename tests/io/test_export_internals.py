"""The fast paths behind export and import agree with the simple ones they replace."""

from __future__ import annotations

import itertools
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from formats_support import make_project
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.core.errors import AnnotatorError
from annotator.core.model import Document, DocumentMeta, Relation, Span
from annotator.io.csv_export import sentence_bounds, sentence_of
from annotator.io.export import export_project
from annotator.io.jsonl import read_jsonl, write_jsonl
from annotator.resources import default_scheme
from annotator.store import Project, open_project
from annotator.store.bulk_import import bulk_add_records
from annotator.store.export_queries import iter_document_rows, key_ranges, positions_follow_ids
from annotator.store.project import Record

ROOT = Path(__file__).resolve().parents[2]


def _rows(project: Project) -> list[tuple[object, ...]]:
    out = []
    for table, cols in (
        ("documents", "ext_id, position, text, checksum, title, source, url, published, status, labels"),
        ("spans", 'doc, sid, annotator, label, start, "end", fragments, attrs'),
        ("relations", "doc, annotator, label, head, child"),
    ):
        out += [(table, *r) for r in project.conn.execute(f"SELECT {cols} FROM {table} ORDER BY id")]
    return out


def _records() -> list[Record]:
    text = "Alice said \U0001f600 hello to Bob."
    doc = Document("d1", text, DocumentMeta(title="T"), "done", {"stance": "favor", "n": 1.0})
    a = (Span("q1", 11, 18, "QUOTE", {"ok": True, "n": 1, "x": 1.0, "s": "1"}),
         Span("s1", 0, 5, "SPEAKER", {"person": "Alice"}),
         Span("f1", 0, 18, "CLAIM", {}, ((0, 5), (11, 18))))  # fmt: skip
    rels = (Relation("SAID_BY", "q1", "s1"), Relation("SAID_BY", "q1", "s1"))
    other = Document("d2", "Another text.")
    return [
        Record(doc, "alice", a, rels),
        Record(doc, "bob", (Span("q1", 11, 18, "QUOTE", {"ok": 1}),), ()),
        Record(doc, "alice", (Span("q2", 6, 10, "CUE"), a[0]), (Relation("CUED_BY", "q1", "q2"),)),  # merge
        Record(other, "", (), ()),
        Record(doc, "", (), ()),
    ]


def _fresh(tmp: Path, name: str) -> Project:
    return open_project(tmp / name, create=True, owner="alice", scheme=default_scheme())


def test_bulk_import_writes_what_add_records_writes(tmp_path: Path) -> None:
    slow, fast = _fresh(tmp_path, "slow.annotator"), _fresh(tmp_path, "fast.annotator")
    for p in (slow, fast):
        p.add_records([Record(Document("old", "Already here."), "alice", (Span("t1", 0, 7, "QUOTE"),), ())])
    extra = [Record(Document("old", "Already here."), "alice", (Span("t1", 0, 7, "QUOTE"), Span("t2", 8, 12, "CUE")), ())]
    r_slow = slow.add_records(_records() + extra)
    r_fast = bulk_add_records(fast, _records() + extra)
    assert r_fast == r_slow
    assert _rows(fast) == _rows(slow)
    # the JSON of attributes is byte for byte what add_records stores (1, 1.0 and True differ)
    sql = "SELECT attrs FROM spans WHERE sid = 'q1' ORDER BY annotator"
    assert [r[0] for r in fast.conn.execute(sql)] == [
        '{"n": 1, "ok": true, "s": "1", "x": 1.0}', '{"ok": 1}',
    ]  # fmt: skip


@pytest.mark.parametrize(
    "bad, message",
    [
        (Record(Document("x", "abc"), "", (Span("t", 0, 9, "Q"),), ()), "outside the text"),
        (Record(Document("x", "abc"), "", (Span("t", 0, 1, "Q"), Span("t", 1, 2, "Q")), ()), "already used"),
        (Record(Document("x", "abc"), "", (Span("t", 0, 1, "Q"),), (Relation("R", "t", "u"),)), "missing span 'u'"),
        (Record(Document("x", "abc"), "", (Span("t", 0, 1, "Q"),), (Relation("R", "t", "t"),)), "linked to itself"),
    ],
)
def test_bulk_import_refuses_as_add_records_does(tmp_path: Path, bad: Record, message: str) -> None:
    project = _fresh(tmp_path, "p.annotator")
    with pytest.raises(AnnotatorError, match=message):
        bulk_add_records(project, [_records()[3], bad])
    assert project.conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 0  # all or nothing
    with pytest.raises(AnnotatorError, match="different text"):
        bulk_add_records(project, [Record(Document("x", "abc"), "", (), ()), Record(Document("x", "abd"), "", (), ())])


def test_streamed_rows_follow_positions_when_they_are_not_in_id_order(tmp_path: Path) -> None:
    records = [Record(Document(f"d{i}", f"text {i}"), "alice", (Span(f"s{i}", 0, 4, "QUOTE"),), ()) for i in range(4)]
    project = make_project(tmp_path / "p.annotator", records)
    with project.transaction():  # documents reordered (as a future "move document" would)
        project.conn.execute("UPDATE documents SET position = 10 - position")
    rows = list(iter_document_rows(project))
    assert [r.document.id for r in rows] == ["d3", "d2", "d1", "d0"] == project.document_ids()
    assert [[s[1] for s in r.spans] for r in rows] == [["s3"], ["s2"], ["s1"], ["s0"]]
    out = tmp_path / "o.jsonl"
    export_project(project, "jsonl", out, statuses=["todo"])
    assert [r.document.id for r in read_jsonl(out)] == ["d3", "d2", "d1", "d0"]
    project.close()


@pytest.mark.parametrize(
    ("reorder", "follows"),
    [
        ("", True),
        ("UPDATE documents SET position = 10 - position", False),
        ("UPDATE documents SET position = 7 WHERE ext_id IN ('d3', 'd4')", True),  # ties: by key
        ("UPDATE documents SET position = position + 100 WHERE ext_id = 'd1'", False),  # moved last
        ("UPDATE documents SET position = 0 WHERE ext_id = 'd4'", False),  # moved first
    ],
)
def test_key_order_is_checked_against_project_order(tmp_path: Path, reorder: str, follows: bool) -> None:
    records = [Record(Document(f"d{i}", f"text {i}"), "alice", (Span(f"s{i}", 0, 4, "QUOTE"),), ()) for i in range(5)]
    project = make_project(tmp_path / "p.annotator", records)
    if reorder:
        with project.transaction():
            project.conn.execute(reorder)
    assert positions_follow_ids(project) is follows
    keys = [r[0] for r in project.conn.execute("SELECT id FROM documents ORDER BY id")]
    assert key_ranges(project, size=2) == [(keys[0], keys[1]), (keys[2], keys[3]), (keys[4], keys[4])]
    assert key_ranges(project, size=2, statuses=["todo"]) == key_ranges(project, size=2)
    out = tmp_path / "o.csv"
    export_project(project, "csv", out)  # in project order, whichever path writes it
    rows = out.read_text(encoding="utf-8").splitlines()[1:]
    assert [r.split(",")[0] for r in rows] == project.document_ids()
    project.close()


def test_key_order_of_an_empty_project(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p.annotator", [])
    assert positions_follow_ids(project)
    assert key_ranges(project) == []
    project.close()


@given(st.lists(st.sampled_from(["todo", "in_progress", "done"]), min_size=1, max_size=6),
       st.sets(st.sampled_from(["todo", "in_progress", "done"]), min_size=1))  # fmt: skip
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_status_filter_matches_the_records(tmp_path_factory: pytest.TempPathFactory, statuses: list[str], keep: set[str]) -> None:
    tmp = tmp_path_factory.mktemp("st")
    records = [
        Record(Document(f"d{i}", f"text {i}", status=s), "alice" if i % 2 else "bob", (Span("t", 0, 4, "QUOTE"),), ())
        for i, s in enumerate(statuses)
    ]
    project = make_project(tmp / "p.annotator", records)
    out = tmp / "o.jsonl"
    export_project(project, "jsonl", out, statuses=keep, annotators=["bob"])
    expected = [r for r in project.records() if r.document.status in keep and r.annotator == "bob"]
    assert list(read_jsonl(out)) == expected
    project.close()
    shutil.rmtree(tmp)


def test_sentences() -> None:
    text = 'Mr. Smith met Dr. J. Jones in the U.S. yesterday. "It was fine," he said! Next?\n\nNew para. End'
    bounds = sentence_bounds(text)
    parts = [text[a:b].strip() for a, b in itertools.pairwise(bounds)]
    assert [p for p in parts if p] == [
        "Mr. Smith met Dr. J. Jones in the U.S. yesterday.", '"It was fine," he said!', "Next?", "New para.", "End",
    ]  # fmt: skip
    s = text.index("fine")
    assert sentence_of(text, bounds, s, s + 4) == '"It was fine," he said!'
    assert sentence_of(text, bounds, 0, len(text)) == text


def test_raw_jsonl_equals_write_jsonl_on_generated_records(tmp_path: Path) -> None:
    from test_jsonl_properties import records as record_strategy

    @given(st.lists(record_strategy(), max_size=3, unique_by=lambda r: (r.document.id, r.annotator)))
    @settings(max_examples=40, deadline=None)
    def check(batch: list[Record]) -> None:
        base = tmp_path / "g"
        shutil.rmtree(base, ignore_errors=True)
        base.mkdir()
        ids: dict[str, Document] = {}
        kept = []
        for r in batch:  # one text per id, real annotator names
            if r.document.id in ids and ids[r.document.id] != r.document:
                continue
            ids[r.document.id] = r.document
            kept.append(r)
        project = make_project(base / "p.annotator", kept)
        out = base / "o.jsonl"
        export_project(project, "jsonl", out)
        write_jsonl(project.records(), base / "slow.jsonl")
        assert out.read_bytes() == (base / "slow.jsonl").read_bytes()
        project.close()

    check()


def test_bench_runs_small(tmp_path: Path) -> None:
    if shutil.which("sqlite3") is None:
        pytest.skip("needs the sqlite3 shell")
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_export.py"), "--documents", "40", "--spans", "400", "--runs", "1"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    for name in ("baseline", "export jsonl", "export csv", "import jsonl"):
        assert name in done.stdout
    assert "PySide6 LOADED" not in done.stdout

