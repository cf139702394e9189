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

from annotator.core.errors import AnnotatorError
from annotator.core.model import AttrValue, Person, Relation, Span
from annotator.core.scheme import Scheme


@dataclass(frozen=True)
class Change:
    """What a command changed, so each panel refreshes only what concerns it.

    ``document`` is "" when the change reaches across documents (renaming a
    person); panels then reload what they show.
    """

    document: str
    spans: frozenset[str] = field(default_factory=frozenset)
    relations: bool = False
    document_fields: bool = False
    people: bool = False

    def merged(self, other: Change) -> Change:
        return Change(
            document=self.document if self.document == other.document else "",
            spans=self.spans | other.spans,
            relations=self.relations or other.relations,
            document_fields=self.document_fields or other.document_fields,
            people=self.people or other.people,
        )


#: (document id, span id, annotator): one span anywhere in a project.
SpanRef = tuple[str, str, str]


class Repository(Protocol):
    @property
    def scheme(self) -> Scheme: ...
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
    def person(self, name: str) -> Person | None: ...
    def insert_person(self, person: Person) -> None: ...
    def delete_person(self, name: str) -> None: ...
    def replace_person(self, name: str, person: Person) -> None: ...
    def retarget_person(self, old: str, new: str) -> list[SpanRef]: ...
    def set_span_person(self, refs: list[SpanRef], name: str) -> None: ...


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
        repo.scheme.check_attrs(self.after.label, self.after.attrs, where=self.document)
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
        check_relation(
            repo.scheme,
            self.relation,
            repo.span(self.document, self.relation.head),
            repo.span(self.document, self.relation.child),
        )
        repo.insert_relation(self.document, self.relation)
        return Change(self.document, relations=True)

    def revert(self, repo: Repository) -> Change:
        repo.delete_relation(self.document, self.relation)
        return Change(self.document, relations=True)


def check_relation(scheme: Scheme, relation: Relation, head: Span, child: Span) -> None:
    """Refuse links the scheme does not allow: to itself, or between the wrong labels."""
    if head.id == child.id:
        raise AnnotatorError(f"a {head.label} cannot be linked to itself")
    kind = scheme.relation(relation.label)
    if kind is None:
        raise AnnotatorError(f"the scheme has no relation {relation.label}")
    if kind.heads and head.label not in kind.heads:
        raise AnnotatorError(
            f"{relation.label} starts from {' or '.join(kind.heads)}, not from a {head.label}"
        )
    if kind.children and child.label not in kind.children:
        raise AnnotatorError(
            f"{relation.label} links to a {' or '.join(kind.children)}, not to a {child.label}"
        )


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


@dataclass
class Batch:
    """Several commands as one user action (one transaction, one undo step)."""

    label: str
    commands: list[Command]

    @property
    def text(self) -> str:
        return self.label

    def apply(self, repo: Repository) -> Change:
        change: Change | None = None
        for command in self.commands:
            step = command.apply(repo)
            change = step if change is None else change.merged(step)
        return change or Change("")

    def revert(self, repo: Repository) -> Change:
        change: Change | None = None
        for command in reversed(self.commands):
            step = command.revert(repo)
            change = step if change is None else change.merged(step)
        return change or Change("")


@dataclass
class Attribute:
    """Attribute a quote or claim: to a SPEAKER mention (SAID_BY), or to a person directly.

    Replaces any earlier attribution of that span, so a quote has one source.
    """

    document: str
    span_id: str
    speaker_id: str | None = None
    person: str | None = None
    _steps: list[Command] = field(default_factory=list)
    _text: str = ""

    @property
    def text(self) -> str:
        return self._text or "Attribute quote"

    def apply(self, repo: Repository) -> Change:
        if (self.speaker_id is None) == (self.person is None):
            raise AnnotatorError("attribute to either a speaker mention or a person")
        span = repo.span(self.document, self.span_id)
        steps: list[Command] = [
            RemoveRelation(self.document, rel)
            for rel in repo.relations_of(self.document, self.span_id, span.annotator)
            if rel.label == "SAID_BY" and rel.head == self.span_id
        ]
        attrs = dict(span.attrs)
        if self.speaker_id is not None:
            speaker = repo.span(self.document, self.speaker_id)
            who = speaker.attrs.get("person") or speaker.text_in(repo.document_text(self.document))
            attrs.pop("person", None)
            rel = Relation("SAID_BY", self.span_id, self.speaker_id, span.annotator)
            self._text = f"Attribute {span.label} to “{_excerpt(str(who))}”"
        else:
            assert self.person is not None
            if repo.person(self.person) is None:
                raise AnnotatorError(f"{self.person!r} is not in the people register")
            attrs["person"] = self.person
            self._text = f"Attribute {span.label} to {self.person}"
        if dict(span.attrs) != attrs:
            steps.append(EditSpan(self.document, span, span.with_(attrs=attrs), "attribution"))
        if self.speaker_id is not None:
            steps.append(AddRelation(self.document, rel))
        self._steps = steps
        return Batch(self._text, steps).apply(repo)

    def revert(self, repo: Repository) -> Change:
        return Batch(self._text, self._steps).revert(repo)


