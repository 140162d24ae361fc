"""KPI weights must add up to the score scale (100, or 1).

The composite score is the weighted sum of KPI points; if the weights do not
add up to ``score.scale`` every score is silently inflated or deflated and
band cutoffs stop meaning what the plan document says. The comparison is
exact (decimal), so ``33.33 + 33.33 + 33.33`` is reported, not rounded away.

Passes::

    kpis:
      sales:      {value: attainment,      weight: 60, score: {curve: [[0, 0], [1, 100]]}}
      collection: {value: collection_rate, weight: 40, score: {curve: [[0, 0], [1, 100]]}}

Fails (weights sum to 90, scale is 100)::

    kpis:
      sales:      {value: attainment,      weight: 60, score: {curve: [[0, 0], [1, 100]]}}
      collection: {value: collection_rate, weight: 30, score: {curve: [[0, 0], [1, 100]]}}
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from incentive.errors import Finding, Level
from incentive.policy.checks._common import finding, first_pos, num
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import Policy

CODE = "weights-sum"
LEVEL: Level = "error"


def check(policy: Policy, checked: CheckedPolicy | None) -> Iterable[Finding]:
    if not policy.kpis:
        return
    total = sum((k.weight for k in policy.kpis), Decimal(0))
    scale = policy.score.scale
    if total == scale:
        return
    parts = " + ".join(f"{k.id} {num(k.weight)}" for k in policy.kpis)
    pos = first_pos(policy.kpis[0].pos, policy.pos)
    yield finding(policy, pos, CODE, LEVEL,
                  f"KPI weights sum to {num(total)} ({parts}) but must sum to the score scale {num(scale)}"
                  f" ({'over' if total > scale else 'short'} by {num(abs(total - scale))})")
