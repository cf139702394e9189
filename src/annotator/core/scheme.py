"""The annotation scheme: labels, their attributes and values, relations, document labels.

A scheme is plain data (``Scheme.from_dict`` / ``to_dict``), shipped as
``resources/scheme/default.json`` and stored inside every project so a file is
understood on its own. ``Scheme.extend`` adds what imported data uses but the
scheme does not know yet, and says what it added.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from annotator.core.errors import AnnotatorError

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")

#: Where an attribute's values may come from besides its own list.
VALUE_SOURCES: tuple[str, ...] = ("", "targets", "people")

#: Colours given to labels that arrive without one (Okabe-Ito, colour-blind safe).
PALETTE: tuple[str, ...] = (
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#999999",
)


@dataclass(frozen=True)
class Attribute:
    name: str
    values: tuple[str, ...] = ()
    #: True when the values have an order (e.g. against < neutral < favor).
    ordered: bool = False
    #: Free text when there is no list of values.
    free: bool = False
    description: str = ""
    #: Values come from a project list instead: "targets" (stance targets) or "people".
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name, "values": list(self.values)}
        if self.ordered:
            d["ordered"] = True
        if self.free:
            d["free"] = True
        if self.source:
            d["source"] = self.source
        if self.description:
            d["description"] = self.description
        return d


@dataclass(frozen=True)
class Label:
    name: str
    color: str
    shortcut: str = ""
    description: str = ""
    example: str = ""
    attributes: tuple[Attribute, ...] = ()

    def attribute(self, name: str) -> Attribute | None:
        return next((a for a in self.attributes if a.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "color": self.color,
            "shortcut": self.shortcut,
            "description": self.description,
            "example": self.example,
            "attributes": [a.to_dict() for a in self.attributes],
        }


@dataclass(frozen=True)
class RelationType:
    name: str
    heads: tuple[str, ...] = ()
    children: tuple[str, ...] = ()
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "heads": list(self.heads),
            "children": list(self.children),
            "description": self.description,
        }


@dataclass(frozen=True)
class Scheme:
    name: str = "custom"
    version: int = 1
    labels: tuple[Label, ...] = ()
    relations: tuple[RelationType, ...] = ()
    document_labels: tuple[Attribute, ...] = ()
    targets: tuple[str, ...] = field(default=())

    # ---- lookup -------------------------------------------------------
    def label(self, name: str) -> Label | None:
        return next((lab for lab in self.labels if lab.name == name), None)

    def relation(self, name: str) -> RelationType | None:
        return next((r for r in self.relations if r.name == name), None)

    def document_label(self, name: str) -> Attribute | None:
        return next((a for a in self.document_labels if a.name == name), None)

    def color_of(self, name: str) -> str:
        lab = self.label(name)
        return lab.color if lab else "#999999"

    # ---- (de)serialisation -------------------------------------------
    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, where: str = "scheme") -> Scheme:
        """Build and check a scheme; every problem is reported with its place."""
        if not isinstance(data, Mapping):
            raise AnnotatorError(f"{where}: expected a JSON object")
        labels = tuple(
            _label(d, f"{where}: labels[{i}]") for i, d in enumerate(_list(data, "labels", where))
        )
        relations = tuple(
            RelationType(
                name=_name(d, f"{where}: relations[{i}]"),
                heads=tuple(str(x) for x in d.get("heads", ())),
                children=tuple(str(x) for x in d.get("children", ())),
                description=str(d.get("description", "")),
            )
            for i, d in enumerate(_list(data, "relations", where))
        )
        doc_labels = tuple(
            _attribute(d, f"{where}: document_labels[{i}]")
            for i, d in enumerate(_list(data, "document_labels", where))
        )
        targets = tuple(str(t) for t in data.get("targets", ()))
        scheme = cls(
            name=str(data.get("name", "custom")),
            version=int(data.get("version", 1)),
            labels=labels,
            relations=relations,
            document_labels=doc_labels,
            targets=targets,
        )
        scheme.check(where)
        return scheme

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "labels": [lab.to_dict() for lab in self.labels],
            "relations": [r.to_dict() for r in self.relations],
            "document_labels": [a.to_dict() for a in self.document_labels],
            "targets": list(self.targets),
        }

    def check(self, where: str = "scheme") -> None:
        _unique((lab.name for lab in self.labels), f"{where}: label")
        _unique((r.name for r in self.relations), f"{where}: relation")
        _unique((a.name for a in self.document_labels), f"{where}: document label")
        shortcuts = [lab.shortcut.lower() for lab in self.labels if lab.shortcut]
        _unique(shortcuts, f"{where}: shortcut")
        for lab in self.labels:
            _unique((a.name for a in lab.attributes), f"{where}: label {lab.name}: attribute")

    # ---- growth on import ---------------------------------------------
    def extend(
        self,
        *,
        span_labels: Mapping[str, Mapping[str, set[str]]] | None = None,
        relation_labels: Iterable[str] = (),
        document_labels: Mapping[str, set[str]] | None = None,
    ) -> tuple[Scheme, list[str]]:
        """Add labels, attributes and values the scheme does not know.

        ``span_labels`` maps label -> attribute -> values seen. Returns the new
        scheme and one human-readable line per addition.
        """
        added: list[str] = []
        labels = list(self.labels)
        for name, attrs in sorted((span_labels or {}).items()):
            idx = next((i for i, lab in enumerate(labels) if lab.name == name), None)
            if idx is None:
                labels.append(Label(name=name, color=PALETTE[len(labels) % len(PALETTE)]))
                idx = len(labels) - 1
                added.append(f"label {name}")
            lab = labels[idx]
            new_attrs = list(lab.attributes)
            for aname, values in sorted(attrs.items()):
                new_attrs, lines = _grow_attribute(new_attrs, aname, values, f"{name}.")
                added.extend(lines)
            labels[idx] = replace(lab, attributes=tuple(new_attrs))
        relations = list(self.relations)
        for rname in sorted(set(relation_labels)):
            if not any(r.name == rname for r in relations):
                relations.append(RelationType(name=rname))
                added.append(f"relation {rname}")
        doc_labels = list(self.document_labels)
        for aname, values in sorted((document_labels or {}).items()):
            doc_labels, lines = _grow_attribute(doc_labels, aname, values, "document label ")
            added.extend(lines)
        if not added:
            return self, []
        grown = replace(
            self,
            labels=tuple(labels),
            relations=tuple(relations),
            document_labels=tuple(doc_labels),
            version=self.version + 1,
        )
        return grown, added

    def united(self, other: Scheme) -> Scheme:
        """This scheme grown with every label, attribute, value and relation ``other`` has."""
        grown, _ = self.extend(
            span_labels={
                lab.name: {attr.name: set(attr.values) for attr in lab.attributes}
                for lab in other.labels
            },
            relation_labels=[r.name for r in other.relations],
            document_labels={attr.name: set(attr.values) for attr in other.document_labels},
        )
        return grown

    def check_attrs(self, label: str, attrs: Mapping[str, Any], *, where: str = "") -> None:
        """Refuse attribute values the scheme does not allow."""
        prefix = f"{where}: " if where else ""
        lab = self.label(label)
        if lab is None:
            raise AnnotatorError(f"{prefix}label {label!r} is not in the scheme")
        for key, value in attrs.items():
            if key.startswith("_"):
                continue  # bookkeeping such as "_origin" (where a suggestion came from)
            attr = lab.attribute(key)
            if attr is None:
                raise AnnotatorError(f"{prefix}{label} has no attribute {key!r}")
            allowed_values = attr.values
            if attr.source == "targets":
                allowed_values = self.targets
            if value is None or attr.free or attr.source == "people" or not allowed_values:
                continue
            if str(value) not in allowed_values:
                allowed = ", ".join(allowed_values)
                raise AnnotatorError(
                    f"{prefix}{label}.{key} cannot be {value!r} (allowed: {allowed})"
                )


def _grow_attribute(
    attrs: list[Attribute], name: str, values: set[str], prefix: str
) -> tuple[list[Attribute], list[str]]:
    lines: list[str] = []
    idx = next((i for i, a in enumerate(attrs) if a.name == name), None)
    if idx is None:
        attrs.append(Attribute(name=name))
        idx = len(attrs) - 1
        lines.append(f"attribute {prefix}{name}")
    attr = attrs[idx]
    if attr.free or attr.source:
        return attrs, lines
    missing = sorted(v for v in values if v not in attr.values)
    if missing:
        attrs[idx] = replace(attr, values=attr.values + tuple(missing))
        lines.extend(f"value {prefix}{name}={v}" for v in missing)
    return attrs, lines


def _list(data: Mapping[str, Any], key: str, where: str) -> list[Mapping[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(x, Mapping) for x in value):
        raise AnnotatorError(f"{where}: {key!r} must be a list of objects")
    return value


def _name(d: Mapping[str, Any], where: str) -> str:
    name = d.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise AnnotatorError(f"{where}: missing or invalid 'name' ({name!r})")
    return name


def _attribute(d: Mapping[str, Any], where: str) -> Attribute:
    values = d.get("values", [])
    if not isinstance(values, list):
        raise AnnotatorError(f"{where}: 'values' must be a list")
    vals = tuple(str(v) for v in values)
    _unique(vals, f"{where}: value")
    source = str(d.get("source", ""))
    if source not in VALUE_SOURCES:
        raise AnnotatorError(f"{where}: 'source' must be one of {', '.join(VALUE_SOURCES[1:])}")
    return Attribute(
        name=_name(d, where),
        values=vals,
        ordered=bool(d.get("ordered", False)),
        free=bool(d.get("free", False)),
        description=str(d.get("description", "")),
        source=source,
    )


def _label(d: Mapping[str, Any], where: str) -> Label:
    name = _name(d, where)
    color = d.get("color", "#999999")
    if not isinstance(color, str) or not _COLOUR.match(color):
        raise AnnotatorError(f"{where}: colour {color!r} must look like #RRGGBB")
    shortcut = d.get("shortcut", "")
    if not isinstance(shortcut, str):
        raise AnnotatorError(f"{where}: 'shortcut' must be text")
    attrs = d.get("attributes", [])
    if not isinstance(attrs, list):
        raise AnnotatorError(f"{where}: 'attributes' must be a list")
    return Label(
        name=name,
        color=color,
        shortcut=shortcut,
        description=str(d.get("description", "")),
        example=str(d.get("example", "")),
        attributes=tuple(_attribute(a, f"{where}.attributes[{i}]") for i, a in enumerate(attrs)),
    )


def _unique(names: Iterable[str], what: str) -> None:
    seen: set[str] = set()
    for n in names:
        if n in seen:
            raise AnnotatorError(f"{what} {n!r} appears twice")
        seen.add(n)
