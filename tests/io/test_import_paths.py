"""import_paths: ids, idempotence, scheme growth, all-or-nothing, folders, progress."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from annotator.core.errors import AnnotatorError
from annotator.io.importer import import_paths
from annotator.resources import sample_article
from annotator.store import Project, open_project

SAMPLE_FILE_ID = "000-8780c45163dbb04d"


def _line(doc_id: str, text: str, **extra: Any) -> str:
    return json.dumps({"id": doc_id, "text": text, **extra}, ensure_ascii=False)


def _write_jsonl(path: Path, *lines: str) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def _state(project: Project) -> tuple[bytes, int, int, int, str]:
    """The file's bytes and row counts: what 'untouched' means."""
    counts = [
        project.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("documents", "spans", "relations")
    ]
    scheme = project.db.execute("SELECT value FROM meta WHERE key = 'scheme'").fetchone()[0]
    return (project.path.read_bytes(), *counts, scheme)


FOO_LINE = _line(
    "foo-doc",
    "Alice said hello to Bob.",
    annotator="bob",
    spans=[
        {
            "id": "f1",
            "start": 0,
            "end": 5,
            "label": "FOO",
            "text": "Alice",
            "attrs": {"colour": "red"},
        },
        {"id": "q1", "start": 11, "end": 16, "label": "QUOTE", "attrs": {"stance": "sceptical"}},
    ],
    relations=[{"label": "POINTS_AT", "head": "q1", "child": "f1"}],
    labels={"urgency": "high"},
)


# ---- articles ---------------------------------------------------------------------------


def test_sample_twice_is_already_present(empty_project: Project) -> None:
    first = import_paths(empty_project, [sample_article()])
    assert (first.documents_added, first.documents_present) == (1, 0)
    assert empty_project.document_ids() == [SAMPLE_FILE_ID]
    doc = empty_project.document(SAMPLE_FILE_ID)
    assert doc.meta.title == "Trump reveals where ceasefire talks with Putin stand"
    assert doc.meta.source == "Mail Online"
    before = _state(empty_project)
    second = import_paths(empty_project, [sample_article()])
    assert (second.documents_added, second.documents_present) == (0, 1)
    assert any("already present" in line for line in second.summary())
    assert empty_project.document_ids() == [SAMPLE_FILE_ID]
    assert _state(empty_project)[1:] == before[1:]


def test_same_stem_different_text_gets_distinct_ids(empty_project: Project, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "story.txt").write_text("First story\n", encoding="utf-8")
    (tmp_path / "b" / "story.txt").write_text("Second story\n", encoding="utf-8")
    files = [tmp_path / "a" / "story.txt", tmp_path / "b" / "story.txt"]
    report = import_paths(empty_project, files)
    assert report.documents_added == 2
    assert empty_project.document_ids() == ["story", "story-2"]
    assert empty_project.document_text("story-2") == "Second story\n"
    assert any("'story-2'" in note for note in report.notes)
    again = import_paths(empty_project, files)  # ids resolve to the same documents
    assert (again.documents_added, again.documents_present) == (0, 2)
    assert empty_project.document_ids() == ["story", "story-2"]


def test_same_file_twice_in_one_import(empty_project: Project) -> None:
    report = import_paths(empty_project, [sample_article(), sample_article()])
    assert report.documents_added == 1
    assert empty_project.document_ids() == [SAMPLE_FILE_ID]


def test_decoding_note(empty_project: Project, tmp_path: Path) -> None:
    path = tmp_path / "old.txt"
    path.write_bytes("He said \u201cno\u201d.\n".encode("cp1252"))
    report = import_paths(empty_project, [path])
    assert any("cp1252" in note for note in report.notes)


# ---- JSONL and the scheme ----------------------------------------------------------------


def test_jsonl_unknown_labels_extend_scheme(empty_project: Project, tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "foo.jsonl", FOO_LINE)
    report = import_paths(empty_project, [path])
    assert report.documents_added == 1
    assert report.spans_added == 2 and report.relations_added == 1
    assert "label FOO" in report.scheme_additions
    assert "attribute FOO.colour" in report.scheme_additions
    assert "value QUOTE.stance=sceptical" in report.scheme_additions
    assert "relation POINTS_AT" in report.scheme_additions
    assert "attribute document label urgency" in report.scheme_additions
    assert "scheme: added label FOO" in report.summary()
    scheme = empty_project.scheme
    assert scheme.label("FOO") is not None
    assert "sceptical" in scheme.label("QUOTE").attribute("stance").values  # type: ignore[union-attr]
    empty_project.close()
    with open_project(empty_project.path) as reopened:  # stored, not just cached
        assert reopened.scheme.label("FOO") is not None
        assert reopened.scheme.relation("POINTS_AT") is not None
        assert [s.id for s in reopened.spans("foo-doc", "bob")] == ["f1", "q1"]


