"""Fast, streaming reads for exports: every document with its raw span and relation rows.

``Project.records`` costs a handful of queries per document and builds a
``Span`` object per span; an export of a million spans cannot afford either.
``iter_document_rows`` reads the documents, the spans and the relations with
three queries in total, each walked once in step with the others (a merge on
the document key), and hands over plain tuples with the stored JSON text of
attributes and fragments untouched. Nothing is held beyond one document.

Order (the same as ``Project.records``): documents by position, then id; the
spans of a document by start, then insertion (row id); relations by insertion.
When documents' positions follow their row ids (always, unless documents were
reordered) the span query walks the ``(doc, start)`` index without sorting;
otherwise SQLite sorts by position.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, groupby, islice
from operator import itemgetter, lt
from typing import TYPE_CHECKING, Any

from annotator.core.errors import AnnotatorError

if TYPE_CHECKING:
    from annotator.store.project import Project

#: (annotator, span id, start, end, label, attrs JSON, fragments JSON or None, document key)
SpanRow = tuple[str, str, int, int, str, str, str | None, int]
#: (annotator, label, head span id, child span id, document key)
RelationRow = tuple[str, str, str, str, int]

_BATCH = 2048
_SPAN_DOC = itemgetter(7)
_RELATION_DOC = itemgetter(4)
_DOC_COLUMNS = (
    "d.id, d.ext_id, d.text, d.title, d.source, d.url, d.published, d.status, d.labels, d.checksum, "
    "d.author, "
    "EXISTS (SELECT 1 FROM spans x WHERE x.doc = d.id) "
    "OR EXISTS (SELECT 1 FROM relations y WHERE y.doc = d.id)"
)
_SPAN_COLUMNS = 's.annotator, s.sid, s.start, s."end", s.label, s.attrs, s.fragments'
_RELATION_COLUMNS = "r.annotator, r.label, r.head, r.child"


@dataclass(slots=True)
class DocumentRow:
    """One document as stored; ``labels`` is the stored JSON object text."""

    pk: int
    id: str
    text: str
    title: str | None
    source: str | None
    url: str | None
    published: str | None
    status: str
    labels: str
    #: SHA-256 of the UTF-8 text, as stored.
    checksum: str
    #: Anyone (any annotator) has spans or relations in it.
    annotated: bool
    #: The byline.
    author: str | None = None


@dataclass(slots=True)
class DocumentRows:
    """A document with its span rows (by start, then insertion) and relation rows (by insertion)."""

    document: DocumentRow
    spans: list[SpanRow]
    relations: list[RelationRow]


def _doc(row: Sequence[Any]) -> DocumentRow:
    return DocumentRow(
        int(row[0]), row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8], row[9],
        bool(row[11]), row[10],
    )


def in_filter(column: str, values: Collection[str] | None, args: list[Any]) -> str:
    if values is None:
        return ""
    args.extend(values)
    return f" AND {column} IN ({', '.join('?' * len(values))})" if values else " AND 0"


def count_documents(
    project: Project,
    *,
    doc_ids: Sequence[str] | None = None,
    statuses: Collection[str] | None = None,
) -> int:
    """How many documents ``iter_document_rows`` will yield with these filters."""
    if doc_ids is not None:
        args: list[Any] = []
        where = in_filter("status", statuses, args)
        count = 0
        for doc_id in doc_ids:
            row = project.conn.execute(
                f"SELECT 1 FROM documents WHERE ext_id = ?{where}", [doc_id, *args]
            ).fetchone()
            count += row is not None
        return count
    args = []
    where = in_filter("status", statuses, args)
    return int(project.conn.execute(f"SELECT count(*) FROM documents WHERE 1{where}", args).fetchone()[0])


def iter_document_rows(
    project: Project,
    *,
    doc_ids: Sequence[str] | None = None,
    statuses: Collection[str] | None = None,
    annotators: Collection[str] | None = None,
) -> Iterator[DocumentRows]:
    """Documents with their spans and relations, optionally filtered.

    ``doc_ids`` keeps those documents in that order (missing ids raise
    ``AnnotatorError``); ``statuses`` keeps documents in those states;
    ``annotators`` keeps those annotators' spans and relations (the document
    itself is still yielded, with ``annotated`` telling whether anybody at
    all annotated it).
    """
    if doc_ids is not None:
        yield from _by_id(project, doc_ids, statuses, annotators)
    else:
        yield from _streamed(project, statuses, annotators)


def _by_id(
    project: Project,
    doc_ids: Sequence[str],
    statuses: Collection[str] | None,
    annotators: Collection[str] | None,
) -> Iterator[DocumentRows]:
    conn = project.conn
    for doc_id in doc_ids:
        args: list[Any] = [doc_id]
        where = in_filter("d.status", statuses, args)
        row = conn.execute(
            f"SELECT {_DOC_COLUMNS} FROM documents d WHERE d.ext_id = ?{where}", args
        ).fetchone()
        if row is None:
            if conn.execute("SELECT 1 FROM documents WHERE ext_id = ?", [doc_id]).fetchone():
                continue  # filtered out by status
            raise AnnotatorError(f"{project.path}: no such document {doc_id!r}")
        doc = _doc(row)
        sargs: list[Any] = [doc.pk]
        swhere = in_filter("s.annotator", annotators, sargs)
        spans = conn.execute(
            f"SELECT {_SPAN_COLUMNS}, s.doc FROM spans s WHERE s.doc = ?{swhere} ORDER BY s.start, s.id",
            sargs,
        ).fetchall()
        rargs: list[Any] = [doc.pk]
        rwhere = in_filter("r.annotator", annotators, rargs)
        relations = conn.execute(
            f"SELECT {_RELATION_COLUMNS}, r.doc FROM relations r WHERE r.doc = ?{rwhere} ORDER BY r.id",
            rargs,
        ).fetchall()
        yield DocumentRows(doc, spans, relations)


def _positions_follow_ids(conn: sqlite3.Connection) -> bool:
    """Whether documents in key order are in project order (always, unless reordered)."""
    # (SQLite does not flatten an ordered subquery into an aggregate: the ids come in its order)
    ids = _integers(
        conn.execute("SELECT group_concat(id) FROM (SELECT id FROM documents ORDER BY position, id)")
    )
    return all(map(lt, ids, islice(ids, 1, None)))


def _integers(cursor: sqlite3.Cursor) -> list[int]:
    """The integers of a one-row ``group_concat`` (read as one text, split in C: no loop per row)."""
    (text,) = cursor.fetchone()
    return list(map(int, text.split(","))) if text else []


def _rows(cursor: sqlite3.Cursor) -> Iterator[Any]:
    """The cursor's rows, fetched in batches (a C-level iterator: no generator frame per row)."""
    return chain.from_iterable(iter(lambda: cursor.fetchmany(_BATCH), []))


