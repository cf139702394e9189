"""Inter-annotator agreement measures: pure Python (stdlib only), never a made-up number.

This module owns the measures; ``annotator.io.review`` decides what to feed them.

* ``match_spans`` / ``pairwise_f1`` / ``mean_f1`` -- span F1 between annotators,
  with exact boundaries or any overlap (one-to-one, greedy by largest overlap),
  the label always required to match. F1 is symmetric, so for more than two
  annotators the F1 of every pair is averaged.
* ``cohen_kappa`` (two raters), ``fleiss_kappa`` (a fixed number of raters per
  item), ``krippendorff_alpha`` (any number of raters, missing values allowed;
  nominal, ordinal or interval) -- for categorical judgements.
* ``unitizing_alpha`` / ``unitizing_alphas`` / ``UnitizingStudy`` --
  Krippendorff's u-alpha for where units begin and end on a continuum, as
  DKPro Statistics and INCEpTION compute it; a study can be cut once per
  document and joined into one continuum for a whole corpus.

Every measure returns a result with ``value`` (``float`` or ``None``), a
``reason`` whenever ``value`` is ``None`` (e.g. "only one annotator", "no
variation (expected disagreement is 0)"), and ``n``, the count it rests on.
Degenerate input never raises and never divides by zero. Counting is done
with integers (and ``Fraction`` for alpha and kappa) so that "no variation"
is detected exactly; results become ``float`` only at the end.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations
from operator import attrgetter
from typing import Any, Literal, cast

from annotator.core.model import Span

Value = Hashable
Piece = tuple[int, int]
#: A span for the measures: a ``Span`` (fragments honoured) or ``(start, end, label)``.
SpanInput = Span | tuple[int, int, str]
MatchMode = Literal["exact", "overlap"]
Level = Literal["nominal", "ordinal", "interval"]

ONLY_ONE_ANNOTATOR = "only one annotator"
NO_VARIATION = "no variation (expected disagreement is 0)"
NO_UNITS = "no units: nobody marked anything"


# ---- results ------------------------------------------------------------------


@dataclass(frozen=True)
class Agreement:
    """The result of a chance-corrected measure.

    ``observed``/``expected`` are the observed and expected disagreement (alpha)
    or agreement (kappa) behind ``value``; ``excluded`` counts input items left
    out (e.g. items with too few ratings).
    """

    value: float | None
    reason: str | None = None
    n: int = 0
    observed: float | None = None
    expected: float | None = None
    excluded: int = 0

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"value": self.value, "n": self.n}
        if self.value is None:
            d["reason"] = self.reason
        if self.observed is not None:
            d["observed"] = self.observed
        if self.expected is not None:
            d["expected"] = self.expected
        if self.excluded:
            d["excluded"] = self.excluded
        return d


@dataclass(frozen=True)
class F1Result:
    """Span F1. For two annotators ``a`` is the reference (recall) and ``b`` the
    candidate (precision); F1 does not depend on that choice. For several pairs
    ``precision``, ``recall`` and ``f1`` are the means over the pairs and the
    counts are summed over them."""

    precision: float | None
    recall: float | None
    f1: float | None
    tp: int = 0
    fp: int = 0
    fn: int = 0
    reason: str | None = None
    pairs: int = 1

    @property
    def value(self) -> float | None:
        return self.f1

    @property
    def n(self) -> int:
        """Spans compared, counting both sides of every pair."""
        return 2 * self.tp + self.fp + self.fn

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "value": self.f1,
            "precision": self.precision,
            "recall": self.recall,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "n": self.n,
        }
        if self.f1 is None:
            d["reason"] = self.reason
        return d


def _none(reason: str, n: int = 0, excluded: int = 0) -> Agreement:
    return Agreement(None, reason, n, excluded=excluded)


# ---- span matching and F1 -----------------------------------------------------

# A normalised span: (start, end, label, fragments or None).
_Norm = tuple[int, int, str, tuple[Piece, ...] | None]


def _norm(span: SpanInput) -> _Norm:
    if isinstance(span, tuple):
        start, end, label = span
        return (start, end, label, None)
    return (span.start, span.end, span.label, span.fragments)


_SPAN_FIELDS = attrgetter("start", "end", "label", "fragments")


def _norms(spans: Sequence[SpanInput]) -> list[_Norm]:
    try:
        return list(map(_SPAN_FIELDS, spans))  # all Span objects: done in C
    except AttributeError:
        return [_norm(s) for s in spans]


def _overlap(x: _Norm, y: _Norm) -> int:
    """Characters two spans share (fragments honoured)."""
    if x[3] is None and y[3] is None:
        return min(x[1], y[1]) - max(x[0], y[0])
    p = x[3] or ((x[0], x[1]),)
    q = y[3] or ((y[0], y[1]),)
    return sum(max(0, min(b1, b2) - max(a1, a2)) for a1, b1 in p for a2, b2 in q)


def match_spans(
    spans_a: Sequence[SpanInput], spans_b: Sequence[SpanInput], *, mode: MatchMode = "exact"
) -> list[tuple[int, int]]:
    """One-to-one matches ``(index in a, index in b)`` between two annotators' spans.

    ``exact``: same label and the same pieces. ``overlap``: same label and at
    least one shared character; candidates are taken greedily by largest
    overlap, then smallest boundary difference, then position (deterministic).
    Labels never compete: the matches of one label do not depend on the others.
    """
    if mode not in ("exact", "overlap"):
        raise ValueError(f"unknown match mode {mode!r}")
    a = _norms(spans_a)
    b = _norms(spans_b)
    # identical spans first, in order. In overlap mode this changes nothing: an
    # identical pair shares all its characters with a boundary difference of 0,
    # which no other candidate of either span can beat, so the greedy takes it first.
    exact: list[tuple[int, int]] = []
    where = dict(zip(b, range(len(b)), strict=True))
    if len(where) == len(b):  # no span given twice by b: one index per span
        for i, x in enumerate(a):
            j = where.pop(x, None)
            if j is not None:
                exact.append((i, j))
    else:
        free: dict[_Norm, list[int]] = defaultdict(list)
        for j in range(len(b) - 1, -1, -1):
            free[b[j]].append(j)
        for i, x in enumerate(a):
            stack = free.get(x)
            if stack:
                exact.append((i, stack.pop()))
    if mode == "exact" or len(exact) in (len(a), len(b)):
        return exact
    used_a = {i for i, _ in exact}
    used_b = {j for _, j in exact}
    groups: dict[str, list[int]] = defaultdict(list)
    for j in sorted((j for j in range(len(b)) if j not in used_b), key=lambda j: b[j][0]):
        groups[b[j][2]].append(j)
    index = {
        label: ([b[j][0] for j in js], max(b[j][1] - b[j][0] for j in js), js)
        for label, js in groups.items()
    }
    candidates: list[tuple[int, int, int, int]] = []  # (-overlap, boundary diff, i, j)
    for i, x in enumerate(a):
        if i in used_a:
            continue
        found = index.get(x[2])
        if found is None:
            continue
        starts, longest, js = found
        k = bisect_left(starts, x[1]) - 1  # the b spans starting before x ends ...
        floor = x[0] - longest  # ... and not so early that they end before x starts
        while k >= 0 and starts[k] > floor:
            j = js[k]
            y = b[j]
            ov = _overlap(x, y)
            if ov > 0:
                candidates.append((-ov, abs(x[0] - y[0]) + abs(x[1] - y[1]), i, j))
            k -= 1
    candidates.sort()
    matches = exact
    for _, _, i, j in candidates:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            matches.append((i, j))
    matches.sort()
    return matches


def f1_from_counts(tp: int, fp: int, fn: int) -> F1Result:
    """F1 from one pair's counts (``fp``: only in b; ``fn``: only in a)."""
    if tp + fp + fn == 0:
        return F1Result(None, None, None, 0, 0, 0, reason="no spans from either annotator")
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    return F1Result(precision, recall, 2 * tp / (2 * tp + fp + fn), tp, fp, fn)


