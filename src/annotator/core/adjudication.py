"""Adjudication: turning several annotators' versions into one gold standard, one decision at a time.

A gold project holds the gold annotations (the project owner's spans, as in
any project) and a *queue* of the places where the annotators differed. Each
queue item (``QueueItem``) lists every annotator's version of that place
(``Candidate``: their spans there, the relations touching them, or their
value of a document label). Deciding an item is a command like any other
edit, so it runs in one transaction and is undone with Ctrl+Z:

* ``Decide(item, "accept", candidate="alice")`` -- alice's version becomes gold;
* ``Decide(item, "both")`` -- every version (identical spans once);
* ``Decide(item, "reject")`` -- none of them;
* ``edit=True`` records the decision as "edited": accepted to be changed by hand;
* ``Reopen(item)`` -- takes a decision back, also one from an earlier session
  (which undo no longer reaches): its gold goes, the item is open again.

Every gold span a decision makes gets a provenance row: the annotators whose
version it is (``{annotator: their span id}``, everyone who had exactly that
span), the decision, who decided and when. Relations are carried over when
both ends are in the gold: an annotator's span ids are mapped to gold span
ids through those provenance rows, so a link whose other end is still waiting
in another item is added when that item is decided. An end whose item was
decided for another annotator's version stands for the gold span made in its
place (``_StandIns``): alice's quote and bob's speaker, both taken, keep a link.

The commands work on any ``GoldRepository`` (the store's project with its
adjudication tables); they know nothing of SQL or Qt.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from annotator.core.commands import Change, Repository, _excerpt
from annotator.core.errors import AnnotatorError
from annotator.core.model import AttrValue, Relation, Span

#: Kinds of queue item: the review's kinds of disagreement, plus document labels.
ITEM_KINDS: tuple[str, ...] = (
    "missing",
    "boundary",
    "label",
    "attribute",
    "attribution",
    "document",
)
#: Kinds where only one version can be right ("both" is refused).
SINGLE_CHOICE_KINDS = frozenset({"attribute", "attribution", "document"})
#: States of a queue item.
STATES: tuple[str, ...] = ("open", "accepted", "both", "edited", "rejected")
#: Decisions recorded in provenance.
DECISIONS: tuple[str, ...] = ("agreed", "accepted", "both", "edited")
CHOICES: tuple[str, ...] = ("accept", "both", "reject")


def now() -> str:
    """The timestamp recorded with a decision (UTC, to the second, ISO 8601)."""
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


# ---- values ---------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """One annotator's version of a queue item (empty: they marked nothing there)."""

    annotator: str
    spans: tuple[Span, ...] = ()
    relations: tuple[Relation, ...] = ()
    labels: Mapping[str, AttrValue] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.spans and not self.relations and not self.labels


@dataclass(frozen=True)
class QueueItem:
    id: int
    document: str
    position: int
    kind: str
    start: int
    end: int
    description: str
    candidates: tuple[Candidate, ...]
    state: str = "open"
    chosen: tuple[str, ...] = ()
    decided_by: str | None = None
    decided_at: str | None = None

    @property
    def is_open(self) -> bool:
        return self.state == "open"

    def candidate(self, annotator: str) -> Candidate:
        for c in self.candidates:
            if c.annotator == annotator:
                return c
        known = ", ".join(c.annotator for c in self.candidates)
        raise AnnotatorError(f"no version by {annotator!r} in this item (versions: {known})")


@dataclass(frozen=True)
class Provenance:
    """Where one gold span came from. ``annotator`` "" means the project owner."""

    sid: str
    sources: Mapping[str, str]
    decision: str
    decided_by: str
    decided_at: str
    item: int | None = None
    annotator: str = ""


# ---- JSON of the queue's candidates ----------------------------------------------------


def span_to_dict(span: Span) -> dict[str, Any]:
    d: dict[str, Any] = {
        "id": span.id,
        "start": span.start,
        "end": span.end,
        "label": span.label,
        "attrs": dict(span.attrs),
    }
    if span.fragments:
        d["fragments"] = [list(f) for f in span.fragments]
    return d


def span_from_dict(d: Mapping[str, Any], annotator: str = "") -> Span:
    frags = d.get("fragments")
    return Span(
        id=str(d["id"]),
        start=int(d["start"]),
        end=int(d["end"]),
        label=str(d["label"]),
        attrs=dict(d.get("attrs") or {}),
        fragments=tuple((int(a), int(b)) for a, b in frags) if frags else None,
        annotator=annotator,
    )


