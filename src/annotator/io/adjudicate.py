"""``create_gold``: a new gold project from colleagues' files, with a queue of what they disagree on.

The files are lined up as for a review (``io.review.load_files``: documents
matched by the checksum of their text, annotators keyed "alice", "alice (2)").
The gold project holds every *shared* document (annotated by two annotators
or more). Its owner is ``GOLD_OWNER`` ("gold"): the gold annotations are the
owner's spans, so the gold project opens, shows and edits like any project;
who decided is recorded separately (``decided_by``) with every decision.

Per shared document, with ``m`` the threshold (all the document's annotators,
or ``majority`` of them, never more than the document has):

* **Agreed spans** -- the same label, bounds and attributes by at least ``m``
  annotators -- are gold at once, with a provenance row: decision "agreed",
  sources {annotator: their span id}. Versions of the same place by the
  other annotators are *outvoted* (counted in the report), and so are their
  spans of the same label overlapping it.
* The same place marked by at least ``m`` annotators with **different
  attributes** becomes one "attribute" item: each version is a candidate.
* Every **other span** waits in the queue: spans that overlap (directly or in
  a chain, whatever their label) form one item of kind "label" (labels
  differ), "boundary" (bounds differ) or "missing" (some marked nothing).
  Each annotator of the document is a candidate, with their spans there
  (possibly none).
* **Relations** between agreed spans are gold when ``m`` of the head span's
  annotators link it identically; otherwise one "attribution" item (SAID_BY
  among them) or "relation" item per head span. A relation with an end in
  the queue travels with that end's candidate and is added when both ends
  are gold, or stand for a gold span decided in their place: one annotator's
  quote and another's speaker (``core.adjudication.Decide``).
* **Document labels** (given by file owners) are gold when at least two
  owners, and ``m`` of those who gave labels, agree; otherwise a "document"
  item.

A document with queue items starts "in progress", one without "done".
Nothing is written unless everything is right: a refused file, fewer than
two annotators or no shared document is an ``AnnotatorError`` and no file is
made. The project is built in one transaction in a temporary file beside
``out`` and only then moved into place (as ``io.merge`` does).
"""

from __future__ import annotations

import gc
import os
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from annotator.core.adjudication import (
    Candidate,
    Provenance,
    QueueItem,
    content_key,
    now,
)
from annotator.core.errors import AnnotatorError
from annotator.core.model import AttrValue, Document, Person, Relation, Span
from annotator.core.scheme import Scheme
from annotator.io.importer import extended_scheme
from annotator.io.review import ReviewDocument, ReviewSet, load_files
from annotator.store import open_project, open_received
from annotator.store.gold import write_gold
from annotator.store.project import Record

#: The owner of a gold project: the gold annotations are its spans.
GOLD_OWNER = "gold"
_SAID_BY = "SAID_BY"
_KIND_RANK = {
    k: i
    for i, k in enumerate(
        ("document", "missing", "boundary", "label", "attribute", "attribution", "relation")
    )
}


@dataclass
class GoldReport:
    path: Path
    documents: int = 0
    annotators: list[str] = field(default_factory=list)
    agreed_spans: int = 0
    agreed_relations: int = 0
    agreed_labels: int = 0
    items: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    outvoted: int = 0
    not_shared: int = 0
    renamed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> list[str]:
        kinds = ", ".join(f"{n} {k}" for k, n in self.by_kind.items())
        lines = [
            f"gold project {self.path}: {self.documents} shared document(s) by "
            f"{len(self.annotators)} annotators ({', '.join(self.annotators)})",
            f"agreed at once: {self.agreed_spans} span(s), {self.agreed_relations} relation(s), "
            f"{self.agreed_labels} document label(s)",
            f"waiting in the queue: {self.items} item(s)" + (f" ({kinds})" if kinds else ""),
        ]
        if self.outvoted:
            lines.append(f"outvoted by the majority: {self.outvoted} annotation(s)")
        if self.not_shared:
            lines.append(f"left out: {self.not_shared} document(s) only one annotator annotated")
        lines += [f"renamed document {r}" for r in self.renamed]
        lines += self.warnings
        return lines


# ---- one document ------------------------------------------------------------------