def test_jsonl_twice_changes_nothing(empty_project: Project, tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "foo.jsonl", FOO_LINE)
    import_paths(empty_project, [path])
    before = _state(empty_project)
    report = import_paths(empty_project, [path])
    assert (report.documents_added, report.documents_present, report.spans_added) == (0, 1, 0)
    assert report.scheme_additions == []
    assert _state(empty_project)[1:] == before[1:]


def test_jsonl_same_id_different_text_refused(project: Project, tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "clash.jsonl", FOO_LINE, _line("ceasefire-talks", "Other text."))
    before = _state(project)
    with pytest.raises(AnnotatorError) as info:
        import_paths(project, [path])
    message = str(info.value)
    assert message.startswith(f"{path}: line 2: document 'ceasefire-talks'")
    assert "nothing was imported" in message
    assert _state(project) == before
    assert not project.has_document("foo-doc")


def test_jsonl_same_id_different_text_within_batch(empty_project: Project, tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "x.jsonl", _line("d", "one"), _line("d", "two"))
    with pytest.raises(AnnotatorError, match=r"line 2: document 'd': an earlier record"):
        import_paths(empty_project, [path])
    assert empty_project.document_ids() == []


def test_jsonl_span_contradicting_project(empty_project: Project, tmp_path: Path) -> None:
    span = {"id": "x1", "start": 0, "end": 5, "label": "QUOTE"}
    first = _write_jsonl(
        tmp_path / "1.jsonl", _line("d", "hello world", annotator="bob", spans=[span])
    )
    import_paths(empty_project, [first])
    moved = {**span, "start": 6, "end": 11}
    second = _write_jsonl(
        tmp_path / "2.jsonl", _line("d", "hello world", annotator="bob", spans=[moved])
    )
    with pytest.raises(AnnotatorError, match=r"2\.jsonl: line 1: document 'd': span 'x1'"):
        import_paths(empty_project, [second])
    other = _write_jsonl(
        tmp_path / "3.jsonl", _line("d", "hello world", annotator="eve", spans=[moved])
    )
    assert import_paths(empty_project, [other]).spans_added == 1  # another annotator: fine


# ---- all or nothing ------------------------------------------------------------------------


def test_failure_in_second_file_imports_nothing(project: Project, tmp_path: Path) -> None:
    good = _write_jsonl(tmp_path / "1-good.jsonl", FOO_LINE)
    bad = tmp_path / "2-bad.txt"
    bad.write_bytes(b"\x00\x01binary")
    before = _state(project)
    with pytest.raises(AnnotatorError, match=r"2-bad\.txt"):
        import_paths(project, [good, bad])
    assert _state(project) == before
    assert project.document_ids() == ["ceasefire-talks"]
    assert project.scheme.label("FOO") is None


def test_failure_when_writing_leaves_project_untouched(project: Project, tmp_path: Path) -> None:
    good = _write_jsonl(tmp_path / "good.jsonl", FOO_LINE)
    before = _state(project)
    reader = sqlite3.connect(project.path)  # a reader holding a lock: COMMIT cannot happen
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM documents").fetchone()
    project.db.execute("PRAGMA busy_timeout = 50")
    try:
        with pytest.raises(AnnotatorError) as info:
            import_paths(project, [good])
    finally:
        reader.rollback()
        reader.close()
    assert str(info.value).startswith(f"{project.path}: cannot write to the project file")
    assert "nothing was imported" in str(info.value)
    assert _state(project) == before
    assert not project.has_document("foo-doc")  # nothing cached from the rolled-back import
    assert project.scheme.label("FOO") is None
    assert import_paths(project, [good]).documents_added == 1  # and it works once unlocked


