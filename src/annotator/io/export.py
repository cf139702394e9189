"""Exporting a project's documents and annotations to files.

``export_project`` looks the format up in ``FORMATS`` (format name ->
writer), so new formats are one function and one entry. Every writer replaces
its output atomically: an interrupted export leaves the old file or the new.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from annotator.core.errors import AnnotatorError
from annotator.io.jsonl import write_jsonl
from annotator.store.project import Project, Record

#: A writer takes the records to export and the output path; it returns how many it wrote.
Writer = Callable[[Iterable[Record], Path], int]

FORMATS: dict[str, Writer] = {
    "jsonl": write_jsonl,
}


def export_formats() -> list[str]:
    return sorted(FORMATS)


def export_project(
    project: Project, fmt: str, out: str | Path, *, doc_ids: Iterable[str] | None = None
) -> int:
    """Write the project (or the given documents, in that order) to ``out`` in format ``fmt``.

    Returns the number of records written (one per document and annotator;
    an unannotated document gives one record for the owner).
    """
    writer = FORMATS.get(fmt)
    if writer is None:
        raise AnnotatorError(
            f"unknown export format {fmt!r} (supported: {', '.join(export_formats())})"
        )
    out = Path(out)
    if out.exists() and out.resolve() == Path(project.path).resolve():
        raise AnnotatorError(f"{out}: is the project file itself; choose another output file")
    ids = _checked_ids(project, doc_ids)
    return writer(_records(project, ids), out)


def _checked_ids(project: Project, doc_ids: Iterable[str] | None) -> list[str] | None:
    if doc_ids is None:
        return None
    ids = list(dict.fromkeys(doc_ids))
    missing = [d for d in ids if not project.has_document(d)]
    if missing:
        shown = ", ".join(repr(d) for d in missing[:5]) + (" …" if len(missing) > 5 else "")
        raise AnnotatorError(f"{project.path}: no such document(s): {shown}")
    return ids


def _records(project: Project, ids: list[str] | None) -> Iterator[Record]:
    yield from project.records(ids)
