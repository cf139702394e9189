"""Comparing colleagues' files: lining documents up, the agreement report, the differences."""

from __future__ import annotations

import gc
import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from annotator.core.model import AttrValue, Document, Relation, Span
from annotator.io.review import (
    KINDS,
    agreement_report,
    disagreements,
    format_table,
    load_files,
)
from annotator.resources import default_scheme
from annotator.store import open_project
from annotator.store.project import Record

TEXT = (
    "Peace is near, said Donald Trump. The war must end, Putin said. Sanctions work, claimed Biden."
)
OTHER = "A different article with no quotes at all."


def at(phrase: str, text: str = TEXT) -> tuple[int, int]:
    start = text.index(phrase)
    return start, start + len(phrase)


Q1, S1 = at("Peace is near"), at("Donald Trump")
Q2, S2 = at("The war must end"), at("Putin")
Q3, S3 = at("Sanctions work"), at("Biden")


def write(
    path: Path,
    owner: str,
    docs: Iterable[tuple[Document, Iterable[Span], Iterable[Relation]]],
) -> Path:
    project = open_project(path, create=True, owner=owner, scheme=default_scheme())
    project.add_records([Record(doc, "", tuple(spans), tuple(rels)) for doc, spans, rels in docs])
    project.close()
    return path


def full_annotation(
    stance: str = "favor", person: str = "Donald Trump", q2: tuple[int, int] = Q2
) -> tuple[list[Span], list[Relation]]:
    spans = [
        Span("q1", *Q1, "QUOTE", {"stance": stance, "kind": "direct"}),
        Span("s1", *S1, "SPEAKER", {"person": person}),
        Span("q2", *q2, "QUOTE", {"stance": "against", "kind": "direct"}),
        Span("s2", *S2, "SPEAKER"),
        Span("q3", *Q3, "QUOTE", {"stance": "neutral", "kind": "direct"}),
    ]
    relations = [Relation("SAID_BY", "q1", "s1"), Relation("SAID_BY", "q2", "s2")]
    return spans, relations


def doc(
    doc_id: str = "d1", text: str = TEXT, stance: str | None = "favor", status: str = "todo"
) -> Document:
    labels: dict[str, AttrValue] = {"stance": stance} if stance else {}
    return Document(doc_id, text, labels=labels, status=status)


