"""Reads for the per-span CSV export's fast path: a record's span columns as one text.

The ``csv`` export (``annotator.io.csv_export``) writes one row per span. Reading
a million spans as a million Python tuples costs more than writing them, so
SQLite hands over each record (document x annotator) as a few texts instead:

* the record's spans (by start, then insertion) as one text: the span count, a
  flag for spans with fragments, then the ids, the labels, the starts, the ends
  and the stored attributes JSON texts of all spans, column after column, every
  value separated by ``SEP`` (U+001F);
* its SAID_BY relations (by insertion) to spans of the record: their count, then
  each one's head span id, the speaker span's stored attributes JSON text and the
  speaker span's start and end.

Python splits them (a C-level ``str.split``), checks the counts (a value holding
``SEP`` itself shows as a count mismatch and sends the document to the plain
writer), and builds the rows from whole lists. A speaker SQLite cannot give
exactly (a ``person`` that is not text, a speaker span with fragments, an
escaped NUL) shows as a NUL character: the document is left to the plain writer.

Documents are read by key in chunks (``doc BETWEEN lo AND hi``), in key order:
``export_queries.positions_follow_ids`` tells whether that is the project's order.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from annotator.store.export_queries import in_filter

if TYPE_CHECKING:
    from annotator.store.project import Project

#: Separates the values in the texts SQLite builds (a control character JSON text never holds raw).
SEP = "\x1f"


def _span_text_sql() -> str:
    # one group_concat per column (no per-span concatenation), joined once per record
    columns = " || char(31) || ".join(
        f"group_concat(s.{c}, char(31))" for c in ("sid", "label", "start", '"end"', "attrs")
    )
    return (
        f"(SELECT count(*) || char(31) || max(s.fragments IS NOT NULL) || char(31) || {columns} "
        'FROM (SELECT s.sid, s.label, s.start, s."end", s.attrs, s.fragments FROM spans s '
        "WHERE s.doc = r.doc AND s.annotator = r.annotator ORDER BY s.start, s.id) s)"
    )


def _said_sql() -> str:
    # the speaker span's stored attributes as they are (Python reads ``person`` from them,
    # as the plain writer does); a speaker span with fragments -> NUL (the document goes to Python)
    return (
        "(SELECT count(*) || char(31) || group_concat(x.head || char(31) || x.p || char(31) || x.a "
        "|| char(31) || x.b, char(31)) FROM ("
        "SELECT x.head, CASE WHEN c.fragments IS NULL THEN c.attrs ELSE char(0) END AS p, "
        'c.start AS a, c."end" AS b FROM relations x '
        "JOIN spans c ON c.doc = x.doc AND c.annotator = x.annotator AND c.sid = x.child "
        "WHERE x.doc = r.doc AND x.annotator = r.annotator AND x.label = 'SAID_BY' ORDER BY x.id) x)"
    )


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
    """Documents (in key order) with their records: (annotator, spans text, speakers text)."""

    documents: list[CsvDocument]
    records: dict[int, list[tuple[str, str | None, str | None]]]
    #: (annotator, relation label, count) of the chunk's selected documents
    relation_counts: list[tuple[str, str, int]]


def csv_chunk(
    conn: sqlite3.Connection,
    keys: tuple[int, int],
    *,
    statuses: Collection[str] | None = None,
    annotators: Collection[str] | None = None,
) -> CsvChunk:
    """The selected documents with keys in ``keys`` (inclusive), with their records' texts."""
    lo, hi = keys
    sargs: list[Any] = []
    swhere = in_filter("status", statuses, sargs)
    aargs: list[Any] = []
    awhere = in_filter("annotator", annotators, aargs)
    rec_sql = (
        f"SELECT r.doc, r.annotator, {_span_text_sql()}, {_said_sql()} "
        f"FROM (SELECT doc, annotator FROM spans WHERE doc BETWEEN ? AND ?{awhere} UNION "
        f"SELECT doc, annotator FROM relations WHERE doc BETWEEN ? AND ?{awhere} ORDER BY 1, 2) r"
    )
    rel_sql = (
        f"SELECT annotator, label, count(*) FROM relations WHERE doc BETWEEN ? AND ?{awhere}"
        + (
            f" AND doc IN (SELECT id FROM documents WHERE id BETWEEN ? AND ?{swhere})"
            if statuses is not None
            else ""
        )
        + " GROUP BY annotator, label"
    )
    # "annotated": anyone's spans or relations; without an annotator filter, the records say it
    exists = (
        ", EXISTS (SELECT 1 FROM spans x WHERE x.doc = d.id) "
        "OR EXISTS (SELECT 1 FROM relations y WHERE y.doc = d.id)"
        if annotators is not None
        else ""
    )
    doc_sql = (
        f"SELECT d.id, d.ext_id, d.title, d.text{exists} "
        f"FROM documents d WHERE d.id BETWEEN ? AND ?{swhere} ORDER BY d.id"
    )
    records: dict[int, list[tuple[str, str | None, str | None]]] = {}
    for doc, who, spans, said in conn.execute(rec_sql, [lo, hi, *aargs, lo, hi, *aargs]):
        records.setdefault(doc, []).append((who, spans, said))
    if annotators is None:
        docs = [
            CsvDocument(pk, ext, title, text, "\x00" in text, pk in records)
            for pk, ext, title, text in conn.execute(doc_sql, [lo, hi, *sargs])
        ]
    else:
        docs = [
            CsvDocument(pk, ext, title, text, "\x00" in text, bool(ann))
            for pk, ext, title, text, ann in conn.execute(doc_sql, [lo, hi, *sargs])
        ]
    rargs: list[Any] = [lo, hi, *aargs]
    if statuses is not None:
        rargs += [lo, hi, *sargs]
    relation_counts = [(w, lab, int(n)) for w, lab, n in conn.execute(rel_sql, rargs)]
    return CsvChunk(docs, records, relation_counts)


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
