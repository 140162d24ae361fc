"""A scoring curve needs at least 2 points with strictly ascending values.

The curve maps a KPI value to points by straight lines between its points
and is clamped at both ends. Values must go up from one point to the next; a
lower-is-better KPI is written with *points* going down (``[[30, 100], [90, 0]]``:
a 30-day sales cycle earns 100, 90 days earns 0), never with values going down.
Two points with the same value would make the score jump and leave it undefined
at that value.

Passes::

    kpis:
      cycle: {value: cycle_days, weight: 100, score: {curve: [[30, 100], [90, 0]]}}

Fails (90 comes after 90)::

    kpis:
      cycle: {value: cycle_days, weight: 100, score: {curve: [[30, 100], [90, 50], [90, 0]]}}
"""

from __future__ import annotations

from collections.abc import Iterable

from incentive.errors import Finding, Level
from incentive.policy.checks._common import finding, first_pos, num
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import Policy

CODE = "curve-order"
LEVEL: Level = "error"


def check(policy: Policy, checked: CheckedPolicy | None) -> Iterable[Finding]:
    for kpi in policy.kpis:
        curve = kpi.scoring.curve
        if not curve:
            continue
        if len(curve) < 2:
            yield finding(policy, first_pos(kpi.scoring.pos, kpi.pos, policy.pos), CODE, LEVEL,
                          f"KPI {kpi.id}: a curve needs at least 2 points, got {len(curve)}")
            continue
        for n, (before, point) in enumerate(zip(curve, curve[1:]), start=2):
            if point.value <= before.value:
                yield finding(policy, first_pos(point.pos, kpi.scoring.pos, kpi.pos), CODE, LEVEL,
                              f"KPI {kpi.id}: curve point {n} has value {num(point.value)}, not above the previous"
                              f" point's {num(before.value)}; curve values must be strictly ascending"
                              " (for lower-is-better, make the points descend instead)")
