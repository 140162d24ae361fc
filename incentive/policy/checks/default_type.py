"""An input's ``default`` must be a value the input could hold.

The default fills empty cells, so it must have the input's type (a whole
number for ``integer``, ``true``/``false`` for ``boolean``, ``YYYY-MM-DD`` for
``date``…), lie within ``min`` / ``max`` and be one of ``values`` when those
are given. An ``id`` input cannot have a default: everyone would share it.

Passes::

    inputs:
      missed_reports: {type: integer, min: 0, default: 0}

Fails (below min)::

    inputs:
      missed_reports: {type: integer, min: 0, default: -1}
"""

from __future__ import annotations

from collections.abc import Iterable

from incentive.errors import Finding, Level
from incentive.policy.checks._common import finding, first_pos
from incentive.policy.checks._fit import bounds_problem, show, type_problem
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import Policy

CODE = "default-type"
LEVEL: Level = "error"


def check(policy: Policy, checked: CheckedPolicy | None) -> Iterable[Finding]:
    for inp in policy.inputs:
        if inp.default is None:
            continue
        problem: str | None
        if inp.type == "id":
            problem = "an id input cannot have a default (everyone would share the same id)"
        else:
            problem = type_problem(inp.default, inp) or bounds_problem(inp.default, inp)
            if problem is None and inp.values is not None and inp.default not in inp.values:
                problem = f"{show(inp.default)} is not one of the allowed values: " + \
                    ", ".join(show(v) for v in inp.values)
            elif problem is not None:
                problem = f"default {problem}"
        if problem is not None:
            yield finding(policy, first_pos(inp.pos, policy.pos), CODE, LEVEL,
                          f"input {inp.id} ({inp.type}): {problem}")
