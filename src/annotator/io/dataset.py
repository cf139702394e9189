"""What an export reads: the selected documents and annotations, streamed, counted, cancellable.

``Dataset`` wraps ``store.export_queries.iter_document_rows`` with the filters
every export format shares (documents by id or status, annotators, labels),
the progress callback, and the counts the dataset card reports. Writers take
``Dataset.documents()`` (per document, its records as raw rows: fastest) or
``Dataset.records()`` (``Record`` objects: simplest).

Which records a document gives (the rule of ``Project.records``, filtered):

* one per annotator who has spans or relations in it, among the selected
  annotators, annotators in name order;
* a document nobody annotated gives one empty record for the project's owner
  (so an export always carries every document's text), unless the selected
  annotators leave the owner out;
* a ``labels`` filter keeps those labels' spans and the relations between
  kept spans; an annotator whose spans were all filtered out still gives an
  (empty) record: they looked at the document.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from operator import itemgetter
from typing import Any, TypeVar

from annotator.core.errors import AnnotatorError
from annotator.core.model import STATUSES, Document, DocumentMeta, Relation, Span
from annotator.core.scheme import Scheme
from annotator.store.export_queries import (
    LABEL_SEP,
    LABELS_END,
    DocumentRow,
    RelationRow,
    SpanRow,
    annotator_names,
    count_documents,
    document_rows,
    has_unannotated_documents,
    iter_document_rows,
    iter_line_rows,
    jsonl_lines_supported,
    key_ranges,
)
from annotator.store.project import Project, Record, open_reader

#: progress(documents done, documents in total) -> False to cancel.
ExportProgress = Callable[[int, int], "bool | None"]

_WHO = itemgetter(0)
_LABEL = itemgetter(4)
_RELATION_LABEL = itemgetter(1)

#: Seconds between two progress calls (the first and the last are always made).
PROGRESS_INTERVAL = 0.05
#: Documents per key range of a JSONL export (the unit of work of its threads).
RANGE_DOCUMENTS = 250
#: Processes of a JSONL export (None: one per processor, at most 4).
EXPORT_WORKERS: int | None = None
#: Fewer key ranges than this are built in this process.
PARALLEL_RANGES = 8


class ExportCancelled(AnnotatorError):
    """The progress callback asked to stop; nothing was written."""


@dataclass(frozen=True)
class Selection:
    """Which documents and annotations an export takes; None means all."""

    doc_ids: tuple[str, ...] | None = None
    statuses: frozenset[str] | None = None
    annotators: frozenset[str] | None = None
    labels: frozenset[str] | None = None

    @classmethod
    def of(
        cls,
        *,
        doc_ids: Iterable[str] | None = None,
        statuses: Iterable[str] | None = None,
        annotators: Iterable[str] | None = None,
        labels: Iterable[str] | None = None,
    ) -> Selection:
        if any(isinstance(v, str) for v in (doc_ids, statuses, annotators, labels)):
            raise AnnotatorError("doc_ids, statuses, annotators and labels must be lists of names")
        sel = cls(
            doc_ids=tuple(dict.fromkeys(doc_ids)) if doc_ids is not None else None,
            statuses=frozenset(statuses) if statuses is not None else None,
            annotators=frozenset(annotators) if annotators is not None else None,
            labels=frozenset(labels) if labels is not None else None,
        )
        if sel.statuses is not None:
            unknown = sorted(sel.statuses - set(STATUSES))
            if unknown:
                raise AnnotatorError(
                    f"unknown status {unknown[0]!r} (one of {', '.join(STATUSES)})"
                )
        return sel

    def describe(self) -> list[str]:
        """One line per filter, for the dataset card."""

        def show(values: Iterable[str] | None, what: str) -> str:
            if values is None:
                return f"all {what}"
            items = sorted(values) if not isinstance(values, tuple) else list(values)
            shown = ", ".join(items[:20]) + (f" … ({len(items)} in all)" if len(items) > 20 else "")
            return shown or "none"

        return [
            f"documents: {show(self.doc_ids, 'documents')}",
            f"statuses: {show(self.statuses, 'statuses')}",
            f"annotators: {show(self.annotators, 'annotators')}",
            f"labels: {show(self.labels, 'labels')}",
        ]

    @property
    def is_everything(self) -> bool:
        return self == Selection()


@dataclass(slots=True)
class RawRecord:
    """One document with one annotator's span and relation rows (see export_queries)."""

    document: DocumentRow
    annotator: str
    spans: list[SpanRow]
    relations: list[RelationRow]


