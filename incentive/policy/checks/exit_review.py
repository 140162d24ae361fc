"""An exit review needs a sustained history, never one period's ranking.

Under Chinese labour law, ranking in the bottom band (末位) by itself is not
proof of incompetence; an exit review is only defensible after a sustained
pattern over several periods (typically following improvement plans and
training or a transfer). So:

* a rule whose action is ``exit_review`` must use ``streak(...)`` or
  ``count_last(n, ...)`` with n >= 2 in its ``when`` (``prev`` / ``last_year``
  alone do not count: write the pattern with ``streak`` so it is explicit);
* any other rule whose action contains ``exit`` (e.g. ``custom:exit_interview``)
  and whose ``when`` reads ``band``, ``rank`` or ``percentile`` must likewise
  use ``streak`` / ``count_last``.

Passes::

    recommendations:
      exit_review: {when: streak(band == "C") >= 3, action: exit_review}

Fails (bottom band once)::

    recommendations:
      exit_review: {when: band == "C", action: exit_review}
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from incentive.errors import Finding, Level
from incentive.policy.checks._common import called_functions, finding, first_pos, names, parse
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import Policy

CODE = "exit-without-history"
LEVEL: Level = "error"

RANKING_NAMES = frozenset({"band", "rank", "percentile"})


def _uses_pattern(tree: ast.Expression) -> bool:
    for call in called_functions(tree):
        if not isinstance(call.func, ast.Name):  # called_functions yields only calls by plain name
            continue
        if call.func.id == "streak":
            return True
        if call.func.id == "count_last":
            n = call.args[0] if call.args else None
            if not (isinstance(n, ast.Constant) and isinstance(n.value, int) and n.value < 2):
                return True
    return False


def check(policy: Policy, checked: CheckedPolicy | None) -> Iterable[Finding]:
    for rec in policy.recommendations:
        action = rec.action
        if "exit" not in action.lower():
            continue
        tree = parse(rec.when)
        if tree is None or _uses_pattern(tree):
            continue
        pos = first_pos(rec.when.pos, rec.pos, policy.pos)
        if action == "exit_review":
            yield finding(policy, pos, CODE, LEVEL,
                          f"recommendation {rec.id}: exit_review when {rec.when.text.strip()!r} does not look at"
                          " history; require a sustained pattern, e.g. streak(band == \"C\") >= 3 or"
                          " count_last(6, revenue == 0) >= 6 (bottom ranking alone is not grounds for exit"
                          " review under Chinese labour law)")
        elif names(tree) & RANKING_NAMES:
            used = ", ".join(sorted(names(tree) & RANKING_NAMES))
            yield finding(policy, pos, CODE, LEVEL,
                          f"recommendation {rec.id}: action {action!r} depends on {used} in this period only;"
                          " use streak(...) or count_last(...) so it needs a sustained pattern (bottom ranking"
                          " alone is not grounds for exit under Chinese labour law)")
