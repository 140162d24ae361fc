"""Every payout tier needs what its mode uses: a ``rate``, or in step mode a fixed ``amount``.

``marginal`` (each slice of the base earns its tier's rate, like tax
brackets) and ``linear`` (the rate is interpolated between tiers) need a
``rate`` on every tier and cannot use ``amount``. ``step`` (the tier that
contains the basis sets the payout for the whole base) takes either a
``rate`` (fraction of the base) or a fixed ``amount`` per tier, not both.

Passes::

    tiers: {basis: score, mode: step, table: [{from: 0, amount: 0}, {from: 80, amount: 500}]}

Fails (a marginal tier without a rate)::

    tiers: {basis: attainment, mode: marginal, table: [{from: 0, rate: 0.03}, {from: 1.0, amount: 500}]}
"""

from __future__ import annotations

from collections.abc import Iterable

from incentive.errors import Finding, Level
from incentive.policy.checks._common import finding, first_pos
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import Policy

CODE = "tiers-rate"
LEVEL: Level = "error"


def check(policy: Policy, checked: CheckedPolicy | None) -> Iterable[Finding]:
    for payout in policy.payouts:
        tiers = payout.tiers
        if tiers is None:
            continue
        for n, tier in enumerate(tiers.table, start=1):
            where = f"payout {payout.id}: tier {n} ({tiers.mode} mode)"
            if tiers.mode == "step":
                if tier.rate is None and tier.amount is None:
                    problem = "has neither a rate nor an amount; give one of them"
                elif tier.rate is not None and tier.amount is not None:
                    problem = "has both a rate and an amount; give only one of them"
                else:
                    continue
            elif tier.amount is not None:
                problem = "has an amount; fixed amounts are only for step mode, give a rate instead"
            elif tier.rate is None:
                problem = "has no rate"
            else:
                continue
            yield finding(policy, first_pos(tier.pos, tiers.pos, payout.pos), CODE, LEVEL, f"{where} {problem}")
