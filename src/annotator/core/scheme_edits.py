"""Editing the scheme of a project that already holds annotations: commands, checks, files.

Each command changes the scheme *and* the annotations that use it in one
step (renaming a label renames every span carrying it, in every document, for
every annotator), bumps ``Scheme.version`` by one, and keeps what it needs to
revert exactly (removed spans come back with their ids, row order and links).
Commands talk to a ``SchemeRepository``; the store's ``SchemeStoreMixin``
implements it on the project file.

Checks (``scheme_problems``) name what is wrong and where. An edit is refused
only for problems it introduces, so an old scheme with a quirk stays editable.
``load_scheme_file`` / ``scheme_json`` import and export the scheme as JSON;
a file with duplicate keys, missing or unknown fields, bad colours or
shortcut clashes is refused with every problem listed, and importing a scheme
that would leave annotations without a label, attribute or value is refused
with examples of what would be orphaned.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from annotator.core.commands import Change, SpanRef
from annotator.core.errors import AnnotatorError
from annotator.core.model import AttrValue, Relation, Span
from annotator.core.scheme import (
    _COLOUR,
    _NAME,
    PALETTE,
    VALUE_SOURCES,
    Attribute,
    Label,
    RelationType,
    Scheme,
)

#: One-key shortcuts the main window keeps for its own actions, so no label may take
#: them (compared case-insensitively): A attributes a quote to a speaker, P adds a
#: person from a mention, U jumps to the next unattributed quote, [ and ] step between
#: annotations, + adds the selection as a fragment, Y and X accept or reject a suggestion,
#: and F is kept for the window too.
#: A label key is also used with Shift (tag exactly), so "a" and "A" are the same key.
RESERVED_KEYS: tuple[str, ...] = ("A", "P", "U", "F", "X", "Y", "[", "]", "+")

#: Largest scheme file accepted on import (a real scheme is a few kilobytes).
MAX_SCHEME_FILE_BYTES = 5_000_000

#: How many orphaned uses an import refusal lists before "and N more".
ORPHAN_EXAMPLES = 5


# ---- what the commands see of the project ----------------------------------------


@dataclass(frozen=True)
class SpanRow:
    """One span anywhere in the project, as much of it as scheme edits need."""

    document: str
    id: str
    annotator: str
    label: str
    attrs: Mapping[str, AttrValue]

    @property
    def ref(self) -> SpanRef:
        return (self.document, self.id, self.annotator)


@dataclass(frozen=True)
class StoredSpan:
    """A deleted span with the store's row key, so it comes back exactly where it was."""

    document: str
    key: int
    span: Span


@dataclass(frozen=True)
class StoredRelation:
    document: str
    key: int
    relation: Relation


@dataclass(frozen=True)
class RemovedAnnotations:
    """What ``remove_spans_with_label`` deleted: everything ``restore_annotations`` needs."""

    spans: tuple[StoredSpan, ...] = ()
    relations: tuple[StoredRelation, ...] = ()


SpanAttrs = tuple[SpanRef, Mapping[str, AttrValue]]


class SchemeRepository(Protocol):
    """The project as scheme edits see it (``store.scheme_store.SchemeStoreMixin``)."""

    @property
    def scheme(self) -> Scheme: ...
    def set_scheme(self, scheme: Scheme) -> None: ...

    def span_rows(self, label: str | None = None) -> list[SpanRow]:
        """Every span of ``label`` (all spans when None), in all documents, of all annotators."""
        ...

    def set_span_label(self, refs: Sequence[SpanRef], label: str) -> None: ...
    def set_span_attrs(self, rows: Sequence[SpanAttrs]) -> None: ...

    def remove_spans_with_label(self, label: str) -> RemovedAnnotations:
        """Delete every span of ``label`` and every relation touching one; return them."""
        ...

    def restore_annotations(self, removed: RemovedAnnotations) -> None: ...
    def relation_counts(self) -> dict[str, int]:
        """Relation type name -> how many relations of that type the project holds."""
        ...

    def all_document_labels(self) -> dict[str, dict[str, AttrValue]]:
        """Document id -> its document labels, for every document."""
        ...

    def set_document_labels(self, doc_id: str, labels: Mapping[str, AttrValue]) -> None: ...


# ---- checks ----------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Something wrong with a scheme: ``place`` by position (files), ``named`` by name (editor)."""

    place: str
    named: str
    what: str

    def in_file(self, where: str) -> str:
        return f"{where}: {self.place}: {self.what}"

    def in_editor(self) -> str:
        return f"{self.named}: {self.what}"


def _reserved_message(key: str) -> str:
    keys = ", ".join(RESERVED_KEYS)
    return f"shortcut {key!r} is reserved: the window uses {keys} for its own actions"


