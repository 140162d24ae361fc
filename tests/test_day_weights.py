"""Day weighting of a split period (app.day_weights): exact sums, one cent at most from the exact share."""

from __future__ import annotations

from decimal import Decimal, localcontext, ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP
from fractions import Fraction

import polars as pl
from hypothesis import given, settings, strategies as st

from incentive.app.day_weights import ADJUST, weigh
from incentive.numeric import DTYPE

MODES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "down": ROUND_DOWN, "up": ROUND_UP}
cents = st.integers(-10**9, 10**9).map(lambda c: Decimal(c).scaleb(-2))


def frame(rows: list[dict[str, Decimal]], names: list[str]) -> pl.DataFrame:
    data: dict[str, object] = {"id": [f"E{i:03d}" for i in range(len(rows))]}
    for n in (*names, "total"):
        data[n] = pl.Series([r[n] for r in rows], dtype=DTYPE)
    return pl.DataFrame(data)


@st.composite
def cases(draw):
    n_comp = draw(st.integers(1, 5))
    signs = draw(st.lists(st.sampled_from([1, -1]), min_size=n_comp, max_size=n_comp))
    names = [f"c{i}" for i in range(n_comp)]
    people = draw(st.integers(1, 6))
    n_versions = draw(st.integers(2, 3))
    days = draw(st.lists(st.integers(1, 120), min_size=n_versions, max_size=n_versions))
    parts = []
    for _ in range(n_versions):
        rows = []
        for _ in range(people):
            row = {n: draw(cents) for n in names}
            signed = sum((row[n] * s for n, s in zip(names, signs)), Decimal(0))
            row["total"] = max(signed, Decimal(0)) if draw(st.booleans()) else signed  # with or without a floor
            rows.append(row)
        parts.append(rows)
    return names, signs, days, parts, draw(st.sampled_from(sorted(MODES)))


@settings(max_examples=150, deadline=None)
@given(cases())
def test_weighted_components_add_up_to_the_weighted_total_exactly(case):
    names, signs, days, parts, mode = case
    out = weigh([frame(p, names) for p in parts], days, list(zip(names, signs)), "id", 2, mode).to_dicts()
    weights = [Fraction(d, sum(days)) for d in days]
    assert all(0 <= w <= 1 for w in weights) and sum(weights) == 1
    for i, row in enumerate(out):
        signed = sum((row[n] * s for n, s in zip(names, signs)), Decimal(0)) + row[ADJUST]
        assert signed == row["total"]  # to the cent
        exact_total = sum(Fraction(p[i]["total"]) * w for p, w in zip(parts, weights))
        with localcontext() as ctx:
            ctx.prec = 60
            want = Decimal(exact_total.numerator) / Decimal(exact_total.denominator)
        assert row["total"] == want.quantize(Decimal("0.01"), MODES[mode])  # the policy's rounding, exactly
        for n in names:
            exact = sum(Fraction(p[i][n]) * w for p, w in zip(parts, weights))
            assert abs(Fraction(row[n]) - exact) < Fraction(2, 100)  # rounded, then at most one cent moved
            assert row[n] == row[n].quantize(Decimal("0.01"))


def test_the_total_rounds_as_the_policy_says_and_the_cent_goes_to_the_largest_remainder():
    names, signs = ["a", "b"], [1, 1]
    one = frame([{"a": Decimal("0.01"), "b": Decimal("0"), "total": Decimal("0.01")}], names)
    two = frame([{"a": Decimal("0"), "b": Decimal("0.01"), "total": Decimal("0.01")}], names)
    [row] = weigh([one, two], [1, 1], list(zip(names, signs)), "id", 2, "half_up").to_dicts()
    # a and b are 0.005 each (0.01 rounded half up), the total 0.01: one of them gives its cent back, the
    # first listed (equal remainders)
    assert (row["a"], row["b"], row["total"]) == (Decimal("0.00"), Decimal("0.01"), Decimal("0.01"))


def test_a_component_one_version_lacks_counts_as_zero_there():
    a = frame([{"x": Decimal("10.00"), "total": Decimal("10.00")}], ["x"])
    b = frame([{"x": Decimal("20.00"), "y": Decimal("9.00"), "total": Decimal("29.00")}], ["x", "y"])
    [row] = weigh([a, b], [2, 1], [("x", 1), ("y", 1)], "id", 2, "half_up").to_dicts()
    assert (row["x"], row["y"], row["total"]) == (Decimal("13.33"), Decimal("3.00"), Decimal("16.33"))
