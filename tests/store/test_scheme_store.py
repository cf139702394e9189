"""Scheme edits on a real project file: annotations follow, undo is exact, refusals change nothing."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from annotator.core.commands import AddRelation, AddSpan, Command, SetDocumentLabel
from annotator.core.errors import AnnotatorError
from annotator.core.model import Document, Relation, Span
from annotator.core.scheme import Attribute
from annotator.core.scheme_edits import (
    ImportScheme,
    RemoveAttribute,
    RemoveLabel,
    RemoveTarget,
    RemoveValue,
    RenameAttribute,
    RenameLabel,
    RenameTarget,
    RenameValue,
    SetScheme,
    Usage,
    add_attribute,
    add_label,
    load_scheme_file,
    orphans,
    scheme_json,
    target_usage,
    update_attribute,
    update_label,
    usage,
)
from annotator.resources import default_scheme
from annotator.store import Project
from annotator.store.project import Record
from annotator.store.scheme_store import SchemeStoreMixin

SAMPLE_ID = "ceasefire-talks"
D2 = "d2"
D2_TEXT = "Peskov said 'there is hope'. Trump said 'it will end'. The war kills."


def with_scheme_edits(project: Project) -> Project:
    """Until ``SchemeStoreMixin`` is one of ``Project``'s bases, give this project its methods."""
    if not isinstance(project, SchemeStoreMixin):
        project.__class__ = type("ProjectWithSchemeEdits", (SchemeStoreMixin, Project), {})
    return project


def at(text: str, phrase: str, label: str, **attrs: Any) -> Span:
    s = text.index(phrase)
    return Span("", s, s + len(phrase), label, attrs)


@pytest.fixture
def proj(project: Project, sample_text: str) -> Project:
    """Alice's spans in the sample article, Bob's (imported) in a second document, both linked."""
    p = with_scheme_edits(project)
    t = sample_text
    for span in [
        at(t, "Millions of people are needlessly dead", "QUOTE", kind="mixed", stance="against",
           target="ceasefire"),
        at(t, "the president", "SPEAKER"),
        at(t, "wrote", "CUE"),
        at(t, "get us out", "QUOTE", kind="direct", target="sanctions on Russia"),
        at(t, "around 500,000 people", "CLAIM", kind="statistic", checkworthy="yes",
           target="ceasefire"),
    ]:
        p.execute(AddSpan(SAMPLE_ID, span))
    p.execute(AddRelation(SAMPLE_ID, Relation("SAID_BY", "q1", "s1")))
    p.execute(AddRelation(SAMPLE_ID, Relation("CUED_BY", "q1", "c1")))
    bob_spans = (
        replace(at(D2_TEXT, "there is hope", "QUOTE", kind="mixed", target="ceasefire"), id="q1"),
        replace(at(D2_TEXT, "Peskov", "SPEAKER"), id="s1"),
        replace(at(D2_TEXT, "it will end", "QUOTE", kind="indirect"), id="q2"),
        replace(at(D2_TEXT, "The war kills", "CLAIM", kind="causal"), id="c1"),
    )
    p.add_records(
        [Record(Document(D2, D2_TEXT), "bob", bob_spans, (Relation("SAID_BY", "q1", "s1"),))]
    )
    p.execute(SetDocumentLabel(D2, "stance", "favor"))
    p.execute(SetDocumentLabel(SAMPLE_ID, "stance", "against"))
    p.execute(SetDocumentLabel(SAMPLE_ID, "topic", "Ukraine war"))
    return p


def snapshot(p: Project) -> tuple[Any, ...]:
    """Everything a scheme edit may touch, down to row ids and stored JSON text."""
    return (
        p.scheme,
        p.db.execute("SELECT value FROM meta WHERE key = 'scheme'").fetchone()[0],
        p.db.execute("SELECT * FROM spans ORDER BY id").fetchall(),
        p.db.execute("SELECT * FROM relations ORDER BY id").fetchall(),
        p.db.execute("SELECT id, ext_id, labels FROM documents ORDER BY id").fetchall(),
    )


def labels_of(p: Project) -> list[tuple[str, str, str]]:
    return [tuple(r) for r in p.db.execute("SELECT annotator, sid, label FROM spans ORDER BY id")]


def attrs_of(p: Project, label: str) -> list[dict[str, Any]]:
    return [
        json.loads(r[0])
        for r in p.db.execute("SELECT attrs FROM spans WHERE label = ? ORDER BY id", [label])
    ]


