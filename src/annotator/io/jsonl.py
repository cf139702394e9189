"""The canonical JSONL format: one document with one annotator's annotations per line.

This module owns the mapping between ``Record`` and a JSON object
(``record_to_dict`` / ``record_from_dict``, with every check a hand-edited
file needs), and reading and writing whole files. Readers split on ``\\n``
only; writers escape U+2028, U+2029 and U+0085 so that no reader, however it
splits lines, sees a record cut in two. See docs/formats.md and
docs/jsonl.schema.json.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from json.encoder import encode_basestring as _enc  # the C encoder json.dumps itself uses
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from annotator.core.errors import AnnotatorError
from annotator.core.model import (
    STATUSES,
    AttrValue,
    Document,
    DocumentMeta,
    Relation,
    Span,
    validate_span,
)
from annotator.io.atomic import atomic_write
from annotator.store.project import Record

if TYPE_CHECKING:
    from annotator.store.export_queries import DocumentRow, RelationRow, SpanRow

#: Label, attribute and relation names: the rule the scheme applies to its names.
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")
#: Top-level keys, in the order they are written.
RECORD_KEYS: tuple[str, ...] = (
    "id", "text", "meta", "annotator", "status", "spans", "relations", "labels",
)  # fmt: skip
SPAN_KEYS: tuple[str, ...] = ("id", "start", "end", "fragments", "label", "text", "attrs")
RELATION_KEYS: tuple[str, ...] = ("label", "head", "child")
META_KEYS: tuple[str, ...] = ("title", "source", "url", "published", "author")
#: How the text of a discontinuous span is shown (as ``Span.text_in`` joins fragments).
FRAGMENT_JOINER = " … "
_LINE_BREAKS = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"}
_SURROGATE = re.compile("[\ud800-\udfff]")


# ---- Record <-> dict --------------------------------------------------------


def record_to_dict(record: Record) -> dict[str, Any]:
    """The JSON object of one record, keys in the canonical order."""
    doc = record.document
    return {
        "id": doc.id,
        "text": doc.text,
        "meta": doc.meta.as_dict(),
        "annotator": record.annotator or None,
        "status": doc.status,
        "spans": [_span_to_dict(s, doc.text) for s in record.spans],
        "relations": [
            {"label": r.label, "head": r.head, "child": r.child} for r in record.relations
        ],
        "labels": dict(doc.labels),
    }


def _span_to_dict(span: Span, text: str) -> dict[str, Any]:
    d: dict[str, Any] = {"id": span.id, "start": span.start, "end": span.end}
    if span.fragments:
        d["fragments"] = [[a, b] for a, b in span.fragments]
    d["label"] = span.label
    d["text"] = span.text_in(text)
    d["attrs"] = dict(span.attrs)
    return d


def record_from_dict(d: Any, *, where: str, escaped_surrogates: bool = True) -> Record:
    """Check one JSON object and build its ``Record``; ``where`` is e.g. ``"FILE line N"``.

    Every problem raises ``AnnotatorError`` starting with ``where`` (and naming
    the document and span). Unknown keys are ignored. A missing or null
    ``annotator`` becomes ``""``: the owner of the project it is imported into.
    """
    if not isinstance(d, Mapping):
        raise AnnotatorError(f"{where}: expected a JSON object, found {_json_type(d)}")
    doc_id = d.get("id")
    if not isinstance(doc_id, str) or not doc_id.strip():
        raise AnnotatorError(f"{where}: 'id' must be a non-empty string, found {_show(doc_id)}")
    _check_unicode(doc_id, where, "'id'")
    here = f"{where}: document {doc_id!r}"
    text = d.get("text")
    if not isinstance(text, str):
        raise AnnotatorError(f"{here}: 'text' must be a string, found {_show(text)}")
    if not text:
        raise AnnotatorError(f"{here}: 'text' is empty")
    _check_unicode(text, here, "'text'")
    annotator = _optional_str(d, "annotator", here) or ""
    status = d.get("status", "todo")
    if status not in STATUSES:
        raise AnnotatorError(
            f"{here}: 'status' must be one of {', '.join(STATUSES)}, found {_show(status)}"
        )
    document = Document(
        id=doc_id,
        text=text,
        meta=_meta_from(d.get("meta"), here),
        status=status,
        labels=_values_from(d.get("labels"), f"{here}: labels"),
    )
    spans = _spans_from(d.get("spans"), text, annotator, here, escaped_surrogates)
    relations = _relations_from(d.get("relations"), {s.id for s in spans}, annotator, here)
    return Record(document=document, annotator=annotator, spans=spans, relations=relations)


def _meta_from(meta: Any, here: str) -> DocumentMeta:
    if meta is None:
        return DocumentMeta()
    if not isinstance(meta, Mapping):
        raise AnnotatorError(f"{here}: 'meta' must be an object, found {_json_type(meta)}")
    return DocumentMeta(**{k: _optional_str(meta, k, f"{here}: meta") for k in META_KEYS})


def _optional_str(d: Mapping[str, Any], key: str, here: str) -> str | None:
    value = d.get(key)
    if value is not None and not isinstance(value, str):
        raise AnnotatorError(f"{here}: {key!r} must be a string or null, found {_show(value)}")
    if value is not None:
        _check_unicode(value, here, repr(key))
    return value


def _values_from(values: Any, here: str) -> dict[str, AttrValue]:
    """Attributes of a span or labels of a document: names -> str/int/float/bool/null."""
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise AnnotatorError(f"{here}: must be an object, found {_json_type(values)}")
    out: dict[str, AttrValue] = {}
    for key, value in values.items():
        if not isinstance(key, str) or not NAME.match(key):
            raise AnnotatorError(
                f"{here}: invalid name {key!r} (letters, digits, '_' and '-', not starting with a digit)"
            )
        ok = value is None or isinstance(value, str | int | bool)
        ok = ok or (isinstance(value, float) and math.isfinite(value))
        if not ok:
            raise AnnotatorError(
                f"{here}: {key!r} must be a string, number, true/false or null, found {_show(value)}"
            )
        if isinstance(value, str):
            _check_unicode(value, here, repr(key))
        out[key] = value
    return out


def _spans_from(
    spans: Any, text: str, annotator: str, here: str, escaped_surrogates: bool = True
) -> tuple[Span, ...]:
    if spans is None:
        return ()
    if not isinstance(spans, list):
        raise AnnotatorError(f"{here}: 'spans' must be a list, found {_json_type(spans)}")
    out: list[Span] = []
    seen: set[str] = set()
    for i, s in enumerate(spans):
        span = _span_from(s, i, text, annotator, here, escaped_surrogates)
        if span.id in seen:
            raise AnnotatorError(f"{here}: span id {span.id!r} appears twice")
        seen.add(span.id)
        out.append(span)
    return tuple(out)


_NO_VALUES: Mapping[str, AttrValue] = MappingProxyType({})
#: Label and attribute names already checked against NAME (a bounded cache).
_GOOD_NAMES: set[str] = set()
_GOOD_NAMES_MAX = 10_000


def _good_name(name: Any) -> bool:
    if type(name) is str and name in _GOOD_NAMES:
        return True
    if isinstance(name, str) and NAME.match(name):
        if len(_GOOD_NAMES) < _GOOD_NAMES_MAX:
            _GOOD_NAMES.add(name)
        return True
    return False


def _plain_values(values: Any, surrogates: bool = True) -> Mapping[str, AttrValue] | None:
    """``values``, read-only, when every name and value is plainly valid, else None (check slowly).

    The parsed dict is wrapped, not copied: nothing else holds it.
    """
    if type(values) is not dict:
        return _NO_VALUES if values is None else None
    for key, value in values.items():
        if key not in _GOOD_NAMES and not _good_name(key):
            return None
        kind = type(value)
        if kind is str:
            if surrogates and _SURROGATE.search(value):
                return None
        elif kind is float:
            if not math.isfinite(value):
                return None
        elif value is not None and kind is not int and kind is not bool:
            return None
    return MappingProxyType(values)


def _span_from(
    s: Any, i: int, text: str, annotator: str, here: str, surrogates: bool = True
) -> Span:
    # The common case, checked in a few steps; anything unusual takes the full path,
    # which accepts exactly the same spans and words every error.
    if type(s) is dict and s.get("fragments") is None:
        sid, label, start, end = s.get("id"), s.get("label"), s.get("start"), s.get("end")
        if (
            type(sid) is str
            and sid
            and type(start) is int
            and type(end) is int
            and 0 <= start < end <= len(text)
            and type(label) is str
            and (label in _GOOD_NAMES or _good_name(label))
            and not (surrogates and _SURROGATE.search(sid))
        ):
            attrs = _plain_values(s.get("attrs"), surrogates)
            found = s.get("text")
            if attrs is not None and (found is None or found == text[start:end]):
                return Span(sid, start, end, str(label), attrs, None, annotator)
    return _span_from_checked(s, i, text, annotator, here)


def _span_from_checked(s: Any, i: int, text: str, annotator: str, here: str) -> Span:
    if not isinstance(s, Mapping):
        raise AnnotatorError(f"{here}: spans[{i}] must be an object, found {_json_type(s)}")
    sid = s.get("id")
    if not isinstance(sid, str) or not sid:
        raise AnnotatorError(
            f"{here}: spans[{i}]: 'id' must be a non-empty string, found {_show(sid)}"
        )
    _check_unicode(sid, f"{here}: spans[{i}]", "'id'")
    at = f"{here}: span {sid!r}"
    label = s.get("label")
    if not isinstance(label, str) or not NAME.match(label):
        raise AnnotatorError(f"{at}: invalid 'label' {_show(label)}")
    start, end = _offset(s, "start", at), _offset(s, "end", at)
    fragments = _fragments_from(s.get("fragments"), at)
    if fragments is not None and len(fragments) == 1 and fragments[0] != (start, end):
        raise AnnotatorError(f"{at}: start/end must be the outer bounds of its fragments")
    span = Span(
        id=sid,
        start=start,
        end=end,
        label=label,
        attrs=_values_from(s.get("attrs"), f"{at}: attrs"),
        fragments=fragments,
        annotator=annotator,
    )
    validate_span(span, len(text), where=here)
    found = s.get("text")
    if found is not None:
        if not isinstance(found, str):
            raise AnnotatorError(f"{at}: 'text' must be a string, found {_show(found)}")
        expected = text[start:end] if fragments is None else span.text_in(text)
        if found != expected:
            raise AnnotatorError(
                f"{at}: 'text' does not match the document at [{start}, {end}): "
                f"expected {_shorten(expected)}, found {_shorten(found)}"
            )
    return span


def _offset(s: Mapping[str, Any], key: str, at: str) -> int:
    value = s.get(key)
    if type(value) is not int:  # bool is an int subclass; 3.0 is not an offset
        raise AnnotatorError(f"{at}: {key!r} must be a whole number, found {_show(value)}")
    return value


def _fragments_from(frags: Any, at: str) -> tuple[tuple[int, int], ...] | None:
    if frags is None:
        return None
    bad = AnnotatorError(f"{at}: 'fragments' must be a list of [start, end] pairs of whole numbers")
    if not isinstance(frags, list) or not frags:
        raise bad
    out: list[tuple[int, int]] = []
    for f in frags:
        if not (isinstance(f, list) and len(f) == 2 and all(type(x) is int for x in f)):
            raise bad
        out.append((f[0], f[1]))
    return tuple(out)


def _relations_from(
    relations: Any, span_ids: set[str], annotator: str, here: str
) -> tuple[Relation, ...]:
    if relations is None:
        return ()
    if not isinstance(relations, list):
        raise AnnotatorError(f"{here}: 'relations' must be a list, found {_json_type(relations)}")
    out: list[Relation] = []
    for i, r in enumerate(relations):
        if type(r) is dict:  # the common case, checked in a few steps
            label, head, child = r.get("label"), r.get("head"), r.get("child")
            if (
                type(label) is str
                and (label in _GOOD_NAMES or _good_name(label))
                and type(head) is str
                and type(child) is str
                and head != child
                and head in span_ids
                and child in span_ids
            ):
                out.append(Relation(str(label), head, child, annotator))
                continue
        at = f"{here}: relations[{i}]"
        if not isinstance(r, Mapping):
            raise AnnotatorError(f"{at} must be an object, found {_json_type(r)}")
        label = r.get("label")
        if not isinstance(label, str) or not NAME.match(label):
            raise AnnotatorError(f"{at}: invalid 'label' {_show(label)}")
        ends = []
        for key in ("head", "child"):
            sid = r.get(key)
            if not isinstance(sid, str):
                raise AnnotatorError(
                    f"{at} ({label}): {key!r} must be a span id, found {_show(sid)}"
                )
            if sid not in span_ids:
                raise AnnotatorError(f"{at} ({label}): {key} {sid!r} is not a span of this record")
            ends.append(sid)
        if ends[0] == ends[1]:
            raise AnnotatorError(f"{at} ({label}): links span {ends[0]!r} to itself")
        out.append(Relation(label=label, head=ends[0], child=ends[1], annotator=annotator))
    return tuple(out)


# ---- small helpers for messages --------------------------------------------


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def _show(value: Any) -> str:
    if value is None or isinstance(value, bool | int | float):
        return json.dumps(value)
    if isinstance(value, str):
        return _shorten(value)
    return _json_type(value)


def _shorten(s: str, limit: int = 40) -> str:
    """A one-line, quoted, shortened view of a string for a message."""
    if len(s) > limit:
        s = s[: limit // 2] + "…" + s[-(limit // 2 - 1) :]
    return repr(s)


def _check_unicode(s: str, here: str, what: str) -> None:
    """Refuse unpaired surrogates (e.g. a lone "\\ud800" escape): they are not text."""
    m = _SURROGATE.search(s)
    if m:
        raise AnnotatorError(
            f"{here}: {what} contains an unpaired surrogate (\\u{ord(m.group()):04x}) at {m.start()}"
        )


# ---- files ------------------------------------------------------------------


def dumps_record(record: Record) -> str:
    """One record as one line of JSON (no newline at the end)."""
    line = json.dumps(record_to_dict(record), ensure_ascii=False, allow_nan=False)
    for ch, escaped in _LINE_BREAKS.items():
        if ch in line:
            line = line.replace(ch, escaped)
    return line


def _enc_opt(value: str | None) -> str:
    return "null" if value is None else _enc(value)


def raw_document_parts(doc: DocumentRow) -> tuple[str, str]:
    """The text of a line before and after its annotator, for a stored document row."""
    head = (
        '{"id": ' + _enc(doc.id) + ', "text": ' + _enc(doc.text) + ', "meta": {"title": '
        + _enc_opt(doc.title) + ', "source": ' + _enc_opt(doc.source) + ', "url": '
        + _enc_opt(doc.url) + ', "published": ' + _enc_opt(doc.published) + ', "author": '
        + _enc_opt(doc.author) + '}, "annotator": '
    )  # fmt: skip
    return head, ', "status": ' + _enc(doc.status) + ', "spans": ['


def dumps_raw_record(
    parts: tuple[str, str],
    doc: DocumentRow,
    annotator: str,
    spans: Sequence[SpanRow],
    relations: Sequence[RelationRow],
) -> str:
    """One line (with its newline) built from stored rows: exactly ``dumps_record`` of the record.

    Attributes, fragments and document labels are stored as the JSON text
    ``json.dumps(..., ensure_ascii=False, sort_keys=True)`` made, which is what
    ``dumps_record`` writes for them, so they are copied as they are; strings
    go through the same C encoder as ``json.dumps``. A test holds the two equal.
    """
    text = doc.text
    enc = _enc
    out = [
        f'{{"id": {enc(sid)}, "start": {a}, "end": {b}, "label": {enc(label)}, '
        f'"text": {enc(text[a:b])}, "attrs": {attrs}}}'
        if frags is None
        else f'{{"id": {enc(sid)}, "start": {a}, "end": {b}, "fragments": {frags}, '
        f'"label": {enc(label)}, "text": '
        f"{enc(FRAGMENT_JOINER.join(text[x:y] for x, y in json.loads(frags)))}, "
        f'"attrs": {attrs}}}'
        for _who, sid, a, b, label, attrs, frags, _pk in spans
    ]
    rels = ", ".join(
        [
            f'{{"label": {enc(r[1])}, "head": {enc(r[2])}, "child": {enc(r[3])}}}'
            for r in relations
        ]
    )
    line = (
        parts[0] + (_enc(annotator) if annotator else "null") + parts[1] + ", ".join(out)
        + '], "relations": [' + rels + '], "labels": ' + doc.labels + "}\n"
    )  # fmt: skip
    if "\u2028" in line or "\u2029" in line or "\x85" in line:
        for ch, escaped in _LINE_BREAKS.items():
            line = line.replace(ch, escaped)
    return line


def write_jsonl(records: Iterable[Record], path: str | Path) -> int:
    """Write records, one per line, replacing ``path`` atomically; return how many."""
    count = 0
    with atomic_write(path, mode="w", encoding="utf-8", newline="") as f:
        for record in records:
            try:
                line = dumps_record(record)
                f.write(line + "\n")
            except UnicodeEncodeError:
                raise AnnotatorError(
                    f"{path}: document {record.document.id!r} has text that is not valid "
                    "Unicode (an unpaired surrogate); nothing was written"
                ) from None
            count += 1
    return count


def read_jsonl(path: str | Path) -> Iterator[Record]:
    """The records of a JSONL file, in order (see ``read_jsonl_numbered``)."""
    for _, record in read_jsonl_numbered(path):
        yield record


def read_jsonl_numbered(path: str | Path) -> Iterator[tuple[int, Record]]:
    """(line number, record) for each non-blank line of a JSONL file.

    The file is read as bytes and split on ``\\n`` only: U+2028, U+2029,
    U+0085 and a lone ``\\r`` inside a line never split it. One ``\\r`` before
    the ``\\n`` is dropped; blank lines are skipped.
    """
    name = str(path)
    for n, obj, escaped in read_jsonl_objects(path):
        yield n, record_from_dict(obj, where=f"{name}: line {n}", escaped_surrogates=escaped)


def read_jsonl_objects(path: str | Path) -> Iterator[tuple[int, Any, bool]]:
    """(line number, parsed JSON value, whether the line escapes a surrogate) per non-blank line.

    As ``read_jsonl_numbered`` reads them, before ``record_from_dict``: JSON decoded
    from valid UTF-8 holds a lone surrogate only if its line escapes one (``"\\ud800"``).
    """
    name = str(path)
    try:
        f = open(path, "rb", buffering=1 << 20)  # noqa: SIM115 - closed by the with below
    except FileNotFoundError:
        raise AnnotatorError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise AnnotatorError(f"{name}: is a folder, not a JSONL file") from None
    except PermissionError:
        raise AnnotatorError(f"{name}: cannot read the file (permission denied)") from None
    except OSError as e:
        raise AnnotatorError(f"{name}: cannot read the file ({e.strerror or e})") from None
    with f:
        n = 0
        while True:
            try:
                raw = f.readline()
            except OSError as e:
                raise AnnotatorError(f"{name}: cannot read the file ({e.strerror or e})") from None
            if not raw:
                return
            n += 1
            obj = _parse_line(raw, n, name)
            if obj is not None:
                # without such an escape the per-string surrogate checks are skipped
                # (most lines have no backslash at all: one memchr says so)
                yield n, obj, b"\\" in raw and (b"\\ud" in raw or b"\\uD" in raw)


def _parse_line(raw: bytes, n: int, name: str) -> Any:
    """Decode and parse one line; None for a blank line."""
    line = raw[:-1] if raw.endswith(b"\n") else raw
    line = line[:-1] if line.endswith(b"\r") else line
    if n == 1 and line.startswith(b"\xef\xbb\xbf"):
        line = line[3:]
    if not line.strip():
        return None
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as e:
        raise AnnotatorError(
            f"{name}: line {n}: not valid UTF-8 (byte {e.start + 1} of the line); "
            "JSONL files must be UTF-8"
        ) from None
    try:
        if text.startswith("{"):  # the usual line: one value, no space around it
            try:
                obj, end = _RAW_DECODE(text)
                if end == len(text):
                    return obj
            except json.JSONDecodeError:
                pass  # parsed again below, for the message json.loads gives
        # json.loads(text, parse_constant=_no_constant), with the decoder made once
        return json.loads(text, parse_constant=_no_constant) if text.startswith("\ufeff") else _DECODE(text)
    except json.JSONDecodeError as e:
        raise AnnotatorError(
            f"{name}: line {n}: invalid JSON: {e.msg} (column {e.colno})"
        ) from None
    except ValueError as e:
        raise AnnotatorError(f"{name}: line {n}: invalid JSON: {e}") from None
    except RecursionError:
        raise AnnotatorError(f"{name}: line {n}: invalid JSON: nested too deeply") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


_DECODER = json.JSONDecoder(parse_constant=_no_constant)
_DECODE = _DECODER.decode
_RAW_DECODE = _DECODER.raw_decode
