"""Every id names one number everywhere, so no two elements may share an id.

Inputs, derived values, aggregates, KPIs, payouts, penalties and budgets share
one namespace: each id is a column of the results, a name in expressions and
a line in ``explain``. A KPI ``k`` also defines ``k_value`` (its value beside
``k``, its points). Names the engine computes itself are reserved: ``score``,
``band``, ``rank``, ``percentile``, ``group_size``, ``eligible``, ``total``,
``period_start``, ``period_end``, ``period_days``. (Two keys repeated inside
one section are a YAML problem, ``yaml-duplicate-key``.)

Passes::

    inputs:  {revenue: {type: money}}
    derived: {attainment: revenue / revenue_target}

Fails (``attainment`` is both a derived value and a payout; ``total`` is reserved)::

    derived: {attainment: revenue / revenue_target, total: revenue + 0}
    payouts: {attainment: {amount: 100}}
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from incentive.errors import Finding, Level, Pos
from incentive.policy.checks._common import RESERVED, finding, first_pos
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import Policy
from incentive.policy.names import kpi_value

CODE = "duplicate-id"
LEVEL: Level = "error"


def _defined(policy: Policy) -> Iterator[tuple[str, str, Pos]]:
    """(id, what defines it, where) for every named element, in file-section order."""
    for i in policy.inputs:
        yield i.id, f"input {i.id}", i.pos
    for d in policy.derived:
        yield d.id, f"derived value {d.id}", d.pos
    for a in policy.aggregates:
        yield a.id, f"aggregate {a.id}", a.pos
    for k in policy.kpis:
        yield k.id, f"KPI {k.id} (its points)", k.pos
        yield kpi_value(k.id), f"KPI {k.id} (its value, {kpi_value(k.id)})", k.pos
    for p in policy.payouts:
        yield p.id, f"payout {p.id}", p.pos
    for b in policy.budgets:
        yield b.id, f"budget {b.id}", b.pos
    for pen in policy.penalties:
        yield pen.id, f"penalty {pen.id}", pen.pos
    for c in policy.clawbacks:  # a result column of its own, like a payout
        yield c.id, f"clawback {c.id}", c.pos
    for draw in policy.draws:  # their steps (<id>.closing ...) share the id's namespace
        yield draw.id, f"draw {draw.id}", draw.pos
    for h in policy.holds:
        if h.id not in {x.id for x in policy.draws}:  # a hold named like a draw: hold-target says so
            yield h.id, f"hold {h.id}", h.pos


def check(policy: Policy, checked: CheckedPolicy | None) -> Iterable[Finding]:
    seen: dict[str, tuple[str, Pos]] = {}
    for name, what, pos in _defined(policy):
        here = first_pos(pos, policy.pos)
        if name in RESERVED:
            yield finding(policy, here, CODE, LEVEL,
                          f"{what}: {name!r} is a reserved name ({RESERVED[name]}); choose another id")
        elif name in seen:
            other, other_pos = seen[name]
            at = f" at line {other_pos.line}" if other_pos.line else ""
            yield finding(policy, here, CODE, LEVEL,
                          f"{what}: the id {name!r} is already used by {other}{at}; every id must be unique")
        else:
            seen[name] = (what, pos)
