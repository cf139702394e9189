"""Attribution and the people register: links checked by the scheme, renames reach everywhere."""

from __future__ import annotations

import pytest

from annotator.core.commands import (
    AddPerson,
    AddRelation,
    AddSpan,
    Attribute,
    EditPerson,
    EditSpan,
    MergePeople,
)
from annotator.core.errors import AnnotatorError
from annotator.core.model import Document, Person, Relation, Span
from annotator.store import Project
from annotator.store.project import Record

TEXT = "Peskov said 'there is hope'. Trump said 'it will end'. He added 'soon'."


@pytest.fixture
def doc(empty_project: Project) -> Project:
    empty_project.add_records([Record(Document("d", TEXT), "", (), ())])
    for phrase, label in [
        ("Peskov", "SPEAKER"),
        ("there is hope", "QUOTE"),
        ("Trump", "SPEAKER"),
        ("it will end", "QUOTE"),
        ("He", "SPEAKER"),
        ("soon", "QUOTE"),
    ]:
        s = TEXT.index(phrase)
        empty_project.execute(AddSpan("d", Span("", s, s + len(phrase), label)))
    return empty_project


def test_attribute_to_a_mention_then_to_another_replaces_the_link(doc: Project) -> None:
    first = Attribute("d", "q1", speaker_id="s1")
    doc.execute(first)
    assert first.text == "Attribute QUOTE to “Peskov”"
    assert [(r.head, r.child) for r in doc.relations("d")] == [("q1", "s1")]
    second = Attribute("d", "q1", speaker_id="s2")
    doc.execute(second)
    assert [(r.head, r.child) for r in doc.relations("d")] == [("q1", "s2")]
    doc.revert(second)
    assert [(r.head, r.child) for r in doc.relations("d")] == [("q1", "s1")]


def test_attribute_directly_to_a_person_of_the_register(doc: Project) -> None:
    with pytest.raises(AnnotatorError, match="not in the people register"):
        doc.execute(Attribute("d", "q3", person="Donald Trump"))
    doc.execute(AddPerson(Person("Donald Trump", "President", "United States")))
    command = Attribute("d", "q3", person="Donald Trump")
    doc.execute(command)
    assert doc.span("d", "q3").attrs == {"person": "Donald Trump"}
    doc.revert(command)
    assert doc.span("d", "q3").attrs == {}


@pytest.mark.parametrize(
    ("head", "child", "message"),
    [
        ("q1", "q1", "cannot be linked to itself"),
        ("q1", "q2", "links to a SPEAKER, not to a QUOTE"),
        ("s1", "s2", "starts from QUOTE or CLAIM, not from a SPEAKER"),
        ("q1", "s9", "no span 's9'"),
    ],
)
def test_bad_links_are_refused_and_change_nothing(doc: Project, head: str, child: str, message: str) -> None:
    with pytest.raises(AnnotatorError, match=message):
        doc.execute(AddRelation("d", Relation("SAID_BY", head, child)))
    assert doc.relations("d") == []


def test_attribute_values_outside_the_scheme_are_refused(doc: Project) -> None:
    span = doc.span("d", "q1")
    with pytest.raises(AnnotatorError, match="cannot be 'maybe'"):
        doc.execute(EditSpan("d", span, span.with_(attrs={"stance": "maybe"})))
    assert doc.span("d", "q1").attrs == {}


def test_rename_reaches_every_mention_in_every_document_and_undoes(doc: Project) -> None:
    doc.add_records([Record(Document("e", "Trump spoke."), "", (Span("s1", 0, 5, "SPEAKER", {"person": "D. Trump"}),), ())])
    doc.execute(AddPerson(Person("D. Trump")))
    for sid in ("s2", "s3"):
        span = doc.span("d", sid)
        doc.execute(EditSpan("d", span, span.with_(attrs={"person": "D. Trump"}), "person"))
    rename = EditPerson(Person("D. Trump"), Person("Donald Trump", "President"))
    change = doc.execute(rename)
    assert change.people and change.document == ""
    assert doc.span("d", "s3").attrs["person"] == "Donald Trump"
    assert doc.span("e", "s1").attrs["person"] == "Donald Trump"
    assert doc.person("Donald Trump") == Person("Donald Trump", "President")
    assert doc.person("D. Trump") is None
    doc.revert(rename)
    assert doc.span("e", "s1").attrs["person"] == "D. Trump"
    assert [p.name for p in doc.people()] == ["D. Trump"]


def test_merge_two_people_and_undo(doc: Project) -> None:
    doc.execute(AddPerson(Person("Trump")))
    doc.execute(AddPerson(Person("Donald Trump")))
    for sid, who in (("s2", "Trump"), ("s3", "Donald Trump")):
        span = doc.span("d", sid)
        doc.execute(EditSpan("d", span, span.with_(attrs={"person": who}), "person"))
    merge = MergePeople(Person("Trump"), "Donald Trump")
    doc.execute(merge)
    assert [p.name for p in doc.people()] == ["Donald Trump"]
    assert doc.mentions("Donald Trump") == 2
    doc.revert(merge)
    assert doc.span("d", "s2").attrs["person"] == "Trump"
    assert doc.span("d", "s3").attrs["person"] == "Donald Trump"
    with pytest.raises(AnnotatorError, match="themselves"):
        doc.execute(MergePeople(Person("Trump"), "Trump"))


def test_renaming_onto_an_existing_name_is_refused(doc: Project) -> None:
    doc.execute(AddPerson(Person("A")))
    doc.execute(AddPerson(Person("B")))
    with pytest.raises(AnnotatorError, match="merge instead"):
        doc.execute(EditPerson(Person("A"), Person("B")))
    with pytest.raises(AnnotatorError, match="already in the people register"):
        doc.execute(AddPerson(Person("A")))
