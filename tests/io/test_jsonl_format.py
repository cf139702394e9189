"""The canonical JSONL format: Record <-> dict, line splitting, and every refusal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from annotator.core.errors import AnnotatorError
from annotator.core.model import Document, DocumentMeta
from annotator.io.jsonl import (
    dumps_record,
    read_jsonl,
    read_jsonl_numbered,
    record_from_dict,
    record_to_dict,
    write_jsonl,
)
from annotator.store.project import Record


def _refused(d: Any) -> str:
    with pytest.raises(AnnotatorError) as info:
        record_from_dict(d, where="in.jsonl line 7")
    message = str(info.value)
    assert message.startswith("in.jsonl line 7: ")
    assert "\n" not in message
    return message


# ---- Record <-> dict ----------------------------------------------------------------


def test_round_trip_dict(hard_record: Record) -> None:
    record = hard_record
    d = record_to_dict(record)
    assert record_from_dict(d, where="x") == record
    assert record_from_dict(json.loads(json.dumps(d)), where="x") == record


def test_key_order_and_span_text(hard_record: Record) -> None:
    d = record_to_dict(hard_record)
    assert list(d) == ["id", "text", "meta", "annotator", "status", "spans", "relations", "labels"]
    assert list(d["meta"]) == ["title", "source", "url", "published", "author"]
    q1 = d["spans"][0]
    assert list(q1) == ["id", "start", "end", "label", "text", "attrs"]
    assert q1["text"] == "Caf\u0065\u0301 \U0001f600"
    assert d["relations"][0] == {"label": "SAID_BY", "head": "q1", "child": "s1"}


def test_discontinuous_span_written_with_fragments(hard_record: Record) -> None:
    d1 = next(s for s in record_to_dict(hard_record)["spans"] if s["id"] == "d1")
    assert list(d1) == ["id", "start", "end", "fragments", "label", "text", "attrs"]
    assert d1["text"] == "\u05e9\u05dc\u05d5\u05dd \u2026 next"
    assert len(d1["fragments"]) == 2


def test_missing_optional_keys_and_null_annotator() -> None:
    record = record_from_dict({"id": "d", "text": "hello", "future_key": [1]}, where="x")
    assert record.annotator == ""
    assert record.document.status == "todo"
    assert record.document.meta == DocumentMeta()
    assert record.spans == () and record.relations == ()
    assert record_from_dict({"id": "d", "text": "t", "annotator": None}, where="x").annotator == ""
    assert record_to_dict(record)["annotator"] is None


def test_span_text_optional_on_import(hard_record: Record) -> None:
    d = record_to_dict(hard_record)
    for s in d["spans"]:
        del s["text"]
    assert record_from_dict(d, where="x") == hard_record


def test_annotator_given_to_spans_and_relations(hard_record: Record) -> None:
    d = record_to_dict(hard_record)
    d["annotator"] = "bob"
    record = record_from_dict(d, where="x")
    assert {s.annotator for s in record.spans} == {"bob"}
    assert {r.annotator for r in record.relations} == {"bob"}


# ---- refusals --------------------------------------------------------------------------


def test_span_text_mismatch_names_doc_and_span(hard_record: Record) -> None:
    d = record_to_dict(hard_record)
    d["spans"][1]["text"] = "Biden"
    message = _refused(d)
    assert "'hard-doc'" in message and "'s1'" in message
    assert "expected 'Trump'" in message and "found 'Biden'" in message


def test_span_text_mismatch_shortened() -> None:
    d = {"id": "d", "text": "a" * 500, "spans": [{"id": "x", "start": 0, "end": 400, "label": "Q",
                                                  "text": "b" * 400}]}  # fmt: skip
    assert len(_refused(d)) < 300


@pytest.mark.parametrize(
    ("start", "end", "needle"),
    [
        (0, 10_000, "outside the text"),
        (-1, 3, "outside the text"),
        (5, 2, "before it starts"),
        (3, 3, "before it starts"),
        (True, 3, "whole number"),
        (0, True, "whole number"),
        (0, 3.0, "whole number"),
        ("0", 3, "whole number"),
        (None, 3, "whole number"),
    ],
)
def test_bad_offsets(start: Any, end: Any, needle: str) -> None:
    d = {
        "id": "doc",
        "text": "hello world",
        "spans": [{"id": "x", "start": start, "end": end, "label": "Q"}],
    }
    message = _refused(d)
    assert needle in message
    assert "'x'" in message


@pytest.mark.parametrize(
    ("fragments", "needle"),
    [
        ([[0, 2], [1, 4]], "overlapping"),
        ([[0, 2], [3, 5]], "outer bounds"),
        ([[0, 2], [True, 4]], "fragments"),
        ([[0, 2, 3]], "fragments"),
        ([], "fragments"),
        ([[0, 3]], "outer bounds"),
        ("0-4", "fragments"),
    ],
)
def test_bad_fragments(fragments: Any, needle: str) -> None:
    d = {"id": "doc", "text": "hello world", "spans": [
        {"id": "x", "start": 0, "end": 4, "label": "Q", "fragments": fragments}]}  # fmt: skip
    assert needle in _refused(d)


def test_relation_to_unknown_span(hard_record: Record) -> None:
    d = record_to_dict(hard_record)
    d["relations"].append({"label": "SAID_BY", "head": "q1", "child": "ghost"})
    message = _refused(d)
    assert "'ghost'" in message and "SAID_BY" in message


def test_relation_to_itself(hard_record: Record) -> None:
    d = record_to_dict(hard_record)
    d["relations"] = [{"label": "SAID_BY", "head": "q1", "child": "q1"}]
    assert "itself" in _refused(d)


def test_duplicate_span_ids(hard_record: Record) -> None:
    d = record_to_dict(hard_record)
    d["spans"].append(dict(d["spans"][0]))
    assert "twice" in _refused(d)


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"id": ""}, "'id'"),
        ({"id": "   "}, "'id'"),
        ({"id": 3}, "'id'"),
        ({"text": None}, "'text'"),
        ({"text": ""}, "'text'"),
        ({"status": "finished"}, "status"),
        ({"annotator": 5}, "annotator"),
        ({"meta": []}, "meta"),
        ({"meta": {"title": 5}}, "title"),
        ({"labels": {"stance": [1]}}, "stance"),
        ({"labels": {"1bad": "x"}}, "1bad"),
        ({"labels": "favor"}, "labels"),
        ({"spans": {}}, "spans"),
        ({"relations": {}}, "relations"),
        ({"text": "bad \ud800 surrogate"}, "surrogate"),
    ],
)
def test_bad_document_fields(change: dict[str, Any], needle: str) -> None:
    d = {"id": "doc", "text": "hello", **change}
    assert needle in _refused(d)


@pytest.mark.parametrize(
    ("span", "needle"),
    [
        ({"start": 0, "end": 2, "label": "Q"}, "'id'"),
        ({"id": "", "start": 0, "end": 2, "label": "Q"}, "'id'"),
        ({"id": "x", "start": 0, "end": 2}, "label"),
        ({"id": "x", "start": 0, "end": 2, "label": "has space"}, "label"),
        ({"id": "x", "start": 0, "end": 2, "label": "Q", "attrs": {"k": {"a": 1}}}, "'k'"),
        ({"id": "x", "start": 0, "end": 2, "label": "Q", "attrs": [1]}, "attrs"),
        ({"id": "x", "start": 0, "end": 2, "label": "Q", "attrs": {"k": float("nan")}}, "'k'"),
        ({"id": "x", "start": 0, "end": 2, "label": "Q", "text": 5}, "'text'"),
    ],
)
def test_bad_span_fields(span: dict[str, Any], needle: str) -> None:
    assert needle in _refused({"id": "doc", "text": "hello", "spans": [span]})


def test_not_an_object() -> None:
    assert "JSON object" in _refused([1, 2])


# ---- files -------------------------------------------------------------------------------


def test_line_breaks_inside_text_stay_inside_one_line(hard_record: Record, tmp_path: Path) -> None:
    records = [hard_record, Record(Document("two", "a\u2028b\u2029c\rd\x85e"), "bob", (), ())]
    path = tmp_path / "out.jsonl"
    assert write_jsonl(records, path) == 2
    data = path.read_bytes()
    assert data.count(b"\n") == 2 and data.endswith(b"\n")
    for ch in ("\u2028", "\u2029", "\x85", "\r"):
        assert ch.encode() not in data
    text = data.decode("utf-8")
    assert len(text.splitlines()) == 2  # even str.splitlines sees two records
    assert "\\u2028" in text and "\\r" in text
    assert list(read_jsonl(path)) == records
    assert dumps_record(records[1]) == text.split("\n")[1]


def test_reader_splits_on_newline_only(tmp_path: Path) -> None:
    line = json.dumps({"id": "d", "text": "a\u2028b\u2029c\rd\x85e\u000bf"}, ensure_ascii=False)
    path = tmp_path / "raw.jsonl"
    path.write_bytes(
        b"\xef\xbb\xbf" + line.encode() + b"\r\n\n   \n" + line.replace('"d"', '"e"').encode()
    )
    numbered = list(read_jsonl_numbered(path))
    assert [n for n, _ in numbered] == [1, 4]
    assert numbered[0][1].document.text == "a\u2028b\u2029c\rd\x85e\x0bf"


def test_malformed_json_on_line_3(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    lines = [json.dumps({"id": "d", "text": "t"}), json.dumps({"id": "e", "text": "t"})]
    lines.append('{"id": "x", "text": }')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(AnnotatorError) as info:
        list(read_jsonl(path))
    message = str(info.value)
    assert message.startswith(f"{path}: line 3: invalid JSON")
    assert "column" in message


def test_invalid_utf8_line(tmp_path: Path) -> None:
    path = tmp_path / "latin.jsonl"
    path.write_bytes(b'{"id": "d", "text": "t"}\n{"id": "e", "text": "caf\xe9"}\n')
    with pytest.raises(AnnotatorError, match=r"line 2: not valid UTF-8"):
        list(read_jsonl(path))


def test_nan_refused(tmp_path: Path) -> None:
    path = tmp_path / "nan.jsonl"
    path.write_text('{"id": "d", "text": "t", "labels": {"x": NaN}}\n', encoding="utf-8")
    with pytest.raises(AnnotatorError, match=r"line 1: invalid JSON"):
        list(read_jsonl(path))


def test_lone_surrogate_escape_refused(tmp_path: Path) -> None:
    path = tmp_path / "sur.jsonl"
    path.write_text('{"id": "d", "text": "x\\ud800y"}\n', encoding="utf-8")
    with pytest.raises(AnnotatorError, match=r"line 1: .*surrogate"):
        list(read_jsonl(path))


def test_validation_error_has_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "v.jsonl"
    path.write_text('{"id": "d", "text": "t"}\n\n{"id": "d", "text": "tt", "status": "x"}\n',
                    encoding="utf-8")  # fmt: skip
    with pytest.raises(AnnotatorError) as info:
        list(read_jsonl(path))
    assert str(info.value).startswith(f"{path}: line 3: document 'd'")


def test_missing_and_folder(tmp_path: Path) -> None:
    with pytest.raises(AnnotatorError, match="no such file"):
        list(read_jsonl(tmp_path / "none.jsonl"))
    with pytest.raises(AnnotatorError, match="folder"):
        list(read_jsonl(tmp_path))


def test_write_is_atomic_on_error(hard_record: Record, tmp_path: Path) -> None:
    path = tmp_path / "keep.jsonl"
    path.write_bytes(b"old content\n")

    def records() -> Any:
        yield hard_record
        raise AnnotatorError("boom")

    with pytest.raises(AnnotatorError, match="boom"):
        write_jsonl(records(), path)
    assert path.read_bytes() == b"old content\n"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.jsonl"]


def test_empty_write(tmp_path: Path) -> None:
    path = tmp_path / "none.jsonl"
    assert write_jsonl([], path) == 0
    assert path.read_bytes() == b""
    assert list(read_jsonl(path)) == []
