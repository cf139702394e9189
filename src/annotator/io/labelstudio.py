"""Label Studio: a JSON list of tasks with annotations, and the labeling config beside it.

Writing (``write_label_studio``) and reading (``read_label_studio``). The mapping:

* **One task per document**: ``{"data": {"text", "doc_id", "title", "source",
  "url", "published", "author"}, "meta": {"annotator": {...}}, "annotations": [...]}``,
  one annotation per annotator. Label Studio gives imported annotations to
  the user who imports them (it knows only its own user ids), so the
  annotators' names are kept in ``meta.annotator.annotators``, in the order of
  ``annotations``, with the document's status and labels. Reading a file
  exported by Label Studio takes ``completed_by`` (an email, or
  ``label-studio-user-N`` for a bare user id) as the annotator.
* **Spans** are ``labels`` results: ``{"id": span id, "from_name": "label",
  "to_name": "text", "type": "labels", "value": {"start", "end", "text",
  "labels": [LABEL]}}``. A discontinuous span is one region per stretch, the
  second and later with the id ``<span id>::<n>``; reading joins them again.
* **Offsets** are Unicode code points: Label Studio's Text tag converts the
  browser's UTF-16 selection to code points (``fixCodePointsInRange``, tested
  on emoji in its own suite) since the 2022 fix of issue #1008/#1347, so
  ``text[start:end]`` in Python is the region's text. Files from older
  versions counted UTF-16 units: reading checks each region's ``text`` and,
  when only the UTF-16 reading matches, converts (and says so).
* **Attributes** are per-region results with the span's id: ``choices`` for
  attributes with a list of values (or stance targets), ``textarea`` for the
  rest (people, free text). Values are text: true/false and numbers come
  back as text.
* **Relations**: ``{"type": "relation", "from_id": head, "to_id": child,
  "direction": "right", "labels": [SAID_BY]}``.
* **Document labels**: task-level ``choices``/``textarea`` named ``doc_<name>``.

The labeling config (``<OUT stem>.label-config.xml``) declares ``<Labels
name="label">``, ``<Text name="text" value="$text"/>``, ``<Relations>``, one
per-region control per attribute and one control per document label.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from annotator.core.errors import AnnotatorError
from annotator.core.model import STATUSES, Document, DocumentMeta, Relation, Span, validate_span
from annotator.core.offsets import Utf16Map
from annotator.core.scheme import Attribute, Scheme
from annotator.io.context import ExportContext
from annotator.io.jsonl import NAME, _values_from
from annotator.io.sinks import describe_file, file_output
from annotator.store.project import Record

LABEL_CONTROL = "label"
TEXT_OBJECT = "text"
DOC_PREFIX = "doc_"
FRAGMENT_SEP = "::"
META_KEY = "annotator"


def config_path(out: Path) -> Path:
    return out.with_name(out.stem + ".label-config.xml")


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _is_choice(attr: Attribute | None, scheme: Scheme) -> bool:
    if attr is None or attr.free or attr.source == "people":
        return False
    return bool(attr.values) or (attr.source == "targets" and bool(scheme.targets))


def _attribute_kinds(scheme: Scheme) -> dict[str, bool]:
    """attribute name -> True when written as choices (every label that has it agrees)."""
    kinds: dict[str, bool] = {}
    for lab in scheme.labels:
        for attr in lab.attributes:
            choice = _is_choice(attr, scheme)
            kinds[attr.name] = kinds.get(attr.name, True) and choice
    return kinds


def record_results(record: Record, kinds: Mapping[str, bool]) -> list[dict[str, Any]]:
    text = record.document.text
    results: list[dict[str, Any]] = []
    for span in record.spans:
        for i, (a, b) in enumerate(span.pieces):
            rid = span.id if i == 0 else f"{span.id}{FRAGMENT_SEP}{i + 1}"
            results.append(
                {
                    "id": rid,
                    "from_name": LABEL_CONTROL,
                    "to_name": TEXT_OBJECT,
                    "type": "labels",
                    "value": {"start": a, "end": b, "text": text[a:b], "labels": [span.label]},
                }
            )
        a, b = span.pieces[0]
        for key, value in span.attrs.items():
            if value is None:
                continue
            choice = kinds.get(key, False)
            value_obj: dict[str, Any] = {"start": a, "end": b}
            if choice:
                value_obj["choices"] = [_as_text(value)]
            else:
                value_obj["text"] = [_as_text(value)]
            results.append(
                {
                    "id": span.id,
                    "from_name": key,
                    "to_name": TEXT_OBJECT,
                    "type": "choices" if choice else "textarea",
                    "value": value_obj,
                }
            )
    for rel in record.relations:
        results.append(
            {
                "type": "relation",
                "from_id": rel.head,
                "to_id": rel.child,
                "direction": "right",
                "labels": [rel.label],
            }
        )
    return results


def _doc_results(doc: Document, scheme: Scheme) -> list[dict[str, Any]]:
    results = []
    for key, value in doc.labels.items():
        if value is None:
            continue
        attr = scheme.document_label(key)
        choice = _is_choice(attr, scheme)
        results.append(
            {
                "id": f"{DOC_PREFIX}{key}",
                "from_name": f"{DOC_PREFIX}{key}",
                "to_name": TEXT_OBJECT,
                "type": "choices" if choice else "textarea",
                "value": {"choices": [_as_text(value)]} if choice else {"text": [_as_text(value)]},
            }
        )
    return results


def _task(records: list[Record], scheme: Scheme, kinds: Mapping[str, bool]) -> dict[str, Any]:
    doc = records[0].document
    annotations = []
    for i, rec in enumerate(records):
        result = record_results(rec, kinds)
        if i == 0:
            result += _doc_results(doc, scheme)
        annotations.append({"result": result, "ground_truth": False})
    return {
        "data": {
            "text": doc.text,
            "doc_id": doc.id,
            "title": doc.meta.title,
            "source": doc.meta.source,
            "url": doc.meta.url,
            "published": doc.meta.published,
            "author": doc.meta.author,
        },
        "meta": {
            META_KEY: {
                "annotators": [r.annotator for r in records],
                "status": doc.status,
                "labels": dict(doc.labels),
            }
        },
        "annotations": annotations,
    }


def write_label_studio(ctx: ExportContext) -> None:
    dataset = ctx.dataset
    scheme = dataset.scheme
    kinds = _attribute_kinds(scheme)
    seen_attrs: dict[str, set[str]] = {}
    seen_labels: set[str] = set()
    seen_relations: set[str] = set()
    seen_doc_labels: set[str] = set()
    with file_output(ctx.out) as f:
        f.write("[")
        first = True
        for raw in dataset.documents():
            records = [dataset_record(dataset, r) for r in raw]
            for rec in records:
                for span in rec.spans:
                    seen_labels.add(span.label)
                    for key, value in span.attrs.items():
                        if value is not None:
                            seen_attrs.setdefault(key, set()).add(span.label)
                seen_relations |= {r.label for r in rec.relations}
            seen_doc_labels |= set(records[0].document.labels)
            task = _task(records, scheme, kinds)
            f.write(("\n" if first else ",\n") + json.dumps(task, ensure_ascii=False))
            first = False
        f.write("\n]\n")
    ctx.files.append(describe_file(ctx.out))
    cfg = config_path(ctx.out)
    with file_output(cfg) as f:
        f.write(labeling_config(ctx, seen_labels, seen_attrs, seen_relations, seen_doc_labels))
    ctx.files.append(describe_file(cfg))


def dataset_record(dataset: Any, raw: Any) -> Record:
    from annotator.io.dataset import to_record

    return to_record(raw, dataset.document_of(raw.document))


def labeling_config(
    ctx: ExportContext,
    labels: set[str],
    attrs: dict[str, set[str]],
    relations: set[str],
    doc_labels: set[str],
) -> str:
    scheme = ctx.dataset.scheme
    wanted = ctx.dataset.selection.labels
    names = [lab.name for lab in scheme.labels if wanted is None or lab.name in wanted]
    names += sorted(labels - set(names))
    kinds = _attribute_kinds(scheme)
    q = quoteattr
    out = ["<View>", f"  <Labels name={q(LABEL_CONTROL)} toName={q(TEXT_OBJECT)}>"]
    for name in names:
        lab = scheme.label(name)
        colour = f" background={q(lab.color)}" if lab else ""
        out.append(f"    <Label value={q(name)}{colour}/>")
    out.append("  </Labels>")
    out.append(f"  <Text name={q(TEXT_OBJECT)} value=\"$text\"/>")
    rel_names = [r.name for r in scheme.relations]
    rel_names += sorted(relations - set(rel_names))
    out.append("  <Relations>")
    out += [f"    <Relation value={q(r)}/>" for r in rel_names]
    out.append("  </Relations>")
    attr_names: list[str] = []
    for lab in scheme.labels:
        for attr in lab.attributes:
            if attr.name not in attr_names and (wanted is None or lab.name in wanted):
                attr_names.append(attr.name)
    attr_names += sorted(set(attrs) - set(attr_names))
    for key in attr_names:
        users = sorted(
            {lab.name for lab in scheme.labels if lab.attribute(key)} | attrs.get(key, set())
        )
        when = f" whenLabelValue={q(','.join(users))}" if users else ""
        out.append(f"  <View visibleWhen=\"region-selected\"{when}>")
        out.append(f"    <Header value={q(key)}/>")
        if kinds.get(key, False):
            values: list[str] = []
            for lab in scheme.labels:
                found = lab.attribute(key)
                if found is None:
                    continue
                vals = scheme.targets if found.source == "targets" else found.values
                values += [v for v in vals if v not in values]
            out.append(
                f"    <Choices name={q(key)} toName={q(TEXT_OBJECT)} perRegion=\"true\" choice=\"single\">"
            )
            out += [f"      <Choice value={q(v)}/>" for v in values]
            out.append("    </Choices>")
        else:
            out.append(
                f"    <TextArea name={q(key)} toName={q(TEXT_OBJECT)} perRegion=\"true\" "
                "maxSubmissions=\"1\" editable=\"true\"/>"
            )
        out.append("  </View>")
    dl_names = [a.name for a in scheme.document_labels]
    dl_names += sorted(doc_labels - set(dl_names))
    for key in dl_names:
        doc_attr = scheme.document_label(key)
        out.append(f"  <Header value={q('Document: ' + key)}/>")
        if doc_attr is not None and _is_choice(doc_attr, scheme):
            vals = scheme.targets if doc_attr.source == "targets" else doc_attr.values
            out.append(f"  <Choices name={q(DOC_PREFIX + key)} toName={q(TEXT_OBJECT)} choice=\"single\">")
            out += [f"    <Choice value={q(v)}/>" for v in vals]
            out.append("  </Choices>")
        else:
            out.append(f"  <TextArea name={q(DOC_PREFIX + key)} toName={q(TEXT_OBJECT)} maxSubmissions=\"1\"/>")
    out.append("</View>")
    return "\n".join(out) + "\n"


# ---- reading ---------------------------------------------------------------------


def looks_like_label_studio(data: Any) -> bool:
    tasks = data if isinstance(data, list) else [data]
    return all(isinstance(t, Mapping) and isinstance(t.get("data"), Mapping) for t in tasks)


def read_label_studio(path: Path, notes: list[str]) -> Iterator[tuple[str, Record]]:
    """(where, record) for every annotation of every task of a Label Studio JSON file."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise AnnotatorError(f"{name}: cannot read ({e.strerror or e})") from None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as e:
        raise AnnotatorError(f"{name}: not valid UTF-8 (byte {e.start})") from None
    except json.JSONDecodeError as e:
        raise AnnotatorError(f"{name}: invalid JSON: {e.msg} (line {e.lineno}, column {e.colno})") from None
    tasks = data if isinstance(data, list) else [data]
    utf16_noted = False
    for i, task in enumerate(tasks):
        where = f"{name}: task {i + 1}"
        if not isinstance(task, Mapping) or not isinstance(task.get("data"), Mapping):
            raise AnnotatorError(f"{where}: not a Label Studio task (no 'data' object)")
        doc, meta = _task_document(task, where, path, i)
        annotations = task.get("annotations")
        if annotations is None:
            annotations = task.get("completions", [])  # Label Studio before 1.0
        if not isinstance(annotations, list):
            raise AnnotatorError(f"{where}: 'annotations' must be a list")
        listed = meta.get("annotators")
        names: list[Any] = listed if isinstance(listed, list) else []
        if not annotations:
            yield where, Record(doc, "", (), ())
            continue
        for j, ann in enumerate(annotations):
            at = f"{where}: annotation {j + 1}"
            if not isinstance(ann, Mapping):
                raise AnnotatorError(f"{at}: must be an object")
            if ann.get("was_cancelled"):
                notes.append(f"{at}: skipped (cancelled in Label Studio)")
                continue
            who = _annotator_of(ann, names, j)
            record, converted = _annotation_record(doc, ann, who, at, with_doc_labels=True)
            if converted and not utf16_noted:
                notes.append(f"{name}: offsets were UTF-16 code units (Label Studio before 2022); converted")
                utf16_noted = True
            yield at, record


