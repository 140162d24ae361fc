"""An exit-type recommendation needs a sustained history, never one period's ranking.

Under Chinese labour law, ranking in the bottom band (末位) by itself is not
proof of incompetence (Supreme People's Court Guiding Case No. 18); an exit
review is only defensible after a sustained pattern over several periods,
following improvement plans and training or a transfer. The check asks, for
every exit-type rule (``exit_review``, ``kind: exit``, or an action naming
``exit``): *can its ``when`` hold in a period with no history at all?*
Without history ``streak(c)`` and ``count_last(n, c)`` are 0 or 1 and
``prev`` / ``last_year`` are empty, so the answer is worked out from the
shape of the condition, whatever it is:

* ``a and b`` needs history when either part does; ``a or b`` only when both
  do; ``not a`` when ``a`` is *false* only with history (``not (streak(c) < 3)``
  is ``streak(c) >= 3``);
* a comparison of ``streak`` / ``count_last(n >= 2, ...)`` with a number
  needs history when it is false for both 0 and 1 (``>= 2`` does, ``>= 1``
  and ``== 1`` do not);
* a boolean derived value is looked through (``sustained: streak(...) >= 3``);
* anything else (``prev``, ``last_year``, ``coalesce(...)``) does not count:
  write the pattern with ``streak`` or ``count_last`` so it is explicit.

``exit_review`` that can fire without history is an error. Any other
exit-type action is an error when it can and the part read this period
depends on the ranking: ``band``, ``rank``, ``percentile``, or a payout,
penalty or the total that reads them (a band factor included).

Passes::

    recommendations:
      exit_review: {when: streak(band == "C") >= 3, action: exit_review}

Fails (bottom band once)::

    recommendations:
      exit_review: {when: band == "C" or streak(band == "C") >= 3, action: exit_review}
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Iterable

from incentive.errors import Finding, Level
from incentive.policy.actions import is_exit
from incentive.policy.checks._common import finding, first_pos, parse
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import Policy, Recommendation, Source

CODE = "exit-without-history"
LEVEL: Level = "error"

RANKING_NAMES = frozenset({"band", "rank", "percentile"})
_PATTERNS = ("streak", "count_last")
_HISTORY = ("streak", "count_last", "prev", "last_year")
_OPS: dict[type, Callable[[int, float], bool]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge}
_FLIP: dict[type, type] = {ast.Lt: ast.Gt, ast.LtE: ast.GtE, ast.Gt: ast.Lt, ast.GtE: ast.LtE,
                           ast.Eq: ast.Eq, ast.NotEq: ast.NotEq}


class _Shape:
    """Does a condition need history to be true (or false)? Derived values are looked through."""

    def __init__(self, policy: Policy) -> None:
        self.derived = {d.id: d.expr for d in policy.derived}
        self.seen: set[str] = set()

    def needs(self, node: ast.AST, truth: bool) -> bool:
        """True when ``node`` can have the value ``truth`` only with an earlier period's pattern."""
        if isinstance(node, ast.BoolOp):
            parts = [self.needs(v, truth) for v in node.values]
            both_needed = isinstance(node.op, ast.Or) == truth  # or→true / and→false: every part must need it
            return all(parts) if both_needed else any(parts)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return self.needs(node.operand, not truth)
        if isinstance(node, ast.Compare):
            return self._compare(node, truth)
        if isinstance(node, ast.Constant) and isinstance(node.value, bool):
            return node.value != truth  # a constant never has the other value
        if isinstance(node, ast.Name) and node.id in self.derived and node.id not in self.seen:
            tree = parse(self.derived[node.id])
            self.seen.add(node.id)
            try:
                return tree is not None and self.needs(tree.body, truth)
            finally:
                self.seen.discard(node.id)
        return False

    def _compare(self, node: ast.Compare, truth: bool) -> bool:
        pairs = list(zip([node.left, *node.comparators], node.ops, node.comparators))
        if len(pairs) > 1:  # a < b < c is (a < b) and (b < c)
            parts = [self._pair(a, op, b, truth) for a, op, b in pairs]
            return any(parts) if truth else all(parts)
        return self._pair(*pairs[0], truth)

    def _pair(self, left: ast.AST, op: ast.cmpop, right: ast.AST, truth: bool) -> bool:
        if _pattern(right) and _number(left) is not None:
            left, right, op = right, left, _FLIP.get(type(op), type(op))()
        bound = _number(right)
        compare = _OPS.get(type(op))
        if not _pattern(left) or bound is None or compare is None:
            return False
        # without history a pattern counts only this period: 0 or 1
        return all(compare(v, bound) != truth for v in (0, 1))


