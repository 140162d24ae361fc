"""A payout's ``cap`` must not be below its ``floor`` (when both are plain numbers).

With ``floor: 500`` and ``cap: 300`` the payout can never satisfy both,
and the result depends on which one the engine applies last. Only plain
numbers are compared here; expressions (``2 * target_bonus``) vary by person.

Passes::

    payouts:
      bonus: {base: target_bonus, floor: 0, cap: 5000}

Fails::

    payouts:
      bonus: {base: target_bonus, floor: 500, cap: 300}
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from incentive.errors import Finding, Level
from incentive.policy.checks._common import finding, first_pos, num
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import Policy, Source

CODE = "cap-floor"
LEVEL: Level = "error"


def _constant(source: Source | None) -> Decimal | None:
    if source is None:
        return None
    try:
        value = Decimal(source.text.strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def check(policy: Policy, checked: CheckedPolicy | None) -> Iterable[Finding]:
    for payout in policy.payouts:
        cap, floor = _constant(payout.cap), _constant(payout.floor)
        if payout.cap is not None and cap is not None and floor is not None and cap < floor:
            pos = first_pos(payout.cap.pos, payout.pos, policy.pos)
            yield finding(policy, pos, CODE, LEVEL,
                          f"payout {payout.id}: cap {num(cap)} is below floor {num(floor)}; no amount can satisfy"
                          " both")
