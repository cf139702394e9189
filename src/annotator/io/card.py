"""The dataset card: a short README written beside every export.

It says what the data is (format, offsets, scheme), where it came from (tool
version, project file, date, filters), how much there is (documents, records,
spans per label and annotator) and which files belong to it, each with its
SHA-256, so a colleague can check a copy. Its first line is ``CARD_MARKER``:
imports skip such files.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence

from annotator import __version__
from annotator.core.scheme import Scheme
from annotator.io.dataset import Counts, Selection
from annotator.io.sinks import CARD_MARKER, WrittenFile


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_card(
    *,
    title: str,
    fmt: str,
    description: str,
    offsets: str,
    carries: str,
    project_name: str,
    scheme: Scheme,
    selection: Selection,
    counts: Counts,
    files: Sequence[WrittenFile],
    warnings: Sequence[str],
    hidden: Sequence[str] = (),
    now: _dt.datetime | None = None,
) -> str:
    now = now or _dt.datetime.now(_dt.UTC)
    annotators = sorted({a for a, _ in counts.by_label} | {a for a, _ in counts.by_relation})
    labels = [lab.name for lab in scheme.labels]
    labels += sorted({lab for _, lab in counts.by_label} - set(labels))
    if selection.labels is not None:
        labels = [lab for lab in labels if lab in selection.labels]
    lines = [
        CARD_MARKER,
        *hidden,
        f"# Dataset card: {title}",
        "",
        f"Exported by Annotator {__version__} on {now.isoformat(timespec='seconds')} "
        f"from the project file `{project_name}`.",
        "",
        f"- **Format:** `{fmt}`: {description}",
        f"- **Offsets:** {offsets}",
        f"- **Carries:** {carries}",
        f"- **Scheme:** {scheme.name}, version {scheme.version}; labels: "
        f"{', '.join(lab.name for lab in scheme.labels) or 'none'}; relations: "
        f"{', '.join(r.name for r in scheme.relations) or 'none'}; document labels: "
        f"{', '.join(a.name for a in scheme.document_labels) or 'none'}",
        f"- **Filters:** {'; '.join(selection.describe())}",
        f"- **Contents:** {counts.documents} document(s), {counts.records} record(s) "
        f"(document × annotator), {counts.spans} span(s), {counts.relations} relation(s)",
        "",
        "## Spans per label and annotator",
        "",
    ]
    if annotators and labels:
        lines.append("| label | " + " | ".join(_cell(a or "(owner)") for a in annotators) + " | total |")
        lines.append("|---" * (len(annotators) + 2) + "|")
        for lab in labels:
            row = [counts.by_label.get((a, lab), 0) for a in annotators]
            lines.append(f"| {_cell(lab)} | " + " | ".join(map(str, row)) + f" | {sum(row)} |")
        rel_names = sorted({r for _, r in counts.by_relation})
        for rel in rel_names:
            row = [counts.by_relation.get((a, rel), 0) for a in annotators]
            lines.append(
                f"| {_cell(rel)} (relation) | " + " | ".join(map(str, row)) + f" | {sum(row)} |"
            )
    else:
        lines.append("No spans.")
    lines += ["", "## Files", "", "| file | bytes | sha256 |", "|---|---|---|"]
    lines += [f"| `{_cell(f.name)}` | {f.size} | `{f.sha256}` |" for f in files]
    if warnings:
        lines += ["", "## Warnings", ""]
        lines += [f"- {_cell(w)}" for w in warnings[:200]]
        if len(warnings) > 200:
            lines.append(f"- … and {len(warnings) - 200} more")
    return "\n".join(lines) + "\n"