def scheme_problems(scheme: Scheme) -> list[Problem]:
    """Every problem of a scheme: names, duplicates, colours, shortcuts, values, references."""
    out: list[Problem] = []

    def add(place: str, named: str, what: str) -> None:
        out.append(Problem(place, named, what))

    if not scheme.name.strip():
        add("name", "scheme", "the scheme needs a name")
    if scheme.version < 1:
        add("version", "scheme", f"version {scheme.version} must be 1 or more")

    first_label: dict[str, str] = {}
    key_owner: dict[str, str] = {}
    for i, lab in enumerate(scheme.labels):
        place, named = f"labels[{i}] ({lab.name})", f"label {lab.name}"
        _name_problem(lab.name, place, named, add)
        if lab.name in first_label:
            add(place, named, f"the name {lab.name!r} is already used by {first_label[lab.name]}")
        else:
            first_label[lab.name] = f"labels[{i}]"
        if not _COLOUR.match(lab.color):
            add(place, named, f"colour {lab.color!r} must look like #RRGGBB")
        key = lab.shortcut
        if key:
            if len(key) != 1 or not key.isprintable() or key.isspace():
                add(place, named, f"shortcut {key!r} must be one key (a letter, digit or sign)")
            elif key.upper() in RESERVED_KEYS:
                add(place, named, _reserved_message(key))
            elif key.upper() in key_owner:
                add(place, named, f"shortcut {key!r} is already used by {key_owner[key.upper()]}")
            else:
                key_owner[key.upper()] = lab.name
        out.extend(_attribute_problems(lab.attributes, f"labels[{i}].attributes", f"{lab.name}."))

    names = {lab.name for lab in scheme.labels}
    seen_rel: set[str] = set()
    for i, rel in enumerate(scheme.relations):
        place, named = f"relations[{i}] ({rel.name})", f"relation {rel.name}"
        _name_problem(rel.name, place, named, add)
        if rel.name in seen_rel:
            add(place, named, f"the name {rel.name!r} is used twice")
        seen_rel.add(rel.name)
        for end, labels in (("heads", rel.heads), ("children", rel.children)):
            for x in labels:
                if x not in names:
                    add(place, named, f"{end} lists {x!r}, which is not a label of the scheme")

    out.extend(_attribute_problems(scheme.document_labels, "document_labels", "document label "))

    seen_targets: set[str] = set()
    for i, target in enumerate(scheme.targets):
        place, named = f"targets[{i}]", f"stance target {target!r}"
        if not target.strip() or target != target.strip():
            add(place, named, "a stance target cannot be empty or start or end with spaces")
        if target in seen_targets:
            add(place, named, f"the target {target!r} is listed twice")
        seen_targets.add(target)
    return out


def _name_problem(name: str, place: str, named: str, add: Callable[[str, str, str], None]) -> None:
    if not _NAME.match(name):
        add(
            place,
            named,
            f"name {name!r} must start with a letter or _ and hold only letters, digits, _ and -",
        )


def _attribute_problems(attrs: Iterable[Attribute], prefix: str, owner: str) -> list[Problem]:
    out: list[Problem] = []
    seen: set[str] = set()
    for j, attr in enumerate(attrs):
        short = owner if owner.endswith(".") else ""
        place, named = f"{prefix}[{j}] ({short}{attr.name})", f"{owner}{attr.name}"
        if not _NAME.match(attr.name):
            out.append(
                Problem(
                    place,
                    named,
                    f"name {attr.name!r} must start with a letter or _ and hold only "
                    "letters, digits, _ and -",
                )
            )
        if attr.name in seen:
            out.append(Problem(place, named, f"the attribute {attr.name!r} is listed twice"))
        seen.add(attr.name)
        if attr.source not in VALUE_SOURCES:
            sources = ", ".join(repr(s) for s in VALUE_SOURCES[1:])
            out.append(Problem(place, named, f"source {attr.source!r} must be one of {sources}"))
        values: set[str] = set()
        for v in attr.values:
            if not v.strip() or v != v.strip():
                out.append(Problem(place, named, f"value {v!r} is empty or starts or ends with spaces"))
            elif "," in v:
                out.append(Problem(place, named, f"value {v!r} contains a comma"))
            if v in values:
                out.append(Problem(place, named, f"value {v!r} is listed twice"))
            values.add(v)
    return out


def check_scheme(scheme: Scheme, where: str) -> None:
    """Refuse a scheme with any problem; the message lists them all (a file's check)."""
    problems = scheme_problems(scheme)
    if problems:
        raise AnnotatorError(_listing([p.in_file(where) for p in problems]))


def _check_edit(before: Scheme, after: Scheme) -> None:
    """Refuse an edit that brings a problem the scheme did not already have."""
    old = {(p.named, p.what) for p in scheme_problems(before)}
    new = [p for p in scheme_problems(after) if (p.named, p.what) not in old]
    if new:
        raise AnnotatorError(_listing([p.in_editor() for p in new]))


def _listing(lines: Sequence[str], limit: int = 10) -> str:
    shown = list(lines[:limit])
    if len(lines) > limit:
        shown.append(f"… and {len(lines) - limit} more")
    return "\n".join(shown)


def scheme_digest(scheme: Scheme) -> str:
    """A short fingerprint of a scheme's content (everything but the version number).

    Two files whose schemes have the same digest use the same scheme even when
    their version counters differ; the same version with different digests
    means two people edited the scheme separately.
    """
    data = scheme.to_dict()
    data.pop("version", None)
    canon = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()[:12]


# ---- how much a part of the scheme is used -----------------------------------------


@dataclass(frozen=True)
class Usage:
    """How many annotations (spans, or documents for document labels) use something."""

    annotations: int = 0
    documents: int = 0
    #: True for document labels: then ``annotations`` counts documents.
    of_documents: bool = False

    def __bool__(self) -> bool:
        return self.annotations > 0

    def describe(self) -> str:
        """ "3 annotations in 2 documents" (or "2 documents" for document labels)."""
        d = f"{self.documents} document{'s' if self.documents != 1 else ''}"
        if self.of_documents:
            return d
        a = f"{self.annotations} annotation{'s' if self.annotations != 1 else ''}"
        return f"{a} in {d}"