@dataclass
class Counts:
    documents: int = 0
    records: int = 0
    spans: int = 0
    relations: int = 0
    #: (annotator, label) -> spans
    by_label: Counter[tuple[str, str]] = field(default_factory=Counter)
    #: (annotator, relation label) -> relations
    by_relation: Counter[tuple[str, str]] = field(default_factory=Counter)


class Dataset:
    """The selected part of a project, read once, in order, with progress and counts."""

    def __init__(
        self,
        project: Project,
        selection: Selection | None = None,
        progress: ExportProgress | None = None,
    ) -> None:
        self.project = project
        self.selection = selection or Selection()
        self.progress = progress
        self.owner = project.owner
        self.scheme: Scheme = project.scheme
        self.counts = Counts()
        self._check_ids()
        self.total = count_documents(
            project, doc_ids=self.selection.doc_ids, statuses=self.selection.statuses
        )
        self._documents: dict[int, Document] = {}

    def _check_ids(self) -> None:
        ids = self.selection.doc_ids
        if ids is None:
            return
        missing = [d for d in ids if not self.project.has_document(d)]
        if missing:
            shown = ", ".join(repr(d) for d in missing[:5]) + (" …" if len(missing) > 5 else "")
            raise AnnotatorError(f"{self.project.path}: no such document(s): {shown}")

    # ---- reading ------------------------------------------------------
    def documents(self, *, all_labels: bool = False) -> Iterator[list[RawRecord]]:
        """Per selected document, its records (documents left with none are skipped).

        ``all_labels`` keeps the spans of every label (and every relation) for
        writers that need context (a quote's speaker) and apply the ``labels``
        filter to their own rows; counts still follow the filter.
        """
        sel = self.selection
        owner_ok = sel.annotators is None or self.owner in sel.annotators
        labels = sel.labels
        drop = labels is not None and not all_labels
        counts = self.counts
        by_label = counts.by_label
        by_relation = counts.by_relation
        last = time.monotonic()
        self._report(0)
        rows_iter = iter_document_rows(
            self.project, doc_ids=sel.doc_ids, statuses=sel.statuses, annotators=sel.annotators
        )
        for done, rows in enumerate(rows_iter, 1):
            doc = rows.document
            by: dict[str, RawRecord] = {}
            spans, relations = rows.spans, rows.relations
            who_all = set(map(_WHO, spans))
            who_all.update(map(_WHO, relations))
            if len(who_all) == 1 and not drop:
                who = who_all.pop()
                by[who] = RawRecord(doc, who, spans, relations)
            elif who_all:
                for span in spans:
                    who = span[0]
                    rec = by.get(who)
                    if rec is None:
                        rec = by[who] = RawRecord(doc, who, [], [])
                    if not drop or span[4] in labels:  # type: ignore[operator]
                        rec.spans.append(span)
                for rel in relations:
                    who = rel[0]
                    rec = by.get(who)
                    if rec is None:
                        rec = by[who] = RawRecord(doc, who, [], [])
                    rec.relations.append(rel)
                if drop:
                    for rec in by.values():
                        kept = {s[1] for s in rec.spans}
                        rec.relations = [r for r in rec.relations if r[2] in kept and r[3] in kept]
            if by:
                records = [by[k] for k in sorted(by)]
            elif not doc.annotated and owner_ok:
                records = [RawRecord(doc, self.owner, [], [])]
            else:
                records = []
            if records:
                counts.documents += 1
                counts.records += len(records)
                for rec in records:
                    who = rec.annotator
                    for label, n in Counter(map(_LABEL, rec.spans)).items():
                        if labels is None or label in labels:
                            by_label[(who, label)] += n
                            counts.spans += n
                    for label, n in Counter(map(_RELATION_LABEL, rec.relations)).items():
                        by_relation[(who, label)] += n
                    counts.relations += len(rec.relations)
                yield records
            now = time.monotonic()
            if now - last >= PROGRESS_INTERVAL:
                last = now
                self._report(done)
        self._report(self.total)

    def jsonl_lines_supported(self) -> bool:
        """Whether ``jsonl_lines`` can serve this selection (no id or label filter, documents in order)."""
        sel = self.selection
        return sel.doc_ids is None and sel.labels is None and jsonl_lines_supported(self.project)

    def jsonl_chunks(self, workers: int | None = None) -> Iterator[list[bytes]]:
        """The selected records' canonical JSONL lines (UTF-8), as pieces to join, in order.

        The lines ``dumps_raw_record`` makes (U+2028, U+2029 and U+0085 may still
        be raw: the caller escapes them), built by SQLite (see
        ``export_queries.iter_line_rows``); only for selections where
        ``jsonl_lines_supported()``. Counts and progress as ``documents()``.

        The documents are cut into key ranges of a few hundred. With many
        ranges and more than one processor, ``workers`` processes (default:
        one per processor, at most 4) build ranges at
        once (forked, on Linux, when nothing else runs in this process: see
        ``_can_fork``), each on its own read-only connection, and the ranges
        come back in order; otherwise this process builds them one after the
        other.
        """
        sel = self.selection
        owner = self.owner if sel.annotators is None or self.owner in sel.annotators else None
        ranges = key_ranges(self.project, statuses=sel.statuses, size=RANGE_DOCUMENTS)
        workers = worker_count(len(ranges), workers)
        self._report(0)
        last = time.monotonic()
        done = 0
        span_labels: dict[str, list[bytes]] = {}
        relation_labels: dict[str, list[bytes]] = {}
        for part in self._line_ranges(ranges, workers, owner):
            done += part.documents
            self.counts.documents += part.documents
            self.counts.records += part.records
            for into, got in (
                (span_labels, part.span_labels),
                (relation_labels, part.relation_labels),
            ):
                for who, labels in got.items():
                    into.setdefault(who, []).extend(labels)
            yield part.pieces
            now = time.monotonic()
            if now - last >= PROGRESS_INTERVAL:
                last = now
                self._report(done)
        counts = self.counts
        span_names = [lab.name for lab in self.scheme.labels]
        relation_names = [rel.name for rel in self.scheme.relations]
        for who, parts in span_labels.items():
            for label, n in _count_labels(parts, span_names).items():
                counts.by_label[(who, label)] += n
                counts.spans += n
        for who, parts in relation_labels.items():
            for label, n in _count_labels(parts, relation_names).items():
                counts.by_relation[(who, label)] += n
                counts.relations += n
        self._report(self.total)

    def _line_ranges(
        self, ranges: list[tuple[int, int]], workers: int, owner: str | None
    ) -> Iterator[_LineRange]:
        """Each range's lines, in order: built here, or by ``workers`` processes."""
        sel = self.selection
        jobs = [(keys, sel.statuses, sel.annotators, owner) for keys in ranges]
        if workers == 1:
            conn = self.project.conn
            for job in jobs:
                yield _line_range(conn, *job)
            return
        yield from fork_map(self.project, _joined_line_range, jobs, workers)

    def raw_records(self) -> Iterator[RawRecord]:
        for records in self.documents():
            yield from records

    def records(self) -> Iterator[Record]:
        """The selected records as ``Record`` objects."""
        for raw in self.raw_records():
            yield to_record(raw, self.document_of(raw.document))

    def document_of(self, row: DocumentRow) -> Document:
        """The ``Document`` of a row (the last one is cached: records of a document come together)."""
        doc = self._documents.get(row.pk)
        if doc is None:
            self._documents.clear()
            doc = self._documents[row.pk] = document_from_row(row)
        return doc

    def annotators(self) -> list[str]:
        """Every annotator whose records the export may hold (a cheap upper bound)."""
        names = set(self.project_annotators())
        if self.selection.annotators is not None:
            names &= self.selection.annotators
        return sorted(names)

    def project_annotators(self) -> list[str]:
        names = annotator_names(self.project)
        if has_unannotated_documents(self.project):
            names.add(self.owner)
        return sorted(names)

    def _report(self, done: int) -> None:
        if self.progress is not None and self.progress(done, self.total) is False:
            raise ExportCancelled("export cancelled; nothing was written")


