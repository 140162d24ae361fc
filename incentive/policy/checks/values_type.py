"""Each entry of an input's ``values`` (its allowed set) must fit the input.

An allowed value the data can never hold (``values: [1, 2, x]`` on an integer
input, a level outside ``min``/``max``) is a typo that makes the real value
unaccepted. Repeated entries are reported too.

Passes::

    inputs:
      grade: {type: integer, values: [1, 2, 3]}

Fails::

    inputs:
      grade: {type: integer, values: [1, 2, 3.5]}
"""

from __future__ import annotations

from collections.abc import Iterable

from incentive.errors import Finding, Level
from incentive.policy.checks._common import finding, first_pos
from incentive.policy.checks._fit import bounds_problem, show, type_problem
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import Policy

CODE = "values-type"
LEVEL: Level = "error"


def check(policy: Policy, checked: CheckedPolicy | None) -> Iterable[Finding]:
    for inp in policy.inputs:
        if not inp.values:
            continue
        pos = first_pos(inp.pos, policy.pos)
        seen: list[object] = []
        for n, value in enumerate(inp.values, start=1):
            problem = type_problem(value, inp) or bounds_problem(value, inp)
            if problem is None and any(value == s and type(value) is type(s) for s in seen):
                problem = f"{show(value)} is listed twice"
            seen.append(value)
            if problem is not None:
                yield finding(policy, pos, CODE, LEVEL,
                              f"input {inp.id} ({inp.type}): allowed value {n}: {problem}")
