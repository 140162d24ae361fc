from datetime import date

import pytest

from incentive.errors import Pos
from incentive.policy.checks import cap_floor, effective_period
from incentive.policy.model import Effective
from incentive.policy.version_checks import check_versions


def run(module, policy):
    return list(module.check(policy, None))


def eff(start, end=None):
    return Effective(start, end, Pos(8, 12))


@pytest.mark.parametrize("period, start, end", [
    ("month", date(2026, 2, 1), date(2026, 2, 28)),
    ("month", date(2024, 2, 1), date(2024, 2, 29)),
    ("quarter", date(2026, 4, 1), date(2026, 12, 31)),
    ("half", date(2026, 7, 1), date(2027, 6, 30)),
    ("year", date(2026, 1, 1), date(2026, 12, 31)),
    ("quarter", date(2026, 10, 1), None),
    ("quarter", None, date(2026, 9, 30)),
])
def test_aligned_effective_dates_pass(b, period, start, end):
    assert run(effective_period, b.policy(period=period, effective=eff(start, end))) == []


@pytest.mark.parametrize("period, start, end, expected", [
    ("quarter", date(2026, 5, 1), None, "covers 2026-04-01 to 2026-04-30 of 2026-Q2"),
    ("quarter", None, date(2026, 8, 31), "covers 2026-09-01 to 2026-09-30 of 2026-Q3"),
    ("month", date(2026, 1, 15), None, "covers 2026-01-01 to 2026-01-14 of 2026-01"),
    ("month", None, date(2023, 2, 28 - 1), "covers 2023-02-28 of 2023-02"),
    ("half", date(2026, 4, 1), None, "covers 2026-01-01 to 2026-03-31 of 2026-H1"),
    ("year", None, date(2026, 6, 30), "covers 2026-07-01 to 2026-12-31 of 2026"),
])
def test_misaligned_effective_dates(b, period, start, end, expected):
    """A lone policy is a set of one version: dates inside a period leave part of it to no version."""
    policy = b.policy(period=period, effective=eff(start, end))
    assert run(effective_period, policy) == []  # a hand-over inside a period is allowed between versions
    [f] = check_versions([policy])
    assert (f.line, f.col, f.code) == (8, 12, "effective-period")  # alone: the per-file code, as before versions
    assert expected in f.message and f"inside that {period}" in f.message


def test_start_after_end(b):
    found = run(effective_period, b.policy(effective=eff(date(2026, 7, 1), date(2026, 6, 30))))
    assert [f.message for f in found] == ["effective start 2026-07-01 is after effective end 2026-06-30"]


def test_no_effective_dates(b):
    assert run(effective_period, b.policy(effective=None)) == []


def test_cap_below_floor(b):
    p = b.payout("bonus", base="target_bonus", floor="500", cap="300", line=64)
    [f] = run(cap_floor, b.policy(payouts=(p,)))
    assert (f.line, f.col, f.code) == (64, 20, "cap-floor")
    assert "cap 300 is below floor 500" in f.message


@pytest.mark.parametrize("floor, cap", [("0", "5000"), ("500", "500"), ("0", "2 * target_bonus"), (None, "100")])
def test_cap_floor_fine_or_not_constant(b, floor, cap):
    p = b.payout("bonus", base="target_bonus", floor=floor, cap=cap)
    assert run(cap_floor, b.policy(payouts=(p,))) == []