def usage(
    repo: SchemeRepository,
    label: str | None,
    attribute: str | None = None,
    value: str | None = None,
) -> Usage:
    """How much a label, a label's attribute, or one value of it is used, in every document.

    ``label=None`` asks about a document label (``attribute`` is then required):
    the count is of documents carrying it.
    """
    if label is None:
        if attribute is None:
            raise ValueError("usage of a document label needs its name")
        docs = [
            d
            for d, labels in repo.all_document_labels().items()
            if _matches(labels.get(attribute), value)
        ]
        return Usage(len(docs), len(docs), of_documents=True)
    rows = [
        r
        for r in repo.span_rows(label)
        if attribute is None or _matches(r.attrs.get(attribute), value)
    ]
    return Usage(len(rows), len({r.document for r in rows}))


def target_usage(repo: SchemeRepository, target: str) -> Usage:
    """How many annotations (and documents) name a stance target."""
    scheme = repo.scheme
    count, docs = 0, set()
    for lab in scheme.labels:
        keys = [a.name for a in lab.attributes if a.source == "targets"]
        if not keys:
            continue
        for r in repo.span_rows(lab.name):
            if any(_matches(r.attrs.get(k), target) for k in keys):
                count += 1
                docs.add(r.document)
    doc_keys = [a.name for a in scheme.document_labels if a.source == "targets"]
    if doc_keys:
        for d, labels in repo.all_document_labels().items():
            if any(_matches(labels.get(k), target) for k in doc_keys):
                count += 1
                docs.add(d)
    return Usage(count, len(docs))


def _matches(stored: AttrValue, value: str | None) -> bool:
    """A stored value is set (``value`` None) or equals ``value`` as text."""
    if stored is None:
        return False
    return value is None or str(stored) == value


def orphans(repo: SchemeRepository, scheme: Scheme) -> list[tuple[str, int]]:
    """What in the project ``scheme`` would not cover: (description, count), most used first."""
    found: Counter[str] = Counter()
    for row in repo.span_rows():
        lab = scheme.label(row.label)
        if lab is None:
            found[f"label {row.label}"] += 1
            continue
        for key, value in row.attrs.items():
            if value is None:
                continue
            attr = lab.attribute(key)
            if attr is None:
                found[f"attribute {row.label}.{key}"] += 1
            elif not _allows(scheme, attr, value):
                found[f"value {row.label}.{key}={value}"] += 1
    for labels in repo.all_document_labels().values():
        for key, value in labels.items():
            if value is None:
                continue
            attr = scheme.document_label(key)
            if attr is None:
                found[f"document label {key}"] += 1
            elif not _allows(scheme, attr, value):
                found[f"document label value {key}={value}"] += 1
    for name, n in repo.relation_counts().items():
        if scheme.relation(name) is None:
            found[f"relation {name}"] += n
    return sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))


def _allows(scheme: Scheme, attr: Attribute, value: AttrValue) -> bool:
    if attr.free or attr.source == "people":
        return True
    allowed = scheme.targets if attr.source == "targets" else attr.values
    return not allowed or str(value) in allowed


def _orphan_message(items: Sequence[tuple[str, int]], what: str) -> str:
    total = sum(n for _, n in items)
    lines = [f"  {desc} ({n})" for desc, n in items[:ORPHAN_EXAMPLES]]
    if len(items) > ORPHAN_EXAMPLES:
        lines.append(f"  … and {len(items) - ORPHAN_EXAMPLES} more")
    return (
        f"{what} would leave {total} annotation use{'s' if total != 1 else ''} without a "
        f"place in the scheme ({len(items)} thing{'s' if len(items) != 1 else ''}):\n"
        + "\n".join(lines)
        + "\nNothing was changed. Add them to the scheme, or remove or rename them first."
    )


def _narrows(before: Scheme, after: Scheme) -> bool:
    """Whether ``after`` might not cover something ``before`` covered (then annotations are checked)."""
    if not set(before.targets) <= set(after.targets):
        return True
    if any(after.relation(r.name) is None for r in before.relations):
        return True
    pairs: list[tuple[Sequence[Attribute], Callable[[str], Attribute | None]]] = [
        (before.document_labels, after.document_label)
    ]
    for lab in before.labels:
        new = after.label(lab.name)
        if new is None:
            return True
        pairs.append((lab.attributes, new.attribute))
    for attrs, lookup in pairs:
        for a in attrs:
            b = lookup(a.name)
            if b is None or (a.free, a.source) != (b.free, b.source):
                return True
            if not set(a.values) <= set(b.values) or (not a.values and b.values):
                return True
    return False


# ---- pure edits the editor builds ``SetScheme`` from ------------------------------


def attributes_of(scheme: Scheme, label: str | None) -> tuple[Attribute, ...]:
    """A label's attributes, or the document labels when ``label`` is None."""
    if label is None:
        return scheme.document_labels
    lab = scheme.label(label)
    if lab is None:
        raise AnnotatorError(f"the scheme has no label {label!r}")
    return lab.attributes


def _with_attributes(scheme: Scheme, label: str | None, attrs: Iterable[Attribute]) -> Scheme:
    if label is None:
        return replace(scheme, document_labels=tuple(attrs))
    return replace(
        scheme,
        labels=tuple(
            replace(lab, attributes=tuple(attrs)) if lab.name == label else lab
            for lab in scheme.labels
        ),
    )


def _attribute(scheme: Scheme, label: str | None, name: str) -> Attribute:
    attr = next((a for a in attributes_of(scheme, label) if a.name == name), None)
    if attr is None:
        raise AnnotatorError(f"{_owner(label)}{name} is not in the scheme")
    return attr


def _owner(label: str | None) -> str:
    return "document label " if label is None else f"{label}."


