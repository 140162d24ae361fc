"""Group columns (``ranking.within``, aggregate ``by``, budget ``by``) must be inputs.

Groups are formed from columns of the period data, so each name must be an
input id (e.g. ``region``, ``team``), not a derived value or a typo.

Passes::

    inputs:  {team: {type: text}, revenue: {type: money}}
    aggregates: {team_revenue: {sum: revenue, by: team}}

Fails (``teams`` is no input)::

    aggregates: {team_revenue: {sum: revenue, by: teams}}
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from incentive.errors import Finding, Level, Pos
from incentive.policy.checks._common import did_you_mean, finding, first_pos
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import Policy

CODE = "unknown-column"
LEVEL: Level = "error"


def _group_columns(policy: Policy) -> Iterator[tuple[str, str, Pos]]:
    if policy.ranking is not None:
        for name in policy.ranking.within:
            yield name, "ranking.within", policy.ranking.pos
    for a in policy.aggregates:
        for name in a.by:
            yield name, f"aggregate {a.id}: by", a.pos
    for b in policy.budgets:
        for name in b.by:
            yield name, f"budget {b.id}: by", b.pos


def check(policy: Policy, checked: CheckedPolicy | None) -> Iterable[Finding]:
    known = [i.id for i in policy.inputs]
    for name, where, pos in _group_columns(policy):
        if name in known:
            continue
        by_header = next((i.id for i in policy.inputs if i.column == name), None)
        if by_header is not None:
            tail = f" (that is the column header of input {by_header!r}; write the input id)"
        else:
            tail = did_you_mean(name, known)
        yield finding(policy, first_pos(pos, policy.pos), CODE, LEVEL,
                      f"{where} names {name!r}, which is not an input column{tail}; groups are formed from"
                      " input columns")
