"""An input that nothing reads is probably a forgotten KPI or a typo (a warning).

An input counts as used when any expression reads it (this period or through
history functions) or it names a group (``ranking.within``, aggregate ``by``,
budget ``by``). The employee id (``type: id``) and an input named ``name``
are exempt: they identify people in the outputs; so are the columns of
``fairness.columns``, which no expression may read (``fairness-column-used``). Data files must still carry
an unused required column, so either use it or remove it.

Needs the checked expressions; skipped when the expressions had errors.

Passes::

    inputs:  {employee_id: {type: id}, revenue: {type: money}}
    derived: {revenue_k: revenue / 1000}

Fails (warning: ``region`` is read nowhere)::

    inputs:  {employee_id: {type: id}, revenue: {type: money}, region: {type: text}}
    derived: {revenue_k: revenue / 1000}
"""

from __future__ import annotations

from collections.abc import Iterable

from incentive.errors import Finding, Level
from incentive.policy.checks._common import finding, first_pos
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import Policy

CODE = "unused-input"
LEVEL: Level = "warning"

EXEMPT_NAMES = frozenset({"name"})


def used_names(policy: Policy, checked: CheckedPolicy) -> set[str]:
    """Every name read by an expression or used as a group column."""
    used: set[str] = set()
    for expr in checked.exprs.values():
        used |= expr.refs | expr.history_refs
    if policy.ranking is not None:
        used |= set(policy.ranking.within)
    for agg in policy.aggregates:
        used |= set(agg.by)
    for budget in policy.budgets:
        used |= set(budget.by)
    used |= {c.basis for c in policy.clawbacks if c.basis}  # read from the earlier close by a clawback
    return used


def check(policy: Policy, checked: CheckedPolicy | None) -> Iterable[Finding]:
    if checked is None:
        return
    used = used_names(policy, checked)
    if policy.fairness is not None:
        used |= set(policy.fairness.columns)
    for inp in policy.inputs:
        if inp.type == "id" or inp.id in EXEMPT_NAMES or inp.id in used:
            continue
        yield finding(policy, first_pos(inp.pos, policy.pos), CODE, LEVEL,
                      f"input {inp.id} is not used by any expression or group; use it or remove it")
