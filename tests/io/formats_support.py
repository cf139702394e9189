"""Helpers of the format tests: projects from records, a canonical view, independent readers.

The readers here deliberately share no code with ``annotator.io``: each one
checks a written file the way the other tool (or the standard library) would.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from annotator.core.model import Span
from annotator.io.importer import import_paths
from annotator.io.jsonl import write_jsonl
from annotator.resources import default_scheme
from annotator.store import Project, open_project
from annotator.store.project import Record

Canon = tuple[Any, ...]


def make_project(path: Path, records: Sequence[Record], owner: str = "alice") -> Project:
    """A new project holding the records, imported through a JSONL file (as a user would)."""
    project = open_project(path, create=True, owner=owner, scheme=default_scheme())
    if records:
        src = path.with_suffix(".src.jsonl")
        write_jsonl(records, src)
        import_paths(project, [src])
    return project


def span_canon(span: Span) -> Canon:
    return (span.id, span.label, span.pieces, tuple(sorted(span.attrs.items(), key=lambda kv: kv[0])))


def record_canon(record: Record, *, meta: bool = True) -> Canon:
    doc = record.document
    head: Canon = (doc.id, doc.text, record.annotator)
    if meta:
        head += (
            doc.meta.as_dict(),
            doc.status,
            tuple(sorted(doc.labels.items())),
        )
    return (
        *head,
        tuple(sorted(span_canon(s) for s in record.spans)),
        tuple(sorted((r.label, r.head, r.child) for r in record.relations)),
    )


def canonical(project: Project, *, meta: bool = True) -> list[Canon]:
    return sorted(record_canon(r, meta=meta) for r in project.records())


def data_files(out: Path) -> dict[str, bytes]:
    """The files of an export (a file, or a folder's files), without the dataset card."""
    if out.is_file():
        return {out.name: out.read_bytes()}
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != "README.md"
    }


# ---- an independent brat checker -----------------------------------------------------------

_T_LINE = re.compile(r"^(T\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t(.*)$")


def check_brat_folder(folder: Path) -> dict[str, dict[str, Any]]:
    """Check every .ann in a folder by brat's rules; return {relative .ann path: parsed}.

    Rules: every line is a T, A, R, E or # line; every T line's text equals its
    stretches of the .txt (code points), joined by a space; offsets lie in the
    text and contain no line break; A, R, E and # lines name existing ids.
    """
    found: dict[str, dict[str, Any]] = {}
    assert (folder / "annotation.conf").is_file()
    assert (folder / "visual.conf").is_file()
    for ann in sorted(folder.rglob("*.ann")):
        text = ann.with_suffix(".txt").read_bytes().decode("utf-8")
        ids: dict[str, tuple[str, list[tuple[int, int]]]] = {}
        others: list[str] = []
        for n, line in enumerate(ann.read_text(encoding="utf-8").split("\n"), 1):
            if not line:
                continue
            m = _T_LINE.match(line)
            if m:
                pieces = [tuple(map(int, p.split())) for p in m.group(3).split(";")]
                for a, b in pieces:
                    assert 0 <= a < b <= len(text), (ann, n)
                    assert not any(c in text[a:b] for c in "\n\r\u2028\u2029\x85"), (ann, n)
                assert m.group(4) == " ".join(text[a:b] for a, b in pieces), (ann, n, line)
                ids[m.group(1)] = (m.group(2), pieces)  # type: ignore[assignment]
            else:
                assert line[0] in "ARE#", (ann, n, line)
                others.append(line)
        events = {}
        for line in others:
            ident, rest = line.split("\t", 1)
            if ident[0] == "A":
                parts = rest.split(" ")
                assert parts[1] in ids and 2 <= len(parts) <= 3, line
            elif ident[0] == "R":
                _label, a1, a2 = rest.split(" ")
                assert a1.startswith("Arg1:") and a1[5:] in ids and a2[5:] in ids, line
            elif ident[0] == "E":
                parts = rest.split(" ")
                etype, trig = parts[0].split(":")
                assert ids[trig][0] == etype, line
                for arg in parts[1:]:
                    assert arg.split(":")[1] in ids, line
                events[ident] = parts
            else:
                assert rest.startswith("AnnotatorNotes T") and rest.split("\t")[0].split()[1] in ids
        found[str(ann.relative_to(folder))] = {"text": text, "t": ids, "lines": others, "events": events}
    return found


# ---- small readers ----------------------------------------------------------------------------


def utf16_slice(text: str, start: int, end: int) -> str:
    """What a JavaScript/Java string's slice(start, end) gives for UTF-16 offsets."""
    return text.encode("utf-16-le")[2 * start : 2 * end].decode("utf-16-le")


def jsonl_objects(path: Path) -> list[Any]:
    data = path.read_bytes().decode("utf-8")
    assert data.count("\n") == len(data.splitlines())  # no reader sees a record cut in two
    return [json.loads(line) for line in data.split("\n") if line]


def all_texts(records: Iterable[Record]) -> list[str]:
    return [r.document.text for r in records]
