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

import gc
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from annotator.core.errors import AnnotatorError
from annotator.core.model import Span, text_checksum
from annotator.core.scheme import Scheme
from annotator.io.articles import ARTICLE_SUFFIXES, load_article
from annotator.io.jsonl import _parse_line, read_jsonl_numbered
from annotator.io.sinks import is_dataset_card
from annotator.store.bulk_import import bulk_add_records
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
    spans: dict[tuple[str, str], dict[str, Span]] = field(default_factory=dict)
    spans_loaded: set[tuple[str, str]] = field(default_factory=set)
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
    found = _expand(paths)
    files = [path for path, _ in found]
    batch = _Batch(project, annotator)
    with _gc_paused():
        for done, (path, in_folder) in enumerate(found, 1):
            _read_file(batch, path, in_folder)
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
    for n, record in read_jsonl_numbered(path):
        _add_annotated(batch, record, f"{path}: line {n}: document {record.document.id!r}")
        count += 1
    if count == 0:
        batch.notes.append(f"{path}: no records")


def _add_annotated(batch: _Batch, record: Record, where: str) -> None:
    """Check an annotated record against the project and the batch, then keep it."""
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
    known = batch.spans.get(key)
    if known is None and doc_id in batch.in_project and key not in batch.spans_loaded:
        batch.spans_loaded.add(key)
        known = batch.spans[key] = {s.id: s for s in batch.project.spans(doc_id, who)}
    if known is None:  # the common case: nothing to compare with
        batch.spans[key] = {s.id: s for s in record.spans}
        return
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
    span_labels: dict[str, dict[str, set[str]]] = {}
    relation_labels: set[str] = set()
    document_labels: dict[str, set[str]] = {}
    # spans repeat the same label and attributes: each combination is looked at once
    # (types in the key: 1, 1.0 and True are equal but read "1", "1.0", "True")
    seen: set[tuple[object, ...]] = set()
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
        str(person)
        for record in records
        for span in record.spans
        if (person := span.attrs.get("person"))
    }
    try:
        with project.transaction():
            # every reader checked each span against its text already
            result = bulk_add_records(project, records, validated=True)
            if scheme is not None:
                project.set_scheme(scheme)
            people = project.ensure_people(names)
        return result, people
    except AnnotatorError as e:
        message = str(e)
        if "nothing was imported" not in message:
            message += "; nothing was imported"
        raise AnnotatorError(message) from None
