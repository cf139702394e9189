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
import io
import json
import re
import sqlite3
import time
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import accumulate, chain, compress, islice, repeat
from operator import add, attrgetter, contains, getitem, gt, itemgetter, le, not_, or_
from typing import Any

from annotator.core.model import Person
from annotator.io.atomic import WriteBehind
from annotator.io.context import FORMULA_TRIGGERS, ExportContext
from annotator.io.dataset import PROGRESS_INTERVAL, RawRecord, fork_map, worker_count
from annotator.io.jsonl import FRAGMENT_JOINER
from annotator.io.sinks import WrittenFile, file_output
from annotator.store.csv_queries import (
    SEP,
    CsvChunk,
    CsvDocument,
    csv_chunk,
    document_raw_rows,
    one_state,
)
from annotator.store.export_queries import SpanRow, key_ranges, positions_follow_ids

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


def _sentence_pattern(*, dots_only: bool = False) -> re.Pattern[str]:
    # A full stop after a one-letter word or a listed abbreviation does not end a
    # sentence: fixed-width lookbehinds after the literal, so the engine jumps from
    # one candidate to the next and Python does nothing per sentence. The pattern
    # starts with a character set (or the literal full stop, for texts without
    # ``!?…``) and only the lookbehinds ignore case: the engine's fast scan for the
    # first character then applies.
    by_length: dict[int, list[str]] = {}
    for word in sorted(_ABBREVIATIONS):
        by_length.setdefault(len(word), []).append(re.escape(word))
    not_after = "".join(  # one lookbehind per length: alternatives must be equally wide
        rf"(?<!\b(?i:{'|'.join(words)})\.)" for _, words in sorted(by_length.items())
    )
    closing = "[\"'\u201d\u2019\u00bb)\\]]*(?=\\s)"
    if dots_only:
        return re.compile(rf"\.(?<!\b\w\.){not_after}\.*{closing}")
    return re.compile(rf"[.!?\u2026](?:(?<=\.)(?<!\b\w\.){not_after}|(?<!\.))[.!?\u2026]*{closing}")


_SENTENCE_END = _sentence_pattern()
#: The same for a text without ``!``, ``?`` or ``…`` (a literal first character: faster).
_FULL_STOP_END = _sentence_pattern(dots_only=True)
_END = re.Match.end
_LINE_BREAKS = re.compile(r"\n+")


def sentence_bounds(text: str) -> list[int]:
    """Offsets where sentences start and end: 0, each boundary, len(text).

    A simple splitter for context columns: a sentence ends after ``.``, ``!``,
    ``?`` or ``…`` (with closing quotes or brackets) followed by white space,
    except after a one-letter word or a common abbreviation (Mr., Dr., U.S.),
    and at every line break.
    """
    if "!" in text or "?" in text or "\u2026" in text:
        bounds = [0, *map(_END, _SENTENCE_END.finditer(text))]
    else:
        bounds = [0, *map(_END, _FULL_STOP_END.finditer(text))]
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
        self.behind = WriteBehind(out)

    def drain(self) -> None:
        data = "".join(self).encode("utf-8")
        self.clear()
        self.write_bytes(data)

    def write_bytes(self, data: bytes) -> None:
        """UTF-8 ``data``, after what was written as text (which goes out first)."""
        if self:
            self.drain()
        self.digest.update(data)
        self.out.write(data)
        self.size += len(data)
        self.behind.wrote(self.size)


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


