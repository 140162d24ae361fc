"""Each fairness column is a required input other than the employee id.

The report groups every person by the column's value, so the column must be
declared in ``inputs`` (its type and header say how to read it) and be
required with no default: an empty cell would put a person in no group, or
in a group the data never named. The employee id is no demographic column.

Passes::

    inputs:   {gender: {type: text}}
    fairness: {columns: [gender]}

Fails (``gendr`` is no input)::

    inputs:   {gender: {type: text}}
    fairness: {columns: [gendr]}
"""

from __future__ import annotations

from collections.abc import Iterable

from incentive.errors import Finding, Level
from incentive.policy.checks._common import did_you_mean, finding, first_pos
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import Policy

CODE = "fairness-column-input"
LEVEL: Level = "error"


def check(policy: Policy, checked: CheckedPolicy | None) -> Iterable[Finding]:
    fairness = policy.fairness
    if fairness is None:
        return
    known = [i.id for i in policy.inputs]
    for index, name in enumerate(fairness.columns):
        pos = first_pos(fairness.position(index), fairness.pos, policy.pos)
        inp = policy.input(name)
        if inp is None:
            yield finding(policy, pos, CODE, LEVEL,
                          f"fairness.columns names {name!r}, which is not an input{did_you_mean(name, known)};"
                          " declare it in inputs (usually type: text)")
        elif inp.type == "id":
            yield finding(policy, pos, CODE, LEVEL,
                          f"fairness.columns names {name!r}, the employee id; name a demographic column instead")
        elif not inp.required or inp.default is not None:
            yield finding(policy, pos, CODE, LEVEL,
                          f"fairness column {name!r} is optional (required: false or a default); every person"
                          " needs a group -- make the input required, without a default")