def _streamed(
    project: Project, statuses: Collection[str] | None, annotators: Collection[str] | None
) -> Iterator[DocumentRows]:
    conn = project.conn
    dargs: list[Any] = []
    dwhere = in_filter("d.status", statuses, dargs)
    in_order = _positions_follow_ids(conn)
    doc_order = "d.id" if in_order else "d.position, d.id"
    sargs: list[Any] = []
    swhere = in_filter("s.annotator", annotators, sargs)
    rargs: list[Any] = []
    rwhere = in_filter("r.annotator", annotators, rargs)
    if statuses is not None:
        swhere += " AND s.doc IN (SELECT d.id FROM documents d WHERE 1"
        swhere += in_filter("d.status", statuses, sargs) + ")"
        rwhere += " AND r.doc IN (SELECT d.id FROM documents d WHERE 1"
        rwhere += in_filter("d.status", statuses, rargs) + ")"
    if in_order:
        span_sql = f"SELECT {_SPAN_COLUMNS}, s.doc FROM spans s WHERE 1{swhere} ORDER BY s.doc, s.start, s.id"
        rel_sql = f"SELECT {_RELATION_COLUMNS}, r.doc FROM relations r WHERE 1{rwhere} ORDER BY r.doc, r.id"
    else:
        span_sql = (
            f"SELECT {_SPAN_COLUMNS}, s.doc FROM spans s JOIN documents d ON d.id = s.doc "
            f"WHERE 1{swhere} ORDER BY d.position, d.id, s.start, s.id"
        )
        rel_sql = (
            f"SELECT {_RELATION_COLUMNS}, r.doc FROM relations r JOIN documents d ON d.id = r.doc "
            f"WHERE 1{rwhere} ORDER BY d.position, d.id, r.id"
        )
    # Three cursors on one connection, read in step: documents, spans and relations
    # come in the same document order. Rows are grouped by document in C (groupby
    # over batched fetches): no Python work per row.
    docs = _rows(conn.execute(f"SELECT {_DOC_COLUMNS} FROM documents d WHERE 1{dwhere} ORDER BY {doc_order}", dargs))
    span_groups = groupby(_rows(conn.execute(span_sql, sargs)), _SPAN_DOC)
    rel_groups = groupby(_rows(conn.execute(rel_sql, rargs)), _RELATION_DOC)
    span_pk, span_group = next(span_groups, (None, None))
    rel_pk, rel_group = next(rel_groups, (None, None))
    for row in docs:
        doc = _doc(row)
        pk = doc.pk
        spans: list[Any] = []
        if span_pk == pk:
            spans = list(span_group)  # type: ignore[arg-type]
            span_pk, span_group = next(span_groups, (None, None))
        relations: list[Any] = []
        if rel_pk == pk:
            relations = list(rel_group)  # type: ignore[arg-type]
            rel_pk, rel_group = next(rel_groups, (None, None))
        yield DocumentRows(doc, spans, relations)