class _SpanRows:
    """The rows of the ``csv`` format, document by document (the reference writer)."""

    def __init__(self, ctx: ExportContext) -> None:
        self.attr_names = attr_names = _attribute_columns(ctx)
        self.known = set(attr_names)
        self.on = ctx.csv.guard_formulas
        self.guard = _guard(self.on)
        self.triggers = frozenset(FORMULA_TRIGGERS)
        self.wanted = ctx.dataset.selection.labels
        self.header = [
            "doc_id", "title", "annotator", "span_id", "label", "start", "end", "fragments", "text",
            *(f"attr_{n}" for n in attr_names), "other_attrs", "speaker_person", "speaker_mention",
            "sentence",
        ]  # fmt: skip
        #: stored attrs JSON -> (parsed attrs, the attribute cells): spans share few distinct ones
        self.memo: dict[str, tuple[dict[str, Any], list[Any]]] = {}

    def attr_cells(self, raw: str) -> tuple[dict[str, Any], list[Any]]:
        hit = self.memo.get(raw)
        if hit is None:
            guard = self.guard
            attrs = json.loads(raw)
            other = {k: v for k, v in attrs.items() if k not in self.known}
            cells = [_value(attrs.get(n), guard) for n in self.attr_names]
            cells.append(guard(json.dumps(other, ensure_ascii=False)) if other else "")
            hit = (attrs, cells)
            if len(self.memo) < 50_000:
                self.memo[raw] = hit
        return hit

    def rows(self, records: list[RawRecord]) -> list[list[Any]]:
        """One document's rows (its records, by annotator)."""
        guard, on, triggers, wanted = self.guard, self.on, self.triggers, self.wanted
        memo, attr_cells = self.memo, self.attr_cells
        doc = records[0].document
        text = doc.text
        bounds = sentence_bounds(text)
        last = len(bounds) - 1
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
                # (as ``sentence_of``: offsets beyond the text, in a hand-edited file, stay in it)
                where = (max(bisect_right(bounds, a) - 1, 0), min(bisect_left(bounds, b), last))
                sentence = sentences.get(where)
                if sentence is None:
                    sentence = sentences[where] = text[bounds[where[0]] : bounds[where[1]]].strip()
                if on:
                    sid, label, span_text, sentence, persons, mentions = (
                        "'" + v if v[:1] in triggers else v
                        for v in (sid, label, span_text, sentence, persons, mentions)
                    )
                add(
                    [doc_id, title, who, sid, label, a, b, frag_cell, span_text, *cells,
                     persons, mentions, sentence]
                )  # fmt: skip
        return rows


def write_spans_csv(ctx: ExportContext, *, fast: bool = True) -> None:
    """The ``csv`` format; ``fast=False`` always takes the plain (reference) writer."""
    maker = _SpanRows(ctx)
    if fast and _fast_spans_supported(ctx):
        _run(ctx, lambda f: _fast_spans_body(ctx, maker, f))
        return

    def body(f: Any) -> None:
        w = csv.writer(f)
        w.writerow(maker.header)
        writerows = w.writerows
        rows_of = maker.rows
        for records in ctx.dataset.documents(all_labels=True):
            writerows(rows_of(records))
            if len(f) >= _CHUNK_ROWS:
                f.drain()

    _run(ctx, body)


# ---- csv: the fast path ------------------------------------------------------------
#
# SQLite hands over a chunk of documents' spans as a few texts, one per column
# (``store.csv_queries``); Python cuts them with ``str.split`` and builds the cells of
# whole columns of the chunk with C-level ``map`` calls (texts, sentences, quoting),
# so that no Python code runs per span. The chunk's documents are joined into one
# text (with a line break between them, so that no sentence crosses from one to the
# next) and span offsets are shifted into it. Attribute, label and person cells come
# from memos keyed by the stored text (made by the reference code above, quoted by
# ``csv.writer``); speaker persons too (from the speaker spans' stored attributes). A
# document the fast path cannot serve exactly (a NUL in its text, fragments, offsets
# beyond its text) is written by ``_SpanRows.rows``; a chunk with a separator inside
# a value, wholly so. A test holds the result byte-identical to
# ``write_spans_csv(ctx, fast=False)``.

#: Between the documents of a chunk's joined text: a character that is neither a word
#: character nor white space nor punctuation, which the sentence patterns neither take
#: nor look through. (A document whose text holds NUL is left to Python.)
_BETWEEN = "\x00"
_FIRST_CHARACTER = slice(0, 1)
#: A formula trigger at the start of a value that is not the first of ``SEP``-joined values.
_AFTER_SEP = tuple(SEP + t for t in FORMULA_TRIGGERS)


