"""Gold projects: built from real colleague files, decided item by item, undone exactly, resumed."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from annotator.core.adjudication import Decide, QueueItem, Reopen
from annotator.core.errors import AnnotatorError
from annotator.core.model import AttrValue, Document, Person, Relation, Span
from annotator.io.adjudicate import GOLD_OWNER, create_gold
from annotator.io.review import load_files
from annotator.resources import default_scheme
from annotator.store import Project, open_project, open_received
from annotator.store.gold import has_queue, queue_counts
from annotator.store.project import Record
from annotator.store.schema import SCHEMA_VERSION

TEXT = (
    "Peace is near, said Donald Trump. The war must end, Putin said. Sanctions work, claimed Biden."
)
OTHER = "A different article with no quotes at all."
AT = "2025-03-01T10:00:00+00:00"


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
    project.add_records([Record(d, "", tuple(spans), tuple(rels)) for d, spans, rels in docs])
    project.close()
    return path


def doc(doc_id: str = "d1", text: str = TEXT, stance: str | None = None) -> Document:
    labels: dict[str, AttrValue] = {"stance": stance} if stance else {}
    return Document(doc_id, text, labels=labels, status="in_progress")


def full(
    stance: str = "favor", q2: tuple[int, int] = Q2, q3: bool = True
) -> tuple[list[Span], list[Relation]]:
    spans = [
        Span("q1", *Q1, "QUOTE", {"stance": stance}),
        Span("s1", *S1, "SPEAKER", {"person": "Donald Trump"}),
        Span("q2", *q2, "QUOTE"),
        Span("s2", *S2, "SPEAKER"),
    ]
    if q3:
        spans.append(Span("q3", *Q3, "QUOTE"))
    return spans, [Relation("SAID_BY", "q1", "s1"), Relation("SAID_BY", "q2", "s2")]


GoldProject = Project  # Project carries GoldStoreMixin


def open_gold(path: Path) -> Project:
    project = open_project(path)
    project.__class__ = GoldProject
    return project


def rows(project: Project) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table that a decision may touch, to compare exactly."""
    tables = ("documents", "spans", "relations", "provenance", "adjudication", "people")
    return {t: project.conn.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in tables}


@pytest.fixture
def gold(tmp_path: Path) -> Iterator[Project]:
    """alice and bob: q1's stance, q2's bounds and q3 (bob has none) differ; the rest agrees."""
    spans_a, rels_a = full()
    spans_b, rels_b = full(stance="against", q2=at("The war must end,"), q3=False)
    a = write(tmp_path / "alice.annotator", "alice", [(doc(), spans_a, rels_a)])
    b = write(tmp_path / "bob.annotator", "bob", [(doc(), spans_b, rels_b)])
    create_gold([a, b], tmp_path / "gold.annotator", decided_by="lead", at=AT)
    project = open_gold(tmp_path / "gold.annotator")
    yield project
    project.close()


def items_by_kind(project: Project) -> dict[str, QueueItem]:
    return {it.kind: it for it in project.adjudication_items()}  # type: ignore[attr-defined]


# ---- creating ------------------------------------------------------------------------------


def test_identical_files_make_a_gold_with_nothing_to_decide(tmp_path: Path) -> None:
    spans, rels = full()
    a = write(tmp_path / "a.annotator", "alice", [(doc(stance="favor"), spans, rels)])
    b = write(tmp_path / "b.annotator", "bob", [(doc(stance="favor"), spans, rels)])
    report = create_gold([a, b], tmp_path / "gold.annotator", decided_by="lead", at=AT)
    assert report.agreed_spans == 5 and report.agreed_relations == 2 and report.items == 0
    with open_gold(tmp_path / "gold.annotator") as project:
        assert project.owner == GOLD_OWNER
        assert [(s.label, s.start, s.end) for s in project.spans("d1")] == [
            (s.label, s.start, s.end) for s in sorted(spans, key=lambda s: s.start)
        ]
        assert project.document("d1").status == "done"
        assert project.document_labels("d1") == {"stance": "favor"}
        gold_ids = {(s.start, s.end): s.id for s in project.spans("d1")}
        assert {(r.label, r.head, r.child) for r in project.relations("d1")} == {
            ("SAID_BY", gold_ids[Q1], gold_ids[S1]),
            ("SAID_BY", gold_ids[Q2], gold_ids[S2]),
        }
        prov = {p.sid: p for p in project.provenance("d1")}  # type: ignore[attr-defined]
        assert set(prov) == set(gold_ids.values())
        q1 = prov[gold_ids[Q1]]
        assert q1.sources == {"alice": "q1", "bob": "q1"}
        assert (q1.decision, q1.decided_by, q1.decided_at, q1.item) == ("agreed", "lead", AT, None)
        assert not has_queue(project.conn)
        assert queue_counts(project.conn) == (0, 0)


