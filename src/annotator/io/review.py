"""Reviewing colleagues' project files: load them side by side, measure agreement, list differences.

This module owns the headless side of a review (the GUI and the CLI sit on
top of it): ``load_files`` opens each file with ``store.open_received`` (a
refused file is reported, the others still load), ``agreement_report`` builds
the JSON-able report, ``disagreements`` lists the places where annotators
differ, and ``format_table`` prints the report for a terminal.

Rules, in one place:

* **Documents** are matched across files by the checksum of their text, never
  by id. The same id with different texts in two files is a *conflict*: those
  copies are not compared with each other (copies with identical text still
  are). The review names a document by the id it has in the first file.
* **Annotators** are keyed by (file, name in that file): two files both
  written by "alice" give two annotators. The first keeps the plain name, the
  next ones become "alice (2)", "alice (3)"..., in the order the files were
  given (names sorted within a file).
* A (document, annotator) record **counts** when it has spans or relations,
  or -- for a record without any -- when its file marks the document in
  progress or done ("looked at it, found nothing"). An untouched "todo"
  document is not evidence of anything and is left out.
* **Document labels** belong to the file's owner.
* A document is **shared** when at least two annotators' records count for it.
  Span measures use the shared documents. u-alpha over all documents is
  computed on the concatenation of the documents that every annotator
  annotated (one continuum, as Krippendorff's measure needs the same
  annotators throughout); per-document u-alpha uses that document alone.
* **Attributes** are compared on exact matches: the same label and the same
  boundaries by several annotators. Measured are those with a list of values
  in the scheme, and ``source: targets`` ones (the project's stance targets
  are the values); free text and ``source: people`` are not (people are
  compared as attribution). ``alpha_ordinal`` where the scheme says ``ordered``.
* **kappa** is Cohen's, computed when exactly two annotators gave values for
  that attribute or label; otherwise null with the reason.
* **Attribution**: quotes (QUOTE) matched by overlap between two annotators
  are compared by who said them: each SAID_BY speaker's ``person`` attribute,
  or else the speaker's text, plus the quote's own ``person`` attribute (a
  person named with no mention in the text); white space collapsed, case
  ignored. Quote pairs that neither annotator attributed are not counted.
* **Disagreements**, per shared document and label, over groups of spans
  that overlap: *missing* (some annotators marked nothing there), *label*
  (they marked it with another label, one the others did not also use there),
  *boundary* (all marked it, not with the same bounds), and where each has
  exactly one span: *attribute* (different values) and *attribution*
  (different people). Sorted by document (review order), then position.

The three entry points pause the cyclic garbage collector while they run (the
objects they build hold no cycles); files are read in parallel threads.
"""

from __future__ import annotations

import functools
import gc
import math
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from itertools import combinations
from operator import itemgetter
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from annotator.core.agreement import (
    ONLY_ONE_ANNOTATOR,
    Agreement,
    F1Result,
    UnitizingStudy,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    match_spans,
    mean_f1,
)
from annotator.core.errors import AnnotatorError
from annotator.core.model import AttrValue, Document, Relation, Span
from annotator.core.scheme import Attribute, Scheme
from annotator.store.received import ReceivedProject, open_received

#: The label whose attribution is compared, the relation that attributes it, the
#: speaker label and the attribute naming a person of the people register.
QUOTE_LABEL = "QUOTE"
SAID_BY = "SAID_BY"
SPEAKER_LABEL = "SPEAKER"
PERSON = "person"
#: Kinds of disagreement, in the order they are listed at one position.
KINDS: tuple[str, ...] = ("missing", "boundary", "label", "attribute", "attribution")

_MODES = ("exact", "overlap")

P = ParamSpec("P")
R = TypeVar("R")


# ---- the review set -------------------------------------------------------------


@dataclass(frozen=True)
class ReviewAnnotator:
    key: str  # unique in the review: "alice", "alice (2)"
    name: str  # as written in the file
    path: Path


@dataclass(frozen=True)
class ReviewFile:
    path: Path
    owner: str
    annotators: tuple[str, ...]  # review keys
    documents: int


@dataclass(frozen=True)
class RejectedFile:
    path: Path
    reason: str


@dataclass(frozen=True)
class Conflict:
    doc_id: str
    paths: tuple[Path, ...]
    description: str