def candidates_to_json(candidates: Iterable[Candidate]) -> str:
    out = []
    for c in candidates:
        d: dict[str, Any] = {
            "annotator": c.annotator,
            "spans": [span_to_dict(s) for s in c.spans],
            "relations": [
                {"label": r.label, "head": r.head, "child": r.child} for r in c.relations
            ],
        }
        if c.labels:
            d["labels"] = dict(c.labels)
        out.append(d)
    return json.dumps(out, ensure_ascii=False, sort_keys=True)


def candidates_from_json(raw: str) -> tuple[Candidate, ...]:
    data = json.loads(raw)
    if not isinstance(data, list):
        raise AnnotatorError("adjudication candidates: expected a JSON list")
    out = []
    for d in data:
        who = str(d["annotator"])
        out.append(
            Candidate(
                annotator=who,
                spans=tuple(span_from_dict(s, who) for s in d.get("spans", ())),
                relations=tuple(
                    Relation(str(r["label"]), str(r["head"]), str(r["child"]), who)
                    for r in d.get("relations", ())
                ),
                labels=dict(d.get("labels") or {}),
            )
        )
    return tuple(out)


def content_key(span: Span) -> tuple[Any, ...]:
    """What makes two annotators' spans "the same version": label, pieces and attributes."""
    return (
        span.label,
        span.start,
        span.end,
        span.fragments,
        tuple(sorted((k, repr(v)) for k, v in span.attrs.items())),
    )


# ---- the repository ---------------------------------------------------------------------


class GoldRepository(Repository, Protocol):
    """A ``Repository`` with the gold project's queue and provenance (store/gold.py)."""

    def adjudication_item(self, item_id: int) -> QueueItem: ...
    def adjudication_items(
        self, *, state: str | None = None, document: str | None = None
    ) -> list[QueueItem]: ...
    def provenance(self, doc_id: str) -> list[Provenance]: ...
    def set_item_decision(
        self,
        item_id: int,
        state: str,
        chosen: Sequence[str],
        decided_by: str | None,
        decided_at: str | None,
    ) -> None: ...
    def gold_sources(self, doc_id: str) -> dict[str, dict[str, str]]: ...
    def insert_provenance(self, doc_id: str, provenance: Provenance) -> None: ...
    def delete_provenance(self, doc_id: str, sid: str) -> None: ...


def as_gold(repo: Repository) -> GoldRepository:
    if not hasattr(repo, "adjudication_item"):
        raise AnnotatorError("this project has no adjudication queue")
    return cast(GoldRepository, repo)


# ---- the commands ----------------------------------------------------------------------


def _gold_links(
    gold: GoldRepository, doc: str, item_id: int, chosen: Sequence[Candidate]
) -> list[Relation]:
    """The gold links the chosen versions' relations make (an annotator's span ids mapped to
    gold span ids through provenance, or through ``_StandIns``); those with an end not gold
    (yet, or rejected) are left out."""
    links: list[Relation] = []
    if not any(c.relations for c in chosen):
        return links
    mapping: dict[tuple[str, str], str] = {}
    for gsid, sources in gold.gold_sources(doc).items():
        for who, their in sources.items():
            mapping.setdefault((who, their), gsid)
    stand_in = _StandIns(gold, doc, item_id)
    for cand in chosen:
        for rel in cand.relations:
            head = mapping.get((cand.annotator, rel.head)) or stand_in(cand.annotator, rel.head)
            child = mapping.get((cand.annotator, rel.child)) or stand_in(cand.annotator, rel.child)
            if head is None or child is None or head == child:
                continue
            new = Relation(rel.label, head, child, "")
            if new not in links:
                links.append(new)
    return links


def _stored(repo: Repository, doc: str, link: Relation) -> Relation | None:
    """The gold relation stored with ``link``'s label and ends, if there is one."""
    for r in repo.relations_of(doc, link.head, ""):
        if (r.label, r.head, r.child) == (link.label, link.head, link.child):
            return r
    return None


def _where(item: QueueItem, repo: Repository) -> str:
    """`` “excerpt”`` of the item's place in its text (nothing for a document item)."""
    if item.kind == "document":
        return ""
    text = repo.document_text(item.document)
    return f" “{_excerpt(text[item.start : item.end], 24)}”"