def test_each_difference_waits_in_the_queue_with_every_version(gold: Project) -> None:
    items = gold.adjudication_items()  # type: ignore[attr-defined]
    assert [it.kind for it in items] == ["attribute", "boundary", "missing"]
    assert [it.position for it in items] == [1, 2, 3]
    assert all(it.is_open and it.document == "d1" for it in items)
    attribute, boundary, missing = items
    assert attribute.description == "QUOTE.stance: alice=favor, bob=against"
    assert [(c.annotator, [s.attrs["stance"] for s in c.spans]) for c in attribute.candidates] == [
        ("alice", ["favor"]),
        ("bob", ["against"]),
    ]
    # the quote's attribution travels with each version
    assert [c.relations for c in attribute.candidates] == [
        (Relation("SAID_BY", "q1", "s1", "alice"),),
        (Relation("SAID_BY", "q1", "s1", "bob"),),
    ]
    assert [(c.spans[0].start, c.spans[0].end) for c in boundary.candidates] == [
        Q2,
        at("The war must end,"),
    ]
    assert (missing.start, missing.end) == Q3
    assert [(c.annotator, len(c.spans)) for c in missing.candidates] == [("alice", 1), ("bob", 0)]
    assert missing.description == "QUOTE marked by alice; not by bob"
    # only the agreed speakers are gold so far, attribution waiting for the quotes
    assert [(s.label, s.start) for s in gold.spans("d1")] == [
        ("SPEAKER", S1[0]),
        ("SPEAKER", S2[0]),
    ]
    assert gold.relations("d1") == []
    assert gold.document("d1").status == "in_progress"
    assert has_queue(gold.conn) and queue_counts(gold.conn) == (3, 3)


def test_a_majority_of_two_of_three_decides_at_once(tmp_path: Path) -> None:
    spans, rels = full()
    carol_spans, carol_rels = full(q2=at("The war must end,"), q3=False)
    carol_spans.append(Span("c1", *at("Sanctions work, claimed Biden"), "CLAIM"))
    paths = [
        write(tmp_path / f"{who}.annotator", who, [(doc(), s, r)])
        for who, s, r in (
            ("alice", spans, rels),
            ("bob", spans, rels),
            ("carol", carol_spans, carol_rels),
        )
    ]
    strict = create_gold(paths, tmp_path / "all.annotator", decided_by="lead")
    assert strict.by_kind == {"boundary": 1, "label": 1}  # her claim overlaps their q3
    report = create_gold(paths, tmp_path / "two.annotator", decided_by="lead", majority=2)
    assert report.agreed_spans == 5 and report.agreed_relations == 2
    # carol's other q2 and her SAID_BY from it are outvoted; her claim alone waits
    assert report.outvoted == 2
    assert report.by_kind == {"missing": 1}
    with open_gold(tmp_path / "two.annotator") as project:
        (item,) = project.adjudication_items()  # type: ignore[attr-defined]
        assert [(c.annotator, [s.label for s in c.spans]) for c in item.candidates] == [
            ("alice", []),
            ("bob", []),
            ("carol", ["CLAIM"]),
        ]
        q3 = next(s for s in project.spans("d1") if s.start == Q3[0])
        (prov,) = [p for p in project.provenance("d1") if p.sid == q3.id]  # type: ignore[attr-defined]
        assert prov.sources == {"alice": "q3", "bob": "q3"}


