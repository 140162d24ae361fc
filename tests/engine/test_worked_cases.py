"""The worked cases of the engine issue, computed by hand, plus one per mechanism."""

from decimal import Decimal as D

from tests.engine.policy_kit import person, run

INPUTS = """\
inputs:
  employee_id: {type: id}
  revenue: {type: money, min: 0}
  quota: {type: money, min: 0.01}
  target_bonus: {type: money, min: 0, default: 0}
"""


def test_marginal_tiers_3_5_7_percent_on_600k(tmp_path):
    body = INPUTS + """\
payouts:
  commission:
    base: revenue
    tiers: {mode: marginal, table: [{from: 0, rate: 0.03}, {from: 300000, rate: 0.05}, {from: 500000, rate: 0.07}]}
"""
    r = run(tmp_path, body, [{"employee_id": "E1", "revenue": "600000", "quota": "1"}])
    # 300,000 × 3% + 200,000 × 5% + 100,000 × 7%
    assert person(r, "E1")["commission"] == D("26000.00")


def test_ten_percent_halved_below_80_percent_attainment(tmp_path):
    body = INPUTS + """\
derived:
  attainment: revenue / quota
payouts:
  commission:
    base: revenue
    tiers: {basis: attainment, mode: step, table: [{from: 0, rate: 0.05}, {from: 0.8, rate: 0.10}]}
  same_by_expression:
    amount: revenue * 0.10 * (0.5 if attainment < 0.8 else 1)
"""
    r = run(tmp_path, body, [{"employee_id": "E1", "revenue": "350000", "quota": "500000"}])
    p = person(r, "E1")
    assert p["attainment"] == D("0.7")
    assert p["commission"] == D("17500.00")
    assert p["same_by_expression"] == D("17500.00")


def test_three_percent_of_400k_capped_at_10k(tmp_path):
    body = INPUTS + """\
payouts:
  commission: {amount: revenue * 0.03, cap: 10000}
"""
    r = run(tmp_path, body, [{"employee_id": "E1", "revenue": "400000", "quota": "1"}])
    p = person(r, "E1")
    assert p["commission.gross"] == D("12000")
    assert p["commission"] == D("10000.00")


def test_weighted_target_bonus_9650(tmp_path):
    body = """\
inputs:
  employee_id: {type: id}
  target_bonus: {type: money, min: 0}
  f_sales: {type: number}
  f_collect: {type: number}
  f_quality: {type: number}
payouts:
  bonus: {amount: target_bonus * (0.60 * f_sales + 0.25 * f_collect + 0.15 * f_quality)}
"""
    r = run(tmp_path, body, [{"employee_id": "E1", "target_bonus": "10000", "f_sales": "0.90",
                              "f_collect": "1.10", "f_quality": "1.00"}])
    assert person(r, "E1")["bonus"] == D("9650.00")


def test_marginal_on_attainment_basis_slices_the_revenue(tmp_path):
    body = INPUTS + """\
derived:
  attainment: revenue / quota
payouts:
  commission:
    base: revenue
    tiers: {basis: attainment, mode: marginal, table: [{from: 0, rate: 0.03}, {from: 1.0, rate: 0.05}]}
"""
    r = run(tmp_path, body, [{"employee_id": "E1", "revenue": "600000", "quota": "400000"},
                             {"employee_id": "E2", "revenue": "300000", "quota": "400000"}])
    # E1: 400,000 (up to 100%) at 3% + 200,000 at 5%; E2: all at 3%
    assert person(r, "E1")["commission"] == D("22000.00")
    assert person(r, "E2")["commission"] == D("9000.00")


def test_linear_tiers_interpolate_the_rate(tmp_path):
    body = INPUTS + """\
derived:
  attainment: revenue / quota
payouts:
  commission:
    base: revenue
    tiers: {basis: attainment, mode: linear, table: [{from: 0.5, rate: 0.02}, {from: 1.5, rate: 0.06}]}
"""
    rows = [{"employee_id": "LOW", "revenue": "10000", "quota": "100000"},
            {"employee_id": "EDGE", "revenue": "50000", "quota": "100000"},
            {"employee_id": "MID", "revenue": "100000", "quota": "100000"},
            {"employee_id": "TOP", "revenue": "300000", "quota": "100000"}]
    r = run(tmp_path, body, rows)
    assert person(r, "LOW")["commission"] == D("0.00")  # below the first from (0.5): nothing, as in step / marginal
    assert person(r, "EDGE")["commission"] == D("1000.00")  # at the first from: its rate, 2%
    assert person(r, "MID")["commission"] == D("4000.00")  # 4% halfway
    assert person(r, "TOP")["commission"] == D("18000.00")  # clamped at 6%


def test_gate_prorate_floor_and_rounding_modes(tmp_path):
    body = INPUTS + """\
  days: {type: integer, min: 0}
payouts:
  bonus:
    base: target_bonus
    gate: revenue >= quota
    prorate: days / period_days
    floor: 100
"""
    rows = [{"employee_id": "GATED", "revenue": "1", "quota": "2", "target_bonus": "9000", "days": "90"},
            {"employee_id": "PART", "revenue": "5", "quota": "2", "target_bonus": "9000", "days": "31"},
            {"employee_id": "TINY", "revenue": "5", "quota": "2", "target_bonus": "10", "days": "1"}]
    r = run(tmp_path, body, rows)  # 2026-Q1 has 90 days
    assert person(r, "GATED")["bonus"] == D("0.00")
    assert person(r, "PART")["bonus"] == D("3100.00")
    assert person(r, "TINY")["bonus"] == D("100.00")  # raised to the floor


