"""Scheme checks, scheme files and scheme-edit commands, without a database."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from annotator.core.commands import SpanRef
from annotator.core.errors import AnnotatorError
from annotator.core.model import AttrValue, Span
from annotator.core.scheme import Attribute, Scheme
from annotator.core.scheme_edits import (
    RESERVED_KEYS,
    RemovedAnnotations,
    RemoveLabel,
    RenameLabel,
    RenameValue,
    SetScheme,
    SpanAttrs,
    SpanRow,
    StoredSpan,
    add_attribute,
    add_label,
    add_target,
    load_scheme_file,
    move_label,
    parse_scheme_json,
    relations_dropped_with,
    scheme_digest,
    scheme_json,
    scheme_problems,
    update_attribute,
    update_label,
)
from annotator.resources import default_scheme


def write(tmp_path: Path, text: str, name: str = "my.json") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def default_dict() -> dict[str, Any]:
    return default_scheme().to_dict()


def refused(tmp_path: Path, data: Any, raw: str | None = None) -> str:
    path = write(tmp_path, raw if raw is not None else json.dumps(data, indent=2))
    with pytest.raises(AnnotatorError) as info:
        load_scheme_file(path)
    return str(info.value).replace(str(path), "my.json")


# ---- files ------------------------------------------------------------------------


def test_export_then_import_gives_the_same_scheme(tmp_path: Path) -> None:
    scheme = replace(default_scheme(), version=7, targets=("cessez-le-feu", "NATO “membership”"))
    text = scheme_json(scheme)
    assert "cessez-le-feu" in text and "“membership”" in text  # UTF-8, not \\u escapes
    assert load_scheme_file(write(tmp_path, text)) == scheme


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + scheme_json(default_scheme()).encode())
    assert load_scheme_file(path) == default_scheme()


def test_duplicate_json_keys_are_refused_with_their_place(tmp_path: Path) -> None:
    raw = scheme_json(default_scheme()).replace(
        '"name": "kind",', '"name": "kind",\n          "name": "sort",', 1
    )
    message = refused(tmp_path, None, raw)
    assert message == "my.json: labels[0].attributes[0]: key 'name' appears twice"


def test_duplicate_top_level_key(tmp_path: Path) -> None:
    raw = '{"name": "a", "name": "b", "labels": []}'
    assert refused(tmp_path, None, raw) == "my.json: top level: key 'name' appears twice"


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda d: d["labels"][2].pop("color"), "my.json: labels[2]: missing field 'color'"),
        (lambda d: d["labels"][1].pop("name"), "my.json: labels[1]: missing field 'name'"),
        (lambda d: d.pop("labels"), "my.json: top level: missing field 'labels'"),
        (lambda d: d["labels"][0]["attributes"][1].pop("name"),
         "my.json: labels[0].attributes[1]: missing field 'name'"),
        (lambda d: d["labels"][2].update(colour="#000000"),
         "my.json: labels[2]: unknown field 'colour' (expected name, color, shortcut, "
         "description, example, attributes)"),
        (lambda d: d["labels"][2].update(color="red"),
         "my.json: labels[2] (CUE): colour 'red' must look like #RRGGBB"),
        (lambda d: d["labels"][1].update(shortcut="q"),
         "my.json: labels[1] (SPEAKER): shortcut 'q' is already used by QUOTE"),
        (lambda d: d["labels"][1].update(shortcut="P"),
         "my.json: labels[1] (SPEAKER): shortcut 'P' is reserved: the window uses "
         "A, P, U, F, X, Y, [, ], + for its own actions"),
        (lambda d: d["labels"][3].update(name="QUOTE"),
         "my.json: labels[3] (QUOTE): the name 'QUOTE' is already used by labels[0]"),
        (lambda d: d["labels"][0]["attributes"][0].update(values=["direct", "direct"]),
         "my.json: labels[0].attributes[0] (QUOTE.kind): value 'direct' is listed twice"),
        (lambda d: d["labels"][0]["attributes"][0].update(values="direct"),
         "my.json: labels[0].attributes[0]: field 'values' must be a list of texts"),
        (lambda d: d["labels"][0]["attributes"][0].update(source="places"),
         "my.json: labels[0].attributes[0] (QUOTE.kind): source 'places' must be one of 'targets', 'people'"),
        (lambda d: d["relations"][0].update(heads=["QUOTE", "STATEMENT"]),
         "my.json: relations[0] (SAID_BY): heads lists 'STATEMENT', which is not a label of the scheme"),
        (lambda d: d.update(version="7"), "my.json: top level: field 'version' must be a whole number"),
        (lambda d: d.update(version=0), "my.json: version: version 0 must be 1 or more"),
        (lambda d: d.update(targets=["ceasefire", "ceasefire"]),
         "my.json: targets[1]: the target 'ceasefire' is listed twice"),
    ],
)
def test_bad_scheme_files_are_refused_saying_what_and_where(
    tmp_path: Path, edit: Any, expected: str
) -> None:
    data = default_dict()
    edit(data)
    assert refused(tmp_path, data).splitlines()[0] == expected


def test_every_problem_is_listed_not_only_the_first(tmp_path: Path) -> None:
    data = default_dict()
    data["labels"][0]["color"] = "orange"
    data["labels"][2]["shortcut"] = "s"
    lines = refused(tmp_path, data).splitlines()
    assert lines == [
        "my.json: labels[0] (QUOTE): colour 'orange' must look like #RRGGBB",
        "my.json: labels[2] (CUE): shortcut 's' is already used by SPEAKER",
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('{"name": "x",\n "labels": [}', "my.json: line 2, column 13: Expecting value"),
        ("", "my.json: line 1, column 1: Expecting value"),
        ("[1, 2]", "my.json: top level: expected a JSON object"),
    ],
)
def test_unreadable_json(tmp_path: Path, raw: str, expected: str) -> None:
    assert refused(tmp_path, None, raw) == expected


def test_missing_file_and_non_utf8(tmp_path: Path) -> None:
    with pytest.raises(AnnotatorError, match="cannot read"):
        load_scheme_file(tmp_path / "nope.json")
    path = tmp_path / "latin1.json"
    path.write_bytes('{"name": "caf\xe9", "labels": []}'.encode("latin-1"))
    with pytest.raises(AnnotatorError, match="not UTF-8 text"):
        load_scheme_file(path)


def test_parse_accepts_minimal_scheme() -> None:
    scheme = parse_scheme_json('{"name": "mini", "labels": [{"name": "X", "color": "#112233"}]}', "m")
    assert scheme.version == 1 and scheme.labels[0].name == "X"


# ---- checks and pure edits ------------------------------------------------------------


def test_default_scheme_has_no_problems() -> None:
    assert scheme_problems(default_scheme()) == []
    assert all(lab.shortcut.upper() not in RESERVED_KEYS for lab in default_scheme().labels)


def test_pure_edits() -> None:
    s = default_scheme()
    grown = add_label(s, "EVIDENCE")
    assert grown.labels[-1].name == "EVIDENCE"
    assert grown.labels[-1].color not in {lab.color for lab in s.labels}
    with pytest.raises(AnnotatorError, match="already a label QUOTE"):
        add_label(s, "QUOTE")
    assert [lab.name for lab in move_label(s, "CUE", -5).labels] == ["CUE", "QUOTE", "SPEAKER", "CLAIM"]
    assert update_label(s, "CUE", description="d").label("CUE").description == "d"  # type: ignore[union-attr]
    assert add_attribute(s, None, Attribute("region")).document_label("region") is not None
    assert update_attribute(s, "QUOTE", "kind", ordered=True).label("QUOTE").attribute("kind").ordered  # type: ignore[union-attr]
    assert add_target(s, "elections").targets[-1] == "elections"
    assert relations_dropped_with(s, "SPEAKER") == ["SAID_BY"]
    assert relations_dropped_with(s, "QUOTE") == []


def test_digest_ignores_the_version_only() -> None:
    s = default_scheme()
    assert scheme_digest(s) == scheme_digest(replace(s, version=9))
    assert scheme_digest(s) != scheme_digest(add_target(s, "elections"))


# ---- commands against any repository (here an in-memory one) ---------------------------


@dataclass
class MemoryRepo:
    """The smallest ``SchemeRepository``: shows the commands need no SQL."""

    scheme: Scheme
    spans: dict[SpanRef, Span] = field(default_factory=dict)
    docs: dict[str, dict[str, AttrValue]] = field(default_factory=dict)

    def set_scheme(self, scheme: Scheme) -> None:
        self.scheme = scheme

    def span_rows(self, label: str | None = None) -> list[SpanRow]:
        return [
            SpanRow(ref[0], ref[1], ref[2], s.label, s.attrs)
            for ref, s in self.spans.items()
            if label is None or s.label == label
        ]

    def set_span_label(self, refs: Sequence[SpanRef], label: str) -> None:
        for ref in refs:
            self.spans[ref] = self.spans[ref].with_(label=label)

    def set_span_attrs(self, rows: Sequence[SpanAttrs]) -> None:
        for ref, attrs in rows:
            self.spans[ref] = self.spans[ref].with_(attrs=dict(attrs))

    def remove_spans_with_label(self, label: str) -> RemovedAnnotations:
        gone = [(ref, s) for ref, s in self.spans.items() if s.label == label]
        for ref, _ in gone:
            del self.spans[ref]
        return RemovedAnnotations(spans=tuple(StoredSpan(ref[0], i, s) for i, (ref, s) in enumerate(gone)))

    def restore_annotations(self, removed: RemovedAnnotations) -> None:
        for stored in removed.spans:
            self.spans[(stored.document, stored.span.id, stored.span.annotator)] = stored.span

    def relation_counts(self) -> dict[str, int]:
        return {}

    def all_document_labels(self) -> dict[str, dict[str, AttrValue]]:
        return {k: dict(v) for k, v in self.docs.items()}

    def set_document_labels(self, doc_id: str, labels: Mapping[str, AttrValue]) -> None:
        self.docs[doc_id] = dict(labels)


@pytest.fixture
def repo() -> MemoryRepo:
    spans = {
        ("d1", "q1", "alice"): Span("q1", 0, 5, "QUOTE", {"kind": "mixed"}, annotator="alice"),
        ("d2", "q1", "bob"): Span("q1", 0, 5, "QUOTE", {"kind": "direct"}, annotator="bob"),
        ("d2", "s1", "bob"): Span("s1", 6, 9, "SPEAKER", annotator="bob"),
    }
    return MemoryRepo(default_scheme(), spans)


def state(repo: MemoryRepo) -> tuple[Any, ...]:
    return repo.scheme, dict(repo.spans), dict(repo.docs)


def test_commands_apply_and_revert_exactly_on_any_repository(repo: MemoryRepo) -> None:
    start = state(repo)
    for command in (
        RenameLabel("QUOTE", "STATEMENT"),
        RenameValue("QUOTE", "kind", "mixed", "partial"),
        RemoveLabel("SPEAKER"),
        SetScheme(repo.scheme, update_label(repo.scheme, "CUE", color="#101010"), "Colour of CUE"),
    ):
        command.apply(repo)
        assert repo.scheme.version == start[0].version + 1
        command.revert(repo)
        assert state(repo) == start


def test_rename_label_reaches_every_annotator(repo: MemoryRepo) -> None:
    RenameLabel("QUOTE", "STATEMENT").apply(repo)
    assert sorted(s.label for s in repo.spans.values()) == ["SPEAKER", "STATEMENT", "STATEMENT"]


def test_removing_the_last_value_is_refused(repo: MemoryRepo) -> None:
    from annotator.core.scheme_edits import RemoveValue

    s = update_attribute(repo.scheme, "CLAIM", "checkworthy", values=("yes",))
    repo.scheme = s
    with pytest.raises(AnnotatorError, match="cannot remove its last value"):
        RemoveValue("CLAIM", "checkworthy", "yes").apply(repo)
    assert repo.scheme is s