def add_label(scheme: Scheme, name: str, *, color: str | None = None, shortcut: str = "") -> Scheme:
    """The scheme with a new label at the end (a palette colour unless one is given)."""
    used = {lab.color.upper() for lab in scheme.labels}
    free = [c for c in PALETTE if c.upper() not in used]
    colour = color or (free[0] if free else PALETTE[len(scheme.labels) % len(PALETTE)])
    if scheme.label(name) is not None:
        raise AnnotatorError(f"there is already a label {name}")
    return replace(scheme, labels=(*scheme.labels, Label(name=name, color=colour, shortcut=shortcut)))


def update_label(scheme: Scheme, name: str, **changes: Any) -> Scheme:
    """The scheme with a label's colour, shortcut, description or example changed (not its name)."""
    if "name" in changes or "attributes" in changes:
        raise ValueError("rename with RenameLabel; edit attributes with update_attribute")
    if scheme.label(name) is None:
        raise AnnotatorError(f"the scheme has no label {name!r}")
    return replace(
        scheme,
        labels=tuple(replace(lab, **changes) if lab.name == name else lab for lab in scheme.labels),
    )


def move_label(scheme: Scheme, name: str, delta: int) -> Scheme:
    """The scheme with a label moved ``delta`` places (clamped to the list)."""
    labels = list(scheme.labels)
    i = next((k for k, lab in enumerate(labels) if lab.name == name), None)
    if i is None:
        raise AnnotatorError(f"the scheme has no label {name!r}")
    j = min(max(i + delta, 0), len(labels) - 1)
    labels.insert(j, labels.pop(i))
    return replace(scheme, labels=tuple(labels))


def add_attribute(scheme: Scheme, label: str | None, attribute: Attribute) -> Scheme:
    attrs = attributes_of(scheme, label)
    if any(a.name == attribute.name for a in attrs):
        raise AnnotatorError(f"{_owner(label)}{attribute.name} is already in the scheme")
    return _with_attributes(scheme, label, (*attrs, attribute))


def update_attribute(scheme: Scheme, label: str | None, name: str, **changes: Any) -> Scheme:
    """The scheme with an attribute's values (added or reordered), ordered, free, source changed.

    Dropping values or narrowing the source is checked against the annotations
    by ``SetScheme``; use ``RemoveValue`` to drop a value and clear its uses.
    """
    if "name" in changes:
        raise ValueError("rename with RenameAttribute")
    _attribute(scheme, label, name)
    if "values" in changes:
        changes["values"] = tuple(changes["values"])
    attrs = [replace(a, **changes) if a.name == name else a for a in attributes_of(scheme, label)]
    return _with_attributes(scheme, label, attrs)


def add_target(scheme: Scheme, target: str) -> Scheme:
    if target in scheme.targets:
        raise AnnotatorError(f"{target!r} is already a stance target")
    return replace(scheme, targets=(*scheme.targets, target))


# ---- commands ------------------------------------------------------------------


def _bumped(before: Scheme, after: Scheme) -> Scheme:
    after = replace(after, version=before.version + 1)
    _check_edit(before, after)
    return after


def _same_content(a: Scheme, b: Scheme) -> bool:
    return replace(a, version=0) == replace(b, version=0)


def _rewrite_spans(
    repo: SchemeRepository, label: str, fn: Callable[[dict[str, AttrValue]], dict[str, AttrValue]]
) -> list[SpanAttrs]:
    """Apply ``fn`` to the attrs of every span of ``label``; return the rows as they were."""
    before: list[SpanAttrs] = []
    after: list[SpanAttrs] = []
    for row in repo.span_rows(label):
        old = dict(row.attrs)
        new = fn(dict(old))
        if new != old:
            before.append((row.ref, old))
            after.append((row.ref, new))
    repo.set_span_attrs(after)
    return before


def _rewrite_documents(
    repo: SchemeRepository, fn: Callable[[dict[str, AttrValue]], dict[str, AttrValue]]
) -> list[tuple[str, dict[str, AttrValue]]]:
    before: list[tuple[str, dict[str, AttrValue]]] = []
    for doc_id, labels in repo.all_document_labels().items():
        old = dict(labels)
        new = fn(dict(old))
        if new != old:
            before.append((doc_id, old))
            repo.set_document_labels(doc_id, new)
    return before


@dataclass
class _AttrsUndo:
    """The attrs and document labels a command rewrote, as they were, for an exact revert."""

    spans: list[SpanAttrs] = field(default_factory=list)
    documents: list[tuple[str, dict[str, AttrValue]]] = field(default_factory=list)

    def restore(self, repo: SchemeRepository) -> None:
        repo.set_span_attrs(self.spans)
        for doc_id, labels in self.documents:
            repo.set_document_labels(doc_id, labels)

    def change(self) -> Change:
        return Change("", document_fields=bool(self.documents))


def _rewrite(
    repo: SchemeRepository,
    label: str | None,
    fn: Callable[[dict[str, AttrValue]], dict[str, AttrValue]],
) -> _AttrsUndo:
    if label is None:
        return _AttrsUndo(documents=_rewrite_documents(repo, fn))
    return _AttrsUndo(spans=_rewrite_spans(repo, label, fn))