def pairwise_f1(
    spans_a: Sequence[SpanInput], spans_b: Sequence[SpanInput], *, mode: MatchMode = "exact"
) -> F1Result:
    """Precision, recall and F1 of ``b`` against ``a`` (labels must match)."""
    tp = len(match_spans(spans_a, spans_b, mode=mode))
    return f1_from_counts(tp, len(spans_b) - tp, len(spans_a) - tp)


def mean_f1(pair_counts: Iterable[tuple[int, int, int]], *, annotators: int = 2) -> F1Result:
    """Average F1 over annotator pairs, each given as its summed ``(tp, fp, fn)``.

    Pairs with no spans on either side have no F1 and are left out of the mean.
    """
    if annotators < 2:
        return F1Result(None, None, None, reason=ONLY_ONE_ANNOTATOR, pairs=0)
    results = [f1_from_counts(*c) for c in pair_counts]
    if not results:
        return F1Result(None, None, None, reason="no document annotated by two annotators", pairs=0)
    defined = [r for r in results if r.f1 is not None]
    tp = sum(r.tp for r in results)
    fp = sum(r.fp for r in results)
    fn = sum(r.fn for r in results)
    if not defined:
        return F1Result(None, None, None, tp, fp, fn, "no spans from any annotator", len(results))
    precisions = [r.precision for r in defined if r.precision is not None]
    recalls = [r.recall for r in defined if r.recall is not None]
    return F1Result(
        sum(precisions) / len(precisions) if precisions else None,
        sum(recalls) / len(recalls) if recalls else None,
        sum(r.f1 for r in defined if r.f1 is not None) / len(defined),
        tp,
        fp,
        fn,
        None,
        len(defined),
    )