def _pattern(node: ast.AST) -> bool:
    """``streak(...)`` or ``count_last(n, ...)`` with a literal n >= 2."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _PATTERNS):
        return False
    if node.func.id == "count_last":
        n = _number(node.args[0]) if node.args else None
        return n is not None and n >= 2
    return True


def _number(node: ast.AST) -> float | None:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _number(node.operand)
        return None if inner is None else (-inner if isinstance(node.op, ast.USub) else inner)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return float(node.value)
    return None


def _read_now(tree: ast.AST) -> set[str]:
    """Names read in this period: outside any history function."""
    found: set[str] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in _HISTORY:
                continue
            stack.extend(node.args)
            stack.extend(k.value for k in node.keywords)
            continue
        if isinstance(node, ast.Name):
            found.add(node.id)
        stack.extend(ast.iter_child_nodes(node))
    return found


def ranking_dependent(policy: Policy) -> dict[str, str]:
    """Name → the ranking name it reads this period, for band/rank/percentile and the payouts,
    penalties and total computed from them."""
    dep = {n: n for n in RANKING_NAMES}

    def reads(*sources: Source | None) -> str | None:
        for s in sources:
            tree = parse(s) if s is not None else None
            hit = next((dep[n] for n in sorted(_read_now(tree)) if n in dep), None) if tree is not None else None
            if hit:
                return hit
        return None

    for p in policy.payouts:
        basis = p.tiers.basis if p.tiers is not None else None
        hit = "band" if p.by_band else reads(p.base, basis, p.amount, p.gate, p.cap, p.floor, p.prorate)
        if hit:
            dep[p.id] = hit
    for pen in policy.penalties:
        hit = reads(pen.when, pen.amount, pen.cap)
        if hit:
            dep[pen.id] = hit
    ids = [p.id for p in policy.payouts] + [pen.id for pen in policy.penalties]
    parts = [dep[i] for i in ids if i in dep]
    if parts:
        dep["total"] = parts[0]
    return dep


def check(policy: Policy, checked: CheckedPolicy | None) -> Iterable[Finding]:
    shape = _Shape(policy)
    dep: dict[str, str] | None = None
    for rec in policy.recommendations:
        if not is_exit(rec):
            continue
        tree = parse(rec.when)
        if tree is None or shape.needs(tree.body, True):
            continue
        pos = first_pos(rec.when.pos, rec.pos, policy.pos)
        if rec.action == "exit_review":
            yield finding(policy, pos, CODE, LEVEL,
                          f"recommendation {rec.id}: exit_review when {rec.when.text.strip()!r} can hold in a period"
                          " without history; require a sustained pattern in every case it fires, e.g."
                          " streak(band == \"C\") >= 3 or count_last(6, revenue == 0) >= 6 (bottom ranking alone is"
                          " not grounds for exit review under Chinese labour law)")
            continue
        dep = ranking_dependent(policy) if dep is None else dep
        now = sorted(n for n in _read_now(tree.body) if n in dep)
        if now:
            used = ", ".join(n if dep[n] == n else f"{n} (from {dep[n]})" for n in now)
            yield finding(policy, pos, CODE, LEVEL,
                          f"recommendation {rec.id}: action {rec.action!r} depends on {used} in this period only;"
                          " use streak(...) or count_last(...) so it needs a sustained pattern (bottom ranking"
                          " alone is not grounds for exit under Chinese labour law)")