def _csv_cells(
    values: list[str], guard: bool, joined: str | None = None, within: str | None = None
) -> list[str]:
    """The cells ``csv.writer`` writes for these strings (after the formula guard, if on).

    ``joined``: the values joined with ``SEP``, in any order, when the caller has it
    (short values: searching it costs less than taking every first character).
    ``within``: a text every value is a part of (slices of a chunk's text): a
    character that needs quotes and is not in it is in no value, and the values
    need not be joined to find out.
    """
    if guard:
        if joined is not None:
            triggered = joined.startswith(FORMULA_TRIGGERS) or any(
                map(contains, repeat(joined), _AFTER_SEP)
            )
        else:
            firsts = "".join(map(getitem, values, repeat(_FIRST_CHARACTER)))
            triggered = any(map(contains, repeat(firsts), FORMULA_TRIGGERS))
        if triggered:
            values = list(values)
            for i in compress(
                range(len(values)), map(str.startswith, values, repeat(FORMULA_TRIGGERS))
            ):
                values[i] = "'" + values[i]
    source = joined if joined is not None else within
    if source is None:
        source = SEP.join(values)
    present = [c for c in (",", '"', "\n", "\r") if c in source]
    if not present:
        return values
    need = map(contains, values, repeat(present[0]))
    for c in present[1:]:
        need = map(or_, need, map(contains, values, repeat(c)))
    # a loop over the cells that need quotes costs less than building every cell twice
    cells = list(values)
    if '"' in present:
        for i in compress(range(len(cells)), need):
            cells[i] = '"' + cells[i].replace('"', '""') + '"'
    else:
        for i in compress(range(len(cells)), need):
            cells[i] = f'"{cells[i]}"'
    return cells


def _bytewise(text: str) -> str:
    """``text``'s UTF-8 bytes as the characters U+0000..U+00FF (ASCII text: itself).

    Every piece of the fast path's rows is made so, and a chunk's rows are
    written with ``encode("latin-1")``, which gives back exactly their UTF-8.
    The join then makes one byte per character instead of four (one emoji in
    a chunk would make all of it four bytes wide) and the encoding is a copy.
    UTF-8 puts no ASCII byte inside a multi-byte character, so quoting, which
    looks only at commas, quotes and line breaks, is the same before or after.
    """
    return text if text.isascii() else text.encode("utf-8").decode("latin-1")


def _bytewise_all(cells: list[str]) -> list[str]:
    """``_bytewise`` of each cell (the list itself, changed, when some are not ASCII)."""
    if all(map(str.isascii, cells)):
        return cells
    for i in compress(range(len(cells)), map(not_, map(str.isascii, cells))):
        cells[i] = cells[i].encode("utf-8").decode("latin-1")
    return cells


class _Memo(dict):  # type: ignore[type-arg]
    """A dict that computes a missing value (so that ``map(memo.__getitem__, keys)`` stays in C)."""

    def __init__(self, make: Callable[[str], str]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, key: str) -> str:
        value = self[key] = self.make(key)
        return value


def _fast_spans_supported(ctx: ExportContext) -> bool:
    sel = ctx.dataset.selection
    return sel.doc_ids is None and sel.labels is None and positions_follow_ids(ctx.dataset.project)


def _chunk_bounds(text: str, starts: list[int], ends: list[int]) -> list[int]:
    """``sentence_bounds`` of each document of a chunk's joined text, shifted to its place there.

    ``starts`` and ``ends`` are the documents' places; they are bounds, so no
    sentence crosses from one document to the next. Between documents lies
    ``_BETWEEN``, which the patterns' look-arounds read as they read a text's
    edge (not a word character, not white space), so they find in each
    document what they find in it alone (a test holds the two equal).
    """
    if "!" in text or "?" in text or "\u2026" in text:
        bounds = [*map(_END, _SENTENCE_END.finditer(text)), *starts, *ends]
    else:
        bounds = [*map(_END, _FULL_STOP_END.finditer(text)), *starts, *ends]
    if "\n" in text:
        bounds.extend(chain.from_iterable(map(_SPAN, _LINE_BREAKS.finditer(text))))
    bounds.sort()
    return bounds


