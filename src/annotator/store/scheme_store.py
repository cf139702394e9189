"""``SchemeStoreMixin``: the project file as ``core.scheme_edits.SchemeRepository``.

Mixed into ``Project`` (it uses ``self.db``, ``self._pk`` and ``Project``'s
``scheme``/``set_scheme``/``set_document_labels``). Attributes are rewritten
in Python and stored with the same serialisation as ``project.py``
(``json.dumps(ensure_ascii=False, sort_keys=True)``), never with SQLite's
``json_set``, so a rewritten row reads back byte for byte like one written by
the editor. Removed spans and relations are returned with their row keys and
restored under the same keys, so lists ordered by row come back in order.

Every method runs inside the caller's transaction (``Project.execute``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from annotator.core.commands import SpanRef
from annotator.core.errors import AnnotatorError
from annotator.core.model import AttrValue, Relation, Span

if TYPE_CHECKING:
    from sqlite_utils import Database

    from annotator.core.scheme_edits import (
        RemovedAnnotations,
        SpanAttrs,
        SpanRow,
        StoredSpan,
    )

# annotator.core.scheme_edits is imported where its classes are built, not at start-up:
# the main window opens without paying for the scheme editor.


def _edits() -> Any:
    from annotator.core import scheme_edits

    return scheme_edits


def _dumps(value: Any) -> str:
    # the same text as store.project._dumps (not imported: project.py will import this module)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


_SPAN_COLUMNS = 's.id, d.ext_id, s.sid, s.annotator, s.label, s.start, s."end", s.fragments, s.attrs'


class SchemeStoreMixin:
    """Project-wide reads and rewrites that scheme edits need (see ``SchemeRepository``)."""

    if TYPE_CHECKING:
        db: Database

        def _pk(self, doc_id: str) -> int: ...

    # ---- reads --------------------------------------------------------
    def span_rows(self, label: str | None = None) -> list[SpanRow]:
        sql = (
            "SELECT d.ext_id, s.sid, s.annotator, s.label, s.attrs "
            "FROM spans s JOIN documents d ON d.id = s.doc"
        )
        args: list[Any] = []
        if label is not None:
            sql += " WHERE s.label = ?"
            args.append(label)
        sql += " ORDER BY d.position, d.id, s.start, s.id"
        return [
            _edits().SpanRow(document=r[0], id=r[1], annotator=r[2], label=r[3], attrs=json.loads(r[4]))
            for r in self.db.execute(sql, args)
        ]

    def relation_counts(self) -> dict[str, int]:
        rows = self.db.execute("SELECT label, count(*) FROM relations GROUP BY label ORDER BY label")
        return {r[0]: int(r[1]) for r in rows}

    def all_document_labels(self) -> dict[str, dict[str, AttrValue]]:
        rows = self.db.execute("SELECT ext_id, labels FROM documents ORDER BY position, id")
        return {r[0]: dict(json.loads(r[1])) for r in rows}

    # ---- rewrites -----------------------------------------------------
    def set_span_label(self, refs: Sequence[SpanRef], label: str) -> None:
        for doc_id, sid, annotator in refs:
            self.db.execute(
                "UPDATE spans SET label = ? WHERE doc = ? AND sid = ? AND annotator = ?",
                [label, self._pk(doc_id), sid, annotator],
            )

    def set_span_attrs(self, rows: Sequence[SpanAttrs]) -> None:
        for (doc_id, sid, annotator), attrs in rows:
            self.db.execute(
                "UPDATE spans SET attrs = ? WHERE doc = ? AND sid = ? AND annotator = ?",
                [_dumps(dict(attrs)), self._pk(doc_id), sid, annotator],
            )

    # set_document_labels(doc_id, labels) is Project's own.

    # ---- removal and exact restore ------------------------------------
    def remove_spans_with_label(self, label: str) -> RemovedAnnotations:
        spans = [
            _stored_span(r)
            for r in self.db.execute(
                f"SELECT {_SPAN_COLUMNS} FROM spans s JOIN documents d ON d.id = s.doc "
                "WHERE s.label = ? ORDER BY s.id",
                [label],
            )
        ]
        relations = [
            _edits().StoredRelation(document=r[1], key=int(r[0]), relation=Relation(r[2], r[3], r[4], r[5]))
            for r in self.db.execute(
                "SELECT r.id, d.ext_id, r.label, r.head, r.child, r.annotator "
                "FROM relations r JOIN documents d ON d.id = r.doc "
                "WHERE EXISTS (SELECT 1 FROM spans s WHERE s.doc = r.doc AND s.annotator = r.annotator "
                "AND s.label = ? AND (s.sid = r.head OR s.sid = r.child)) ORDER BY r.id",
                [label],
            )
        ]
        for rel in relations:
            self.db.execute("DELETE FROM relations WHERE id = ?", [rel.key])
        for stored in spans:
            self.db.execute("DELETE FROM spans WHERE id = ?", [stored.key])
        return _edits().RemovedAnnotations(spans=tuple(spans), relations=tuple(relations))

    def restore_annotations(self, removed: RemovedAnnotations) -> None:
        for stored in removed.spans:
            span = stored.span
            values = [
                self._pk(stored.document),
                span.id,
                span.annotator,
                span.label,
                span.start,
                span.end,
                _dumps([list(f) for f in span.fragments]) if span.fragments else None,
                _dumps(dict(span.attrs)),
            ]
            self._insert_with_key(
                "spans",
                stored.key,
                'doc, sid, annotator, label, start, "end", fragments, attrs',
                values,
                f"{stored.document}: span id {span.id!r} of {span.annotator} is already used",
            )
        for stored_rel in removed.relations:
            rel = stored_rel.relation
            self._insert_with_key(
                "relations",
                stored_rel.key,
                "doc, annotator, label, head, child",
                [self._pk(stored_rel.document), rel.annotator, rel.label, rel.head, rel.child],
                f"{stored_rel.document}: relation {rel.label} {rel.head} -> {rel.child} already exists",
            )

    def _insert_with_key(
        self, table: str, key: int, columns: str, values: list[Any], clash: str
    ) -> None:
        """Insert under row key ``key`` when it is free (it is, when undone in order)."""
        taken = self.db.execute(f"SELECT 1 FROM {table} WHERE id = ?", [key]).fetchone()
        marks = ", ".join("?" for _ in values)
        try:
            if taken is None:
                self.db.execute(
                    f"INSERT INTO {table} (id, {columns}) VALUES (?, {marks})", [key, *values]
                )
            else:
                self.db.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", values)
        except sqlite3.IntegrityError:  # the (doc, annotator, sid) key is taken meanwhile
            raise AnnotatorError(clash) from None


def _stored_span(r: Sequence[Any]) -> StoredSpan:
    frags = json.loads(r[7]) if r[7] else None
    attrs: Mapping[str, AttrValue] = json.loads(r[8])
    span = Span(
        id=r[2],
        start=int(r[5]),
        end=int(r[6]),
        label=r[4],
        attrs=attrs,
        fragments=tuple((int(a), int(b)) for a, b in frags) if frags else None,
        annotator=r[3],
    )
    return _edits().StoredSpan(document=r[1], key=int(r[0]), span=span)