@pytest.mark.parametrize(
    ("make", "message"),
    [
        ("one", "at least two annotators"),
        ("unshared", "nothing to adjudicate"),
        ("rejected", "nothing was written"),
        ("majority", "more than half"),
        ("nobody", "who is adjudicating"),
    ],
)
def test_bad_input_writes_nothing(tmp_path: Path, make: str, message: str) -> None:
    spans, rels = full()
    a = write(tmp_path / "a.annotator", "alice", [(doc(), spans, rels)])
    b = write(tmp_path / "b.annotator", "bob", [(doc(text=OTHER), [], [])])
    paths, kwargs = [a, b], {"decided_by": "lead"}
    if make == "one":
        paths = [a]
    elif make == "rejected":
        bad = tmp_path / "bad.annotator"
        bad.write_bytes(b"not a project at all" * 10)
        paths = [a, bad]
    elif make in ("majority", "nobody"):
        paths = [a, write(tmp_path / "c.annotator", "carol", [(doc(), spans, rels)])]
        kwargs = (
            {"decided_by": "lead", "majority": 1} if make == "majority" else {"decided_by": " "}
        )
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(AnnotatorError, match=message):
        create_gold(paths, tmp_path / "gold.annotator", **kwargs)  # type: ignore[arg-type]
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_an_existing_file_is_never_overwritten(tmp_path: Path) -> None:
    spans, rels = full()
    a = write(tmp_path / "a.annotator", "alice", [(doc(), spans, rels)])
    b = write(tmp_path / "b.annotator", "bob", [(doc(), spans, rels)])
    with pytest.raises(AnnotatorError, match="already exists"):
        create_gold([a, b], a, decided_by="lead")


def test_a_gold_project_can_be_reviewed_like_any_file(gold: Project) -> None:
    path = gold.path
    gold.close()
    with open_received(path) as received:
        assert received.schema_version == SCHEMA_VERSION == 5
        assert received.owner == GOLD_OWNER
    review = load_files([path])
    assert review.rejected == [] and review.span_annotators() == [GOLD_OWNER]


def test_an_older_project_is_upgraded_on_opening(tmp_path: Path) -> None:
    path = tmp_path / "old.annotator"
    open_project(path, create=True, owner="alice").close()
    conn = sqlite3.connect(path)
    conn.executescript(
        "DROP INDEX documents_position; DROP TABLE provenance; DROP TABLE adjudication; "
        "ALTER TABLE documents DROP COLUMN author; PRAGMA user_version = 2; "
        "DELETE FROM _sqlite_migrations "
        "WHERE name IN ('0003_adjudication', '0004_author', '0005_document_order');"
    )
    conn.close()
    with open_project(path) as project:
        assert project.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 5
        assert not has_queue(project.conn)


# ---- deciding ------------------------------------------------------------------------------


def test_accept_adds_exactly_that_version_and_undo_restores_every_row(gold: Project) -> None:
    before = rows(gold)
    item = items_by_kind(gold)["attribute"]
    command = Decide(item.id, "accept", "bob", "lead", AT)
    change = gold.execute(command)
    after = rows(gold)
    (q1,) = [s for s in gold.spans("d1") if s.label == "QUOTE"]
    assert (q1.start, q1.end, dict(q1.attrs)) == (*Q1, {"stance": "against"})
    assert change.spans == {q1.id} and change.relations
    speaker = next(s.id for s in gold.spans("d1") if s.start == S1[0])
    assert gold.relations("d1") == [Relation("SAID_BY", q1.id, speaker, GOLD_OWNER)]
    prov = {p.sid: p for p in gold.provenance("d1")}[q1.id]  # type: ignore[attr-defined]
    assert (prov.sources, prov.decision, prov.decided_by, prov.decided_at, prov.item) == (
        {"bob": "q1"},
        "accepted",
        "lead",
        AT,
        item.id,
    )
    decided = gold.adjudication_item(item.id)  # type: ignore[attr-defined]
    assert (decided.state, decided.chosen, decided.decided_by, decided.decided_at) == (
        "accepted",
        ("bob",),
        "lead",
        AT,
    )
    # nothing else moved
    for table in ("documents", "people"):
        assert after[table] == before[table]
    assert len(after["spans"]) == len(before["spans"]) + 1
    assert len(after["provenance"]) == len(before["provenance"]) + 1
    gold.revert(command)
    assert rows(gold) == before
    gold.execute(command)  # redo: the same rows again
    assert rows(gold) == after


