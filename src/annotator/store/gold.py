"""``GoldStoreMixin``: a gold project's adjudication queue and provenance (schema step 0003).

Mixed into ``Project`` (it uses ``self.conn``, ``self._pk`` and ``self.owner``),
it makes the project a ``core.adjudication.GoldRepository``. The methods run
inside the caller's transaction (``Project.execute``); the bulk writer
``write_gold`` runs inside the transaction that creates a gold project.

``has_queue`` and ``queue_counts`` are plain functions on a connection, so
the main window can ask any project (mixin or not) whether it is a gold one.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from annotator.core.errors import AnnotatorError
from annotator.core.model import Relation, Span, validate_span

if TYPE_CHECKING:
    from annotator.core.adjudication import Provenance, QueueItem
    from annotator.store.project import Project


def _adj() -> Any:
    """core.adjudication, imported when a gold project is used (not at every start-up)."""
    from annotator.core import adjudication

    return adjudication


def _dumps(value: Any) -> str:
    # the same text as store.project._dumps
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


_ITEM_COLUMNS = (
    'a.id, d.ext_id, a.position, a.kind, a.start, a."end", a.description, a.candidates, '
    "a.state, a.chosen, a.decided_by, a.decided_at"
)


def _item_from_row(r: tuple[Any, ...]) -> QueueItem:
    return _adj().QueueItem(
        id=int(r[0]),
        document=str(r[1]),
        position=int(r[2]),
        kind=str(r[3]),
        start=int(r[4]),
        end=int(r[5]),
        description=str(r[6]),
        candidates=_adj().candidates_from_json(r[7]),
        state=str(r[8]),
        chosen=tuple(json.loads(r[9])) if r[9] else (),
        decided_by=r[10],
        decided_at=r[11],
    )


def _has_tables(conn: sqlite3.Connection) -> bool:
    row = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'adjudication'"
    ).fetchone()
    return bool(row[0])


def queue_counts(conn: sqlite3.Connection) -> tuple[int, int]:
    """(open items, all items) of a project's adjudication queue; (0, 0) when it has none."""
    if not _has_tables(conn):
        return 0, 0
    row = conn.execute(
        "SELECT coalesce(sum(state = 'open'), 0), count(*) FROM adjudication"
    ).fetchone()
    return int(row[0]), int(row[1])


def has_queue(conn: sqlite3.Connection) -> bool:
    """Whether the project is a gold project with an adjudication queue (decided or not)."""
    if not _has_tables(conn):
        return False
    return conn.execute("SELECT 1 FROM adjudication LIMIT 1").fetchone() is not None


