"""Agreement measures against published worked examples, and their degenerate cases."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.core.agreement import (
    ONLY_ONE_ANNOTATOR,
    UnitizingStudy,
    average_pairwise_f1,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    match_spans,
    mean_f1,
    pairwise_f1,
    unitizing_alpha,
    unitizing_alphas,
)
from annotator.core.model import Span

# ---- Krippendorff's alpha -------------------------------------------------------------

_ = None
#: Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C:
#: 4 observers (A-D) x 12 units, values 1-5, "." (here None) for missing.
RELIABILITY_DATA = {
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
    "C": [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
}
UNITS = [list(u) for u in zip(*RELIABILITY_DATA.values(), strict=True)]


def test_krippendorff_2011_nominal() -> None:
    """Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", C.1: alpha = 0.743.

    Unit 12 has a single value, so it is not pairable: 11 units, n = 40 values.
    The coincidence matrix gives D_o = 0.2 (8 mismatching pairs / 40).
    """
    result = krippendorff_alpha(UNITS, "nominal")
    assert result.value == pytest.approx(0.743, abs=5e-4)
    assert result.n == 11
    assert result.excluded == 1
    assert result.observed == pytest.approx(0.2)


def test_krippendorff_2011_ordinal() -> None:
    """Krippendorff (2011), C.2, the same data as ordinal values: alpha = 0.815."""
    result = krippendorff_alpha(UNITS, "ordinal")
    assert result.value == pytest.approx(0.815, abs=5e-4)
    # the order defaults to the values sorted; giving it explicitly changes nothing
    assert krippendorff_alpha(UNITS, "ordinal", order=[1, 2, 3, 4, 5]).value == result.value


def test_krippendorff_2011_interval() -> None:
    """Krippendorff (2011), C.3, the same data as interval values: alpha = 0.849."""
    assert krippendorff_alpha(UNITS, "interval").value == pytest.approx(0.849, abs=5e-4)


def test_ordinal_alpha_depends_on_the_given_order() -> None:
    """Hand computation: units (a, b), (b, c), each value a, b, c once or twice.

    Marginals n_a = 1, n_b = 2, n_c = 1, n = 4; coincidences o_ab = o_ba = o_bc = o_cb = 1.
    Order a < b < c: delta2(a, b) = (1 + 2 - 1.5)^2 = 2.25 = delta2(b, c);
    delta2(a, c) = (1 + 2 + 1 - 1)^2 = 9. Observed sum = 4 * 2.25 = 9;
    expected sum = 2 * (1*2*2.25 + 2*1*2.25 + 1*1*9) = 36; alpha = 1 - 3 * 9 / 36 = 0.25.
    Order a < c < b makes (a, b) the far pair: delta2(a, b) = (1 + 1 + 2 - 1.5)^2 = 6.25,
    delta2(c, b) = 2.25, delta2(a, c) = 1: observed = 2 * 6.25 + 2 * 2.25 = 17; expected
    = 2 * (2 * 6.25 + 1 * 1 + 2 * 2.25) = 36; alpha = 1 - 3 * 17 / 36 = -0.41666...
    """
    units: list[list[str | None]] = [["a", "b"], ["b", "c"]]
    assert krippendorff_alpha(units, "ordinal", order=["a", "b", "c"]).value == pytest.approx(0.25)
    assert krippendorff_alpha(units, "ordinal", order=["a", "c", "b"]).value == pytest.approx(
        1 - 3 * 17 / 36
    )


def test_alpha_degenerate_cases_give_reasons_not_numbers() -> None:
    assert krippendorff_alpha([]).reason == "no unit has two or more values"
    lonely = krippendorff_alpha([["x", None], [None, "y"]])
    assert (lonely.value, lonely.excluded) == (None, 2)
    same = krippendorff_alpha([["x", "x"], ["x", "x", "x"]])
    assert same.value is None and same.reason is not None and "no variation" in same.reason
    outside = krippendorff_alpha([["low", "high"]], "ordinal", order=["low"])
    assert outside.value is None and "'high' is not in the given order" in str(outside.reason)
    words = krippendorff_alpha([["low", "high"]], "interval")
    assert words.value is None and "numbers" in str(words.reason)


# ---- kappa ---------------------------------------------------------------------------------


def test_cohen_kappa_wikipedia_example() -> None:
    """Wikipedia, "Cohen's kappa", worked example: 50 proposals read by A and B.

    Both yes 20, A yes / B no 5, A no / B yes 10, both no 15.
    p_o = 35/50 = 0.7; p_yes = 25/50 * 30/50 = 0.3, p_no = 25/50 * 20/50 = 0.2,
    p_e = 0.5; kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4.
    """
    pairs = [("yes", "yes")] * 20 + [("yes", "no")] * 5 + [("no", "yes")] * 10 + [("no", "no")] * 15
    result = cohen_kappa(pairs)
    assert result.value == pytest.approx(0.4)
    assert (result.observed, result.expected, result.n) == (pytest.approx(0.7), 0.5, 50)


def test_cohen_kappa_degenerate_cases() -> None:
    assert cohen_kappa([]).reason == "no item rated by both annotators"
    missing = cohen_kappa([("a", None), (None, "b")])
    assert (missing.value, missing.excluded) == (None, 2)
    constant = cohen_kappa([("a", "a")] * 5)
    assert constant.value is None and "no variation" in str(constant.reason)
    assert cohen_kappa([("a", "a"), ("b", "b")]).value == 1.0


def test_fleiss_kappa_wikipedia_example() -> None:
    """Fleiss (1971) / Wikipedia "Fleiss' kappa" worked example: 10 subjects, 14 raters,
    5 categories. P-bar = 0.378, P_e = 0.213, kappa = 0.210."""
    table = [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
    items = [[cat for cat, count in enumerate(row) for _ in range(count)] for row in table]
    result = fleiss_kappa(items)
    assert result.value == pytest.approx(0.210, abs=5e-4)
    assert result.observed == pytest.approx(0.378, abs=5e-4)
    assert result.expected == pytest.approx(0.213, abs=5e-4)
    assert result.n == 10


def test_fleiss_kappa_excludes_items_with_fewer_ratings() -> None:
    result = fleiss_kappa([["a", "a", "b"], ["b", "b", "b"], ["a", None, "a"], [None, None, None]])
    assert (result.n, result.excluded) == (2, 2)
    assert fleiss_kappa([]).reason == "no items"
    assert fleiss_kappa([["a"], ["b", None]]).reason == "fewer than two ratings per item"
    assert "no variation" in str(fleiss_kappa([["a", "a"], ["a", "a"]]).reason)


# ---- span F1 -------------------------------------------------------------------------------


def test_exact_and_overlap_f1_by_hand() -> None:
    """a: QUOTE [0, 10), QUOTE [20, 30), SPEAKER [40, 45); b: QUOTE [0, 10), QUOTE [22, 30),
    CLAIM [40, 45). Exact: tp = 1, fp = 2, fn = 2 -> F1 = 2/(2 + 4) = 1/3. Overlap: the
    shifted quote matches too (tp = 2, fp = fn = 1 -> F1 = 4/6); the SPEAKER/CLAIM pair
    never does, the label must match."""
    a = [(0, 10, "QUOTE"), (20, 30, "QUOTE"), (40, 45, "SPEAKER")]
    b = [(0, 10, "QUOTE"), (22, 30, "QUOTE"), (40, 45, "CLAIM")]
    exact = pairwise_f1(a, b, mode="exact")
    assert (exact.tp, exact.fp, exact.fn) == (1, 2, 2)
    assert exact.f1 == pytest.approx(1 / 3)
    overlap = pairwise_f1(a, b, mode="overlap")
    assert (overlap.tp, overlap.fp, overlap.fn) == (2, 1, 1)
    assert overlap.value == pytest.approx(2 / 3)
    assert overlap.precision == overlap.recall == pytest.approx(2 / 3)


def test_overlap_matching_is_one_to_one_by_largest_overlap() -> None:
    a = [(0, 10, "QUOTE")]
    b = [(0, 3, "QUOTE"), (2, 10, "QUOTE")]
    assert match_spans(a, b, mode="overlap") == [(0, 1)]
    result = pairwise_f1(a, b, mode="overlap")
    assert (result.tp, result.fp, result.fn) == (1, 1, 0)


def test_fragments_match_exactly_only_with_the_same_pieces() -> None:
    split = Span("q1", 0, 20, "QUOTE", fragments=((0, 5), (15, 20)))
    whole = Span("q2", 0, 20, "QUOTE")
    assert pairwise_f1([split], [whole], mode="exact").tp == 0
    assert pairwise_f1([split], [split.with_(id="x")], mode="exact").tp == 1
    assert pairwise_f1([split], [Span("q3", 6, 14, "QUOTE")], mode="overlap").tp == 0
    assert pairwise_f1([split], [whole], mode="overlap").tp == 1


def test_f1_degenerate_cases() -> None:
    nothing = pairwise_f1([], [])
    assert nothing.value is None and nothing.reason == "no spans from either annotator"
    one_sided = pairwise_f1([(0, 1, "QUOTE")], [])
    assert (one_sided.f1, one_sided.precision, one_sided.recall) == (0.0, None, 0.0)
    assert average_pairwise_f1([{"a": [(0, 1, "Q")]}]).reason == ONLY_ONE_ANNOTATOR
    assert mean_f1([], annotators=2).reason == "no document annotated by two annotators"


def test_average_pairwise_f1_averages_the_pairs() -> None:
    """Three annotators on one document: a = b = {Q[0,5)}, c = {Q[0,4)}.
    Exact F1 per pair: (a, b) = 1, (a, c) = 0, (b, c) = 0 -> mean 1/3."""
    doc = {"a": [(0, 5, "Q")], "b": [(0, 5, "Q")], "c": [(0, 4, "Q")]}
    result = average_pairwise_f1([doc], mode="exact")
    assert result.value == pytest.approx(1 / 3)
    assert result.pairs == 3
    assert average_pairwise_f1([doc], mode="overlap").value == 1.0


spans_strategy = st.lists(
    st.tuples(st.integers(0, 40), st.integers(1, 10), st.sampled_from(["Q", "S"])).map(
        lambda t: (t[0], t[0] + t[1], t[2])
    ),
    max_size=8,
)


@given(spans_strategy, spans_strategy)
def test_f1_is_symmetric(a: list[tuple[int, int, str]], b: list[tuple[int, int, str]]) -> None:
    for mode in ("exact", "overlap"):
        ab = pairwise_f1(a, b, mode=mode)  # type: ignore[arg-type]
        ba = pairwise_f1(b, a, mode=mode)  # type: ignore[arg-type]
        assert ab.f1 == ba.f1
        assert (ab.fp, ab.fn) == (ba.fn, ba.fp)


# ---- unitizing alpha -----------------------------------------------------------------------


def test_unitizing_alpha_hand_computed() -> None:
    """The example of DKPro Statistics' UnitizingAgreementTest (Meyer, Habernal), by hand.

    Continuum L = 10, m = 2 annotators, one category A:
        r0: -11111111-   one unit [1, 9)
        r1: --1-1-1---   units [2, 3), [4, 5), [6, 7)
    Observed: r0's unit overlaps each unit of r1:
        delta2 = (1-2)^2 + (9-3)^2 = 37;  (1-4)^2 + (9-5)^2 = 25;  (1-6)^2 + (9-7)^2 = 29
        (no unit lies inside a gap of the other), sum = 91, both orders = 182;
        D_o = 182 / (m (m-1) L^2) = 182 / 200 = 0.91.
    Expected: units l = 8, 1, 1, 1 (N_c = 4); gaps r0: 1, 1; r1: 2, 1, 1, 3.
        l = 8: (N_c - 1)(2*512 - 3*64 + 8)/3 = 840; no gap >= 8.
        l = 1: (N_c - 1)(2 - 3 + 1)/3 = 0; 1 * sum over gaps of (g - 1 + 1) = 9; three units: 27.
        sum = 867; D_e = 2/L * 867 / (m L (m L - 1) - sum l(l-1)) = 173.4 / (380 - 56)
            = 0.535185...
    alpha = 1 - 0.91 / 0.535185 = -0.70035 (DKPro asserts -0.7003).
    """
    result = unitizing_alpha(
        10, {"r0": [(1, 9, "A")], "r1": [(2, 3, "A"), (4, 5, "A"), (6, 7, "A")]}
    )
    assert result.observed == pytest.approx(0.91)
    assert result.expected == pytest.approx(173.4 / 324)
    assert result.value == pytest.approx(1 - 0.91 / (173.4 / 324))
    assert result.value == pytest.approx(-0.7003, abs=1e-4)
    assert result.n == 4


def _krippendorff_2004() -> dict[str, list[tuple[int, int, str]]]:
    """Krippendorff (2004), Content Analysis, 2nd ed., p. 254: two observers, continuum
    [150, 450) (shifted here to [0, 300)), categories c and k, as encoded in DKPro
    Statistics' Krippendorff2004Test."""
    raw = {
        "i": [(225, 70, "c"), (370, 30, "c"), (180, 60, "k"), (300, 50, "k")],
        "j": [(220, 80, "c"), (355, 20, "c"), (400, 20, "c"), (180, 60, "k"), (300, 50, "k")],
    }
    return {who: [(b - 150, b - 150 + n, c) for b, n, c in units] for who, units in raw.items()}


