"""An exit review should follow improvement steps the policy also recommends (a warning).

The bottom-band sequence is improvement plan → training or transfer →
review (SPEC §5). A policy that recommends ``exit_review`` (or any action
containing ``exit``) but never ``improvement_plan``, ``coaching``,
``training`` or ``transfer`` skips the steps that make a later review fair
and defensible.

Passes::

    recommendations:
      improvement: {when: band == "C", action: improvement_plan}
      exit_review: {when: streak(band == "C") >= 3, action: exit_review}

Fails (warning)::

    recommendations:
      exit_review: {when: streak(band == "C") >= 3, action: exit_review}
"""

from __future__ import annotations

from collections.abc import Iterable

from incentive.errors import Finding, Level
from incentive.policy.checks._common import finding, first_pos
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import Policy

CODE = "exit-without-improvement"
LEVEL: Level = "warning"

IMPROVEMENT_ACTIONS = frozenset({"improvement_plan", "coaching", "training", "transfer"})


def check(policy: Policy, checked: CheckedPolicy | None) -> Iterable[Finding]:
    recs = policy.recommendations
    if any(r.action in IMPROVEMENT_ACTIONS for r in recs):
        return
    for rec in recs:
        if "exit" in rec.action.lower():
            yield finding(policy, first_pos(rec.pos, policy.pos), CODE, LEVEL,
                          f"recommendation {rec.id}: the policy recommends {rec.action!r} but never"
                          " improvement_plan, coaching, training or transfer; add those steps so an exit"
                          " review only follows them")
