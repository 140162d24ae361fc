"""Band shares must add up to exactly 1 (e.g. 271: 0.20 + 0.70 + 0.10).

Band sizes are the shares of each ranking group's headcount; shares that add
up to less than 1 leave people without a band, more than 1 cannot be filled.
The comparison is exact, so ``0.33 + 0.33 + 0.33`` is reported.

Passes::

    bands:
      A: {share: 0.20}
      B: {share: 0.70}
      C: {share: 0.10}

Fails (sum 0.95)::

    bands:
      A: {share: 0.20}
      B: {share: 0.65}
      C: {share: 0.10}
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from incentive.errors import Finding, Level
from incentive.policy.checks._common import finding, first_pos, num
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import Policy

CODE = "band-shares"
LEVEL: Level = "error"


def check(policy: Policy, checked: CheckedPolicy | None) -> Iterable[Finding]:
    ranking = policy.ranking
    if ranking is None or not ranking.bands:
        return
    total = sum((b.share for b in ranking.bands), Decimal(0))
    if total == 1:
        return
    parts = " + ".join(f"{b.id} {num(b.share)}" for b in ranking.bands)
    yield finding(policy, first_pos(ranking.bands[0].pos, ranking.pos, policy.pos), CODE, LEVEL,
                  f"band shares sum to {num(total)} ({parts}) but must sum to exactly 1")
