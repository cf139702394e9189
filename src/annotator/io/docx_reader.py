"""Word files (.docx): the text of the body, read with python-docx after a zip-bomb check.

A .docx is a zip archive. Before python-docx opens it, ``check_zip`` reads the
archive's directory and refuses, naming the file and the entry, an archive
that would expand to more than ``MAX_UNCOMPRESSED`` bytes in all, that has an
entry larger than 1 MiB compressed more than ``MAX_RATIO`` times (ordinary
Word XML compresses 5-30 times), or more than ``MAX_ENTRIES`` entries.
Reading an entry never yields more than its declared size (Python's zipfile
stops there), so checking the declared sizes bounds the work.

Text: paragraphs (and table cells, in document order) separated by a blank
line; a line break inside a paragraph stays a line break, tabs stay tabs.
Title: the document properties' title, else the first paragraph styled
Title or Heading 1, else the first short paragraph, else the file name.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from annotator.core.errors import AnnotatorError
from annotator.core.model import DocumentMeta, normalize_text

MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 100
MAX_ENTRIES = 5000
_RATIO_FLOOR = 1024 * 1024


def _size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


def check_zip(raw: bytes, name: str) -> None:
    """Refuse archives that are not zip files or would expand too much (see module doc)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile:
        raise AnnotatorError(f"{name}: not a .docx file (not a zip archive)") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ENTRIES:
            raise AnnotatorError(
                f"{name}: refused: the archive has {len(infos)} entries (limit {MAX_ENTRIES}); "
                "this looks like a zip bomb"
            )
        total = 0
        for info in infos:
            total += info.file_size
            if total > MAX_UNCOMPRESSED:
                raise AnnotatorError(
                    f"{name}: refused: the archive would expand to more than {_size(MAX_UNCOMPRESSED)} "
                    f"(at entry {info.filename!r}); this looks like a zip bomb"
                )
            if info.file_size > _RATIO_FLOOR:
                ratio = info.file_size / max(info.compress_size, 1)
                if ratio > MAX_RATIO:
                    raise AnnotatorError(
                        f"{name}: refused: entry {info.filename!r} would expand from "
                        f"{_size(info.compress_size)} to {_size(info.file_size)} "
                        f"(ratio {ratio:,.0f}:1, limit {MAX_RATIO}:1); this looks like a zip bomb"
                    )
        if "word/document.xml" not in zf.namelist():
            raise AnnotatorError(f"{name}: not a Word document (no word/document.xml inside)")


def read_docx(raw: bytes, name: str, stem: str) -> tuple[str, DocumentMeta]:
    """Text and metadata of a .docx's bytes (already size-checked by the caller)."""
    check_zip(raw, name)
    try:
        import docx  # python-docx
    except ImportError:  # pragma: no cover - a dependency
        raise AnnotatorError(f"{name}: reading .docx needs python-docx: pip install python-docx") from None
    try:
        document = docx.Document(io.BytesIO(raw))
    except Exception as e:  # python-docx raises assorted errors for damaged files
        raise AnnotatorError(f"{name}: cannot read the Word document ({type(e).__name__}: {e})") from None
    paragraphs: list[tuple[str, str]] = []
    for block in _blocks(document):
        text, style = block
        if text.strip():
            paragraphs.append((normalize_text(text).strip("\n"), style))
    text = "\n\n".join(p for p, _ in paragraphs)
    title = (document.core_properties.title or "").strip() or None
    if title is None:
        for p, style in paragraphs:
            if style.lower() in ("title", "heading 1") and 0 < len(p) < 200:
                title = p
                break
    if title is None and paragraphs and 0 < len(paragraphs[0][0]) < 200:
        title = paragraphs[0][0]
    return text, DocumentMeta(title=title or stem)


def _blocks(document: Any) -> list[tuple[str, str]]:
    """(text, style name) of each paragraph, table cells included, in document order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    out: list[tuple[str, str]] = []

    def walk(parent: Any, element: Any) -> None:
        for child in element.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                p = Paragraph(child, parent)
                style = p.style.name if p.style is not None and p.style.name else ""
                out.append((p.text, style))
            elif tag == "tbl":
                table = Table(child, parent)
                for row in table.rows:
                    seen: set[int] = set()
                    for cell in row.cells:
                        if id(cell._tc) in seen:  # merged cells repeat
                            continue
                        seen.add(id(cell._tc))
                        walk(cell, cell._tc)
            elif tag == "sdt":
                content = child.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}sdtContent")
                if content is not None:
                    walk(parent, content)

    walk(document, document.element.body)
    return out


def is_docx(path: Path) -> bool:
    return path.suffix.lower() == ".docx"
