"""An exit review should follow improvement steps the policy also recommends (a warning).

The bottom-band sequence is improvement plan → training or transfer →
review (SPEC §5). A policy that recommends ``exit_review`` (or any action
containing ``exit``) but never ``improvement_plan``, ``coaching``,
``training`` or ``transfer`` (or an action it marks ``kind: improvement``)
skips the steps that make a later review fair and defensible. The engine
then replaces every exit review with ``improvement_plan`` until one was
recorded (see ``incentive.engine.exit_guard``).

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
from incentive.policy.actions import is_exit, is_improvement
from incentive.policy.checks._common import finding, first_pos
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import Policy

CODE = "exit-without-improvement"
LEVEL: Level = "warning"


def check(policy: Policy, checked: CheckedPolicy | None) -> Iterable[Finding]:
    recs = policy.recommendations
    if any(is_improvement(r) for r in recs):
        return
    for rec in recs:
        if is_exit(rec):
            yield finding(policy, first_pos(rec.pos, policy.pos), CODE, LEVEL,
                          f"recommendation {rec.id}: the policy recommends {rec.action!r} but never"
                          " improvement_plan, coaching, training or transfer; add those steps so an exit"
                          " review only follows them")