def walk(value: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any], str]]:
    if isinstance(value, dict):
        for k, v in value.items():
            if v is None:
                yield path, value, k
            yield from walk(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from walk(v, f"{path}[{i}]")


def assert_every_null_has_a_reason(report: dict[str, Any]) -> None:
    for where, parent, key in walk(report):
        if key.endswith("_reason") or key in ("title",):
            continue
        reason = parent.get(f"{key}_reason")
        assert isinstance(reason, str) and reason, f"{where}.{key} is null without a reason"


# ---- loading --------------------------------------------------------------------------------


def test_identical_files_agree_perfectly(tmp_path: Path) -> None:
    spans, rels = full_annotation()
    a = write(tmp_path / "a.annotator", "alice", [(doc(), spans, rels)])
    b = write(tmp_path / "b.annotator", "bob", [(doc(), spans, rels)])
    review = load_files([a, b])
    report = agreement_report(review)
    assert report["annotators"] == ["alice", "bob"]
    assert report["documents"] == 1
    assert report["spans"]["overall"] == {
        "exact_f1": 1.0,
        "overlap_f1": 1.0,
        "u_alpha": 1.0,
        "u_alpha_documents": 1,
    }
    assert report["spans"]["by_label"]["QUOTE"]["exact_f1"] == 1.0
    assert report["attribution"] == {"n": 2, "agreement": 1.0}
    assert disagreements(review) == []
    json.dumps(report)  # plain JSON data
    assert_every_null_has_a_reason(report)


def test_report_shape_is_the_public_interface(tmp_path: Path) -> None:
    spans, rels = full_annotation()
    a = write(tmp_path / "a.annotator", "alice", [(doc(), spans, rels)])
    b = write(tmp_path / "b.annotator", "bob", [(doc(stance="against"), spans, rels)])
    report = agreement_report(load_files([a, b]))
    assert {
        "annotators",
        "documents",
        "spans",
        "attributes",
        "document_labels",
        "attribution",
        "by_document",
    } <= set(report)
    assert set(report["spans"]) == {"overall", "by_label"}
    for row in [report["spans"]["overall"], *report["spans"]["by_label"].values()]:
        assert {"exact_f1", "overlap_f1", "u_alpha"} <= set(row)
    stance = report["attributes"]["QUOTE.stance"]
    assert {"alpha_nominal", "alpha_ordinal", "kappa", "n"} <= set(stance)
    assert "alpha_ordinal" not in report["attributes"]["QUOTE.kind"]  # not an ordered attribute
    assert "QUOTE.target" in report["attributes"]  # the project's targets are its values
    assert "SPEAKER.person" not in report["attributes"]  # people: compared as attribution
    assert "QUOTE.person" not in report["attributes"]
    labels = report["document_labels"]["stance"]
    assert {"alpha_nominal", "alpha_ordinal", "kappa", "fleiss_kappa", "n"} <= set(labels)
    assert "topic" not in report["document_labels"]
    assert {"agreement", "n"} <= set(report["attribution"])
    (entry,) = report["by_document"]
    assert entry["document"] == "d1" and entry["annotators"] == ["alice", "bob"]
    assert_every_null_has_a_reason(report)


def test_two_files_by_the_same_name_are_two_annotators(tmp_path: Path) -> None:
    spans, rels = full_annotation()
    paths = [write(tmp_path / f"{i}.annotator", "alice", [(doc(), spans, rels)]) for i in range(3)]
    review = load_files(paths)
    assert [a.key for a in review.annotators] == ["alice", "alice (2)", "alice (3)"]
    assert [a.path for a in review.annotators] == paths
    assert agreement_report(review)["annotators"] == ["alice", "alice (2)", "alice (3)"]


def test_documents_are_matched_by_text_not_by_id(tmp_path: Path) -> None:
    spans, rels = full_annotation()
    a = write(tmp_path / "a.annotator", "alice", [(doc("article-7"), spans, rels)])
    b = write(tmp_path / "b.annotator", "bob", [(doc("renamed"), spans, rels)])
    review = load_files([a, b])
    assert [d.id for d in review.shared_documents()] == ["article-7"]
    assert review.conflicts == []


def test_same_id_with_different_text_is_a_conflict_not_a_pair(tmp_path: Path) -> None:
    spans, rels = full_annotation()
    a = write(tmp_path / "a.annotator", "alice", [(doc("d1"), spans, rels)])
    b = write(tmp_path / "b.annotator", "bob", [(doc("d1", OTHER), [Span("x", 0, 1, "CUE")], [])])
    review = load_files([a, b])
    assert review.shared_documents() == []
    (conflict,) = review.conflicts
    assert conflict.doc_id == "d1" and set(conflict.paths) == {a, b}
    report = agreement_report(review)
    assert report["conflicts"][0]["document"] == "d1"
    assert "no documents in common" in report["messages"][0]
    assert "Conflicts:" in format_table(report)


def test_a_refused_file_is_reported_and_the_others_still_load(tmp_path: Path) -> None:
    spans, rels = full_annotation()
    a = write(tmp_path / "a.annotator", "alice", [(doc(), spans, rels)])
    b = write(tmp_path / "b.annotator", "bob", [(doc(), spans, rels)])
    evil = write(tmp_path / "evil.annotator", "eve", [(doc(), spans, rels)])
    conn = sqlite3.connect(evil)
    conn.execute("CREATE TRIGGER t AFTER INSERT ON spans BEGIN DELETE FROM documents; END")
    conn.commit()
    conn.close()
    before = evil.read_bytes(), evil.stat().st_mtime_ns
    junk = tmp_path / "junk.annotator"
    junk.write_bytes(b"not a database at all" * 20)
    review = load_files([a, evil, junk, b, a])
    assert [r.path for r in review.rejected] == [evil, junk, a]
    assert "unexpected trigger" in review.rejected[0].reason
    assert "given twice" in review.rejected[2].reason
    assert [f.path for f in review.files] == [a, b]
    assert (evil.read_bytes(), evil.stat().st_mtime_ns) == before
    report = agreement_report(review)
    assert report["spans"]["overall"]["exact_f1"] == 1.0
    assert [r["path"] for r in report["rejected"]] == [str(evil), str(junk), str(a)]
    assert "Files not read:" in format_table(report)


def test_one_annotator_gives_nulls_with_reasons(tmp_path: Path) -> None:
    spans, rels = full_annotation()
    a = write(tmp_path / "a.annotator", "alice", [(doc(), spans, rels)])
    report = agreement_report(load_files([a]))
    assert report["annotators"] == ["alice"]
    overall = report["spans"]["overall"]
    assert overall["exact_f1"] is None and overall["exact_f1_reason"] == "only one annotator"
    assert overall["u_alpha_reason"] == "only one annotator"
    assert report["attribution"]["agreement_reason"] == "only one annotator"
    assert report["document_labels"]["stance"]["fleiss_kappa_reason"] == "only one annotator"
    assert report["by_document"][0]["u_alpha_reason"] == "only one annotator"
    assert report["messages"] == ["only one annotator: there is nothing to compare"]
    assert_every_null_has_a_reason(report)
    assert "only one annotator" in format_table(report)


def test_no_documents_in_common(tmp_path: Path) -> None:
    spans, rels = full_annotation()
    a = write(tmp_path / "a.annotator", "alice", [(doc(), spans, rels)])
    b = write(tmp_path / "b.annotator", "bob", [(doc("x", OTHER), [Span("c", 0, 1, "CUE")], [])])
    report = agreement_report(load_files([a, b]))
    assert report["documents"] == 0
    assert report["messages"] == [
        "no documents in common: no document text appears in the files of two annotators"
    ]
    overall = report["spans"]["overall"]
    assert overall["exact_f1"] is None
    assert overall["exact_f1_reason"] == "no document annotated by two annotators"
    assert overall["u_alpha_reason"] == "no document annotated by all 2 annotators"
    assert_every_null_has_a_reason(report)


def test_untouched_documents_are_not_evidence_but_finished_empty_ones_are(tmp_path: Path) -> None:
    spans, rels = full_annotation()
    a = write(
        tmp_path / "a.annotator",
        "alice",
        [(doc("d1"), spans, rels), (doc("d2", OTHER, status="done"), [], [])],
    )
    b = write(
        tmp_path / "b.annotator",
        "bob",
        [
            (doc("d1", status="todo", stance=None), [], []),  # bob has not started d1
            (doc("d2", OTHER, status="done"), [], []),
        ],  # both looked at d2 and found nothing
    )
    review = load_files([a, b])
    assert [d.id for d in review.shared_documents()] == ["d2"]
    report = agreement_report(review)
    assert report["spans"]["overall"]["exact_f1_reason"] == "no spans from any annotator"
    assert report["spans"]["overall"]["u_alpha_reason"] == "no units: nobody marked anything"


# ---- the figures ----------------------------------------------------------------------------


def test_figures_by_hand_for_two_annotators(tmp_path: Path) -> None:
    """alice and bob tag the same five spans, except that bob starts the second quote
    four characters later, calls q1 'against' and its speaker 'Trump'.

    Spans: exact matches 4 of 5 each -> F1 = 2*4 / (5 + 5) = 0.8; overlap 5/5 -> 1.0.
    QUOTE: exact 2 of 3 -> 2*2/6 = 2/3. QUOTE.stance on the 2 exact quote matches:
    (favor, against) and (neutral, neutral): observed agreement 1/2, Cohen's kappa
    p_e = (1*0 + 0*1 + 1*1)/4 = 1/4 -> (1/2 - 1/4) / (3/4) = 1/3.
    Attribution: 2 quote pairs attributed (q1 and q2); q1: 'Donald Trump' vs 'Trump'
    differ, q2: both 'Putin' -> 1/2. Document stance, one document, favor vs against:
    p_o = 0, p_e = 0 -> kappa 0.
    """
    spans_a, rels = full_annotation()
    shifted = (Q2[0] + 4, Q2[1])
    spans_b, _ = full_annotation(stance="against", person="Trump", q2=shifted)
    a = write(tmp_path / "a.annotator", "alice", [(doc(stance="favor"), spans_a, rels)])
    b = write(tmp_path / "b.annotator", "bob", [(doc(stance="against"), spans_b, rels)])
    review = load_files([a, b])
    report = agreement_report(review)
    overall = report["spans"]["overall"]
    assert overall["exact_f1"] == pytest.approx(0.8)
    assert overall["overlap_f1"] == 1.0
    assert 0 < overall["u_alpha"] < 1
    assert report["spans"]["by_label"]["QUOTE"]["exact_f1"] == pytest.approx(2 / 3)
    assert report["spans"]["by_label"]["SPEAKER"]["exact_f1"] == 1.0
    stance = report["attributes"]["QUOTE.stance"]
    assert stance["n"] == 2
    assert stance["kappa"] == pytest.approx(1 / 3)
    assert report["attributes"]["QUOTE.kind"]["alpha_nominal"] is None  # all 'direct'
    assert "no variation" in report["attributes"]["QUOTE.kind"]["alpha_nominal_reason"]
    assert report["attribution"] == {"n": 2, "agreement": 0.5}
    labels = report["document_labels"]["stance"]
    assert labels["n"] == 1
    assert labels["kappa"] == 0.0  # one document, favor vs against: p_o = p_e = 0
    assert_every_null_has_a_reason(report)


def test_kappa_is_only_for_two_annotators(tmp_path: Path) -> None:
    spans, rels = full_annotation()
    paths = [
        write(tmp_path / f"{name}.annotator", name, [(doc(stance=stance), spans, rels)])
        for name, stance in (("ann", "favor"), ("ben", "favor"), ("cat", "against"))
    ]
    report = agreement_report(load_files(paths))
    labels = report["document_labels"]["stance"]
    assert labels["kappa"] is None
    assert labels["kappa_reason"] == (
        "Cohen's kappa needs exactly two annotators; see fleiss_kappa"
    )
    assert labels["fleiss_kappa"] is not None
    assert report["attributes"]["QUOTE.stance"]["kappa_reason"].startswith(
        "Cohen's kappa needs exactly two annotators"
    )
    assert report["spans"]["overall"]["exact_f1"] == 1.0


# ---- disagreements ----------------------------------------------------------------------------


def test_disagreements_of_every_kind_in_document_order(tmp_path: Path) -> None:
    spans_a, rels = full_annotation()
    spans_b = [
        Span("q1", *Q1, "QUOTE", {"stance": "against", "kind": "direct"}),  # attribute
        Span("s1", *S1, "SPEAKER", {"person": "Trump"}),  # -> attribution of q1 differs
        Span("q2", Q2[0] + 4, Q2[1], "QUOTE", {"stance": "against", "kind": "direct"}),
        Span("s2", *S2, "SPEAKER"),
        Span("c3", *Q3, "CLAIM"),  # label: alice says QUOTE here
    ]
    second = Document("d0", OTHER, status="done")
    a = write(
        tmp_path / "a.annotator",
        "alice",
        [(second, [Span("x", 0, 1, "CUE")], []), (doc(), spans_a, rels)],
    )
    b = write(tmp_path / "b.annotator", "bob", [(second, [], []), (doc(), spans_b, rels)])
    found = disagreements(load_files([a, b]))
    assert {d.kind for d in found} == set(KINDS)
    keys = [(d.doc_id, d.start, d.end) for d in found]
    assert [k[0] for k in keys] == sorted((k[0] for k in keys), key=["d0", "d1"].index)
    assert keys == sorted(keys, key=lambda k: (["d0", "d1"].index(k[0]), k[1], k[2]))
    by_kind = {d.kind: d for d in found}
    assert by_kind["missing"].doc_id == "d0"
    assert by_kind["missing"].description == "CUE marked by alice; not by bob"
    assert (by_kind["boundary"].start, by_kind["boundary"].end) == Q2
    assert "alice [" in by_kind["boundary"].description
    assert (by_kind["label"].start, by_kind["label"].end) == Q3
    assert by_kind["label"].description == "alice: QUOTE; bob: CLAIM"
    assert [d.kind for d in found].count("label") == 1  # listed once, not per label
    assert [d.description for d in found if d.kind == "attribute"] == [
        "QUOTE.stance: alice=favor, bob=against",
        "SPEAKER.person: alice=Donald Trump, bob=Trump",
    ]
    assert by_kind["attribution"].description == (
        "QUOTE attributed to: alice → Donald Trump, bob → Trump"
    )
    assert all(d.annotators == ("alice", "bob") for d in found if d.kind != "missing")


def test_a_nested_span_one_annotator_skipped_is_missing_not_a_label_confusion(
    tmp_path: Path,
) -> None:
    quote = Span("q1", *Q1, "QUOTE")
    claim = Span("c1", Q1[0], Q1[0] + 5, "CLAIM")
    a = write(tmp_path / "a.annotator", "alice", [(doc(), [quote, claim], [])])
    b = write(tmp_path / "b.annotator", "bob", [(doc(), [quote], [])])
    (only,) = disagreements(load_files([a, b]))
    assert (only.kind, only.description) == ("missing", "CLAIM marked by alice; not by bob")


# ---- the table ------------------------------------------------------------------------------


def test_format_table_is_readable(tmp_path: Path) -> None:
    spans, rels = full_annotation()
    a = write(tmp_path / "a.annotator", "alice", [(doc(), spans, rels)])
    b = write(tmp_path / "b.annotator", "bob", [(doc(stance="against"), spans, rels)])
    text = format_table(agreement_report(load_files([a, b])))
    lines = text.splitlines()
    assert lines[0] == "Agreement between 2 annotator(s) on 1 shared document(s)"
    assert any(line.startswith("all labels") and "1.000" in line for line in lines)
    assert any(line.startswith("QUOTE.stance") for line in lines)
    assert any(line.startswith("Document labels") for line in lines)
    assert "Not computed (—):" in text
    assert all(len(line) <= 100 for line in lines)


def test_a_quote_attributed_without_a_mention_counts_as_attribution(tmp_path: Path) -> None:
    """alice links q1 to the SPEAKER 'Donald Trump'; bob gives q1 the person directly
    (no mention in the text). Both name the same person: agreement 1 on 1 pair."""
    spans_a, rels = full_annotation()
    spans_b = [
        Span("q1", *Q1, "QUOTE", {"stance": "favor", "kind": "direct", "person": "donald trump"})
    ]
    a = write(tmp_path / "a.annotator", "alice", [(doc(), spans_a[:2], rels[:1])])
    b = write(tmp_path / "b.annotator", "bob", [(doc(), spans_b, [])])
    review = load_files([a, b])
    assert agreement_report(review)["attribution"] == {"n": 1, "agreement": 1.0}
    assert [d.kind for d in disagreements(review)] == ["missing"]  # only bob's missing SPEAKER


def test_u_alpha_over_all_documents_uses_those_everyone_annotated(tmp_path: Path) -> None:
    spans, rels = full_annotation()
    second = (Document("d2", OTHER, status="done"), [Span("c", 0, 1, "CUE")], [])
    a = write(tmp_path / "a.annotator", "alice", [(doc(), spans, rels), second])
    b = write(tmp_path / "b.annotator", "bob", [(doc(), spans, rels), second])
    c = write(tmp_path / "c.annotator", "carol", [(doc(), spans, rels)])
    report = agreement_report(load_files([a, b, c]))
    assert report["documents"] == 2
    assert report["spans"]["overall"]["u_alpha_documents"] == 1  # d2 lacks carol
    assert report["spans"]["overall"]["u_alpha"] == 1.0
    assert report["spans"]["by_label"]["CUE"]["exact_f1"] == 1.0  # pairs still see d2


def test_the_garbage_collector_is_left_as_it_was(tmp_path: Path) -> None:
    spans, rels = full_annotation()
    a = write(tmp_path / "a.annotator", "alice", [(doc(), spans, rels)])
    b = write(tmp_path / "b.annotator", "bob", [(doc(), spans, rels)])
    assert gc.isenabled()
    review = load_files([a, b])
    agreement_report(review)
    disagreements(review)
    assert gc.isenabled()
    gc.disable()
    try:
        load_files([a, b])
        assert not gc.isenabled()
    finally:
        gc.enable()
