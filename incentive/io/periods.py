"""Evaluation periods: a month, quarter, half-year or year, and arithmetic on them.

A policy evaluates one period at a time (``--period 2026-Q3``); history
functions look back ``k`` periods (``prev``) or one year (``last_year``). Each
period has an ``ordinal`` -- a running index of periods of its unit since
year 0 -- so stepping back and forth is plain integer arithmetic and crosses
year boundaries without special cases.

Accepted period text (surrounding whitespace ignored, letters in any case):

====== ======================================================================
unit   forms
====== ======================================================================
month  ``2026-10`` (canonical), ``2026-1``, ``2026/10``, ``2026.10``,
       ``202610``, ``2026-M10``, ``2026M10``, ``2026年10月``
quarter ``2026-Q3`` (canonical), ``2026Q3``, ``2026 Q3``, ``2026/Q3``,
       ``2026年Q3``, ``2026年第3季度``, ``2026年3季度``
half   ``2026-H2`` (canonical), ``2026H2``, ``2026 H2``, ``2026/H2``,
       ``2026年H2``, ``2026年上半年`` (H1), ``2026年下半年`` (H2)
year   ``2026`` (canonical), ``2026年``, ``2026年度``
====== ======================================================================

Years run from 1000 to 9999. A label of another unit than the policy's
(``2026-10`` for a quarterly policy) is refused with the expected form.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from incentive.errors import UsageError

UNITS = ("month", "quarter", "half", "year")
_PER_YEAR = {"month": 12, "quarter": 4, "half": 2, "year": 1}
_EXAMPLE = {"month": "2026-10", "quarter": "2026-Q3", "half": "2026-H2", "year": "2026"}
_MIN_YEAR, _MAX_YEAR = 1000, 9999

_Y = r"(?P<y>[1-9][0-9]{3})"
_PATTERNS: dict[str, tuple[re.Pattern[str], ...]] = {
    "month": (
        re.compile(_Y + r"\s*(?:[-/.]\s*M?|M)\s*(?P<n>[0-9]{1,2})"),
        re.compile(_Y + r"(?P<n>[0-9]{2})"),
        re.compile(_Y + r"\s*年\s*(?P<n>[0-9]{1,2})\s*月(?:份)?"),
    ),
    "quarter": (
        re.compile(_Y + r"\s*[-/. ]?\s*Q\s*(?P<n>[0-9])"),
        re.compile(_Y + r"\s*年\s*(?:Q\s*(?P<n>[0-9])|第?\s*(?P<m>[0-9一二三四])\s*季度?)"),
    ),
    "half": (
        re.compile(_Y + r"\s*[-/. ]?\s*H\s*(?P<n>[0-9])"),
        re.compile(_Y + r"\s*年\s*(?:H\s*(?P<n>[0-9])|(?P<m>[上下])\s*半年度?)"),
    ),
    "year": (re.compile(_Y + r"(?:\s*年度?)?"),),
}
_CN_NUMBER = {"一": 1, "二": 2, "三": 3, "四": 4, "上": 1, "下": 2}


def _month_bounds(year: int, first_month: int, months: int) -> tuple[date, date]:
    last_month = first_month + months - 1
    return date(year, first_month, 1), date(year, last_month, calendar.monthrange(year, last_month)[1])


@dataclass(frozen=True)
class Period:
    """One evaluation period. Build it with ``parse_period`` or ``Period.of``."""

    unit: str
    label: str
    start: date
    end: date  # inclusive last day
    days: int
    ordinal: int

    @classmethod
    def of(cls, unit: str, ordinal: int) -> Period:
        """The period of ``unit`` with running index ``ordinal`` (year * per_year + index)."""
        if unit not in _PER_YEAR:
            raise ValueError(f"unknown period unit {unit!r}")
        per_year = _PER_YEAR[unit]
        year, index = divmod(ordinal, per_year)
        if not _MIN_YEAR <= year <= _MAX_YEAR:
            raise UsageError(f"period out of range: year {year} (periods run from {_MIN_YEAR} to {_MAX_YEAR})")
        months = 12 // per_year
        start, end = _month_bounds(year, index * months + 1, months)
        if unit == "month":
            label = f"{year}-{index + 1:02d}"
        elif unit == "quarter":
            label = f"{year}-Q{index + 1}"
        elif unit == "half":
            label = f"{year}-H{index + 1}"
        else:
            label = f"{year}"
        return cls(unit=unit, label=label, start=start, end=end, days=(end - start).days + 1, ordinal=ordinal)

    @classmethod
    def containing(cls, unit: str, day: date) -> Period:
        """The period of ``unit`` that contains ``day``."""
        if unit not in _PER_YEAR:
            raise ValueError(f"unknown period unit {unit!r}")
        per_year = _PER_YEAR[unit]
        return cls.of(unit, day.year * per_year + (day.month - 1) // (12 // per_year))

    @property
    def periods_per_year(self) -> int:
        return _PER_YEAR[self.unit]

    def shift(self, k: int) -> Period:
        """The period ``k`` periods later (negative: earlier)."""
        return Period.of(self.unit, self.ordinal + k)

    def __str__(self) -> str:
        return self.label


def _match(text: str, unit: str) -> Period | None:
    """The period if ``text`` is one of ``unit``'s forms; None if it is not that unit at all."""
    for pattern in _PATTERNS[unit]:
        m = pattern.fullmatch(text)
        if not m:
            continue
        year = int(m["y"])
        if unit == "year":
            return Period.of("year", year)
        groups = m.groupdict()
        n = int(groups["n"]) if groups.get("n") else _CN_NUMBER.get(groups["m"]) or int(groups["m"])
        per_year = _PER_YEAR[unit]
        if not 1 <= n <= per_year:
            raise UsageError(f"period {text!r}: {unit} {n} does not exist (1 to {per_year})")
        return Period.of(unit, year * per_year + n - 1)
    return None


def parse_period(text: str, unit: str) -> Period:
    """Read a period label for a policy whose period is ``unit``.

    Raises ``UsageError`` naming the expected form for bad text and for a
    label of another unit (``2026-10`` given to a quarterly policy).
    """
    if unit not in _PER_YEAR:
        raise ValueError(f"unknown period unit {unit!r}")
    cleaned = str(text).strip().upper().replace("Ｑ", "Q").replace("Ｈ", "H")
    expected = f"expected a {unit} like {_EXAMPLE[unit]}"
    found = _match(cleaned, unit)
    if found is not None:
        return found
    for other in UNITS:
        if other != unit and _match(cleaned, other) is not None:
            raise UsageError(f"period {text!r} is a {other}, but the policy's period is {unit}: {expected}")
    raise UsageError(f"cannot read period {text!r}: {expected}")