def test_unitizing_alpha_krippendorff_2004_example() -> None:
    """Published values (Krippendorff 2004, p. 254; DKPro Statistics' test): category c:
    D_o = 0.0144, D_e = 0.0532, alpha_c = 0.7286; category k: D_o = 0, alpha_k = 1;
    all categories: alpha = 0.8591 (DKPro's tolerance 0.0005)."""
    data = _krippendorff_2004()
    c = unitizing_alpha(300, data, "c")
    assert c.observed == pytest.approx(0.0144, abs=1e-4)
    assert c.expected == pytest.approx(0.0532, abs=1e-4)
    assert c.value == pytest.approx(0.7286, abs=1e-4)
    k = unitizing_alpha(300, data, "k")
    assert (k.value, k.observed) == (1.0, 0.0)
    assert k.expected == pytest.approx(0.0490, abs=1e-4)
    assert unitizing_alpha(300, data).value == pytest.approx(0.8591, abs=5e-4)


def _krippendorff_1995(stretch: int) -> dict[str, list[tuple[int, int, str]]]:
    """Krippendorff (1995), "On the reliability of unitizing contiguous data", p. 57: four
    pairs of coders on a continuum of 24, one category each (A-D), coded as
    (begin, length, category); stretched by a factor as in DKPro's Krippendorff1995Test."""
    r0 = [(2, 8, "A"), (14, 6, "A"), (0, 18, "B")]
    r0 += [(2, 6, "C"), (10, 2, "C"), (14, 4, "C"), (20, 2, "C")]
    r0 += [(0, 2, "D"), (2, 8, "D"), (10, 4, "D"), (14, 6, "D"), (20, 4, "D")]
    r1 = [(4, 4, "A"), (15, 2, "A")]
    r1 += [(0, 2, "B"), (2, 1, "B"), (3, 1, "B"), (4, 1, "B"), (5, 1, "B"), (6, 3, "B")]
    r1 += [(9, 1, "B"), (0, 2, "C"), (4, 4, "C"), (10, 4, "C"), (16, 2, "C"), (20, 2, "C")]
    r1 += [(0, 4, "D"), (4, 4, "D"), (8, 7, "D"), (15, 2, "D"), (17, 7, "D")]
    return {
        who: [(b * stretch, (b + n) * stretch, c) for b, n, c in units]
        for who, units in (("0", r0), ("1", r1))
    }


