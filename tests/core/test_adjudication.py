"""The adjudication commands on an in-memory repository: no SQL, no Qt."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import pytest

from annotator.core.adjudication import (
    Candidate,
    Decide,
    Provenance,
    QueueItem,
    as_gold,
    candidates_from_json,
    candidates_to_json,
    content_key,
)
from annotator.core.errors import AnnotatorError
from annotator.core.model import AttrValue, Relation, Span

TEXT = "Peace is near, said Donald Trump."


class MemoryGold:
    """Just enough of a gold project, in dictionaries."""

    def __init__(self, items: Sequence[QueueItem]) -> None:
        self.spans: dict[str, Span] = {}
        self.relations: list[Relation] = []
        self.provenance: dict[str, Provenance] = {}
        self.items = {it.id: it for it in items}
        self.labels: dict[str, AttrValue] = {}

    def state(self) -> Any:
        # the values are immutable: copies of the containers are a snapshot
        return (
            dict(self.spans),
            sorted(self.relations, key=repr),
            dict(self.provenance),
            dict(self.items),
            dict(self.labels),
        )

    def document_text(self, doc_id: str) -> str:
        return TEXT

    def new_span_id(self, doc_id: str, label: str) -> str:
        prefix = label[0].lower()
        n = 1
        while f"{prefix}{n}" in self.spans:
            n += 1
        return f"{prefix}{n}"

    def insert_span(self, doc_id: str, span: Span) -> None:
        assert span.id not in self.spans
        self.spans[span.id] = span

    def delete_span(self, doc_id: str, span_id: str, annotator: str) -> None:
        del self.spans[span_id]

    def relations_of(self, doc_id: str, span_id: str, annotator: str) -> list[Relation]:
        return [r for r in self.relations if span_id in (r.head, r.child)]

    def insert_relation(self, doc_id: str, relation: Relation) -> None:
        assert relation.head in self.spans and relation.child in self.spans
        self.relations.append(relation)

    def delete_relation(self, doc_id: str, relation: Relation) -> None:
        self.relations.remove(relation)

    def document_labels(self, doc_id: str) -> dict[str, AttrValue]:
        return dict(self.labels)

    def set_document_labels(self, doc_id: str, labels: Mapping[str, AttrValue]) -> None:
        self.labels = dict(labels)

    def adjudication_item(self, item_id: int) -> QueueItem:
        return self.items[item_id]

    def set_item_decision(
        self,
        item_id: int,
        state: str,
        chosen: Sequence[str],
        decided_by: str | None,
        decided_at: str | None,
    ) -> None:
        self.items[item_id] = replace(
            self.items[item_id],
            state=state,
            chosen=tuple(chosen),
            decided_by=decided_by,
            decided_at=decided_at,
        )

    def gold_sources(self, doc_id: str) -> dict[str, dict[str, str]]:
        return {sid: dict(p.sources) for sid, p in self.provenance.items()}

    def insert_provenance(self, doc_id: str, provenance: Provenance) -> None:
        self.provenance[provenance.sid] = provenance

    def delete_provenance(self, doc_id: str, sid: str) -> None:
        del self.provenance[sid]


def quote(sid: str, end: int = 13, who: str = "", **attrs: AttrValue) -> Span:
    return Span(sid, 0, end, "QUOTE", attrs, annotator=who)


SPEAKER = (20, 32)


def item(
    *candidates: Candidate, kind: str = "boundary", item_id: int = 1, start: int = 0, end: int = 14
) -> QueueItem:
    return QueueItem(item_id, "d1", item_id, kind, start, end, "", candidates)


def test_candidates_survive_json() -> None:
    cands = (
        Candidate(
            "alice (2)",
            (
                quote("q1", who="alice (2)", stance="favor"),
                Span("f", 0, 20, "CLAIM", fragments=((0, 5), (15, 20)), annotator="alice (2)"),
            ),
            (Relation("SAID_BY", "q1", "s9", "alice (2)"),),
        ),
        Candidate("bob"),
        Candidate("carol", labels={"stance": None}),
    )
    assert candidates_from_json(candidates_to_json(cands)) == cands


def test_content_key_is_the_whole_version() -> None:
    assert content_key(quote("a", stance="x")) == content_key(quote("b", who="z", stance="x"))
    assert content_key(quote("a", stance="x")) != content_key(quote("a", stance="y"))
    assert content_key(quote("a")) != content_key(quote("a", end=14))


def test_accept_inserts_the_version_and_maps_its_link_through_provenance() -> None:
    it = item(
        Candidate(
            "alice", (quote("q7", who="alice"),), (Relation("SAID_BY", "q7", "s3", "alice"),)
        ),
        Candidate("bob", (quote("x", end=14, who="bob"),)),
    )
    repo = MemoryGold([it])
    repo.spans["s1"] = Span("s1", *SPEAKER, "SPEAKER")
    repo.provenance["s1"] = Provenance("s1", {"alice": "s3", "bob": "y"}, "agreed", "lead", "t0")
    before = repo.state()
    command = Decide(1, "accept", "alice", "lead", "t1")
    change = command.apply(as_gold(repo))  # type: ignore[arg-type]
    assert change.spans == {"q1"} and change.relations
    assert repo.spans["q1"] == Span("q1", 0, 13, "QUOTE")
    assert repo.relations == [Relation("SAID_BY", "q1", "s1", "")]
    assert repo.provenance["q1"] == Provenance("q1", {"alice": "q7"}, "accepted", "lead", "t1", 1)
    assert repo.items[1].state == "accepted" and repo.items[1].chosen == ("alice",)
    assert command.text == "Accept alice’s boundary “Peace is near,”"
    command.revert(repo)  # type: ignore[arg-type]
    assert repo.state() == before


def test_both_places_identical_versions_once_with_every_source() -> None:
    it = item(
        Candidate("alice", (quote("a1", who="alice"),)),
        Candidate("bob", (quote("b1", who="bob"), quote("b2", end=14, who="bob"))),
        Candidate("carol"),
    )
    repo = MemoryGold([it])
    command = Decide(1, "both", None, "lead", "t1")
    command.apply(repo)  # type: ignore[arg-type]
    assert sorted((s.id, s.end) for s in repo.spans.values()) == [("q1", 13), ("q2", 14)]
    assert repo.provenance["q1"].sources == {"alice": "a1", "bob": "b1"}
    assert repo.provenance["q2"].sources == {"bob": "b2"}
    assert repo.items[1].chosen == ("alice", "bob")  # carol had nothing
    assert {p.decision for p in repo.provenance.values()} == {"both"}


def test_document_label_items_set_and_restore_the_label() -> None:
    it = item(
        Candidate("alice", labels={"stance": "favor"}),
        Candidate("bob", labels={"stance": None}),
        kind="document",
    )
    repo = MemoryGold([it])
    repo.labels = {"stance": "against", "topic": "war"}
    first = Decide(1, "accept", "bob", "lead", "t1")
    first.apply(repo)  # type: ignore[arg-type]
    assert repo.labels == {"topic": "war"}
    first.revert(repo)  # type: ignore[arg-type]
    second = Decide(1, "accept", "alice", "lead", "t1")
    assert second.apply(repo).document_fields  # type: ignore[arg-type]
    assert repo.labels == {"stance": "favor", "topic": "war"}
    with pytest.raises(AnnotatorError, match="already decided"):
        Decide(1, "reject", None, "lead").apply(repo)  # type: ignore[arg-type]


def test_the_time_is_taken_once_and_kept_for_redo() -> None:
    repo = MemoryGold([item(Candidate("alice", (quote("a", who="alice"),)))])
    command = Decide(1, "accept", "alice", "lead", edit=True)
    command.apply(repo)  # type: ignore[arg-type]
    stamp = command.at
    assert stamp and repo.provenance["q1"].decided_at == stamp
    assert repo.provenance["q1"].decision == "edited" and repo.items[1].state == "edited"
    command.revert(repo)  # type: ignore[arg-type]
    command.apply(repo)  # type: ignore[arg-type]
    assert repo.provenance["q1"].decided_at == stamp


def test_a_plain_repository_is_refused() -> None:
    class Plain:
        pass

    with pytest.raises(AnnotatorError, match="no adjudication queue"):
        Decide(1, "reject", None, "lead").apply(Plain())  # type: ignore[arg-type]