def _sentence_ends(
    bounds: list[int],
    doc_starts: list[int],
    doc_ends: list[int],
    where: list[int],
    counts: list[int],
    starts: list[int],
    ends: list[int],
) -> tuple[Iterator[int], Iterator[int]]:
    """Where each span's sentence(s) start and end: the last bound at or before its start,
    the first at or after its end (``sentence_of``), searched in its document's bounds.

    ``where``/``counts``: each record's document (an index) and span count, the
    spans one record after the other.
    """
    own = list(
        map(
            bounds.__getitem__,
            map(
                slice,
                map(bisect_left, repeat(bounds), doc_starts),
                map(bisect_right, repeat(bounds), doc_ends),
            ),
        )
    )
    #: shifted[i][bisect_right(own[i], a)] == own[i][bisect_right(own[i], a) - 1]
    shifted = [[b[-1], *b] for b in own]

    def spread(lists: list[list[int]]) -> Iterator[list[int]]:
        """Each span's document's list."""
        return chain.from_iterable(map(repeat, map(lists.__getitem__, where), counts))

    a = map(getitem, spread(shifted), map(bisect_right, spread(own), starts))
    b = map(getitem, spread(own), map(bisect_left, spread(own), ends))
    return a, b


@dataclass(slots=True)
class _CsvPart:
    """One chunk of documents' rows (UTF-8), with what the dataset card counts."""

    #: (a ``bytearray`` when it came from an export worker)
    data: bytes
    #: documents walked, documents and records written
    walked: int
    documents: int
    records: int
    labels: dict[str, Counter[str]]
    relation_counts: list[tuple[str, str, int]]