def test_accept_both_keeps_every_version_and_reject_keeps_none(gold: Project) -> None:
    before = rows(gold)
    boundary = items_by_kind(gold)["boundary"]
    both = Decide(boundary.id, "both", None, "lead", AT)
    gold.execute(both)
    quotes = [(s.start, s.end) for s in gold.spans("d1") if s.label == "QUOTE"]
    assert quotes == [Q2, at("The war must end,")]
    # each version brings its own SAID_BY to the (agreed) Putin
    putin = next(s.id for s in gold.spans("d1") if s.start == S2[0])
    assert sorted(r.child for r in gold.relations("d1")) == [putin, putin]
    assert {p.decision for p in gold.provenance("d1") if p.item == boundary.id} == {"both"}  # type: ignore[attr-defined]
    missing = items_by_kind(gold)["missing"]
    middle = rows(gold)
    reject = Decide(missing.id, "reject", None, "lead", AT)
    gold.execute(reject)
    assert gold.adjudication_item(missing.id).state == "rejected"  # type: ignore[attr-defined]
    assert rows(gold)["spans"] == middle["spans"]
    gold.revert(reject)
    assert rows(gold) == middle
    gold.revert(both)
    assert rows(gold) == before


def test_refused_decisions_change_nothing(gold: Project) -> None:
    before = rows(gold)
    kinds = items_by_kind(gold)
    attempts = [
        (Decide(kinds["attribute"].id, "both", None, "lead"), "only one version"),
        (Decide(kinds["boundary"].id, "accept", "carol", "lead"), "no version by 'carol'"),
        (Decide(kinds["boundary"].id, "accept", "bob", ""), "who decides"),
        (Decide(kinds["boundary"].id, "maybe", "bob", "lead"), "unknown decision"),
    ]
    for command, message in attempts:
        with pytest.raises(AnnotatorError, match=message):
            gold.execute(command)
    reject = Decide(kinds["missing"].id, "reject", None, "lead")
    gold.execute(reject)
    with pytest.raises(AnnotatorError, match="already decided"):
        gold.execute(Decide(kinds["missing"].id, "accept", "alice", "lead"))
    gold.revert(reject)
    assert rows(gold) == before


def disputed_quote_and_speaker(tmp_path: Path) -> Path:
    """alice and bob both link their quote to its speaker; both spans' bounds differ."""
    a_spans = [Span("q", *Q2, "QUOTE"), Span("s", *S2, "SPEAKER")]
    b_spans = [
        Span("q", *at("The war must end,"), "QUOTE"),
        Span("s", *at("Putin said"), "SPEAKER"),
    ]
    rel = [Relation("SAID_BY", "q", "s")]
    a = write(tmp_path / "a.annotator", "alice", [(doc(), a_spans, rel)])
    b = write(tmp_path / "b.annotator", "bob", [(doc(), b_spans, rel)])
    create_gold([a, b], tmp_path / "gold.annotator", decided_by="lead")
    return tmp_path / "gold.annotator"


def test_a_link_waits_until_both_ends_are_gold(tmp_path: Path) -> None:
    """Both the quote and its speaker are disputed: the SAID_BY comes with the second decision."""
    with open_gold(disputed_quote_and_speaker(tmp_path)) as project:
        quote, speaker = project.adjudication_items()  # type: ignore[attr-defined]
        assert (quote.kind, speaker.kind) == ("boundary", "boundary")
        project.execute(Decide(speaker.id, "accept", "alice", "lead"))
        assert project.relations("d1") == []
        second = Decide(quote.id, "accept", "alice", "lead")
        project.execute(second)
        ids = {s.label: s.id for s in project.spans("d1")}
        assert project.relations("d1") == [
            Relation("SAID_BY", ids["QUOTE"], ids["SPEAKER"], GOLD_OWNER)
        ]
        project.revert(second)
        assert project.relations("d1") == []