def apply_then_revert(p: Project, command: Command) -> tuple[Any, ...]:
    """Apply, return the state after, revert and check the state is back exactly; redo works."""
    before = snapshot(p)
    p.execute(command)
    after = snapshot(p)
    assert after != before
    assert after[0].version == before[0].version + 1 or isinstance(command, ImportScheme)
    p.revert(command)
    assert snapshot(p) == before
    p._scheme = None  # the stored scheme, not only the cached one, is back
    assert snapshot(p) == before
    p.execute(command)  # redo
    assert snapshot(p) == after
    p.revert(command)
    return after


# ---- renames reach every annotator and every document ----------------------------


def test_rename_label_renames_every_span_and_relation_definitions(proj: Project) -> None:
    before = snapshot(proj)
    command = RenameLabel("QUOTE", "STATEMENT")
    apply_then_revert(proj, command)
    proj.execute(command)
    assert command.text == "Rename label QUOTE to STATEMENT"
    assert proj.scheme.label("QUOTE") is None
    assert proj.scheme.label("STATEMENT") is not None
    assert proj.scheme.relation("SAID_BY").heads == ("STATEMENT", "CLAIM")
    assert proj.scheme.relation("CUED_BY").heads == ("STATEMENT", "CLAIM")
    renamed = [(a, s) for a, s, lab in labels_of(proj) if lab == "STATEMENT"]
    assert renamed == [("alice", "q1"), ("alice", "q2"), ("bob", "q1"), ("bob", "q2")]
    assert not [x for x in labels_of(proj) if x[2] == "QUOTE"]
    # only the label column changed: row ids, span ids, bounds, attrs and relations are as they were
    def without_label(rows: list[Any]) -> list[Any]:
        return [r[:4] + r[5:] for r in rows]

    assert without_label(snapshot(proj)[2]) == without_label(before[2])
    assert snapshot(proj)[3:] == before[3:]
    # a reopened file reads the same scheme
    proj._scheme = None
    assert proj.scheme.label("STATEMENT") is not None


def test_rename_attribute_changes_the_key_of_that_label_only(proj: Project) -> None:
    apply_then_revert(proj, RenameAttribute("QUOTE", "kind", "type"))
    proj.execute(RenameAttribute("QUOTE", "kind", "type"))
    assert [a.get("type") for a in attrs_of(proj, "QUOTE")] == ["mixed", "direct", "mixed", "indirect"]
    assert all("kind" not in a for a in attrs_of(proj, "QUOTE"))
    assert [a["kind"] for a in attrs_of(proj, "CLAIM")] == ["statistic", "causal"]
    assert [a.name for a in proj.scheme.label("QUOTE").attributes][:2] == ["type", "stance"]


def test_rename_value_of_a_span_attribute_everywhere(proj: Project) -> None:
    apply_then_revert(proj, RenameValue("QUOTE", "kind", "mixed", "partial"))
    proj.execute(RenameValue("QUOTE", "kind", "mixed", "partial"))
    assert [a["kind"] for a in attrs_of(proj, "QUOTE")] == ["partial", "direct", "partial", "indirect"]
    assert proj.scheme.label("QUOTE").attribute("kind").values == ("direct", "indirect", "partial")
    # the stored JSON is written as project.py writes it (sorted keys, no ASCII escapes)
    row = proj.db.execute("SELECT attrs FROM spans WHERE label = 'QUOTE' ORDER BY id").fetchone()[0]
    assert row == json.dumps(json.loads(row), ensure_ascii=False, sort_keys=True)


def test_rename_value_of_a_document_label(proj: Project) -> None:
    apply_then_revert(proj, RenameValue(None, "stance", "favor", "pro"))
    proj.execute(RenameValue(None, "stance", "favor", "pro"))
    assert proj.document_labels(D2) == {"stance": "pro"}
    assert proj.document_labels(SAMPLE_ID) == {"stance": "against", "topic": "Ukraine war"}
    assert proj.scheme.document_label("stance").values == ("against", "neutral", "pro", "unclear")


def test_rename_target_renames_every_target_value(proj: Project) -> None:
    apply_then_revert(proj, RenameTarget("ceasefire", "truce"))
    proj.execute(RenameTarget("ceasefire", "truce"))
    assert proj.scheme.targets[0] == "truce"
    targets = [a.get("target") for lab in ("QUOTE", "CLAIM") for a in attrs_of(proj, lab)]
    assert "ceasefire" not in targets
    assert targets.count("truce") == 3
    assert targets.count("sanctions on Russia") == 1


# ---- removals ask first (UI), delete, and come back exactly ------------------------


