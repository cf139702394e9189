"""Documents, spans and relations: plain immutable values.

Offsets are Unicode code points into ``Document.text``, end exclusive: exactly
Python string indices. ``text[span.start:span.end]`` is the span's text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from itertools import pairwise
from types import MappingProxyType
from typing import Any

from annotator.core.errors import AnnotatorError

#: Workflow states of a document, in order.
STATUSES: tuple[str, ...] = ("todo", "in_progress", "done")

AttrValue = str | int | float | bool | None


def _frozen(d: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(d or {}))


def text_checksum(text: str) -> str:
    """SHA-256 of the UTF-8 text: how documents are matched across files."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class DocumentMeta:
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: str | None = None
    #: The byline: who wrote the article.
    author: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "title": self.title,
            "source": self.source,
            "url": self.url,
            "published": self.published,
            "author": self.author,
        }


@dataclass(frozen=True)
class Document:
    id: str
    text: str
    meta: DocumentMeta = field(default_factory=DocumentMeta)
    status: str = "todo"
    labels: Mapping[str, AttrValue] = field(default_factory=lambda: _frozen(None))

    @property
    def checksum(self) -> str:
        return text_checksum(self.text)

    @property
    def display_title(self) -> str:
        return self.meta.title or self.id


@dataclass(frozen=True)
class Span:
    """A labelled stretch of a document's text (possibly in several fragments)."""

    id: str
    start: int
    end: int
    label: str
    attrs: Mapping[str, AttrValue] = field(default_factory=lambda: _frozen(None))
    fragments: tuple[tuple[int, int], ...] | None = None
    annotator: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.attrs, MappingProxyType):
            object.__setattr__(self, "attrs", _frozen(self.attrs))
        if self.fragments is not None:
            frags = tuple((int(a), int(b)) for a, b in self.fragments)
            object.__setattr__(self, "fragments", frags if len(frags) > 1 else None)

    @property
    def pieces(self) -> tuple[tuple[int, int], ...]:
        """The stretches of text this span covers (one, unless discontinuous)."""
        return self.fragments or ((self.start, self.end),)

    def text_in(self, text: str) -> str:
        """The span's text; fragments are joined with " … "."""
        return " … ".join(text[a:b] for a, b in self.pieces)

    def with_(self, **changes: Any) -> Span:
        return replace(self, **changes)

    def contains(self, pos: int) -> bool:
        return any(a <= pos < b for a, b in self.pieces)


@dataclass(frozen=True)
class Relation:
    """A directed link between two spans of the same document, e.g. SAID_BY quote -> speaker."""

    label: str
    head: str
    child: str
    annotator: str = ""


@dataclass(frozen=True)
class Person:
    """Someone in the project's people register; mentions refer to them by ``name``."""

    name: str
    role: str | None = None
    organisation: str | None = None

    def describe(self) -> str:
        extra = ", ".join(p for p in (self.role, self.organisation) if p)
        return f"{self.name} ({extra})" if extra else self.name


def validate_span(span: Span, text_length: int, *, where: str = "") -> None:
    """Raise AnnotatorError unless the span's offsets fit a text of that length."""
    prefix = f"{where}: " if where else ""
    if not span.label:
        raise AnnotatorError(f"{prefix}span {span.id!r} has no label")
    for a, b in span.pieces:
        if not (isinstance(a, int) and isinstance(b, int)):
            raise AnnotatorError(f"{prefix}span {span.id!r} offsets must be whole numbers")
        if a < 0 or b > text_length:
            raise AnnotatorError(
                f"{prefix}span {span.id!r} [{a}, {b}) lies outside the text (0..{text_length})"
            )
        if b <= a:
            raise AnnotatorError(f"{prefix}span {span.id!r} ends ({b}) before it starts ({a})")
    if span.fragments:
        starts = [a for a, _ in span.fragments]
        ends = [b for _, b in span.fragments]
        if span.start != min(starts) or span.end != max(ends):
            raise AnnotatorError(
                f"{prefix}span {span.id!r} start/end must be the outer bounds of its fragments"
            )
        ordered = sorted(span.fragments)
        for (_, b1), (a2, _) in pairwise(ordered):
            if a2 < b1:
                raise AnnotatorError(f"{prefix}span {span.id!r} has overlapping fragments")


def normalize_text(raw: str) -> str:
    """The one normalization applied to article text at import: line endings to ``\\n``.

    CRLF and lone CR become LF. Nothing else changes (no-break spaces, U+2028,
    combining marks, right-to-left marks all stay), and stored text is never
    rewritten afterwards. A leading byte-order mark is dropped.
    """
    if raw.startswith("\ufeff"):
        raw = raw[1:]
    return raw.replace("\r\n", "\n").replace("\r", "\n")
