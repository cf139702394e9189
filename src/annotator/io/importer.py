"""Importing files into a project: all of them, or nothing.

``import_paths`` reads and checks every file first (articles become one
document each; annotated files give records), resolves document ids, works
out what the project's scheme must learn, and only then writes everything in
one transaction: the scheme extension and ``Project.add_records``. Any error,
or a cancel from the progress callback, leaves the project file untouched.

What each file is, by its name:

* ``.jsonl``: the canonical JSONL, or doccano's JSONL (told apart by the keys
  of the first record: doccano has ``entities`` or ``label`` and no ``spans``);
* ``.json``: Label Studio tasks;
* ``.ann``: a brat document (its ``.txt`` beside it; that ``.txt`` is then
  not an article);
* ``.xmi``: a UIMA CAS XMI (INCEpTION), with ``TypeSystem.xml`` beside it or
  up to two folders above;
* ``.spacy``: a spaCy DocBin (needs spaCy);
* ``.txt``, ``.md``, ``.html``, ``.docx``: an article.

In folders, hidden files, dataset cards written by exports and ``.json``
files that are not Label Studio tasks are skipped (the last with a note).
Annotated formats keep their text exactly (offsets point into it); only
articles have their line endings normalised.
"""

from __future__ import annotations

import datetime as _dt
import gc
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import cast

from annotator.core.errors import AnnotatorError
from annotator.core.model import STATUSES, AttrValue, Span, text_checksum
from annotator.core.scheme import Scheme
from annotator.io.articles import ARTICLE_SUFFIXES, load_article
from annotator.io.jsonl import (
    _GOOD_NAMES,
    META_KEYS,
    _good_name,
    _parse_line,
    _plain_values,
    read_jsonl_objects,
    record_from_dict,
)
from annotator.io.sinks import is_dataset_card
from annotator.store.bulk_import import (
    _ENCODE,
    attrs_json,
    bulk_add_records,
    insert_rows,
    next_document_keys,
)
from annotator.store.project import ImportResult, Project, Record

#: Extensions of annotated files.
ANNOTATED_SUFFIXES: tuple[str, ...] = (".jsonl", ".json", ".ann", ".xmi", ".spacy")
#: Extensions ``import_paths`` understands.
IMPORT_SUFFIXES: tuple[str, ...] = (*ANNOTATED_SUFFIXES, *ARTICLE_SUFFIXES)

#: progress(files done, files in total, name of the file just read) -> False to cancel.
Progress = Callable[[int, int, str], bool]


@dataclass
class ImportReport:
    """What an import did, for the CLI and the UI to show."""

    files: int = 0
    documents_added: int = 0
    documents_present: int = 0
    spans_added: int = 0
    relations_added: int = 0
    #: One line per addition to the scheme, as ``Scheme.extend`` words it.
    scheme_additions: list[str] = field(default_factory=list)
    #: People added to the register because the imported spans name them.
    people_added: list[str] = field(default_factory=list)
    #: Per-file remarks ("a.txt: decoded as cp1252"), in file order.
    notes: list[str] = field(default_factory=list)

    def summary(self) -> list[str]:
        """Short human-readable lines."""
        lines = [
            f"{self.files} file(s): {self.documents_added} document(s) added, "
            f"{self.documents_present} already present; "
            f"{self.spans_added} span(s) and {self.relations_added} relation(s) added"
        ]
        lines += [f"scheme: added {line}" for line in self.scheme_additions]
        if self.people_added:
            lines.append(f"people register: added {', '.join(self.people_added)}")
        lines += self.notes
        return lines