class GoldStoreMixin:
    """The adjudication queue and provenance of a gold project (see ``GoldRepository``)."""

    if TYPE_CHECKING:
        conn: sqlite3.Connection

        @property
        def owner(self) -> str: ...

        def _pk(self, doc_id: str) -> int: ...

    # ---- the queue -------------------------------------------------------
    def adjudication_items(
        self, *, state: str | None = None, document: str | None = None
    ) -> list[QueueItem]:
        """Every queue item in order (or only those in ``state``, e.g. "open", or of one document)."""
        sql = f"SELECT {_ITEM_COLUMNS} FROM adjudication a JOIN documents d ON d.id = a.doc WHERE 1"
        args: list[Any] = []
        if state is not None:
            sql += " AND a.state = ?"
            args.append(state)
        if document is not None:
            sql += " AND a.doc = ?"
            args.append(self._pk(document))
        return [_item_from_row(r) for r in self.conn.execute(sql + " ORDER BY a.position", args)]

    def adjudication_item(self, item_id: int) -> QueueItem:
        row = self.conn.execute(
            f"SELECT {_ITEM_COLUMNS} FROM adjudication a JOIN documents d ON d.id = a.doc "
            "WHERE a.id = ?",
            [item_id],
        ).fetchone()
        if row is None:
            raise AnnotatorError(f"no adjudication item {item_id}")
        return _item_from_row(row)

    def adjudication_states(self) -> list[tuple[int, str]]:
        """(item id, state) of every item in queue order: cheap, for stepping through."""
        return [
            (int(r[0]), str(r[1]))
            for r in self.conn.execute("SELECT id, state FROM adjudication ORDER BY position")
        ]

    def set_item_decision(
        self,
        item_id: int,
        state: str,
        chosen: Sequence[str],
        decided_by: str | None,
        decided_at: str | None,
    ) -> None:
        self.conn.execute(
            "UPDATE adjudication SET state = ?, chosen = ?, decided_by = ?, decided_at = ? "
            "WHERE id = ?",
            [
                state,
                _dumps(list(chosen)) if state != "open" else None,
                decided_by,
                decided_at,
                item_id,
            ],
        )

    # ---- provenance ------------------------------------------------------
    def insert_provenance(self, doc_id: str, provenance: Provenance) -> None:
        p = provenance
        try:
            self.conn.execute(
                "INSERT INTO provenance (doc, annotator, sid, sources, decision, decided_by, "
                "decided_at, item) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    self._pk(doc_id),
                    p.annotator or self.owner,
                    p.sid,
                    _dumps(dict(p.sources)),
                    p.decision,
                    p.decided_by,
                    p.decided_at,
                    p.item,
                ],
            )
        except sqlite3.IntegrityError:
            raise AnnotatorError(f"{doc_id}: span {p.sid!r} already has a provenance") from None

    def delete_provenance(self, doc_id: str, sid: str) -> None:
        self.conn.execute(
            "DELETE FROM provenance WHERE doc = ? AND annotator = ? AND sid = ?",
            [self._pk(doc_id), self.owner, sid],
        )

    def provenance(self, doc_id: str) -> list[Provenance]:
        """The provenance of the owner's spans of a document, in row order."""
        return [
            _adj().Provenance(
                sid=r[0],
                sources=json.loads(r[1]),
                decision=r[2],
                decided_by=r[3],
                decided_at=r[4],
                item=r[5],
                annotator=r[6],
            )
            for r in self.conn.execute(
                "SELECT sid, sources, decision, decided_by, decided_at, item, annotator "
                "FROM provenance WHERE doc = ? AND annotator = ? ORDER BY id",
                [self._pk(doc_id), self.owner],
            )
        ]

    def gold_sources(self, doc_id: str) -> dict[str, dict[str, str]]:
        """Gold span id -> {annotator: their span id} for one document."""
        return {
            str(r[0]): json.loads(r[1])
            for r in self.conn.execute(
                "SELECT sid, sources FROM provenance WHERE doc = ? AND annotator = ? ORDER BY id",
                [self._pk(doc_id), self.owner],
            )
        }


# ---- bulk writing (creating a gold project) ---------------------------------------------


def write_gold(
    project: Project,
    spans: Iterable[tuple[str, Span]],
    relations: Iterable[tuple[str, Relation]],
    provenance: Iterable[tuple[str, Provenance]],
    items: Iterable[tuple[str, QueueItem]],
) -> None:
    """Store the agreed gold (owner's spans and relations), their provenance and the queue.

    Each row comes as (document id, value); the documents are already in the
    project. Spans are checked against their text (``validate_span``) and
    written in bulk with the same serialisation as ``Project.insert_span``.
    Runs in the caller's transaction; ``QueueItem.id`` is ignored (rows get new ids).
    """
    conn = project.conn
    owner = project.owner
    pk = project._pk

    def span_row(doc_id: str, span: Span) -> list[Any]:
        doc = pk(doc_id)
        validate_span(span, project.text_length(doc_id), where=doc_id)
        return [
            doc,
            span.id,
            span.annotator or owner,
            span.label,
            span.start,
            span.end,
            _dumps([list(f) for f in span.fragments]) if span.fragments else None,
            _dumps(dict(span.attrs)) if span.attrs else "{}",
        ]

    conn.executemany(
        'INSERT INTO spans (doc, sid, annotator, label, start, "end", fragments, attrs) '
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (span_row(doc_id, span) for doc_id, span in spans),
    )
    conn.executemany(
        "INSERT OR IGNORE INTO relations (doc, annotator, label, head, child) "
        "VALUES (?, ?, ?, ?, ?)",
        ([pk(doc_id), r.annotator or owner, r.label, r.head, r.child] for doc_id, r in relations),
    )
    conn.executemany(
        'INSERT INTO adjudication (doc, position, kind, start, "end", description, candidates, '
        "state, chosen, decided_by, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            [
                pk(doc_id),
                it.position,
                it.kind,
                it.start,
                it.end,
                it.description,
                _adj().candidates_to_json(it.candidates),
                it.state,
                _dumps(list(it.chosen)) if it.state != "open" else None,
                it.decided_by,
                it.decided_at,
            ]
            for doc_id, it in items
        ),
    )
    conn.executemany(
        "INSERT INTO provenance (doc, annotator, sid, sources, decision, decided_by, "
        "decided_at, item) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            [
                pk(doc_id),
                p.annotator or owner,
                p.sid,
                _dumps(dict(p.sources)),
                p.decision,
                p.decided_by,
                p.decided_at,
                p.item,
            ]
            for doc_id, p in provenance
        ),
    )