def average_pairwise_f1(
    documents: Sequence[Mapping[str, Sequence[SpanInput]]], *, mode: MatchMode = "exact"
) -> F1Result:
    """F1 averaged over every pair of annotators, counts pooled over the documents.

    Each document maps annotator -> spans; a pair is compared on the documents
    both annotated.
    """
    names = sorted({who for doc in documents for who in doc})
    counts: dict[tuple[str, str], list[int]] = {}
    for doc in documents:
        for x, y in combinations(sorted(doc), 2):
            tp = len(match_spans(doc[x], doc[y], mode=mode))
            c = counts.setdefault((x, y), [0, 0, 0])
            c[0] += tp
            c[1] += len(doc[y]) - tp
            c[2] += len(doc[x]) - tp
    return mean_f1(((c[0], c[1], c[2]) for c in counts.values()), annotators=len(names))


# ---- kappa ------------------------------------------------------------------------


def cohen_kappa(pairs: Iterable[tuple[Value | None, Value | None]]) -> Agreement:
    """Cohen's (1960) kappa for two raters; pairs with a missing value are excluded."""
    items = list(pairs)
    kept = [(x, y) for x, y in items if x is not None and y is not None]
    excluded = len(items) - len(kept)
    n = len(kept)
    if n == 0:
        return _none("no item rated by both annotators", 0, excluded)
    agree = sum(1 for x, y in kept if x == y)
    first = Counter(x for x, _ in kept)
    second = Counter(y for _, y in kept)
    chance = sum(first[c] * second[c] for c in first)  # expected agreement x n^2
    if chance == n * n:
        return Agreement(
            None,
            "no variation (both annotators gave every item the same single value)",
            n,
            observed=agree / n,
            expected=1.0,
            excluded=excluded,
        )
    kappa = Fraction(agree * n - chance, n * n - chance)
    return Agreement(float(kappa), None, n, agree / n, chance / (n * n), excluded)