def test_cancel_from_progress(project: Project, tmp_path: Path) -> None:
    files = [_write_jsonl(tmp_path / "a.jsonl", FOO_LINE), sample_article()]
    calls: list[tuple[int, int, str]] = []

    def progress(done: int, total: int, name: str) -> bool:
        calls.append((done, total, name))
        return done < 2

    before = _state(project)
    with pytest.raises(AnnotatorError, match=r"^import cancelled; nothing was imported$"):
        import_paths(project, files, progress=progress)
    assert calls == [(1, 2, str(files[0])), (2, 2, str(files[1]))]
    assert _state(project) == before


def test_progress_true_continues(empty_project: Project) -> None:
    seen: list[int] = []
    import_paths(empty_project, [sample_article()], progress=lambda d, t, n: seen.append(d) or True)
    assert seen == [1]


# ---- annotator override -------------------------------------------------------------------------


def test_annotator_override(empty_project: Project, tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "foo.jsonl", FOO_LINE)
    import_paths(empty_project, [path, sample_article()], annotator="carol")
    assert [s.id for s in empty_project.spans("foo-doc", "carol")] == ["f1", "q1"]
    assert empty_project.spans("foo-doc", "bob") == []
    assert [r.annotator for r in empty_project.relations("foo-doc", "*")] == ["carol"]


def test_annotator_missing_means_owner(empty_project: Project, tmp_path: Path) -> None:
    span = {"id": "x1", "start": 0, "end": 5, "label": "QUOTE"}
    path = _write_jsonl(tmp_path / "o.jsonl", _line("d", "hello world", spans=[span]))
    import_paths(empty_project, [path])
    assert [s.annotator for s in empty_project.spans("d")] == ["alice"]


def test_empty_annotator_override_refused(empty_project: Project) -> None:
    with pytest.raises(AnnotatorError, match="annotator"):
        import_paths(empty_project, [sample_article()], annotator="  ")


# ---- folders and paths ----------------------------------------------------------------------------


def test_directory_import(empty_project: Project, tmp_path: Path) -> None:
    root = tmp_path / "in"
    (root / "sub").mkdir(parents=True)
    (root / ".git").mkdir()
    shutil.copyfile(sample_article(), root / "b-sample.txt")
    (root / "a-note.md").write_text("# A note\n\ntext\n", encoding="utf-8")
    (root / "sub" / "c-page.html").write_text("<title>C</title><p>Page</p>", encoding="utf-8")
    _write_jsonl(root / "sub" / "d.jsonl", FOO_LINE)
    (root / ".hidden.txt").write_text("secret\n", encoding="utf-8")
    (root / ".git" / "e.txt").write_text("git internals\n", encoding="utf-8")
    (root / "image.png").write_bytes(b"\x89PNG")
    names: list[str] = []
    report = import_paths(empty_project, [root], progress=lambda d, t, n: names.append(n) or True)
    assert report.files == 4
    assert [Path(n).name for n in names] == ["a-note.md", "b-sample.txt", "c-page.html", "d.jsonl"]
    assert empty_project.document_ids() == ["a-note", "b-sample", "c-page", "foo-doc"]
    assert empty_project.document("a-note").meta.title == "A note"


def test_empty_directory_refused(empty_project: Project, tmp_path: Path) -> None:
    folder = tmp_path / "nothing-here"
    folder.mkdir()
    (folder / "x.pdf").write_bytes(b"%PDF")
    (folder / ".y.txt").write_text("hidden\n", encoding="utf-8")
    with pytest.raises(AnnotatorError, match="nothing-here"):
        import_paths(empty_project, [folder])


def test_missing_and_unsupported_paths(empty_project: Project, tmp_path: Path) -> None:
    with pytest.raises(AnnotatorError, match=r"ghost\.txt: no such file"):
        import_paths(empty_project, [tmp_path / "ghost.txt"])
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(b"%PDF")
    with pytest.raises(AnnotatorError, match=r"paper\.pdf: unsupported file type '\.pdf'"):
        import_paths(empty_project, [sample_article(), pdf])
    assert empty_project.document_ids() == []
    with pytest.raises(AnnotatorError, match="no files"):
        import_paths(empty_project, [])


def test_empty_jsonl_is_a_note(empty_project: Project, tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"\n")
    report = import_paths(empty_project, [path])
    assert report.documents_added == 0
    assert report.notes == [f"{path}: no records"]