@dataclass
class SetScheme:
    """An edit of the scheme alone: add a label, attribute or value, colours, shortcuts,
    guideline texts, targets, order. ``after``'s version is ignored (it becomes
    ``before.version + 1``). Refused when the scheme changed since ``before`` was
    read, when the edit brings a problem, or when it would orphan annotations.
    """

    before: Scheme
    after: Scheme
    label: str = "Edit scheme"
    _previous: Scheme | None = None

    @property
    def text(self) -> str:
        return self.label

    def apply(self, repo: SchemeRepository) -> Change:
        current = repo.scheme
        if not _same_content(current, self.before):
            raise AnnotatorError("the scheme changed since this edit was prepared; try again")
        after = _bumped(current, self.after)
        if _narrows(current, after):
            lost = orphans(repo, after)
            if lost:
                raise AnnotatorError(_orphan_message(lost, "This edit"))
        self._previous = current
        repo.set_scheme(after)
        return Change("")

    def revert(self, repo: SchemeRepository) -> Change:
        assert self._previous is not None
        repo.set_scheme(self._previous)
        return Change("")


@dataclass
class ImportScheme:
    """Replace the project's scheme with one read from a file (``load_scheme_file``).

    The file's name and version are kept as they are, so every project that
    imports the same scheme file shows the same "name · version". Refused when
    the new scheme would orphan annotations in use.
    """

    scheme: Scheme
    source: str = ""
    _previous: Scheme | None = None

    @property
    def text(self) -> str:
        return f"Import scheme {self.scheme.name} version {self.scheme.version}"

    def apply(self, repo: SchemeRepository) -> Change:
        check_scheme(self.scheme, self.source or "imported scheme")
        lost = orphans(repo, self.scheme)
        if lost:
            where = f"{self.source}: importing this scheme" if self.source else "Importing this scheme"
            raise AnnotatorError(_orphan_message(lost, where))
        self._previous = repo.scheme
        repo.set_scheme(self.scheme)
        return Change("", document_fields=True, relations=True)

    def revert(self, repo: SchemeRepository) -> Change:
        assert self._previous is not None
        repo.set_scheme(self._previous)
        return Change("", document_fields=True, relations=True)


def _rename_in(names: tuple[str, ...], old: str, new: str) -> tuple[str, ...]:
    return tuple(new if n == old else n for n in names)


@dataclass
class RenameLabel:
    """Rename a label in the scheme, in relation definitions and on every span carrying it."""

    old: str
    new: str
    _previous: Scheme | None = None
    _refs: list[SpanRef] = field(default_factory=list)

    @property
    def text(self) -> str:
        return f"Rename label {self.old} to {self.new}"

    def apply(self, repo: SchemeRepository) -> Change:
        before = repo.scheme
        if before.label(self.old) is None:
            raise AnnotatorError(f"the scheme has no label {self.old!r}")
        if self.new == self.old:
            raise AnnotatorError(f"label {self.old} already has that name")
        if before.label(self.new) is not None:
            raise AnnotatorError(f"label {self.old}: there is already a label {self.new}")
        stray = repo.span_rows(self.new)
        if stray:
            raise AnnotatorError(
                f"label {self.old}: {len(stray)} annotation(s) already carry the label "
                f"{self.new!r} (not in the scheme); renaming would merge them"
            )
        after = replace(
            before,
            labels=tuple(
                replace(lab, name=self.new) if lab.name == self.old else lab for lab in before.labels
            ),
            relations=tuple(
                replace(
                    r,
                    heads=_rename_in(r.heads, self.old, self.new),
                    children=_rename_in(r.children, self.old, self.new),
                )
                for r in before.relations
            ),
        )
        after = _bumped(before, after)
        self._refs = [r.ref for r in repo.span_rows(self.old)]
        repo.set_span_label(self._refs, self.new)
        self._previous = before
        repo.set_scheme(after)
        return Change("", relations=True)

    def revert(self, repo: SchemeRepository) -> Change:
        assert self._previous is not None
        repo.set_span_label(self._refs, self.old)
        repo.set_scheme(self._previous)
        return Change("", relations=True)


@dataclass
class RemoveLabel:
    """Remove a label, every span carrying it and every relation touching those spans.

    Relation types left with no possible head or child are removed too. Revert
    brings back the scheme, spans (same ids, annotators, order) and relations.
    """

    name: str
    _previous: Scheme | None = None
    _removed: RemovedAnnotations = field(default_factory=RemovedAnnotations)

    @property
    def text(self) -> str:
        return f"Remove label {self.name}"

    def apply(self, repo: SchemeRepository) -> Change:
        before = repo.scheme
        if before.label(self.name) is None:
            raise AnnotatorError(f"the scheme has no label {self.name!r}")
        after = _bumped(before, label_removed(before, self.name))
        self._removed = repo.remove_spans_with_label(self.name)
        self._previous = before
        repo.set_scheme(after)
        return Change("", relations=True)

    def revert(self, repo: SchemeRepository) -> Change:
        assert self._previous is not None
        repo.restore_annotations(self._removed)
        repo.set_scheme(self._previous)
        return Change("", relations=True)


def label_removed(scheme: Scheme, name: str) -> Scheme:
    """The scheme without a label; relation types that would have no head or child go too."""
    relations: list[RelationType] = []
    for r in scheme.relations:
        heads = tuple(h for h in r.heads if h != name)
        children = tuple(c for c in r.children if c != name)
        if (r.heads and not heads) or (r.children and not children):
            continue
        relations.append(replace(r, heads=heads, children=children))
    return replace(
        scheme,
        labels=tuple(lab for lab in scheme.labels if lab.name != name),
        relations=tuple(relations),
    )


def relations_dropped_with(scheme: Scheme, name: str) -> list[str]:
    """Relation types that removing label ``name`` would remove too (for the question asked)."""
    kept = {r.name for r in label_removed(scheme, name).relations}
    return [r.name for r in scheme.relations if r.name not in kept]