def fleiss_kappa(items: Sequence[Sequence[Value | None]]) -> Agreement:
    """Fleiss' (1971) kappa: every item rated by the same number of raters.

    ``None`` marks a missing rating. That number is the largest number of
    ratings any item has; items with fewer ratings are excluded and counted.
    """
    if not items:
        return _none("no items")
    rated = [[v for v in item if v is not None] for item in items]
    m = max(len(r) for r in rated)
    if m < 2:
        return _none("fewer than two ratings per item", 0, len(items))
    kept = [r for r in rated if len(r) == m]
    excluded = len(items) - len(kept)
    big_n = len(kept)
    squares = 0
    totals: Counter[Value] = Counter()
    for ratings in kept:
        counts = Counter(ratings)
        squares += sum(c * c for c in counts.values())
        totals.update(counts)
    p_bar = Fraction(squares - big_n * m, big_n * m * (m - 1))
    p_e = Fraction(sum(t * t for t in totals.values()), (big_n * m) ** 2)
    if p_e == 1:
        return Agreement(
            None,
            "no variation (every rating is the same value)",
            big_n,
            observed=float(p_bar),
            expected=1.0,
            excluded=excluded,
        )
    kappa = (p_bar - p_e) / (1 - p_e)
    return Agreement(float(kappa), None, big_n, float(p_bar), float(p_e), excluded)


# ---- Krippendorff's alpha ---------------------------------------------------------


def krippendorff_alpha(
    units: Sequence[Sequence[Value | None]],
    level: Level = "nominal",
    order: Sequence[Value] | None = None,
) -> Agreement:
    """Krippendorff's alpha by the coincidence matrix (Krippendorff 2011).

    ``units`` holds, per unit, the values the raters gave (``None`` = missing).
    Units with fewer than two values are not pairable and are ignored
    (counted in ``excluded``). ``ordinal`` uses the rank metric
    ``delta2(c, k) = (sum of n_g for g from c to k - (n_c + n_k) / 2) ** 2``
    over the values in ``order`` (default: the values sorted); ``interval``
    uses ``(c - k) ** 2`` on numbers.

    alpha = 1 - (n - 1) * sum(o_ck * delta2) / sum(n_c * n_k * delta2)
    """
    # identical units contribute identically: each distinct one is counted once, weighted
    distinct: Counter[tuple[Value, ...]] = Counter()
    for unit, weight in Counter(map(tuple, units)).items():
        vals = tuple(v for v in unit if v is not None)
        if len(vals) >= 2:
            distinct[vals] += weight
    n_units = sum(distinct.values())
    excluded = len(units) - n_units
    if not distinct:
        return _none("no unit has two or more values", 0, excluded)
    # coincidences: pairs of values within a unit (not with themselves), weighted 1 / (m_u - 1)
    by_m: dict[int, Counter[tuple[Value, Value]]] = defaultdict(Counter)
    marginals: Counter[Value] = Counter()
    for vals, weight in distinct.items():
        counts = Counter(vals)
        acc = by_m[len(vals)]
        for c, nc in counts.items():
            marginals[c] += nc * weight
            for k, nk in counts.items():
                pairs = nc * (nk - 1) if c == k else nc * nk
                if pairs:
                    acc[(c, k)] += pairs * weight
    coincidence: dict[tuple[Value, Value], Fraction] = defaultdict(Fraction)
    for m, acc in by_m.items():
        for ck, pairs in acc.items():
            coincidence[ck] += Fraction(pairs, m - 1)
    n = sum(marginals.values())
    metric = _metric(level, marginals, order)
    if isinstance(metric, str):
        return _none(metric, n_units, excluded)
    observed = sum((o * metric(c, k) for (c, k), o in coincidence.items()), Fraction(0))
    values = list(marginals)
    expected = sum(
        (marginals[c] * marginals[k] * metric(c, k) for c in values for k in values), Fraction(0)
    )
    d_o = observed / n
    if expected == 0:
        return Agreement(None, NO_VARIATION, n_units, float(d_o), 0.0, excluded)
    alpha = 1 - (n - 1) * observed / expected
    return Agreement(
        float(alpha), None, n_units, float(d_o), float(expected / (n * (n - 1))), excluded
    )


