from incentive.policy.checks import tiers_order, tiers_rate, tiers_start


def run(module, policy):
    return list(module.check(policy, None))


def payout(b, mode, *rows, basis=None, base="revenue"):
    return b.payout("commission", base=base, tiers=b.tiers(mode, *rows, basis=basis, line=60))


def test_ascending_tiers_pass(b):
    p = payout(b, "marginal", {"from": 0, "rate": "0.03"}, {"from": 1, "rate": "0.05"}, {"from": "1.5", "rate": "0.07"},
               basis=b.src("attainment"))
    policy = b.policy(payouts=(p,))
    assert run(tiers_order, policy) == run(tiers_rate, policy) == run(tiers_start, policy) == []


def test_overlapping_tier_is_reported_at_that_tier(b):
    p = payout(b, "marginal", {"from": 0, "rate": "0.03"}, {"from": 1, "rate": "0.05"}, {"from": "1.0", "rate": "0.07"})
    [f] = run(tiers_order, b.policy(payouts=(p,)))
    assert (f.line, f.col, f.code) == (63, 9, "tiers-order")
    assert "tier 3 starts at 1 and overlaps the previous tier, which also starts at 1" in f.message


def test_descending_tier_is_reported(b):
    p = payout(b, "step", {"from": 0, "rate": 0}, {"from": 80, "rate": 1}, {"from": 60, "rate": "0.5"})
    [f] = run(tiers_order, b.policy(payouts=(p,)))
    assert "tier 3 starts at 60 and is below the previous tier's 80" in f.message


def test_first_tier_above_zero_warns(b):
    p = payout(b, "step", {"from": "0.8", "rate": 1}, {"from": "1.2", "rate": "1.5"}, basis=b.src("attainment"))
    [f] = run(tiers_start, b.policy(payouts=(p,)))
    assert (f.line, f.level, f.code) == (61, "warning", "tiers-start")
    assert "below 0.8 falls in no tier" in f.message


def test_first_tier_at_the_basis_input_min_is_fine(b):
    inputs = b.policy().inputs + (b.inp("attainment_pct", "number", 18, min=50),)
    p = payout(b, "step", {"from": 50, "rate": 1}, {"from": 100, "rate": 2}, basis=b.src("attainment_pct"))
    assert run(tiers_start, b.policy(inputs=inputs, payouts=(p,))) == []
    p = payout(b, "step", {"from": 60, "rate": 1}, basis=b.src("attainment_pct"))
    assert len(run(tiers_start, b.policy(inputs=inputs, payouts=(p,)))) == 1


def test_first_tier_uses_the_base_when_no_basis(b):
    # revenue has min 0 in the base policy, so a tier from 0.01 warns, from 0 passes
    assert len(run(tiers_start, b.policy(payouts=(payout(b, "marginal", {"from": "0.01", "rate": 1}),)))) == 1
    assert run(tiers_start, b.policy(payouts=(payout(b, "marginal", {"from": "-5", "rate": 1}),))) == []


def test_marginal_and_linear_tiers_need_rates(b):
    for mode in ("marginal", "linear"):
        p = payout(b, mode, {"from": 0, "rate": "0.03"}, {"from": 1, "amount": 500}, {"from": 2})
        found = run(tiers_rate, b.policy(payouts=(p,)))
        assert [(f.line, f.code) for f in found] == [(62, "tiers-rate"), (63, "tiers-rate")]
        assert "fixed amounts are only for step mode" in found[0].message
        assert found[1].message.endswith("has no rate")


def test_step_tiers_need_a_rate_or_an_amount_not_both(b):
    ok = payout(b, "step", {"from": 0, "amount": 0}, {"from": 80, "amount": 500}, {"from": 90, "rate": 1})
    assert run(tiers_rate, b.policy(payouts=(ok,))) == []
    bad = payout(b, "step", {"from": 0}, {"from": 80, "amount": 500, "rate": 1})
    found = run(tiers_rate, b.policy(payouts=(bad,)))
    assert "neither a rate nor an amount" in found[0].message
    assert "both a rate and an amount" in found[1].message


def test_amount_payouts_have_no_tiers_to_check(b):
    p = b.payout("flat", amount="500")
    policy = b.policy(payouts=(p,))
    assert run(tiers_order, policy) == run(tiers_rate, policy) == run(tiers_start, policy) == []