@dataclass
class RenameAttribute:
    """Rename an attribute of a label (or a document label: ``label=None``) and its key everywhere."""

    label: str | None
    old: str
    new: str
    _previous: Scheme | None = None
    _undo: _AttrsUndo = field(default_factory=_AttrsUndo)

    @property
    def text(self) -> str:
        return f"Rename {_owner(self.label)}{self.old} to {self.new}"

    def apply(self, repo: SchemeRepository) -> Change:
        before = repo.scheme
        _attribute(before, self.label, self.old)
        if self.new == self.old:
            raise AnnotatorError(f"{_owner(self.label)}{self.old} already has that name")
        if any(a.name == self.new for a in attributes_of(before, self.label)):
            raise AnnotatorError(
                f"{_owner(self.label)}{self.old}: {_owner(self.label)}{self.new} already exists"
            )
        attrs = [
            replace(a, name=self.new) if a.name == self.old else a
            for a in attributes_of(before, self.label)
        ]
        after = _bumped(before, _with_attributes(before, self.label, attrs))
        both = _count_both(repo, self.label, self.old, self.new)
        if both:
            raise AnnotatorError(
                f"{_owner(self.label)}{self.old}: {both} annotation(s) also have a value for "
                f"{self.new!r} (not in the scheme); renaming would overwrite it"
            )

        def rename(attrs: dict[str, AttrValue]) -> dict[str, AttrValue]:
            if self.old in attrs:
                attrs[self.new] = attrs.pop(self.old)
            return attrs

        self._undo = _rewrite(repo, self.label, rename)
        self._previous = before
        repo.set_scheme(after)
        return self._undo.change()

    def revert(self, repo: SchemeRepository) -> Change:
        assert self._previous is not None
        self._undo.restore(repo)
        repo.set_scheme(self._previous)
        return self._undo.change()


def _count_both(repo: SchemeRepository, label: str | None, a: str, b: str) -> int:
    if label is None:
        return sum(1 for d in repo.all_document_labels().values() if a in d and b in d)
    return sum(1 for r in repo.span_rows(label) if a in r.attrs and b in r.attrs)


@dataclass
class RemoveAttribute:
    """Remove an attribute (or a document label: ``label=None``) and drop its key everywhere."""

    label: str | None
    name: str
    _previous: Scheme | None = None
    _undo: _AttrsUndo = field(default_factory=_AttrsUndo)

    @property
    def text(self) -> str:
        return f"Remove {_owner(self.label)}{self.name}"

    def apply(self, repo: SchemeRepository) -> Change:
        before = repo.scheme
        _attribute(before, self.label, self.name)
        attrs = [a for a in attributes_of(before, self.label) if a.name != self.name]
        after = _bumped(before, _with_attributes(before, self.label, attrs))

        def drop(attrs: dict[str, AttrValue]) -> dict[str, AttrValue]:
            attrs.pop(self.name, None)
            return attrs

        self._undo = _rewrite(repo, self.label, drop)
        self._previous = before
        repo.set_scheme(after)
        return self._undo.change()

    def revert(self, repo: SchemeRepository) -> Change:
        assert self._previous is not None
        self._undo.restore(repo)
        repo.set_scheme(self._previous)
        return self._undo.change()


def _listed_attribute(scheme: Scheme, label: str | None, name: str) -> Attribute:
    attr = _attribute(scheme, label, name)
    if attr.source == "targets":
        raise AnnotatorError(
            f"the values of {_owner(label)}{name} are the stance targets; edit the targets instead"
        )
    if attr.source == "people":
        raise AnnotatorError(
            f"the values of {_owner(label)}{name} come from the people register; edit it there"
        )
    return attr


@dataclass
class RenameValue:
    """Rename one value of an attribute (``label=None``: of a document label), and its uses."""

    label: str | None
    attribute: str
    old: str
    new: str
    _previous: Scheme | None = None
    _undo: _AttrsUndo = field(default_factory=_AttrsUndo)

    @property
    def text(self) -> str:
        return f"Rename {_owner(self.label)}{self.attribute} value {self.old} to {self.new}"

    def apply(self, repo: SchemeRepository) -> Change:
        before = repo.scheme
        attr = _listed_attribute(before, self.label, self.attribute)
        where = f"{_owner(self.label)}{self.attribute}"
        if self.old not in attr.values:
            raise AnnotatorError(f"{where} has no value {self.old!r}")
        if self.new == self.old:
            raise AnnotatorError(f"{where}: the value {self.old!r} already has that name")
        if self.new in attr.values:
            raise AnnotatorError(f"{where} already has a value {self.new!r}")
        values = _rename_in(attr.values, self.old, self.new)
        after = _bumped(before, update_attribute(before, self.label, self.attribute, values=values))
        self._undo = _rewrite(repo, self.label, _value_setter((self.attribute,), self.old, self.new))
        self._previous = before
        repo.set_scheme(after)
        return self._undo.change()

    def revert(self, repo: SchemeRepository) -> Change:
        assert self._previous is not None
        self._undo.restore(repo)
        repo.set_scheme(self._previous)
        return self._undo.change()


def _value_setter(
    keys: Sequence[str], old: str, new: str | None
) -> Callable[[dict[str, AttrValue]], dict[str, AttrValue]]:
    """Attrs with every ``keys`` value equal to ``old`` set to ``new`` (dropped when None)."""

    def fn(attrs: dict[str, AttrValue]) -> dict[str, AttrValue]:
        for k in keys:
            if _matches(attrs.get(k), old):
                if new is None:
                    del attrs[k]
                else:
                    attrs[k] = new
        return attrs

    return fn