class _StandIns:
    """The gold span decided *in place of* an annotator's span, for a link's other end.

    Alice linked her quote to her speaker, Bob to his; the adjudicator took
    Alice's quote and Bob's speaker. Neither link has both ends gold by its
    own author, yet the gold quote has a speaker. An end that is not gold
    itself stands for the gold span its item's decision made instead: the one
    gold span of the same label that the decision on the (decided) item
    holding it added. None when there is no such item, the item was
    rejected, or the decision made several spans of that label.
    """

    def __init__(self, gold: GoldRepository, doc: str, current: int) -> None:
        self.gold, self.doc, self.current = gold, doc, current
        self._items: list[QueueItem] | None = None
        self._made: dict[int, list[str]] = {}

    def __call__(self, annotator: str, sid: str) -> str | None:
        if self._items is None:
            self._items = [
                it
                for it in self.gold.adjudication_items(document=self.doc)
                if not it.is_open and it.id != self.current
            ]
            for p in self.gold.provenance(self.doc):
                if p.item is not None:
                    self._made.setdefault(p.item, []).append(p.sid)
        for it in self._items:
            for cand in it.candidates:
                if cand.annotator != annotator:
                    continue
                for span in cand.spans:
                    if span.id != sid:
                        continue
                    same = [g for g in self._made.get(it.id, ()) if self._label(g) == span.label]
                    return same[0] if len(same) == 1 else None
        return None

    def _label(self, gold_sid: str) -> str | None:
        try:
            return self.gold.span(self.doc, gold_sid).label
        except AnnotatorError:  # deleted by hand since
            return None


@dataclass
class Decide:
    """Decide one queue item: accept one annotator's version, all of them, or none.

    ``at`` is the decision's time (filled on the first apply when empty, and
    kept for redo). Revert removes exactly the spans, relations and
    provenance rows the decision added, restores the document labels it
    changed, and reopens the item.
    """

    item_id: int
    choice: str
    candidate: str | None = None
    decided_by: str = ""
    at: str = ""
    edit: bool = False
    _document: str = ""
    _spans: list[str] = field(default_factory=list)
    _relations: list[Relation] = field(default_factory=list)
    _labels_before: dict[str, AttrValue] | None = None
    _text: str = ""

    @property
    def text(self) -> str:
        return self._text or f"Decide item {self.item_id}"

    @property
    def state(self) -> str:
        if self.choice == "reject":
            return "rejected"
        if self.edit:
            return "edited"
        return "both" if self.choice == "both" else "accepted"

    @property
    def gold_spans(self) -> list[str]:
        """The gold span ids the last apply made (for "accept and edit")."""
        return list(self._spans)

    def apply(self, repo: Repository) -> Change:
        gold = as_gold(repo)
        if self.choice not in CHOICES:
            raise AnnotatorError(f"unknown decision {self.choice!r} (one of {', '.join(CHOICES)})")
        if not self.decided_by.strip():
            raise AnnotatorError("a decision needs the name of who decides")
        item = gold.adjudication_item(self.item_id)
        if not item.is_open:
            raise AnnotatorError(
                f"item {item.position} was already decided ({item.state} by {item.decided_by})"
            )
        if self.choice == "accept":
            if self.candidate is None:
                raise AnnotatorError("say whose version to accept")
            chosen = [item.candidate(self.candidate)]
        elif self.choice == "both":
            if item.kind in SINGLE_CHOICE_KINDS:
                raise AnnotatorError(f"only one version of a {item.kind} difference can be gold")
            chosen = [c for c in item.candidates if not c.empty]
        else:
            chosen = []
        if not self.at:
            self.at = now()
        doc = self._document = item.document
        self._spans, self._relations, self._labels_before = [], [], None
        decision = "edited" if self.edit else ("both" if self.choice == "both" else "accepted")

        # spans: each distinct version once, with everyone who had exactly it as its sources
        placed: dict[tuple[Any, ...], str] = {}
        for cand in chosen:
            for span in cand.spans:
                key = content_key(span)
                if key in placed:
                    continue
                sid = repo.new_span_id(doc, span.label)
                repo.insert_span(doc, span.with_(id=sid, annotator=""))
                placed[key] = sid
                self._spans.append(sid)
                sources = {
                    c.annotator: s.id
                    for c in item.candidates
                    for s in c.spans
                    if content_key(s) == key
                }
                gold.insert_provenance(
                    doc,
                    Provenance(sid, sources, decision, self.decided_by, self.at, item.id),
                )

        # relations: an annotator's span ids -> gold span ids, through provenance
        for new in _gold_links(gold, doc, item.id, chosen):
            if _stored(repo, doc, new) is None:
                repo.insert_relation(doc, new)
                self._relations.append(new)

        # document labels
        labels: dict[str, AttrValue] = {}
        for cand in chosen:
            labels.update(cand.labels)
        if item.kind == "document" and self.choice != "reject":
            self._labels_before = repo.document_labels(doc)
            after = dict(self._labels_before)
            for name, value in labels.items():
                if value is None:
                    after.pop(name, None)
                else:
                    after[name] = value
            repo.set_document_labels(doc, after)

        gold.set_item_decision(
            item.id, self.state, [c.annotator for c in chosen], self.decided_by, self.at
        )
        self._text = self._describe(item, repo)
        return self._change()

    def revert(self, repo: Repository) -> Change:
        gold = as_gold(repo)
        doc = self._document
        for rel in reversed(self._relations):
            repo.delete_relation(doc, rel)
        for sid in reversed(self._spans):
            gold.delete_provenance(doc, sid)
            repo.delete_span(doc, sid, "")
        if self._labels_before is not None:
            repo.set_document_labels(doc, self._labels_before)
        gold.set_item_decision(self.item_id, "open", [], None, None)
        return self._change()

    def _change(self) -> Change:
        return Change(
            self._document,
            frozenset(self._spans),
            relations=bool(self._relations),
            document_fields=self._labels_before is not None,
        )

    def _describe(self, item: QueueItem, repo: Repository) -> str:
        where = _where(item, repo)
        if self.choice == "reject":
            return f"Reject {item.kind}{where}"
        if self.choice == "both":
            return f"Accept all versions of{where or ' ' + item.kind}"
        verb = "Accept and edit" if self.edit else "Accept"
        return f"{verb} {self.candidate}’s {item.kind}{where}"


