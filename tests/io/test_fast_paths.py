"""The fast export and import paths give exactly what the plain paths give, edge cases included."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

import annotator.io.dataset as dataset
from annotator.core.errors import AnnotatorError
from annotator.core.model import Document, DocumentMeta, Relation, Span
from annotator.io.export import ExportReport, export_project
from annotator.io.importer import import_paths
from annotator.io.jsonl import read_jsonl, write_jsonl
from annotator.resources import default_scheme
from annotator.store import open_project
from annotator.store.project import Record


def build(path: Path) -> None:
    texts = {
        "plain": "Peskov said 'there is hope' today.",
        "nul": "before\x00after: 'a quote' 😀 end",
        "frag": '"The war," he said, "must end."',
    }
    with open_project(path, create=True, owner="alice", scheme=default_scheme()) as p:
        recs = []
        for doc_id, text in texts.items():
            doc = Document(doc_id, text, DocumentMeta(title=doc_id), status="done" if doc_id != "plain" else "todo")
            spans: tuple[Span, ...]
            if doc_id == "frag":
                spans = (Span("q1", 1, 29, "QUOTE", fragments=((1, 8), (21, 29))), Span("s1", 11, 13, "SPEAKER"))
            else:
                i = text.index("'") + 1
                j = text.index("'", i)
                spans = (Span("q1", i, j, "QUOTE", {"stance": "favor"}), Span("s1", 0, 6, "SPEAKER"))
            recs.append(Record(doc, "alice", spans, (Relation("SAID_BY", "q1", "s1"),)))
            recs.append(Record(doc, "bob", spans[:1], ()))
        p.add_records(recs)


@pytest.mark.parametrize(
    "filters",
    [{}, {"statuses": ["done"]}, {"annotators": ["bob"]}, {"statuses": ["todo"], "annotators": ["alice"]}],
)
def test_jsonl_export_equals_write_jsonl_of_the_same_records(tmp_path: Path, filters: dict) -> None:  # type: ignore[type-arg]
    path = tmp_path / "p.annotator"
    build(path)
    out = tmp_path / "fast.jsonl"
    with open_project(path, readonly=True) as p:
        export_project(p, "jsonl", out, **filters)
        records = [
            r for r in p.records()
            if (not filters.get("statuses") or r.document.status in filters["statuses"])
            and (not filters.get("annotators") or r.annotator in filters["annotators"])
        ]
    plain = tmp_path / "plain.jsonl"
    write_jsonl(records, plain)
    assert out.read_bytes() == plain.read_bytes()
    assert list(read_jsonl(out)) == records  # NUL, emoji and fragments survive


def test_import_fast_path_equals_the_records_and_refuses_a_conflicting_repeat(tmp_path: Path) -> None:
    path = tmp_path / "p.annotator"
    build(path)
    dump = tmp_path / "all.jsonl"
    with open_project(path, readonly=True) as p:
        export_project(p, "jsonl", dump)
        expected = list(p.records())
    with open_project(tmp_path / "q.annotator", create=True, owner="alice", scheme=default_scheme()) as q:
        import_paths(q, [dump])
        assert list(q.records()) == expected
    # the same span id twice in one document with different bounds: refused, nothing left behind
    lines = dump.read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "bad.jsonl"
    clash = lines[0].replace('"id": "q1"', '"id": "s1"', 1)
    bad.write_text("\n".join([lines[1], clash]) + "\n", encoding="utf-8")
    with open_project(tmp_path / "r.annotator", create=True, owner="alice", scheme=default_scheme()) as r:
        with pytest.raises(AnnotatorError):
            import_paths(r, [bad])
        assert r.document_ids() == []


def export_fast_and_plain(path: Path, tmp_path: Path, filters: dict) -> tuple[ExportReport, ExportReport]:  # type: ignore[type-arg]
    """The JSONL export (fast path) and the same with a list of all ids (the plain path): equal bytes."""
    with open_project(path, readonly=True) as p:
        ids = [d.id for d in p.documents()]
        fast = export_project(p, "jsonl", tmp_path / "fast.jsonl", **filters)
        plain = export_project(p, "jsonl", tmp_path / "plain.jsonl", doc_ids=ids, **filters)
    assert (tmp_path / "fast.jsonl").read_bytes() == (tmp_path / "plain.jsonl").read_bytes()
    assert (fast.documents, fast.records, fast.spans, fast.relations) == (
        plain.documents, plain.records, plain.spans, plain.relations,
    )
    return fast, plain


@pytest.mark.parametrize(
    "filters",
    [{}, {"statuses": ["done"]}, {"annotators": ["bob"]}, {"annotators": ["alice"]}, {"statuses": ["todo"]}],
)
def test_jsonl_fast_path_counts_and_lines_equal_the_plain_path(tmp_path: Path, filters: dict) -> None:  # type: ignore[type-arg]
    """The card's counts come from the same SQL pass as the lines: they must equal the plain path's."""
    path = tmp_path / "p.annotator"
    build(path)
    with open_project(path) as p:  # a document nobody annotated: the owner's empty record
        p.add_records([Record(Document("bare", "Nobody tagged this.", DocumentMeta(title="bare")), "alice", (), ())])
    fast, plain = export_fast_and_plain(path, tmp_path, filters)
    assert fast.spans > 0 or filters == {"statuses": ["todo"]} or filters.get("annotators") == ["bob"]

    def table(card: Path) -> list[str]:
        return [line for line in card.read_text(encoding="utf-8").splitlines() if line.startswith("| ")]

    assert fast.card is not None and plain.card is not None
    assert table(fast.card)[:-1] == table(plain.card)[:-1]  # the per-label table (not the file row's name)


def test_label_counting_is_exact_with_suffixes_repeats_and_unknown_labels() -> None:
    from collections import Counter

    from annotator.io.dataset import _count_labels

    parts = [b"CLAIM\x1fSUBCLAIM\x1fCLAIM\x1fCLAIM", b"QUOTE", b"SUBCLAIM\x1fQUOTE\x1fQUOTE"]
    expected = Counter(b"\x1f".join(parts).decode().split("\x1f"))
    assert _count_labels(parts, ["CLAIM", "SUBCLAIM", "QUOTE"]) == expected
    assert _count_labels(parts, ["CLAIM", "QUOTE"]) == expected  # SUBCLAIM unknown: counted one by one
    assert _count_labels(parts, []) == expected
    assert _count_labels([b"A"], ["A", "B"]) == {"A": 1}


@pytest.mark.parametrize("workers", [1, 2, 3])
@pytest.mark.parametrize("filters", [{}, {"statuses": ["done"]}, {"annotators": ["alice"]}])
def test_jsonl_export_in_ranges_and_threads_equals_the_plain_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int, filters: dict  # type: ignore[type-arg]
) -> None:
    """Many small key ranges built by several threads come out whole and in order."""
    import annotator.io.dataset as dataset

    path = tmp_path / "p.annotator"
    with open_project(path, create=True, owner="alice", scheme=default_scheme()) as p:
        recs = []
        for i in range(41):
            text = f"Doc {i}: 'quoted {i}' said Peskov 😀." + ("\x00tail" if i % 13 == 5 else "")
            doc = Document(f"d{i:02d}", text, DocumentMeta(title=f"t{i}"), status="done" if i % 3 else "todo")
            if i % 7 == 3:  # nobody annotated it
                recs.append(Record(doc, "alice", (), ()))
                continue
            q = text.index("'")
            frags = ((q, q + 3), (q + 5, q + 9)) if i % 11 == 4 else None
            spans = (
                Span("q1", q, q + 9, "QUOTE", {"stance": "favor"}, fragments=frags),
                Span("s1", q + 16, q + 22, "SPEAKER"),
            )
            recs.append(Record(doc, "alice", spans, (Relation("SAID_BY", "q1", "s1"),)))
            if i % 2:
                recs.append(Record(doc, "bob", spans[1:], ()))
        p.add_records(recs)
    monkeypatch.setattr(dataset, "RANGE_DOCUMENTS", 4)
    monkeypatch.setattr(dataset, "EXPORT_WORKERS", workers)
    monkeypatch.setattr(dataset, "PARALLEL_RANGES", 2)
    if sys.platform == "linux":  # pytest-qt has loaded PySide6 (no Qt thread runs here): fork anyway
        monkeypatch.setattr(dataset, "_can_fork", lambda: True)
    real_init = dataset._reader_init

    def init(file: str) -> None:  # runs in each worker (forked: nothing to pickle)
        (tmp_path / f"worker-{os.getpid()}").touch()
        real_init(file)

    monkeypatch.setattr(dataset, "_reader_init", init)
    fast, _ = export_fast_and_plain(path, tmp_path, filters)
    assert fast.records > 20
    workers_seen = {p.name for p in tmp_path.glob("worker-*")}
    if sys.platform == "linux" and workers > 1:  # the ranges were built in other processes
        assert workers_seen and f"worker-{os.getpid()}" not in workers_seen
    else:
        assert not workers_seen


# ---- export workers (dataset.fork_map) ---------------------------------------------


def _echo(conn: Any, job: int) -> Any:
    """A job for fork_map: large bytes (sent beside the pickle) and small values."""
    import time

    n = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    if job == 3:
        raise ValueError("job three is broken")
    time.sleep(0.4 if job == 10 else 0.05)  # (both workers get jobs; job 10 is slow)
    return (job, n, bytes([job]) * (3 << 20), os.getpid(), b"small")


@pytest.fixture
def small_project(tmp_path: Path) -> Path:
    path = tmp_path / "w.annotator"
    with open_project(path, create=True, owner="alice", scheme=default_scheme()) as p:
        p.add_records([Record(Document(f"d{i}", f"Text {i}.", DocumentMeta()), "alice", (), ()) for i in range(3)])
    return path


def _pids_alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        alive.add(pid)
    return alive


@pytest.mark.skipif(sys.platform != "linux", reason="export workers are forked on Linux only")
def test_fork_map_returns_big_results_in_order_and_reaps_its_workers(small_project: Path) -> None:
    with open_project(small_project, readonly=True) as p:
        got = list(dataset.fork_map(p, _echo, [0, 1, 2, 4, 5], 2))
    assert [g[0] for g in got] == [0, 1, 2, 4, 5]
    assert all(g[1] == 3 for g in got)
    assert [bytes(g[2][:2]) for g in got] == [bytes([j]) * 2 for j in (0, 1, 2, 4, 5)]
    assert all(len(g[2]) == 3 << 20 for g in got)
    assert all(g[4] == b"small" for g in got)
    pids = {g[3] for g in got}
    assert len(pids) == 2 and os.getpid() not in pids
    assert not _pids_alive(pids)  # waited for: no zombies left


def test_large_bytes_cross_the_pipe_beside_the_pickle_not_in_it() -> None:
    import io
    import struct
    import threading

    big, other = bytes(range(256)) * 4096, b"y" * (1 << 16)  # 1 MiB, and one just at the limit
    message = (7, {"data": big, "small": b"s" * 100, "again": other}, [big])
    read_fd, write_fd = os.pipe()
    try:
        sender = threading.Thread(target=dataset._send, args=(write_fd, message))
        sender.start()
        count = struct.unpack("<I", os.read(read_fd, 4))[0]
        sizes = struct.unpack(f"<{count}Q", os.read(read_fd, 8 * count))
        head = dataset._read_exactly(read_fd, sizes[0])
        raws = [dataset._read_exactly(read_fd, n) for n in sizes[1:]]
        sender.join()
    finally:
        os.close(read_fd)
        os.close(write_fd)
    # the 1 MiB value went twice, raw, after a pickle of a few hundred bytes
    assert sorted(sizes[1:]) == [1 << 16, 1 << 20, 1 << 20]
    assert sizes[0] < 1000
    got = dataset._pickling()[1](io.BytesIO(head), raws).load()
    assert got[0] == 7 and got[1]["small"] == b"s" * 100
    assert got[1]["data"] == big and got[1]["again"] == other and got[2] == [big]


@pytest.mark.skipif(sys.platform != "linux", reason="export workers are forked on Linux only")
def test_fork_map_does_the_jobs_itself_when_no_process_can_be_started(
    small_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_fork = os.fork
    started: list[int] = []

    def fork() -> int:
        if started:  # the second worker is refused, as under a process limit
            raise BlockingIOError(11, "Resource temporarily unavailable")
        pid = real_fork()
        if pid:
            started.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    with open_project(small_project, readonly=True) as p:
        got = list(dataset.fork_map(p, _echo, [0, 1, 2, 4], 2))
    assert [g[0] for g in got] == [0, 1, 2, 4]
    assert {g[3] for g in got} == {os.getpid()}  # all here
    assert bytes(got[1][2][:3]) == b"\x01\x01\x01"
    assert started and not _pids_alive(set(started))  # the one started was stopped


@pytest.mark.skipif(sys.platform != "linux", reason="export workers are forked on Linux only")
def test_a_free_worker_takes_the_next_jobs_while_another_is_slow(small_project: Path) -> None:
    jobs = [10, 11, 12, 13, 14, 15, 16, 17, 18]
    with open_project(small_project, readonly=True) as p:
        got = list(dataset.fork_map(p, _echo, jobs, 2))
    assert [g[0] for g in got] == jobs  # in order all the same
    slow = got[0][3]
    assert sum(g[3] != slow for g in got) >= 5  # the other worker did the rest meanwhile


@pytest.mark.skipif(sys.platform != "linux", reason="export workers are forked on Linux only")
def test_a_failing_export_worker_is_a_clear_error(small_project: Path) -> None:
    with open_project(small_project, readonly=True) as p:
        results = dataset.fork_map(p, _echo, [0, 1, 2, 3, 4, 5, 6], 2)
        with pytest.raises(AnnotatorError, match="export worker failed: ValueError: job three is broken"):
            list(results)


@pytest.mark.skipif(sys.platform != "linux", reason="export workers are forked on Linux only")
def test_closing_the_results_early_stops_the_workers(small_project: Path) -> None:
    with open_project(small_project, readonly=True) as p:
        results = dataset.fork_map(p, _echo, [0, 1, 2, 4, 5, 6, 7, 8], 2)
        first = next(results)
        second = next(results)
        results.close()  # a cancelled export: the workers, blocked on full pipes, are stopped
    assert not _pids_alive({first[3], second[3]})
