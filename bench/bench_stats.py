"""The dashboard's numbers for 10,000 documents in under 1 s (``annotator stats`` and the charts).

Builds a project of 10,000 copies of the annotated sample article (85 spans
and 60 links each: 850,000 spans), then times the two queries and the
aggregation that both the dashboard and ``annotator stats`` run.

    .venv/bin/python bench/bench_stats.py [--documents N]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from annotator.core.stats import compute
from annotator.io.jsonl import read_jsonl
from annotator.resources import default_scheme, seeds_dir
from annotator.store import open_project
from annotator.store.project import Record
from annotator.store.stats_queries import document_rows, quote_rows

TARGET_S = 1.0


def build(path: Path, n: int, quotes: int | None = None) -> None:
    """``n`` copies of the demo; with ``quotes``, only its first quotes and their linked spans."""
    (demo,) = list(read_jsonl(seeds_dir() / "demo" / "ceasefire-talks.jsonl"))
    if quotes is not None:
        keep_q = {s.id for s in demo.spans if s.label == "QUOTE"}
        keep_q = set(sorted(keep_q, key=lambda i: int(i[1:]))[:quotes])
        rels = tuple(r for r in demo.relations if r.head in keep_q)
        keep = keep_q | {r.child for r in rels}
        demo = Record(demo.document, demo.annotator, tuple(s for s in demo.spans if s.id in keep), rels)
    with open_project(path, create=True, owner="bench", scheme=default_scheme()) as project:
        project.add_records([Record(demo.document, "demo", demo.spans, demo.relations)])
        project.ensure_people(str(s.attrs["person"]) for s in demo.spans if s.attrs.get("person"))
        conn = project.conn
        doc = conn.execute("SELECT text, checksum, title, source FROM documents").fetchone()
        spans = conn.execute(
            'SELECT sid, annotator, label, start, "end", fragments, attrs FROM spans'
        ).fetchall()
        rels = conn.execute("SELECT annotator, label, head, child FROM relations").fetchall()
        conn.execute("BEGIN")
        for i in range(2, n + 1):
            cur = conn.execute(
                "INSERT INTO documents (ext_id, position, text, checksum, title, source, status, "
                "labels, imported_at) VALUES (?, ?, ?, ?, ?, ?, 'done', '{}', '')",
                [f"doc-{i}", i, doc[0], doc[1], doc[2], f"Outlet {i % 7}"],
            )
            pk = cur.lastrowid
            conn.executemany(
                'INSERT INTO spans (doc, sid, annotator, label, start, "end", fragments, attrs) '
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(pk, *s) for s in spans],
            )
            conn.executemany(
                "INSERT INTO relations (doc, annotator, label, head, child) VALUES (?, ?, ?, ?, ?)",
                [(pk, *r) for r in rels],
            )
        conn.execute("COMMIT")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=10_000)
    args = parser.parse_args()
    for quotes, what in ((8, "8 attributed quotes per document (a typical article)"),
                         (None, "the whole demo per document: 27 quotes, 85 spans (worst case)")):
        measure(args.documents, quotes, what)


def measure(n_docs: int, quotes: int | None, what: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "stats.annotator"
        t0 = time.perf_counter()
        build(path, n_docs, quotes)
        print(f"built {n_docs:,} documents, {what}, in {time.perf_counter() - t0:.1f} s")
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            with open_project(path, readonly=True) as project:
                stats = compute(quote_rows(project), document_rows(project))
            times.append(time.perf_counter() - t0)
        best = min(times)
        print(f"  quotes counted: {stats['quotes']:,}; top: {json.dumps(stats['people'][0])}")
        print(f"  dashboard numbers for {n_docs:,} documents: {best:.2f} s (best of 3)  "
              f"target < {TARGET_S:.1f} s  ratio {best / TARGET_S:.2f}  {'ok' if best < TARGET_S else 'SLOW'}")


if __name__ == "__main__":
    main()