@dataclass
class ReviewDocument:
    """One text, with every annotator's annotations on it (keyed by review key)."""

    checksum: str
    document: Document
    spans: dict[str, tuple[Span, ...]] = field(default_factory=dict)
    relations: dict[str, tuple[Relation, ...]] = field(default_factory=dict)
    labels: dict[str, Mapping[str, AttrValue]] = field(default_factory=dict)
    #: who each annotator's spans are attributed to, worked out once (see ``_attributions``)
    _people: dict[str, dict[str, dict[str, str]]] = field(
        default_factory=dict, repr=False, compare=False
    )

    @property
    def id(self) -> str:
        return self.document.id

    @property
    def text(self) -> str:
        return self.document.text

    @property
    def annotators(self) -> list[str]:
        return list(self.spans)


@dataclass
class ReviewSet:
    annotators: list[ReviewAnnotator] = field(default_factory=list)
    documents: list[ReviewDocument] = field(default_factory=list)
    files: list[ReviewFile] = field(default_factory=list)
    rejected: list[RejectedFile] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: label -> attribute -> its definition, for categorical attributes of any file's scheme
    attributes: dict[str, dict[str, Attribute]] = field(default_factory=dict)
    #: categorical document labels of any file's scheme
    document_labels: dict[str, Attribute] = field(default_factory=dict)
    #: span labels in scheme order (first file first), then any others seen
    labels: list[str] = field(default_factory=list)

    def shared_documents(self) -> list[ReviewDocument]:
        """Documents at least two annotators' records count for."""
        return [d for d in self.documents if len(d.spans) >= 2]

    def span_annotators(self) -> list[str]:
        """Annotators with at least one counted record, in review order."""
        present = {k for d in self.documents for k in d.spans}
        return [a.key for a in self.annotators if a.key in present]


def unique_key(name: str, taken: set[str]) -> str:
    """"alice", then "alice (2)", "alice (3)"... : annotators of different files stay apart."""
    if name not in taken:
        return name
    k = 2
    while f"{name} ({k})" in taken:
        k += 1
    return f"{name} ({k})"


def _categorical(attr: Attribute, scheme: Scheme) -> Attribute | None:
    """The attribute with its list of values, or None when it is not measured.

    Values listed in the scheme, or the project's stance targets, are categories;
    free text and the people register (compared as attribution) are not.
    """
    if attr.source == "targets":
        return replace(attr, values=tuple(scheme.targets), ordered=False)
    if attr.values and not attr.free and not attr.source:
        return attr
    return None


def _merge_scheme(review: ReviewSet, scheme: Scheme) -> None:
    for label in scheme.labels:
        if label.name not in review.labels:
            review.labels.append(label.name)
        for attr in label.attributes:
            measured = _categorical(attr, scheme)
            if measured is not None:
                review.attributes.setdefault(label.name, {}).setdefault(attr.name, measured)
    for attr in scheme.document_labels:
        measured = _categorical(attr, scheme)
        if measured is not None:
            review.document_labels.setdefault(attr.name, measured)