@dataclass(slots=True)
class _LineRange:
    """A key range's JSONL line pieces, with what the card counts."""

    pieces: list[bytes]
    documents: int
    records: int
    span_labels: dict[str, list[bytes]]
    relation_labels: dict[str, list[bytes]]


_RELATIONS_SEP = b'], "relations": ['


def _line_range(
    conn: sqlite3.Connection,
    keys: tuple[int, int],
    statuses: Collection[str] | None,
    annotators: Collection[str] | None,
    owner: str | None,
) -> _LineRange:
    """The lines of the records of documents with keys in ``keys`` (see ``iter_line_rows``)."""
    from annotator.io.jsonl import dumps_raw_record, raw_document_parts

    pieces: list[bytes] = []
    append = pieces.append
    span_labels: dict[str, list[bytes]] = {}
    relation_labels: dict[str, list[bytes]] = {}
    documents = records = 0
    last_pk = -1
    rows = iter_line_rows(conn, keys, statuses=statuses, annotators=annotators, owner=owner)
    for pk, who, head, spans, rels, tail, nul in rows:
        cut = spans.rfind(LABELS_END)  # JSON never holds it raw
        rcut = rels.rfind(LABELS_END)
        if nul or spans.find(b"\x01", cut) >= 0:  # left to Python
            got = document_rows(conn, pk, annotators)
            doc = got.document
            append(
                dumps_raw_record(
                    raw_document_parts(doc),
                    doc,
                    who,
                    [s for s in got.spans if s[0] == who],
                    [r for r in got.relations if r[0] == who],
                ).encode()
            )
        else:
            append(head)
            append(spans[cut + 1 :] if cut else spans[1:])
            append(_RELATIONS_SEP)
            append(rels[rcut + 1 :] if rcut else rels[1:])
            append(tail)
        if cut:
            got_labels = span_labels.get(who)
            if got_labels is None:
                got_labels = span_labels[who] = []
            got_labels.append(spans[:cut])
        if rcut:
            got_labels = relation_labels.get(who)
            if got_labels is None:
                got_labels = relation_labels[who] = []
            got_labels.append(rels[:rcut])
        records += 1
        if pk != last_pk:
            last_pk = pk
            documents += 1
    return _LineRange(pieces, documents, records, span_labels, relation_labels)