@dataclass
class RemoveValue:
    """Remove one value of an attribute (``label=None``: of a document label) and clear its uses."""

    label: str | None
    attribute: str
    value: str
    _previous: Scheme | None = None
    _undo: _AttrsUndo = field(default_factory=_AttrsUndo)

    @property
    def text(self) -> str:
        return f"Remove {_owner(self.label)}{self.attribute} value {self.value}"

    def apply(self, repo: SchemeRepository) -> Change:
        before = repo.scheme
        attr = _listed_attribute(before, self.label, self.attribute)
        if self.value not in attr.values:
            raise AnnotatorError(f"{_owner(self.label)}{self.attribute} has no value {self.value!r}")
        values = tuple(v for v in attr.values if v != self.value)
        after = _bumped(before, update_attribute(before, self.label, self.attribute, values=values))
        if not values and not attr.free:
            # an empty list would mean "any value": say so rather than widen silently
            raise AnnotatorError(
                f"{_owner(self.label)}{self.attribute}: cannot remove its last value "
                "(remove the attribute instead)"
            )
        self._undo = _rewrite(repo, self.label, _value_setter((self.attribute,), self.value, None))
        self._previous = before
        repo.set_scheme(after)
        return self._undo.change()

    def revert(self, repo: SchemeRepository) -> Change:
        assert self._previous is not None
        self._undo.restore(repo)
        repo.set_scheme(self._previous)
        return self._undo.change()


def _target_keys(scheme: Scheme) -> tuple[dict[str, list[str]], list[str]]:
    """Label -> its attributes taking stance targets; document labels taking them."""
    spans = {
        lab.name: [a.name for a in lab.attributes if a.source == "targets"] for lab in scheme.labels
    }
    docs = [a.name for a in scheme.document_labels if a.source == "targets"]
    return {k: v for k, v in spans.items() if v}, docs


def _rewrite_targets(repo: SchemeRepository, scheme: Scheme, old: str, new: str | None) -> _AttrsUndo:
    spans_keys, doc_keys = _target_keys(scheme)
    undo = _AttrsUndo()
    for label, keys in spans_keys.items():
        undo.spans.extend(_rewrite_spans(repo, label, _value_setter(keys, old, new)))
    if doc_keys:
        undo.documents = _rewrite_documents(repo, _value_setter(doc_keys, old, new))
    return undo


@dataclass
class RenameTarget:
    """Rename a stance target, and every target attribute naming it (spans and documents)."""

    old: str
    new: str
    _previous: Scheme | None = None
    _undo: _AttrsUndo = field(default_factory=_AttrsUndo)

    @property
    def text(self) -> str:
        return f"Rename stance target {self.old} to {self.new}"

    def apply(self, repo: SchemeRepository) -> Change:
        before = repo.scheme
        if self.old not in before.targets:
            raise AnnotatorError(f"{self.old!r} is not a stance target")
        if self.new == self.old:
            raise AnnotatorError(f"stance target {self.old!r} already has that name")
        if self.new in before.targets:
            raise AnnotatorError(f"{self.new!r} is already a stance target")
        after = _bumped(before, replace(before, targets=_rename_in(before.targets, self.old, self.new)))
        self._undo = _rewrite_targets(repo, before, self.old, self.new)
        self._previous = before
        repo.set_scheme(after)
        return self._undo.change()

    def revert(self, repo: SchemeRepository) -> Change:
        assert self._previous is not None
        self._undo.restore(repo)
        repo.set_scheme(self._previous)
        return self._undo.change()


@dataclass
class RemoveTarget:
    """Remove a stance target and clear every target attribute naming it."""

    target: str
    _previous: Scheme | None = None
    _undo: _AttrsUndo = field(default_factory=_AttrsUndo)

    @property
    def text(self) -> str:
        return f"Remove stance target {self.target}"

    def apply(self, repo: SchemeRepository) -> Change:
        before = repo.scheme
        if self.target not in before.targets:
            raise AnnotatorError(f"{self.target!r} is not a stance target")
        targets = tuple(t for t in before.targets if t != self.target)
        after = _bumped(before, replace(before, targets=targets))
        self._undo = _rewrite_targets(repo, before, self.target, None)
        self._previous = before
        repo.set_scheme(after)
        return self._undo.change()

    def revert(self, repo: SchemeRepository) -> Change:
        assert self._previous is not None
        self._undo.restore(repo)
        repo.set_scheme(self._previous)
        return self._undo.change()


# ---- JSON files -------------------------------------------------------------------


def scheme_json(scheme: Scheme) -> str:
    """The scheme as a JSON file's text (what ``load_scheme_file`` reads back)."""
    return json.dumps(scheme.to_dict(), ensure_ascii=False, indent=2) + "\n"


class _Object(dict[str, Any]):
    """A parsed JSON object that remembers keys it saw more than once."""

    duplicates: tuple[str, ...] = ()


def _object_pairs(pairs: list[tuple[str, Any]]) -> _Object:
    obj = _Object()
    dups: list[str] = []
    for key, value in pairs:
        if key in obj and key not in dups:
            dups.append(key)
        obj[key] = value
    obj.duplicates = tuple(dups)
    return obj


def _duplicate_keys(node: Any, path: str, out: list[str]) -> None:
    if isinstance(node, dict):
        for key in getattr(node, "duplicates", ()):
            out.append(f"{path or 'top level'}: key {key!r} appears twice")
        for key, value in node.items():
            _duplicate_keys(value, f"{path}.{key}" if path else key, out)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _duplicate_keys(value, f"{path}[{i}]", out)


