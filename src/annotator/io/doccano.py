"""doccano: JSONL for sequence labeling (with relations), written and read.

One line per document and annotator::

    {"text": "...", "entities": [{"id": 1, "label": "QUOTE", "start_offset": 5, "end_offset": 9}],
     "relations": [{"id": 1, "from_id": 1, "to_id": 2, "type": "SAID_BY"}],
     "doc_id": "...", "annotator": "alice", ...}

* **Offsets are UTF-16 code units**: doccano's browser annotator counts
  JavaScript string positions, so an emoji counts two (doccano issues #2290
  and #2484; projects set to "count grapheme clusters as one character"
  count differently and are not supported). Annotator converts both ways.
* doccano has no discontinuous spans, attributes, span ids, document
  labels or metadata. Annotator writes a discontinuous span as one entity per
  stretch and adds its own keys, which doccano keeps as the example's
  metadata: ``doc_id``, ``annotator``, ``title``, ``source``, ``url``,
  ``published``, ``author``, ``status``, ``labels`` (document labels) and ``spans``
  (entity id -> ``{"id", "attrs", "part_of"}``: span id, attributes, and the
  entity id of the span's first stretch). Reading restores them when they
  are there; a file without them loses what doccano cannot carry.
* Reading also takes the older ``"label": [[start, end, "LABEL"], ...]`` form.
* Told apart from the canonical JSONL by its keys: ``entities`` or ``label``
  and no ``spans`` list of objects.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from annotator.core.errors import AnnotatorError
from annotator.core.model import STATUSES, Document, DocumentMeta, Relation, Span, validate_span
from annotator.core.offsets import Utf16Map
from annotator.io.context import ExportContext
from annotator.io.jsonl import _LINE_BREAKS, NAME, _parse_line, _values_from
from annotator.io.sinks import describe_file, file_output
from annotator.store.project import Record

META_KEYS = ("title", "source", "url", "published", "author")


def record_to_doccano(record: Record) -> dict[str, Any]:
    doc = record.document
    u16 = Utf16Map(doc.text)
    entities: list[dict[str, Any]] = []
    extra: dict[str, Any] = {}
    first_entity: dict[str, int] = {}
    ordered = sorted(record.spans, key=lambda s: (s.start, s.end, s.label, s.id))
    for span in ordered:
        for i, (a, b) in enumerate(span.pieces):
            eid = len(entities) + 1
            if i == 0:
                first_entity[span.id] = eid
            entities.append(
                {"id": eid, "label": span.label, "start_offset": u16.to_utf16(a), "end_offset": u16.to_utf16(b)}
            )
            info: dict[str, Any] = {"id": span.id}
            if span.attrs:
                info["attrs"] = dict(span.attrs)
            if i:
                info["part_of"] = first_entity[span.id]
            extra[str(eid)] = info
    relations = [
        {"id": n, "from_id": first_entity[r.head], "to_id": first_entity[r.child], "type": r.label}
        for n, r in enumerate(record.relations, 1)
        if r.head in first_entity and r.child in first_entity
    ]
    line: dict[str, Any] = {"text": doc.text, "entities": entities, "relations": relations}
    line["doc_id"] = doc.id
    line["annotator"] = record.annotator
    for key in META_KEYS:
        line[key] = getattr(doc.meta, key)
    line["status"] = doc.status
    line["labels"] = dict(doc.labels)
    line["spans"] = extra
    return line


def write_doccano(ctx: ExportContext) -> None:
    fragments = 0
    with file_output(ctx.out) as f:
        for record in ctx.dataset.records():
            fragments += sum(1 for s in record.spans if s.fragments)
            line = json.dumps(record_to_doccano(record), ensure_ascii=False)
            for ch, escaped in _LINE_BREAKS.items():  # one line per record for any reader
                line = line.replace(ch, escaped)
            f.write(line + "\n")
    ctx.files.append(describe_file(ctx.out))
    if fragments:
        ctx.warn(
            f"{fragments} discontinuous span(s) written as one doccano entity per stretch "
            "(joined again when Annotator reads the file)"
        )


# ---- reading ---------------------------------------------------------------------


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def looks_like_doccano(obj: Any) -> bool:
    if not isinstance(obj, Mapping) or not isinstance(obj.get("text"), str):
        return False
    spans = obj.get("spans")
    if isinstance(spans, list):
        return False  # the canonical JSONL
    return isinstance(obj.get("entities"), list) or isinstance(obj.get("label"), list)


def read_doccano(path: Path, notes: list[str]) -> Iterator[tuple[str, Record]]:
    name = str(path)
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as e:
        raise AnnotatorError(f"{name}: cannot read ({e.strerror or e})") from None
    with f:
        for n, raw in enumerate(f, 1):
            obj = _parse_line(raw, n, name)
            if obj is None:
                continue
            where = f"{name}: line {n}"
            yield where, doccano_to_record(obj, where, f"{path.stem}-{n}")


def doccano_to_record(obj: Any, where: str, default_id: str) -> Record:
    if not isinstance(obj, Mapping):
        raise AnnotatorError(f"{where}: expected a JSON object")
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        raise AnnotatorError(f"{where}: 'text' must be a non-empty string")
    doc_id = obj.get("doc_id")
    if not isinstance(doc_id, str) or not doc_id.strip():
        doc_id = default_id
    who = obj.get("annotator")
    who = who if isinstance(who, str) else ""
    u16 = Utf16Map(text)
    raw_entities = obj.get("entities")
    entities: list[tuple[int, str, int, int]] = []
    if isinstance(raw_entities, list):
        for i, e in enumerate(raw_entities):
            if not isinstance(e, Mapping):
                raise AnnotatorError(f"{where}: entities[{i}] must be an object")
            entities.append((e.get("id", i + 1), e.get("label"), e.get("start_offset"), e.get("end_offset")))  # type: ignore[arg-type]
    elif isinstance(obj.get("label"), list):
        for i, e in enumerate(obj["label"]):
            if not (isinstance(e, list) and len(e) == 3):
                raise AnnotatorError(f"{where}: label[{i}] must be [start, end, label]")
            entities.append((i + 1, e[2], e[0], e[1]))
    extra = _mapping(obj.get("spans"))
    by_entity: dict[Any, str] = {}
    pieces: dict[str, list[tuple[int, int]]] = {}
    labels: dict[str, str] = {}
    attrs: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    for eid, label, a16, b16 in entities:
        at = f"{where}: entity {eid}"
        if not isinstance(label, str) or not NAME.match(label):
            raise AnnotatorError(f"{at}: label {label!r} is not a usable name")
        if type(a16) is not int or type(b16) is not int:
            raise AnnotatorError(f"{at}: start_offset and end_offset must be whole numbers")
        if not (0 <= a16 < b16 <= u16.length_utf16):
            raise AnnotatorError(
                f"{at}: [{a16}, {b16}) lies outside the text (0..{u16.length_utf16} UTF-16 units)"
            )
        a, b = u16.to_code_point(a16), u16.to_code_point(b16, round_up=True)
        info = _mapping(extra.get(str(eid)))
        part_of = info.get("part_of")
        if part_of is not None and part_of in by_entity:
            sid = by_entity[part_of]
            pieces[sid].append((a, b))
            by_entity[eid] = sid
            continue
        given = info.get("id")
        sid = given if isinstance(given, str) and given else f"e{eid}"
        if sid in pieces:
            raise AnnotatorError(f"{at}: span id {sid!r} appears twice")
        by_entity[eid] = sid
        pieces[sid] = [(a, b)]
        labels[sid] = label
        attrs[sid] = _values_from(info.get("attrs"), f"{at}: attrs")
        order.append(sid)
    spans = []
    for sid in order:
        ps = sorted(pieces[sid])
        span = Span(
            id=sid,
            start=ps[0][0],
            end=max(b for _, b in ps),
            label=labels[sid],
            attrs=attrs[sid],
            fragments=tuple(ps) if len(ps) > 1 else None,
            annotator=who,
        )
        validate_span(span, len(text), where=f"{where}: span {sid!r}")
        spans.append(span)
    rels: list[Relation] = []
    raw_rels = obj.get("relations") or []
    if not isinstance(raw_rels, list):
        raise AnnotatorError(f"{where}: 'relations' must be a list")
    seen: set[tuple[str, str, str]] = set()
    for i, r in enumerate(raw_rels):
        if not isinstance(r, Mapping):
            raise AnnotatorError(f"{where}: relations[{i}] must be an object")
        rel_type = r.get("type")
        if not isinstance(rel_type, str) or not NAME.match(rel_type):
            raise AnnotatorError(f"{where}: relations[{i}]: type {rel_type!r} is not a usable name")
        head = by_entity.get(r.get("from_id"))
        child = by_entity.get(r.get("to_id"))
        if head is None or child is None:
            raise AnnotatorError(f"{where}: relations[{i}] names an entity that is not there")
        key = (rel_type, head, child)
        if key not in seen and head != child:
            seen.add(key)
            rels.append(Relation(rel_type, head, child, who))
    status = str(obj["status"]) if obj.get("status") in STATUSES else "todo"
    raw_labels = obj.get("labels")
    doc_labels = _values_from(raw_labels if isinstance(raw_labels, Mapping) else None, f"{where}: labels")

    def opt(key: str) -> str | None:
        v = obj.get(key)
        return v if isinstance(v, str) else None

    doc = Document(
        id=doc_id,
        text=text,
        meta=DocumentMeta(**{k: opt(k) for k in META_KEYS}),
        status=status,
        labels=dict(doc_labels),
    )
    return Record(doc, who, tuple(spans), tuple(rels))
