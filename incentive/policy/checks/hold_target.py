"""A hold is on a payout of the policy, on each at most once, and named apart from the draws.

A hold on an id that is no payout would hold nothing; two holds on one payout
would each keep back part of it and carry two balances for one amount; a hold
and a draw of the same id would write the same step columns
(``<id>.earned``, ``<id>.closing``). ``recover_early_release`` only has
something to recover where an amount is held long enough to be written off.

Passes::

    payouts: {commission: {amount: revenue * 0.1}}
    holds:   {collection: {of: commission, billed: revenue, collected: collected}}

Fails (``comission`` is no payout)::

    payouts: {commission: {amount: revenue * 0.1}}
    holds:   {collection: {of: comission, billed: revenue, collected: collected}}
"""

from __future__ import annotations

from collections.abc import Iterable

from incentive.errors import Finding, Level
from incentive.policy.checks._common import did_you_mean, finding, first_pos
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import Policy

CODE = "hold-target"
LEVEL: Level = "error"


def check(policy: Policy, checked: CheckedPolicy | None) -> Iterable[Finding]:
    known = [p.id for p in policy.payouts]
    draws = {d.id for d in policy.draws}
    seen: dict[str, str] = {}
    for hold in policy.holds:
        pos = first_pos(hold.pos, policy.pos)
        if hold.of not in known:
            listed = ", ".join(known) if known else "none defined"
            yield finding(policy, pos, CODE, LEVEL,
                          f"hold {hold.id}: of names {hold.of!r}, which is not a payout"
                          f"{did_you_mean(hold.of, known)}; payouts: {listed}")
        elif hold.of in seen:
            yield finding(policy, pos, CODE, LEVEL,
                          f"hold {hold.id}: {hold.of} already has hold {seen[hold.of]}; a payout takes one hold")
        else:
            seen[hold.of] = hold.id
        if hold.id in draws:
            yield finding(policy, pos, CODE, LEVEL,
                          f"hold {hold.id}: draw {hold.id} has the same id, and both would write the columns "
                          f"{hold.id}.earned, {hold.id}.opening and {hold.id}.closing; rename one")
        if hold.recover_early_release and hold.write_off_after is None:
            yield finding(policy, pos, CODE, LEVEL,
                          f"hold {hold.id}: recover_early_release recovers at a write-off, and without "
                          "write_off_after nothing is ever written off; set write_off_after (periods)")
