"""Exactly one input must have ``type: id`` (the employee id, 工号).

It identifies each person in the data, the results, the ledger history and
``explain``. With none, people cannot be told apart; with two, it is unclear
which one the history is kept under.

Passes::

    inputs:
      employee_id: {type: id, column: 工号}
      manager_id:  {type: text}

Fails (two id inputs)::

    inputs:
      employee_id: {type: id}
      manager_id:  {type: id}
"""

from __future__ import annotations

from collections.abc import Iterable

from incentive.errors import Finding, Level
from incentive.policy.checks._common import finding, first_pos
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import Policy

CODE = "id-input"
LEVEL: Level = "error"


def check(policy: Policy, checked: CheckedPolicy | None) -> Iterable[Finding]:
    ids = [i for i in policy.inputs if i.type == "id"]
    if not ids:
        pos = first_pos(policy.inputs[0].pos, policy.pos) if policy.inputs else policy.pos
        yield finding(policy, pos, CODE, LEVEL,
                      "no input has type id; exactly one input must be the employee id, e.g."
                      " employee_id: {type: id}")
        return
    for extra in ids[1:]:
        yield finding(policy, first_pos(extra.pos, policy.pos), CODE, LEVEL,
                      f"input {extra.id} has type id, but {ids[0].id} already is the employee id; exactly one"
                      " input may have type id (use type text for other identifiers)")