def test_remove_label_in_use_deletes_spans_and_relations_and_restores_them(proj: Project) -> None:
    assert usage(proj, "SPEAKER") == Usage(2, 2)
    command = RemoveLabel("SPEAKER")
    apply_then_revert(proj, command)
    proj.execute(command)
    assert not [x for x in labels_of(proj) if x[2] == "SPEAKER"]
    assert [r.label for r in proj.relations(SAMPLE_ID)] == ["CUED_BY"]
    assert proj.relations(D2, "bob") == []
    # SAID_BY had SPEAKER as its only child: it goes too
    assert proj.scheme.relation("SAID_BY") is None
    proj.revert(command)
    assert [r.label for r in proj.relations(SAMPLE_ID)] == ["SAID_BY", "CUED_BY"]
    assert proj.relations(D2, "bob") == [Relation("SAID_BY", "q1", "s1", "bob")]


def test_remove_attribute_drops_the_key_everywhere(proj: Project) -> None:
    assert usage(proj, "QUOTE", "target") == Usage(3, 2)
    apply_then_revert(proj, RemoveAttribute("QUOTE", "target"))
    proj.execute(RemoveAttribute("QUOTE", "target"))
    assert all("target" not in a for a in attrs_of(proj, "QUOTE"))
    assert proj.scheme.label("QUOTE").attribute("target") is None


def test_remove_document_label(proj: Project) -> None:
    apply_then_revert(proj, RemoveAttribute(None, "topic"))
    proj.execute(RemoveAttribute(None, "topic"))
    assert proj.document_labels(SAMPLE_ID) == {"stance": "against"}


def test_remove_value_clears_it(proj: Project) -> None:
    assert usage(proj, "QUOTE", "kind", "mixed") == Usage(2, 2)
    assert usage(proj, "QUOTE", "kind", "mixed").describe() == "2 annotations in 2 documents"
    apply_then_revert(proj, RemoveValue("QUOTE", "kind", "mixed"))
    proj.execute(RemoveValue("QUOTE", "kind", "mixed"))
    assert [a.get("kind") for a in attrs_of(proj, "QUOTE")] == [None, "direct", None, "indirect"]
    assert proj.scheme.label("QUOTE").attribute("kind").values == ("direct", "indirect")


def test_remove_target_clears_it(proj: Project) -> None:
    n = target_usage(proj, "ceasefire").annotations
    assert n >= 2
    apply_then_revert(proj, RemoveTarget("ceasefire"))
    proj.execute(RemoveTarget("ceasefire"))
    assert target_usage(proj, "ceasefire") == Usage(0, 0)
    assert "ceasefire" not in proj.scheme.targets


def test_scheme_only_edits_bump_the_version(proj: Project) -> None:
    s = proj.scheme
    edits = [
        add_label(s, "EVIDENCE"),
        update_label(s, "QUOTE", color="#123456", shortcut="W", description="Said.", example="x"),
        add_attribute(s, "CUE", Attribute("tense", ("past", "present"))),
        update_attribute(s, "QUOTE", "kind", values=("indirect", "direct", "mixed", "partial")),
        replace(s, targets=(*s.targets, "elections")),
    ]
    for after in edits:
        apply_then_revert(proj, SetScheme(s, after, "Edit"))
    proj.execute(SetScheme(s, edits[0], "Add label EVIDENCE"))
    assert proj.scheme.version == s.version + 1
    assert proj.scheme.label("EVIDENCE").color.startswith("#")


