"""docs/jsonl.schema.json and the code agree: what is written validates, keys match.

The validator below implements exactly the JSON Schema keywords the schema
uses (and the test fails if the schema starts using another), so no
third-party validator is needed.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from annotator.core.errors import AnnotatorError
from annotator.core.model import Document
from annotator.io.jsonl import (
    META_KEYS,
    RECORD_KEYS,
    RELATION_KEYS,
    SPAN_KEYS,
    record_from_dict,
    record_to_dict,
    write_jsonl,
)
from annotator.store.project import Record

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "docs" / "jsonl.schema.json"
ANNOTATIONS = {"$schema", "$id", "title", "description", "$comment", "examples", "default"}
ASSERTIONS = {
    "$defs", "$ref", "type", "enum", "required", "properties", "additionalProperties",
    "propertyNames", "items", "minItems", "maxItems", "minimum", "minLength", "pattern",
}  # fmt: skip


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


# ---- a validator for the subset of JSON Schema 2020-12 the schema uses -------------------


def _is_type(value: Any, name: str) -> bool:
    return {
        "object": isinstance(value, dict),
        "array": isinstance(value, list),
        "string": isinstance(value, str),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, int | float) and not isinstance(value, bool),
        "boolean": isinstance(value, bool),
        "null": value is None,
    }[name]


def validate(value: Any, sub: dict[str, Any], root: dict[str, Any], at: str = "$") -> list[str]:
    if "$ref" in sub:
        name = sub["$ref"].removeprefix("#/$defs/")
        return validate(value, root["$defs"][name], root, at)
    errors: list[str] = []
    types = sub.get("type")
    if types is not None:
        types = [types] if isinstance(types, str) else types
        if not any(_is_type(value, t) for t in types):
            return [f"{at}: {value!r} is not {types}"]
    if "enum" in sub and value not in sub["enum"]:
        errors.append(f"{at}: {value!r} not in {sub['enum']}")
    if isinstance(value, str):
        if len(value) < sub.get("minLength", 0):
            errors.append(f"{at}: too short")
        if "pattern" in sub and not re.search(sub["pattern"], value):
            errors.append(f"{at}: {value!r} does not match {sub['pattern']}")
    if _is_type(value, "number") and "minimum" in sub and value < sub["minimum"]:
        errors.append(f"{at}: below {sub['minimum']}")
    if isinstance(value, list):
        if not sub.get("minItems", 0) <= len(value) <= sub.get("maxItems", len(value)):
            errors.append(f"{at}: wrong number of items")
        for i, item in enumerate(value):
            if "items" in sub:
                errors += validate(item, sub["items"], root, f"{at}[{i}]")
    if isinstance(value, dict):
        errors += [f"{at}: missing {k!r}" for k in sub.get("required", []) if k not in value]
        props = sub.get("properties", {})
        for key, item in value.items():
            if "propertyNames" in sub:
                errors += validate(key, sub["propertyNames"], root, f"{at} key {key!r}")
            if key in props:
                errors += validate(item, props[key], root, f"{at}.{key}")
            elif isinstance(sub.get("additionalProperties"), dict):
                errors += validate(item, sub["additionalProperties"], root, f"{at}.{key}")
    return errors


def _keywords(node: Any, found: set[str]) -> set[str]:
    """Every keyword used in the schema (not the names under properties/$defs)."""
    if isinstance(node, dict):
        for key, value in node.items():
            found.add(key)
            if key in ("properties", "$defs"):
                for sub in value.values():
                    _keywords(sub, found)
            elif key not in ("enum", "required"):
                _keywords(value, found)
    elif isinstance(node, list):
        for item in node:
            _keywords(item, found)
    return found


def test_validator_understands_every_keyword(schema: dict[str, Any]) -> None:
    assert _keywords(schema, set()) <= ANNOTATIONS | ASSERTIONS
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


# ---- what is written validates ------------------------------------------------------------


def test_every_written_line_validates(
    schema: dict[str, Any], hard_record: Record, tmp_path: Path
) -> None:
    plain = Record(Document("plain", "x"), "", (), ())
    path = tmp_path / "all.jsonl"
    write_jsonl([hard_record, plain], path)
    lines = path.read_bytes().split(b"\n")
    assert lines[-1] == b""
    for line in lines[:-1]:
        obj = json.loads(line)
        assert validate(obj, schema, schema) == []
        assert list(obj) == list(schema["properties"])  # every key, in the schema's order


def test_written_keys_are_declared(schema: dict[str, Any], hard_record: Record) -> None:
    d = record_to_dict(hard_record)
    defs = schema["$defs"]
    assert list(d) == list(RECORD_KEYS) == list(schema["properties"])
    assert set(schema["required"]) <= set(d)
    assert list(d["meta"]) == list(META_KEYS) == list(schema["properties"]["meta"]["properties"])
    assert list(defs["span"]["properties"]) == list(SPAN_KEYS)
    for span in d["spans"]:
        assert set(span) <= set(SPAN_KEYS)
        assert set(defs["span"]["required"]) <= set(span)
    assert {"fragments"} <= {k for s in d["spans"] for k in s}  # the record has one
    assert (
        list(defs["relation"]["properties"]) == list(RELATION_KEYS) == defs["relation"]["required"]
    )
    for rel in d["relations"]:
        assert list(rel) == list(RELATION_KEYS)


# ---- reader and schema accept and refuse the same things -------------------------------------


def _minimal() -> dict[str, Any]:
    return {
        "id": "d",
        "text": "hello world",
        "spans": [{"id": "a", "start": 0, "end": 5, "label": "Q"},
                  {"id": "b", "start": 6, "end": 11, "label": "S", "attrs": {"k": 1.5}}],
        "relations": [{"label": "R", "head": "a", "child": "b"}],
    }  # fmt: skip


def _reader_accepts(d: dict[str, Any]) -> bool:
    try:
        record_from_dict(d, where="x")
    except AnnotatorError:
        return False
    return True


def _set(path: str, value: Any) -> dict[str, Any]:
    d = copy.deepcopy(_minimal())
    if path == "spans":
        del d["relations"]  # they would name spans that are gone
    *parents, last = path.split(".")
    node: Any = d
    for p in parents:
        node = node[int(p)] if p.isdigit() else node[p]
    if value is _DELETE:
        del node[int(last) if last.isdigit() else last]
    else:
        node[int(last) if last.isdigit() else last] = value
    return d


_DELETE = object()

AGREE = [
    ("id", _DELETE), ("text", _DELETE), ("id", ""), ("id", " "), ("id", 1), ("text", ""),
    ("text", 5), ("meta", None), ("meta", {}), ("meta", {"title": 1}), ("meta", "t"),
    ("meta", {"title": "T", "extra": 1}), ("annotator", None), ("annotator", 5),
    ("annotator", "bob"), ("status", "done"), ("status", "finished"), ("status", None),
    ("labels", None), ("labels", {"stance": "favor"}), ("labels", {"stance": [1]}),
    ("labels", {"9x": "a"}), ("labels", []), ("spans", None), ("spans", {}),
    ("relations", None), ("relations", "R"), ("future", {"anything": [1]}),
    ("spans.0.id", _DELETE), ("spans.0.id", ""), ("spans.0.start", _DELETE),
    ("spans.0.start", True), ("spans.0.start", 0.0), ("spans.0.start", "0"),
    ("spans.0.start", -1), ("spans.0.label", _DELETE), ("spans.0.label", "two words"),
    ("spans.0.label", "_ok-1"), ("spans.0.text", "hello"), ("spans.0.text", None),
    ("spans.0.text", 3), ("spans.0.attrs", None), ("spans.0.attrs", {"k": None}),
    ("spans.0.attrs", {"k": {"x": 1}}), ("spans.0.attrs", {"k": True}), ("spans.0.attrs", 1),
    ("spans.0.fragments", None), ("spans.0.fragments", []), ("spans.0.fragments", [[0, 5]]),
    ("spans.0.fragments", [[0, 2], [3, 5]]), ("spans.0.fragments", [[0, 2, 5]]),
    ("spans.0.fragments", [[0, False], [3, 5]]), ("spans.0.extra", 1),
    ("relations.0.label", _DELETE), ("relations.0.label", "has space"), ("relations.0.head", 1),
    ("relations.0.child", _DELETE),
]  # fmt: skip


@pytest.mark.parametrize(("path", "value"), AGREE)
def test_reader_and_schema_agree(schema: dict[str, Any], path: str, value: Any) -> None:
    d = _set(path, value)
    assert _reader_accepts(d) == (validate(d, schema, schema) == []), validate(d, schema, schema)


def test_minimal_line_accepted_by_both(schema: dict[str, Any]) -> None:
    assert _reader_accepts(_minimal())
    assert validate(_minimal(), schema, schema) == []


@pytest.mark.parametrize("key", RECORD_KEYS)
def test_required_keys_are_exactly_what_the_reader_needs(schema: dict[str, Any], key: str) -> None:
    d = _minimal()
    d.pop(key, None)
    if key == "spans":
        del d["relations"]  # they would name spans that are gone
    assert _reader_accepts(d) == (key not in schema["required"])


def test_semantic_checks_beyond_the_schema(schema: dict[str, Any]) -> None:
    """What a JSON Schema cannot say (offsets vs text, ids) the reader still refuses."""
    for path, value in [("spans.0.end", 99), ("spans.0.text", "HELLO"), ("relations.0.child", "z"),
                        ("spans.1.id", "a")]:  # fmt: skip
        d = _set(path, value)
        assert validate(d, schema, schema) == []
        assert not _reader_accepts(d)