@dataclass
class _Batch:
    """Everything read so far, before anything is written."""

    project: Project
    annotator: str | None
    records: list[Record] = field(default_factory=list)
    #: document id -> checksum of its text, in the project or in this batch
    checksums: dict[str, str] = field(default_factory=dict)
    #: ids looked up and found in the project
    in_project: set[str] = field(default_factory=set)
    #: (document id, annotator) -> span id -> span, to catch contradictions early
    #: (records not yet written; for those written, the project's rows are read back)
    spans: dict[tuple[str, str], dict[str, Span] | tuple[Span, ...]] = field(default_factory=dict)
    #: (document id, annotator) of records already written
    flushed: set[tuple[str, str]] = field(default_factory=set)
    #: spans in ``records``, to write them in bounded batches
    pending_spans: int = 0
    #: what the scheme must learn, and the people named, from records written so far
    growth: SchemeGrowth = field(default_factory=lambda: SchemeGrowth())
    people: set[str] = field(default_factory=set)
    result: ImportResult = field(default_factory=ImportResult)
    #: rows of plain JSONL records, checked and ready (see ``_add_plain``), not yet written
    fast_documents: list[tuple[object, ...]] = field(default_factory=list)
    #: spans' and relations' rows, flat (``insert_rows``): spans 7 values a row (doc, sid,
    #: annotator, label, start, end, attrs JSON: no fragments on this path), relations 5
    fast_spans: list[object] = field(default_factory=list)
    fast_relations: list[object] = field(default_factory=list)
    fast_keys: list[tuple[str, str]] = field(default_factory=list)
    #: (row id, position) the next plain record's document gets; None: read them again
    next_keys: tuple[int, int] | None = None
    attrs_memo: dict[tuple[object, ...], tuple[str, tuple[type, ...]]] = field(default_factory=dict)
    #: (label, attribute items) of plain spans -> attributes JSON; only attributes whose
    #: values are all strings or null (so equal items are identical items), each one
    #: checked, and learnt by the scheme and the people register, when it was stored
    span_memo: dict[tuple[str, tuple[tuple[str, object], ...]], str] = field(default_factory=dict)
    #: document label items (values strings or null) -> their JSON
    labels_memo: dict[tuple[tuple[str, object], ...], str] = field(default_factory=dict)
    #: documents this import adds, and documents it finds already there
    added: set[str] = field(default_factory=set)
    present: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    existing: set[str] | None = None

    def known_checksum(self, doc_id: str) -> str | None:
        """Checksum of the text known under this id (project or batch), None if free."""
        if self.existing is None:  # every id in the project, read once
            self.existing = set(self.project.document_ids())
        if doc_id not in self.checksums and doc_id in self.existing:
            self.checksums[doc_id] = text_checksum(self.project.document_text(doc_id))
            self.in_project.add(doc_id)
        return self.checksums.get(doc_id)

    def seen(self, doc_id: str) -> None:
        (self.present if doc_id in self.in_project else self.added).add(doc_id)

    def add(self, record: Record) -> None:
        if self.fast_documents:
            self.flush_fast()  # rows are written in the order they were read
        doc_id = record.document.id
        self.checksums.setdefault(doc_id, record.document.checksum)
        self.seen(doc_id)
        self.records.append(record)
        self.pending_spans += len(record.spans)
        if self.pending_spans >= _FLUSH_SPANS or len(self.records) >= _FLUSH_RECORDS:
            self.flush()

    def flush_fast(self) -> None:
        """Write the plain records' rows (inside the import's transaction)."""
        if not self.fast_documents:
            return
        with _nothing_imported_on_error():
            self.result.relations_added += insert_rows(
                self.project,
                self.fast_documents,
                self.fast_spans,
                self.fast_relations,
                fragments=False,
            )
        self.result.spans_added += len(self.fast_spans) // 7
        self.flushed.update(self.fast_keys)
        self.fast_documents = []
        self.fast_spans = []
        self.fast_relations = []
        self.fast_keys = []

    def flush(self) -> None:
        """Write the records read so far (inside the import's transaction) and let them go."""
        self.flush_fast()
        records = self.records
        if not records:
            return
        self.next_keys = None  # documents were added: read the next keys again
        self.growth.add(records)
        self.people.update(
            str(person) for record in records for span in record.spans if (person := span.attrs.get("person"))
        )
        with _nothing_imported_on_error():
            part = _write_records(self.project, records)
        self.result.spans_added += part.spans_added
        self.result.relations_added += part.relations_added
        self.flushed.update(self.spans)
        self.spans.clear()
        self.records = []
        self.pending_spans = 0


#: An import holds at most about this many spans (or records) read and not yet written.
_FLUSH_SPANS = 50_000
_FLUSH_RECORDS = 5_000
#: Plain records' rows are written sooner: few held objects keep the memory the parser
#: allocates from warm (a batch of this size costs little per row to write).
_FLUSH_PLAIN_VALUES = 7 * 2_000


