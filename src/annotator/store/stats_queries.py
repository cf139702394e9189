"""The rows behind the dashboard, read with plain table scans (fast on 10,000 documents).

A quote's person is its SAID_BY speaker's ``person`` (or, with none, the
speaker's text), else the quote's own ``person`` attribute; role and
organisation come from the people register. Texts are sliced in Python
(SQLite's ``substr`` would re-read each document per quote).
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from annotator.core.stats import DocumentRow, QuoteRow
from annotator.store.project import Project


@lru_cache(maxsize=4096)
def _attrs(raw: str) -> dict[str, Any]:
    """Attribute JSON, parsed once per distinct string (they repeat a great deal)."""
    value = json.loads(raw)
    return value if isinstance(value, dict) else {}


def quote_rows(project: Project, annotator: str | None = None) -> list[QuoteRow]:
    conn = project.conn
    people = {p.name: p for p in project.people()}
    docs = {pk: (ext_id, source, text) for pk, ext_id, source, text in conn.execute(
        "SELECT id, ext_id, source, text FROM documents"
    )}
    who_filter, args = (" AND annotator = ?", [annotator]) if annotator else ("", [])
    speakers = {
        (doc, who, sid): (start, end, raw)
        for doc, who, sid, start, end, raw in conn.execute(
            'SELECT doc, annotator, sid, start, "end", attrs FROM spans WHERE label = ?'
            + who_filter,
            ["SPEAKER", *args],
        )
    }
    said_by = {
        (doc, who, head): child
        for doc, who, head, child in conn.execute(
            "SELECT doc, annotator, head, child FROM relations WHERE label = ?" + who_filter,
            ["SAID_BY", *args],
        )
    }
    rows: list[QuoteRow] = []
    append = rows.append
    for doc, who, sid, label, start, end, raw in conn.execute(
        'SELECT doc, annotator, sid, label, start, "end", attrs FROM spans '
        "WHERE label IN ('QUOTE', 'CLAIM')" + who_filter,
        args,
    ):
        ext_id, source, text = docs[doc]
        attrs = _attrs(raw)
        person = None
        child = said_by.get((doc, who, sid))
        if child is not None:
            speaker = speakers.get((doc, who, child))
            if speaker is not None:
                person = _attrs(speaker[2]).get("person") or text[speaker[0] : speaker[1]]
        if person is None:
            person = attrs.get("person")
        if person is not None:
            person = " ".join(str(person).split())
        known = people.get(person) if person else None
        quote = text[start:end]
        append(
            QuoteRow(
                ext_id,
                source,
                who,
                sid,
                label,
                quote,
                len(quote.split()),
                person,
                known.role if known else None,
                known.organisation if known else None,
                attrs.get("stance"),
                attrs.get("target"),
                attrs.get("kind"),
                attrs.get("checkworthy"),
            )
        )
    return rows


def document_rows(project: Project) -> list[DocumentRow]:
    counts: dict[int, list[tuple[str, int]]] = {}
    for doc, annotator, n in project.conn.execute(
        "SELECT doc, annotator, count(*) FROM spans GROUP BY doc, annotator"
    ):
        counts.setdefault(doc, []).append((annotator, n))
    owner = project.owner
    return [
        DocumentRow(ext_id, source, status, tuple(counts.get(pk, [(owner, 0)])))
        for pk, ext_id, source, status in project.conn.execute(
            "SELECT id, ext_id, source, status FROM documents ORDER BY position, id"
        )
    ]