@pytest.mark.parametrize("first", ["quote", "speaker"])
@pytest.mark.parametrize(
    ("quote_from", "speaker_from", "linked"),
    [
        ("alice", "bob", True),  # each end from another annotator: the gold quote keeps a speaker
        ("bob", "alice", True),
        ("alice", None, False),  # the speaker rejected: nothing to link to
    ],
)
def test_a_link_whose_ends_were_taken_from_different_annotators_is_kept(
    tmp_path: Path, first: str, quote_from: str, speaker_from: str | None, linked: bool
) -> None:
    with open_gold(disputed_quote_and_speaker(tmp_path)) as project:
        quote, speaker = project.adjudication_items()  # type: ignore[attr-defined]
        decisions = {
            "quote": Decide(quote.id, "accept", quote_from, "lead"),
            "speaker": Decide(speaker.id, "accept", speaker_from, "lead")
            if speaker_from
            else Decide(speaker.id, "reject", None, "lead"),
        }
        order = [first, "speaker" if first == "quote" else "quote"]
        project.execute(decisions[order[0]])
        assert project.relations("d1") == []
        before = rows(project)
        project.execute(decisions[order[1]])
        spans = {s.label: s for s in project.spans("d1")}
        assert spans["QUOTE"].start == (Q2 if quote_from == "alice" else at("The war must end,"))[0]
        if linked:
            assert project.relations("d1") == [
                Relation("SAID_BY", spans["QUOTE"].id, spans["SPEAKER"].id, GOLD_OWNER)
            ]
        else:
            assert "SPEAKER" not in spans and project.relations("d1") == []
        project.revert(decisions[order[1]])
        assert rows(project) == before  # undone exactly, the link with it


def test_attribution_and_document_label_differences(tmp_path: Path) -> None:
    spans, _ = full()
    a = write(
        tmp_path / "a.annotator",
        "alice",
        [(doc(stance="favor"), spans, [Relation("SAID_BY", "q1", "s1")])],
    )
    b = write(
        tmp_path / "b.annotator",
        "bob",
        [(doc(stance="against"), spans, [Relation("SAID_BY", "q1", "s2")])],
    )
    report = create_gold([a, b], tmp_path / "gold.annotator", decided_by="lead")
    assert report.by_kind == {"document": 1, "attribution": 1}
    with open_gold(tmp_path / "gold.annotator") as project:
        kinds = items_by_kind(project)
        assert kinds["document"].description == "document label stance: alice=favor, bob=against"
        before = rows(project)
        label = Decide(kinds["document"].id, "accept", "bob", "lead")
        change = project.execute(label)
        assert change.document_fields
        assert project.document_labels("d1") == {"stance": "against"}
        link = Decide(kinds["attribution"].id, "accept", "bob", "lead")
        project.execute(link)
        ids = {(s.start, s.end): s.id for s in project.spans("d1")}
        assert project.relations("d1") == [Relation("SAID_BY", ids[Q1], ids[S2], GOLD_OWNER)]
        project.revert(link)
        project.revert(label)
        assert rows(project) == before


def test_reopening_resumes_with_the_same_open_items(gold: Project) -> None:
    path = gold.path
    items = gold.adjudication_items()  # type: ignore[attr-defined]
    gold.execute(Decide(items[1].id, "accept", "alice", "lead", AT, edit=True))
    gold.close()
    with open_gold(path) as again:
        still = again.adjudication_items(state="open")  # type: ignore[attr-defined]
        assert [it.id for it in still] == [items[0].id, items[2].id]
        assert still == [items[0], items[2]]
        done = again.adjudication_item(items[1].id)  # type: ignore[attr-defined]
        assert (done.state, done.decided_by) == ("edited", "lead")
        dt.datetime.fromisoformat(done.decided_at or "")
        assert queue_counts(again.conn) == (2, 3)
        (prov,) = [p for p in again.provenance("d1") if p.item == items[1].id]  # type: ignore[attr-defined]
        assert prov.decision == "edited"


def content(project: Project) -> dict[str, list[tuple[Any, ...]]]:
    """``rows`` without the row ids (rows put back get new ones), in a stable order."""
    return {t: sorted(map(repr, (r[1:] for r in got))) for t, got in rows(project).items()}  # type: ignore[misc]


