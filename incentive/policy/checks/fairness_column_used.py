"""A fairness column must never shape an outcome: no expression or group may read it.

The adverse-impact report compares groups of a demographic column (gender,
age band ...); it means something only when the plan's scores, bands,
payouts, penalties and recommendations are computed without that column.
So a column named in ``fairness.columns`` may not be read by any expression
-- directly, through a derived value or aggregate that reads it, or through
a history function -- nor name a group (``ranking.within``, aggregate or
budget ``by``). Works on the expression text, so it also runs when the
expression checks found errors.

Passes::

    inputs:   {gender: {type: text}}
    fairness: {columns: [gender]}

Fails (the bonus gate reads ``gender`` through the derived value ``women``)::

    inputs:   {gender: {type: text}}
    fairness: {columns: [gender]}
    derived:  {women: gender == "F"}
    payouts:  {bonus: {base: target_bonus, gate: women}}
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator

from incentive.errors import Finding, Level, Pos
from incentive.policy.checks._common import finding, first_pos, iter_sources, names, node_pos, parse
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import Policy, Source

CODE = "fairness-column-used"
LEVEL: Level = "error"


def _read(source: Source) -> tuple[ast.Expression | None, set[str]]:
    tree = parse(source)
    return tree, (names(tree) if tree is not None else set())


def _tainted(policy: Policy, columns: frozenset[str]) -> dict[str, str]:
    """Derived value / aggregate id -> the fairness column it reads, directly or through another one."""
    reads: dict[str, set[str]] = {d.id: _read(d.expr)[1] for d in policy.derived}
    for a in policy.aggregates:
        reads[a.id] = set().union(*(_read(s)[1] for s in (a.of, a.where) if s is not None))
    tainted: dict[str, str] = {}
    changed = True
    while changed:  # a fixed point: a chain of derived values is followed to its end
        changed = False
        for item, read in reads.items():
            if item in tainted:
                continue
            hit = sorted(read & columns) or sorted(tainted[r] for r in read if r in tainted)
            if hit:
                tainted[item] = hit[0]
                changed = True
    return tainted


def _groups(policy: Policy) -> Iterator[tuple[str, str, Pos]]:
    if policy.ranking is not None:
        for name in policy.ranking.within:
            yield name, "ranking.within", policy.ranking.pos
    for a in policy.aggregates:
        for name in a.by:
            yield name, f"aggregates.{a.id}.by", a.pos
    for b in policy.budgets:
        for name in b.by:
            yield name, f"budgets.{b.id}.by", b.pos


def check(policy: Policy, checked: CheckedPolicy | None) -> Iterable[Finding]:
    if policy.fairness is None:
        return
    columns = frozenset(policy.fairness.columns)
    tainted = _tainted(policy, columns)
    for source in iter_sources(policy):
        tree, read = _read(source)
        if tree is None:
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Name) or node.id not in read:
                continue
            if node.id in columns:
                why = f"reads the fairness column {node.id!r}"
            elif node.id in tainted:
                why = f"reads the fairness column {tainted[node.id]!r} through {node.id!r}"
            else:
                continue
            yield finding(policy, node_pos(source, node), CODE, LEVEL,
                          f"{source.path} {why}; a fairness column only describes outcomes and may not shape"
                          " them -- remove it from the expression, or from fairness.columns")
    for name, where, pos in _groups(policy):
        if name in columns:
            yield finding(policy, first_pos(pos, policy.pos), CODE, LEVEL,
                          f"{where} groups by the fairness column {name!r}; a fairness column may not shape"
                          " outcomes -- group by another column, or remove it from fairness.columns")