def test_unitizing_alpha_krippendorff_1995_example() -> None:
    """Krippendorff (1995), p. 57, as checked by DKPro Statistics: observed disagreement
    at the original scale A 0.03125, B 2.26736, C 0.02777, D 0.38715; expected
    disagreement and alpha on the continuum stretched to 1,200,000 (tolerances 0.005
    and 0.02, DKPro's): A 0.06990 / 0.553, B 1.17731 / -0.926, D 0.41445 / 0.066.
    (For C the published D_e 0.08642 is off by about 0.004 -- DKPro notes "a small
    error in the computation of D_E in the original reference".)"""
    data = _krippendorff_1995(1)
    observed = {c: unitizing_alpha(24, data, c).observed for c in "ABCD"}
    assert observed == pytest.approx(
        {"A": 0.03125, "B": 2.26736, "C": 0.02777, "D": 0.38715}, abs=1e-5
    )
    big = _krippendorff_1995(50_000)
    for category, d_e, alpha in (
        ("A", 0.06990, 0.553),
        ("B", 1.17731, -0.926),
        ("D", 0.41445, 0.066),
    ):
        result = unitizing_alpha(24 * 50_000, big, category)
        assert result.expected == pytest.approx(d_e, abs=0.005)
        assert result.value == pytest.approx(alpha, abs=0.02)


