"""Importing the annotated formats and Word files: what is kept, and clear refusals of bad input.

Every refusal names the file and the place, and leaves the project untouched
(the import is all-or-nothing).
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from formats_support import make_project

from annotator.core.errors import AnnotatorError
from annotator.core.model import Document, DocumentMeta, Relation, Span
from annotator.io.export import export_project
from annotator.io.importer import expand_paths, import_paths
from annotator.store import Project
from annotator.store.project import Record


def _state(project: Project) -> tuple[bytes, int, int]:
    counts = [project.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("documents", "spans")]
    return (project.path.read_bytes(), *counts)


def _refused(project: Project, paths: list[Path], *fragments: str) -> str:
    before = _state(project)
    with pytest.raises(AnnotatorError) as info:
        import_paths(project, paths)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, message
    assert _state(project) == before
    return message


# ---- brat ------------------------------------------------------------------------------------


def _brat(folder: Path, name: str, text: str, ann: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.txt").write_text(text, encoding="utf-8", newline="")
    (folder / f"{name}.ann").write_text(ann, encoding="utf-8", newline="")
    return folder / f"{name}.ann"


def test_brat_from_another_tool(empty_project: Project, tmp_path: Path) -> None:
    text = "Putin said: \u201cno deal\u201d.\nMore."
    ann = (
        "T1\tSPEAKER 0 5\tPutin\n"
        "T2\tCUE 6 10\tsaid\n"
        "T3\tQUOTE 12 21\t\u201cno deal\u201d\n"
        "T4\tAttribution 6 10\tsaid\n"
        "E1\tAttribution:T4 Source:T1 Cue:T2 Content:T3\n"
        "A1\tstance T3 against\n"
        "A2\tNegated T3\n"
        "#1\tAnnotatorNotes T1\tthe Russian president\n"
        "*\tEquiv T1 T1\n"
    )
    path = _brat(tmp_path / "corpus", "doc%201", text, ann)
    report = import_paths(empty_project, [tmp_path / "corpus"])
    assert report.documents_added == 1  # doc 1.txt is the brat text, not an article
    doc = empty_project.document("doc 1")
    assert doc.text == text
    spans = {s.id: s for s in empty_project.spans("doc 1")}
    assert set(spans) == {"T1", "T2", "T3"}  # the event trigger is not a span
    assert dict(spans["T3"].attrs) == {"stance": "against", "Negated": True}
    rels = {(r.label, r.head, r.child) for r in empty_project.relations("doc 1")}
    assert rels == {("SAID_BY", "T3", "T1"), ("CUED_BY", "T3", "T2")}
    assert path.exists()


def test_brat_text_mismatch_names_file_and_line(empty_project: Project, tmp_path: Path) -> None:
    path = _brat(tmp_path, "d", "Hello world", "T1\tQUOTE 0 5\tHello\nT2\tQUOTE 6 11\twrong\n")
    _refused(empty_project, [path], str(path), "line 2", "T2", "'wrong'", "'world'")


def test_brat_offsets_beyond_the_text(empty_project: Project, tmp_path: Path) -> None:
    path = _brat(tmp_path, "d", "Short", "T1\tQUOTE 2 40\tort\n")
    _refused(empty_project, [path], str(path), "line 1", "[2, 40)", "outside the text (0..5)")


def test_brat_unknown_line_and_missing_text(empty_project: Project, tmp_path: Path) -> None:
    path = _brat(tmp_path, "d", "Short", "X1\tsomething\n")
    _refused(empty_project, [path], str(path), "line 1", "unknown annotation line")
    lone = tmp_path / "lone.ann"
    lone.write_text("T1\tQUOTE 0 1\tx\n", encoding="utf-8")
    _refused(empty_project, [lone], str(lone), "no text file lone.txt")


def test_brat_offsets_count_code_points_and_crlf_stays(empty_project: Project, tmp_path: Path) -> None:
    text = "\U0001f600 A\r\nB \u00e9\u0301"
    path = _brat(tmp_path, "d", text, "T1\tQUOTE 2 3\tA\nT2\tQUOTE 5 9\tB \u00e9\u0301\n")
    import_paths(empty_project, [path])
    assert empty_project.document("d").text == text  # annotated text is never rewritten
    assert [text[s.start : s.end] for s in empty_project.spans("d")] == ["A", "B \u00e9\u0301"]


# ---- Label Studio ---------------------------------------------------------------------------


def _ls_task(text: str, start: int, end: int, found: str) -> list[dict[str, object]]:
    return [
        {
            "id": 7,
            "data": {"text": text},
            "annotations": [
                {
                    "completed_by": {"id": 3, "email": "ann@example.org"},
                    "result": [
                        {"id": "r1", "from_name": "label", "to_name": "text", "type": "labels",
                         "value": {"start": start, "end": end, "text": found, "labels": ["QUOTE"]}},
                        {"id": "r1", "from_name": "sentiment", "to_name": "text", "type": "choices",
                         "value": {"start": start, "end": end, "choices": ["Negative"]}},
                        {"from_name": "topic", "to_name": "text", "type": "choices", "value": {"choices": ["war"]}},
                    ],
                }
            ],
        }
    ]  # fmt: skip


def test_label_studio_export_of_label_studio(empty_project: Project, tmp_path: Path) -> None:
    text = "\U0001f600 peace now"
    path = tmp_path / "export.json"
    path.write_text(json.dumps(_ls_task(text, 2, 7, "peace")), encoding="utf-8")
    report = import_paths(empty_project, [path])
    assert report.documents_added == 1
    (span,) = empty_project.spans("export-7", "ann@example.org")
    assert (span.start, span.end, span.label, dict(span.attrs)) == (2, 7, "QUOTE", {"sentiment": "Negative"})
    assert empty_project.document_labels("export-7") == {"topic": "war"}


def test_label_studio_old_utf16_offsets_are_converted(empty_project: Project, tmp_path: Path) -> None:
    text = "\U0001f600 peace now"
    path = tmp_path / "old.json"
    path.write_text(json.dumps(_ls_task(text, 3, 8, "peace")), encoding="utf-8")  # JavaScript positions
    report = import_paths(empty_project, [path])
    (span,) = empty_project.spans("old-7", "*")
    assert text[span.start : span.end] == "peace"
    assert any("UTF-16" in note for note in report.notes)


def test_label_studio_region_text_mismatch(empty_project: Project, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(_ls_task("peace now", 0, 5, "war!!")), encoding="utf-8")
    _refused(empty_project, [path], str(path), "task 1", "region r1", "'war!!'", "'peace'")


def test_label_studio_not_tasks(empty_project: Project, tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"hello": 1}', encoding="utf-8")
    _refused(empty_project, [path], str(path), "not a Label Studio task")
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "settings.json").write_text("{}", encoding="utf-8")
    (folder / "a.txt").write_text("An article.", encoding="utf-8")
    report = import_paths(empty_project, [folder])  # in a folder: skipped, with a note
    assert report.documents_added == 1
    assert any("settings.json: skipped" in n for n in report.notes)


# ---- doccano -----------------------------------------------------------------------------------


def test_doccano_from_doccano(empty_project: Project, tmp_path: Path) -> None:
    text = "\U0001f468\u200d\U0001f692 firemen drive firetrucks"
    lines = [
        {"id": 1, "text": text, "entities": [{"id": 10, "label": "VEHICLE", "start_offset": 20, "end_offset": 30},
                                              {"id": 11, "label": "PERSON", "start_offset": 6, "end_offset": 13}],
         "relations": [{"id": 1, "from_id": 11, "to_id": 10, "type": "DRIVES"}], "Comments": []},
        {"text": "Old style line", "label": [[0, 3, "ADJ"]]},
    ]  # fmt: skip
    path = tmp_path / "doccano.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    report = import_paths(empty_project, [path])
    assert report.documents_added == 2
    spans = {s.id: text[s.start : s.end] for s in empty_project.spans("doccano-1", "*")}
    assert spans == {"e10": "firetrucks", "e11": "firemen"}  # doccano counts UTF-16 units
    assert [(r.head, r.child) for r in empty_project.relations("doccano-1", "*")] == [("e11", "e10")]
    assert [(s.start, s.end) for s in empty_project.spans("doccano-2", "*")] == [(0, 3)]


def test_doccano_bad_entity(empty_project: Project, tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps({"text": "abc", "entities": [{"id": 1, "label": "X", "start_offset": 1, "end_offset": 9}]}) + "\n", encoding="utf-8")
    _refused(empty_project, [path], str(path), "line 1", "entity 1", "outside the text")


# ---- INCEpTION XMI ------------------------------------------------------------------------------


def test_xmi_without_its_type_system(empty_project: Project, tmp_path: Path) -> None:
    pytest.importorskip("cassis")
    project = make_project(tmp_path / "src.annotator", [Record(Document("d", "Hello"), "", (Span("t1", 0, 5, "QUOTE"),), ())])
    out = tmp_path / "xmi"
    export_project(project, "inception", out)
    project.close()
    (out / "TypeSystem.xml").unlink()
    _refused(empty_project, [out], "d/alice.xmi", "no TypeSystem.xml")


def test_xmi_with_an_unknown_type_system(empty_project: Project, tmp_path: Path) -> None:
    cassis = pytest.importorskip("cassis")
    project = make_project(tmp_path / "src.annotator", [Record(Document("d", "Hello"), "", (Span("t1", 0, 5, "QUOTE"),), ())])
    out = tmp_path / "xmi"
    export_project(project, "inception", out)
    project.close()
    (out / "TypeSystem.xml").write_text(cassis.TypeSystem().to_xml(), encoding="utf-8")  # another one
    _refused(empty_project, [out], "alice.xmi", "cannot be read with the type system", "TypeSystem.xml")
    (out / "TypeSystem.xml").write_text("<not a type system", encoding="utf-8")
    _refused(empty_project, [out], "TypeSystem.xml", "not a readable UIMA type system")


def test_xmi_emoji_offsets_survive(empty_project: Project, tmp_path: Path) -> None:
    pytest.importorskip("cassis")
    text = "\U0001f600\U0001f600 Trump \U0001f1fa\U0001f1f8 says"
    t = text.index("Trump")
    rec = Record(Document("e", text), "", (Span("s1", t, t + 5, "SPEAKER"), Span("v1", t + 9, t + 13, "CUE")), (Relation("CUED_BY", "s1", "v1"),))
    project = make_project(tmp_path / "src.annotator", [rec])
    out = tmp_path / "xmi"
    export_project(project, "inception", out)
    project.close()
    import_paths(empty_project, [out])
    assert [text[s.start : s.end] for s in empty_project.spans("e")] == ["Trump", "says"]


# ---- Word files ---------------------------------------------------------------------------------


def _docx(path: Path) -> Path:
    import docx

    d = docx.Document()
    d.add_heading("Ceasefire talks", level=1)
    d.add_paragraph("Putin said \u201cno\u201d \U0001f600.")
    d.add_paragraph("Second paragraph.")
    d.save(path)
    return path


def test_docx_article(empty_project: Project, tmp_path: Path) -> None:
    path = _docx(tmp_path / "Talks Report.docx")
    report = import_paths(empty_project, [path])
    assert report.documents_added == 1
    doc = empty_project.document("talks-report")
    assert doc.text == "Ceasefire talks\n\nPutin said \u201cno\u201d \U0001f600.\n\nSecond paragraph."
    assert doc.meta.title == "Ceasefire talks"


def _bomb(path: Path, size: int) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"\0" * size)
    path.write_bytes(buf.getvalue())
    return path


def test_docx_zip_bomb_is_refused_before_parsing(empty_project: Project, tmp_path: Path) -> None:
    path = _bomb(tmp_path / "bomb.docx", 50 * 1024 * 1024)  # 50 MB of zeros in ~50 KB
    assert path.stat().st_size < 200_000
    message = _refused(empty_project, [path], str(path), "word/document.xml", "zip bomb", "ratio")
    assert "refused" in message


def test_docx_total_size_limit(empty_project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import annotator.io.docx_reader as dr

    monkeypatch.setattr(dr, "MAX_UNCOMPRESSED", 1024)
    path = _docx(tmp_path / "small.docx")
    _refused(empty_project, [path], str(path), "would expand to more than", "zip bomb")


def test_docx_not_a_zip(empty_project: Project, tmp_path: Path) -> None:
    path = tmp_path / "fake.docx"
    path.write_bytes(b"just text")
    _refused(empty_project, [path], str(path), "not a .docx file")


# ---- folders, cards, all-or-nothing ---------------------------------------------------------------


def test_exported_folders_import_without_their_cards(empty_project: Project, tmp_path: Path) -> None:
    doc = Document("ceasefire-talks", "Trump said so.")
    project = make_project(tmp_path / "src.annotator", [Record(doc, "bob", (Span("q1", 0, 5, "QUOTE"),), ())])
    export_project(project, "brat", tmp_path / "brat")
    project.close()
    files = expand_paths([tmp_path / "brat"])
    assert all(f.suffix == ".ann" for f in files)
    report = import_paths(empty_project, [tmp_path / "brat"])
    assert report.documents_added == 1
    assert [s.annotator for s in empty_project.spans("ceasefire-talks", "*")] == ["bob"]


def test_one_bad_file_imports_nothing(empty_project: Project, tmp_path: Path) -> None:
    good = _docx(tmp_path / "good.docx")
    bad = _brat(tmp_path / "b", "d", "Hello", "T1\tQUOTE 0 5\tHallo\n")
    _refused(empty_project, [good, bad], "line 1", "'Hallo'")


def test_article_import_normalises_crlf_but_formats_keep_text(empty_project: Project, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"Title\r\n\r\nBody\rend")
    import_paths(empty_project, [tmp_path / "a.txt"])
    assert empty_project.document("a").text == "Title\n\nBody\nend"


_ = DocumentMeta
