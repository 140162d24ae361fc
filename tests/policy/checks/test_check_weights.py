from decimal import Decimal

from dataclasses import replace

from incentive.policy.checks import weights_sum, zero_weight
from incentive.policy.model import ScoreSpec


def run(module, policy):
    return list(module.check(policy, None))


def test_weights_summing_to_the_scale_pass(b):
    assert run(weights_sum, b.policy()) == []


def test_weights_short_of_the_scale(b):
    policy = b.policy(kpis=(b.kpi("sales", 60, line=30), b.kpi("collection", 30, line=31)))
    [f] = run(weights_sum, policy)
    assert (f.line, f.col, f.level, f.code) == (30, 3, "error", "weights-sum")
    assert "sum to 90 (sales 60 + collection 30)" in f.message
    assert "scale 100" in f.message and "short by 10" in f.message


def test_weights_compare_exactly_not_rounded(b):
    kpis = tuple(b.kpi(f"k{n}", "33.33", line=30 + n) for n in range(3))
    [f] = run(weights_sum, b.policy(kpis=kpis))
    assert "sum to 99.99" in f.message


def test_weights_on_a_scale_of_one(b):
    kpis = (b.kpi("sales", "0.6"), b.kpi("collection", "0.4", line=31))
    policy = b.policy(kpis=kpis, score=ScoreSpec(scale=Decimal(1)))
    assert run(weights_sum, policy) == []
    [f] = run(weights_sum, replace(policy, score=ScoreSpec()))
    assert "sum to 1 " in f.message and "over" not in f.message


def test_weights_over_the_scale(b):
    policy = b.policy(kpis=(b.kpi("sales", 70), b.kpi("collection", 40, line=31)))
    [f] = run(weights_sum, policy)
    assert "over by 10" in f.message


def test_no_kpis_no_weight_finding(b):
    assert run(weights_sum, b.policy(kpis=())) == []


def test_zero_weight_is_a_warning_at_the_kpi(b):
    policy = b.policy(kpis=(b.kpi("sales", 100), b.kpi("nps", 0, line=33)))
    [f] = run(zero_weight, policy)
    assert (f.line, f.level, f.code) == (33, "warning", "zero-weight")
    assert "nps" in f.message
    assert run(zero_weight, b.policy()) == []