def test_unitizing_alpha_limits() -> None:
    same = [(0, 5, "Q"), (10, 20, "Q"), (30, 31, "S")]
    assert unitizing_alpha(50, {"a": same, "b": list(same), "c": list(same)}).value == 1.0
    disjoint = unitizing_alpha(50, {"a": [(0, 10, "Q"), (20, 30, "Q")], "b": [(35, 45, "Q")]})
    assert disjoint.value is not None and disjoint.value <= 0
    # DKPro's testSingleAnnotationUnit: 3 raters, L = 20, one unit [0, 1) -> D_o = D_e, alpha 0
    single = unitizing_alpha(20, {"0": [(0, 1, "X")], "1": [], "2": []})
    assert single.value == pytest.approx(0.0)


def test_unitizing_alpha_degenerate_cases() -> None:
    assert unitizing_alpha(10, {"a": [(0, 1, "Q")]}).reason == ONLY_ONE_ANNOTATOR
    assert unitizing_alpha(0, {"a": [], "b": []}).reason == "empty continuum (no text)"
    assert unitizing_alpha(10, {"a": [], "b": []}).reason == "no units: nobody marked anything"
    assert unitizing_alpha(10, {"a": [(0, 1, "Q")], "b": []}, "S").reason == (
        "no S units: nobody marked anything"
    )
    outside = unitizing_alpha(10, {"a": [(5, 12, "Q")], "b": []})
    assert outside.value is None and "does not lie within 0..10" in str(outside.reason)


