"""Importing files into a project: all of them, or nothing.

``import_paths`` reads and checks every file first (articles become one
document each, JSONL files give records), resolves document ids, works out
what the project's scheme must learn, and only then writes everything in one
transaction: the scheme extension and ``Project.add_records``. Any error, or a
cancel from the progress callback, leaves the project file untouched.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from annotator.core.errors import AnnotatorError
from annotator.core.model import Span, text_checksum
from annotator.core.scheme import Scheme
from annotator.io.articles import ARTICLE_SUFFIXES, load_article
from annotator.io.jsonl import read_jsonl_numbered
from annotator.store.project import ImportResult, Project, Record

#: Extensions ``import_paths`` understands.
IMPORT_SUFFIXES: tuple[str, ...] = (".jsonl", *ARTICLE_SUFFIXES)

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
    #: (document id, annotator, span id) -> span key, to catch contradictions early
    spans: dict[tuple[str, str, str], tuple[object, ...]] = field(default_factory=dict)
    spans_loaded: set[tuple[str, str]] = field(default_factory=set)
    #: documents this import adds, and documents it finds already there
    added: set[str] = field(default_factory=set)
    present: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)

    def known_checksum(self, doc_id: str) -> str | None:
        """Checksum of the text known under this id (project or batch), None if free."""
        if doc_id not in self.checksums and self.project.has_document(doc_id):
            self.checksums[doc_id] = text_checksum(self.project.document_text(doc_id))
            self.in_project.add(doc_id)
        return self.checksums.get(doc_id)

    def seen(self, doc_id: str) -> None:
        (self.present if doc_id in self.in_project else self.added).add(doc_id)

    def add(self, record: Record) -> None:
        doc_id = record.document.id
        self.checksums.setdefault(doc_id, record.document.checksum)
        self.seen(doc_id)
        self.records.append(record)


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
    files = expand_paths(paths)
    batch = _Batch(project, annotator)
    for done, path in enumerate(files, 1):
        _read_file(batch, path)
        if progress is not None and progress(done, len(files), str(path)) is False:
            raise AnnotatorError("import cancelled; nothing was imported")
    scheme, additions = extended_scheme(project.scheme, batch.records)
    result, people = _write(project, batch.records, scheme if additions else None)
    return ImportReport(
        files=len(files),
        documents_added=len(batch.added),
        documents_present=len(batch.present),
        spans_added=result.spans_added,
        relations_added=result.relations_added,
        scheme_additions=additions,
        people_added=people,
        notes=batch.notes,
    )


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """The files to import: files as given, folders searched (recursive, sorted, no hidden)."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = _files_in(p)
            if not found:
                raise AnnotatorError(
                    f"{p}: the folder has no files to import ({', '.join(IMPORT_SUFFIXES)})"
                )
            files.extend(found)
        elif not p.exists():
            raise AnnotatorError(f"{p}: no such file")
        elif p.suffix.lower() not in IMPORT_SUFFIXES:
            raise AnnotatorError(
                f"{p}: unsupported file type '{p.suffix}' (supported: {', '.join(IMPORT_SUFFIXES)})"
            )
        else:
            files.append(p)
    if not files:
        raise AnnotatorError("nothing to import: no files given")
    return files


def _files_in(folder: Path) -> list[Path]:
    found: list[Path] = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found.extend(
            Path(root, n)
            for n in names
            if not n.startswith(".") and Path(n).suffix.lower() in IMPORT_SUFFIXES
        )
    return sorted(found)


# ---- reading -------------------------------------------------------------------


def _read_file(batch: _Batch, path: Path) -> None:
    if path.suffix.lower() == ".jsonl":
        _read_jsonl_file(batch, path)
    else:
        _read_article_file(batch, path)


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
    for n, record in read_jsonl_numbered(path):
        where = f"{path}: line {n}: document {record.document.id!r}"
        if batch.annotator is not None:
            record = _with_annotator(record, batch.annotator)
        doc_id = record.document.id
        known = batch.known_checksum(doc_id)
        if known is not None and known != record.document.checksum:
            place = (
                "the project" if doc_id in batch.in_project else "an earlier record of this import"
            )
            raise AnnotatorError(
                f"{where}: {place} has a document with this id and a different text; "
                "nothing was imported (give the document a new id to import it as a new one)"
            )
        _check_spans_agree(batch, record, where)
        batch.add(record)
        count += 1
    if count == 0:
        batch.notes.append(f"{path}: no records")


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
    if doc_id in batch.in_project and (doc_id, who) not in batch.spans_loaded:
        batch.spans_loaded.add((doc_id, who))
        for span in batch.project.spans(doc_id, who):
            batch.spans[(doc_id, who, span.id)] = _span_key(span)
    for span in record.spans:
        key = (doc_id, who, span.id)
        prior = batch.spans.get(key)
        if prior is not None and prior != _span_key(span):
            raise AnnotatorError(
                f"{where}: span {span.id!r} of {who} differs from the one with the same id "
                "already in the project or earlier in this import; nothing was imported"
            )
        batch.spans[key] = _span_key(span)


# ---- the scheme ------------------------------------------------------------------


def extended_scheme(scheme: Scheme, records: Sequence[Record]) -> tuple[Scheme, list[str]]:
    """The scheme grown with every label, attribute, value and relation the records use."""
    span_labels: dict[str, dict[str, set[str]]] = {}
    relation_labels: set[str] = set()
    document_labels: dict[str, set[str]] = {}
    for record in records:
        for span in record.spans:
            attrs = span_labels.setdefault(span.label, {})
            for key, value in span.attrs.items():
                values = attrs.setdefault(key, set())
                if value is not None:
                    values.add(str(value))
        relation_labels.update(r.label for r in record.relations)
        for key, value in record.document.labels.items():
            values = document_labels.setdefault(key, set())
            if value is not None:
                values.add(str(value))
    grown, additions = scheme.extend(
        span_labels=span_labels, relation_labels=relation_labels, document_labels=document_labels
    )
    if additions:
        Scheme.from_dict(grown.to_dict(), where="the imported scheme")  # stays loadable
    return grown, additions


# ---- writing ---------------------------------------------------------------------


def _write(
    project: Project, records: list[Record], scheme: Scheme | None
) -> tuple[ImportResult, list[str]]:
    names = {
        str(span.attrs["person"])
        for record in records
        for span in record.spans
        if span.attrs.get("person")
    }
    try:
        with project.transaction():
            result = project.add_records(records)
            if scheme is not None:
                project.set_scheme(scheme)
            people = project.ensure_people(names)
        return result, people
    except AnnotatorError as e:
        message = str(e)
        if "nothing was imported" not in message:
            message += "; nothing was imported"
        raise AnnotatorError(message) from None