class _ChunkRows:
    """Builds a chunk's rows (``_CsvPart``): in this process, or in a forked export worker."""

    def __init__(self, ctx: ExportContext, maker: _SpanRows) -> None:
        ds = ctx.dataset
        sel = ds.selection
        self.maker = maker
        self.on = maker.on
        self.statuses = sel.statuses
        self.annotators = sel.annotators
        self.owner_ok = sel.annotators is None or ds.owner in sel.annotators
        guard = maker.guard
        line = io.StringIO()
        w = csv.writer(line)

        def render(cells: list[Any]) -> str:
            """``cells`` as ``csv.writer`` writes them, then a comma (no line end)."""
            line.seek(0)
            line.truncate()
            w.writerow([*cells, ""])
            return line.getvalue()[:-2]

        def person(raw: str) -> str:
            p = maker.attr_cells(raw)[0].get("person")
            return "" if p is None else str(p)

        #: ",label," / "attributes...,person,," (a span's own person; no mention): the cells
        #: of a stored label / attributes text, with the commas around them
        self.label_memo = _Memo(lambda label: _bytewise("," + render([guard(label)])))
        self.attr_memo = _Memo(lambda raw: _bytewise(render(maker.attr_cells(raw)[1])))
        self.attr_own_memo = _Memo(lambda raw: self.attr_memo[raw] + self.own_memo[raw] + ",")
        self.person_memo = _Memo(person)
        self.own_memo = _Memo(lambda raw: _bytewise(render([guard(self.person_memo[raw])])))
        self.who_memo = _Memo(lambda who: _bytewise(render([guard(who)])))

    def part(self, conn: sqlite3.Connection, keys: tuple[int, int]) -> _CsvPart:
        with one_state(conn):  # a GUI commit cannot fall between this chunk's reads
            return self._part(conn, keys)

    def _part(self, conn: sqlite3.Connection, keys: tuple[int, int]) -> _CsvPart:
        chunk = csv_chunk(conn, keys, statuses=self.statuses, annotators=self.annotators)
        docs = chunk.documents
        #: document key -> its records: (annotator, first span, end of its spans)
        recs_of: dict[int, list[tuple[str, int, int]]] = {}
        at = 0
        for pk, who, count in chunk.records:
            got = recs_of.get(pk)
            if got is None:
                got = recs_of[pk] = []
            got.append((who, at, at + count))
            at += count
        built = self._columns(chunk, recs_of)
        if built is None:  # a separator inside a value: the chunk goes to the plain writer
            rows_text: Callable[[int, int], str] | None = None
            python = {d.pk for d in docs}
            labels: list[str] = []
        else:
            rows_text, python, labels = built
        pieces: list[str] = []
        fallback = io.StringIO()
        sink = csv.writer(fallback)
        #: annotator -> ranges of span indices whose labels count (adjacent ones merged)
        counted: dict[str, list[list[int]]] = {}
        labels_by: dict[str, Counter[str]] = {}
        documents = records_written = 0
        run = 0  # the first span not yet written
        for doc in docs:
            recs = recs_of.get(doc.pk)
            if not recs:
                if not doc.annotated and self.owner_ok:
                    documents += 1
                    records_written += 1
                continue
            documents += 1
            records_written += len(recs)
            if doc.pk in python:
                lo, hi = recs[0][1], recs[-1][2]
                if rows_text is not None and run < lo:
                    pieces.append(rows_text(run, lo))
                run = hi
                records = _raw_records(conn, doc, self.annotators)
                for rec in records:
                    by = labels_by.get(rec.annotator)
                    if by is None:
                        by = labels_by[rec.annotator] = Counter()
                    by.update(map(_LABEL, rec.spans))
                fallback.seek(0)
                fallback.truncate()
                sink.writerows(self.maker.rows(records))
                pieces.append(_bytewise(fallback.getvalue()))
                continue
            for who, lo, hi in recs:
                if lo < hi:
                    spans = counted.get(who)
                    if spans is None:
                        counted[who] = [[lo, hi]]
                    elif spans[-1][1] == lo:
                        spans[-1][1] = hi
                    else:
                        spans.append([lo, hi])
        if rows_text is not None and run < chunk.span_count:
            pieces.append(rows_text(run, chunk.span_count))
        for who, ranges in counted.items():
            by = labels_by.get(who)
            if by is None:
                by = labels_by[who] = Counter()
            for lo, hi in ranges:
                by.update(labels[lo:hi])
        return _CsvPart(
            "".join(pieces).encode("latin-1"),
            len(docs),
            documents,
            records_written,
            labels_by,
            chunk.relation_counts,
        )

    def _columns(
        self, chunk: CsvChunk, recs_of: dict[int, list[tuple[str, int, int]]]
    ) -> tuple[Callable[[int, int], str], set[int], list[str]] | None:
        """The chunk's rows (a function of a range of span indices), the documents left to the
        plain writer, and the span labels; None: a separator inside a value, or not in order."""
        on = self.on
        docs = chunk.documents
        n = chunk.span_count
        python = {d.pk for d in docs if d.nul} | chunk.fragment_documents
        if not n:
            return (lambda lo, hi: ""), python, []
        columns = [c.split(SEP) for c in chunk.spans]
        if any(len(c) != n for c in columns):
            return None
        texts = [d.text for d in docs]
        doc_starts = list(accumulate([len(t) + len(_BETWEEN) for t in texts[:-1]], initial=0))
        doc_ends = list(map(add, doc_starts, map(len, texts)))
        text = _BETWEEN.join(texts)
        place = dict(zip(map(_PK, docs), range(len(docs)), strict=True))
        records = chunk.records
        record_docs, record_whos, counts = map(list, zip(*records, strict=True))
        if sum(counts) != n:
            return None  # (read in one state, they always agree)
        where = list(map(place.__getitem__, record_docs))
        #: each span's document's start in ``text``
        shift = chain.from_iterable(map(repeat, map(doc_starts.__getitem__, where), counts))
        local_starts = list(map(int, columns[2]))
        local_ends = list(map(int, columns[3]))
        starts = list(map(add, local_starts, shift))
        if not all(map(le, starts, islice(starts, 1, None))):
            return None  # not by document and start (SQLite always reads them so)
        shift = chain.from_iterable(map(repeat, map(doc_starts.__getitem__, where), counts))
        ends = list(map(add, local_ends, shift))
        if min(local_starts) < 0 or any(
            map(
                gt, ends, chain.from_iterable(map(repeat, map(doc_ends.__getitem__, where), counts))
            )
        ):
            python |= _outside(local_starts, local_ends, records, texts, place)
            outside = True
        else:
            outside = False
        if chunk.span_annotators is not None:  # documents with several annotators: by annotator
            annotators = chunk.span_annotators.split(SEP)
            if len(annotators) != n:
                return None
            for recs in recs_of.values():
                if len(recs) > 1:
                    lo, hi = recs[0][1], recs[-1][2]
                    order = sorted(range(lo, hi), key=annotators.__getitem__)
                    for column in (*columns, starts, ends):
                        column[lo:hi] = map(column.__getitem__, order)
        sids, labels, starts_s, ends_s, raws = columns
        bounds = _chunk_bounds(text, doc_starts, doc_ends)
        if outside:  # spans beyond their text (left to the plain writer): search the whole chunk
            shifted_all = [bounds[-1], *bounds]
            a = map(shifted_all.__getitem__, map(bisect_right, repeat(bounds), starts))
            last = repeat(len(bounds) - 1)
            b = map(bounds.__getitem__, map(min, map(bisect_left, repeat(bounds), ends), last))
        else:  # in each document's own bounds (a span's lie there): short lists, few comparisons
            a, b = _sentence_ends(bounds, doc_starts, doc_ends, where, counts, starts, ends)
        # pieces of the text start with a formula trigger only if the text holds one
        pieces_on = on and any(map(contains, repeat(text), FORMULA_TRIGGERS))
        sentence_cells = _bytewise_all(
            _csv_cells(
                list(map(str.strip, map(text.__getitem__, map(slice, a, b)))),
                pieces_on,
                within=text,
            )
        )
        text_cells = _bytewise_all(
            _csv_cells(
                list(map(text.__getitem__, map(slice, starts, ends))), pieces_on, within=text
            )
        )
        attr_cells = list(map(self.attr_own_memo.__getitem__, raws))
        if chunk.said_count:
            said = self._speakers(chunk, text, sids, counts, starts, ends, raws, pieces_on)
            if said is None:
                return None
            attr_memo = self.attr_memo
            for i, cells in said:
                attr_cells[i] = attr_memo[raws[i]] + cells
        sid_cells = _csv_cells(sids, on, chunk.spans[0])
        if not chunk.spans[0].isascii():
            sid_cells = _bytewise_all(sid_cells)
        label_cells = list(map(self.label_memo.__getitem__, labels))
        heads = _bytewise_all(
            list(
                map(
                    "{},{},".format,
                    _csv_cells([d.id for d in docs], on),
                    _csv_cells([d.title or "" for d in docs], on),
                )
            )
        )
        prefixes = list(
            chain.from_iterable(
                map(
                    repeat,
                    map(
                        add,
                        map(heads.__getitem__, where),
                        map(self.who_memo.__getitem__, record_whos),
                    ),
                    counts,
                )
            )
        )

        def rows_text(lo: int, hi: int) -> str:
            return "".join(
                chain.from_iterable(
                    zip(
                        prefixes[lo:hi], sid_cells[lo:hi], label_cells[lo:hi], starts_s[lo:hi],
                        repeat(","), ends_s[lo:hi], repeat(",,"), text_cells[lo:hi], repeat(","),
                        attr_cells[lo:hi], sentence_cells[lo:hi], repeat("\r\n"),
                    )
                )
            )  # fmt: skip

        return rows_text, python, labels

    def _speakers(
        self,
        chunk: CsvChunk,
        text: str,
        sids: list[str],
        counts: list[int],
        starts: list[int],
        ends: list[int],
        raws: list[str],
        mentions_on: bool,
    ) -> list[tuple[int, str]] | None:
        """(span index, its ``speaker_person,speaker_mention,`` cells) of the spans said by someone.

        None: a separator inside a value. A speaker with fragments or beyond its
        text is in a document left to the plain writer: its cells do not matter.
        """
        k = chunk.said_count
        columns = [c.split(SEP) for c in chunk.said]
        if any(len(c) != k for c in columns):
            return None
        heads_s, speakers_s, keys_s = columns
        if sum(chunk.said_counts) != k:
            return None
        # each relation's record (they come record after record); each record's spans lie
        # together, at ``firsts[record]``
        records = list(chain.from_iterable(map(repeat, range(len(counts)), chunk.said_counts)))
        try:
            if max(counts) <= _SEARCHED_RECORD:  # a search in a short list costs less than a dict
                firsts = list(accumulate(counts, initial=0))
                lo = list(map(firsts.__getitem__, records))
                hi = list(map(firsts.__getitem__, map(add, records, repeat(1))))
                heads = list(map(sids.index, heads_s, lo, hi))
                speakers = list(map(sids.index, speakers_s, lo, hi))
            else:
                index = dict(
                    zip(
                        zip(
                            chain.from_iterable(map(repeat, range(len(counts)), counts)),
                            sids,
                            strict=True,
                        ),
                        range(len(sids)),
                        strict=True,
                    )
                )
                heads = list(map(index.__getitem__, zip(records, heads_s, strict=True)))
                speakers = list(map(index.__getitem__, zip(records, speakers_s, strict=True)))
        except (ValueError, KeyError):  # a relation to no span: no speaker (as the plain writer)
            heads, speakers, keys_s = _existing(
                chunk, records, counts, sids, heads_s, speakers_s, keys_s
            )
        persons = list(map(self.person_memo.__getitem__, map(raws.__getitem__, speakers)))
        mentions = list(
            map(
                text.__getitem__,
                map(slice, map(starts.__getitem__, speakers), map(ends.__getitem__, speakers)),
            )
        )
        if len(set(heads)) != len(heads):
            # several speakers of one quote: joined, in the order the relations were made
            order = sorted(range(len(heads)), key=list(map(int, keys_s)).__getitem__)
            joined: dict[int, tuple[list[str], list[str]]] = {}
            for i in order:
                both = joined.get(heads[i])
                if both is None:
                    both = joined[heads[i]] = ([], [])
                both[0].append(persons[i])
                both[1].append(mentions[i])
            heads = list(joined)
            persons = [MULTI.join(v[0]) for v in joined.values()]
            mentions = [MULTI.join(v[1]) for v in joined.values()]
        # (mentions are slices of the text, or several joined by MULTI, which needs no quotes)
        mention_cells = _csv_cells(mentions, mentions_on, within=text)
        cells = _bytewise_all(
            list(map("{},{},".format, _csv_cells(persons, self.on), mention_cells))
        )
        return list(zip(heads, cells, strict=False))


