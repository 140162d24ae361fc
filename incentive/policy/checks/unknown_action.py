"""A recommendation's ``action`` must be a known action, or ``custom:<name>``.

Downstream HR processes key on the action code, so a typo (``promotion_reveiw``)
would drop a recommendation on the floor. Known actions: ``promotion_review``,
``recognition``, ``improvement_plan``, ``coaching``, ``training``,
``transfer``, ``exit_review``, ``no_results_review``, ``compliance_review``,
``legal_review`` (what an exit-type action becomes for a protected person).
A plan-specific action is written ``custom:<name>`` (letters, digits, ``_``, ``-``).

Passes::

    recommendations:
      promotion: {when: band == "A", action: promotion_review}
      mentor:    {when: band == "A", action: "custom:mentor_new_hires"}

Fails::

    recommendations:
      promotion: {when: band == "A", action: promote}
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from incentive.errors import Finding, Level
from incentive.policy.actions import KNOWN_ACTIONS
from incentive.policy.checks._common import finding, first_pos
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import Policy

CODE = "unknown-action"
LEVEL: Level = "error"

_CUSTOM = re.compile(r"custom:[A-Za-z][A-Za-z0-9_-]*")


def check(policy: Policy, checked: CheckedPolicy | None) -> Iterable[Finding]:
    for rec in policy.recommendations:
        action = rec.action
        if action in KNOWN_ACTIONS or _CUSTOM.fullmatch(action):
            continue
        if action.startswith("custom:"):
            detail = "a custom action needs a name of letters, digits, '_' or '-' after 'custom:'"
        else:
            hint = difflib.get_close_matches(action, KNOWN_ACTIONS, n=1, cutoff=0.7)
            detail = (f"did you mean {hint[0]!r}? " if hint else "") + \
                f"known actions: {', '.join(KNOWN_ACTIONS)}; or write 'custom:{action}'"
        yield finding(policy, first_pos(rec.pos, policy.pos), CODE, LEVEL,
                      f"recommendation {rec.id}: unknown action {action!r} ({detail})")
