"""The clawback stage through the real engine, over a sequence of periods: what each period's refunds take
back is recovered from that period's pay -- never taking a total below zero -- and what pay could not cover
is carried to the next period through the recorded results (history), to the cent: over any sequence,
everything recovered plus what is still carried equals everything the refunds took back."""

from __future__ import annotations

import json
from decimal import Decimal

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incentive.app.clawbacks import _share
from incentive.engine.pipeline import evaluate
from incentive.io import read_period_data
from incentive.io.periods import parse_period
from incentive.numeric import DTYPE
from incentive.policy.validate import load_policy
from tests.engine.policy_kit import write_csv, write_policy

BODY = """\
inputs:
  employee_id: {type: id}
  sales: {type: money}
payouts:
  commission: {amount: sales * 0.1}
clawbacks:
  clawback: {refunds: refunds, payouts: commission, basis: sales}
"""
PEOPLE = ["E01", "E02", "E03"]
MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04"]

sales = st.integers(0, 500_000).map(lambda c: Decimal(c) / 100)
taken = st.one_of(st.none(), st.integers(1, 300_000).map(lambda c: -Decimal(c) / 100))
month = st.tuples(st.tuples(*(sales for _ in PEOPLE)), st.tuples(*(taken for _ in PEOPLE)))


def _recoveries(new: dict[str, Decimal]) -> dict[str, pl.DataFrame] | None:
    if not new:
        return None
    deals = [json.dumps([{"line": f"L{p}", "recovered": str(d)}]) for p, d in new.items()]
    return {"clawback": pl.DataFrame({"employee_id": list(new), "due": list(new.values()), "deals": deals},
                                     schema={"employee_id": pl.String, "due": DTYPE, "deals": pl.String})}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(months=st.lists(month, min_size=1, max_size=len(MONTHS)))
def test_recovered_plus_carried_is_what_the_refunds_took_and_pay_never_goes_negative(tmp_path, months):
    checked = load_policy(str(write_policy(tmp_path, BODY, period="month", kpis=False)))
    previous: pl.DataFrame | None = None
    took = {p: Decimal(0) for p in PEOPLE}
    recovered = {p: Decimal(0) for p in PEOPLE}
    for label, (amounts, refunds) in zip(MONTHS, months):
        rows = [{"employee_id": p, "sales": str(a)} for p, a in zip(PEOPLE, amounts)]
        data = read_period_data(write_csv(tmp_path, rows), checked.policy)
        new = {p: d for p, d in zip(PEOPLE, refunds) if d is not None}
        history = {1: previous} if previous is not None else None
        results = evaluate(checked, data, parse_period(label, "month"), history=history,
                           recoveries=_recoveries(new)).frame
        for r in results.iter_rows(named=True):
            p = r["employee_id"]
            took[p] += new.get(p, Decimal(0))
            recovered[p] += r["clawback"]
            assert r["clawback.new"] == new.get(p, Decimal(0))
            assert r["clawback.due"] == r["clawback.opening"] + r["clawback.new"]
            assert r["clawback"] + r["clawback.carried"] == r["clawback.due"]  # nothing lost, to the cent
            assert r["clawback.due"] <= r["clawback"] <= 0
            assert r["total"] >= 0  # a recovery never makes pay negative
            assert r["total"] == r["commission"] + r["clawback"]
            if r["clawback.carried"]:
                assert r["total"] == 0  # only what pay could not cover is carried
        previous = results
    assert previous is not None
    for r in previous.iter_rows(named=True):
        p = r["employee_id"]
        assert recovered[p] + r["clawback.carried"] == took[p]


def test_the_share_is_rounded_once_and_never_exceeds_what_was_paid(tmp_path):
    policy = load_policy(str(write_policy(tmp_path, BODY, period="month", kpis=False))).policy
    # 26,723.62 × 14,689.45 / 734,472.34 = 534.4724... (the CRM example's E001)
    assert _share(Decimal("26723.62"), Decimal("14689.45"), Decimal("734472.34"), policy) == Decimal("534.47")
    assert _share(Decimal("100"), Decimal("1"), Decimal("8"), policy) == Decimal("12.50")  # 12.5 exactly
    assert _share(Decimal("0.05"), Decimal("1"), Decimal("2"), policy) == Decimal("0.03")  # half up: 0.025
    assert _share(Decimal("900"), Decimal("5000"), Decimal("3000"), policy) == Decimal("900")  # capped at paid
    assert _share(Decimal("900"), Decimal("10"), Decimal("0"), policy) == 0  # no basis: nothing to share
    assert _share(Decimal("0"), Decimal("10"), Decimal("100"), policy) == 0