def test_half_even_vs_half_up_at_the_component(tmp_path):
    body = INPUTS + """\
payouts:
  c: {amount: revenue * 0.5}
"""
    rows = [{"employee_id": "E1", "revenue": "0.05", "quota": "1"},
            {"employee_id": "E2", "revenue": "0.07", "quota": "1"}]
    up = run(tmp_path, body, rows, rounding="half_up")
    even = run(tmp_path, body, rows, rounding="half_even")
    down = run(tmp_path, body, rows, rounding="down")
    assert [person(up, e)["c"] for e in ("E1", "E2")] == [D("0.03"), D("0.04")]
    assert [person(even, e)["c"] for e in ("E1", "E2")] == [D("0.02"), D("0.04")]
    assert [person(down, e)["c"] for e in ("E1", "E2")] == [D("0.02"), D("0.03")]


def test_penalties_capped_forfeit_and_floor(tmp_path):
    body = INPUTS + """\
  missed: {type: integer, min: 0, default: 0}
  violation: {type: boolean, default: false}
payouts:
  commission: {amount: revenue * 0.1}
penalties:
  reports: {when: missed > 0, amount: 100 * missed, cap: 1000}
  veto: {when: violation, forfeit: all}
"""
    rows = [{"employee_id": "OK", "revenue": "10000", "quota": "1", "missed": "0", "violation": "false"},
            {"employee_id": "LATE", "revenue": "10000", "quota": "1", "missed": "3", "violation": "否"},
            {"employee_id": "MANY", "revenue": "5000", "quota": "1", "missed": "50", "violation": "no"},
            {"employee_id": "VETO", "revenue": "10000", "quota": "1", "missed": "2", "violation": "是"}]
    r = run(tmp_path, body, rows)
    assert person(r, "OK")["total"] == D("1000.00")
    assert (person(r, "LATE")["reports"], person(r, "LATE")["total"]) == (D("300.00"), D("700.00"))
    assert person(r, "MANY")["reports"] == D("1000.00")  # capped
    assert person(r, "MANY")["total"] == D("0.00")  # 500 - 1000, floored at 0
    veto = person(r, "VETO")
    assert veto["commission"] == D("0.00") and veto["commission.before_forfeit.veto"] == D("1000.00")
    assert veto["total"] == D("0.00")


def test_budget_scales_down_to_the_exact_amount(tmp_path):
    body = INPUTS + """\
  team: {type: text}
payouts:
  pool_share: {amount: revenue * 0.1}
budgets:
  pool: {amount: 1000, components: [pool_share], by: team}
"""
    rows = [{"employee_id": f"E{i}", "revenue": "4000", "quota": "1", "team": "A"} for i in range(3)]
    rows += [{"employee_id": "F1", "revenue": "1000", "quota": "1", "team": "B"}]
    r = run(tmp_path, body, rows)
    team_a = [person(r, f"E{i}")["pool_share"] for i in range(3)]
    assert sum(team_a) == D("1000.00")  # 3 × 400 = 1,200 > 1,000: 333.34 + 333.33 + 333.33
    assert sorted(team_a) == [D("333.33"), D("333.33"), D("333.34")]
    assert person(r, "E0")["pool_share"] == D("333.34")  # tie on remainder → lowest id
    assert person(r, "F1")["pool_share"] == D("100.00")  # within budget: untouched


def test_aggregates_by_team(tmp_path):
    body = INPUTS + """\
  team: {type: text}
aggregates:
  team_revenue: {sum: revenue, by: team}
  team_mean: {mean: revenue, by: team}
  team_median: {median: revenue, by: team}
  team_big: {count: revenue >= 200, by: team}
  everyone: {count: true}
derived:
  share: revenue / team_revenue
"""
    rows = [{"employee_id": "A1", "revenue": "100", "quota": "1", "team": "A"},
            {"employee_id": "A2", "revenue": "200", "quota": "1", "team": "A"},
            {"employee_id": "A3", "revenue": "600", "quota": "1", "team": "A"},
            {"employee_id": "A4", "revenue": "300", "quota": "1", "team": "A"},
            {"employee_id": "B1", "revenue": "50", "quota": "1", "team": "B"}]
    r = run(tmp_path, body, rows)
    a1 = person(r, "A1")
    assert a1["team_revenue"] == D("1200")
    assert a1["team_mean"] == D("300")
    assert a1["team_median"] == D("250")
    assert a1["team_big"] == D("3")
    assert a1["everyone"] == D("5")
    assert person(r, "A3")["share"] == D("0.5")
    assert person(r, "B1")["team_revenue"] == D("50")


def test_division_by_zero_names_the_person_and_expression(tmp_path):
    import pytest

    from incentive.errors import EvaluationError

    body = INPUTS + """\
  other: {type: money, min: 0}
derived:
  ratio: revenue / other
"""
    rows = [{"employee_id": "E1", "revenue": "1", "quota": "1", "other": "2"},
            {"employee_id": "E2", "revenue": "1", "quota": "1", "other": "0"}]
    with pytest.raises(EvaluationError) as err:
        run(tmp_path, body, rows)
    assert "derived.ratio" in str(err.value) and "E2" in str(err.value) and "E1" not in str(err.value)
