"""The true-up stage through the real engine: a person's pending correction is paid in full when in their
favour, recovered from their pay when not -- never taking a total below zero -- and what pay could not
cover is carried, to the cent; people with nothing due are untouched."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incentive.engine import true_ups
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
  fine: {type: money}
payouts:
  commission: {amount: sales * 0.1}
penalties:
  late: {amount: fine}
"""

cents = st.integers(-500_000, 500_000).map(lambda c: Decimal(c) / 100)
person = st.tuples(st.integers(0, 2_000_000).map(lambda c: Decimal(c) / 100),  # sales
                   st.integers(0, 50_000).map(lambda c: Decimal(c) / 100),  # fine
                   st.one_of(st.none(), cents))  # the true-up due (None: nothing due)


def _run(tmp_path, people, dues):
    checked = load_policy(str(write_policy(tmp_path, BODY, period="month", kpis=False)))
    rows = [{"employee_id": f"E{i:02d}", "sales": str(s), "fine": str(f)} for i, (s, f) in enumerate(people)]
    data = read_period_data(write_csv(tmp_path, rows), checked.policy)
    due = {f"E{i:02d}": d for i, d in enumerate(dues) if d is not None}
    frame = pl.DataFrame({"employee_id": list(due), "due": list(due.values())},
                         schema={"employee_id": pl.String, "due": DTYPE}) if due else None
    plain = evaluate(checked, data, parse_period("2026-03", "month"))
    trued = evaluate(checked, data, parse_period("2026-03", "month"), adjustments=frame)
    return plain, trued, due


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=st.lists(person, min_size=1, max_size=8))
def test_a_true_up_is_paid_or_recovered_never_below_zero_and_the_rest_is_carried(tmp_path, people):
    plain, trued, due = _run(tmp_path, [(s, f) for s, f, _ in people], [d for _, _, d in people])
    if not due:  # nothing pending: the results are exactly what they were, no new columns
        assert trued.frame.equals(plain.frame) and true_ups.APPLIED not in trued.frame.columns
        return
    for before, after in zip(plain.frame.iter_rows(named=True), trued.frame.iter_rows(named=True)):
        owed = due.get(after["employee_id"], Decimal(0))
        applied, carried = after[true_ups.APPLIED], after[true_ups.CARRIED]
        assert after[true_ups.DUE] == owed
        assert applied + carried == owed  # nothing lost, to the cent
        assert after["total"] - before["total"] == applied
        if owed >= 0:
            assert applied == owed and carried == 0
        else:
            assert owed <= applied <= 0
            assert after["total"] >= min(before["total"], Decimal(0))  # a recovery never makes pay negative
            if carried:
                assert after["total"] == 0 or before["total"] <= 0
        assert after["commission"] == before["commission"] and after["late"] == before["late"]


def test_a_recovery_larger_than_the_pay_takes_all_of_it_and_carries_the_rest(tmp_path):
    plain, trued, _ = _run(tmp_path, [(Decimal("10000"), Decimal("0")), (Decimal("50000"), Decimal("0"))],
                           [Decimal("-1500.50"), Decimal("-200")])
    small, big = trued.frame.iter_rows(named=True)
    assert (small["total"], small[true_ups.APPLIED], small[true_ups.CARRIED]) == (0, Decimal("-1000"), Decimal("-500.50"))
    assert (big["total"], big[true_ups.APPLIED], big[true_ups.CARRIED]) == (Decimal("4800"), Decimal("-200"), 0)
    assert trued.public_columns()[-3:-1] == [true_ups.APPLIED, "total"]  # the line people read, before the total