def _metric(level: str, marginals: Mapping[Value, int], order: Sequence[Value] | None) -> Any:
    """The squared difference function for ``level``, or a reason string when impossible."""
    if level == "nominal":
        return lambda c, k: Fraction(0) if c == k else Fraction(1)
    if level == "interval":
        for v in marginals:
            if isinstance(v, bool) or not isinstance(v, int | float | Fraction):
                return f"interval alpha needs numbers, found {v!r}"
        return lambda c, k: (Fraction(c) - Fraction(k)) ** 2
    if level != "ordinal":
        return f"unknown level of measurement {level!r}"
    if order is None:
        try:
            ranked: list[Value] = sorted(cast(Iterable[Any], marginals))
        except TypeError:
            return "values cannot be ordered; give their order"
    else:
        ranked = list(dict.fromkeys(order))
        missing = [v for v in marginals if v not in ranked]
        if missing:
            return f"value {missing[0]!r} is not in the given order"
    rank = {v: i for i, v in enumerate(ranked)}
    cumulative = [0]
    for v in ranked:
        cumulative.append(cumulative[-1] + marginals.get(v, 0))

    def ordinal(c: Value, k: Value) -> Fraction:
        lo, hi = sorted((rank[c], rank[k]))
        between = cumulative[hi + 1] - cumulative[lo]
        return (between - Fraction(marginals[c] + marginals[k], 2)) ** 2

    return ordinal


# ---- unitizing alpha --------------------------------------------------------------


def _merged(units: list[Piece]) -> list[Piece]:
    """Sorted, with overlapping units merged (touching units stay apart)."""
    units.sort()
    out: list[Piece] = []
    last = -1
    for s, e in units:
        if s < last:
            if e > last:
                out[-1] = (out[-1][0], e)
                last = e
        else:
            out.append((s, e))
            last = e
    return out


def _gaps(units: list[Piece], length: int) -> list[int]:
    """Lengths of the stretches of ``[0, length)`` between an annotator's units."""
    gaps: list[int] = []
    pos = 0
    for s, e in units:
        if s > pos:
            gaps.append(s - pos)
        pos = e
    if pos < length:
        gaps.append(length - pos)
    return gaps


def _pair_disagreement(a: list[Piece], b: list[Piece]) -> int:
    """Sum of delta2 over the sections of two annotators (each unordered pair once).

    Their sections tile the continuum, so a unit lies wholly inside a gap of the
    other exactly when it overlaps none of the other's units: then it costs its
    squared length; overlapping units cost the squared differences of both ends.
    """
    total = 0
    i = j = 0
    na, nb = len(a), len(b)
    hit_a = hit_b = False  # whether a[i] / b[j] has overlapped a unit of the other
    while i < na and j < nb:
        sa, ea = a[i]
        sb, eb = b[j]
        if ea <= sb:
            if not hit_a:
                total += (ea - sa) ** 2
            i += 1
            hit_a = False
        elif eb <= sa:
            if not hit_b:
                total += (eb - sb) ** 2
            j += 1
            hit_b = False
        else:
            total += (sa - sb) ** 2 + (ea - eb) ** 2
            hit_a = hit_b = True
            if ea <= eb:
                i += 1
                hit_a = False
            if eb <= ea:
                j += 1
                hit_b = False
    for k in range(i, na):
        if not (hit_a and k == i):
            total += (a[k][1] - a[k][0]) ** 2
    for k in range(j, nb):
        if not (hit_b and k == j):
            total += (b[k][1] - b[k][0]) ** 2
    return total