def _task_document(task: Mapping[str, Any], where: str, path: Path, i: int) -> tuple[Document, dict[str, Any]]:
    data = task["data"]
    text = data.get("text")
    if not isinstance(text, str):
        strings = [v for v in data.values() if isinstance(v, str)]
        if len(strings) != 1:
            raise AnnotatorError(f"{where}: no 'text' in 'data'")
        text = strings[0]
    if not text:
        raise AnnotatorError(f"{where}: the text is empty")
    meta = _mapping(_mapping(task.get("meta")).get(META_KEY))
    doc_id = data.get("doc_id")
    if not isinstance(doc_id, str) or not doc_id.strip():
        ident = task.get("id", i + 1)
        doc_id = f"{path.stem}-{ident}"

    def opt(key: str) -> str | None:
        v = data.get(key)
        return v if isinstance(v, str) else None

    status = str(meta["status"]) if meta.get("status") in STATUSES else "todo"
    raw_labels = meta.get("labels")
    labels = _values_from(raw_labels if isinstance(raw_labels, Mapping) else None, f"{where}: meta labels")
    doc = Document(
        id=doc_id,
        text=text,
        meta=DocumentMeta(
            title=opt("title"), source=opt("source"), url=opt("url"), published=opt("published"), author=opt("author")
        ),
        status=status,
        labels=dict(labels),
    )
    return doc, dict(meta)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _annotator_of(ann: Mapping[str, Any], names: list[Any], j: int) -> str:
    if j < len(names) and isinstance(names[j], str):
        return str(names[j])
    who = ann.get("completed_by")
    if isinstance(who, str):
        return who
    if isinstance(who, Mapping):
        email = who.get("email")
        if isinstance(email, str) and email:
            return email
        who = who.get("id")
    if isinstance(who, int):
        return f"label-studio-user-{who}"
    return ""


