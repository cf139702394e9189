"""Bulk import: ``Project.add_records`` for many new documents, with a few statements in all.

``Project.add_records`` runs several statements per span and relation (it
merges into documents already present, so it checks each one). Most of an
import of a large dataset is new documents, whose spans need no merging:
``bulk_add_records`` inserts those with ``executemany`` in batches and hands
every other record (a document already in the project, or one annotator's
second record of a document) to ``Project.add_records``, in order, inside one
transaction. The rows written, the checks made and the errors raised are the
same as ``add_records``'; a test holds the two equal.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from annotator.core.errors import AnnotatorError
from annotator.core.model import validate_span
from annotator.store.project import (
    INSERT_DOCUMENT,
    ImportResult,
    Project,
    Record,
    _dumps,
    document_values,
)

_BATCH = 20_000
#: Page cache during a bulk import, in KiB (negative: PRAGMA cache_size counts KiB so).
_CACHE_KIB = -131072
#: ``_dumps`` (json.dumps(..., ensure_ascii=False, sort_keys=True)) without building an
#: encoder per call; the same text, as a test checks.
_ENCODE = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode
_ATTRS_MEMO_MAX = 4096


def _attrs_json(attrs: Any, memo: dict[tuple[Any, ...], tuple[str, tuple[type, ...]]]) -> str:
    if not attrs:
        return "{}"
    items = tuple(attrs.items())
    hit = memo.get(items)
    types = tuple(map(type, attrs.values()))
    # 1, 1.0 and True are equal (and hash equal) but print differently: compare types too
    if hit is not None and hit[1] == types:
        return hit[0]
    text = _ENCODE(dict(attrs))
    if len(memo) < _ATTRS_MEMO_MAX:
        memo[items] = (text, types)
    return text


def bulk_add_records(
    project: Project, records: Iterable[Record], *, validated: bool = False
) -> ImportResult:
    """Import records in one transaction, all or nothing (see ``Project.add_records``).

    ``validated``: every span was already checked against its document's text
    with ``validate_span`` (as the io readers do), so it is not checked again.
    """
    result = ImportResult()
    conn = project.conn
    # A larger page cache keeps the indexes' pages in memory while rows pour in
    # (restored afterwards: the connection's own setting).
    cache_before = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = {_CACHE_KIB}")
    try:
        return _bulk(project, records, result, validated)
    finally:
        conn.execute(f"PRAGMA cache_size = {int(cache_before)}")


def _bulk(
    project: Project, records: Iterable[Record], result: ImportResult, validated: bool
) -> ImportResult:
    conn = project.conn
    owner = project.owner
    spans: list[tuple[Any, ...]] = []
    relations: list[tuple[Any, ...]] = []
    fresh: dict[str, tuple[int, str]] = {}
    seen: set[tuple[int, str]] = set()
    memo: dict[tuple[Any, ...], tuple[str, tuple[type, ...]]] = {}

    def flush() -> None:
        try:
            if spans:
                conn.executemany(
                    'INSERT INTO spans (doc, sid, annotator, label, start, "end", fragments, attrs) '
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    spans,
                )
            if relations:
                before = conn.total_changes
                conn.executemany(
                    "INSERT OR IGNORE INTO relations (doc, annotator, label, head, child) "
                    "VALUES (?, ?, ?, ?, ?)",
                    relations,
                )
                result.relations_added += conn.total_changes - before
        except sqlite3.IntegrityError as e:  # a span id twice in one record
            raise AnnotatorError(f"a span id is used twice in one document ({e})") from None
        spans.clear()
        relations.clear()

    with project.transaction():
        position = int(conn.execute("SELECT coalesce(max(position), 0) FROM documents").fetchone()[0])
        present = {r[0] for r in conn.execute("SELECT ext_id FROM documents")}
        for rec in records:
            doc = rec.document
            annotator = rec.annotator or owner
            known = fresh.get(doc.id)
            if known is None:
                if doc.id in present:  # already in the project: merge, as add_records does
                    flush()
                    _merge(project, rec, result)
                    continue
                position += 1
                checksum = doc.checksum
                cur = conn.execute(INSERT_DOCUMENT, document_values(doc, position))
                pk = int(cur.lastrowid or 0)
                fresh[doc.id] = (pk, checksum)
                result.documents_added += 1
            else:
                pk, checksum = known
                if checksum != doc.checksum:
                    raise AnnotatorError(
                        f"document {doc.id!r} is already in the project with a different text; "
                        "nothing was imported (rename the document id to import it as a new one)"
                    )
                result.documents_unchanged += 1
                if (pk, annotator) in seen:  # this annotator's second record: merge
                    flush()
                    _merge(project, rec, result, counted=True)
                    continue
            seen.add((pk, annotator))
            length = len(doc.text)
            ids: set[str] = set()
            for span in rec.spans:
                if not validated:
                    validate_span(span, length, where=doc.id)
                if span.id in ids:
                    raise AnnotatorError(f"{doc.id}: span id {span.id!r} is already used")
                ids.add(span.id)
                spans.append(
                    (
                        pk,
                        span.id,
                        annotator,
                        span.label,
                        span.start,
                        span.end,
                        _dumps([list(f) for f in span.fragments]) if span.fragments else None,
                        _attrs_json(span.attrs, memo),
                    )
                )
            result.spans_added += len(rec.spans)
            for rel in rec.relations:
                for end in (rel.head, rel.child):
                    if end not in ids:
                        raise AnnotatorError(
                            f"{doc.id}: relation {rel.label} names a missing span {end!r}"
                        )
                if rel.head == rel.child:
                    raise AnnotatorError(f"{doc.id}: a span cannot be linked to itself")
                relations.append((pk, annotator, rel.label, rel.head, rel.child))
            if len(spans) >= _BATCH or len(relations) >= _BATCH:
                flush()
        flush()
    return result


def _merge(project: Project, rec: Record, result: ImportResult, *, counted: bool = False) -> None:
    part = project.add_records([rec])
    result.documents_added += part.documents_added
    if not counted:
        result.documents_unchanged += part.documents_unchanged
    result.spans_added += part.spans_added
    result.relations_added += part.relations_added


#: The stored JSON text of a span's attributes (``memo``: a dict the caller keeps).
attrs_json = _attrs_json


def next_document_keys(project: Project) -> tuple[int, int]:
    """The row id and position the next document added gets (as ``bulk_add_records`` gives them)."""
    row = project.conn.execute(
        "SELECT coalesce(max(id), 0) + 1, coalesce(max(position), 0) + 1 FROM documents"
    ).fetchone()
    return int(row[0]), int(row[1])


def insert_rows(
    project: Project,
    documents: Sequence[Sequence[Any]],
    spans: Sequence[Any],
    relations: Sequence[Any],
    *,
    fragments: bool = True,
) -> int:
    """Insert rows checked by the caller (new documents with their keys from
    ``next_document_keys``, counted on; their spans and relations); return the
    relations added (duplicates within a record are ignored, as ``add_records`` does).

    documents: rows of (id, ext_id, position, text, checksum, title, source, url,
    published, author, status, labels JSON, imported_at). Spans and relations are flat, their
    rows' values one after the other (no tuple per row): spans 8 values a row (doc, sid,
    annotator, label, start, end, fragments JSON, attrs JSON), or 7 without the
    fragments JSON when ``fragments`` is False (none has fragments); relations 5 (doc,
    annotator, label, head, child). They go in many rows per statement, in order: the
    same rows and row ids as one at a time, with a fraction of the per-row work.
    """
    conn = project.conn
    cache_before = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = {_CACHE_KIB}")
    try:
        with project.transaction():
            conn.executemany(
                "INSERT INTO documents (id, ext_id, position, text, checksum, title, source, url, "
                "published, author, status, labels, imported_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                documents,
            )
            if fragments:
                _insert_many(conn, _SPANS_INSERT, 8, spans)
            else:
                _insert_many(conn, _SPANS_INSERT_NO_FRAGMENTS, 7, spans)
            before = conn.total_changes
            _insert_many(conn, _RELATIONS_INSERT, 5, relations)
            return conn.total_changes - before
    finally:
        conn.execute(f"PRAGMA cache_size = {int(cache_before)}")


_SPANS_INSERT = 'INSERT INTO spans (doc, sid, annotator, label, start, "end", fragments, attrs) VALUES '
#: fragments left NULL (the column has no default)
_SPANS_INSERT_NO_FRAGMENTS = 'INSERT INTO spans (doc, sid, annotator, label, start, "end", attrs) VALUES '
_RELATIONS_INSERT = "INSERT OR IGNORE INTO relations (doc, annotator, label, head, child) VALUES "
#: Rows per INSERT statement in ``_insert_many`` (parameters: well under SQLite's limit).
_ROWS_PER_INSERT = 64


def _insert_many(conn: sqlite3.Connection, head: str, width: int, values: Sequence[Any]) -> None:
    """Insert rows of ``width`` values given flat, ``_ROWS_PER_INSERT`` rows per statement."""
    if len(values) % width:
        raise ValueError(f"{len(values)} values are not rows of {width}")
    one = "(" + ", ".join(["?"] * width) + ")"
    size = _ROWS_PER_INSERT * width
    whole = len(values) // size * size
    # zip(*[it] * n): n values at a time from one iterator, each tuple one statement's
    if whole:
        it = iter(values)
        chunks = zip(*[it] * size, strict=False)  # the whole chunks (a partial last one is dropped)
        conn.executemany(head + ", ".join([one] * _ROWS_PER_INSERT), chunks)
    if whole < len(values):
        rest = iter(values[whole:])
        conn.executemany(head + one, zip(*[rest] * width, strict=True))
