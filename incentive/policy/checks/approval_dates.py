"""The approval record's dates follow the procedure: consultation, then approval, then publication (a warning).

Employee representatives are consulted on a draft, the plan is approved,
then it is made known to employees (Labour Contract Law Art. 4). An
``approval:`` whose ``consulted_on`` is after its ``approved_on``, or whose
``published_on`` is before either, records a procedure that did not happen
in that order -- usually a typing slip, sometimes a plan published before it
was approved. Each pair out of order is one finding, at the later-named key.

Passes::

    approval: {approved_by: 销售委员会, approved_on: 2025-12-15, consulted_on: 2025-12-10, published_on: 2025-12-20}

Fails (published before approval)::

    approval: {approved_by: 销售委员会, approved_on: 2025-12-15, consulted_on: 2025-12-10, published_on: 2025-12-01}
"""

from __future__ import annotations

from collections.abc import Iterable

from incentive.errors import Finding, Level
from incentive.policy.approval import dates_out_of_order
from incentive.policy.checks._common import finding, first_pos
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import Policy

CODE = "approval-date-order"
LEVEL: Level = "warning"

_STEP = {"consulted_on": "consultation", "approved_on": "approval", "published_on": "publication"}


def check(policy: Policy, checked: CheckedPolicy | None) -> Iterable[Finding]:
    approval = policy.approval
    if approval is None:
        return
    for earlier, later in dates_out_of_order(approval):
        pos = first_pos(approval.field_pos.get(later, approval.pos), approval.pos, policy.pos)
        yield finding(policy, pos, CODE, LEVEL,
                      f"approval.{later} {getattr(approval, later).isoformat()} is before approval.{earlier} "
                      f"{getattr(approval, earlier).isoformat()}: {_STEP[earlier]} comes before {_STEP[later]} "
                      "(consult employee representatives, approve, then make the plan known)")