def _can_fork() -> bool:
    """Whether worker processes may be forked from this one: Linux, no other thread, no Qt.

    A fork copies locks held by other threads (SQLite's, Qt's) in their held
    state, and macOS's system libraries refuse to run in a forked child; a
    frozen bundle has no interpreter to start instead. Elsewhere (the GUI
    among them, which exports in a thread of its own) the work stays in one
    process.
    """
    if sys.platform != "linux" or "PySide6" in sys.modules or getattr(sys, "frozen", False):
        return False
    try:  # every thread of the process, not only Python's (a numerical library's, say)
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def worker_count(ranges: int, workers: int | None = None) -> int:
    """How many processes should build ``ranges`` key ranges (1: this one, in order).

    ``workers`` (default ``EXPORT_WORKERS``, else one per processor, at most 4;
    1 for fewer than ``PARALLEL_RANGES`` ranges) when ``_can_fork()``, else 1.
    """
    if workers is None:
        workers = EXPORT_WORKERS or min(os.cpu_count() or 1, 4)
        if ranges < PARALLEL_RANGES:
            workers = 1  # starting processes costs more than it saves
    if not _can_fork():
        workers = 1
    return max(1, min(workers, ranges))


_J = TypeVar("_J")
_R = TypeVar("_R")


def fork_map(
    project: Project, fn: Callable[[sqlite3.Connection, _J], _R], jobs: list[_J], workers: int
) -> Iterator[_R]:
    """``fn(connection, job)`` for each job, in ``workers`` forked processes; results in order.

    Processes, not threads: SQLite counts every allocation under one global
    mutex, so threads doing SQLite work at once wait on each other (measured:
    slower than one). Forked, only where ``_can_fork()``: a spawned process
    would run the caller's main script again. ``fn`` need not be picklable; what
    it needs beyond its job it may find in module globals set before the call (a
    fork copies them). Each worker has its own read-only connection to the
    project's file. Workers take the next job when they are free (from a pipe of
    job numbers), so a worker slowed by other work on the machine takes fewer;
    at most ``2 * workers + 2`` jobs are handed out beyond the next result due,
    which bounds the results kept waiting here. Each worker sends its results
    through its own pipe, pickled, with their large ``bytes`` sent raw beside
    the pickle (they arrive as ``bytearray``): a result of many
    megabytes is copied twice, not six times as through ``multiprocessing.Pool``.

    Closing the iterator early (a cancelled export, an error, Ctrl+C in this
    process) stops the workers. A worker's error is raised here as
    ``AnnotatorError``. When the system refuses to start a process, the jobs
    run here, one after the other.
    """
    import gc
    import select
    import struct

    file = project.database_file()
    children: list[tuple[int, int]] = []
    finished = False
    total = len(jobs)
    window = 2 * workers + 2
    job_read, job_write = os.pipe()
    handed = min(total, window)
    os.write(job_write, struct.pack(f"<{handed}I", *range(handed)))
    # this process's objects out of the collector's sight while workers start: a worker
    # that collected them would write to (and so copy) every page they lie on
    gc.freeze()
    try:
        if handed == total:
            os.close(job_write)
            job_write = -1
        for _ in range(workers):
            read_end, write_end = os.pipe()
            _widen_pipe(write_end)
            try:
                pid = os.fork()
            except OSError:  # no process to be had (a process limit, no memory): here, then
                os.close(read_end)
                os.close(write_end)
                _stop(children)
                children.clear()
                for job in jobs:
                    yield fn(project.conn, job)
                finished = True
                return
            if pid == 0:  # the worker: never returns
                os.close(read_end)
                if job_write >= 0:
                    os.close(job_write)
                for _pid, fd in children:
                    os.close(fd)
                _worker_main(write_end, job_read, file, fn, jobs)
            os.close(write_end)
            children.append((pid, read_end))
        os.close(job_read)
        job_read = -1
        gc.unfreeze()
        waiting: dict[int, Any] = {}  # results that came before their turn
        live = {fd: pid for pid, fd in children}
        for due in range(total):
            while due not in waiting:
                if not live:
                    raise AnnotatorError("the export workers stopped before sending every result")
                for fd in select.select(list(live), [], [])[0]:
                    got = _receive(fd)
                    if got is None:  # the worker is done: no job was left for it
                        _reaped(live.pop(fd))
                    else:
                        waiting[got[0]] = got[1]
            yield waiting.pop(due)
            if job_write >= 0:  # one more job out
                os.write(job_write, struct.pack("<I", handed))
                handed += 1
                if handed == total:
                    os.close(job_write)
                    job_write = -1
        finished = True
    finally:
        gc.unfreeze()
        for fd in (job_read, job_write):
            if fd >= 0:
                os.close(fd)
        if finished:
            for pid, fd in children:
                os.close(fd)
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, 0)
        else:
            _stop(children)


