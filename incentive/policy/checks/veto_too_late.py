"""A veto that forces a band must decide before ranking.

A penalty with ``band:`` is applied at the ranking stage (SPEC §4), so its
``when`` can read only what exists before ranking -- inputs, derived values,
aggregates, KPIs and the score -- not payouts, penalties, the total or the
ranking's own results.

Passes::

    penalties: {compliance: {when: violation, forfeit: all, band: C}}

Fails (the bonus is computed after the bands)::

    penalties: {compliance: {when: violation and bonus > 0, band: C}}
"""

from __future__ import annotations

from collections.abc import Iterable

from incentive.errors import Finding, Level
from incentive.policy.checks._common import finding, first_pos
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import Policy
from incentive.policy.names import PENALTIES, WHEN, expr_path

CODE = "veto-too-late"
LEVEL: Level = "error"

AFTER_RANKING = {"band", "rank", "percentile", "group_size", "eligible", "total"}


def check(policy: Policy, checked: CheckedPolicy | None) -> Iterable[Finding]:
    if checked is None:
        return
    later = AFTER_RANKING | {p.id for p in policy.payouts} | {p.id for p in policy.penalties}
    for pen in policy.penalties:
        if pen.band is None or pen.when is None:
            continue
        expr = checked.exprs.get(expr_path(PENALTIES, pen.id, WHEN))
        if expr is None:
            continue
        too_late = sorted(expr.refs & later)
        if too_late:
            yield finding(policy, first_pos(pen.when.pos, pen.pos, policy.pos), CODE, LEVEL,
                          f"penalty {pen.id} forces band {pen.band}, so it is decided at the ranking stage, "
                          f"but its 'when' reads {', '.join(too_late)}, computed after ranking; "
                          "use inputs, derived values, KPIs or the score")