def test_overlapping_units_of_one_annotator_are_merged() -> None:
    merged = unitizing_alpha(20, {"a": [(0, 5, "Q"), (3, 8, "Q")], "b": [(0, 8, "Q")]})
    assert merged.value == 1.0


# ---- the fast paths agree with plain transcriptions of the definitions -------------------


def _reference_unitizing(
    length: int, annotations: dict[str, list[tuple[int, int]]]
) -> tuple[float, float]:
    """D_o and D_e of one category, written straight from Krippendorff's formulas: every
    section of every annotator against every section of every other, and every unit
    against every gap (O(n^2), for checking only). Units must not overlap."""
    cuts = []
    for units in annotations.values():
        sections, pos = [], 0
        for s, e in sorted(units):
            if s > pos:
                sections.append((pos, s, False))
            sections.append((s, e, True))
            pos = e
        if pos < length:
            sections.append((pos, length, False))
        cuts.append(sections)

    def delta2(g: tuple[int, int, bool], h: tuple[int, int, bool]) -> int:
        (bg, eg, ug), (bh, eh, uh) = g, h
        if ug and uh and bg < eh and bh < eg:
            return (bg - bh) ** 2 + (eg - eh) ** 2
        if ug and not uh and bh <= bg and eg <= eh:
            return (eg - bg) ** 2
        if uh and not ug and bg <= bh and eh <= eg:
            return (eh - bh) ** 2
        return 0

    m = len(cuts)
    observed = sum(
        delta2(g, h) for i in range(m) for j in range(m) if i != j for g in cuts[i] for h in cuts[j]
    )
    d_o = observed / (m * (m - 1) * length**2)
    units = [e - b for sections in cuts for b, e, u in sections if u]
    gaps = [e - b for sections in cuts for b, e, u in sections if not u]
    n_c = len(units)
    total = sum(
        (n_c - 1) * (2 * ell**3 - 3 * ell**2 + ell) / 3
        + ell**2 * sum(g - ell + 1 for g in gaps if g >= ell)
        for ell in units
    )
    d_e = 2 / length * total / (m * length * (m * length - 1) - sum(u * (u - 1) for u in units))
    return d_o, d_e


