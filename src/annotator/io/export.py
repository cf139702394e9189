"""Exporting a project's documents and annotations as a dataset.

``export_project`` looks the format up in ``FORMATS`` (name -> ``ExportFormat``:
its writer, whether it writes a file or a folder, its offset unit and what it
carries), reads the selected documents once through ``Dataset`` (streamed,
filtered, with progress and cancel), lets the writer write, then writes the
dataset card beside the data (``OUT.card.md``, or ``README.md`` inside a
folder or zip). Every file is replaced atomically and a folder as a whole: an
interrupted or cancelled export leaves the old output or the complete new one.
See docs/formats.md.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from annotator.core.errors import AnnotatorError
from annotator.io.atomic import WriteBehind
from annotator.io.card import render_card
from annotator.io.context import ALIGNMENT_MODES, CsvOptions, ExportContext
from annotator.io.dataset import Dataset, ExportCancelled, ExportProgress, Selection
from annotator.io.jsonl import dumps_raw_record, raw_document_parts
from annotator.io.sinks import CARD_NAME, TreeOutput, WrittenFile, describe_file, file_output
from annotator.store.project import Project

__all__ = [
    "FORMATS",
    "CsvOptions",
    "ExportCancelled",
    "ExportFormat",
    "ExportProgress",
    "ExportReport",
    "export_formats",
    "export_project",
]


@dataclass(frozen=True)
class ExportFormat:
    name: str
    #: One line for menus and --help.
    description: str
    writer: Callable[[ExportContext], None]
    #: True: OUT is a folder (or a .zip archive); False: OUT is one file.
    folder: bool
    #: The file name ending a save dialog proposes.
    suffix: str
    #: What the offsets count (for the dataset card).
    offsets: str
    #: What the format carries and what it loses (for the dataset card).
    carries: str
    #: The pip extra it needs, if any.
    extra: str = ""


@dataclass
class ExportReport:
    """What an export wrote, for the CLI and the GUI to show."""

    format: str
    out: Path
    documents: int = 0
    #: (document, annotator) pairs written
    records: int = 0
    spans: int = 0
    relations: int = 0
    #: Data files written (relative names inside a folder output), card excluded.
    files: list[str] = field(default_factory=list)
    card: Path | None = None
    #: Problems worth knowing (spans expanded to tokens, characters a format cannot hold...).
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> list[str]:
        lines = [
            f"wrote {self.records} record(s): {self.documents} document(s), {self.spans} span(s), "
            f"{self.relations} relation(s) as {self.format} to {self.out}"
        ]
        if self.card is not None:
            lines.append(f"dataset card: {self.card}")
        lines += [f"warning: {w}" for w in self.warnings]
        return lines

    # Older callers wrote ``n = export_project(...)`` and showed ``n`` records.
    def __int__(self) -> int:
        return self.records

    def __str__(self) -> str:
        return str(self.records)


def _jsonl(ctx: ExportContext) -> None:
    if ctx.dataset.jsonl_lines_supported():
        _jsonl_fast(ctx)
        return
    with file_output(ctx.out) as f:
        chunk: list[str] = []
        size = 0
        for records in ctx.dataset.documents():
            parts = raw_document_parts(records[0].document)
            for r in records:
                line = dumps_raw_record(parts, r.document, r.annotator, r.spans, r.relations)
                chunk.append(line)
                size += len(line)
            if size > _CHUNK:  # few, large writes
                f.write("".join(chunk))
                chunk.clear()
                size = 0
        f.write("".join(chunk))
    ctx.files.append(describe_file(ctx.out))


#: U+2028, U+2029 and U+0085 in UTF-8, and how a line escapes them (as ``dumps_record``).
_RAW_LINE_BREAKS = ((b"\xe2\x80\xa8", b"\\u2028"), (b"\xe2\x80\xa9", b"\\u2029"), (b"\xc2\x85", b"\\u0085"))


def _jsonl_fast(ctx: ExportContext) -> None:
    """The lines as SQLite builds them (``Dataset.jsonl_chunks``), hashed as they are written."""
    digest = hashlib.sha256()
    size = 0
    with file_output(ctx.out, binary=True) as f:
        behind = WriteBehind(f)
        for pieces in ctx.dataset.jsonl_chunks():
            data = b"".join(pieces)
            # their last bytes first (memchr: fast), the whole characters only if one is there
            if b"\xa8" in data or b"\xa9" in data or b"\x85" in data:
                for raw, escaped in _RAW_LINE_BREAKS:
                    if raw in data:
                        data = data.replace(raw, escaped)
            digest.update(data)
            f.write(data)
            size += len(data)
            behind.wrote(size)
    ctx.files.append(WrittenFile(ctx.out.name, size, digest.hexdigest()))


_CHUNK = 1 << 20


def _lazy(module: str, name: str) -> Callable[[ExportContext], None]:
    """A writer imported on first use (keeps heavy libraries out of start-up)."""

    def run(ctx: ExportContext) -> None:
        import importlib

        getattr(importlib.import_module(module), name)(ctx)

    return run


_CP = "Unicode code points (Python string indices), end exclusive"

FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat(
            "jsonl",
            "canonical JSON Lines: one document × annotator per line, everything",
            _jsonl,
            False,
            ".jsonl",
            _CP,
            "everything: text, metadata, status, document labels, spans (discontinuous too), "
            "attributes with their types, relations, annotators",
        ),
        ExportFormat(
            "csv",
            "CSV, one row per span: attributes as columns, speaker and sentence for context",
            _lazy("annotator.io.csv_export", "write_spans_csv"),
            False,
            ".csv",
            _CP,
            "spans with attributes, SAID_BY speakers (person, mention) and context; "
            "relations only as the speaker columns; not importable",
        ),
        ExportFormat(
            "quotes-csv",
            "CSV, one row per attributed quote or claim: who said what, where, when",
            _lazy("annotator.io.csv_export", "write_quotes_csv"),
            False,
            ".csv",
            _CP,
            "attributed quotes and claims with person (role, organisation from the people "
            "register), mention, cue, kind, stance, target; not importable",
        ),
        ExportFormat(
            "documents-csv",
            "CSV, one row per document: metadata, document labels, span counts",
            _lazy("annotator.io.csv_export", "write_documents_csv"),
            False,
            ".csv",
            "none (no spans)",
            "document metadata, status, checksum, document labels, span counts per label; "
            "not importable",
        ),
        ExportFormat(
            "brat",
            "brat standoff folder: .txt + .ann per document, annotation.conf, visual.conf",
            _lazy("annotator.io.brat", "write_brat"),
            True,
            "",
            "Unicode code points of the UTF-8 .txt files (what brat's server counts)",
            "text, spans (discontinuous as fragments), attributes (as text), relations, "
            "Attribution events, span ids (as notes), annotators (one folder each); loses "
            "document metadata, status and labels, and line breaks at a span's edges",
        ),
        ExportFormat(
            "label-studio",
            "Label Studio tasks (JSON) with a matching labeling config (XML) beside it",
            _lazy("annotator.io.labelstudio", "write_label_studio"),
            False,
            ".json",
            "Unicode code points (what Label Studio's Text tag counts since 2022)",
            "text, metadata, spans (a discontinuous span as one region per fragment), "
            "attributes and document labels (as text), relations, annotators (in task meta)",
        ),
        ExportFormat(
            "doccano",
            "doccano JSONL for sequence labeling with relations",
            _lazy("annotator.io.doccano", "write_doccano"),
            False,
            ".jsonl",
            "UTF-16 code units (what doccano's browser annotator counts)",
            "text, spans, relations; attributes, fragments, span ids, document labels and "
            "metadata only as extra keys doccano keeps as metadata",
        ),
        ExportFormat(
            "inception",
            "UIMA CAS XMI for INCEpTION: one .xmi per document and annotator, TypeSystem.xml",
            _lazy("annotator.io.inception", "write_inception"),
            True,
            "",
            "UTF-16 code units in the XMI (dkpro-cassis converts from code points)",
            "text, title, spans (one layer per label; fragments share a spanId), attributes "
            "(string features), relations (Governor/Dependent), document labels, annotators; "
            "documents with characters XML 1.0 cannot hold are skipped with a warning",
        ),
        ExportFormat(
            "spacy",
            "spaCy DocBin (.spacy): spans in doc.spans['sc'], labels in doc.cats",
            _lazy("annotator.io.spacy_format", "write_spacy"),
            False,
            ".spacy",
            "tokens (spaCy's blank English tokenizer); spans aligned to tokens, with warnings",
            "text, spans (aligned to tokens; fragments as separate spans), document labels "
            "(one-hot cats), and everything else exactly in doc.user_data",
            extra="spacy",
        ),
    )
}


def export_formats() -> list[str]:
    return sorted(FORMATS)


def card_path(fmt: ExportFormat, out: Path) -> Path:
    """Where the dataset card of an export to ``out`` goes."""
    if fmt.folder:
        return out / CARD_NAME
    return out.with_name(out.name + ".card.md")


def export_project(
    project: Project,
    fmt: str,
    out: str | Path,
    *,
    doc_ids: Iterable[str] | None = None,
    statuses: Iterable[str] | None = None,
    annotators: Iterable[str] | None = None,
    labels: Iterable[str] | None = None,
    progress: ExportProgress | None = None,
    csv_options: CsvOptions | None = None,
    alignment: str = "expand",
) -> ExportReport:
    """Write the selected part of the project to ``out`` in format ``fmt``, with a dataset card.

    ``doc_ids``: those documents, in that order (default: all, in project
    order). ``statuses``: documents in those states ("todo", "in_progress",
    "done"). ``annotators``: those people's annotations. ``labels``: spans of
    those labels (and relations between them). ``progress(done, total)`` is
    called with documents done and selected (the first and last time always,
    otherwise at most every 50 ms); returning False cancels the export, which
    then raises ``ExportCancelled`` and leaves ``out`` as it was.
    ``csv_options`` apply to the CSV formats, ``alignment`` ("expand",
    "contract" or "strict") to spaCy's token alignment.

    Raises ``AnnotatorError`` (nothing written) for an unknown format, a
    missing document, an output that is the project itself, and any problem
    writing; returns an ``ExportReport``.
    """
    spec = FORMATS.get(fmt)
    if spec is None:
        raise AnnotatorError(
            f"unknown export format {fmt!r} (supported: {', '.join(export_formats())})"
        )
    if alignment not in ALIGNMENT_MODES:
        raise AnnotatorError(
            f"unknown alignment {alignment!r} (one of {', '.join(ALIGNMENT_MODES)})"
        )
    out = Path(out)
    if out.exists() and out.resolve() == Path(project.path).resolve():
        raise AnnotatorError(f"{out}: is the project file itself; choose another output")
    selection = Selection.of(doc_ids=doc_ids, statuses=statuses, annotators=annotators, labels=labels)
    dataset = Dataset(project, selection, progress)
    ctx = ExportContext(dataset, out, csv_options or CsvOptions(), alignment)
    if spec.folder:
        with TreeOutput(out) as tree:
            ctx.tree = tree
            spec.writer(ctx)
            data_files = list(tree.files)
            tree.write_text(CARD_NAME, _card(ctx, spec, project, data_files))
        files = [f.name for f in data_files]
        card = out / CARD_NAME if not tree.zip else None
    else:
        if out.is_dir():
            raise AnnotatorError(f"{out}: is a folder; the {fmt} format writes one file")
        spec.writer(ctx)
        card = card_path(spec, out)
        with file_output(card) as f:
            f.write(_card(ctx, spec, project, ctx.files))
        files = [f.name for f in ctx.files]
    counts = dataset.counts
    return ExportReport(
        format=fmt,
        out=out,
        documents=counts.documents,
        records=counts.records,
        spans=counts.spans,
        relations=counts.relations,
        files=files,
        card=card,
        warnings=ctx.warnings,
    )


def _card(ctx: ExportContext, spec: ExportFormat, project: Project, files: list) -> str:  # type: ignore[type-arg]
    return render_card(
        title=ctx.out.name,
        fmt=spec.name,
        description=spec.description,
        offsets=spec.offsets,
        carries=spec.carries,
        project_name=Path(project.path).name,
        scheme=ctx.dataset.scheme,
        selection=ctx.dataset.selection,
        counts=ctx.dataset.counts,
        files=files,
        warnings=ctx.warnings,
        hidden=ctx.card_lines,
    )