def attribute_names(project: Project) -> set[tuple[str, str]]:
    """Every (label, attribute name) the stored spans use."""
    rows = project.conn.execute(
        "SELECT DISTINCT s.label, j.key FROM spans s, json_each(s.attrs) j"
    ).fetchall()
    return {(r[0], r[1]) for r in rows}


def document_label_names(project: Project) -> set[str]:
    """Every document label name the stored documents use."""
    rows = project.conn.execute(
        "SELECT DISTINCT j.key FROM documents d, json_each(d.labels) j"
    ).fetchall()
    return {r[0] for r in rows}


def annotator_names(project: Project) -> set[str]:
    """Everyone with spans or relations in the project."""
    rows = project.conn.execute(
        "SELECT annotator FROM spans UNION SELECT annotator FROM relations"
    ).fetchall()
    return {r[0] for r in rows}


def has_unannotated_documents(project: Project) -> bool:
    row = project.conn.execute(
        "SELECT 1 FROM documents d WHERE NOT EXISTS (SELECT 1 FROM spans s WHERE s.doc = d.id) "
        "AND NOT EXISTS (SELECT 1 FROM relations r WHERE r.doc = d.id) LIMIT 1"
    ).fetchone()
    return row is not None


def relation_names(project: Project) -> set[str]:
    """Every relation label the stored relations use."""
    return {r[0] for r in project.conn.execute("SELECT DISTINCT label FROM relations")}


def span_labels(project: Project) -> set[str]:
    """Every label the stored spans use."""
    return {r[0] for r in project.conn.execute("SELECT DISTINCT label FROM spans")}


# ---- JSONL lines built by SQLite -------------------------------------------------
#
# The canonical JSONL line of a record (``annotator.io.jsonl.dumps_record``) is made
# of JSON strings written by Python's C encoder, integers and stored JSON texts
# (attributes, document labels: written by ``json.dumps(..., ensure_ascii=False,
# sort_keys=True)``, which is what the line holds). SQLite's ``json_quote`` escapes
# exactly as that encoder does with ``ensure_ascii=False`` (``"``, ``\\``, ``\\b``,
# ``\\f``, ``\\n``, ``\\r``, ``\\t``, other control characters as lowercase
# ``\\u00xx``, nothing else), so SQLite can build every line in C and hand it over
# as UTF-8 bytes: Python only joins them. Spans with fragments (marked ``char(1)``,
# which JSON text never holds raw), and documents whose text holds a NUL character
# (which SQLite's ``substr`` stops at), are left to Python. The labels of a record's
# spans and relations come along (``char(31)``-separated, before a ``char(30)``) so
# the dataset card's counts cost no second pass. A test holds the result equal to
# ``write_jsonl``.

#: Separates the labels from the JSON in a line's span and relation columns.
LABELS_END = b"\x1e"
#: Separates labels from each other.
LABEL_SEP = b"\x1f"