@dataclass
class _DocGold:
    spans: list[Span] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    provenance: list[Provenance] = field(default_factory=list)
    items: list[QueueItem] = field(default_factory=list)
    labels: dict[str, AttrValue] = field(default_factory=dict)
    outvoted: int = 0
    agreed_labels: int = 0


def _prefix(label: str) -> str:
    # the same ids as Project.new_span_id: first letter of the label, then a number
    return (re.sub(r"[^a-z]", "", label.lower())[:1]) or "t"


def _excerpt(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _show_spans(spans: Sequence[Span], text: str) -> str:
    if not spans:
        return "nothing"
    return ", ".join(f"{s.label} “{_excerpt(s.text_in(text), 30)}”" for s in spans)


def _item(
    kind: str, start: int, end: int, description: str, candidates: Sequence[Candidate]
) -> QueueItem:
    return QueueItem(0, "", 0, kind, start, end, description, tuple(candidates))


def _threshold(n: int, majority: int | None) -> int:
    return n if majority is None else min(majority, n)


def _gold_document(
    doc: ReviewDocument,
    keys: list[str],
    majority: int | None,
    decided_by: str,
    at: str,
    label_owners: list[str],
) -> _DocGold:
    out = _DocGold()
    text = doc.text
    m = _threshold(len(keys), majority)

    # -- spans: versions and places
    settled: set[tuple[str, str]] = set()  # (annotator, span id) agreed, queued or outvoted
    versions: dict[tuple[Any, ...], dict[str, Span]] = {}
    places: dict[tuple[Any, ...], dict[str, list[Span]]] = defaultdict(lambda: defaultdict(list))
    for k in keys:
        for s in doc.spans[k]:
            holders = versions.setdefault(content_key(s), {})
            if k in holders:
                settled.add((k, s.id))  # the same span twice by one annotator: once is enough
                continue
            holders[k] = s
            places[(s.label, s.start, s.end, s.fragments)][k].append(s)
    agreed: list[tuple[Span, dict[str, Span]]] = []
    decided_places: dict[str, list[tuple[Span, set[str]]]] = defaultdict(list)  # by label
    for key, holders in versions.items():
        if len(holders) < m:
            continue
        first = next(iter(holders.values()))
        agreed.append((first, holders))
        place = key[:4]
        decided_places[first.label].append((first, set(holders)))
        for k, spans in places[place].items():
            for s in spans:
                settled.add((k, s.id))
                if content_key(s) != key:
                    out.outvoted += 1  # another version of the agreed place
        places.pop(place, None)
    items: list[QueueItem] = []
    item_of: dict[tuple[str, str], int] = {}
    for place, by_k in places.items():
        if len(by_k) < m:
            continue  # too few marked this place: left to the overlap groups below
        # enough annotators marked this place, not with the same attributes
        label, start, end, _ = place
        cands = [Candidate(k, tuple(by_k[k])) for k in keys if k in by_k]
        diff = sorted({a for c in cands for s in c.spans for a in s.attrs})
        parts = []
        for a in diff:
            vals = {c.annotator: [s.attrs.get(a) for s in c.spans] for c in cands}
            if len({tuple(map(repr, v)) for v in vals.values()}) > 1:
                shown = ", ".join(
                    f"{k}={'/'.join('(none)' if x in (None, '') else str(x) for x in v)}"
                    for k, v in vals.items()
                )
                parts.append(f"{label}.{a}: {shown}")
        description = "; ".join(parts) or f"{label}: versions differ"
        for c in cands:
            for s in c.spans:
                settled.add((c.annotator, s.id))
                item_of[(c.annotator, s.id)] = len(items)
        decided_places[label].append((cands[0].spans[0], set(by_k)))
        items.append(_item("attribute", start, end, description, cands))

    # -- the rest: outvoted, or grouped by overlap into queue items
    rest: list[tuple[str, Span]] = []
    for k in keys:
        for s in doc.spans[k]:
            if (k, s.id) in settled:
                continue
            if any(
                k not in who and s.start < d.end and d.start < s.end
                for d, who in decided_places.get(s.label, ())
            ):
                out.outvoted += 1  # against a place the majority decided
                settled.add((k, s.id))
                continue
            rest.append((k, s))
    rest.sort(key=lambda ks: (ks[1].start, ks[1].end))
    groups: list[list[tuple[str, Span]]] = []
    reach = -1
    for k, s in rest:
        if groups and s.start < reach:
            groups[-1].append((k, s))
            reach = max(reach, s.end)
        else:
            groups.append([(k, s)])
            reach = s.end
    for group in groups:
        mine: dict[str, list[Span]] = defaultdict(list)
        for k, s in group:
            mine[k].append(s)
        present = [k for k in keys if k in mine]
        absent = [k for k in keys if k not in mine]
        labels = {k: sorted({s.label for s in mine[k]}) for k in present}
        shapes = {k: sorted(content_key(s)[:4] for s in mine[k]) for k in present}
        all_labels = "/".join(sorted({lab for ls in labels.values() for lab in ls}))
        if len({tuple(v) for v in labels.values()}) > 1:
            kind = "label"
            description = "labels differ: " + "; ".join(
                f"{k}: {'/'.join(labels[k]) if k in labels else 'nothing'}" for k in keys
            )
        elif len({tuple(map(repr, v)) for v in shapes.values()}) > 1:
            kind = "boundary"
            description = f"{all_labels} boundaries differ" + (
                f"; not marked by {', '.join(absent)}" if absent else ""
            )
        else:
            kind = "missing"
            description = f"{all_labels} marked by {', '.join(present)}; not by {', '.join(absent)}"
        for k, s in group:
            item_of[(k, s.id)] = len(items)
        start = min(s.start for _, s in group)
        end = max(s.end for _, s in group)
        cands = [Candidate(k, tuple(mine.get(k, ()))) for k in keys]
        items.append(_item(kind, start, end, description, cands))

    # -- gold span ids, in text order
    counters: Counter[str] = Counter()
    agreed.sort(key=lambda a: (a[0].start, a[0].end, a[0].label))
    gold_of: dict[tuple[str, str], str] = {}
    supporters: dict[str, list[str]] = {}
    for span, holders in agreed:
        prefix = _prefix(span.label)
        counters[prefix] += 1
        sid = f"{prefix}{counters[prefix]}"
        out.spans.append(Span(sid, span.start, span.end, span.label, span.attrs, span.fragments))
        sources = {k: s.id for k, s in holders.items()}
        out.provenance.append(Provenance(sid, sources, "agreed", decided_by, at))
        supporters[sid] = [k for k in keys if k in holders]
        for k, their in sources.items():
            gold_of[(k, their)] = sid

    # -- relations
    links: dict[str, dict[str, list[Relation]]] = defaultdict(lambda: defaultdict(list))
    extra: dict[int, dict[str, list[Relation]]] = defaultdict(lambda: defaultdict(list))
    for k in keys:
        for rel in doc.relations.get(k, ()):
            head = gold_of.get((k, rel.head))
            child = gold_of.get((k, rel.child))
            if head is not None and child is not None:
                links[head][k].append(rel)
                continue
            touched = {item_of.get((k, rel.head)), item_of.get((k, rel.child))} - {None}
            for i in touched:
                assert i is not None
                extra[i][k].append(rel)
            if not touched:
                out.outvoted += 1  # an end was outvoted
    for i, per_k in extra.items():
        it = items[i]
        cands = [
            replace(c, relations=tuple(dict.fromkeys(per_k.get(c.annotator, ()))))
            for c in it.candidates
        ]
        items[i] = replace(it, candidates=tuple(cands))
    spans_by_id = {s.id: s for s in out.spans}
    for head_sid, per_k in links.items():
        who = supporters[head_sid]

        def mapped(rels: Iterable[Relation], k: str) -> frozenset[tuple[str, str]]:
            return frozenset((r.label, gold_of[(k, r.child)]) for r in rels)

        sets = {k: mapped(per_k.get(k, ()), k) for k in who}
        best, count = Counter(sets.values()).most_common(1)[0]
        if count >= m:
            for label, child in sorted(best):
                out.relations.append(Relation(label, head_sid, child, ""))
            out.outvoted += sum(len(per_k.get(k, ())) for k in who if sets[k] != best)
            continue
        source = spans_by_id[head_sid]
        kind = (
            "attribution"
            if any(r.label == _SAID_BY for rs in per_k.values() for r in rs)
            else "relation"
        )

        def show(k: str, sets: dict[str, frozenset[tuple[str, str]]] = sets) -> str:
            if not sets[k]:
                return f"{k}: none"
            return f"{k}: " + ", ".join(
                f"{label} → {spans_by_id[c].label} “{_excerpt(spans_by_id[c].text_in(text), 24)}”"
                for label, c in sorted(sets[k])
            )

        description = (
            f"links from {source.label} “{_excerpt(source.text_in(text), 30)}”: "
            + "; ".join(show(k) for k in who)
        )
        cands = [Candidate(k, (), tuple(per_k.get(k, ()))) for k in who]
        items.append(_item(kind, source.start, source.end, description, cands))

    # -- document labels
    givers = [k for k in label_owners if k in doc.labels]
    names = sorted({n for k in givers for n in doc.labels[k]})
    for name in names:
        values = {k: doc.labels[k].get(name) for k in givers}
        tally = Counter(repr(v) for v in values.values())
        best_repr, count = tally.most_common(1)[0]
        value = next(v for v in values.values() if repr(v) == best_repr)
        if value is not None and count >= 2 and count >= _threshold(len(givers), majority):
            out.labels[name] = value
            out.agreed_labels += 1
            continue
        shown = ", ".join(f"{k}={'(none)' if v in (None, '') else v}" for k, v in values.items())
        cands = [Candidate(k, labels={name: v}) for k, v in values.items()]
        items.append(_item("document", 0, 0, f"document label {name}: {shown}", cands))

    items.sort(key=lambda it: (it.start, it.end, _KIND_RANK.get(it.kind, 99)))
    out.items = items
    return out


# ---- the whole project ----------------------------------------------------------------


def _read_schemes(
    paths: Sequence[Path],
) -> tuple[list[Scheme], dict[str, tuple[str | None, str | None]]]:
    """The files' schemes and people registers (the review set keeps neither)."""

    def one(path: Path) -> tuple[Scheme, list[Person]]:
        with open_received(path) as received:
            return received.scheme, list(received.people)

    with ThreadPoolExecutor(max_workers=max(1, min(4, len(paths)))) as pool:
        found = list(pool.map(one, paths))
    people: dict[str, tuple[str | None, str | None]] = {}
    for _, register in found:
        for person in register:
            people.setdefault(person.name, (person.role, person.organisation))
    return [s for s, _ in found], people


def _schemes_of(
    review: ReviewSet,
) -> tuple[list[Scheme], dict[str, tuple[str | None, str | None]]]:
    """The files' schemes and people: kept by ``load_files`` when it has them, else read again."""
    kept = [getattr(f, "scheme", None) for f in review.files]
    if not kept or any(s is None for s in kept):
        return _read_schemes([f.path for f in review.files])
    people: dict[str, tuple[str | None, str | None]] = {}
    for f in review.files:
        for person in getattr(f, "people", ()):
            people.setdefault(person.name, (person.role, person.organisation))
    return [s for s in kept if isinstance(s, Scheme)], people


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: the many small values built here hold no cycles
    (as ``io.review`` does; with a large review set in memory it would rescan it again and again)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def create_gold(
    source: ReviewSet | Iterable[str | Path],
    out: str | Path,
    *,
    decided_by: str,
    majority: int | None = None,
    owner: str = GOLD_OWNER,
    at: str | None = None,
) -> GoldReport:
    """Build a gold project at ``out`` from colleagues' files (or a loaded review set).

    ``majority``: how many annotators must agree for a span to be gold at once
    (more than half of them; default: all). ``decided_by`` is recorded as who
    made the gold project (the agreed decisions); ``at`` the time (default: now).
    """
    with _no_gc():
        return _create_gold(source, Path(out), decided_by, majority, owner, at)


def _create_gold(
    source: ReviewSet | Iterable[str | Path],
    out: Path,
    decided_by: str,
    majority: int | None,
    owner: str,
    at: str | None,
) -> GoldReport:
    started = time.perf_counter()
    who = decided_by.strip()
    if not who:
        raise AnnotatorError("say who is adjudicating: the name is recorded with every decision")
    if out.exists():
        raise AnnotatorError(f"{out}: already exists; choose a new file for the gold project")
    review = source if isinstance(source, ReviewSet) else load_files(source)
    if review.rejected:
        reasons = "; ".join(r.reason for r in review.rejected)
        raise AnnotatorError(f"cannot build a gold project, nothing was written: {reasons}")
    annotators = review.span_annotators()
    if len(annotators) < 2:
        found = ", ".join(annotators) or "none"
        raise AnnotatorError(
            "a gold project needs the annotations of at least two annotators "
            f"(found: {found}); nothing was written"
        )
    n = len(annotators)
    if majority is not None and not (n / 2 < majority <= n):
        lowest = n // 2 + 1
        raise AnnotatorError(
            f"the majority must be more than half of the {n} annotators "
            f"(from {lowest} to {n}), not {majority}"
        )
    shared = review.shared_documents()
    if not shared:
        raise AnnotatorError(
            "no document was annotated by two annotators or more: there is nothing to "
            "adjudicate; nothing was written"
        )
    at = at or now()
    report = GoldReport(out, annotators=annotators)
    report.not_shared = len(review.documents) - len(shared)
    report.warnings = list(review.warnings) + [c.description for c in review.conflicts]
    order = {a.key: i for i, a in enumerate(review.annotators)}
    owners = [a.key for a in review.annotators]

    schemes, people = _schemes_of(review)
    scheme = schemes[0]
    for other in schemes[1:]:
        scheme = scheme.united(other)
    everything = [
        Record(d.document, k, spans, d.relations.get(k, ()))
        for d in shared
        for k, spans in d.spans.items()
    ]
    scheme, _ = extended_scheme(scheme, everything)

    records: list[Record] = []
    gold_spans: list[tuple[str, Span]] = []
    gold_relations: list[tuple[str, Relation]] = []
    provenance: list[tuple[str, Provenance]] = []
    queue: list[tuple[str, QueueItem]] = []
    taken: set[str] = set()
    for d in shared:
        keys = sorted(d.spans, key=order.__getitem__)
        result = _gold_document(d, keys, majority, who, at, owners)
        doc_id, k = d.id, 2
        while doc_id in taken:
            doc_id = f"{d.id}-{k}"
            k += 1
        taken.add(doc_id)
        if doc_id != d.id:
            report.renamed.append(f"{d.id} -> {doc_id} (a different text had that id)")
        document = Document(
            doc_id,
            d.text,
            d.document.meta,
            status="in_progress" if result.items else "done",
            labels=result.labels,
        )
        records.append(Record(document, owner, (), ()))
        gold_spans.extend((doc_id, span) for span in result.spans)
        gold_relations.extend((doc_id, rel) for rel in result.relations)
        provenance.extend((doc_id, p) for p in result.provenance)
        for it in result.items:
            queue.append((doc_id, replace(it, position=len(queue) + 1)))
            report.by_kind[it.kind] = report.by_kind.get(it.kind, 0) + 1
        report.agreed_spans += len(result.spans)
        report.agreed_relations += len(result.relations)
        report.agreed_labels += result.agreed_labels
        report.outvoted += result.outvoted
    report.by_kind = dict(sorted(report.by_kind.items(), key=lambda kv: _KIND_RANK.get(kv[0], 99)))
    report.items = len(queue)
    report.documents = len(records)

    tmp = out.with_name(f".{out.name}.gold")
    tmp.unlink(missing_ok=True)
    try:
        with (
            open_project(tmp, create=True, owner=owner, scheme=scheme) as project,
            project.transaction(),
        ):
            project.add_records(records)
            for name, (role, org) in sorted(people.items()):
                project.insert_person(Person(name, role, org))
            project.ensure_people(_people_named(gold_spans, queue))
            write_gold(project, gold_spans, gold_relations, provenance, queue)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
        tmp.with_name(tmp.name + ".lock").unlink(missing_ok=True)
    report.seconds = time.perf_counter() - started
    return report


def _people_named(
    spans: Sequence[tuple[str, Span]], queue: Sequence[tuple[str, QueueItem]]
) -> set[str]:
    """Every person a gold span or a candidate names, so accepting one never names a stranger."""
    names = {str(s.attrs["person"]) for _, s in spans if s.attrs.get("person")}
    for _, it in queue:
        for c in it.candidates:
            names.update(str(s.attrs["person"]) for s in c.spans if s.attrs.get("person"))
    return names
