"""The plain-record fast path of a JSONL import writes exactly what the record path writes.

Each file is imported twice into fresh projects: as it is (plain records go straight
to rows) and with the fast path turned off (every record through ``record_from_dict``
and ``bulk_add_records``). Every row, the scheme, the people register and the report
must be the same; a file the record path refuses must be refused the same way.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

import annotator.io.importer as importer
from annotator.core.errors import AnnotatorError
from annotator.io.importer import import_paths
from annotator.resources import default_scheme
from annotator.store import open_project

TEXT = "Peskov said 'there is hope' today 😀, and \"nobody\" denied it."


def _span(sid: str, start: int, end: int, label: str = "QUOTE", **extra: Any) -> dict[str, Any]:
    return {"id": sid, "start": start, "end": end, "label": label, **extra}


def _record(doc_id: str, spans: list[Any], relations: list[Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {"id": doc_id, "text": TEXT, "spans": spans, "relations": relations or [], **extra}


def _records() -> list[dict[str, Any]]:
    """Plain records that trip easy shortcuts: equal attribute values of other types,
    attributes null, absent or in another key order, spans without text, repeated
    relations, a person register entry, and records the fast path leaves to the other."""
    quote = TEXT[12:26]
    return [
        _record(
            "a",
            [
                _span("q1", 12, 26, text=quote, attrs={"n": 1, "stance": "favor"}),
                _span("s1", 0, 6, "SPEAKER", text="Peskov", attrs={"person": "Dmitri Peskov"}),
                _span("c1", 28, 33, "CLAIM", attrs=None),
            ],
            [{"label": "SAID_BY", "head": "q1", "child": "s1"}] * 2,
            annotator="alice",
            meta={"title": "A", "source": None},
            labels={"stance": "favor", "n": 2},
        ),
        _record("b", [_span("q1", 12, 26, text=quote, attrs={"n": True, "stance": "favor"})], status="done"),
        _record("c", [_span("q1", 12, 26, attrs={"n": 1.0, "stance": "favor"})], labels={"n": True}),
        _record("d", [_span("q1", 12, 26, text=None, attrs={"stance": "favor", "n": "1"})], labels={"n": 2.0}),
        _record("e", [_span("q1", 12, 26, attrs={"n": None, "stance": "favor"})], labels={"stance": "favor"}),
        _record("f", [_span("q1", 12, 26)], annotator="bob"),  # no attrs at all
        # fragments: the record path; the same id from another annotator: merged there
        _record("g", [_span("q1", 1, 40, fragments=[[1, 8], [21, 40]])]),
        _record("a", [_span("q9", 12, 26, attrs={"n": 1})], annotator="bob"),
        _record("h", [_span("x1", 0, 6, "NEW_LABEL", attrs={"fresh": "yes", "ok": False})]),
        _record("i", [_span("x1", 0, 6, "NEW_LABEL", attrs={"ok": False, "fresh": "yes"})]),
        _record("j", [_span("s1", 0, 6, "SPEAKER", attrs={"person": "Vladimir Putin"})]),
        _record("k", []),
    ]


def _write(path: Path, records: list[Any]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def _rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(path)
    try:
        return {
            "documents": conn.execute(
                "SELECT id, ext_id, position, text, checksum, title, source, url, published, status, "
                "labels FROM documents ORDER BY id"
            ).fetchall(),
            "spans": conn.execute("SELECT * FROM spans ORDER BY id").fetchall(),
            "relations": conn.execute("SELECT * FROM relations ORDER BY id").fetchall(),
            "people": conn.execute("SELECT * FROM people ORDER BY id").fetchall(),
            "meta": conn.execute("SELECT key, value FROM meta WHERE key = 'scheme'").fetchall(),
        }
    finally:
        conn.close()


def _import(tmp_path: Path, name: str, source: Path, fast: bool, monkeypatch: pytest.MonkeyPatch) -> Any:
    with monkeypatch.context() as m:
        if not fast:
            m.setattr(importer, "_add_plain", lambda batch, d: False)
        with open_project(tmp_path / name, create=True, owner="owner", scheme=default_scheme()) as p:
            try:
                report = import_paths(p, [source])
            except AnnotatorError as e:
                report = f"error: {e}"
    return report, _rows(tmp_path / name)


def _both(tmp_path: Path, source: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    fast = _import(tmp_path, f"{source.stem}-fast.annotator", source, True, monkeypatch)
    plain = _import(tmp_path, f"{source.stem}-plain.annotator", source, False, monkeypatch)
    return fast, plain


def test_plain_rows_equal_the_record_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = _write(tmp_path / "mixed.jsonl", _records())
    (fast_report, fast_rows), (plain_report, plain_rows) = _both(tmp_path, source, monkeypatch)
    assert fast_rows == plain_rows
    assert fast_report == plain_report
    # 1, true, 1.0 and "1" stay apart
    stored = [row[8] for row in fast_rows["spans"] if row[2] == "q1"]
    assert stored[:5] == [
        '{"n": 1, "stance": "favor"}',
        '{"n": true, "stance": "favor"}',
        '{"n": 1.0, "stance": "favor"}',
        '{"n": "1", "stance": "favor"}',
        '{"n": null, "stance": "favor"}',
    ]
    assert [p[1] for p in fast_rows["people"]] == ["Dmitri Peskov", "Vladimir Putin"]


def test_plain_rows_from_many_records_in_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """More rows than one batch holds (and than one INSERT statement takes), in order."""
    monkeypatch.setattr(importer, "_FLUSH_PLAIN_VALUES", 7 * 150)
    records = []
    for i in range(120):
        spans = [
            _span(f"s{j}", j % 20, j % 20 + 5 + j % 7, ["QUOTE", "SPEAKER", "CLAIM"][j % 3], attrs={"k": f"v{j % 4}"})
            for j in range(i % 9)
        ]
        rels = [{"label": "SAID_BY", "head": f"s{j}", "child": f"s{j + 1}"} for j in range(max(0, i % 9 - 1))]
        records.append(_record(f"doc-{i}", spans, rels, labels={"stance": ["favor", "against"][i % 2]}))
    source = _write(tmp_path / "many.jsonl", records)
    (fast_report, fast_rows), (plain_report, plain_rows) = _both(tmp_path, source, monkeypatch)
    assert fast_report == plain_report
    assert fast_rows == plain_rows
    assert len(fast_rows["spans"]) == sum(i % 9 for i in range(120))


@pytest.mark.parametrize(
    "bad",
    [
        _span("q1", 12, 26, label=["QUOTE"]),
        _span("q1", 12, 26, attrs={"n": [1]}),
        _span("q1", 12, 26, attrs={"n": {"a": 1}}),
        _span("q1", 12, 26, attrs={"bad name": 1}),
        _span("q1", 12, 26, attrs=["n"]),
        _span("q1", 12, 26, text="not the text!"),
        _span("q1", 12, 26, text=14),
        _span("q1", 12, 99),
        _span("q1", 12, 12),
        _span("q1", 12.0, 26),
        _span("q1", True, 26),
        _span("", 12, 26),
        _span(["q1"], 12, 26),
        "q1",
    ],
)
def test_a_record_the_record_path_refuses_is_refused_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bad: Any
) -> None:
    good = _record("ok", [_span("q1", 12, 26, attrs={"n": "1"})])
    source = _write(tmp_path / "bad.jsonl", [good, _record("bad", [_span("s1", 0, 6, "SPEAKER"), bad])])
    (fast_report, fast_rows), (plain_report, plain_rows) = _both(tmp_path, source, monkeypatch)
    assert str(fast_report).startswith("error: ") and "line 2" in str(fast_report)
    assert fast_report == plain_report
    assert fast_rows == plain_rows
    assert fast_rows["documents"] == []  # nothing imported


@pytest.mark.parametrize(
    "relation",
    [
        {"label": ["SAID_BY"], "head": "q1", "child": "s1"},
        {"label": "SAID_BY", "head": ["q1"], "child": "s1"},
        {"label": "SAID_BY", "head": "q1", "child": "q1"},
        {"label": "SAID_BY", "head": "q1", "child": "zz"},
        {"label": "bad label", "head": "q1", "child": "s1"},
        ["SAID_BY", "q1", "s1"],
    ],
)
def test_a_bad_relation_is_refused_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, relation: Any) -> None:
    spans = [_span("q1", 12, 26), _span("s1", 0, 6, "SPEAKER")]
    source = _write(tmp_path / "rel.jsonl", [_record("ok", spans), _record("bad", spans, [relation])])
    (fast_report, fast_rows), (plain_report, plain_rows) = _both(tmp_path, source, monkeypatch)
    assert str(fast_report).startswith("error: ") and "line 2" in str(fast_report)
    assert fast_report == plain_report
    assert fast_rows == plain_rows