def _reaped(pid: int) -> None:
    """Wait for a worker whose pipe closed; a worker that did not end well is an error."""
    _, status = os.waitpid(pid, 0)
    if status != 0:
        raise AnnotatorError("an export worker stopped before sending its result (out of memory?)")


def _stop(children: list[tuple[int, int]]) -> None:
    """Stop workers (killed: they hold only a read-only connection) and wait for them."""
    import signal

    for pid, fd in children:
        os.close(fd)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):  # (already waited for)
            os.waitpid(pid, 0)


_reader: sqlite3.Connection | None = None


def _reader_init(file: str) -> None:
    """In an export worker process: open the project file for reading.

    Ctrl+C is the parent's to handle (it stops the workers): a worker ignores it
    rather than print its own traceback.
    """
    global _reader
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _reader = open_reader(file)
    # pages read through a memory map, not a read() and a copy each (one's own project;
    # a file cut short under a running export would stop the worker, a clear error here)
    _reader.execute(f"PRAGMA mmap_size = {_MAPPED_BYTES}")


#: How much of the project file an export worker reads through a memory map.
_MAPPED_BYTES = 1 << 30


def _worker_main(
    fd: int, job_fd: int, file: str, fn: Callable[[sqlite3.Connection, Any], Any], jobs: list[Any]
) -> None:
    """An export worker's life: open the file; take a job number from ``job_fd``, send the job's
    result (with its number), until the job pipe is empty and closed; exit."""
    import gc
    import struct

    code = 1
    try:
        gc.disable()  # a worker lives for one export and makes no cycles worth a collection
        _keep_freed_memory()
        _reader_init(file)
        assert _reader is not None
        while True:
            # (a pipe read of 4 bytes takes one whole number: they are written 4 bytes at a time)
            taken = os.read(job_fd, 4)
            if not taken:
                break
            (number,) = struct.unpack("<I", taken)
            _send(fd, (number, fn(_reader, jobs[number])))
        code = 0
    except BaseException as exc:  # told to the parent, which raises it
        with contextlib.suppress(BaseException):  # else the parent sees the pipe close
            _send(fd, _WorkerFailed(f"{type(exc).__name__}: {exc}"))
    finally:
        os._exit(code)  # no clean-up of the parent's objects (its files, its connection)