@dataclass
class AddPerson:
    """Add someone to the people register (optionally naming a mention as theirs)."""

    person: Person

    @property
    def text(self) -> str:
        return f"Add person {self.person.name}"

    def apply(self, repo: Repository) -> Change:
        name = self.person.name.strip()
        if not name:
            raise AnnotatorError("a person needs a name")
        if repo.person(name) is not None:
            raise AnnotatorError(f"{name!r} is already in the people register")
        repo.insert_person(self.person)
        return Change("", people=True)

    def revert(self, repo: Repository) -> Change:
        repo.delete_person(self.person.name)
        return Change("", people=True)


@dataclass
class EditPerson:
    """Rename a person (everywhere at once) or change their role and organisation."""

    before: Person
    after: Person
    _touched: list[SpanRef] = field(default_factory=list)

    @property
    def text(self) -> str:
        if self.before.name != self.after.name:
            return f"Rename {self.before.name} to {self.after.name}"
        return f"Edit {self.after.name}"

    def apply(self, repo: Repository) -> Change:
        new = self.after.name.strip()
        if not new:
            raise AnnotatorError("a person needs a name")
        if new != self.before.name and repo.person(new) is not None:
            raise AnnotatorError(f"{new!r} is already in the people register; merge instead")
        repo.replace_person(self.before.name, self.after)
        self._touched = repo.retarget_person(self.before.name, new)
        return _people_change(self._touched)

    def revert(self, repo: Repository) -> Change:
        repo.replace_person(self.after.name, self.before)
        touched = repo.retarget_person(self.after.name, self.before.name)
        return _people_change(touched)


@dataclass
class MergePeople:
    """Merge ``source`` into ``target``: every mention of source becomes target's."""

    source: Person
    target: str
    _touched: list[SpanRef] = field(default_factory=list)

    @property
    def text(self) -> str:
        return f"Merge {self.source.name} into {self.target}"

    def apply(self, repo: Repository) -> Change:
        if self.source.name == self.target:
            raise AnnotatorError("cannot merge a person with themselves")
        if repo.person(self.target) is None:
            raise AnnotatorError(f"{self.target!r} is not in the people register")
        self._touched = repo.retarget_person(self.source.name, self.target)
        repo.delete_person(self.source.name)
        return _people_change(self._touched)

    def revert(self, repo: Repository) -> Change:
        repo.insert_person(self.source)
        repo.set_span_person(self._touched, self.source.name)
        return _people_change(self._touched)


def _people_change(touched: list[SpanRef]) -> Change:
    docs = {d for d, _, _ in touched}
    if len(docs) == 1:
        (doc,) = docs
        return Change(doc, frozenset(s for _, s, _ in touched), people=True)
    return Change("", people=True)


#: The attribute that remembers an annotation came from a suggester ("suggested:rules").
ORIGIN = "_origin"


@dataclass
class AcceptSuggestions:
    """Turn pending suggestions into ordinary annotations (one undo step).

    Each gets a fresh id and ``attrs["_origin"]`` naming the suggester; links
    between accepted suggestions are kept (SAID_BY, CUED_BY), and a link to
    an annotation already in the document is kept when its end exists.
    """

    document: str
    spans: list[Span]
    relations: list[Relation]
    origin: str
    annotator: str = ""
    _added: list[Span] = field(default_factory=list)
    _links: list[Relation] = field(default_factory=list)

    @property
    def text(self) -> str:
        if len(self.spans) == 1:
            return f"Accept suggested {self.spans[0].label}"
        return f"Accept {len(self.spans)} suggestions"

    def apply(self, repo: Repository) -> Change:
        new_ids: dict[str, str] = {}
        self._added = []
        for span in self.spans:
            new_id = repo.new_span_id(self.document, span.label)
            accepted = span.with_(
                id=new_id, annotator=self.annotator, attrs={**span.attrs, ORIGIN: self.origin}
            )
            repo.scheme.check_attrs(accepted.label, accepted.attrs, where=self.document)
            repo.insert_span(self.document, accepted)
            new_ids[span.id] = new_id
            self._added.append(accepted)
        self._links = []
        for rel in self.relations:
            head, child = new_ids.get(rel.head), new_ids.get(rel.child)
            if head is None or child is None:
                continue
            link = Relation(rel.label, head, child, self.annotator)
            repo.insert_relation(self.document, link)
            self._links.append(link)
        return Change(self.document, frozenset(new_ids.values()), relations=bool(self._links))

    def revert(self, repo: Repository) -> Change:
        for link in self._links:
            repo.delete_relation(self.document, link)
        for span in self._added:
            repo.delete_span(self.document, span.id, span.annotator)
        return Change(
            self.document, frozenset(s.id for s in self._added), relations=bool(self._links)
        )
