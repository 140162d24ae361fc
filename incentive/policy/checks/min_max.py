"""An input's ``min`` must not exceed its ``max``, and bounds are for numbers.

With ``min`` above ``max`` no value is acceptable and every data file is
rejected. ``min`` / ``max`` apply to ``integer``, ``number``, ``money`` and
``percent`` inputs (a percent bound is a fraction: ``max: 1`` is 100%);
on text, id, date or boolean inputs they mean nothing.

Passes::

    inputs:
      satisfaction: {type: number, min: 0, max: 100}

Fails::

    inputs:
      satisfaction: {type: number, min: 100, max: 0}
"""

from __future__ import annotations

from collections.abc import Iterable

from incentive.errors import Finding, Level
from incentive.policy.checks._common import finding, first_pos, num
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import NUMERIC_TYPES, Policy

CODE = "min-max"
LEVEL: Level = "error"


def check(policy: Policy, checked: CheckedPolicy | None) -> Iterable[Finding]:
    for inp in policy.inputs:
        pos = first_pos(inp.pos, policy.pos)
        if inp.type not in NUMERIC_TYPES and (inp.min is not None or inp.max is not None):
            yield finding(policy, pos, CODE, LEVEL,
                          f"input {inp.id} is of type {inp.type}; min and max only apply to integer, number,"
                          " money and percent inputs")
        elif inp.min is not None and inp.max is not None and inp.min > inp.max:
            yield finding(policy, pos, CODE, LEVEL,
                          f"input {inp.id}: min {num(inp.min)} is greater than max {num(inp.max)};"
                          " no value could be accepted")
