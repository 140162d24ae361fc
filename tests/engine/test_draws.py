"""Draws over sequences of periods, through the real engine with each period's results as the next one's
history: money is exact, paid - earned equals the change in balance (or what was forgiven), recovery never
takes pay below the draw and respects its cap, and a balance owed by someone who leaves is reported."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incentive.engine.pipeline import evaluate
from incentive.engine.results import Results
from incentive.io import read_period_data
from incentive.io.periods import Period, parse_period
from incentive.policy.validate import load_policy
from tests.engine.policy_kit import write_csv, write_policy

BODY = """\
inputs:
  employee_id: {{type: id}}
  revenue: {{type: money}}
payouts:
  commission: {{amount: revenue}}
draws:
  d: {{of: {of}, kind: {kind}, amount: {amount}{extra}}}
"""

cents = st.integers(0, 500_000).map(lambda c: Decimal(c) / 100)


def _checked(tmp_path, kind: str, amount: str, of: str = "commission", extra: str = ""):
    body = BODY.format(of=of, kind=kind, amount=amount, extra=extra)
    return load_policy(str(write_policy(tmp_path, body, period="month", kpis=False)))


def _months(checked, tmp_path, earnings: list[list[tuple[str, Decimal]]]) -> list[Results]:
    """Evaluate one month per list of (id, earnings), each with the previous month's results as its history."""
    out: list[Results] = []
    start = parse_period("2026-01", "month")
    for i, people in enumerate(earnings):
        rows = [{"employee_id": e, "revenue": str(v)} for e, v in people] or [{"employee_id": "X", "revenue": "0"}]
        data = read_period_data(write_csv(tmp_path, rows, name=f"m{i}.csv"), checked.policy)
        history = {1: out[-1].frame} if out else {}
        out.append(evaluate(checked, data, Period.of("month", start.ordinal + i), history=history))
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(earned=st.lists(cents, min_size=1, max_size=6), draw=cents, cap=st.one_of(st.none(), cents),
       delay=st.integers(0, 2))
def test_a_recoverable_draw_moves_the_balance_by_exactly_paid_minus_earned(tmp_path, earned, draw, cap, delay):
    extra = (f", recovery_cap: {cap}" if cap is not None else "") + f", recovery_delay: {delay}"
    checked = _checked(tmp_path, "recoverable", str(draw), extra=extra)
    owed = Decimal(0)
    for results, e in zip(_months(checked, tmp_path, [[("E1", e)] for e in earned]), earned):
        r = results.frame.row(0, named=True)
        assert r["d.earned"] == e and r["d.opening"] == owed
        paid, closing = r["commission"], r["d.closing"]
        assert paid - e == closing - owed  # to the cent: nothing appears or vanishes
        assert paid >= min(draw, max(e, draw)) and paid >= draw  # never below the guarantee
        assert r["d.recovered"] <= max(e - draw, Decimal(0))
        if cap is not None:
            assert r["d.recovered"] <= cap
        assert closing >= 0 and r["total"] == paid
        owed = closing


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(earned=st.lists(cents, min_size=1, max_size=5), draw=cents)
def test_a_non_recoverable_draw_tops_up_and_forgives(tmp_path, earned, draw):
    checked = _checked(tmp_path, "non_recoverable", str(draw))
    for results, e in zip(_months(checked, tmp_path, [[("E1", e)] for e in earned]), earned):
        r = results.frame.row(0, named=True)
        assert r["commission"] == max(e, draw)
        assert r["commission"] - e == r["d.forgiven"] and r["d.closing"] == 0 and r["d.opening"] == 0


def test_a_draw_on_the_total_applies_after_the_floor(tmp_path):
    body = BODY.format(of="total", kind="recoverable", amount="1000", extra="") + \
        "penalties:\n  fine: {amount: 800}\n"
    checked = load_policy(str(write_policy(tmp_path, body, period="month", kpis=False)))
    frames = _months(checked, tmp_path, [[("E1", Decimal(500))], [("E1", Decimal(3000))]])
    first, second = (f.frame.row(0, named=True) for f in frames)
    # 500 - 800 is floored at 0; the draw pays 1,000, all of it advanced
    assert (first["commission"], first["d.earned"], first["total"], first["d.closing"]) == (500, 0, 1000, 1000)
    # 3,000 - 800 = 2,200 earned; 1,200 above the draw recovers the whole 1,000
    assert (second["d.earned"], second["d.recovered"], second["total"], second["d.closing"]) == (2200, 1000, 1200, 0)


def test_a_balance_owed_by_someone_who_left_is_reported_not_dropped(tmp_path):
    for on_leave in ("recover", "forgive"):
        checked = _checked(tmp_path, "recoverable", "1500", extra=f", on_leave: {on_leave}")
        frames = _months(checked, tmp_path, [[("E1", Decimal(500)), ("E2", Decimal(2000))], [("E2", Decimal(100))]])
        gone = frames[1].departures
        assert gone.to_dicts() == [{"employee_id": "E1", "draw": "d", "balance": Decimal("1000"),
                                    "action": on_leave}]


def test_the_amounts_are_rounded_with_the_policy(tmp_path):
    checked = _checked(tmp_path, "recoverable", "1000 / 3")
    r = _months(checked, tmp_path, [[("E1", Decimal("100.00"))]])[0].frame.row(0, named=True)
    assert (r["d.amount"], r["d.shortfall"], r["commission"]) == (Decimal("333.33"), Decimal("233.33"),
                                                                 Decimal("333.33"))