_Spec = dict[str, tuple[str, bool]]  # field -> (type, required)
_TOP: _Spec = {
    "name": ("str", True),
    "version": ("int", False),
    "labels": ("objects", True),
    "relations": ("objects", False),
    "document_labels": ("objects", False),
    "targets": ("strs", False),
}
_LABEL: _Spec = {
    "name": ("str", True),
    "color": ("str", True),
    "shortcut": ("str", False),
    "description": ("str", False),
    "example": ("str", False),
    "attributes": ("objects", False),
}
_ATTRIBUTE: _Spec = {
    "name": ("str", True),
    "values": ("strs", False),
    "ordered": ("bool", False),
    "free": ("bool", False),
    "source": ("str", False),
    "description": ("str", False),
}
_RELATION: _Spec = {
    "name": ("str", True),
    "heads": ("strs", False),
    "children": ("strs", False),
    "description": ("str", False),
}
_TYPE_TEXT = {
    "str": "text",
    "int": "a whole number",
    "bool": "true or false",
    "objects": "a list of objects",
    "strs": "a list of texts",
}


def _type_ok(value: Any, kind: str) -> bool:
    if kind == "str":
        return isinstance(value, str)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "objects":
        return isinstance(value, list) and all(isinstance(x, dict) for x in value)
    return isinstance(value, list) and all(isinstance(x, str) for x in value)


def _shape(obj: Mapping[str, Any], spec: _Spec, path: str, out: list[str]) -> None:
    for key in obj:
        if key not in spec:
            out.append(f"{path}: unknown field {key!r} (expected {', '.join(spec)})")
    for key, (kind, required) in spec.items():
        if key not in obj:
            if required:
                out.append(f"{path}: missing field {key!r}")
        elif not _type_ok(obj[key], kind):
            out.append(f"{path}: field {key!r} must be {_TYPE_TEXT[kind]}")


def _structure(data: Any) -> list[str]:
    """Missing, unknown and mistyped fields, each with its place."""
    if not isinstance(data, dict):
        return ["top level: expected a JSON object"]
    out: list[str] = []
    _shape(data, _TOP, "top level", out)

    def items(obj: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
        value = obj.get(key, [])
        return value if _type_ok(value, "objects") else []

    for i, lab in enumerate(items(data, "labels")):
        path = f"labels[{i}]"
        _shape(lab, _LABEL, path, out)
        for j, attr in enumerate(items(lab, "attributes")):
            _shape(attr, _ATTRIBUTE, f"{path}.attributes[{j}]", out)
    for i, rel in enumerate(items(data, "relations")):
        _shape(rel, _RELATION, f"relations[{i}]", out)
    for i, attr in enumerate(items(data, "document_labels")):
        _shape(attr, _ATTRIBUTE, f"document_labels[{i}]", out)
    return out


def parse_scheme_json(text: str, where: str) -> Scheme:
    """Read a scheme from JSON text; every problem is reported with ``where`` and its place."""
    try:
        data = json.loads(text, object_pairs_hook=_object_pairs)
    except json.JSONDecodeError as e:
        raise AnnotatorError(f"{where}: line {e.lineno}, column {e.colno}: {e.msg}") from None
    except RecursionError:
        raise AnnotatorError(f"{where}: the JSON is nested too deeply") from None
    problems: list[str] = []
    _duplicate_keys(data, "", problems)
    problems.extend(_structure(data))
    if problems:
        raise AnnotatorError(_listing([f"{where}: {p}" for p in problems]))
    scheme = _build(data)
    check_scheme(scheme, where)
    scheme.check(where)
    return scheme


def _build(data: Mapping[str, Any]) -> Scheme:
    """A scheme from a dict whose shape ``_structure`` approved; checked afterwards, all at once."""

    def attribute(d: Mapping[str, Any]) -> Attribute:
        return Attribute(
            name=d["name"],
            values=tuple(d.get("values", ())),
            ordered=d.get("ordered", False),
            free=d.get("free", False),
            description=d.get("description", ""),
            source=d.get("source", ""),
        )

    return Scheme(
        name=data["name"],
        version=data.get("version", 1),
        labels=tuple(
            Label(
                name=d["name"],
                color=d["color"],
                shortcut=d.get("shortcut", ""),
                description=d.get("description", ""),
                example=d.get("example", ""),
                attributes=tuple(attribute(a) for a in d.get("attributes", ())),
            )
            for d in data["labels"]
        ),
        relations=tuple(
            RelationType(
                name=d["name"],
                heads=tuple(d.get("heads", ())),
                children=tuple(d.get("children", ())),
                description=d.get("description", ""),
            )
            for d in data.get("relations", ())
        ),
        document_labels=tuple(attribute(a) for a in data.get("document_labels", ())),
        targets=tuple(data.get("targets", ())),
    )


def load_scheme_file(path: str | Path) -> Scheme:
    """Read and check a scheme JSON file (as written by ``scheme_json``). Nothing is changed."""
    path = Path(path)
    where = str(path)
    try:
        if path.stat().st_size > MAX_SCHEME_FILE_BYTES:
            raise AnnotatorError(f"{where}: too large for a scheme file")
        raw = path.read_bytes()
    except OSError as e:
        raise AnnotatorError(f"{where}: cannot read ({e.strerror or e})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise AnnotatorError(f"{where}: not UTF-8 text (byte {e.start})") from None
    return parse_scheme_json(text, where)