def _annotation_record(
    doc: Document, ann: Mapping[str, Any], who: str, at: str, *, with_doc_labels: bool
) -> tuple[Record, bool]:
    result = ann.get("result", [])
    if not isinstance(result, list):
        raise AnnotatorError(f"{at}: 'result' must be a list")
    text = doc.text
    u16: Utf16Map | None = None
    converted = False
    regions: dict[str, tuple[str, list[tuple[int, int]]]] = {}
    order: list[str] = []
    attrs: dict[str, dict[str, Any]] = {}
    doc_labels: dict[str, Any] = {}
    relations: list[tuple[str, str, str]] = []
    for k, item in enumerate(result):
        here = f"{at}: result {k + 1}"
        if not isinstance(item, Mapping):
            raise AnnotatorError(f"{here}: must be an object")
        rtype = item.get("type")
        if rtype == "relation":
            head, child = item.get("from_id"), item.get("to_id")
            if not isinstance(head, str) or not isinstance(child, str):
                raise AnnotatorError(f"{here}: a relation needs 'from_id' and 'to_id'")
            if item.get("direction") == "left":
                head, child = child, head
            labels = item.get("labels") or ["RELATED"]
            for label in labels:
                relations.append((str(label), head, child))
            continue
        value = item.get("value")
        if not isinstance(value, Mapping):
            raise AnnotatorError(f"{here}: 'value' must be an object")
        rid = item.get("id")
        has_offsets = "start" in value and "end" in value
        if isinstance(rtype, str) and rtype.endswith("labels") and has_offsets:
            if not isinstance(rid, str) or not rid:
                raise AnnotatorError(f"{here}: a region needs an 'id'")
            a, b = value["start"], value["end"]
            if type(a) is not int or type(b) is not int:
                raise AnnotatorError(f"{here} (region {rid}): start and end must be whole numbers")
            found = value.get("text")
            if not (0 <= a < b <= len(text)) or (isinstance(found, str) and text[a:b] != found):
                u16 = u16 or Utf16Map(text)
                fixed = _from_utf16(u16, a, b)
                if fixed is not None and (not isinstance(found, str) or text[fixed[0] : fixed[1]] == found):
                    a, b = fixed
                    converted = True
                elif not (0 <= a < b <= len(text)):
                    raise AnnotatorError(
                        f"{here} (region {rid}): [{a}, {b}) lies outside the text (0..{len(text)})"
                    )
                else:
                    shown = found[:40] if isinstance(found, str) else found
                    raise AnnotatorError(
                        f"{here} (region {rid}): text {shown!r} does not match the task's text "
                        f"at [{a}, {b}): {text[a:b][:40]!r}"
                    )
            labels = value.get("labels") or []
            if not labels or not all(isinstance(x, str) for x in labels):
                raise AnnotatorError(f"{here} (region {rid}): 'labels' must name a label")
            base, _, _n = rid.partition(FRAGMENT_SEP)
            if base in regions and base != rid:
                regions[base][1].append((a, b))
                continue
            for m, label in enumerate(labels):
                sid = rid if m == 0 else f"{rid}-{label}"
                if sid in regions:
                    raise AnnotatorError(f"{here}: region id {sid!r} appears twice")
                regions[sid] = (label, [(a, b)])
                order.append(sid)
            continue
        if rtype in ("choices", "textarea", "taxonomy", "rating", "number"):
            content = _result_value(rtype, value)
            if content is None:
                continue
            from_name = item.get("from_name")
            if not isinstance(from_name, str) or not from_name:
                raise AnnotatorError(f"{here}: needs a 'from_name'")
            if has_offsets and isinstance(rid, str):
                attrs.setdefault(rid, {})[from_name] = content
            elif with_doc_labels:
                doc_labels[from_name.removeprefix(DOC_PREFIX)] = content
            continue
        # other result types (keypoints, images...) carry nothing for text
    spans: list[Span] = []
    for sid in order:
        label, pieces = regions[sid]
        if not NAME.match(label):
            raise AnnotatorError(f"{at}: region {sid}: label {label!r} is not a usable name")
        pieces.sort()
        span = Span(
            id=sid,
            start=pieces[0][0],
            end=max(b for _, b in pieces),
            label=label,
            attrs=_named(attrs.get(sid, {}), f"{at}: region {sid}"),
            fragments=tuple(pieces) if len(pieces) > 1 else None,
            annotator=who,
        )
        validate_span(span, len(text), where=f"{at}: region {sid}")
        spans.append(span)
    ids = {s.id for s in spans}
    rels = []
    seen: set[tuple[str, str, str]] = set()
    for label, head, child in relations:
        if head not in ids or child not in ids:
            raise AnnotatorError(f"{at}: relation {label} names a region that is not a span ({head} -> {child})")
        if not NAME.match(label):
            raise AnnotatorError(f"{at}: relation label {label!r} is not a usable name")
        if (label, head, child) not in seen and head != child:
            seen.add((label, head, child))
            rels.append(Relation(label, head, child, who))
    if with_doc_labels and doc_labels:
        merged = dict(doc.labels)
        for key, value in _named(doc_labels, f"{at}: document labels").items():
            # the typed value kept in the task's meta wins when the result says the same
            if key not in merged or _as_text(merged[key]) != _as_text(value):
                merged[key] = value
        doc = Document(doc.id, doc.text, doc.meta, doc.status, merged)
    return Record(doc, who, tuple(spans), tuple(rels)), converted


def _named(values: Mapping[str, Any], here: str) -> dict[str, Any]:
    for key in values:
        if not NAME.match(key):
            raise AnnotatorError(
                f"{here}: control {key!r} is not a usable attribute name "
                "(letters, digits, '_' and '-', not starting with a digit)"
            )
    return dict(values)


def _from_utf16(u16: Utf16Map, a: int, b: int) -> tuple[int, int] | None:
    try:
        a2, b2 = u16.to_code_point(a), u16.to_code_point(b, round_up=True)
    except ValueError:
        return None
    if u16.to_utf16(a2) != a or u16.to_utf16(b2) != b or a2 >= b2:
        return None
    return a2, b2


def _result_value(rtype: str, value: Mapping[str, Any]) -> Any:
    key = {"choices": "choices", "textarea": "text", "taxonomy": "taxonomy", "rating": "rating", "number": "number"}[rtype]
    content = value.get(key)
    if isinstance(content, list):
        if not content:
            return None
        items = ["/".join(map(str, c)) if isinstance(c, list) else str(c) for c in content]
        return items[0] if len(items) == 1 else "; ".join(items)
    if content is None:
        return None
    return content if isinstance(content, str | int | float | bool) else str(content)
