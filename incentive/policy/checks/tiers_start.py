"""The first payout tier should cover the lowest possible basis (a warning).

A basis below the first tier's ``from`` falls in no tier and pays nothing, in every mode
(``marginal``, ``step`` and ``linear`` alike; issue 12 B7).
That can be deliberate (a commission threshold), but it is better written
as an explicit zero tier (``{from: 0, rate: 0}``) so readers see the
threshold. The first ``from`` is accepted when it is at or below 0, or at
or below the declared ``min`` of the input used as the basis (e.g. a
``score`` basis whose tiers start at 0, or ``attainment_pct`` with
``min: 50`` and tiers from 50).

Passes::

    tiers: {basis: attainment, mode: step, table: [{from: 0, rate: 0}, {from: 0.8, rate: 1.0}]}

Fails (warning: attainment below 0.8 pays nothing, silently)::

    tiers: {basis: attainment, mode: step, table: [{from: 0.8, rate: 1.0}, {from: 1.2, rate: 1.5}]}
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from incentive.errors import Finding, Level
from incentive.policy.checks._common import finding, first_pos, num
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import Payout, Policy

CODE = "tiers-start"
LEVEL: Level = "warning"


def _lowest_basis(policy: Policy, payout: Payout) -> Decimal | None:
    """The declared minimum of the basis, when the basis is a plain input."""
    source = payout.tiers.basis if payout.tiers and payout.tiers.basis else payout.base
    if source is None:
        return None
    inp = policy.input(source.text.strip())
    return inp.min if inp is not None else None


def check(policy: Policy, checked: CheckedPolicy | None) -> Iterable[Finding]:
    for payout in policy.payouts:
        if payout.tiers is None or not payout.tiers.table:
            continue
        first = payout.tiers.table[0]
        if first.start <= 0:
            continue
        lowest = _lowest_basis(policy, payout)
        if lowest is not None and first.start <= lowest:
            continue
        yield finding(policy, first_pos(first.pos, payout.tiers.pos, payout.pos), CODE, LEVEL,
                      f"payout {payout.id}: the first tier starts at {num(first.start)}, so a basis below"
                      f" {num(first.start)} falls in no tier and pays nothing; if that is intended, add"
                      " an explicit {from: 0, rate: 0} tier")
