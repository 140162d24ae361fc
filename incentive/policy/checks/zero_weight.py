"""A KPI with weight 0 does not change anyone's score.

It is still computed and reported, which is sometimes intended (a KPI being
phased in, shown for information only) but more often a forgotten edit, so it
is a warning.

Passes::

    kpis:
      sales: {value: attainment, weight: 100, score: {curve: [[0, 0], [1, 100]]}}

Fails (warning)::

    kpis:
      sales: {value: attainment,   weight: 100, score: {curve: [[0, 0], [1, 100]]}}
      nps:   {value: satisfaction, weight: 0,   score: {curve: [[0, 0], [100, 100]]}}
"""

from __future__ import annotations

from collections.abc import Iterable

from incentive.errors import Finding, Level
from incentive.policy.checks._common import finding, first_pos
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import Policy

CODE = "zero-weight"
LEVEL: Level = "warning"


def check(policy: Policy, checked: CheckedPolicy | None) -> Iterable[Finding]:
    for kpi in policy.kpis:
        if kpi.weight == 0:
            yield finding(policy, first_pos(kpi.pos, policy.pos), CODE, LEVEL,
                          f"KPI {kpi.id} has weight 0: it is reported but does not count toward the score")
