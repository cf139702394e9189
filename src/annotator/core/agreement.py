"""Inter-annotator agreement measures: pure Python, exact arithmetic, never a made-up number.

This module owns the measures; ``annotator.io.review`` decides what to feed them.

* ``match_spans`` / ``pairwise_f1`` / ``mean_f1`` -- span F1 between annotators,
  with exact boundaries or any overlap (one-to-one, greedy by largest overlap),
  the label always required to match. F1 is symmetric, so for more than two
  annotators the F1 of every pair is averaged.
* ``cohen_kappa`` (two raters), ``fleiss_kappa`` (a fixed number of raters per
  item), ``krippendorff_alpha`` (any number of raters, missing values allowed;
  nominal, ordinal or interval) -- for categorical judgements.
* ``unitizing_alpha`` -- Krippendorff's u-alpha for where units begin and end
  on a continuum, as DKPro Statistics and INCEpTION compute it.

Every measure returns a result with ``value`` (``float`` or ``None``), a
``reason`` whenever ``value`` is ``None`` (e.g. "only one annotator", "no
variation (expected disagreement is 0)"), and ``n``, the count it rests on.
Degenerate input never raises and never divides by zero. Counting is done
with integers and ``Fraction`` so that "no variation" is detected exactly; the
result is converted to ``float`` only at the end.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations
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

# A normalised span: (start, end, label, pieces).
_Norm = tuple[int, int, str, tuple[Piece, ...]]


def _norm(span: SpanInput) -> _Norm:
    if isinstance(span, tuple):
        start, end, label = span
        return (start, end, label, ((start, end),))
    return (span.start, span.end, span.label, span.pieces)


def _overlap(p: tuple[Piece, ...], q: tuple[Piece, ...]) -> int:
    if len(p) == 1 and len(q) == 1:
        return max(0, min(p[0][1], q[0][1]) - max(p[0][0], q[0][0]))
    return sum(max(0, min(b1, b2) - max(a1, a2)) for a1, b1 in p for a2, b2 in q)


def match_spans(
    spans_a: Sequence[SpanInput], spans_b: Sequence[SpanInput], *, mode: MatchMode = "exact"
) -> list[tuple[int, int]]:
    """One-to-one matches ``(index in a, index in b)`` between two annotators' spans.

    ``exact``: same label and the same pieces. ``overlap``: same label and at
    least one shared character; candidates are taken greedily by largest
    overlap, then smallest boundary difference, then position (deterministic).
    """
    a = [_norm(s) for s in spans_a]
    b = [_norm(s) for s in spans_b]
    if mode == "exact":
        free: dict[tuple[str, tuple[Piece, ...]], list[int]] = defaultdict(list)
        for j in range(len(b) - 1, -1, -1):
            free[(b[j][2], b[j][3])].append(j)
        exact: list[tuple[int, int]] = []
        for i, s in enumerate(a):
            stack = free.get((s[2], s[3]))
            if stack:
                exact.append((i, stack.pop()))
        return exact
    if mode != "overlap":
        raise ValueError(f"unknown match mode {mode!r}")
    by_label: dict[str, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for i, s in enumerate(a):
        by_label[s[2]][0].append(i)
    for j, s in enumerate(b):
        by_label[s[2]][1].append(j)
    candidates: list[tuple[int, int, int, int]] = []  # (-overlap, boundary diff, i, j)
    for ia, jb in by_label.values():
        if not ia or not jb:
            continue
        events = sorted(
            [(a[i][0], 0, i) for i in ia] + [(b[j][0], 1, j) for j in jb],
        )
        active: tuple[list[int], list[int]] = ([], [])
        for start, side, k in events:
            other = active[1 - side]
            source = b if side == 0 else a
            other[:] = [x for x in other if source[x][1] > start]
            mine = (a if side == 0 else b)[k]
            for x in other:
                theirs = source[x]
                ov = _overlap(mine[3], theirs[3])
                if ov > 0:
                    i, j = (k, x) if side == 0 else (x, k)
                    diff = abs(a[i][0] - b[j][0]) + abs(a[i][1] - b[j][1])
                    candidates.append((-ov, diff, i, j))
            active[side].append(k)
    candidates.sort()
    used_a: set[int] = set()
    used_b: set[int] = set()
    matches: list[tuple[int, int]] = []
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
    pairable = [vals for vals in ([v for v in u if v is not None] for u in units) if len(vals) >= 2]
    excluded = len(units) - len(pairable)
    if not pairable:
        return _none("no unit has two or more values", 0, excluded)
    # coincidences: pairs of values within a unit (not with themselves), weighted 1 / (m_u - 1)
    by_m: dict[int, Counter[tuple[Value, Value]]] = defaultdict(Counter)
    marginals: Counter[Value] = Counter()
    for vals in pairable:
        counts = Counter(vals)
        marginals.update(counts)
        acc = by_m[len(vals)]
        for c, nc in counts.items():
            for k, nk in counts.items():
                pairs = nc * (nk - 1) if c == k else nc * nk
                if pairs:
                    acc[(c, k)] += pairs
    coincidence: dict[tuple[Value, Value], Fraction] = defaultdict(Fraction)
    for m, acc in by_m.items():
        for ck, pairs in acc.items():
            coincidence[ck] += Fraction(pairs, m - 1)
    n = sum(marginals.values())
    metric = _metric(level, marginals, order)
    if isinstance(metric, str):
        return _none(metric, len(pairable), excluded)
    observed = sum((o * metric(c, k) for (c, k), o in coincidence.items()), Fraction(0))
    values = list(marginals)
    expected = sum(
        (marginals[c] * marginals[k] * metric(c, k) for c in values for k in values), Fraction(0)
    )
    d_o = observed / n
    if expected == 0:
        return Agreement(None, NO_VARIATION, len(pairable), float(d_o), 0.0, excluded)
    alpha = 1 - (n - 1) * observed / expected
    return Agreement(
        float(alpha), None, len(pairable), float(d_o), float(expected / (n * (n - 1))), excluded
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

# A section of one annotator's continuum for one category: (begin, end, is_unit).
_Section = tuple[int, int, bool]


def _sections(units: list[Piece], length: int) -> tuple[list[_Section], list[int], list[int]]:
    """Cut ``[0, length)`` into units and the gaps between them.

    Overlapping units of one annotator are merged first (u-alpha requires each
    annotator's units of a category to be disjoint); touching units stay apart.
    Returns the sections, the unit lengths and the gap lengths.
    """
    merged: list[list[int]] = []
    for s, e in sorted(units):
        if merged and s < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    sections: list[_Section] = []
    unit_lengths: list[int] = []
    gap_lengths: list[int] = []
    pos = 0
    for s, e in merged:
        if s > pos:
            sections.append((pos, s, False))
            gap_lengths.append(s - pos)
        sections.append((s, e, True))
        unit_lengths.append(e - s)
        pos = e
    if pos < length:
        sections.append((pos, length, False))
        gap_lengths.append(length - pos)
    return sections, unit_lengths, gap_lengths


def _delta2(g: _Section, h: _Section) -> int:
    """Krippendorff's squared distance between two sections of two annotators."""
    bg, eg, unit_g = g
    bh, eh, unit_h = h
    if unit_g and unit_h:
        if bg < eh and bh < eg:  # overlapping units: squared differences of both ends
            return (bg - bh) ** 2 + (eg - eh) ** 2
        return 0
    if unit_g and not unit_h:  # a unit lying wholly inside the other's gap
        return (eg - bg) ** 2 if bh <= bg and eg <= eh else 0
    if unit_h and not unit_g:
        return (eh - bh) ** 2 if bg <= bh and eh <= eg else 0
    return 0


def _pair_disagreement(a: list[_Section], b: list[_Section]) -> int:
    """Sum of delta2 over every pair of overlapping sections (both tile the continuum)."""
    total = 0
    i = j = 0
    while i < len(a) and j < len(b):
        total += _delta2(a[i], b[j])
        if a[i][1] < b[j][1]:
            i += 1
        elif a[i][1] > b[j][1]:
            j += 1
        else:
            i += 1
            j += 1
    return total


def _category_disagreements(
    length: int, per_annotator: list[list[Piece]]
) -> tuple[Fraction, Fraction, int]:
    """Observed and expected disagreement of one category, and its number of units."""
    r = len(per_annotator)
    cut = [_sections(units, length) for units in per_annotator]
    observed = sum(_pair_disagreement(cut[x][0], cut[y][0]) for x, y in combinations(range(r), 2))
    d_o = Fraction(2 * observed, r * (r - 1) * length * length)
    unit_lengths = [u for _, units, _ in cut for u in units]
    gaps = sorted(g for _, _, gs in cut for g in gs)
    suffix = [0] * (len(gaps) + 1)
    for i in range(len(gaps) - 1, -1, -1):
        suffix[i] = suffix[i + 1] + gaps[i]
    n_c = len(unit_lengths)
    total = 0
    for ell in unit_lengths:
        # a unit against the other units, shifted: (N_c - 1) * 2 * sum(k^2, k < l)
        total += (n_c - 1) * (2 * ell**3 - 3 * ell**2 + ell) // 3
        # a unit placed anywhere inside a gap at least as long: l^2 per position
        first = bisect_left(gaps, ell)
        fits = len(gaps) - first
        total += ell * ell * (suffix[first] - fits * (ell - 1))
    denominator = r * length * (r * length - 1) - sum(u * (u - 1) for u in unit_lengths)
    d_e = Fraction(2 * total, length * denominator) if denominator > 0 else Fraction(0)
    return d_o, d_e, n_c


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
    if len(annotations) < 2:
        return _none(ONLY_ONE_ANNOTATOR)
    if continuum_length <= 0:
        return _none("empty continuum (no text)")
    categories: set[str] = set()
    for who, units in annotations.items():
        for start, end, lab in units:
            if not (0 <= start < end <= continuum_length):
                return _none(
                    f"unit ({start}, {end}) of {who} does not lie within 0..{continuum_length}"
                )
            categories.add(lab)
    wanted = sorted(categories) if label is None else [label]
    d_o_sum = Fraction(0)
    d_e_sum = Fraction(0)
    units_total = 0
    for category in wanted:
        per = [[(s, e) for s, e, lab in units if lab == category] for units in annotations.values()]
        d_o, d_e, n_c = _category_disagreements(continuum_length, per)
        d_o_sum += d_o
        d_e_sum += d_e
        units_total += n_c
    if units_total == 0:
        what = f"no {label} units" if label is not None else "no units"
        return _none(f"{what}: nobody marked anything")
    count = len(wanted)
    d_o_mean, d_e_mean = d_o_sum / count, d_e_sum / count
    if d_e_sum == 0:
        return Agreement(None, NO_VARIATION, units_total, float(d_o_mean), 0.0)
    alpha = 1 - d_o_sum / d_e_sum
    return Agreement(float(alpha), None, units_total, float(d_o_mean), float(d_e_mean))