_SPAN_JSON = (
    "CASE WHEN s.fragments IS NOT NULL THEN char(1) ELSE "  # fragments: left to Python
    "printf('{\"id\": %s, \"start\": %d, \"end\": %d, \"label\": %s, \"text\": %s, \"attrs\": %s}', "
    "json_quote(s.sid), s.start, s.\"end\", json_quote(s.label), "
    "json_quote(substr(d.text, s.start + 1, s.\"end\" - s.start)), s.attrs) END"
)
_RELATION_JSON = (
    "printf('{\"label\": %s, \"head\": %s, \"child\": %s}', "
    "json_quote(x.label), json_quote(x.head), json_quote(x.child))"
)
_LINE_HEAD = (
    "CAST('{\"id\": ' || json_quote(d.ext_id) || ', \"text\": ' || json_quote(d.text) "
    "|| ', \"meta\": {\"title\": ' || json_quote(d.title) || ', \"source\": ' || json_quote(d.source) "
    "|| ', \"url\": ' || json_quote(d.url) || ', \"published\": ' || json_quote(d.published) "
    "|| ', \"author\": ' || json_quote(d.author) "
    "|| '}, \"annotator\": ' || CASE WHEN @WHO = '' THEN 'null' ELSE json_quote(@WHO) END "
    "|| ', \"status\": ' || json_quote(d.status) || ', \"spans\": [' AS BLOB)"
)
_LINE_TAIL = "CAST('], \"labels\": ' || d.labels || '}' || char(10) AS BLOB), instr(d.text, char(0)) > 0"

#: One record's line: (document key, annotator, head up to ``"spans": [``, span labels +
#: LABELS_END + spans JSON, relation labels + LABELS_END + relations JSON, the tail
#: ``], "labels": {...}}`` with its newline, whether the text holds a NUL character).
LineRow = tuple[int, str, bytes, bytes, bytes, bytes, int]


def positions_follow_ids(project: Project) -> bool:
    """Whether walking documents by key (``key_ranges``) walks them in project order (the usual case)."""
    return _positions_follow_ids(project.conn)


jsonl_lines_supported = positions_follow_ids


def key_ranges(
    project: Project, *, statuses: Collection[str] | None = None, size: int = 500
) -> list[tuple[int, int]]:
    """The selected documents' keys cut into ranges of about ``size`` documents, in key order."""
    keys: list[int] | None = None
    if statuses is None:  # from the small index of the ``ext_id`` column, not the table (texts)
        with contextlib.suppress(sqlite3.OperationalError):  # no such index: read the table
            keys = _integers(
                project.conn.execute(
                    "SELECT group_concat(id) FROM documents INDEXED BY sqlite_autoindex_documents_1"
                )
            )
            keys.sort()
    if keys is None:
        args: list[Any] = []
        where = in_filter("status", statuses, args)
        keys = [r[0] for r in project.conn.execute(f"SELECT id FROM documents WHERE 1{where} ORDER BY id", args)]
    return [(keys[i], keys[min(i + size, len(keys)) - 1]) for i in range(0, len(keys), size)]


