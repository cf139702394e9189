"""What every export writer is handed: the dataset, the destination, the options, the report."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from annotator.io.dataset import Dataset
from annotator.io.sinks import TreeOutput, WrittenFile

#: Characters that make a spreadsheet read a cell as a formula (or inject a line).
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

#: How spaCy export treats a span whose ends fall inside tokens.
ALIGNMENT_MODES: tuple[str, ...] = ("expand", "contract", "strict")


@dataclass(frozen=True)
class CsvOptions:
    """Options of the CSV formats.

    ``guard_formulas``: a text cell starting with ``=``, ``+``, ``-``, ``@``, a
    tab or a carriage return gets a leading ``'`` so that spreadsheets show it
    as text instead of running it as a formula (CSV injection). Turn it off
    for data that only programs read. ``bom``: start the file with a UTF-8
    byte-order mark, so that Excel detects UTF-8.
    """

    guard_formulas: bool = True
    bom: bool = False


@dataclass
class ExportContext:
    dataset: Dataset
    out: Path
    csv: CsvOptions = field(default_factory=CsvOptions)
    #: spaCy: "expand" (widen to whole tokens), "contract" (narrow), "strict" (skip the span)
    alignment: str = "expand"
    #: Problems the user should know about (never a silent loss).
    warnings: list[str] = field(default_factory=list)
    #: Files written, for the dataset card (single-file formats).
    files: list[WrittenFile] = field(default_factory=list)
    #: Folder formats write here (set by export_project).
    tree: TreeOutput | None = None
    #: Hidden lines for the dataset card (HTML comments a reader of the format may use).
    card_lines: list[str] = field(default_factory=list)

    def warn(self, message: str) -> None:
        self.warnings.append(message)