# ---- refusals change nothing ------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda s: RenameLabel("QUOTE", "SPEAKER"), "there is already a label SPEAKER"),
        (lambda s: RenameLabel("QUOTE", "two words"), "must start with a letter"),
        (lambda s: RenameLabel("NOPE", "X"), "no label 'NOPE'"),
        (lambda s: RenameAttribute("QUOTE", "kind", "stance"), "QUOTE.stance already exists"),
        (lambda s: RenameValue("QUOTE", "kind", "mixed", "direct"), "already has a value 'direct'"),
        (lambda s: RenameValue("QUOTE", "kind", "mixed", "a, b"), "contains a comma"),
        (lambda s: RenameValue("QUOTE", "target", "x", "y"), "are the stance targets"),
        (lambda s: RenameTarget("ceasefire", "sanctions on Russia"), "already a stance target"),
        (lambda s: RemoveValue("CLAIM", "checkworthy", "nope"), "has no value 'nope'"),
        (lambda s: SetScheme(s, update_label(s, "SPEAKER", shortcut="q"), "x"),
         "label SPEAKER: shortcut 'q' is already used by QUOTE"),
        (lambda s: SetScheme(s, update_label(s, "SPEAKER", shortcut="a"), "x"), "is reserved"),
        (lambda s: SetScheme(s, update_label(s, "SPEAKER", shortcut="]"), "x"), "is reserved"),
        (lambda s: SetScheme(s, update_label(s, "SPEAKER", shortcut="xy"), "x"), "must be one key"),
        (lambda s: SetScheme(s, update_label(s, "CUE", color="red"), "x"),
         "label CUE: colour 'red' must look like #RRGGBB"),
        (lambda s: SetScheme(replace(s, targets=()), s, "x"), "changed since"),
        (lambda s: SetScheme(s, update_attribute(s, "QUOTE", "kind", values=("direct",)), "x"),
         "value QUOTE.kind=mixed (2)"),
        (lambda s: SetScheme(s, update_attribute(s, "QUOTE", "kind", source="people"), "x"), ""),
    ],
)
def test_refused_edits_change_nothing(proj: Project, make: Any, message: str) -> None:
    before = snapshot(proj)
    command = make(proj.scheme)
    if message == "":
        proj.execute(command)  # widening the values is allowed (people: any name)
        proj.revert(command)
    else:
        with pytest.raises(AnnotatorError, match=message.replace(".", r"\.").replace("(", r"\(")
                           .replace(")", r"\)")):
            proj.execute(command)
    assert snapshot(proj) == before
    proj._scheme = None
    assert snapshot(proj) == before


def test_an_old_quirk_does_not_block_other_edits(proj: Project) -> None:
    """A stored scheme with a now-reserved key (from an older version) stays editable."""
    s = update_label(proj.scheme, "CUE", shortcut="U")
    proj.set_scheme(s)
    proj.execute(SetScheme(s, update_label(s, "QUOTE", color="#000000"), "Colour"))
    assert proj.scheme.label("CUE").shortcut == "U"


# ---- import and export --------------------------------------------------------------


def test_export_import_round_trip(proj: Project, tmp_path: Path) -> None:
    proj.execute(RenameValue("QUOTE", "kind", "mixed", "partial"))
    out = tmp_path / "scheme.json"
    out.write_text(scheme_json(proj.scheme), encoding="utf-8")
    assert load_scheme_file(out) == proj.scheme


def test_import_that_would_orphan_annotations_is_refused_with_the_count(
    proj: Project, tmp_path: Path
) -> None:
    s = proj.scheme
    smaller = replace(
        s,
        labels=tuple(lab for lab in s.labels if lab.name != "CUE"),
        relations=tuple(r for r in s.relations if r.name != "CUED_BY"),
        targets=s.targets[1:],
    )
    smaller = update_attribute(smaller, "QUOTE", "kind", values=("direct", "indirect"))
    path = tmp_path / "small.json"
    path.write_text(scheme_json(smaller), encoding="utf-8")
    loaded = load_scheme_file(path)
    lost = dict(orphans(proj, loaded))
    assert lost == {
        "label CUE": 1,
        "relation CUED_BY": 1,
        "value QUOTE.kind=mixed": 2,
        "value QUOTE.target=ceasefire": 2,
        "value CLAIM.target=ceasefire": 1,
    }
    before = snapshot(proj)
    with pytest.raises(AnnotatorError) as info:
        proj.execute(ImportScheme(loaded, str(path)))
    message = str(info.value)
    total = sum(lost.values())
    assert f"would leave {total} annotation uses" in message
    assert "value QUOTE.kind=mixed (2)" in message
    assert "Nothing was changed" in message
    assert snapshot(proj) == before


def test_import_lists_at_most_five_examples(proj: Project) -> None:
    s = proj.scheme
    bare = replace(s, labels=(), relations=(), document_labels=(), targets=())
    with pytest.raises(AnnotatorError) as info:
        proj.execute(ImportScheme(bare, "bare.json"))
    lines = str(info.value).splitlines()
    assert lines[0].startswith("bare.json: importing this scheme would leave")
    examples = [x for x in lines if x.startswith("  ") and "(" in x]
    assert len(examples) == 5
    assert any("… and" in x and "more" in x for x in lines)


def test_import_keeps_the_files_name_and_version_and_undoes(proj: Project) -> None:
    bigger = replace(add_label(proj.scheme, "EVIDENCE"), name="team-scheme", version=7)
    command = ImportScheme(bigger, "team.json")
    apply_then_revert(proj, command)
    proj.execute(command)
    assert (proj.scheme.name, proj.scheme.version) == ("team-scheme", 7)
    assert command.text == "Import scheme team-scheme version 7"


def test_default_scheme_file_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "default.json"
    path.write_text(scheme_json(default_scheme()), encoding="utf-8")
    assert load_scheme_file(path) == default_scheme()