def iter_line_rows(
    conn: sqlite3.Connection,
    keys: tuple[int, int],
    *,
    statuses: Collection[str] | None = None,
    annotators: Collection[str] | None = None,
    owner: str | None = None,
) -> Iterator[LineRow]:
    """Every record's line pieces for the documents with keys in ``keys`` (inclusive), by key then annotator.

    A record per (document, annotator) with spans or relations (among
    ``annotators``), plus, when ``owner`` is given, an empty record of the
    owner's for each document nobody annotated. Documents in key order: see
    ``jsonl_lines_supported``. The span column is ``char(1)`` somewhere when a
    span has fragments; the last field is true when the text holds a NUL:
    both are left to Python (``document_rows``).
    """
    lo, hi = keys
    dargs: list[Any] = [lo, hi]
    dwhere = " AND d.id BETWEEN ? AND ?" + in_filter("d.status", statuses, dargs)
    pargs: list[Any] = [lo, hi]
    swhere = " AND doc BETWEEN ? AND ?" + in_filter("annotator", annotators, pargs)
    pargs += [lo, hi]
    rwhere = " AND doc BETWEEN ? AND ?" + in_filter("annotator", annotators, pargs)
    sql = (
        f"SELECT p.doc, p.annotator, {_LINE_HEAD.replace('@WHO', 'p.annotator')}, "
        "CAST(coalesce((SELECT group_concat(l, char(31)) || char(30) || group_concat(j, ', ') "
        f"FROM (SELECT s.label AS l, {_SPAN_JSON} AS j FROM spans s "
        "WHERE s.doc = p.doc AND s.annotator = p.annotator ORDER BY s.start, s.id)), char(30)) AS BLOB), "
        "CAST(coalesce((SELECT group_concat(l, char(31)) || char(30) || group_concat(j, ', ') "
        f"FROM (SELECT x.label AS l, {_RELATION_JSON} AS j FROM relations x "
        "WHERE x.doc = p.doc AND x.annotator = p.annotator ORDER BY x.id)), char(30)) AS BLOB), "
        f"{_LINE_TAIL} "
        f"FROM (SELECT doc, annotator FROM spans WHERE 1{swhere} "
        f"UNION SELECT doc, annotator FROM relations WHERE 1{rwhere}) p "
        f"JOIN documents d ON d.id = p.doc WHERE 1{dwhere}"
    )  # no ORDER BY: the UNION comes out in (doc, annotator) order (checked below; a sort
    # would hold every line)
    rows = _rows(conn.execute(sql, pargs + dargs))
    if owner is None:
        bare: Iterator[LineRow] = iter(())
    else:
        bare = _rows(
            conn.execute(
                f"SELECT d.id, ?1, {_LINE_HEAD.replace('@WHO', '?1')}, CAST(char(30) AS BLOB), "
                f"CAST(char(30) AS BLOB), {_LINE_TAIL} FROM documents d "
                "WHERE NOT EXISTS (SELECT 1 FROM spans x WHERE x.doc = d.id) "
                f"AND NOT EXISTS (SELECT 1 FROM relations y WHERE y.doc = d.id){dwhere} ORDER BY d.id",
                [owner, *dargs],
            )
        )
    nxt = next(bare, None)
    last: tuple[int, str] = (-1, "")
    for row in rows:
        while nxt is not None and nxt[0] < row[0]:
            yield nxt
            nxt = next(bare, None)
        key = (row[0], row[1])
        if key <= last:
            raise AnnotatorError("records out of document order")  # never seen
        last = key
        yield row
    while nxt is not None:
        yield nxt
        nxt = next(bare, None)


def document_rows(
    project: Project | sqlite3.Connection, pk: int, annotators: Collection[str] | None = None
) -> DocumentRows:
    """One document (by key) with its rows, as ``iter_document_rows`` gives them."""
    conn = project if isinstance(project, sqlite3.Connection) else project.conn
    doc = _doc(conn.execute(f"SELECT {_DOC_COLUMNS} FROM documents d WHERE d.id = ?", [pk]).fetchone())
    sargs: list[Any] = [pk]
    swhere = in_filter("s.annotator", annotators, sargs)
    spans = conn.execute(
        f"SELECT {_SPAN_COLUMNS}, s.doc FROM spans s WHERE s.doc = ?{swhere} ORDER BY s.start, s.id", sargs
    ).fetchall()
    rargs: list[Any] = [pk]
    rwhere = in_filter("r.annotator", annotators, rargs)
    relations = conn.execute(
        f"SELECT {_RELATION_COLUMNS}, r.doc FROM relations r WHERE r.doc = ?{rwhere} ORDER BY r.id", rargs
    ).fetchall()
    return DocumentRows(doc, spans, relations)


def label_counts(
    project: Project,
    *,
    statuses: Collection[str] | None = None,
    annotators: Collection[str] | None = None,
) -> tuple[list[tuple[str, str, int]], list[tuple[str, str, int]]]:
    """(annotator, label, spans) and (annotator, relation label, relations), with these filters."""
    out = []
    for table in ("spans", "relations"):
        args: list[Any] = []
        where = in_filter("t.annotator", annotators, args)
        if statuses is not None:
            where += " AND t.doc IN (SELECT d.id FROM documents d WHERE 1" + in_filter("d.status", statuses, args) + ")"
        out.append(
            [
                (r[0], r[1], int(r[2]))
                for r in project.conn.execute(
                    f"SELECT t.annotator, t.label, count(*) FROM {table} t WHERE 1{where} "
                    "GROUP BY t.annotator, t.label",
                    args,
                )
            ]
        )
    return out[0], out[1]
