"""A plan that can recommend an exit should carry its approval record (a warning).

Labour Contract Law Art. 4: rules that affect employees -- and a rule that
can put someone up for an exit review affects them most -- go through a
democratic procedure and are made known to employees. A policy with an
exit-type recommendation (action ``exit_review``, or a rule marked
``kind: exit``) and no ``approval:`` section has no record that it did;
``close`` warns about it too, and ``close --strict`` refuses it.

Passes::

    approval: {approved_by: 销售委员会, approved_on: 2025-12-15, consulted_on: 2025-12-10, published_on: 2025-12-20}
    recommendations:
      improvement: {when: band == "C", action: improvement_plan}
      exit_review: {when: streak(band == "C") >= 3, action: exit_review}

Fails (warning: no approval record)::

    recommendations:
      improvement: {when: band == "C", action: improvement_plan}
      exit_review: {when: streak(band == "C") >= 3, action: exit_review}
"""

from __future__ import annotations

from collections.abc import Iterable

from incentive.errors import Finding, Level
from incentive.policy.approval import exit_rules
from incentive.policy.checks._common import finding, first_pos
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import Policy

CODE = "approval-missing"
LEVEL: Level = "warning"


def check(policy: Policy, checked: CheckedPolicy | None) -> Iterable[Finding]:
    if policy.approval is not None:
        return
    for rule in exit_rules(policy):
        yield finding(policy, first_pos(rule.pos, policy.pos), CODE, LEVEL,
                      f"recommendation {rule.id} can recommend an exit ({rule.action}) but the policy has no "
                      "`approval:` record; add approved_by, approved_on, consulted_on and published_on once the "
                      "plan has been through employee-representative consultation and made known to employees "
                      "(Labour Contract Law Art. 4)")
