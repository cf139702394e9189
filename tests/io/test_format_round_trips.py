"""Property tests: for every format, export -> import -> export gives the same annotations.

Texts mix emoji (astral, ZWJ sequences, flags), combining marks, Arabic and
Hebrew with direction marks, no-break spaces, U+2028/U+2029, NEL and CRLF;
spans overlap, nest and come in several stretches; annotators have odd names.
Each format is held to what it can carry: ``project_for`` says what an
export keeps of a record (docs/formats.md says the same in words), and the
project a file is imported into must hold exactly that. Importing what that
project exports again must change nothing.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from formats_support import (
    Canon,
    canonical,
    check_brat_folder,
    jsonl_objects,
    make_project,
    utf16_slice,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.core.model import Document, DocumentMeta, Relation, Span
from annotator.io.brat import projected_pieces
from annotator.io.export import FORMATS, export_project
from annotator.io.importer import import_paths
from annotator.resources import default_scheme
from annotator.store import open_project
from annotator.store.project import Record

PIECES = [
    "\U0001f600", "\U0001f469\u200d\U0001f4bb", "\U0001f1fa\U0001f1f8", "e\u0301", "\u0308",
    "\u0645\u0631\u062d\u0628\u0627", "\u05e9\u05dc\u05d5\u05dd", "\u200f", "\u202b", "\u00a0",
    "\u2028", "\u2029", "\u0085", "\r\n", "\n", "\t", " ", "a", "Z", ".", "\"", "'", "=", "-",
    "said", "Trump", "\u2026", "%", "|", ",", ":",
]  # fmt: skip
#: For XMI: no character XML 1.0 cannot hold (they are tested on their own).
TEXTS = st.lists(st.sampled_from(PIECES), min_size=1, max_size=30).map("".join).filter(lambda s: s.strip())
NAMES = st.sampled_from(["QUOTE", "SPEAKER", "CUE", "CLAIM", "X-1", "_y"])
RELATIONS = st.sampled_from(["SAID_BY", "CUED_BY", "LINK"])
ATTR_NAMES = st.sampled_from(["stance", "kind", "person", "score", "ok", "n-1"])
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**53), 2**53),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(["favor", "against", "Donald Trump", "a|b, c:d=e", "100%", "", "\u00e9\u00a0\U0001f600", "-1"]),
)
ANNOTATORS = st.sampled_from(["alice", "bob", "b\u00f6b \U0001f600"])
DOC_IDS = st.sampled_from(["doc-1", "Doc 2", "\u00e9t\u00e9", "a/b", "x.y", "\U0001f600", "n%41"])


@st.composite
def spans_for(draw: st.DrawFn, text: str, annotator: str) -> tuple[Span, ...]:
    n = len(text)
    spans = []
    for i in range(draw(st.integers(0, 5))):
        label = draw(NAMES)
        attrs = draw(st.dictionaries(ATTR_NAMES, VALUES, max_size=3))
        if n >= 4 and draw(st.booleans()):
            a, b, c, d = sorted(draw(st.lists(st.integers(0, n), min_size=4, max_size=4, unique=True)))
            spans.append(Span(f"s{i}", a, d, label, attrs, ((a, b), (c, d)), annotator))
        else:
            start = draw(st.integers(0, n - 1))
            end = draw(st.integers(start + 1, n))
            spans.append(Span(f"s{i}", start, end, label, attrs, None, annotator))
    return tuple(spans)


@st.composite
def corpora(draw: st.DrawFn) -> list[Record]:
    records: list[Record] = []
    ids = draw(st.lists(DOC_IDS, min_size=1, max_size=3, unique_by=str.casefold))
    for doc_id in ids:
        text = draw(TEXTS)
        meta = DocumentMeta(
            title=draw(st.one_of(st.none(), TEXTS)),
            source=draw(st.sampled_from([None, "Mail Online", "=cmd"])),
            url=None,
            published=draw(st.sampled_from([None, "2025-03-14"])),
            author=draw(st.sampled_from([None, "Jane Doe", "=byline", "Zoë \u05e9\u05dc\u05d5\u05dd"])),
        )
        labels = draw(st.dictionaries(st.sampled_from(["stance", "topic"]), VALUES, max_size=2))
        doc = Document(doc_id, text, meta, draw(st.sampled_from(["todo", "in_progress", "done"])), labels)
        for who in draw(st.lists(ANNOTATORS, min_size=0, max_size=2, unique=True)):
            spans = draw(spans_for(text, who))
            rels: list[Relation] = []
            if len(spans) >= 2:
                for _ in range(draw(st.integers(0, 3))):
                    head, child = draw(st.lists(st.sampled_from(spans), min_size=2, max_size=2, unique_by=lambda s: s.id))
                    rels.append(Relation(draw(RELATIONS), head.id, child.id, who))
            records.append(Record(doc, who, spans, tuple(rels)))
        if not any(r.document.id == doc_id for r in records):
            records.append(Record(doc, "", (), ()))
    return records


# ---- what each format keeps ---------------------------------------------------------------------


def _text_value(value: Any) -> Any:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _attrs(attrs: dict[str, Any], how: str) -> tuple[tuple[str, Any], ...]:
    out = {}
    for key, value in attrs.items():
        if how == "all":
            out[key] = value
        elif value is None:
            continue
        elif how == "brat":
            out[key] = True if value is True else _text_value(value)
        else:
            out[key] = _text_value(value)
    return tuple(sorted(out.items()))


def project_for(fmt: str, canon: list[Canon], several_annotators: bool) -> list[Canon]:
    """What an export in ``fmt`` keeps of the canonical records (see docs/formats.md)."""
    out = []
    for doc_id, text, who, meta, status, labels, spans, rels in canon:
        if fmt in ("jsonl", "spacy", "doccano"):
            out.append((doc_id, text, who, meta, status, labels, spans, rels))
            continue
        if fmt == "brat":
            kept = []
            for sid, label, pieces, attrs in spans:
                span = Span(sid, pieces[0][0], max(b for _, b in pieces), label, fragments=pieces)
                new = projected_pieces(text, span)
                if new:
                    kept.append((sid, label, tuple(new), _attrs(dict(attrs), "brat")))
            ids = {s[0] for s in kept}
            out.append((
                doc_id, text, who,
                {"title": None, "source": None, "url": None, "published": None, "author": None}, "todo", (),
                tuple(sorted(kept)), tuple(r for r in rels if r[1] in ids and r[2] in ids),
            ))  # fmt: skip
            continue
        how = "text"
        new_spans = tuple(sorted((sid, label, pieces, _attrs(dict(a), how)) for sid, label, pieces, a in spans))
        if fmt == "label-studio":
            out.append((doc_id, text, who, meta, status, labels, new_spans, rels))
        elif fmt == "inception":
            new_labels = tuple(sorted((k, _text_value(v)) for k, v in labels if v is not None))
            out.append((doc_id, text, who, meta, status, new_labels, new_spans, rels))
    # A record left with nothing is not kept (a project stores annotations, not visits):
    # a document nobody annotated any more shows as one empty record of the owner.
    by_doc: dict[str, list[Canon]] = {}
    for c in out:
        by_doc.setdefault(c[0], []).append(c)
    kept: list[Canon] = []
    for recs in by_doc.values():
        full = [c for c in recs if c[6] or c[7]]
        kept += full or [(*recs[0][:2], "alice", *recs[0][3:])]
    return sorted(kept)


ROUND_TRIP_FORMATS = ["jsonl", "brat", "label-studio", "doccano", "inception", "spacy"]


@pytest.mark.parametrize("fmt", ROUND_TRIP_FORMATS)
@given(records=corpora())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_round_trip(tmp_path_factory: pytest.TempPathFactory, fmt: str, records: list[Record]) -> None:
    if fmt == "spacy":
        pytest.importorskip("spacy")
    base = tmp_path_factory.mktemp(fmt)
    try:
        _round_trip(base, fmt, records)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _round_trip(base: Path, fmt: str, records: list[Record]) -> None:
    spec = FORMATS[fmt]
    source = make_project(base / "source.annotator", records)
    original = canonical(source)
    several = len({c[2] for c in original}) > 1
    first = base / f"first{spec.suffix}"
    report = export_project(source, fmt, first)
    if fmt == "brat":  # spans made only of line breaks cannot be written: reported
        dropped = sum(1 for c in original for s in c[6] if not _brat_kept(c[1], s))
        assert sum("only line breaks" in w for w in report.warnings) == dropped
    check_independently(fmt, first)
    target = open_project(base / "target.annotator", create=True, owner="alice", scheme=default_scheme())
    import_paths(target, [first])
    got = canonical(target)
    assert got == project_for(fmt, original, several)
    second = base / f"second{spec.suffix}"
    export_project(target, fmt, second)
    again = open_project(base / "again.annotator", create=True, owner="alice", scheme=default_scheme())
    import_paths(again, [second])
    assert canonical(again) == got
    for p in (source, target, again):
        p.close()


def check_independently(fmt: str, out: Path) -> None:
    """Read what was written with another reader and check every span's text."""
    if fmt == "brat":
        check_brat_folder(out)
    elif fmt == "label-studio":
        for task in json.loads(out.read_text(encoding="utf-8")):
            text = task["data"]["text"]
            for ann in task["annotations"]:
                for r in ann["result"]:
                    if r["type"] == "labels":
                        assert text[r["value"]["start"] : r["value"]["end"]] == r["value"]["text"]
    elif fmt == "doccano":
        for line in jsonl_objects(out):
            for e in line["entities"]:
                piece = utf16_slice(line["text"], e["start_offset"], e["end_offset"])
                assert piece and e["end_offset"] <= len(line["text"].encode("utf-16-le")) // 2
    elif fmt == "inception":
        cassis = pytest.importorskip("cassis")
        with open(out / "TypeSystem.xml", "rb") as f:
            ts = cassis.load_typesystem(f)
        for xmi in out.rglob("*.xmi"):
            with open(xmi, "rb") as f:
                cas = cassis.load_cas_from_xmi(f, typesystem=ts)
            for ann in cas.select_all_annotations():
                if hasattr(ann, "spanId"):
                    assert ann.get_covered_text() == cas.sofa_string[ann.begin : ann.end]
    elif fmt == "spacy":
        spacy = pytest.importorskip("spacy")
        from spacy.tokens import DocBin

        for doc in DocBin().from_disk(out).get_docs(spacy.blank("en").vocab):
            for sp in doc.spans["sc"]:
                assert sp.text == doc.text[sp.start_char : sp.end_char]
            for s in doc.user_data["annotator"]["spans"]:
                assert 0 <= s["start"] < s["end"] <= len(doc.text)


def _brat_kept(text: str, span: Canon) -> bool:
    sid, label, pieces, _ = span
    s = Span(sid, pieces[0][0], max(b for _, b in pieces), label, fragments=pieces)
    return bool(projected_pieces(text, s))


def test_jsonl_export_of_an_imported_file_is_byte_identical(tmp_path: Path) -> None:
    """The canonical format keeps everything: bytes out = bytes in (the demo)."""
    demo = Path(__file__).resolve().parents[2] / "seeds" / "demo" / "ceasefire-talks.jsonl"
    project = open_project(tmp_path / "p.annotator", create=True, owner="demo", scheme=default_scheme())
    import_paths(project, [demo])
    export_project(project, "jsonl", tmp_path / "out.jsonl")
    assert (tmp_path / "out.jsonl").read_bytes() == demo.read_bytes()
    project.close()