@dataclass
class Reopen:
    """Reopen a decided queue item: the gold it made goes, the item waits in the queue again.

    For a decision from an earlier session (within a session, undo does the
    same). Removes the gold spans the decision made (those whose provenance
    names the item, as later edited by hand, if they were), the links that
    touch them, and, for a document item, the labels it was about; marks the
    item open. Revert puts back exactly what was removed, and the decision.
    """

    item_id: int
    _item: QueueItem | None = None
    _spans: list[Span] = field(default_factory=list)
    _provenance: list[Provenance] = field(default_factory=list)
    _relations: list[Relation] = field(default_factory=list)
    _labels_before: dict[str, AttrValue] | None = None
    _text: str = ""

    @property
    def text(self) -> str:
        return self._text or f"Reopen item {self.item_id}"

    def apply(self, repo: Repository) -> Change:
        gold = as_gold(repo)
        item = gold.adjudication_item(self.item_id)
        if item.is_open:
            raise AnnotatorError(f"item {item.position} is open: there is no decision to reopen")
        doc = item.document
        self._item = item
        self._provenance = [p for p in gold.provenance(doc) if p.item == item.id]
        self._spans, self._relations, self._labels_before = [], [], None
        for p in self._provenance:
            try:
                self._spans.append(repo.span(doc, p.sid))
            except AnnotatorError:
                continue  # deleted by hand since: only its provenance row is left
            for rel in repo.relations_of(doc, p.sid, ""):
                if rel not in self._relations:
                    self._relations.append(rel)
        # the links it made between gold spans it did not make (an "attribution" item)
        chosen = [c for c in item.candidates if c.annotator in item.chosen]
        for link in _gold_links(gold, doc, item.id, chosen):
            stored = _stored(repo, doc, link)
            if stored is not None and stored not in self._relations:
                self._relations.append(stored)
        for rel in self._relations:
            repo.delete_relation(doc, rel)
        for p in self._provenance:
            gold.delete_provenance(doc, p.sid)
        for span in self._spans:
            repo.delete_span(doc, span.id, "")
        if item.kind == "document":
            names = {name for c in item.candidates for name in c.labels}
            self._labels_before = repo.document_labels(doc)
            repo.set_document_labels(
                doc, {k: v for k, v in self._labels_before.items() if k not in names}
            )
        gold.set_item_decision(item.id, "open", [], None, None)
        self._text = f"Reopen {item.kind}{_where(item, repo)}"
        return self._change()

    def revert(self, repo: Repository) -> Change:
        gold = as_gold(repo)
        item = self._item
        assert item is not None, "revert before apply"
        doc = item.document
        for span in self._spans:
            repo.insert_span(doc, span.with_(annotator=""))
        for p in self._provenance:
            gold.insert_provenance(doc, p)
        for rel in self._relations:
            repo.insert_relation(doc, rel)
        if self._labels_before is not None:
            repo.set_document_labels(doc, self._labels_before)
        gold.set_item_decision(
            item.id, item.state, list(item.chosen), item.decided_by, item.decided_at
        )
        return self._change()

    def _change(self) -> Change:
        return Change(
            self._item.document if self._item is not None else "",
            frozenset(s.id for s in self._spans),
            relations=bool(self._relations),
            document_fields=self._labels_before is not None,
        )