disjoint_units = st.lists(
    st.tuples(st.integers(0, 5), st.integers(1, 6)), min_size=0, max_size=6
).map(
    lambda steps: [
        (sum(g + n for g, n in steps[:i]) + steps[i][0], sum(g + n for g, n in steps[: i + 1]))
        for i in range(len(steps))
    ]
)


@given(st.lists(disjoint_units, min_size=2, max_size=4))
def test_unitizing_alpha_equals_the_formula_written_plainly(
    coders: list[list[tuple[int, int]]],
) -> None:
    length = max([e for units in coders for _, e in units] + [1]) + 3
    annotations = {str(i): units for i, units in enumerate(coders)}
    result = unitizing_alpha(
        length, {who: [(s, e, "C") for s, e in units] for who, units in annotations.items()}
    )
    if not any(coders):
        assert result.reason == "no units: nobody marked anything"
        return
    d_o, d_e = _reference_unitizing(length, annotations)
    assert result.observed == pytest.approx(d_o, rel=1e-9, abs=1e-12)
    assert result.expected == pytest.approx(d_e, rel=1e-9, abs=1e-12)


@given(
    st.lists(disjoint_units, min_size=2, max_size=2),
    st.lists(disjoint_units, min_size=2, max_size=2),
)
def test_joined_studies_equal_one_continuum(
    first: list[list[tuple[int, int]]], second: list[list[tuple[int, int]]]
) -> None:
    l1 = max([e for units in first for _, e in units] + [1]) + 2
    l2 = max([e for units in second for _, e in units] + [1]) + 2
    one = {str(i): [(s, e, "Q") for s, e in u] for i, u in enumerate(first)}
    two = {str(i): [(s, e, "Q") for s, e in u] for i, u in enumerate(second)}
    joined = UnitizingStudy.concatenate([UnitizingStudy(l1, one), UnitizingStudy(l2, two)])
    whole = {k: one[k] + [(s + l1, e + l1, lab) for s, e, lab in two[k]] for k in one}
    assert joined.alphas() == unitizing_alphas(l1 + l2, whole)


def _reference_greedy(
    a: list[tuple[int, int, str]], b: list[tuple[int, int, str]]
) -> list[tuple[int, int]]:
    candidates = sorted(
        (-(min(x[1], y[1]) - max(x[0], y[0])), abs(x[0] - y[0]) + abs(x[1] - y[1]), i, j)
        for i, x in enumerate(a)
        for j, y in enumerate(b)
        if x[2] == y[2] and min(x[1], y[1]) > max(x[0], y[0])
    )
    used_a: set[int] = set()
    used_b: set[int] = set()
    chosen = []
    for _, _, i, j in candidates:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            chosen.append((i, j))
    return sorted(chosen)


@given(spans_strategy, spans_strategy)
def test_overlap_matching_equals_the_plain_greedy(
    a: list[tuple[int, int, str]], b: list[tuple[int, int, str]]
) -> None:
    assert match_spans(a, b, mode="overlap") == _reference_greedy(a, b)
