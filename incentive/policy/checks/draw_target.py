"""A draw is on the total or on a payout of the policy, and on each at most once.

A draw on an id that is no payout would guarantee nothing; two draws on one
component would each top it up and carry two balances for one shortfall.

Passes::

    payouts: {commission: {amount: revenue * 0.1}}
    draws:   {advance: {of: commission, kind: recoverable, amount: 1500}}

Fails (``comission`` is no payout)::

    payouts: {commission: {amount: revenue * 0.1}}
    draws:   {advance: {of: comission, kind: recoverable, amount: 1500}}
"""

from __future__ import annotations

from collections.abc import Iterable

from incentive.errors import Finding, Level
from incentive.policy.checks._common import did_you_mean, finding, first_pos
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import Policy

CODE = "draw-target"
LEVEL: Level = "error"


def check(policy: Policy, checked: CheckedPolicy | None) -> Iterable[Finding]:
    known = [p.id for p in policy.payouts]
    seen: dict[str, str] = {}
    for draw in policy.draws:
        pos = first_pos(draw.pos, policy.pos)
        if draw.of != "total" and draw.of not in known:
            listed = ", ".join(known) if known else "none defined"
            yield finding(policy, pos, CODE, LEVEL,
                          f"draw {draw.id}: of names {draw.of!r}, which is neither total nor a payout"
                          f"{did_you_mean(draw.of, known)}; payouts: {listed}")
        elif draw.of in seen:
            yield finding(policy, pos, CODE, LEVEL,
                          f"draw {draw.id}: {draw.of} already has draw {seen[draw.of]}; a component takes one draw")
        else:
            seen[draw.of] = draw.id
        if not draw.recoverable and (draw.recovery_cap is not None or draw.recovery_delay):
            yield finding(policy, pos, CODE, LEVEL,
                          f"draw {draw.id}: recovery_cap and recovery_delay apply to a recoverable draw; "
                          "a non_recoverable one is never recovered")