# ---- public entry point ------------------------------------------------------


def import_paths(
    project: Project,
    paths: Iterable[str | Path],
    *,
    annotator: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import article and JSONL files (and folders of them) in one transaction.

    ``annotator``, when given, becomes the annotator of every record. Raises
    ``AnnotatorError`` (and imports nothing) on the first problem.
    """
    if annotator is not None and not annotator.strip():
        raise AnnotatorError("the annotator name cannot be empty")
    found = _expand(paths)
    files = [path for path, _ in found]
    batch = _Batch(project, annotator)
    batch.existing = set(project.document_ids())  # before this import writes any
    # Records are written in batches as they are read (bounded memory), all inside one
    # transaction: any error or a cancel rolls every one of them back.
    committing = False
    try:
        with _gc_paused(), _statement_journal_in_memory(project), project.transaction():
            for done, (path, in_folder) in enumerate(found, 1):
                _read_file(batch, path, in_folder)
                if progress is not None and progress(done, len(files), str(path)) is False:
                    raise AnnotatorError("import cancelled; nothing was imported")
            batch.flush()
            scheme, additions = batch.growth.extend(project.scheme)
            with _nothing_imported_on_error():
                if additions:
                    project.set_scheme(scheme)
                people = project.ensure_people(batch.people)
            committing = True
    except AnnotatorError as e:
        if not committing or "nothing was imported" in str(e):
            raise
        raise AnnotatorError(f"{e}; nothing was imported") from None
    return ImportReport(
        files=len(files),
        documents_added=len(batch.added),
        documents_present=len(batch.present),
        spans_added=batch.result.spans_added,
        relations_added=batch.result.relations_added,
        scheme_additions=additions,
        people_added=people,
        notes=batch.notes,
    )


@contextmanager
def _nothing_imported_on_error() -> Iterator[None]:
    """Errors met while writing say that nothing was imported (the transaction rolled back)."""
    try:
        yield
    except AnnotatorError as e:
        message = str(e)
        if "nothing was imported" in message:
            raise
        raise AnnotatorError(message + "; nothing was imported") from None


@contextmanager
def _statement_journal_in_memory(project: Project) -> Iterator[None]:
    """``PRAGMA temp_store = MEMORY`` for the import's transaction (set before it begins).

    Inserting many rows per statement inside a transaction makes SQLite keep a statement
    journal (to undo just that statement), a temporary file once past 64 KiB: hundreds of
    thousands of small writes over an import. In memory it stays small (one statement's
    pages) and is dropped after each statement. Only temporary storage is concerned: the
    project file and its rollback journal are written exactly as before.
    """
    conn = project.conn
    before: int | None = None
    if not conn.in_transaction:  # (inside one it could not change, nor would it matter)
        try:
            before = int(conn.execute("PRAGMA temp_store").fetchone()[0])
            conn.execute("PRAGMA temp_store = MEMORY")
        except sqlite3.Error:
            before = None  # only slower without it
    try:
        yield
    finally:
        if before is not None:
            with suppress(sqlite3.Error):
                conn.execute(f"PRAGMA temp_store = {before}")


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while an import builds millions of (acyclic) objects.

    Each full collection walks every live object; with a million spans held it
    costs more than the import itself. Collection resumes afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """The files to import: files as given, folders searched (recursive, sorted, no hidden)."""
    return [path for path, _ in _expand(paths)]


def _expand(paths: Iterable[str | Path]) -> list[tuple[Path, bool]]:
    """(file, found in a folder walk) for every file to import."""
    files: list[tuple[Path, bool]] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = _files_in(p)
            if not found:
                raise AnnotatorError(
                    f"{p}: the folder has no files to import ({', '.join(IMPORT_SUFFIXES)})"
                )
            files.extend((f, True) for f in found)
        elif not p.exists():
            raise AnnotatorError(f"{p}: no such file")
        elif p.suffix.lower() not in IMPORT_SUFFIXES:
            raise AnnotatorError(
                f"{p}: unsupported file type '{p.suffix}' (supported: {', '.join(IMPORT_SUFFIXES)})"
            )
        else:
            files.append((p, False))
    if not files:
        raise AnnotatorError("nothing to import: no files given")
    # a brat document's text is not an article of its own
    anns = {f.with_suffix("") for f, _ in files if f.suffix.lower() == ".ann"}
    files = [
        (f, w) for f, w in files if not (f.suffix.lower() == ".txt" and f.with_suffix("") in anns)
    ]
    return list(dict.fromkeys(files))


def _files_in(folder: Path) -> list[Path]:
    found: list[Path] = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        present = set(names)
        for n in names:
            suffix = Path(n).suffix.lower()
            if n.startswith(".") or suffix not in IMPORT_SUFFIXES:
                continue
            if suffix == ".txt" and Path(n).stem + ".ann" in present:
                continue  # brat text: read with its .ann
            path = Path(root, n)
            if suffix in (".md", ".markdown") and is_dataset_card(path):
                continue
            found.append(path)
    return sorted(found)


# ---- reading -------------------------------------------------------------------


def _read_file(batch: _Batch, path: Path, in_folder: bool = False) -> None:
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        if _is_doccano(path):
            from annotator.io.doccano import read_doccano

            _add_all(batch, path, read_doccano(path, batch.notes))
        else:
            _read_jsonl_file(batch, path)
    elif suffix == ".json":
        _read_json_file(batch, path, in_folder)
    elif suffix == ".ann":
        from annotator.io.brat import read_brat

        _add_all(batch, path, [(str(path), read_brat(path, notes=batch.notes))])
    elif suffix == ".xmi":
        from annotator.io.inception import read_xmi

        _add_all(batch, path, [(str(path), read_xmi(path, notes=batch.notes))])
    elif suffix == ".spacy":
        from annotator.io.spacy_format import read_spacy

        _add_all(batch, path, read_spacy(path, batch.notes))
    else:
        if in_folder and suffix in (".md", ".markdown") and is_dataset_card(path):
            return
        _read_article_file(batch, path)


def _is_doccano(path: Path) -> bool:
    """Whether a .jsonl file is doccano's (by the keys of its first record)."""
    from annotator.io.doccano import looks_like_doccano

    try:
        with open(path, "rb") as f:
            for n, raw in enumerate(f, 1):
                obj = _parse_line(raw, n, str(path))
                if obj is not None:
                    return looks_like_doccano(obj)
    except OSError:
        return False  # the JSONL reader says what is wrong
    return False


def _read_json_file(batch: _Batch, path: Path, in_folder: bool) -> None:
    import json

    from annotator.io.labelstudio import looks_like_label_studio, read_label_studio

    if in_folder:
        try:
            data = json.loads(path.read_bytes().decode("utf-8-sig"))
        except (OSError, ValueError):
            data = None
        if data is None or not looks_like_label_studio(data):
            batch.notes.append(f"{path}: skipped (not Label Studio tasks)")
            return
    _add_all(batch, path, read_label_studio(path, batch.notes))


def _add_all(batch: _Batch, path: Path, items: Iterable[tuple[str, Record]]) -> None:
    count = 0
    for where, record in items:
        _add_annotated(batch, record, f"{where}: document {record.document.id!r}")
        count += 1
    if count == 0:
        batch.notes.append(f"{path}: no records")


def _read_article_file(batch: _Batch, path: Path) -> None:
    loaded = load_article(path)
    doc = loaded.document
    checksum = doc.checksum
    base, n = doc.id, 1
    doc_id = base
    while (known := batch.known_checksum(doc_id)) is not None and known != checksum:
        n += 1
        doc_id = f"{base}-{n}"
    name = str(path)
    if known == checksum:
        where = "in the project" if doc_id in batch.in_project else "earlier in this import"
        batch.notes.append(f"{name}: already present {where} as {doc_id!r}")
        batch.seen(doc_id)
        return
    if doc_id != base:
        batch.notes.append(f"{name}: imported as {doc_id!r} ({base!r} has a different text)")
    if loaded.encoding not in ("utf-8", "ascii"):
        batch.notes.append(f"{name}: decoded as {loaded.encoding} (not UTF-8)")
    batch.add(Record(replace(doc, id=doc_id), batch.annotator or "", (), ()))


def _read_jsonl_file(batch: _Batch, path: Path) -> None:
    count = 0
    name = str(path)
    for n, obj, escaped in read_jsonl_objects(path):
        count += 1
        if not escaped and _add_plain(batch, obj):
            continue
        record = record_from_dict(obj, where=f"{name}: line {n}", escaped_surrogates=escaped)
        _add_annotated(batch, record, f"{path}: line {n}: document {record.document.id!r}")
    if count == 0:
        batch.notes.append(f"{path}: no records")


def _add_plain(batch: _Batch, d: object) -> bool:
    """Take a plain record straight to rows: a new document id (not in the project, not
    earlier in this import), no fragments, every value of the usual type. False (and
    nothing written): not plain, ``record_from_dict`` and ``_add_annotated`` take it, accepting
    and refusing exactly what they always do. The checks are theirs, on the parsed JSON
    (the line escapes no surrogate: the caller made sure).
    """
    if type(d) is not dict:
        return False
    doc_id, text = d.get("id"), d.get("text")
    if type(doc_id) is not str or not doc_id.strip() or type(text) is not str or not text:
        return False
    if doc_id in batch.checksums or (batch.existing is not None and doc_id in batch.existing):
        return False
    annotator = d.get("annotator")
    if annotator is not None and type(annotator) is not str:
        return False
    status = d.get("status", "todo")
    if type(status) is not str or status not in STATUSES:
        return False
    meta = d.get("meta")
    if meta is None:
        meta_values: list[object] = [None] * len(META_KEYS)
    elif type(meta) is dict:
        meta_values = [meta.get(k) for k in META_KEYS]
        if any(v is not None and type(v) is not str for v in meta_values):
            return False
    else:
        return False
    labels = _plain_values(d.get("labels"), False)
    if labels is None:
        return False
    spans, relations = d.get("spans"), d.get("relations")
    if spans is None:
        spans = []
    if relations is None:
        relations = []
    if type(spans) is not list or type(relations) is not list:
        return False
    who = batch.annotator if batch.annotator is not None else (annotator or "")
    stored = who or batch.project.owner
    if batch.next_keys is None:
        batch.next_keys = next_document_keys(batch.project)
    pk, position = batch.next_keys
    span_rows: list[object] = []
    ids = _plain_span_rows(batch, spans, text, pk, stored, span_rows)
    if ids is None:
        return False
    relation_rows: list[object] = []
    if relations and not _plain_relation_rows(relations, ids, pk, stored, relation_rows):
        return False
    # plain: keep it
    if batch.records:
        batch.flush()  # rows are written in the order they were read
        if batch.next_keys is None:
            return _add_plain(batch, d)
    checksum = text_checksum(text)
    batch.checksums[doc_id] = checksum
    batch.added.add(doc_id)
    batch.next_keys = (pk + 1, position + 1)
    batch.fast_documents.append(
        (pk, doc_id, position, text, checksum, *meta_values, status, _labels_json(batch, labels), _Clock.now())
    )
    batch.fast_spans += span_rows
    if relation_rows:
        batch.fast_relations += relation_rows
        batch.growth.relation_labels.update(map(str, relation_rows[2::5]))
    batch.fast_keys.append((doc_id, stored))
    if labels:
        growth = batch.growth
        for key, value in labels.items():
            values = growth.document_labels.setdefault(key, set())
            if value is not None:
                values.add(str(value))
    if len(batch.fast_spans) >= _FLUSH_PLAIN_VALUES or len(batch.fast_documents) >= _FLUSH_RECORDS:
        batch.flush_fast()
    return True


def _plain_span_rows(
    batch: _Batch, spans: list[object], text: str, pk: int, stored: str, rows: list[object]
) -> set[str] | None:
    """Put the rows of a plain record's spans in ``rows`` (flat) and return their ids;
    None if one is not plain: a dict without fragments, a non-empty id used once in the
    record, whole-number offsets with 0 <= start < end <= len(text), a valid label, its
    text (when given) the document's text there, plain attributes (``_plain_values``).
    """
    length = len(text)
    good = _GOOD_NAMES
    memo = batch.span_memo
    first = len(rows)
    for s in spans:
        if type(s) is not dict:
            return None
        sid, start, end, label = s.get("id"), s.get("start"), s.get("end"), s.get("label")
        if not (
            type(sid) is str
            and sid
            and type(start) is int
            and type(end) is int
            and 0 <= start < end <= length
            and type(label) is str
            and (label in good or _good_name(label))
            and s.get("fragments") is None
        ):
            return None
        found = s.get("text")
        if found is not None and not (  # found == text[start:end], without the copy
            type(found) is str and len(found) == end - start and text.startswith(found, start)
        ):
            return None
        attrs = s.get("attrs")
        if attrs is None:
            attrs = {}  # as _plain_values reads it: no attributes
        elif type(attrs) is not dict:
            return None
        try:
            attrs_text = memo.get((label, tuple(attrs.items())))
        except TypeError:  # a list or an object as a value: not plain
            return None
        if attrs_text is None:
            attrs_text = _learn_span(batch, label, attrs)
            if attrs_text is None:
                return None
        rows += (pk, sid, stored, label, start, end, attrs_text)
    ids = cast("set[str]", set(rows[first + 1 :: 7]))  # the ids: checked to be strings
    if len(ids) != len(spans):  # an id used twice
        return None
    return ids


def _learn_span(batch: _Batch, label: str, attrs: dict[str, object]) -> str | None:
    """A plain span's attributes JSON (None: not plain), its label and attributes learnt
    by the scheme and the people register, remembered in ``span_memo`` when it can be.

    Learnt before the record is known to be plain: a record the fast path then refuses is
    read by ``record_from_dict``, which learns the same, or fails the whole import.
    """
    values = _plain_values(attrs, False)
    if values is None:
        return None
    attrs_text = attrs_json(values, batch.attrs_memo)
    batch.growth.add_span(label, values)
    person = values.get("person")
    if person:
        batch.people.add(str(person))
    memo = batch.span_memo
    if len(memo) < _SPAN_MEMO_MAX and _STR_OR_NONE.issuperset(map(type, attrs.values())):
        # only strings and nulls: attributes with equal items have these very values
        # (1, 1.0 and True are equal but written differently; none is among them)
        memo[(label, tuple(attrs.items()))] = attrs_text
    return attrs_text


_SPAN_MEMO_MAX = 10_000
_STR_OR_NONE = frozenset({str, type(None)})


def _plain_relation_rows(
    relations: list[object], ids: set[str], pk: int, stored: str, rows: list[object]
) -> bool:
    """Put the rows of a plain record's relations in ``rows`` (flat); False if one is not
    plain: a dict with a valid label linking two different spans of the record."""
    good = _GOOD_NAMES
    for r in relations:
        if type(r) is not dict:
            return False
        label, head, child = r.get("label"), r.get("head"), r.get("child")
        if not (
            type(label) is str
            and (label in good or _good_name(label))
            and type(head) is str
            and type(child) is str
            and head != child
            and head in ids
            and child in ids
        ):
            return False
        rows += (pk, stored, label, head, child)
    return True


def _labels_json(batch: _Batch, labels: Mapping[str, AttrValue]) -> str:
    """``_dumps(dict(labels))``, remembered for labels whose values are strings or null."""
    if not labels:
        return "{}"
    key = tuple(labels.items())
    memo = batch.labels_memo
    found = memo.get(key)
    if found is not None:
        return found
    text = _ENCODE(dict(labels))
    if len(memo) < _SPAN_MEMO_MAX and _STR_OR_NONE.issuperset(map(type, labels.values())):
        memo[key] = text
    return text


class _Clock:
    """``_now()`` (UTC, to the second), made once per second: the same text, for less."""

    second = -1
    stamp = ""

    @classmethod
    def now(cls) -> str:
        second = int(time.time())
        if second != cls.second:
            when = _dt.datetime.fromtimestamp(second, _dt.UTC)
            cls.second, cls.stamp = second, when.isoformat(timespec="seconds")
        return cls.stamp


def _add_annotated(batch: _Batch, record: Record, where: str) -> None:
    """Check an annotated record against the project and the batch, then keep it."""
    batch.flush_fast()  # the checks below read back what earlier plain records wrote
    if batch.annotator is not None:
        record = _with_annotator(record, batch.annotator)
    doc_id = record.document.id
    known = batch.known_checksum(doc_id)
    if known is not None and known != record.document.checksum:
        place = "the project" if doc_id in batch.in_project else "an earlier record of this import"
        raise AnnotatorError(
            f"{where}: {place} has a document with this id and a different text; "
            "nothing was imported (give the document a new id to import it as a new one)"
        )
    _check_spans_agree(batch, record, where)
    batch.add(record)


def _with_annotator(record: Record, who: str) -> Record:
    return Record(
        document=record.document,
        annotator=who,
        spans=tuple(s.with_(annotator=who) for s in record.spans),
        relations=tuple(replace(r, annotator=who) for r in record.relations),
    )


def _span_key(span: Span) -> tuple[object, ...]:
    return (span.label, span.start, span.end, span.fragments, dict(span.attrs))


def _check_spans_agree(batch: _Batch, record: Record, where: str) -> None:
    """A span id given twice (here, or already in the project) must mean the same span."""
    doc_id = record.document.id
    who = record.annotator or batch.project.owner
    key = (doc_id, who)
    held = batch.spans.get(key)
    if held is None and (doc_id in batch.in_project or key in batch.flushed):
        # the project's spans (with this import's records written so far)
        held = {s.id: s for s in batch.project.spans(doc_id, who)}
    if held is None:  # the common case: nothing to compare with (the spans are kept as
        batch.spans[key] = record.spans  # they are, made a dict only if the key comes again)
        return
    known = held if isinstance(held, dict) else {s.id: s for s in held}
    batch.spans[key] = known
    for span in record.spans:
        prior = known.get(span.id)
        if prior is not None and _span_key(prior) != _span_key(span):
            raise AnnotatorError(
                f"{where}: span {span.id!r} of {who} differs from the one with the same id "
                "already in the project or earlier in this import; nothing was imported"
            )
        known[span.id] = span


# ---- the scheme ------------------------------------------------------------------


def extended_scheme(scheme: Scheme, records: Sequence[Record]) -> tuple[Scheme, list[str]]:
    """The scheme grown with every label, attribute, value and relation the records use."""
    growth = SchemeGrowth()
    growth.add(records)
    return growth.extend(scheme)


class SchemeGrowth:
    """Labels, attributes, values and relations records use, gathered batch by batch."""

    def __init__(self) -> None:
        self.span_labels: dict[str, dict[str, set[str]]] = {}
        self.relation_labels: set[str] = set()
        self.document_labels: dict[str, set[str]] = {}
        # spans repeat the same label and attributes: each combination is looked at once
        # (types in the key: 1, 1.0 and True are equal but read "1", "1.0", "True")
        self.seen: set[tuple[object, ...]] = set()

    def add_span(self, label: str, attrs: Mapping[str, object]) -> None:
        """One span's label and attributes (plain values)."""
        names = self.span_labels.setdefault(label, {})
        for name, value in attrs.items():
            values = names.setdefault(name, set())
            if value is not None:
                values.add(str(value))

    def add(self, records: Iterable[Record]) -> None:
        span_labels = self.span_labels
        relation_labels = self.relation_labels
        document_labels = self.document_labels
        seen = self.seen
        for record in records:
            for span in record.spans:
                items = span.attrs.items()
                combination = (span.label, tuple(items), tuple(map(type, span.attrs.values())))
                if combination in seen:
                    continue
                if len(seen) < 100_000:
                    seen.add(combination)
                attrs = span_labels.setdefault(span.label, {})
                for name, value in items:
                    values = attrs.setdefault(name, set())
                    if value is not None:
                        values.add(str(value))
            relation_labels.update(r.label for r in record.relations)
            for key, value in record.document.labels.items():
                values = document_labels.setdefault(key, set())
                if value is not None:
                    values.add(str(value))

    def extend(self, scheme: Scheme) -> tuple[Scheme, list[str]]:
        grown, additions = scheme.extend(
            span_labels=self.span_labels,
            relation_labels=self.relation_labels,
            document_labels=self.document_labels,
        )
        if additions:
            Scheme.from_dict(grown.to_dict(), where="the imported scheme")  # stays loadable
        return grown, additions


# ---- writing ---------------------------------------------------------------------


def _write_records(project: Project, records: list[Record]) -> ImportResult:
    # every reader checked each span against its text already
    return bulk_add_records(project, records, validated=True)
