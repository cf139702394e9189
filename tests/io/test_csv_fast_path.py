"""The ``csv`` export's fast path writes exactly what the plain row-by-row writer writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from annotator.core.model import Document, DocumentMeta, Relation, Span
from annotator.io import csv_export
from annotator.io.context import CsvOptions
from annotator.io.csv_export import _SENTENCE_END, sentence_bounds
from annotator.io.export import export_project
from annotator.resources import default_scheme
from annotator.store import Project, open_project
from annotator.store.project import Record


def make_project(path: Path, records: list[Record]) -> Project:
    project = open_project(path, create=True, owner="alice", scheme=default_scheme())
    project.add_records(records)
    return project


TEXTS = {
    "plain": 'Peskov said "there is hope, really" today. Mr. Smith left.\nNew line here! Why? Yes\u2026 ok',
    "formula": "=SUM(A1) starts it. +1 more. -2 less. @here now.\t\ttabbed.\r\nCRLF line, and more.",
    "emoji": "Caf\u0065\u0301 \U0001f600 said: \u00abok\u00bb. \U0001f469\u200d\U0001f4bb codes; U.S. talks, end.",
    "nul": "before\x00after: 'a quote' \U0001f600 end. Next one.",
    "frag": '"The war," he said, "must end." Then he left, quickly.',
    "two": "Alice and Bob said: we agree, fully. Nobody else spoke.",
    "empty": "Nobody annotated this one. It stays empty.",
    "comma,id": "A title with a comma. And text.",
    "sep": "A span id with a separator. Fine.",
}


def _span(text: str, sid: str, needle: str, label: str, **attrs: Any) -> Span:
    start = text.index(needle)
    return Span(sid, start, start + len(needle), label, attrs)


def _records() -> list[Record]:
    recs: list[Record] = []
    for doc_id, text in TEXTS.items():
        title = {
            "formula": "=HYPERLINK(x)",
            "emoji": 'T\u00eftle, "quoted" \U0001f600',
            "plain": None,
        }.get(doc_id, f"Title {doc_id}")
        status = "done" if doc_id in ("plain", "emoji", "two", "nul") else "todo"
        doc = Document(doc_id, text, DocumentMeta(title=title), status=status)
        if doc_id == "empty":
            recs.append(Record(doc, "alice", (), ()))
            continue
        if doc_id == "sep":
            recs.append(
                Record(doc, "alice", (Span("a\x1fb", 0, 4, "QUOTE"), Span("c", 2, 9, "CUE")), ())
            )
            continue
        if doc_id == "frag":
            spans: tuple[Span, ...] = (
                Span("q1", 1, 29, "QUOTE", fragments=((1, 8), (21, 29))),
                _span(text, "s1", "he", "SPEAKER", person="Him"),
            )
            recs.append(Record(doc, "alice", spans, (Relation("SAID_BY", "q1", "s1"),)))
            continue
        words = [w for w in text.replace("\x00", " ").split(" ") if w.strip()]
        spans = (
            _span(text, "q1", words[1], "QUOTE", stance="favor", kind="direct", score=0.5, ok=True),
            _span(text, "s1", words[0], "SPEAKER", person='=Evil, "Person"\n'),
            _span(text, "s2", words[2], "SPEAKER", person="Second"),
            _span(text, "-c1", words[3], "CLAIM", checkworthy=None, extra=[1, 2]),
            _span(text, "c2", words[-1], "CLAIM", person=3),
            _span(text, "v1", words[4], "CUE"),
            Span("e1", 0, 1, "CUE"),
            Span("all", 0, len(text), "CLAIM", {"note": "x\u2028y", "other": {"k": "v"}}),
        )
        rels = (
            Relation("SAID_BY", "q1", "s2"),
            Relation("SAID_BY", "q1", "s1"),  # two speakers for one quote, in relation order
            Relation("SAID_BY", "all", "s1"),
            Relation("CUED_BY", "q1", "v1"),
        )
        recs.append(Record(doc, "alice", spans, rels))
        if doc_id in ("plain", "two", "emoji", "nul"):
            recs.append(Record(doc, "=bob, jr", spans[:3], rels[:1]))
        if doc_id == "emoji":  # names beyond ASCII: the fast path writes their UTF-8 bytes
            wide = (
                _span(text, "é1", words[1], "CITÉ", kind="naïve \U0001f600"),
                _span(text, "s\u00e9", words[0], "SPEAKER", person="Володимир Зеленський"),
            )
            recs.append(Record(doc, "Zoë", wide, (Relation("SAID_BY", "é1", "s\u00e9"),)))
        if doc_id == "two":
            odd = (
                Span("z", 3, 9, "Odd,Label", {"person": "P\x1fQ"}),
                # speakers whose person is not plain text: str() of it, as the plain writer
                Span("n", 10, 14, "SPEAKER", {"person": 3}),
                Span("m", 15, 20, "SPEAKER", {"person": "N\x00L,\x1f"}),
                Span("b", 21, 25, "SPEAKER", {"person": [1, "a,b"]}),
                Span("t", 26, 30, "SPEAKER", {"person": True}),
                Span("u", 31, 35, "SPEAKER", {"person": None, "x": 1}),
            )
            said = [Relation("SAID_BY", h, c) for h, c in ("zn", "zm", "zb", "mt", "nu", "bn")]
            recs.append(Record(doc, "carol", odd, tuple(said)))
    return recs


@pytest.fixture
def tricky(tmp_path: Path) -> Project:
    project = make_project(tmp_path / "tricky.annotator", _records())
    yield project
    project.close()


def _export(
    project: Project, out: Path, fast: bool, monkeypatch: pytest.MonkeyPatch, **kw: Any
) -> tuple[bytes, str]:
    with monkeypatch.context() as m:
        if not fast:
            m.setattr(csv_export, "_fast_spans_supported", lambda ctx: False)
        report = export_project(project, "csv", out, **kw)
    card = out.with_name(out.name + ".card.md").read_text(encoding="utf-8")
    card = "\n".join(line for line in card.splitlines()[4:] if out.name not in line)
    return (
        out.read_bytes(),
        f"{report.documents} {report.records} {report.spans} {report.relations}\n{card}",
    )


FILTERS: list[dict[str, Any]] = [
    {},
    {"csv_options": CsvOptions(bom=True)},
    {"csv_options": CsvOptions(guard_formulas=False)},
    {"csv_options": CsvOptions(guard_formulas=False, bom=True)},
    {"statuses": ["done"]},
    {"statuses": ["todo"]},
    {"annotators": ["=bob, jr"]},
    {"annotators": ["alice", "carol"]},
    {"annotators": ["bob"]},
    {"annotators": []},
    {"labels": ["QUOTE", "SPEAKER"]},
    {"doc_ids": ["two", "plain"]},
    {"statuses": ["done"], "annotators": ["alice"]},
]


@pytest.mark.parametrize("chunk", [250, 1, 3])
@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(f) or "all")
def test_fast_csv_equals_the_row_by_row_writer(
    tricky: Project,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    filters: dict[str, Any],
    chunk: int,
) -> None:
    """In chunks of one document, of three, and all at once (a chunk with "sep" is all plain)."""
    monkeypatch.setattr(csv_export, "_CHUNK_DOCUMENTS", chunk)
    fast = _export(tricky, tmp_path / "fast.csv", True, monkeypatch, **filters)
    plain = _export(tricky, tmp_path / "plain.csv", False, monkeypatch, **filters)
    assert fast[0] == plain[0]
    assert fast[1] == plain[1]  # the card: counts per label and annotator


@pytest.mark.parametrize("chunk", [1, 4, 250])
def test_fast_path_serves_plain_documents_and_leaves_the_rest_to_python(
    tricky: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    left: list[str] = []
    rows = csv_export._SpanRows.rows

    def spy_rows(self: Any, records: Any) -> Any:
        left.append(records[0].document.id)
        return rows(self, records)

    monkeypatch.setattr(csv_export._SpanRows, "rows", spy_rows)
    monkeypatch.setattr(csv_export, "_CHUNK_DOCUMENTS", chunk)
    export_project(tricky, "csv", tmp_path / "x.csv")
    if chunk == 250:
        # a separator inside a value ("sep") sends its whole chunk to the row-by-row writer
        assert set(left) == set(TEXTS) - {"empty"}
    else:
        # fragments, a NUL in the text, a separator inside a value ("sep" is alone in its
        # chunk of 4); "two" (speakers whose person is a number, a list, true, null or holds
        # NUL or a separator) is served by the fast path
        assert set(left) == {"frag", "nul", "sep"}
        assert "two" not in left and "plain" not in left and "emoji" not in left


def test_fast_csv_on_a_larger_random_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import random

    rng = random.Random(5)
    pieces = ["Mr. Lee said, \"no\".", "=1+2 is it?", "U.S. aid\u2026 ends!", "Caf\u00e9 \U0001f600 ok.", "line\nbreak", "tab\there.", "-minus", "@at", " ", "\r\n"]  # fmt: skip
    recs = []
    for d in range(40):
        text = " ".join(rng.choice(pieces) for _ in range(rng.randrange(3, 15)))
        spans = []
        for i in range(rng.randrange(0, 12)):
            a = rng.randrange(0, len(text))
            b = rng.randrange(a + 1, len(text) + 1)
            label = rng.choice(["QUOTE", "SPEAKER", "CUE", "CLAIM"])
            attrs = rng.choice(
                [{}, {"person": rng.choice(["Ann", "=B", "C,D"])}, {"stance": "favor"}]
            )
            spans.append(Span(f"{label[0].lower()}{i}", a, b, label, attrs))
        rels = []
        for s in spans:
            if s.label == "QUOTE":
                for t in spans:
                    if t.label == "SPEAKER" and rng.random() < 0.5:
                        rels.append(Relation("SAID_BY", s.id, t.id))
        doc = Document(f"d{d}", text, DocumentMeta(title=rng.choice(["t", "=t", "a,b", None])))
        recs.append(Record(doc, rng.choice(["alice", "bob"]), tuple(spans), tuple(rels)))
    project = make_project(tmp_path / "r.annotator", recs)
    try:
        for kw in ({}, {"csv_options": CsvOptions(guard_formulas=False)}):
            fast = _export(project, tmp_path / "f.csv", True, monkeypatch, **kw)
            plain = _export(project, tmp_path / "p.csv", False, monkeypatch, **kw)
            assert fast == plain
    finally:
        project.close()


def test_sentence_pattern_equals_the_original(tmp_path: Path) -> None:
    import random
    import re

    from annotator.io.csv_export import _ABBREVIATIONS

    by_length: dict[int, list[str]] = {}
    for word in sorted(_ABBREVIATIONS):
        by_length.setdefault(len(word), []).append(re.escape(word))
    not_after = "".join(
        rf"(?<!\b(?:{'|'.join(words)})\.)" for _, words in sorted(by_length.items())
    )
    original = re.compile(
        rf"(?:\.(?<!\b\w\.){not_after}|[!?\u2026])[.!?\u2026]*[\"'\u201d\u2019\u00bb)\]]*(?=\s)",
        re.IGNORECASE,
    )
    rng = random.Random(3)
    alphabet = ["a", "b", "Mr", "DR", "etc", "U", "S", ".", ".", "!", "?", "\u2026", '"', "'", "\u201d", ")", "]", " ", "\n", "\u00e9", "\u017ft", "\u212a"]  # fmt: skip
    for k in range(6000):
        letters = alphabet if k % 2 else [c for c in alphabet if c not in "!?\u2026"]
        text = "".join(rng.choice(letters) for _ in range(rng.randrange(0, 30)))
        assert [m.end() for m in _SENTENCE_END.finditer(text)] == [
            m.end() for m in original.finditer(text)
        ], text
        ends = [m.end() for m in original.finditer(text)]
        expected = [
            *sorted([0, *ends, *(x for m in re.finditer(r"\n+", text) for x in m.span())]),
            len(text),
        ]
        assert sentence_bounds(text) == expected, text


def test_readonly_project_takes_the_fast_path(tricky: Project, tmp_path: Path) -> None:
    path = tricky.path
    tricky.close()
    with open_project(path, readonly=True) as p:
        export_project(p, "csv", tmp_path / "ro.csv")
    assert (tmp_path / "ro.csv").read_bytes().startswith(b"doc_id,title,")


@pytest.mark.parametrize("filters", [{}, {"statuses": ["done"]}, {"annotators": ["alice", "carol"]}])
def test_fast_csv_built_by_forked_workers_equals_the_row_by_row_writer(
    tricky: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, filters: dict[str, Any]
) -> None:
    """Chunks of one document each, built by two forked workers, come back whole and in order."""
    import os
    import sys

    import annotator.io.dataset as dataset

    if sys.platform != "linux":
        pytest.skip("export workers are forked on Linux only")
    monkeypatch.setattr(csv_export, "_CHUNK_DOCUMENTS", 1)
    monkeypatch.setattr(dataset, "EXPORT_WORKERS", 2)
    monkeypatch.setattr(dataset, "PARALLEL_RANGES", 2)
    monkeypatch.setattr(dataset, "_can_fork", lambda: True)  # pytest-qt loaded PySide6; no Qt thread runs
    real_init = dataset._reader_init

    def init(file: str) -> None:  # runs in each worker
        (tmp_path / f"worker-{os.getpid()}").touch()
        real_init(file)

    monkeypatch.setattr(dataset, "_reader_init", init)
    fast = _export(tricky, tmp_path / "fast.csv", True, monkeypatch, **filters)
    workers = {p.name for p in tmp_path.glob("worker-*")}
    assert workers and f"worker-{os.getpid()}" not in workers
    plain = _export(tricky, tmp_path / "plain.csv", False, monkeypatch, **filters)
    assert fast == plain


def test_sentences_of_a_joined_chunk_equal_each_documents_own() -> None:
    """``_chunk_bounds`` over documents joined with ``_BETWEEN`` gives each document's
    ``sentence_bounds`` (shifted), for texts whose edges are full stops, quotes, line breaks."""
    import random
    from bisect import bisect_left, bisect_right
    from itertools import accumulate

    from annotator.io.csv_export import _BETWEEN, _chunk_bounds, sentence_of

    rng = random.Random(11)
    alphabet = ["a", "b", "Mr", "U", "S", ".", ".", "!", "?", "\u2026", '"', "'", "\u201d", ")", " ", "\n", "\n", "\u00e9", "\U0001f600"]  # fmt: skip
    for k in range(1500):
        letters = alphabet if k % 3 else [c for c in alphabet if c not in "!?\u2026"]
        texts = [
            "".join(rng.choice(letters) for _ in range(rng.randrange(0, 14)))
            for _ in range(rng.randrange(1, 6))
        ]
        starts = list(accumulate([len(t) + len(_BETWEEN) for t in texts[:-1]], initial=0))
        ends = [s + len(t) for s, t in zip(starts, texts, strict=True)]
        joined = _BETWEEN.join(texts)
        bounds = _chunk_bounds(joined, starts, ends)
        for text, at in zip(texts, starts, strict=True):
            own = sentence_bounds(text)
            for a in range(len(text) + 1):
                for b in range(a, len(text) + 1):
                    i = bisect_right(bounds, at + a) - 1
                    j = bisect_left(bounds, at + b)
                    got = joined[bounds[i] : bounds[j]].strip()
                    assert got == sentence_of(text, own, a, b), (texts, text, a, b)


@pytest.mark.parametrize("chunk", [250, 2])
def test_fast_csv_with_hand_edited_rows_equals_the_row_by_row_writer(
    tricky: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    """Rows the store never writes but a hand-edited file may hold: a span ending beyond its
    text, a negative start, SAID_BY relations to spans that do not exist."""
    conn = tricky.conn
    with conn:
        conn.execute('UPDATE spans SET "end" = 10000 WHERE sid = \'e1\' AND doc = (SELECT id FROM documents WHERE ext_id = \'plain\')')
        conn.execute("UPDATE spans SET start = -3 WHERE sid = 'v1' AND doc = (SELECT id FROM documents WHERE ext_id = 'emoji')")
        doc = conn.execute("SELECT id FROM documents WHERE ext_id = 'two'").fetchone()[0]
        conn.execute(
            "INSERT INTO relations (doc, annotator, label, head, child) VALUES "
            "(?, 'alice', 'SAID_BY', 'q1', 'nobody'), (?, 'alice', 'SAID_BY', 'ghost', 's1')",
            [doc, doc],
        )
    monkeypatch.setattr(csv_export, "_CHUNK_DOCUMENTS", chunk)
    fast = _export(tricky, tmp_path / "fast.csv", True, monkeypatch)
    plain = _export(tricky, tmp_path / "plain.csv", False, monkeypatch)
    assert fast == plain


def test_a_commit_from_elsewhere_cannot_fall_between_the_reads_of_a_chunk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``annotator export`` reads a file the GUI may be writing: each chunk is read in one state."""
    import sqlite3

    path = tmp_path / "p.annotator"
    texts = ["One quote here. Another.", "Second text, with words.", "Third one."]
    recs = [
        Record(Document(f"d{i}", t), "alice", (Span("a", 0, 3, "QUOTE"), Span("b", 4, 9, "CLAIM")), ())
        for i, t in enumerate(texts)
    ]
    make_project(path, recs).close()
    reader = open_project(path, readonly=True)
    monkeypatch.setattr(csv_export, "worker_count", lambda *args: 1)  # this process: traced
    writer = sqlite3.connect(path, timeout=0, isolation_level=None)
    outcome: list[str] = []

    def between(sql: str) -> None:  # another program commits between two of the chunk's reads
        if "GROUP BY doc, annotator, label" in sql and not outcome:
            try:
                writer.execute(
                    'INSERT INTO spans (doc, sid, annotator, label, start, "end") '
                    "VALUES (1, 'new', 'alice', 'CLAIM', 0, 3)"
                )
                outcome.append("committed")
            except sqlite3.OperationalError as e:
                outcome.append(str(e))

    try:
        reader.conn.set_trace_callback(between)
        export_project(reader, "csv", tmp_path / "during.csv")
        reader.conn.set_trace_callback(None)
        assert outcome == ["database is locked"]  # it waits (here: refused) until the chunk is read
        plain = _export(reader, tmp_path / "after.csv", False, monkeypatch)
        assert (tmp_path / "during.csv").read_bytes() == plain[0]
        assert b",new," not in plain[0]
    finally:
        writer.close()
        reader.close()
