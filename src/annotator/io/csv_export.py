"""The CSV exports: one row per span (``csv``), per attributed quote (``quotes-csv``), per document.

All three are UTF-8 (optionally with a byte-order mark for Excel), written
with the standard ``csv`` module (comma, double quotes where needed, CRLF
line ends, as RFC 4180), streamed document by document.

**CSV injection.** A spreadsheet runs a cell that starts with ``=``, ``+``,
``-`` or ``@`` (and, in some, a tab or carriage return) as a formula. By
default every text cell that starts with one of those gets a leading ``'``
(the apostrophe spreadsheets use to mark text); numbers are left alone.
``CsvOptions(guard_formulas=False)`` writes cells exactly, for programs.

Offsets are code points (Python string indices), as everywhere in Annotator.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from typing import Any

from annotator.core.model import Person
from annotator.io.context import FORMULA_TRIGGERS, ExportContext
from annotator.io.dataset import RawRecord
from annotator.io.jsonl import FRAGMENT_JOINER
from annotator.io.sinks import WrittenFile, file_output
from annotator.store.export_queries import SpanRow

SAID_BY = "SAID_BY"
CUED_BY = "CUED_BY"
#: Joins several values in one cell (two speakers of one quote).
MULTI = " | "

#: Words whose full stop does not end a sentence (besides one-letter words: initials, U.S.).
_ABBREVIATIONS = frozenset(
    {
        "mr", "mrs", "ms", "dr", "prof", "st", "sr", "jr", "gen", "col", "lt", "sgt", "capt",
        "gov", "sen", "rep", "rev", "mt", "vs", "etc", "inc", "ltd", "co", "corp",
    }
)  # fmt: skip


def _sentence_pattern() -> re.Pattern[str]:
    # A full stop after a one-letter word or a listed abbreviation does not end a
    # sentence: fixed-width lookbehinds after the literal, so the engine jumps from
    # one candidate to the next and Python does nothing per sentence.
    by_length: dict[int, list[str]] = {}
    for word in sorted(_ABBREVIATIONS):
        by_length.setdefault(len(word), []).append(re.escape(word))
    not_after = "".join(  # one lookbehind per length: alternatives must be equally wide
        rf"(?<!\b(?:{'|'.join(words)})\.)" for _, words in sorted(by_length.items())
    )
    return re.compile(
        rf"(?:\.(?<!\b\w\.){not_after}|[!?\u2026])[.!?\u2026]*[\"'\u201d\u2019\u00bb)\]]*(?=\s)",
        re.IGNORECASE,
    )


_SENTENCE_END = _sentence_pattern()
_LINE_BREAKS = re.compile(r"\n+")


def sentence_bounds(text: str) -> list[int]:
    """Offsets where sentences start and end: 0, each boundary, len(text).

    A simple splitter for context columns: a sentence ends after ``.``, ``!``,
    ``?`` or ``…`` (with closing quotes or brackets) followed by white space,
    except after a one-letter word or a common abbreviation (Mr., Dr., U.S.),
    and at every line break.
    """
    bounds = [0, *(m.end() for m in _SENTENCE_END.finditer(text))]
    if "\n" in text:
        for m in _LINE_BREAKS.finditer(text):
            bounds.append(m.start())
            bounds.append(m.end())
        bounds.sort()
    bounds.append(len(text))
    return bounds


def sentence_of(text: str, bounds: list[int], start: int, end: int) -> str:
    """The sentence(s) around ``[start, end)``, stripped."""
    i = bisect_right(bounds, start) - 1
    j = bisect_left(bounds, end)
    a = bounds[max(i, 0)]
    b = bounds[min(j, len(bounds) - 1)]
    return text[a:b].strip()


def _guard(options_on: bool) -> Callable[[str], str]:
    if not options_on:
        return lambda s: s

    def guard(s: str) -> str:
        return "'" + s if s.startswith(FORMULA_TRIGGERS) else s

    return guard


def _value(value: Any, guard: Callable[[str], str]) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return guard(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _span_text(text: str, row: SpanRow) -> str:
    if row[6] is None:
        return text[row[2] : row[3]]
    return FRAGMENT_JOINER.join(text[a:b] for a, b in json.loads(row[6]))


def _fragments_cell(row: SpanRow) -> str:
    if row[6] is None:
        return ""
    return ";".join(f"{a}-{b}" for a, b in json.loads(row[6]))


class _Chunks(list):  # type: ignore[type-arg]
    """A text sink for ``csv.writer``: rows gather in memory, go out as large UTF-8 writes,
    hashed on the way (the dataset card's SHA-256 without reading the file again)."""

    write = list.append

    def __init__(self, out: Any) -> None:
        super().__init__()
        self.out = out
        self.digest = hashlib.sha256()
        self.size = 0

    def drain(self) -> None:
        data = "".join(self).encode("utf-8")
        self.clear()
        self.digest.update(data)
        self.out.write(data)
        self.size += len(data)


#: Rows gathered before a write.
_CHUNK_ROWS = 4096


def _run(ctx: ExportContext, body: Callable[[Any], None]) -> None:
    with file_output(ctx.out, binary=True) as f:
        sink = _Chunks(f)
        if ctx.csv.bom:
            sink.write("\ufeff")
        body(sink)
        sink.drain()
    ctx.files.append(WrittenFile(ctx.out.name, sink.size, sink.digest.hexdigest()))


def _attribute_columns(ctx: ExportContext) -> list[str]:
    scheme = ctx.dataset.scheme
    wanted = ctx.dataset.selection.labels
    names: list[str] = []
    for lab in scheme.labels:
        if wanted is not None and lab.name not in wanted:
            continue
        for attr in lab.attributes:
            if attr.name not in names:
                names.append(attr.name)
    return names


def _speakers(rec: RawRecord, by_id: dict[str, SpanRow]) -> dict[str, list[SpanRow]]:
    """head span id -> the SPEAKER rows it is SAID_BY."""
    out: dict[str, list[SpanRow]] = {}
    for r in rec.relations:
        if r[1] == SAID_BY and r[3] in by_id:
            out.setdefault(r[2], []).append(by_id[r[3]])
    return out


# ---- csv: one row per span ------------------------------------------------------


def write_spans_csv(ctx: ExportContext) -> None:
    attr_names = _attribute_columns(ctx)
    known = set(attr_names)
    on = ctx.csv.guard_formulas
    guard = _guard(on)
    triggers = frozenset(FORMULA_TRIGGERS)
    wanted = ctx.dataset.selection.labels
    header = [
        "doc_id", "title", "annotator", "span_id", "label", "start", "end", "fragments", "text",
        *(f"attr_{n}" for n in attr_names), "other_attrs", "speaker_person", "speaker_mention",
        "sentence",
    ]  # fmt: skip
    #: stored attrs JSON -> (parsed attrs, the attribute cells): spans share few distinct ones
    memo: dict[str, tuple[dict[str, Any], list[Any]]] = {}

    def attr_cells(raw: str) -> tuple[dict[str, Any], list[Any]]:
        hit = memo.get(raw)
        if hit is None:
            attrs = json.loads(raw)
            other = {k: v for k, v in attrs.items() if k not in known}
            cells = [_value(attrs.get(n), guard) for n in attr_names]
            cells.append(guard(json.dumps(other, ensure_ascii=False)) if other else "")
            hit = (attrs, cells)
            if len(memo) < 50_000:
                memo[raw] = hit
        return hit

    def body(f: Any) -> None:
        w = csv.writer(f)
        w.writerow(header)
        writerows = w.writerows
        for records in ctx.dataset.documents(all_labels=True):
            doc = records[0].document
            text = doc.text
            bounds = sentence_bounds(text)
            sentences: dict[tuple[int, int], str] = {}
            doc_id, title = guard(doc.id), guard(doc.title or "")
            rows: list[list[Any]] = []
            add = rows.append
            for rec in records:
                who = guard(rec.annotator)
                speakers: dict[str, list[SpanRow]] = {}
                if rec.relations:
                    by_id = {row[1]: row for row in rec.spans}
                    speakers = _speakers(rec, by_id)
                for row in rec.spans:
                    _w, sid, a, b, label, raw, frags, _pk = row
                    if wanted is not None and label not in wanted:
                        continue
                    hit = memo.get(raw)
                    attrs, cells = hit if hit is not None else attr_cells(raw)
                    said = speakers.get(sid)
                    if said:
                        persons = MULTI.join(
                            "" if (p := attr_cells(sp[5])[0].get("person")) is None else str(p)
                            for sp in said
                        )
                        mentions = MULTI.join(_span_text(text, sp) for sp in said)
                    else:
                        p = attrs.get("person")
                        persons = "" if p is None else str(p)
                        mentions = ""
                    if frags is None:
                        span_text = text[a:b]
                        frag_cell = ""
                    else:
                        span_text = _span_text(text, row)
                        frag_cell = _fragments_cell(row)
                    where = (bisect_right(bounds, a) - 1, bisect_left(bounds, b))
                    sentence = sentences.get(where)
                    if sentence is None:
                        sentence = sentences[where] = text[bounds[where[0]] : bounds[where[1]]].strip()
                    if on:
                        if sid[:1] in triggers:
                            sid = "'" + sid
                        if label[:1] in triggers:
                            label = "'" + label
                        if span_text[:1] in triggers:
                            span_text = "'" + span_text
                        if sentence[:1] in triggers:
                            sentence = "'" + sentence
                        if persons[:1] in triggers:
                            persons = "'" + persons
                        if mentions[:1] in triggers:
                            mentions = "'" + mentions
                    add(
                        [doc_id, title, who, sid, label, a, b, frag_cell, span_text, *cells,
                         persons, mentions, sentence]
                    )  # fmt: skip
            writerows(rows)
            if len(f) >= _CHUNK_ROWS:
                f.drain()

    _run(ctx, body)


# ---- quotes-csv: one row per attributed quote or claim ------------------------------


def _heads(ctx: ExportContext) -> set[str]:
    scheme = ctx.dataset.scheme
    rel = scheme.relation(SAID_BY)
    heads = set(rel.heads) if rel is not None and rel.heads else {"QUOTE", "CLAIM"}
    wanted = ctx.dataset.selection.labels
    return heads if wanted is None else heads & wanted


def write_quotes_csv(ctx: ExportContext) -> None:
    guard = _guard(ctx.csv.guard_formulas)
    heads = _heads(ctx)
    people: dict[str, Person] = {p.name: p for p in ctx.dataset.project.people()}
    header = [
        "doc_id", "title", "outlet", "date", "url", "annotator", "span_id", "label", "person",
        "role", "organisation", "mention", "cue", "quote", "kind", "stance", "target", "start",
        "end",
    ]  # fmt: skip

    def body(f: Any) -> None:
        w = csv.writer(f)
        w.writerow(header)
        for records in ctx.dataset.documents(all_labels=True):
            doc = records[0].document
            text = doc.text
            for rec in records:
                by_id = {row[1]: row for row in rec.spans}
                attrs = {row[1]: json.loads(row[5]) for row in rec.spans}
                speakers = _speakers(rec, by_id)
                cues: dict[str, list[SpanRow]] = {}
                for r in rec.relations:
                    if r[1] == CUED_BY and r[3] in by_id:
                        cues.setdefault(r[2], []).append(by_id[r[3]])
                for row in rec.spans:
                    sid = row[1]
                    if row[4] not in heads:
                        continue
                    own = attrs[sid]
                    persons: list[str] = []
                    mentions: list[str] = []
                    for sp in speakers.get(sid, ()):
                        name = attrs[sp[1]].get("person")
                        persons.append("" if name is None else str(name))
                        mentions.append(_span_text(text, sp))
                    if not persons and own.get("person") is not None:
                        persons.append(str(own["person"]))
                    if not persons:
                        continue  # not attributed
                    roles = [_people_field(people, p, "role") for p in persons]
                    orgs = [_people_field(people, p, "organisation") for p in persons]
                    w.writerow(
                        [
                            guard(doc.id), guard(doc.title or ""), guard(doc.source or ""),
                            guard(doc.published or ""), guard(doc.url or ""),
                            guard(rec.annotator), guard(sid), guard(row[4]),
                            guard(MULTI.join(persons)), guard(_joined(roles)),
                            guard(_joined(orgs)), guard(MULTI.join(mentions)),
                            guard(MULTI.join(_span_text(text, c) for c in cues.get(sid, ()))),
                            guard(_span_text(text, row)),
                            _value(own.get("kind"), guard), _value(own.get("stance"), guard),
                            _value(own.get("target"), guard), row[2], row[3],
                        ]
                    )  # fmt: skip
            if len(f) >= _CHUNK_ROWS:
                f.drain()

    _run(ctx, body)


def _people_field(people: dict[str, Person], name: str, what: str) -> str:
    person = people.get(name)
    if person is None:
        return ""
    return (person.role if what == "role" else person.organisation) or ""


def _joined(values: Iterable[str]) -> str:
    items = list(values)
    return MULTI.join(items) if any(items) else ""


# ---- documents-csv: one row per document ------------------------------------------


def write_documents_csv(ctx: ExportContext) -> None:
    guard = _guard(ctx.csv.guard_formulas)
    scheme = ctx.dataset.scheme
    doc_labels = [a.name for a in scheme.document_labels]
    wanted = ctx.dataset.selection.labels
    span_labels = [lab.name for lab in scheme.labels if wanted is None or lab.name in wanted]
    header = [
        "doc_id", "title", "source", "url", "published", "status", "checksum", "length",
        "annotators", *(f"label_{n}" for n in doc_labels), "other_labels", "spans",
        *(f"count_{n}" for n in span_labels), "count_other",
    ]  # fmt: skip
    known = set(span_labels)

    def body(f: Any) -> None:
        w = csv.writer(f)
        w.writerow(header)
        for records in ctx.dataset.documents():
            doc = records[0].document
            labels = json.loads(doc.labels)
            other = {k: v for k, v in labels.items() if k not in doc_labels}
            counts: dict[str, int] = {}
            total = 0
            for rec in records:
                for row in rec.spans:
                    counts[row[4]] = counts.get(row[4], 0) + 1
                    total += 1
            annotators = [r.annotator for r in records if r.spans or r.relations]
            w.writerow(
                [
                    guard(doc.id), guard(doc.title or ""), guard(doc.source or ""),
                    guard(doc.url or ""), guard(doc.published or ""), doc.status, doc.checksum,
                    len(doc.text), guard(MULTI.join(annotators)),
                    *(_value(labels.get(n), guard) for n in doc_labels),
                    guard(json.dumps(other, ensure_ascii=False)) if other else "", total,
                    *(counts.get(n, 0) for n in span_labels),
                    sum(v for k, v in counts.items() if k not in known),
                ]
            )  # fmt: skip
            if len(f) >= _CHUNK_ROWS:
                f.drain()

    _run(ctx, body)
