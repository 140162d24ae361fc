"""Payout tiers must be ascending and must not overlap.

Each tier starts at its ``from`` (inclusive) and runs to the next tier's
``from``; the last is open-ended. So tiers are contiguous by construction,
and the only ways to get them wrong are a ``from`` that repeats the previous
one (two tiers claim the same values) or one that goes back down.

Passes::

    tiers: {basis: attainment, mode: marginal,
            table: [{from: 0, rate: 0.03}, {from: 1.0, rate: 0.05}, {from: 1.5, rate: 0.07}]}

Fails (1.0 repeats)::

    tiers: {basis: attainment, mode: marginal,
            table: [{from: 0, rate: 0.03}, {from: 1.0, rate: 0.05}, {from: 1.0, rate: 0.07}]}
"""

from __future__ import annotations

from collections.abc import Iterable

from incentive.errors import Finding, Level
from incentive.policy.checks._common import finding, first_pos, num
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import Policy

CODE = "tiers-order"
LEVEL: Level = "error"


def check(policy: Policy, checked: CheckedPolicy | None) -> Iterable[Finding]:
    for payout in policy.payouts:
        if payout.tiers is None:
            continue
        table = payout.tiers.table
        for n, (before, tier) in enumerate(zip(table, table[1:]), start=2):
            if tier.start == before.start:
                problem = f"overlaps the previous tier, which also starts at {num(before.start)}"
            elif tier.start < before.start:
                problem = f"is below the previous tier's {num(before.start)}; tiers must be in ascending order"
            else:
                continue
            yield finding(policy, first_pos(tier.pos, payout.tiers.pos, payout.pos), CODE, LEVEL,
                          f"payout {payout.id}: tier {n} starts at {num(tier.start)} and {problem}")