def _expected_terms(length: int, merged: list[list[Piece]]) -> tuple[int, int, int]:
    """The expected disagreement of one category as integers ``(total, denominator, N_c)``:
    ``D_e = 2 * total / (L * denominator)``.

    ``merged`` holds each annotator's disjoint sorted units.
    """
    r = len(merged)
    unit_lengths: list[int] = []
    gaps: list[int] = []
    for units in merged:
        unit_lengths += [e - s for s, e in units]
        gaps += _gaps(units, length)
    gaps.sort()
    suffix = [0] * (len(gaps) + 1)
    for i in range(len(gaps) - 1, -1, -1):
        suffix[i] = suffix[i + 1] + gaps[i]
    n_c = len(unit_lengths)
    total = 0
    squares = 0
    for ell, count in Counter(unit_lengths).items():  # units of one length cost alike
        # a unit against the other units, shifted: (N_c - 1) * 2 * sum(k^2, k < l)
        shifted = (n_c - 1) * (2 * ell**3 - 3 * ell**2 + ell) // 3
        # a unit placed anywhere inside a gap at least as long: l^2 per position
        first = bisect_left(gaps, ell)
        placed = ell * ell * (suffix[first] - (len(gaps) - first) * (ell - 1))
        total += count * (shifted + placed)
        squares += count * ell * (ell - 1)
    return total, r * length * (r * length - 1) - squares, n_c


class UnitizingStudy:
    """Several annotators' units on one continuum, cut once per category.

    ``alphas()`` gives u-alpha per category and overall; ``concatenate`` joins
    studies of the same annotators end to end (e.g. the documents of a corpus)
    without cutting them again: observed disagreement adds up, since no section
    pair spans two of them, and the gaps meeting at each join merge.
    """

    def __init__(
        self, continuum_length: int, annotations: Mapping[str, Sequence[tuple[int, int, str]]]
    ) -> None:
        self.length = continuum_length
        self.annotators = tuple(annotations)
        #: per category: each annotator's merged units, and the pairwise observed sum
        self.categories: dict[str, tuple[list[list[Piece]], int]] = {}
        self.error: Agreement | None = None
        if len(annotations) < 2:
            self.error = _none(ONLY_ONE_ANNOTATOR)
            return
        if continuum_length <= 0:
            self.error = _none("empty continuum (no text)")
            return
        per_label: dict[str, list[list[Piece]]] = {}
        raters = len(annotations)
        for r, (who, units) in enumerate(annotations.items()):
            for start, end, lab in units:
                if not (0 <= start < end <= continuum_length):
                    self.error = _none(
                        f"unit ({start}, {end}) of {who} does not lie within 0..{continuum_length}"
                    )
                    return
                lists = per_label.get(lab)
                if lists is None:
                    lists = per_label[lab] = [[] for _ in range(raters)]
                lists[r].append((start, end))
        for lab, lists in per_label.items():
            merged = [_merged(units) for units in lists]
            observed = sum(
                _pair_disagreement(merged[x], merged[y]) for x, y in combinations(range(raters), 2)
            )
            self.categories[lab] = (merged, observed)

    @classmethod
    def concatenate(cls, studies: Sequence[UnitizingStudy]) -> UnitizingStudy:
        """One study of the continua joined in order (same annotators, in the same order)."""
        joined = cls(0, {})
        if not studies:
            joined.error = _none("no continuum to join")
            return joined
        joined.annotators = studies[0].annotators
        for study in studies:
            if study.error is not None:
                joined.error = study.error
                return joined
            if study.annotators != joined.annotators:
                joined.error = _none("the continua do not have the same annotators")
                return joined
        joined.error = None
        raters = len(joined.annotators)
        offset = 0
        for study in studies:
            for lab, (merged, observed) in study.categories.items():
                if lab not in joined.categories:
                    joined.categories[lab] = ([[] for _ in range(raters)], 0)
                target, total = joined.categories[lab]
                for r in range(raters):
                    target[r].extend((s + offset, e + offset) for s, e in merged[r])
                joined.categories[lab] = (target, total + observed)
            offset += study.length
        joined.length = offset
        return joined

    def alphas(self) -> dict[str | None, Agreement]:
        """u-alpha of every category present, and (key ``None``) of all together."""
        if self.error is not None:
            return {None: self.error}
        if not self.categories:
            return {None: _none(NO_UNITS)}
        r, length = len(self.annotators), self.length
        o_scale = r * (r - 1) * length * length  # D_o = 2 * observed / o_scale
        results: dict[str | None, Agreement] = {}
        observed_sum = 0
        d_e_sum = 0.0
        varies = False
        units_total = 0
        for lab in sorted(self.categories):
            merged, observed = self.categories[lab]
            total, denominator, n_c = _expected_terms(length, merged)
            d_o = 2 * observed / o_scale
            units_total += n_c
            observed_sum += observed
            if total <= 0 or denominator <= 0:
                results[lab] = Agreement(None, NO_VARIATION, n_c, d_o, 0.0)
                continue
            varies = True
            d_e = 2 * total / (length * denominator)
            d_e_sum += d_e
            # 1 - D_o / D_e, as one exact ratio of integers rounded once
            ratio = observed * denominator / (r * (r - 1) * length * total)
            results[lab] = Agreement(1 - ratio, None, n_c, d_o, d_e)
        count = len(self.categories)
        d_o_mean = 2 * observed_sum / o_scale / count
        if not varies:
            results[None] = Agreement(None, NO_VARIATION, units_total, d_o_mean, 0.0)
        else:
            d_e_mean = d_e_sum / count
            results[None] = Agreement(
                1 - d_o_mean / d_e_mean, None, units_total, d_o_mean, d_e_mean
            )
        return results