def _keep_freed_memory() -> None:
    """In an export worker: keep the memory a chunk frees for the next chunk (glibc only).

    A chunk's texts and lists take megabytes. By default glibc gives blocks
    that large straight back to the kernel (``mmap``, and trimming the heap's
    top), so every chunk faults its memory in again: measured on the CSV
    export of a million spans, 0.5 s of system time and 1.2 s of CPU in all
    across two workers (wall time 3.7 s -> 3.1 s). Raising the two thresholds
    keeps it in the heap; a worker's peak stays what its largest chunk needs.
    """
    try:
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt  # this process's C library
    except (ImportError, OSError, AttributeError):
        return  # no such call: the defaults
    mallopt(_M_TRIM_THRESHOLD, 256 << 20)
    mallopt(_M_MMAP_THRESHOLD, 32 << 20)  # glibc's largest on 64-bit systems


#: glibc's ``mallopt`` parameters (malloc.h)
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


class _WorkerFailed:
    """What a worker sends instead of a result when its job raised."""

    def __init__(self, message: str) -> None:
        self.message = message


#: Bytes a pipe holds (Linux's F_SETPIPE_SZ; the default, 64 KiB, makes a worker wait for every 64 KiB read).
_PIPE_BYTES = 1 << 20


def _widen_pipe(fd: int) -> None:
    try:
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), _PIPE_BYTES)
    except (ImportError, OSError):
        pass  # a smaller pipe only costs time


#: ``bytes`` at least this long travel beside a result's pickle, not in it.
_RAW_BYTES = 1 << 16


@cache
def _pickling() -> tuple[Any, Any]:
    """A pickler that sends large ``bytes`` out of band, and its unpickler (made on first use).

    The pickle refers to each by its number (a persistent id; a pickler's
    ``reducer_override`` is never asked about ``bytes``, ``persistent_id`` is
    asked about every object), and they are sent raw after it: the worker
    copies none into the pickle, the parent none out of it.
    """
    import pickle

    class Pickler(pickle.Pickler):
        def __init__(self, file: Any, raws: list[bytes]) -> None:
            super().__init__(file, protocol=5)
            self.raws = raws

        def persistent_id(self, obj: Any) -> Any:
            if type(obj) is bytes and len(obj) >= _RAW_BYTES:
                self.raws.append(obj)
                return len(self.raws) - 1
            return None

    class Unpickler(pickle.Unpickler):
        def __init__(self, file: Any, raws: list[bytearray]) -> None:
            super().__init__(file)
            self.raws = raws

        def persistent_load(self, pid: Any) -> Any:
            return self.raws[pid]

    return Pickler, Unpickler


def _send(fd: int, obj: Any) -> None:
    import io
    import struct

    raws: list[bytes] = []
    out = io.BytesIO()
    _pickling()[0](out, raws).dump(obj)
    head = out.getbuffer()
    sizes = [len(head), *map(len, raws)]
    for data in (struct.pack(f"<I{len(sizes)}Q", len(sizes), *sizes), head, *raws):
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]


