"""Every user edit is a command: ``apply`` and ``revert`` against a repository, with a label.

The repository is any object with the methods of ``Repository`` (the store
provides one); commands never know about SQL or Qt. The executor (the store's
``Project.execute``) runs each ``apply``/``revert`` in one transaction, and the
Qt layer wraps commands in ``QUndoCommand``s. The same commands serve the
command line, so whatever the GUI can do can be scripted and tested.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from annotator.core.model import AttrValue, Relation, Span


@dataclass(frozen=True)
class Change:
    """What a command changed, so each panel refreshes only what concerns it."""

    document: str
    spans: frozenset[str] = field(default_factory=frozenset)
    relations: bool = False
    document_fields: bool = False


class Repository(Protocol):
    def document_text(self, doc_id: str) -> str: ...
    def span(self, doc_id: str, span_id: str) -> Span: ...
    def new_span_id(self, doc_id: str, label: str) -> str: ...
    def insert_span(self, doc_id: str, span: Span) -> None: ...
    def delete_span(self, doc_id: str, span_id: str, annotator: str) -> None: ...
    def replace_span(self, doc_id: str, span: Span) -> None: ...
    def relations_of(self, doc_id: str, span_id: str, annotator: str) -> list[Relation]: ...
    def insert_relation(self, doc_id: str, relation: Relation) -> None: ...
    def delete_relation(self, doc_id: str, relation: Relation) -> None: ...
    def document_status(self, doc_id: str) -> str: ...
    def set_document_status(self, doc_id: str, status: str) -> None: ...
    def document_labels(self, doc_id: str) -> dict[str, AttrValue]: ...
    def set_document_labels(self, doc_id: str, labels: Mapping[str, AttrValue]) -> None: ...


class Command(Protocol):
    @property
    def text(self) -> str: ...
    def apply(self, repo: Repository) -> Change: ...
    def revert(self, repo: Repository) -> Change: ...


def _excerpt(text: str, limit: int = 32) -> str:
    """A short one-line quote of the text for menus ("Undo Tag QUOTE “Millions of people…”")."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass
class AddSpan:
    """Tag [start, end) of a document with a label."""

    document: str
    span: Span
    _text: str = ""

    @property
    def text(self) -> str:
        return f"Tag {self.span.label} “{self._text}”"

    def apply(self, repo: Repository) -> Change:
        if not self.span.id:
            self.span = self.span.with_(id=repo.new_span_id(self.document, self.span.label))
        repo.insert_span(self.document, self.span)
        self._text = _excerpt(self.span.text_in(repo.document_text(self.document)))
        return Change(self.document, frozenset({self.span.id}))

    def revert(self, repo: Repository) -> Change:
        repo.delete_span(self.document, self.span.id, self.span.annotator)
        return Change(self.document, frozenset({self.span.id}))


@dataclass
class RemoveSpan:
    """Delete a span and the relations that touch it; revert brings both back."""

    document: str
    span_id: str
    annotator: str
    _span: Span | None = None
    _relations: list[Relation] = field(default_factory=list)
    _text: str = ""

    @property
    def text(self) -> str:
        label = self._span.label if self._span else "span"
        return f"Delete {label} “{self._text}”"

    def apply(self, repo: Repository) -> Change:
        self._span = repo.span(self.document, self.span_id)
        self._text = _excerpt(self._span.text_in(repo.document_text(self.document)))
        self._relations = repo.relations_of(self.document, self.span_id, self.annotator)
        for rel in self._relations:
            repo.delete_relation(self.document, rel)
        repo.delete_span(self.document, self.span_id, self.annotator)
        return Change(self.document, frozenset({self.span_id}), relations=bool(self._relations))

    def revert(self, repo: Repository) -> Change:
        assert self._span is not None
        repo.insert_span(self.document, self._span)
        for rel in self._relations:
            repo.insert_relation(self.document, rel)
        return Change(self.document, frozenset({self.span_id}), relations=bool(self._relations))


@dataclass
class EditSpan:
    """Change a span's label, bounds or attributes (any of them), keeping its id."""

    document: str
    before: Span
    after: Span
    what: str = "span"

    @property
    def text(self) -> str:
        return f"Edit {self.what} of {self.after.label}"

    def apply(self, repo: Repository) -> Change:
        repo.replace_span(self.document, self.after)
        return Change(self.document, frozenset({self.after.id}))

    def revert(self, repo: Repository) -> Change:
        repo.replace_span(self.document, self.before)
        return Change(self.document, frozenset({self.before.id}))


@dataclass
class AddRelation:
    document: str
    relation: Relation

    @property
    def text(self) -> str:
        return f"Link {self.relation.head} {self.relation.label} {self.relation.child}"

    def apply(self, repo: Repository) -> Change:
        repo.insert_relation(self.document, self.relation)
        return Change(self.document, relations=True)

    def revert(self, repo: Repository) -> Change:
        repo.delete_relation(self.document, self.relation)
        return Change(self.document, relations=True)


@dataclass
class RemoveRelation:
    document: str
    relation: Relation

    @property
    def text(self) -> str:
        return f"Unlink {self.relation.head} {self.relation.label} {self.relation.child}"

    def apply(self, repo: Repository) -> Change:
        repo.delete_relation(self.document, self.relation)
        return Change(self.document, relations=True)

    def revert(self, repo: Repository) -> Change:
        repo.insert_relation(self.document, self.relation)
        return Change(self.document, relations=True)


@dataclass
class SetStatus:
    document: str
    status: str
    _before: str = ""

    @property
    def text(self) -> str:
        return f"Mark document {self.status.replace('_', ' ')}"

    def apply(self, repo: Repository) -> Change:
        self._before = repo.document_status(self.document)
        repo.set_document_status(self.document, self.status)
        return Change(self.document, document_fields=True)

    def revert(self, repo: Repository) -> Change:
        repo.set_document_status(self.document, self._before)
        return Change(self.document, document_fields=True)


@dataclass
class SetDocumentLabel:
    document: str
    name: str
    value: AttrValue
    _before: dict[str, AttrValue] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return f"Set document {self.name} to {self.value}"

    def apply(self, repo: Repository) -> Change:
        self._before = repo.document_labels(self.document)
        after = dict(self._before)
        if self.value is None:
            after.pop(self.name, None)
        else:
            after[self.name] = self.value
        repo.set_document_labels(self.document, after)
        return Change(self.document, document_fields=True)

    def revert(self, repo: Repository) -> Change:
        repo.set_document_labels(self.document, self._before)
        return Change(self.document, document_fields=True)
