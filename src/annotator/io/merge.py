"""``annotator merge``: several colleagues' files into one project, every annotator kept apart.

Each file is opened with ``open_received`` (read-only, checked). Annotators
are keyed by file and name with the review's rule ("alice", "alice (2)"), so
two files written by the same name never mix. Documents are matched by the
checksum of their text; the same id with a different text gets a new id
("story-2"). Schemes are united (``Scheme.united``), people registers too.
The new project is written in one transaction and only then moved into place.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from annotator.core.errors import AnnotatorError
from annotator.core.model import Document, Person
from annotator.core.scheme import Scheme
from annotator.io.importer import extended_scheme
from annotator.io.review import unique_key
from annotator.store import open_project, open_received
from annotator.store.project import Record


@dataclass
class MergeReport:
    documents: int = 0
    annotators: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)

    def summary(self) -> list[str]:
        lines = [
            f"merged {self.documents} document(s) by {len(self.annotators)} annotator(s): "
            + ", ".join(self.annotators)
        ]
        lines += [f"renamed document {r}" for r in self.renamed]
        lines += [f"skipped {r}" for r in self.rejected]
        return lines


def merge_files(paths: Iterable[str | Path], out: Path, *, owner: str = "merged") -> MergeReport:
    out = Path(out)
    if out.exists():
        raise AnnotatorError(f"{out}: already exists; choose a new file for the merged project")
    report = MergeReport()
    taken: set[str] = set()
    scheme: Scheme | None = None
    people: dict[str, tuple[str | None, str | None]] = {}
    docs_by_checksum: dict[str, Document] = {}
    ids: dict[str, str] = {}  # id -> checksum
    records: list[Record] = []
    for path in map(Path, paths):
        try:
            received = open_received(path)
        except AnnotatorError as e:
            report.rejected.append(str(e))
            continue
        with received:
            scheme = received.scheme if scheme is None else scheme.united(received.scheme)
            for person in received.people:
                people.setdefault(person.name, (person.role, person.organisation))
            keys = {name: unique_key(name, taken) for name in sorted(received.annotators())}
            taken.update(keys.values())
            for rec in received.records():
                doc = _place(rec.document, docs_by_checksum, ids, report)
                if rec.annotator not in keys:
                    keys[rec.annotator] = unique_key(rec.annotator, taken)
                    taken.add(keys[rec.annotator])
                if not rec.spans and not rec.relations:
                    continue
                records.append(Record(doc, keys[rec.annotator], rec.spans, rec.relations))
    if scheme is None:
        raise AnnotatorError("no file could be merged: " + "; ".join(report.rejected))
    for doc in docs_by_checksum.values():
        if not any(r.document.id == doc.id for r in records):
            records.append(Record(doc, owner, (), ()))
    grown, _ = extended_scheme(scheme, records)
    tmp = out.with_name(f".{out.name}.merging")
    tmp.unlink(missing_ok=True)
    try:
        with (
            open_project(tmp, create=True, owner=owner, scheme=grown) as project,
            project.transaction(),
        ):
            project.add_records(records)
            for name, (role, org) in sorted(people.items()):
                project.insert_person(Person(name, role, org))
            project.ensure_people(
                str(s.attrs["person"]) for r in records for s in r.spans if s.attrs.get("person")
            )
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
        tmp.with_name(tmp.name + ".lock").unlink(missing_ok=True)
    report.documents = len(docs_by_checksum)
    report.annotators = sorted({r.annotator for r in records if r.annotator != owner or r.spans})
    return report


def _place(
    doc: Document, by_checksum: dict[str, Document], ids: dict[str, str], report: MergeReport
) -> Document:
    """The merged project's copy of this text: shared by checksum, renamed on an id clash."""
    checksum = doc.checksum
    if checksum in by_checksum:
        return by_checksum[checksum]
    new_id, k = doc.id, 2
    while new_id in ids:
        new_id = f"{doc.id}-{k}"
        k += 1
    if new_id != doc.id:
        report.renamed.append(f"{doc.id} -> {new_id} (a different text had that id)")
        doc = replace(doc, id=new_id)
    ids[new_id] = checksum
    by_checksum[checksum] = doc
    return doc
