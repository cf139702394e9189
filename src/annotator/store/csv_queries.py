"""Reads for the per-span CSV export's fast path: a chunk's span columns as a few texts.

The ``csv`` export (``annotator.io.csv_export``) writes one row per span. Reading
a million spans as a million Python tuples costs more than writing them, so
SQLite hands over a chunk of documents (``doc BETWEEN lo AND hi``) as a few
texts, one per column, every value separated by ``SEP`` (U+001F):

* the chunk's spans, by document, then start, then insertion: their ids,
  labels, starts, ends and stored attributes JSON texts, and their annotators
  when some document of the chunk has several;
* its SAID_BY relations, in any order: their documents, annotators, head and
  speaker span ids, and keys (which give their order of insertion).

Records (document, annotator, span count) and relation counts come as rows.

Python splits them (a C-level ``str.split``), checks the counts (a value holding
``SEP`` itself shows as a count mismatch and sends the chunk to the plain
writer), and builds the rows from whole columns. Documents with fragments
(``CsvChunk.fragment_documents``) are left to the plain writer.

Documents are read by key, in key order: ``export_queries.positions_follow_ids``
tells whether that is the project's order.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from annotator.store.export_queries import in_filter

if TYPE_CHECKING:
    from annotator.store.project import Project

#: Separates the values in the texts SQLite builds (a control character JSON text never holds raw).
SEP = "\x1f"


@contextlib.contextmanager
def one_state(conn: sqlite3.Connection) -> Iterator[None]:
    """The reads in the block all see one state of the file.

    Without it each statement is a transaction of its own, and a commit from
    another connection (the GUI, while ``annotator export`` reads the same
    file) could fall between the reads of one chunk: its record counts would
    then not match its spans. A savepoint, so that it also nests in a
    transaction the caller has open. Another connection's commit waits (its
    busy timeout) until the block ends.
    """
    conn.execute("SAVEPOINT annotator_one_state")
    try:
        yield
    finally:
        conn.execute("RELEASE annotator_one_state")


def _columns(*exprs: str) -> str:
    return ", ".join(f"group_concat({e}, char(31))" for e in exprs)


@dataclass(slots=True)
class CsvDocument:
    pk: int
    id: str
    title: str | None
    text: str
    #: Its text holds a NUL character: left to Python.
    nul: bool
    #: Anyone (any annotator) has spans or relations in it.
    annotated: bool


@dataclass(slots=True)
class CsvChunk:
    """A chunk of documents (in key order) with its spans and SAID_BY relations as column texts."""

    documents: list[CsvDocument]
    #: (document key, annotator, span count) of every record, by document then annotator
    records: list[tuple[int, str, int]]
    #: how many spans the columns hold
    span_count: int
    #: the documents with a span with fragments
    fragment_documents: set[int]
    #: ids, labels, starts, ends, stored attributes (``SEP``-separated; empty without spans)
    spans: tuple[str, str, str, str, str]
    #: the spans' annotators, when asked for (a document with several annotators)
    span_annotators: str | None
    said_count: int
    #: head span ids, speaker span ids, relation keys: record after record
    said: tuple[str, str, str]
    #: each record's SAID_BY relations
    said_counts: list[int]
    #: (annotator, relation label, count) of the chunk's selected documents
    relation_counts: list[tuple[str, str, int]]


def csv_chunk(
    conn: sqlite3.Connection,
    keys: tuple[int, int],
    *,
    statuses: Collection[str] | None = None,
    annotators: Collection[str] | None = None,
) -> CsvChunk:
    """The selected documents with keys in ``keys`` (inclusive), with their spans' columns."""
    lo, hi = keys
    sargs: list[Any] = []
    swhere = in_filter("status", statuses, sargs)
    aargs: list[Any] = []
    awhere = in_filter("annotator", annotators, aargs)
    # spans and relations of the selected documents only
    chosen = (
        f" AND doc IN (SELECT id FROM documents WHERE id BETWEEN ? AND ?{swhere})"
        if statuses is not None
        else ""
    )
    cargs: list[Any] = [lo, hi, *sargs] if statuses is not None else []
    doc_sql = (
        "SELECT d.id, d.ext_id, d.title, d.text"
        + (
            # "annotated": anyone's spans or relations; without an annotator filter, the records say it
            ", EXISTS (SELECT 1 FROM spans x WHERE x.doc = d.id) "
            "OR EXISTS (SELECT 1 FROM relations y WHERE y.doc = d.id)"
            if annotators is not None
            else ""
        )
        + f" FROM documents d WHERE d.id BETWEEN ? AND ?{swhere} ORDER BY d.id"
    )
    filters = [lo, hi, *aargs, *cargs]
    records: list[tuple[int, str, int]] = conn.execute(
        f"SELECT doc, annotator, count(*) FROM spans WHERE doc BETWEEN ? AND ?{awhere}{chosen} "
        "GROUP BY doc, annotator ORDER BY doc, annotator",
        filters,
    ).fetchall()
    # relations per record and label: the card's counts, and records with relations only
    totals: dict[tuple[str, str], int] = {}
    related: set[tuple[int, str]] = set()
    said_of: dict[tuple[int, str], int] = {}
    for d, w, lab, n in conn.execute(
        f"SELECT doc, annotator, label, count(*) FROM relations WHERE doc BETWEEN ? AND ?{awhere}{chosen} "
        "GROUP BY doc, annotator, label",
        filters,
    ):
        totals[(w, lab)] = totals.get((w, lab), 0) + n
        related.add((d, w))
        if lab == "SAID_BY":
            said_of[(d, w)] = n
    relation_counts = [(w, lab, n) for (w, lab), n in totals.items()]
    if related:
        related.difference_update((d, w) for d, w, _n in records)
        if related:
            records = sorted([*records, *((d, w, 0) for d, w in related)])
    if annotators is None:
        named = {r[0] for r in records}
        docs = [
            CsvDocument(pk, ext, title, text, "\x00" in text, pk in named)
            for pk, ext, title, text in conn.execute(doc_sql, [lo, hi, *sargs])
        ]
    else:
        docs = [
            CsvDocument(pk, ext, title, text, "\x00" in text, bool(ann))
            for pk, ext, title, text, ann in conn.execute(doc_sql, [lo, hi, *sargs])
        ]
    # several annotators in one document: the spans' annotators too (Python groups them)
    shared = any(a[0] == b[0] and a[2] and b[2] for a, b in pairwise(records))
    # the index's order is (doc, start, id): read in it, no sort (Python checks the starts'
    # order); a project without the index (none of Annotator's) is sorted
    columns = (
        "SELECT count(*), ifnull(max(fragments IS NOT NULL), 0), "
        + _columns("sid", "label", "start", '"end"', "attrs")
        + (", group_concat(annotator, char(31))" if shared else ", NULL")
    )
    try:
        row = conn.execute(
            f"{columns} FROM spans INDEXED BY spans_doc_start "
            f"WHERE doc BETWEEN ? AND ?{awhere}{chosen}",
            filters,
        ).fetchone()
    except sqlite3.OperationalError:
        row = conn.execute(
            f'{columns} FROM (SELECT sid, label, start, "end", attrs, fragments, annotator '
            f"FROM spans WHERE doc BETWEEN ? AND ?{awhere}{chosen} ORDER BY doc, start, id)",
            filters,
        ).fetchone()
    n, frags, *span_columns, span_annotators = row
    # by the relations' own index (no span is read), which holds them by document and
    # annotator: record after record (``said_counts``); Python finds the spans by id
    columns = _columns("head", "child", "id")
    where = f"doc BETWEEN ? AND ? AND label = 'SAID_BY'{awhere}{chosen}"
    try:
        row = conn.execute(
            f"SELECT count(*), {columns} FROM relations INDEXED BY sqlite_autoindex_relations_1 "
            f"WHERE {where}",
            filters,
        ).fetchone()
    except sqlite3.OperationalError:  # no such index (none of Annotator's files): sorted
        row = conn.execute(
            f"SELECT count(*), {columns} FROM (SELECT head, child, id FROM relations "
            f"WHERE {where} ORDER BY doc, annotator)",
            filters,
        ).fetchone()
    k, *said_columns = row
    fragment_documents: set[int] = set()
    if frags:
        fragment_documents = {
            r[0]
            for r in conn.execute(
                f"SELECT DISTINCT doc FROM spans WHERE doc BETWEEN ? AND ?{awhere}{chosen} "
                "AND fragments IS NOT NULL",
                filters,
            )
        }
    return CsvChunk(
        docs,
        records,
        int(n),
        fragment_documents,
        tuple(c or "" for c in span_columns),  # type: ignore[arg-type]
        span_annotators,
        int(k),
        tuple(c or "" for c in said_columns),  # type: ignore[arg-type]
        [said_of.get((d, w), 0) for d, w, _n in records],
        relation_counts,
    )


def document_raw_rows(
    project: Project | sqlite3.Connection, pk: int, annotators: Collection[str] | None
) -> tuple[list[Any], list[Any]]:
    """One document's span and relation rows (``export_queries.SpanRow``, ``RelationRow``)."""
    conn = project if isinstance(project, sqlite3.Connection) else project.conn
    sargs: list[Any] = [pk]
    swhere = in_filter("s.annotator", annotators, sargs)
    spans = conn.execute(
        'SELECT s.annotator, s.sid, s.start, s."end", s.label, s.attrs, s.fragments, s.doc FROM spans s '
        f"WHERE s.doc = ?{swhere} ORDER BY s.start, s.id",
        sargs,
    ).fetchall()
    rargs: list[Any] = [pk]
    rwhere = in_filter("r.annotator", annotators, rargs)
    relations = conn.execute(
        f"SELECT r.annotator, r.label, r.head, r.child, r.doc FROM relations r WHERE r.doc = ?{rwhere} ORDER BY r.id",
        rargs,
    ).fetchall()
    return spans, relations
