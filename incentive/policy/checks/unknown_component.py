"""A penalty's ``forfeit`` and a budget's ``components`` must name payouts.

``forfeit: all`` forfeits every payout; otherwise each listed id must be a
payout id, or the veto / budget silently does nothing for it.

Passes::

    payouts:   {bonus: {base: target_bonus}}
    penalties: {compliance: {when: violation, forfeit: [bonus]}}

Fails (``bonuss`` is no payout)::

    payouts:   {bonus: {base: target_bonus}}
    penalties: {compliance: {when: violation, forfeit: [bonuss]}}
"""

from __future__ import annotations

from collections.abc import Iterable

from incentive.errors import Finding, Level
from incentive.policy.checks._common import did_you_mean, finding, first_pos
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import Policy

CODE = "unknown-component"
LEVEL: Level = "error"


def _message(where: str, name: str, known: list[str]) -> str:
    listed = ", ".join(known) if known else "none defined"
    return f"{where} names {name!r}, which is not a payout{did_you_mean(name, known)}; payouts: {listed}"


def check(policy: Policy, checked: CheckedPolicy | None) -> Iterable[Finding]:
    known = [p.id for p in policy.payouts]
    for pen in policy.penalties:
        for name in pen.forfeit:
            if name != "all" and name not in known:
                yield finding(policy, first_pos(pen.pos, policy.pos), CODE, LEVEL,
                              _message(f"penalty {pen.id}: forfeit", name, known))
    for budget in policy.budgets:
        for name in budget.components:
            if name not in known:
                yield finding(policy, first_pos(budget.pos, policy.pos), CODE, LEVEL,
                              _message(f"budget {budget.id}: components", name, known))