def unitizing_alphas(
    continuum_length: int, annotations: Mapping[str, Sequence[tuple[int, int, str]]]
) -> dict[str | None, Agreement]:
    """``unitizing_alpha`` of every category present, and (key ``None``) of all together.

    Each category is computed once; the joint value combines them as
    ``unitizing_alpha(..., label=None)`` does.
    """
    return UnitizingStudy(continuum_length, annotations).alphas()


def unitizing_alpha(
    continuum_length: int,
    annotations: Mapping[str, Sequence[tuple[int, int, str]]],
    label: str | None = None,
) -> Agreement:
    """Krippendorff's unitizing alpha (u-alpha) on one continuum ``[0, continuum_length)``.

    ``annotations`` maps every annotator (including those who marked nothing)
    to their units ``(start, end, label)``, end exclusive. With ``label`` the
    alpha of that category; without, of all categories together: observed and
    expected disagreement are averaged over the categories present, as DKPro
    Statistics' ``KrippendorffAlphaUnitizingAgreement`` does.

    For one category ``c`` each annotator's continuum is cut into sections:
    their units of ``c`` and the gaps between them ("not a unit"). With ``m``
    annotators, continuum length ``L``, units of length ``l`` and gaps of
    length ``g`` (Krippendorff 1995; 2004, ch. 12):

    * delta2 of a section ``g`` of one annotator and ``h`` of another is
      ``(b_g - b_h)^2 + (e_g - e_h)^2`` when both are overlapping units,
      ``l_g^2`` when unit ``g`` lies wholly inside gap ``h`` (and symmetrically),
      and 0 otherwise.
    * ``D_o = sum over ordered annotator pairs of sum delta2 / (m (m-1) L^2)``.
    * ``D_e = 2/L * sum over units [ (N_c - 1) (2l^3 - 3l^2 + l) / 3
      + l^2 * sum over gaps g >= l of (g - l + 1) ]
      / (m L (m L - 1) - sum over units l (l - 1))``,
      ``N_c`` being the number of units of ``c`` over all annotators.
    * ``alpha = 1 - D_o / D_e``.

    Overlapping units of one annotator and category are merged first.
    """
    results = unitizing_alphas(continuum_length, annotations)
    if label is None:
        return results[None]
    if label in results:
        return results[label]
    overall = results[None]
    if len(results) == 1 and overall.reason != NO_UNITS:
        return overall  # one annotator, no text, or a unit outside the text
    return _none(f"no {label} units: nobody marked anything")