def _receive(fd: int) -> Any:
    """The next message on a worker's pipe; None when the worker closed it.

    Large ``bytes`` in it arrive as ``bytearray`` (as they were read)."""
    import io
    import struct

    first = os.read(fd, 4)
    if not first:
        return None
    if len(first) < 4:
        first += _read_exactly(fd, 4 - len(first))
    (count,) = struct.unpack("<I", first)
    sizes = struct.unpack(f"<{count}Q", _read_exactly(fd, 8 * count))
    head = _read_exactly(fd, sizes[0])
    raws = [_read_exactly(fd, n) for n in sizes[1:]]
    obj = _pickling()[1](io.BytesIO(head), raws).load()
    if isinstance(obj, _WorkerFailed):
        raise AnnotatorError(f"an export worker failed: {obj.message}")
    return obj


def _read_exactly(fd: int, size: int) -> bytearray:
    data = bytearray(size)
    view = memoryview(data)
    got = 0
    while got < size:
        n = os.readv(fd, [view[got:]])
        if n == 0:
            raise AnnotatorError(
                "an export worker stopped before sending its result (out of memory?)"
            )
        got += n
    return data


def _joined_line_range(
    conn: sqlite3.Connection,
    job: tuple[tuple[int, int], Collection[str] | None, Collection[str] | None, str | None],
) -> _LineRange:
    """One key range's lines, joined (one object to send back)."""
    part = _line_range(conn, *job)
    part.pieces = [b"".join(part.pieces)]
    return part


def _count_labels(parts: list[bytes], names: Iterable[str]) -> dict[str, int]:
    """How often each label occurs in ``LABEL_SEP``-separated lists of labels.

    The expected names are counted with ``bytes.count`` (no object per label);
    when they do not account for every label, all are counted one by one.
    """
    blob = LABEL_SEP.join(parts)
    total = blob.count(LABEL_SEP) + 1
    wrapped = LABEL_SEP + blob.replace(LABEL_SEP, LABEL_SEP + LABEL_SEP) + LABEL_SEP
    found: dict[str, int] = {}
    for name in names:
        n = wrapped.count(LABEL_SEP + name.encode() + LABEL_SEP)
        if n:
            found[name] = n
    if sum(found.values()) == total:
        return found
    return {label.decode(): n for label, n in Counter(blob.split(LABEL_SEP)).items()}


# ---- rows -> core values --------------------------------------------------------


def document_from_row(row: DocumentRow) -> Document:
    return Document(
        id=row.id,
        text=row.text,
        meta=DocumentMeta(
            title=row.title,
            source=row.source,
            url=row.url,
            published=row.published,
            author=row.author,
        ),
        status=row.status,
        labels=json.loads(row.labels),
    )


def span_from_row(row: SpanRow) -> Span:
    frags = json.loads(row[6]) if row[6] else None
    return Span(
        id=row[1],
        start=row[2],
        end=row[3],
        label=row[4],
        attrs=json.loads(row[5]),
        fragments=tuple((int(a), int(b)) for a, b in frags) if frags else None,
        annotator=row[0],
    )


def to_record(raw: RawRecord, document: Document | None = None) -> Record:
    """The record as core values; a span outside its document's text is a clear error.

    Annotator never stores such a span; a project file changed by hand may hold
    one, and the formats that convert offsets (brat, doccano, Label Studio,
    INCEpTION, spaCy) cannot write it.
    """
    doc = document or document_from_row(raw.document)
    spans = tuple(span_from_row(s) for s in raw.spans)
    size = len(doc.text)
    for span in spans:
        for a, b in span.pieces:
            if not 0 <= a <= b <= size:
                raise AnnotatorError(
                    f"document {doc.id!r}: {raw.annotator or 'nobody'}'s span {span.id!r} covers "
                    f"{a}..{b}, outside its text (0..{size}); the project file was changed "
                    "outside Annotator: delete or fix that span"
                )
    return Record(
        document=doc,
        annotator=raw.annotator,
        spans=spans,
        relations=tuple(Relation(r[1], r[2], r[3], r[0]) for r in raw.relations),
    )
