"""Period labels: every unit, the accepted spellings, wrong units, and arithmetic across years."""

from __future__ import annotations

from datetime import date

import pytest

from incentive.errors import UsageError
from incentive.io.periods import Period, parse_period


@pytest.mark.parametrize("text, unit, label, start, end, days", [
    ("2026-10", "month", "2026-10", date(2026, 10, 1), date(2026, 10, 31), 31),
    ("2026-2", "month", "2026-02", date(2026, 2, 1), date(2026, 2, 28), 28),
    ("2024-02", "month", "2024-02", date(2024, 2, 1), date(2024, 2, 29), 29),
    ("202610", "month", "2026-10", date(2026, 10, 1), date(2026, 10, 31), 31),
    ("2026/10", "month", "2026-10", date(2026, 10, 1), date(2026, 10, 31), 31),
    ("2026-M10", "month", "2026-10", date(2026, 10, 1), date(2026, 10, 31), 31),
    ("2026年10月", "month", "2026-10", date(2026, 10, 1), date(2026, 10, 31), 31),
    ("2026-Q3", "quarter", "2026-Q3", date(2026, 7, 1), date(2026, 9, 30), 92),
    ("2026q3", "quarter", "2026-Q3", date(2026, 7, 1), date(2026, 9, 30), 92),
    (" 2026 Q3 ", "quarter", "2026-Q3", date(2026, 7, 1), date(2026, 9, 30), 92),
    ("2026年第3季度", "quarter", "2026-Q3", date(2026, 7, 1), date(2026, 9, 30), 92),
    ("2026年第一季度", "quarter", "2026-Q1", date(2026, 1, 1), date(2026, 3, 31), 90),
    ("2024-Q1", "quarter", "2024-Q1", date(2024, 1, 1), date(2024, 3, 31), 91),
    ("2026-H2", "half", "2026-H2", date(2026, 7, 1), date(2026, 12, 31), 184),
    ("2026h1", "half", "2026-H1", date(2026, 1, 1), date(2026, 6, 30), 181),
    ("2026年上半年", "half", "2026-H1", date(2026, 1, 1), date(2026, 6, 30), 181),
    ("2026", "year", "2026", date(2026, 1, 1), date(2026, 12, 31), 365),
    ("2024年", "year", "2024", date(2024, 1, 1), date(2024, 12, 31), 366),
])
def test_parse_every_unit(text, unit, label, start, end, days):
    p = parse_period(text, unit)
    assert (p.unit, p.label, p.start, p.end, p.days, str(p)) == (unit, label, start, end, days, label)


def test_leap_year_q1_has_91_days():
    assert parse_period("2024-Q1", "quarter").days == 91
    assert parse_period("2025-Q1", "quarter").days == 90


@pytest.mark.parametrize("text, unit, expected", [
    ("2026-10", "quarter", "is a month, but the policy's period is quarter: expected a quarter like 2026-Q3"),
    ("2026-Q3", "month", "is a quarter, but the policy's period is month: expected a month like 2026-10"),
    ("2026", "half", "is a year, but the policy's period is half"),
    ("2026-H1", "year", "is a half, but the policy's period is year"),
])
def test_wrong_unit_names_the_expected_form(text, unit, expected):
    with pytest.raises(UsageError, match=expected):
        parse_period(text, unit)


@pytest.mark.parametrize("text, unit, expected", [
    ("Q3", "quarter", "cannot read period"), ("", "month", "cannot read period"), ("2026-Q5", "quarter", "quarter 5"),
    ("2026-13", "month", "month 13"), ("2026-H3", "half", "half 3"), ("0999", "year", "cannot read period"),
    ("2026-10-01", "month", "cannot read period"), ("next quarter", "quarter", "expected a quarter like 2026-Q3"),
])
def test_bad_text_is_a_usage_error(text, unit, expected):
    with pytest.raises(UsageError, match=expected):
        parse_period(text, unit)


def test_unknown_unit_is_a_programming_error():
    with pytest.raises(ValueError):
        parse_period("2026", "week")


@pytest.mark.parametrize("text, unit, k, label", [
    ("2026-01", "month", -1, "2025-12"), ("2025-12", "month", 1, "2026-01"), ("2026-03", "month", -15, "2024-12"),
    ("2026-Q1", "quarter", -1, "2025-Q4"), ("2025-Q4", "quarter", 1, "2026-Q1"), ("2026-Q3", "quarter", -4, "2025-Q3"),
    ("2026-H1", "half", -1, "2025-H2"), ("2026-H2", "half", 3, "2028-H1"), ("2026", "year", -1, "2025"),
    ("2026-Q3", "quarter", 0, "2026-Q3"),
])
def test_shift_crosses_year_boundaries(text, unit, k, label):
    p = parse_period(text, unit)
    assert p.shift(k).label == label
    assert p.shift(k).shift(-k) == p
    assert p.shift(k).ordinal == p.ordinal + k


@pytest.mark.parametrize("unit, per_year", [("month", 12), ("quarter", 4), ("half", 2), ("year", 1)])
def test_same_period_last_year(unit, per_year):
    p = Period.containing(unit, date(2026, 8, 15))
    assert p.periods_per_year == per_year
    last = p.shift(-p.periods_per_year)
    assert last.start == date(p.start.year - 1, p.start.month, 1) and last.unit == unit


def test_containing_and_out_of_range():
    assert Period.containing("quarter", date(2026, 9, 30)).label == "2026-Q3"
    assert Period.containing("half", date(2026, 7, 1)).label == "2026-H2"
    with pytest.raises(UsageError, match="out of range"):
        parse_period("9999-Q4", "quarter").shift(1)