@contextmanager
def _bulk() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small objects.

    Spans, tuples and dicts made here hold no reference cycles, so reference
    counting frees them all; the collector would only rescan the whole heap
    again and again (it costs more than half of loading three large files).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _in_bulk(fn: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with _bulk():
            return fn(*args, **kwargs)

    return wrapper


def _open_or_reason(path: Path) -> ReceivedProject | str:
    try:
        return open_received(path)
    except AnnotatorError as e:
        return str(e)


@_in_bulk
def load_files(paths: Iterable[str | Path]) -> ReviewSet:
    """Open every file read-only and line up their documents; refused files are listed."""
    review = ReviewSet()
    by_checksum: dict[str, ReviewDocument] = {}
    id_texts: dict[str, dict[str, list[Path]]] = defaultdict(lambda: defaultdict(list))
    taken: set[str] = set()
    seen_paths: set[Path] = set()
    wanted: list[tuple[Path, str | None]] = []  # (path, why it is skipped)
    for raw in paths:
        path = Path(raw)
        try:
            resolved = path.resolve()
        except OSError:
            resolved = path.absolute()
        if resolved in seen_paths:
            wanted.append((path, f"{path}: the same file was given twice"))
            continue
        seen_paths.add(resolved)
        wanted.append((path, None))
    # The files are read side by side: copying and SQLite's own work run without the GIL.
    to_open = [path for path, skip in wanted if skip is None]
    with ThreadPoolExecutor(max_workers=max(1, min(4, len(to_open)))) as pool:
        opened = dict(zip(to_open, pool.map(_open_or_reason, to_open), strict=True))
    for path, skip in wanted:
        outcome = skip if skip is not None else opened[path]
        if isinstance(outcome, str):
            review.rejected.append(RejectedFile(path, outcome))
            continue
        received = outcome
        with received:
            _merge_scheme(review, received.scheme)
            keys: dict[str, str] = {}

            def key_of(name: str, _keys: dict[str, str] = keys, _path: Path = path) -> str:
                if name not in _keys:
                    key = unique_key(name, taken)
                    taken.add(key)
                    _keys[name] = key
                    review.annotators.append(ReviewAnnotator(key, name, _path))
                return _keys[name]

            checksums: dict[str, str] = {}  # doc id -> checksum in this file
            claimed: dict[str, str] = {}  # checksum -> first doc id in this file
            documents = received.documents()
            for doc in documents:
                checksum = doc.checksum
                checksums[doc.id] = checksum
                id_texts[doc.id][checksum].append(path)
                if checksum in claimed:
                    review.warnings.append(
                        f"{path}: documents {claimed[checksum]!r} and {doc.id!r} have the same "
                        f"text; only {claimed[checksum]!r} is compared"
                    )
                    continue
                claimed[checksum] = doc.id
                entry = by_checksum.get(checksum)
                if entry is None:
                    entry = by_checksum[checksum] = ReviewDocument(checksum, doc)
                    review.documents.append(entry)
                if doc.labels:
                    entry.labels[key_of(received.owner)] = doc.labels
            for rec in received.records():
                checksum = checksums[rec.document.id]
                if claimed.get(checksum) != rec.document.id:
                    continue
                if not rec.spans and not rec.relations and rec.document.status == "todo":
                    continue
                entry = by_checksum[checksum]
                key = key_of(rec.annotator)
                entry.spans[key] = rec.spans
                entry.relations[key] = rec.relations
                for label in {span.label for span in rec.spans}:
                    if label not in review.labels:
                        review.labels.append(label)
            review.files.append(
                ReviewFile(path, received.owner, tuple(keys.values()), len(documents))
            )
    for doc_id, texts in id_texts.items():
        if len(texts) > 1:
            files = tuple(p for ps in texts.values() for p in ps)
            names = ", ".join(str(p) for p in dict.fromkeys(files))
            review.conflicts.append(
                Conflict(
                    doc_id,
                    files,
                    f"document {doc_id!r} has different texts in {names}; "
                    "copies with different texts are not compared",
                )
            )
    return review


# ---- helpers shared by the report and the disagreements ------------------------------


def _units(spans: Sequence[Span]) -> list[tuple[int, int, str]]:
    """The spans as units for u-alpha: each fragment of a discontinuous span is one."""
    if all(s.fragments is None for s in spans):
        return [(s.start, s.end, s.label) for s in spans]
    return [(a, b, s.label) for s in spans for a, b in s.pieces]


def _attributions(doc: ReviewDocument, key: str) -> dict[str, dict[str, str]]:
    """Span id -> the people it is attributed to (SAID_BY), for one annotator.

    Each person is keyed by the normalised form compared across annotators and
    maps to the form shown to the reviewer.
    """
    cached = doc._people.get(key)
    if cached is not None:
        return cached
    spans = doc.spans.get(key, ())
    people: dict[str, dict[str, str]] = {}
    doc._people[key] = people

    def add(span_id: str, name: str) -> None:
        shown = " ".join(name.split())
        if shown:
            people.setdefault(span_id, {}).setdefault(shown.casefold(), shown)

    for span in spans:
        if PERSON in span.attrs and span.label != SPEAKER_LABEL:
            own = span.attrs[PERSON]
            if own not in (None, ""):
                add(span.id, str(own))  # attributed with no mention in the text
    said = [r for r in doc.relations.get(key, ()) if r.label == SAID_BY]
    if said:
        by_id = {s.id: s for s in spans}
        for rel in said:
            speaker = by_id.get(rel.child)
            if speaker is None:
                continue
            person = speaker.attrs.get(PERSON)
            name = str(person) if person not in (None, "") else speaker.text_in(doc.text)
            add(rel.head, name)
    return people


def _who(people: Mapping[str, Mapping[str, str]], span_id: str) -> frozenset[str]:
    return frozenset(people.get(span_id, {}))


def _category(value: AttrValue) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _put(target: dict[str, Any], key: str, result: Agreement | F1Result) -> None:
    target[key] = result.value
    if result.value is None:
        target[f"{key}_reason"] = result.reason or "not computable"


def _kappa(values: list[dict[str, str | None]], raters: list[str], see: str) -> Agreement:
    if len(raters) < 2:
        return Agreement(None, ONLY_ONE_ANNOTATOR if raters else "no values given")
    if len(raters) != 2:
        return Agreement(None, f"Cohen's kappa needs exactly two annotators; see {see}")
    a, b = raters
    return cohen_kappa((v.get(a), v.get(b)) for v in values)


# ---- the report ---------------------------------------------------------------------


@_in_bulk
def agreement_report(review: ReviewSet) -> dict[str, Any]:
    """Agreement figures for the review, as plain JSON-able data.

    Keys: ``annotators``, ``documents`` (shared), ``spans`` (``overall`` and
    ``by_label``: ``exact_f1``, ``overlap_f1``, ``u_alpha``), ``attributes``
    (``"LABEL.attr"``: ``alpha_nominal``, ``alpha_ordinal`` when ordered,
    ``kappa``, ``n``), ``document_labels`` (also ``fleiss_kappa``),
    ``attribution`` (``agreement``, ``n``), ``by_document``; also ``files``,
    ``rejected``, ``conflicts``, ``warnings`` and ``messages``. Every null
    value has a sibling ``<key>_reason``.
    """
    annotators = review.span_annotators()
    order = {k: i for i, k in enumerate(a.key for a in review.annotators)}
    shared = review.shared_documents()
    labels = list(review.labels)

    # pooled (tp, fp, fn) per (mode, label or None) per annotator pair
    pooled: dict[tuple[str, str | None], dict[tuple[str, str], list[int]]] = defaultdict(dict)
    by_document: list[dict[str, Any]] = []
    attr_units: dict[tuple[str, str], list[dict[str, str | None]]] = defaultdict(list)
    attribution_n = attribution_same = 0
    full: list[UnitizingStudy] = []

    for doc in review.documents:
        keys = sorted(doc.spans, key=order.__getitem__)
        entry: dict[str, Any] = {
            "document": doc.id,
            "title": doc.document.display_title,
            "checksum": doc.checksum[:12],
            "annotators": keys,
            "spans": {k: len(doc.spans[k]) for k in keys},
        }
        by_document.append(entry)
        if len(keys) < 2:
            reason = ONLY_ONE_ANNOTATOR if keys else "nobody annotated it"
            for name in ("exact_f1", "overlap_f1", "u_alpha"):
                entry[name] = None
                entry[f"{name}_reason"] = reason
            continue
        doc_counts: dict[str, list[tuple[int, int, int]]] = {m: [] for m in _MODES}
        people = {k: _attributions(doc, k) for k in keys}
        # exact matching is a multiset intersection of (label, start, end, fragments)
        keyed = {k: [(s.label, s.start, s.end, s.fragments) for s in doc.spans[k]] for k in keys}
        exact_keys = {k: Counter(keyed[k]) for k in keys}
        labels_of = {k: Counter(s.label for s in doc.spans[k]) for k in keys}
        for x, y in combinations(keys, 2):
            sx, sy = doc.spans[x], doc.spans[y]
            count_x, count_y = labels_of[x], labels_of[y]
            common = exact_keys[x] & exact_keys[y]
            overlap = match_spans(sx, sy, mode="overlap")
            tp_by_mode = {
                "exact": (sum(common.values()), Counter(_by_label(common))),
                "overlap": (len(overlap), Counter(sx[i].label for i, _ in overlap)),
            }
            for mode, (tp, tp_label) in tp_by_mode.items():
                doc_counts[mode].append((tp, len(sy) - tp, len(sx) - tp))
                _add(pooled[(mode, None)], (x, y), tp, len(sy) - tp, len(sx) - tp)
                for label in count_x.keys() | count_y.keys():
                    t = tp_label[label]
                    _add(pooled[(mode, label)], (x, y), t, count_y[label] - t, count_x[label] - t)
            # attribution: quotes matched by overlap (labels never compete in matching)
            for i, j in overlap:
                if sx[i].label != QUOTE_LABEL:
                    continue
                px = _who(people[x], sx[i].id)
                py = _who(people[y], sy[j].id)
                if px or py:
                    attribution_n += 1
                    attribution_same += px == py
        for mode in _MODES:
            _put(entry, f"{mode}_f1", mean_f1(doc_counts[mode], annotators=len(keys)))
        study = UnitizingStudy(len(doc.text), {k: _units(doc.spans[k]) for k in keys})
        _put(entry, "u_alpha", study.alphas()[None])
        if len(keys) == len(annotators):
            full.append(study)  # annotated by everyone: part of the joint continuum
        # attribute units: exact positions held by two annotators or more
        positions: dict[tuple[Any, ...], dict[str, Span]] = defaultdict(dict)
        for k in keys:
            for position, span in zip(keyed[k], doc.spans[k], strict=True):
                if span.label in review.attributes:
                    positions[position].setdefault(k, span)
        for (label, *_), holders in positions.items():
            if len(holders) < 2:
                continue  # nothing to compare it with
            measured = review.attributes[label]
            # a unit where nobody gave the attribute has no value to compare
            for given in {a for span in holders.values() for a in span.attrs if a in measured}:
                attr_units[(label, given)].append(
                    {k: _category(span.attrs.get(given)) for k, span in holders.items()}
                )

    report: dict[str, Any] = {
        "annotators": annotators,
        "documents": len(shared),
        "files": [
            {
                "path": str(f.path),
                "owner": f.owner,
                "annotators": list(f.annotators),
                "documents": f.documents,
            }
            for f in review.files
        ],
    }

    # spans
    spans_overall: dict[str, Any] = {}
    for mode in _MODES:
        _put(spans_overall, f"{mode}_f1", _pooled_f1(pooled, mode, None, len(annotators)))
    # u-alpha over the documents everyone annotated, joined into one continuum
    alphas = UnitizingStudy.concatenate(full).alphas() if full and len(annotators) >= 2 else {}

    def u_alpha(label: str | None) -> Agreement:
        if len(annotators) < 2:
            return Agreement(None, ONLY_ONE_ANNOTATOR)
        if not full:
            return Agreement(None, f"no document annotated by all {len(annotators)} annotators")
        if label in alphas:
            return alphas[label]
        return Agreement(None, f"no {label} units: nobody marked anything")

    _put(spans_overall, "u_alpha", u_alpha(None))
    spans_overall["u_alpha_documents"] = len(full)
    by_label: dict[str, Any] = {}
    for label in labels:
        row: dict[str, Any] = {}
        for mode in _MODES:
            _put(row, f"{mode}_f1", _pooled_f1(pooled, mode, label, len(annotators)))
        _put(row, "u_alpha", u_alpha(label))
        by_label[label] = row
    report["spans"] = {"overall": spans_overall, "by_label": by_label}

    # attributes of exact matches
    attributes: dict[str, Any] = {}
    for label, attrs in review.attributes.items():
        for name, attr in attrs.items():
            values = attr_units.get((label, name), [])
            raters = [k for k in annotators if any(v.get(k) is not None for v in values)]
            row = _categorical_row(values, raters, attr, see="alpha_nominal")
            attributes[f"{label}.{name}"] = row
    report["attributes"] = attributes

    # document labels (the file owners')
    document_labels: dict[str, Any] = {}
    owners = [a.key for a in review.annotators]
    for name, attr in review.document_labels.items():
        values = [
            {k: _category(v.get(name)) for k, v in d.labels.items()} for d in review.documents
        ]
        values = [v for v in values if any(x is not None for x in v.values())]
        raters = [k for k in owners if any(v.get(k) is not None for v in values)]
        row = _categorical_row(values, raters, attr, see="fleiss_kappa")
        if len(raters) < 2:
            _put(row, "fleiss_kappa", Agreement(None, ONLY_ONE_ANNOTATOR))
        else:
            _put(row, "fleiss_kappa", fleiss_kappa([[v.get(k) for k in raters] for v in values]))
        document_labels[name] = row
    report["document_labels"] = document_labels

    attribution: dict[str, Any] = {"n": attribution_n}
    if len(annotators) < 2:
        _put(attribution, "agreement", Agreement(None, ONLY_ONE_ANNOTATOR))
    elif attribution_n == 0:
        reason = "no matched quote was attributed by either annotator"
        _put(attribution, "agreement", Agreement(None, reason))
    else:
        attribution["agreement"] = attribution_same / attribution_n
    report["attribution"] = attribution

    report["by_document"] = by_document
    report["rejected"] = [{"path": str(r.path), "reason": r.reason} for r in review.rejected]
    report["conflicts"] = [
        {"document": c.doc_id, "files": [str(p) for p in c.paths], "description": c.description}
        for c in review.conflicts
    ]
    report["warnings"] = list(review.warnings)
    report["messages"] = _messages(review, annotators, shared)
    return report


def _by_label(common: Mapping[tuple[Any, ...], int]) -> Iterator[str]:
    for key, count in common.items():
        for _ in range(count):
            yield key[0]


def _add(target: dict[tuple[str, str], list[int]], pair: tuple[str, str], *c: int) -> None:
    row = target.setdefault(pair, [0, 0, 0])
    row[0] += c[0]
    row[1] += c[1]
    row[2] += c[2]


def _pooled_f1(
    pooled: Mapping[tuple[str, str | None], Mapping[tuple[str, str], list[int]]],
    mode: str,
    label: str | None,
    annotators: int,
) -> F1Result:
    pairs = pooled.get((mode, label), {})
    if not pairs and pooled.get((mode, None)):
        # shared documents exist, but nobody used this label
        return F1Result(None, None, None, reason="no spans from any annotator", pairs=0)
    return mean_f1(((c[0], c[1], c[2]) for c in pairs.values()), annotators=annotators)


def _categorical_row(
    values: list[dict[str, str | None]], raters: list[str], attr: Attribute, *, see: str
) -> dict[str, Any]:
    units = [[v.get(k) for k in raters] for v in values]
    row: dict[str, Any] = {}
    if len(raters) < 2:
        nominal = Agreement(None, ONLY_ONE_ANNOTATOR if raters else "no values given")
    else:
        nominal = krippendorff_alpha(units)
    _put(row, "alpha_nominal", nominal)
    if attr.ordered:
        if len(raters) < 2:
            _put(row, "alpha_ordinal", nominal)
        else:
            _put(row, "alpha_ordinal", krippendorff_alpha(units, "ordinal", order=attr.values))
    _put(row, "kappa", _kappa(values, raters, see))
    row["n"] = nominal.n
    return row


def _messages(review: ReviewSet, annotators: list[str], shared: list[ReviewDocument]) -> list[str]:
    messages: list[str] = []
    loaded = len(review.files)
    if loaded == 0:
        messages.append("no file could be opened")
    elif len(annotators) < 2:
        messages.append("only one annotator: there is nothing to compare")
    elif not shared:
        messages.append(
            "no documents in common: no document text appears in the files of two annotators"
        )
    return messages


# ---- disagreements --------------------------------------------------------------------


@dataclass(frozen=True)
class Disagreement:
    """One place where annotators differ, for the reviewer to visit."""

    doc_id: str
    start: int
    end: int
    kind: str  # one of KINDS
    annotators: tuple[str, ...]
    description: str
    checksum: str = ""


def _fmt_span(span: Span) -> str:
    return " + ".join(f"[{a}, {b})" for a, b in span.pieces)


def _clusters(items: list[tuple[int, int, str, int, Span]]) -> list[list[tuple[str, Span]]]:
    """Groups of spans (of one label) that overlap, directly or through a chain.

    ``items`` are ``(start, end, annotator, index, span)``; they are sorted here.
    """
    items.sort(key=_POSITION)
    groups: list[list[tuple[str, Span]]] = []
    end = -1
    for start, stop, k, _, span in items:
        if start < end:
            groups[-1].append((k, span))
            if stop > end:
                end = stop
        else:
            groups.append([(k, span)])
            end = stop
    return groups


_POSITION = itemgetter(0, 1, 2, 3)


def _overlaps(s: Span, t: Span) -> bool:
    return s.start < t.end and t.start < s.end


class _SpanIndex:
    """One annotator's spans of a document, to ask which of them overlap a stretch."""

    def __init__(self, spans: Iterable[Span]) -> None:
        self.spans = sorted(spans, key=lambda s: s.start)
        self.starts = [s.start for s in self.spans]
        self.longest = max((s.end - s.start for s in self.spans), default=0)

    def overlapping(self, start: int, end: int) -> list[Span]:
        found = []
        k = bisect_left(self.starts, end) - 1  # starting before ``end`` ...
        floor = start - self.longest  # ... and not so early that they end before ``start``
        while k >= 0 and self.starts[k] > floor:
            span = self.spans[k]
            if span.end > start:
                found.append(span)
            k -= 1
        return found


def _all_alike(group: list[tuple[str, Span]], people: Mapping[str, Any]) -> bool:
    """Whether every annotator has one span here, with the same bounds, attributes and
    attribution (the caller checked there are as many spans as annotators)."""
    k0, first = group[0]
    who = _who(people[k0], first.id)
    names = {k0}
    for k, span in group[1:]:
        if (
            k in names
            or span.start != first.start
            or span.end != first.end
            or span.fragments != first.fragments
            or span.attrs != first.attrs
            or _who(people[k], span.id) != who
        ):
            return False
        names.add(k)
    return True


def _document_disagreements(doc: ReviewDocument, keys: list[str]) -> list[Disagreement]:
    found: dict[tuple[str, int, int, tuple[str, ...], str], Disagreement] = {}

    def emit(kind: str, start: int, end: int, who: Iterable[str], text: str) -> None:
        involved = set(who)
        names = tuple(k for k in keys if k in involved)
        key = (kind, start, end, names, text if kind != "label" else "")
        found.setdefault(key, Disagreement(doc.id, start, end, kind, names, text, doc.checksum))

    by_label: dict[str, list[tuple[int, int, str, int, Span]]] = defaultdict(list)
    for k in keys:
        for i, s in enumerate(doc.spans[k]):
            by_label[s.label].append((s.start, s.end, k, i, s))
    people = {k: _attributions(doc, k) for k in keys}
    index = {k: _SpanIndex(doc.spans[k]) for k in keys}
    for label, items in by_label.items():
        for group in _clusters(items):
            if len(group) == len(keys) and _all_alike(group, people):
                continue  # everyone marked it the same way: the common case, quickly
            start = min(s.start for _, s in group)
            end = max(s.end for _, s in group)
            mine: dict[str, list[Span]] = defaultdict(list)
            for k, s in group:
                mine[k].append(s)
            present = [k for k in keys if k in mine]
            absent = [k for k in keys if k not in mine]
            confused: dict[str, list[Span]] = {}
            for z in absent:
                others = [
                    t
                    for t in index[z].overlapping(start, end)
                    if t.label != label and any(_overlaps(t, s) for _, s in group)
                ]
                # a differently labelled span counts as a label confusion only if the
                # annotators who marked this one did not also mark that label there
                others = [
                    t
                    for t in others
                    if not any(
                        u.label == t.label
                        for k in present
                        for u in index[k].overlapping(t.start, t.end)
                    )
                ]
                if others:
                    confused[z] = others
            missing = [z for z in absent if z not in confused]
            if missing:
                emit(
                    "missing",
                    start,
                    end,
                    present + missing,
                    f"{label} marked by {', '.join(present)}; not by {', '.join(missing)}",
                )
            if confused:
                lo = min([start, *(t.start for ts in confused.values() for t in ts)])
                hi = max([end, *(t.end for ts in confused.values() for t in ts)])
                labels_of = {k: sorted({t.label for t in ts}) for k, ts in confused.items()}
                # one description for both sides of the confusion, so it is listed once
                sides = {k: [label] for k in present} | labels_of
                text = "; ".join(f"{k}: {'/'.join(sides[k])}" for k in keys if k in sides)
                emit("label", lo, hi, [*present, *confused], text)
            if len(present) >= 2:
                shapes = {k: tuple(sorted(s.pieces for s in mine[k])) for k in present}
                if len(set(shapes.values())) > 1:
                    parts = ", ".join(
                        f"{k} {' and '.join(_fmt_span(s) for s in mine[k])}" for k in present
                    )
                    emit("boundary", start, end, present, f"{label} boundaries differ: {parts}")
                if all(len(mine[k]) == 1 for k in present):
                    one = {k: mine[k][0] for k in present}
                    # a quote's own person is compared below, as attribution
                    skip = {PERSON} if label != SPEAKER_LABEL else set()
                    for attr in sorted({a for s in one.values() for a in s.attrs} - skip):
                        vals = {k: _category(one[k].attrs.get(attr)) for k in present}
                        if len(set(vals.values())) > 1:
                            parts = ", ".join(f"{k}={vals[k] or '(none)'}" for k in present)
                            emit("attribute", start, end, present, f"{label}.{attr}: {parts}")
                    said = {k: _who(people[k], one[k].id) for k in present}
                    if any(said.values()) and len(set(said.values())) > 1:
                        shown = {k: sorted(people[k].get(one[k].id, {}).values()) for k in present}
                        parts = ", ".join(
                            f"{k} → {', '.join(shown[k]) or '(nobody)'}" for k in present
                        )
                        emit("attribution", start, end, present, f"{label} attributed to: {parts}")
    return list(found.values())


@_in_bulk
def disagreements(review: ReviewSet) -> list[Disagreement]:
    """Every place annotators differ on a shared document, by document then position."""
    order = {k: i for i, k in enumerate(a.key for a in review.annotators)}
    kind_rank = {k: i for i, k in enumerate(KINDS)}
    result: list[Disagreement] = []
    for doc in review.documents:
        if len(doc.spans) < 2:
            continue
        keys = sorted(doc.spans, key=order.__getitem__)
        found = _document_disagreements(doc, keys)
        found.sort(key=lambda d: (d.start, d.end, kind_rank[d.kind], d.description))
        result.extend(found)
    return result


# ---- plain-text table --------------------------------------------------------------------


def _num(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.3f}"
    return str(value)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = []
    for r in [header, *rows]:
        cells = [str(r[0]).ljust(widths[0])] + [
            str(c).rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    return lines


def format_table(report: Mapping[str, Any]) -> str:
    """The report as plain text for a terminal; reasons for empty cells are listed below."""
    out: list[str] = []
    notes: list[str] = []

    def cell(where: str, row: Mapping[str, Any], key: str) -> str:
        if key not in row:
            return ""
        value = row[key]
        reason = row.get(f"{key}_reason")
        if value is None and reason:
            note = f"{where} {key}: {reason}"
            if note not in notes:
                notes.append(note)
            return "—"
        return _num(value)

    names = report.get("annotators", [])
    out.append(
        f"Agreement between {len(names)} annotator(s) on {report.get('documents', 0)} "
        "shared document(s)"
    )
    for f in report.get("files", []):
        out.append(f"  {f['path']}: {', '.join(f['annotators']) or f['owner']}")
    out.append("")
    spans = report.get("spans", {})
    rows = [["all labels"] + [cell("spans", spans.get("overall", {}), k) for k in _SPAN_KEYS]]
    for label, row in spans.get("by_label", {}).items():
        rows.append([label] + [cell(label, row, k) for k in _SPAN_KEYS])
    out += _table(["Spans", "exact F1", "overlap F1", "u-alpha"], rows)
    attrs = report.get("attributes", {})
    if attrs:
        out.append("")
        rows = [
            [
                name,
                *(cell(name, row, k) for k in ("alpha_nominal", "alpha_ordinal", "kappa")),
                str(row.get("n", 0)),
            ]
            for name, row in attrs.items()
        ]
        out += _table(["Attributes", "alpha", "alpha ord.", "kappa", "n"], rows)
    doc_labels = report.get("document_labels", {})
    if doc_labels:
        out.append("")
        keys = ("alpha_nominal", "alpha_ordinal", "kappa", "fleiss_kappa")
        rows = [
            [name, *(cell(name, row, k) for k in keys), str(row.get("n", 0))]
            for name, row in doc_labels.items()
        ]
        out += _table(["Document labels", "alpha", "alpha ord.", "kappa", "Fleiss", "n"], rows)
    attribution = report.get("attribution", {})
    out.append("")
    out += _table(
        ["Attribution", "agreement", "n"],
        [["quotes", cell("attribution", attribution, "agreement"), str(attribution.get("n", 0))]],
    )
    for title, key in (("Messages", "messages"), ("Warnings", "warnings")):
        if report.get(key):
            out += ["", f"{title}:"] + [f"  {m}" for m in report[key]]
    if report.get("rejected"):
        out += ["", "Files not read:"] + [f"  {r['reason']}" for r in report["rejected"]]
    if report.get("conflicts"):
        out += ["", "Conflicts:"] + [f"  {c['description']}" for c in report["conflicts"]]
    if notes:
        out += ["", "Not computed (—):"] + [f"  {n}" for n in notes]
    return "\n".join(out) + "\n"


_SPAN_KEYS = ("exact_f1", "overlap_f1", "u_alpha")
