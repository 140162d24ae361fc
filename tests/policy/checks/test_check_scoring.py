from incentive.policy.checks import curve_order, step_order
from incentive.policy.model import Scoring


def run(module, policy):
    return list(module.check(policy, None))


def test_ascending_and_descending_curves_pass(b):
    up = b.kpi("sales", 50, scoring=b.curve((0.5, 0), (1, 100), (1.5, 150)))
    down = b.kpi("cycle", 50, scoring=b.curve((30, 100), (90, 0)), line=31)
    assert run(curve_order, b.policy(kpis=(up, down))) == []


def test_repeated_curve_value_is_reported_at_the_point(b):
    kpi = b.kpi("cycle", 100, scoring=b.curve((30, 100), (90, 50), (90, 0), line=35))
    [f] = run(curve_order, b.policy(kpis=(kpi,)))
    assert (f.line, f.col, f.code, f.level) == (35, 40, "curve-order", "error")
    assert "point 3 has value 90, not above the previous point's 90" in f.message


def test_descending_curve_values_are_reported_with_the_lower_is_better_hint(b):
    kpi = b.kpi("cycle", 100, scoring=b.curve((90, 0), (30, 100)))
    [f] = run(curve_order, b.policy(kpis=(kpi,)))
    assert "point 2 has value 30" in f.message and "points descend" in f.message


def test_a_one_point_curve_is_reported(b):
    kpi = b.kpi("sales", 100, scoring=b.curve((1, 100), line=36))
    [f] = run(curve_order, b.policy(kpis=(kpi,)))
    assert (f.line, f.col) == (36, 12)
    assert "at least 2 points, got 1" in f.message


def test_step_thresholds_ascending_pass(b):
    kpi = b.kpi("res", 100, scoring=b.step((0, 100), (4, 60), (8, 0)))
    assert run(step_order, b.policy(kpis=(kpi,))) == []
    assert run(curve_order, b.policy(kpis=(kpi,))) == []


def test_step_thresholds_out_of_order_and_repeated(b):
    kpi = b.kpi("res", 100, scoring=b.step((0, 100), (8, 0), (4, 60), (4, 50), line=37))
    found = run(step_order, b.policy(kpis=(kpi,)))
    assert [(f.line, f.col) for f in found] == [(37, 40), (37, 50)]
    assert "step 3 starts at 4, which is below the previous step's 8" in found[0].message
    assert "step 4 starts at 4, which repeats" in found[1].message


def test_a_single_step_is_fine(b):
    kpi = b.kpi("res", 100, scoring=Scoring(step=b.step((0, 100)).step))
    assert run(step_order, b.policy(kpis=(kpi,))) == []
