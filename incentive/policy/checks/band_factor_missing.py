"""A payout's ``band_factor`` should give a factor for every band (a warning).

``band_factor: {A: 1.5, B: 1.0}`` says nothing about band C, so C silently
gets the default factor 1 instead of what the plan document says. Write
every band, even when its factor is 1. (``unranked``, the factor for people
without a band, also defaults to 1 and is not required.)

Passes::

    bands: {A: {share: 0.2}, B: {share: 0.7}, C: {share: 0.1}}
    payouts:
      bonus: {base: target_bonus, band_factor: {A: 1.5, B: 1.0, C: 0.5}}

Fails (warning: no factor for C)::

    payouts:
      bonus: {base: target_bonus, band_factor: {A: 1.5, B: 1.0}}
"""

from __future__ import annotations

from collections.abc import Iterable

from incentive.errors import Finding, Level
from incentive.policy.checks._common import finding, first_pos
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import Policy

CODE = "band-factor-missing"
LEVEL: Level = "warning"


def check(policy: Policy, checked: CheckedPolicy | None) -> Iterable[Finding]:
    if policy.ranking is None:
        return
    bands = [b.id for b in policy.ranking.bands]
    for payout in policy.payouts:
        if not payout.by_band:
            continue
        missing = [b for b in bands if b not in payout.by_band]
        if missing:
            yield finding(policy, first_pos(payout.pos, policy.pos), CODE, LEVEL,
                          f"payout {payout.id}: band_factor gives no factor for band {', '.join(missing)};"
                          " state a factor for every band")
