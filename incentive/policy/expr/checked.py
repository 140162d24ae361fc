"""The checked forms every later stage consumes.

A ``CheckedExpr`` is one expression after parsing and type checking, with
the names it reads (so the engine knows what to compute first and what the
ledger must keep). A ``CheckedPolicy`` is a policy whose every expression
checked clean, plus the evaluation order of derived values and aggregates.
"""

from __future__ import annotations

from dataclasses import dataclass

from incentive.policy.expr import nodes as n
from incentive.policy.expr.functions import MAX_HISTORY, PERIODS_PER_YEAR
from incentive.policy.expr.types import T
from incentive.policy.model import Policy, Source


@dataclass(frozen=True)
class CheckedExpr:
    source: Source
    node: n.Node
    type: T
    refs: frozenset[str]  # names read in the current period
    history_refs: frozenset[str]  # names read in earlier periods
    uses_history: bool

    @property
    def path(self) -> str:
        return self.source.path

    def history_depth(self, periods_per_year: int) -> int:
        """How many earlier periods this expression can look at."""
        return history_depth(self.node, periods_per_year)


def make_checked(source: Source, node: n.Node) -> CheckedExpr:
    refs: set[str] = set()
    history_refs: set[str] = set()
    uses_history = False
    for x in n.walk(node):
        if isinstance(x, n.History):
            uses_history = True
            names = {y.name for y in n.walk(x.arg) if isinstance(y, n.Name)}
            history_refs |= names
            if x.func in ("streak", "count_last"):  # these include the current period
                refs |= names
    # names outside any history function are read now
    stack = [node]
    while stack:
        x = stack.pop()
        if isinstance(x, n.Name):
            refs.add(x.name)
        elif not isinstance(x, n.History):
            stack.extend(n.children(x))
    return CheckedExpr(source, node, node.type, frozenset(refs), frozenset(history_refs), uses_history)


def history_depth(node: n.Node, periods_per_year: int) -> int:
    depth = 0
    for x in n.walk(node):
        if isinstance(x, n.History):
            if x.func == "streak":
                depth = max(depth, MAX_HISTORY)
            elif x.func == "count_last":
                depth = max(depth, x.n - 1)
            elif x.func == "prev":
                depth = max(depth, x.n)
            else:
                depth = max(depth, periods_per_year)
    return depth


@dataclass(frozen=True)
class CheckedPolicy:
    policy: Policy
    exprs: dict[str, CheckedExpr]  # keyed by Source.path
    order: tuple[str, ...]  # derived and aggregate ids, dependencies first
    types: dict[str, T]  # every named quantity
    history_names: frozenset[str]  # names some history function reads
    history_depth_needed: int  # earlier periods the history functions can look at

    @property
    def periods_per_year(self) -> int:
        return PERIODS_PER_YEAR[self.policy.period]

    def of(self, source: Source) -> CheckedExpr:
        """The checked form of one of the policy's expressions."""
        found = self.exprs.get(source.path)
        if found is not None:
            return found
        return next(e for e in self.exprs.values() if (e.source.text, e.source.pos) == (source.text, source.pos))