#: Records with at most this many spans find a SAID_BY's spans by searching their ids.
_SEARCHED_RECORD = 200


def _existing(
    chunk: CsvChunk,
    records: list[int],
    counts: list[int],
    sids: list[str],
    heads_s: list[str],
    speakers_s: list[str],
    keys_s: list[str],
) -> tuple[list[int], list[int], list[str]]:
    """The SAID_BY relations whose spans both exist: head and speaker indices, and keys."""
    firsts = list(accumulate(counts, initial=0))
    index: dict[tuple[int, str], int] = {}
    for r in range(len(counts)):
        for i in range(firsts[r], firsts[r + 1]):
            index[(r, sids[i])] = i
    heads: list[int] = []
    speakers: list[int] = []
    keys: list[str] = []
    for r, h, c, key in zip(records, heads_s, speakers_s, keys_s, strict=True):
        head = index.get((r, h))
        speaker = index.get((r, c))
        if head is not None and speaker is not None:
            heads.append(head)
            speakers.append(speaker)
            keys.append(key)
    return heads, speakers, keys


def _outside(
    starts: list[int],
    ends: list[int],
    records: list[tuple[int, str, int]],
    texts: list[str],
    place: dict[int, int],
) -> set[int]:
    """The documents with a span outside their text."""
    bad: set[int] = set()
    at = 0
    for pk, _who, count in records:
        size = len(texts[place[pk]])
        if count and (min(starts[at : at + count]) < 0 or max(ends[at : at + count]) > size):
            bad.add(pk)
        at += count
    return bad