def test_a_decision_from_an_earlier_session_can_be_reopened(gold: Project) -> None:
    path = gold.path
    attribute, _boundary, missing = gold.adjudication_items()  # type: ignore[attr-defined]
    assert (attribute.kind, missing.kind) == ("attribute", "missing")
    before = content(gold)
    gold.execute(Decide(missing.id, "accept", "alice", "lead", AT))
    decided = content(gold)
    assert decided != before
    gold.close()
    with open_gold(path) as again:  # a new session: no undo history
        with pytest.raises(AnnotatorError, match="open: there is no decision"):
            again.execute(Reopen(attribute.id))
        assert content(again) == decided
        reopen = Reopen(missing.id)
        change = again.execute(reopen)
        assert change.document == "d1" and change.spans
        assert reopen.text.startswith("Reopen missing")
        assert again.adjudication_item(missing.id).is_open  # type: ignore[attr-defined]
        assert content(again) == before  # as before the decision
        again.revert(reopen)
        assert content(again) == decided  # the decision and its gold are back
        again.execute(reopen)
        again.execute(Decide(missing.id, "reject", None, "lead", AT))  # decided anew
        assert again.adjudication_item(missing.id).state == "rejected"  # type: ignore[attr-defined]


def test_reopening_takes_the_links_and_labels_the_decision_made(tmp_path: Path) -> None:
    spans, _ = full()
    a = write(tmp_path / "a.annotator", "alice",
              [(doc(stance="favor"), spans, [Relation("SAID_BY", "q1", "s1")])])  # fmt: skip
    b = write(tmp_path / "b.annotator", "bob",
              [(doc(stance="against"), spans, [Relation("SAID_BY", "q1", "s2")])])  # fmt: skip
    create_gold([a, b], tmp_path / "gold.annotator", decided_by="lead")
    with open_gold(tmp_path / "gold.annotator") as project:
        kinds = items_by_kind(project)
        before = content(project)
        project.execute(Decide(kinds["document"].id, "accept", "bob", "lead"))
        project.execute(Decide(kinds["attribution"].id, "accept", "bob", "lead"))
        decided = content(project)
        assert project.relations("d1") and project.document_labels("d1") == {"stance": "against"}
        reopened = [Reopen(kinds[kind].id) for kind in ("attribution", "document")]
        for command in reopened:
            project.execute(command)
        assert project.relations("d1") == [] and project.document_labels("d1") == {}
        assert content(project) == before
        with pytest.raises(AnnotatorError):
            project.execute(Reopen(kinds["attribution"].id))  # already open
        assert content(project) == before
        for command in reversed(reopened):
            project.revert(command)
        assert content(project) == decided


def test_schemes_kept_by_the_review_are_not_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spans, rels = full()
    a = write(tmp_path / "a.annotator", "alice", [(doc(), spans, rels)])
    b = write(tmp_path / "b.annotator", "bob", [(doc(), spans, rels)])
    with open_received(a) as received:
        scheme = received.scheme
    review = load_files([a, b])
    review.files = [
        SimpleNamespace(path=f.path, scheme=scheme, people=[Person("Donald Trump", "president")])
        for f in review.files
    ]  # type: ignore[misc]

    def refuse(path: Path) -> None:
        raise AssertionError(f"{path} read again")

    monkeypatch.setattr("annotator.io.adjudicate.open_received", refuse)
    create_gold(review, tmp_path / "gold.annotator", decided_by="lead")
    with open_gold(tmp_path / "gold.annotator") as project:
        assert project.person("Donald Trump") == Person("Donald Trump", "president")
        assert project.scheme.to_dict() == scheme.to_dict()


def test_a_span_given_twice_by_one_annotator_counts_once(tmp_path: Path) -> None:
    spans, rels = full()
    twice = [*spans, Span("again", *Q3, "QUOTE")]
    a = write(tmp_path / "a.annotator", "alice", [(doc(), twice, rels)])
    b = write(tmp_path / "b.annotator", "bob", [(doc(), spans, rels)])
    report = create_gold([a, b], tmp_path / "gold.annotator", decided_by="lead")
    assert (report.agreed_spans, report.items) == (5, 0)
