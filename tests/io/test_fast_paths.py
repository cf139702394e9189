"""The fast export and import paths give exactly what the plain paths give, edge cases included."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.core.errors import AnnotatorError
from annotator.core.model import Document, DocumentMeta, Relation, Span
from annotator.io.export import export_project
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
