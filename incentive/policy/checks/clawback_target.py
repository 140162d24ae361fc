"""A clawback recovers named payouts, on a money basis, and each refund source is clawed back once.

A clawback in ``recover`` mode takes back ``paid × refunded / basis``: with
a payout id that is no payout, or a basis that is not a money input, there
is nothing to read from the earlier close; two clawbacks of one refund
source would take the same deal back twice. (That each refund source is an
adjustment of kind ``refund`` and the basis a ``sum`` measure is checked
against the crediting file when the period is credited.)

Passes::

    payouts:   {commission: {amount: revenue * 0.1}}
    clawbacks: {clawback: {refunds: cancellations, payouts: [commission], basis: revenue}}

Fails (``comission`` is no payout)::

    payouts:   {commission: {amount: revenue * 0.1}}
    clawbacks: {clawback: {refunds: cancellations, payouts: [comission], basis: revenue}}
"""

from __future__ import annotations

from collections.abc import Iterable

from incentive.errors import Finding, Level
from incentive.policy.checks._common import did_you_mean, finding, first_pos
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import Policy

CODE = "clawback-target"
LEVEL: Level = "error"


def check(policy: Policy, checked: CheckedPolicy | None) -> Iterable[Finding]:
    known = [p.id for p in policy.payouts]
    money = [i.id for i in policy.inputs if i.type == "money"]
    seen: dict[str, str] = {}
    for clawback in policy.clawbacks:
        pos = first_pos(clawback.pos, policy.pos)
        what = f"clawback {clawback.id}"
        for source in clawback.refunds:
            if source in seen:
                yield finding(policy, pos, CODE, LEVEL, f"{what}: refunds {source!r} are already clawed back by "
                              f"clawback {seen[source]}; a refund source takes one clawback")
            else:
                seen[source] = clawback.id
        if not clawback.recovers:
            continue
        if not clawback.payouts:
            yield finding(policy, pos, CODE, LEVEL, f"{what}: mode recover needs payouts: the payouts whose pay "
                          f"on a refunded deal is taken back (payouts: {', '.join(known) or 'none defined'})")
        for payout in clawback.payouts:
            if payout not in known:
                yield finding(policy, pos, CODE, LEVEL,
                              f"{what}: payouts names {payout!r}, which is no payout{did_you_mean(payout, known)}; "
                              f"payouts: {', '.join(known) or 'none defined'}")
        if not clawback.basis:
            yield finding(policy, pos, CODE, LEVEL, f"{what}: mode recover needs basis: the money input the payouts "
                          f"were earned on, e.g. revenue (money inputs: {', '.join(money) or 'none'})")
        elif clawback.basis not in money:
            yield finding(policy, pos, CODE, LEVEL,
                          f"{what}: basis {clawback.basis!r} is not a money input{did_you_mean(clawback.basis, money)}"
                          f"; money inputs: {', '.join(money) or 'none'}")
