"""Effective dates must be in order and aligned with the policy's period.

``effective.start`` must not come after ``effective.end``. A quarterly plan
takes effect on the first day of a quarter (Jan 1, Apr 1, Jul 1, Oct 1) and
ends on the last day of one (Mar 31, Jun 30, Sep 30, Dec 31); likewise a
monthly plan on the 1st / last of a month, a half-yearly one on Jan 1 or Jul 1
/ Jun 30 or Dec 31, a yearly one on Jan 1 / Dec 31 (calendar periods; fiscal
years are not modelled). Otherwise one period would be covered by two
versions of the plan, or by none.

Passes::

    period: quarter
    effective: {start: 2026-04-01, end: 2026-12-31}

Fails (mid-quarter start)::

    period: quarter
    effective: {start: 2026-05-01}
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date

from incentive.errors import Finding, Level
from incentive.policy.checks._common import finding, first_pos
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import Policy

CODE = "effective-period"
LEVEL: Level = "error"

#: months a period of each unit starts in
_START_MONTHS = {"month": range(1, 13), "quarter": (1, 4, 7, 10), "half": (1, 7), "year": (1,)}
_LENGTH = {"month": 1, "quarter": 3, "half": 6, "year": 12}


def _starts_period(d: date, unit: str) -> bool:
    return d.day == 1 and d.month in _START_MONTHS[unit]


def _ends_period(d: date, unit: str) -> bool:
    last_day = calendar.monthrange(d.year, d.month)[1]
    return d.day == last_day and (d.month - _LENGTH[unit] + 1) in _START_MONTHS[unit]


def _expected(unit: str, which: str) -> str:
    if unit == "month":
        return "the first day of a month" if which == "start" else "the last day of a month"
    names = {"quarter": ("Jan 1, Apr 1, Jul 1 or Oct 1", "Mar 31, Jun 30, Sep 30 or Dec 31"),
             "half": ("Jan 1 or Jul 1", "Jun 30 or Dec 31"), "year": ("Jan 1", "Dec 31")}[unit]
    return f"the {'first' if which == 'start' else 'last'} day of a {unit} ({names[0 if which == 'start' else 1]})"


def check(policy: Policy, checked: CheckedPolicy | None) -> Iterable[Finding]:
    eff = policy.effective
    if eff is None:
        return
    pos = first_pos(eff.pos, policy.pos)
    if eff.start is not None and eff.end is not None and eff.start > eff.end:
        yield finding(policy, pos, CODE, LEVEL,
                      f"effective start {eff.start.isoformat()} is after effective end {eff.end.isoformat()}")
    unit = policy.period
    if unit not in _START_MONTHS:
        return
    if eff.start is not None and not _starts_period(eff.start, unit):
        yield finding(policy, pos, CODE, LEVEL,
                      f"effective start {eff.start.isoformat()} is not {_expected(unit, 'start')},"
                      f" but the policy's period is {unit}")
    if eff.end is not None and not _ends_period(eff.end, unit):
        yield finding(policy, pos, CODE, LEVEL,
                      f"effective end {eff.end.isoformat()} is not {_expected(unit, 'end')},"
                      f" but the policy's period is {unit}")
