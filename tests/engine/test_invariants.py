"""Invariants users rely on, under hypothesis-generated people.

Caps are never exceeded, a false gate pays 0, marginal tiers are continuous
in the basis, a budget-scaled component sums exactly to its budget, totals
never go below the floor, and money always has the policy's decimals.
"""

from __future__ import annotations

from decimal import Decimal as D

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incentive.engine.pipeline import evaluate
from incentive.io import PeriodData
from incentive.io.periods import parse_period
from incentive.numeric import DTYPE
from incentive.policy.validate import load_policy
from tests.engine.policy_kit import write_policy

BODY = """\
inputs:
  employee_id: {type: id}
  team: {type: text}
  revenue: {type: money, min: 0}
  target: {type: money, min: 0.01}
  bonus: {type: money, min: 0}
  missed: {type: integer, min: 0}
  ok: {type: boolean}
derived:
  attainment: revenue / target
kpis:
  sales: {value: attainment, weight: 100, score: {curve: [[0.5, 0], [1, 100], [1.5, 150]]}}
payouts:
  commission:
    base: revenue
    tiers: {basis: attainment, mode: marginal, table: [{from: 0, rate: 0.03}, {from: 1, rate: 0.05}, {from: 1.5, rate: 0.07}]}
    cap: 2 * target
  bonus_pay:
    base: bonus
    tiers: {basis: score, mode: step, table: [{from: 0, rate: 0}, {from: 60, rate: 0.5}, {from: 100, rate: 1.2}]}
    gate: ok
  pool:
    amount: revenue * 0.013
budgets:
  team_pool: {amount: 2500, components: [pool], by: team}
penalties:
  late: {when: missed > 0, amount: 175.5 * missed, cap: 2000}
floor: 0
"""

money = st.integers(0, 50_000_000).map(lambda c: D(c).scaleb(-2))


@st.composite
def people(draw):
    n = draw(st.integers(1, 25))
    return pl.DataFrame({
        "employee_id": [f"P{i:03d}" for i in range(n)],
        "team": [draw(st.sampled_from(["north", "south", "east"])) for _ in range(n)],
        "revenue": [draw(money) for _ in range(n)],
        "target": [draw(money.filter(lambda d: d > 0)) for _ in range(n)],
        "bonus": [draw(st.integers(0, 2_000_000).map(lambda c: D(c).scaleb(-2))) for _ in range(n)],
        "missed": [D(draw(st.integers(0, 20))) for _ in range(n)],
        "ok": [draw(st.booleans()) for _ in range(n)],
    }, schema={"employee_id": pl.String, "team": pl.String, "revenue": DTYPE, "target": DTYPE, "bonus": DTYPE,
               "missed": DTYPE, "ok": pl.Boolean})


_CHECKED = {}


def checked(tmp_path_factory):
    if "c" not in _CHECKED:
        path = write_policy(tmp_path_factory.mktemp("inv"), BODY)
        _CHECKED["c"] = load_policy(str(path))
    return _CHECKED["c"]


def run(tmp_path_factory, frame: pl.DataFrame):
    data = PeriodData(frame=frame.with_columns(pl.int_range(2, frame.height + 2).alias("__row__")),
                      file="generated", sha256="", warnings=[], format="csv", encoding=None)
    return evaluate(checked(tmp_path_factory), data, parse_period("2026-Q1", "quarter")).frame


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(frame=people())
def test_caps_gates_floor_and_precision(tmp_path_factory, frame):
    out = run(tmp_path_factory, frame)
    for row in out.iter_rows(named=True):
        assert row["commission"] <= 2 * row["target"]
        if not row["ok"]:
            assert row["bonus_pay"] == 0
        assert row["late"] <= 2000
        assert row["total"] >= 0
        for name in ("commission", "bonus_pay", "pool", "late", "total"):
            assert row[name] == row[name].quantize(D("0.01")), name


@SETTINGS
@given(frame=people())
def test_budget_sums_exactly_to_the_budget(tmp_path_factory, frame):
    out = run(tmp_path_factory, frame)
    teams = out.group_by("team").agg(pl.col("pool").sum(), pl.col("pool.pre_budget.team_pool").sum().alias("before"))
    for row in teams.iter_rows(named=True):
        if row["before"] > 2500:
            assert row["pool"] == D("2500.00")
        else:
            assert row["pool"] == row["before"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=money.filter(lambda d: d >= 1), cents=st.integers(1, 300))
def test_marginal_commission_is_continuous_and_monotone_in_revenue(tmp_path_factory, target, cents):
    """Across a tier boundary one more cent of revenue changes the commission by at most a few cents."""
    boundary = target  # attainment 1.0
    revenues = [max(boundary - D(cents).scaleb(-2), D(0)), boundary, boundary + D(cents).scaleb(-2)]
    frame = pl.DataFrame({
        "employee_id": ["A", "B", "C"], "team": ["t", "t", "t"], "revenue": revenues, "target": [target] * 3,
        "bonus": [D(0)] * 3, "missed": [D(0)] * 3, "ok": [True] * 3,
    }, schema={"employee_id": pl.String, "team": pl.String, "revenue": DTYPE, "target": DTYPE, "bonus": DTYPE,
               "missed": DTYPE, "ok": pl.Boolean})
    out = run(tmp_path_factory, frame).sort("employee_id")
    a, b, c = out.get_column("commission").to_list()
    assert a <= b <= c
    step = D(cents).scaleb(-2)
    assert b - a <= step * D("0.03") + D("0.01")
    assert c - b <= step * D("0.07") + D("0.01")  # the top rate bounds the slope
