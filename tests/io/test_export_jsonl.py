"""export_project: formats, document selection, and the byte-identical round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.core.commands import AddRelation, AddSpan, SetDocumentLabel, SetStatus
from annotator.core.errors import AnnotatorError
from annotator.core.model import Relation, Span
from annotator.io.export import FORMATS, export_project
from annotator.io.importer import import_paths
from annotator.io.jsonl import read_jsonl, write_jsonl
from annotator.resources import default_scheme
from annotator.store import Project, open_project
from annotator.store.project import Record


def _annotate(project: Project, sample_text: str) -> None:
    doc = "ceasefire-talks"
    start = sample_text.index("'completed and signed'")
    quote = Span("q1", start, start + len("'completed and signed'"), "QUOTE",
                 {"kind": "direct", "stance": "favor", "target": "ceasefire"})  # fmt: skip
    who = sample_text.index("President Donald Trump")
    speaker = Span("s1", who, who + len("President Donald Trump"), "SPEAKER",
                   {"person": "Donald Trump"})  # fmt: skip
    project.execute(AddSpan(doc, quote))
    project.execute(AddSpan(doc, speaker))
    project.execute(AddRelation(doc, Relation("SAID_BY", "q1", "s1")))
    project.execute(SetStatus(doc, "in_progress"))
    project.execute(SetDocumentLabel(doc, "stance", "favor"))


@pytest.fixture
def rich_project(
    project: Project, sample_text: str, hard_record: Record, tmp_path: Path
) -> Project:
    """The sample with alice's annotations, plus a record of bob's full of awkward Unicode."""
    _annotate(project, sample_text)
    bob = Record(hard_record.document, "bob", hard_record.spans, hard_record.relations)
    write_jsonl([bob], tmp_path / "bob.jsonl")
    import_paths(project, [tmp_path / "bob.jsonl"])
    return project


def test_round_trip_is_byte_identical(rich_project: Project, tmp_path: Path) -> None:
    first = tmp_path / "first.jsonl"
    assert export_project(rich_project, "jsonl", first).records == 2
    with open_project(tmp_path / "fresh.annotator", create=True, owner="alice",
                      scheme=default_scheme()) as fresh:  # fmt: skip
        report = import_paths(fresh, [first])
        assert report.documents_added == 2
        second = tmp_path / "second.jsonl"
        assert export_project(fresh, "jsonl", second).records == 2
    assert second.read_bytes() == first.read_bytes()
    records = list(read_jsonl(first))
    assert [(r.document.id, r.annotator) for r in records] == [
        ("ceasefire-talks", "alice"),
        ("hard-doc", "bob"),
    ]
    assert records[0].document.status == "in_progress"
    assert dict(records[0].document.labels) == {"stance": "favor"}
    assert [s.id for s in records[0].spans] == ["s1", "q1"]  # in text order


def test_export_then_reimport_changes_nothing(rich_project: Project, tmp_path: Path) -> None:
    out = tmp_path / "all.jsonl"
    export_project(rich_project, "jsonl", out)
    report = import_paths(rich_project, [out])
    assert (report.documents_added, report.documents_present, report.spans_added) == (0, 2, 0)
    assert report.scheme_additions == []


def test_export_selected_documents(rich_project: Project, tmp_path: Path) -> None:
    out = tmp_path / "one.jsonl"
    assert export_project(rich_project, "jsonl", out, doc_ids=["hard-doc"]).records == 1
    assert [r.document.id for r in read_jsonl(out)] == ["hard-doc"]


def test_export_unknown_document(rich_project: Project, tmp_path: Path) -> None:
    out = tmp_path / "x.jsonl"
    with pytest.raises(AnnotatorError, match="'nope'"):
        export_project(rich_project, "jsonl", out, doc_ids=["hard-doc", "nope"])
    assert not out.exists()


def test_unknown_format_lists_supported(project: Project, tmp_path: Path) -> None:
    with pytest.raises(AnnotatorError) as info:
        export_project(project, "xlsx", tmp_path / "x.xlsx")
    assert "'xlsx'" in str(info.value)
    for name in FORMATS:
        assert name in str(info.value)


def test_export_never_overwrites_the_project(project: Project) -> None:
    before = project.path.read_bytes()
    with pytest.raises(AnnotatorError, match="project file itself"):
        export_project(project, "jsonl", project.path)
    assert project.path.read_bytes() == before


def test_export_to_missing_folder(project: Project, tmp_path: Path) -> None:
    with pytest.raises(AnnotatorError, match="does not exist"):
        export_project(project, "jsonl", tmp_path / "no" / "such" / "out.jsonl")


def test_empty_project_exports_empty_file(empty_project: Project, tmp_path: Path) -> None:
    out = tmp_path / "empty.jsonl"
    assert export_project(empty_project, "jsonl", out).records == 0
    assert out.read_bytes() == b""
