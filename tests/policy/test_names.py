"""The names of result columns and expression paths, pinned.

A close writes every step column into its audit table, and explain, coverage
and the policy tests read them back by these names; expression paths key
``CheckedPolicy.exprs`` and begin error messages. A change here changes the
recorded format, so each name is spelled out literally below.
"""

from __future__ import annotations

import pytest

from incentive.policy import names
from tests.engine.policy_kit import run


def test_result_column_names():
    assert names.kpi_value("sales") == "sales_value"
    assert [names.step("bonus", s) for s in (names.BASE, names.BASIS, names.AMOUNT, names.GROSS, names.FACTOR,
                                             names.PRORATE, names.FLOOR, names.CAP, names.GATE, names.WHEN)] == [
        "bonus.base", "bonus.basis", "bonus.amount", "bonus.gross", "bonus.factor",
        "bonus.prorate", "bonus.floor", "bonus.cap", "bonus.gate", "bonus.when"]
    assert names.step(names.TOTAL, names.BEFORE_FLOOR) == "total.before_floor"
    assert names.before_forfeit("bonus", "veto") == "bonus.before_forfeit.veto"
    assert names.pre_budget("bonus", "pool") == "bonus.pre_budget.pool"


@pytest.mark.parametrize(("built", "expected"), [
    (names.expr_path(names.KPIS, "sales", names.VALUE), "kpis.sales.value"),
    (names.item_path(names.DERIVED, "attainment"), "derived.attainment"),
    (names.expr_path(names.AGGREGATES, "team_revenue", names.OF), "aggregates.team_revenue.of"),
    (names.expr_path(names.AGGREGATES, "team_revenue", names.WHERE), "aggregates.team_revenue.where"),
    (names.payout_path("bonus", names.BASE), "payouts.bonus.base"),
    (names.payout_path("bonus", names.BASIS), "payouts.bonus.tiers.basis"),
    (names.payout_path("bonus", names.GATE), "payouts.bonus.gate"),
    (names.item_path(names.PAYOUTS, "bonus"), "payouts.bonus"),
    (names.expr_path(names.BUDGETS, "pool", names.AMOUNT), "budgets.pool.amount"),
    (names.expr_path(names.PENALTIES, "veto", names.WHEN), "penalties.veto.when"),
    (names.expr_path(names.RECOMMENDATIONS, "coach", names.WHEN), "recommendations.coach.when"),
    (names.band_guard_path("A"), "ranking.bands.A.guard"),
    (names.tie_break_path(0), "ranking.tie_break.0"),
    (names.RANKING_BY, "ranking.by"),
    (names.RANKING_ELIGIBLE, "ranking.eligible"),
])
def test_expression_paths(built, expected):
    assert built == expected


POLICY = """\
inputs:
  employee_id: {type: id}
  revenue: {type: money, min: 0}
  quota: {type: money, min: 0.01}
  days: {type: integer, min: 0}
  violation: {type: boolean, default: false}
derived:
  attainment: revenue / quota
kpis:
  sales: {value: attainment, weight: 100, score: {curve: [[0, 0], [1, 100]]}}
payouts:
  commission:
    base: revenue
    tiers: {basis: attainment, mode: step, table: [{from: 0, rate: 0.05}, {from: 0.8, rate: 0.10}]}
    prorate: days / period_days
    floor: 0
    cap: 100000
    gate: revenue >= quota
budgets:
  pool: {amount: 1000000, components: [commission]}
penalties:
  late: {when: days < 10, amount: 10, cap: 5}
  veto: {when: violation, forfeit: all}
recommendations:
  coach: {when: score < 50, action: coaching}
"""


STEP_ORDER = (
    "commission.base", "commission.basis", "commission.gross", "commission.prorate", "commission.floor",
    "commission.cap", "commission.gate", "pool.amount", "pool.factor", "commission.pre_budget.pool",
    "late.when", "late.cap", "veto.when", "commission.before_forfeit.veto", "total.before_floor", "coach.when",
)


def test_an_evaluation_names_its_steps_and_links_them_to_their_rules(tmp_path):
    """The engine's own columns, in stage order, each with the expression it shows."""
    rows = [{"employee_id": "E1", "revenue": "1000", "quota": "2000", "days": "90", "violation": "false"}]
    results = run(tmp_path, POLICY, rows)
    steps = {n: (c.path, c.owner) for n, c in results.columns.items() if c.kind == "step"}
    assert steps == {
        "commission.base": ("payouts.commission.base", "commission"),
        "commission.basis": ("payouts.commission.tiers.basis", "commission"),
        "commission.gross": (None, "commission"),
        "commission.prorate": ("payouts.commission.prorate", "commission"),
        "commission.floor": ("payouts.commission.floor", "commission"),
        "commission.cap": ("payouts.commission.cap", "commission"),
        "commission.gate": ("payouts.commission.gate", "commission"),
        "pool.amount": ("budgets.pool.amount", "pool"),
        "pool.factor": (None, "pool"),
        "commission.pre_budget.pool": (None, "commission"),
        "late.when": ("penalties.late.when", "late"),
        "late.cap": ("penalties.late.cap", "late"),
        "veto.when": ("penalties.veto.when", "veto"),
        "commission.before_forfeit.veto": (None, "veto"),
        "total.before_floor": (None, "total"),
        "coach.when": ("recommendations.coach.when", "coach"),
    }
    audit = [c for c in results.audit_columns() if c in steps]  # the audit table's order: stage order
    assert audit == list(STEP_ORDER)
    assert results.columns["sales_value"].path == "kpis.sales.value"
    assert results.columns["attainment"].path == "derived.attainment"