#: The chunk builder forked export workers use (set before they start; a fork copies it).
_CHUNK_ROWS_FOR_WORKERS: _ChunkRows | None = None


def _worker_part(conn: sqlite3.Connection, keys: tuple[int, int]) -> _CsvPart:
    assert _CHUNK_ROWS_FOR_WORKERS is not None
    return _CHUNK_ROWS_FOR_WORKERS.part(conn, keys)


def _fast_spans_body(ctx: ExportContext, maker: _SpanRows, f: Any) -> None:
    global _CHUNK_ROWS_FOR_WORKERS
    ds = ctx.dataset
    project = ds.project
    counts = ds.counts
    rows = _ChunkRows(ctx, maker)
    ranges = key_ranges(project, statuses=ds.selection.statuses, size=_CHUNK_DOCUMENTS)
    workers = worker_count(len(ranges))
    if workers == 1:
        parts: Iterator[_CsvPart] = (rows.part(project.conn, keys) for keys in ranges)
    else:
        _CHUNK_ROWS_FOR_WORKERS = rows
        parts = fork_map(project, _worker_part, ranges, workers)
    csv.writer(f).writerow(maker.header)
    labels_by: dict[str, Counter[str]] = {}
    last = time.monotonic()
    done = 0
    ds._report(0)
    try:
        for part in parts:
            done += part.walked
            counts.documents += part.documents
            counts.records += part.records
            for who, found in part.labels.items():
                by = labels_by.get(who)
                if by is None:
                    by = labels_by[who] = Counter()
                by.update(found)
            for who, label, n in part.relation_counts:
                counts.by_relation[(who, label)] += n
                counts.relations += n
            f.write_bytes(part.data)
            now = time.monotonic()
            if now - last >= PROGRESS_INTERVAL:
                last = now
                ds._report(done)
    finally:
        parts.close()  # a cancelled export stops its workers
        _CHUNK_ROWS_FOR_WORKERS = None
    for who, by in labels_by.items():
        for label, n in by.items():
            counts.by_label[(who, label)] += n
            counts.spans += n
    ds._report(ds.total)


#: Documents per chunk of the fast path (the unit of work of export workers).
_CHUNK_DOCUMENTS = 250
_LABEL = itemgetter(4)
_PK = attrgetter("pk")
_SPAN = re.Match.span


def _raw_records(project: Any, doc: CsvDocument, annotators: Any) -> list[RawRecord]:
    """A document's records as ``Dataset.documents(all_labels=True)`` gives them."""
    spans, relations = document_raw_rows(project, doc.pk, annotators)
    by: dict[str, RawRecord] = {}
    for span in spans:
        rec = by.get(span[0])
        if rec is None:
            rec = by[span[0]] = RawRecord(doc, span[0], [], [])  # type: ignore[arg-type]
        rec.spans.append(span)
    for rel in relations:
        rec = by.get(rel[0])
        if rec is None:
            rec = by[rel[0]] = RawRecord(doc, rel[0], [], [])  # type: ignore[arg-type]
        rec.relations.append(rel)
    return [by[k] for k in sorted(by)]


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
        *(f"count_{n}" for n in span_labels), "count_other", "author",
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
                    guard(doc.author or ""),
                ]
            )  # fmt: skip
            if len(f) >= _CHUNK_ROWS:
                f.drain()

    _run(ctx, body)
