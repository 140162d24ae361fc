"""``sweep``: exact decimal steps, one evaluation per value, monotone where the plan says so."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incentive.app.run import RunOptions
from incentive.app.variants import MAX_SWEEP_VALUES, run_sweep
from incentive.compare.sweep import parse_range
from incentive.errors import PolicyInvalid, UsageError

ROOT = Path(__file__).resolve().parents[2]
POLICY = str(ROOT / "rules" / "sales-rep.yaml")
Q1 = str(ROOT / "examples" / "sales-rep" / "2026-Q1.csv")
RATE = "payouts.commission.tiers.table[1].rate"


def test_range_steps_are_exact():
    assert parse_range("x.y=0.1:0.3:0.1") == ("x.y", ["0.1", "0.2", "0.3"])
    assert parse_range("k=40:60:5")[1] == ["40", "45", "50", "55", "60"]
    assert parse_range("k=0.3:0.1:-0.1")[1] == ["0.3", "0.2", "0.1"]
    assert parse_range("k=1:2:0.3")[1] == ["1.0", "1.3", "1.6", "1.9"]  # stop is not on a step: not included
    assert parse_range("k = 5:5:1")[1] == ["5"]


def test_list_values_keep_their_text():
    assert parse_range("payouts.bonus.tiers.mode=step,marginal") == ("payouts.bonus.tiers.mode", ["step", "marginal"])
    assert parse_range("k=50, 60 ,70")[1] == ["50", "60", "70"]


@pytest.mark.parametrize("spec, message", [
    ("k=1:2:0", "step must not be 0"),
    ("k=2:1:0.5", "never reaches"),
    ("k=a:2:1", "'a' is not a number"),
    ("k=1:2", "three numbers"),
    ("k=", "expected PATH="),
    ("=1,2", "expected PATH="),
    ("k=1,,2", "empty value"),
    ("k=0:1:0.00000001", "use a larger step"),
    ("k=1:NaN:1", "finite"),
])
def test_bad_ranges_are_usage_errors(spec, message):
    with pytest.raises(UsageError, match=message):
        parse_range(spec)


@settings(max_examples=150, deadline=None)
@given(start=st.decimals(min_value=-1000, max_value=1000, places=3),
       step=st.decimals(min_value=Decimal("0.001"), max_value=100, places=3),
       count=st.integers(min_value=1, max_value=50))
def test_range_hits_every_step_without_drift(start, step, count):
    stop = start + step * (count - 1)
    _, values = parse_range(f"k={start}:{stop}:{step}")
    assert len(values) == count
    assert [Decimal(v) for v in values] == [start + i * step for i in range(count)]
    assert all("e" not in v.lower() for v in values)


def test_commission_rate_sweep_is_monotone_and_reads_data_once():
    sweep = run_sweep(POLICY, Q1, RunOptions(period="2026-Q1"), f"{RATE}=0.04:0.06:0.005")
    assert [p.value for p in sweep.points] == ["0.040", "0.045", "0.050", "0.055", "0.060"]
    commission = [p.costs["commission"] for p in sweep.points]
    assert commission == sorted(commission) and len(set(commission)) == 5
    assert len({p.costs["bonus"] for p in sweep.points}) == 1  # the rate does not touch the bonus
    totals = [p.costs["total"] for p in sweep.points]
    assert all(isinstance(t, Decimal) for t in totals)
    assert sweep.reads == 1
    for p in sweep.points:
        assert sum(p.bands.values()) == p.people == 48
    base = next(p for p in sweep.points if p.value == "0.050")
    assert base.costs["total"] == Decimal("967811.20")  # the plan as written (see evaluate's summary)


def test_eligibility_sweep_moves_band_counts():
    sweep = run_sweep(POLICY, Q1, RunOptions(period="2026-Q1"),
                      "ranking.eligible.when=tenure_months >= 3, tenure_months >= 36")
    assert [p.value for p in sweep.points] == ["tenure_months >= 3", "tenure_months >= 36"]
    unranked = [p.bands.get("(none)", 0) for p in sweep.points]
    assert unranked[1] > unranked[0]
    assert all(sum(p.bands.values()) == 48 for p in sweep.points)
    table = sweep.table()
    assert table.columns[:2] == ["value", "people"]
    assert {"band:A", "band:(none)", "commission", "total"} <= set(table.columns)
    assert table.get_column("band:(none)").to_list() == unranked


def test_sweep_value_invalid_for_the_policy_names_the_override():
    with pytest.raises(PolicyInvalid, match="--set kpis.sales.weight=word"):
        run_sweep(POLICY, Q1, RunOptions(period="2026-Q1"), "kpis.sales.weight=word")


def test_too_many_values_are_refused_before_evaluating():
    with pytest.raises(UsageError, match=f"at most {MAX_SWEEP_VALUES}"):
        run_sweep(POLICY, Q1, RunOptions(period="2026-Q1"), f"{RATE}=0:1:0.001")
