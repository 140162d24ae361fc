"""Step-scoring thresholds must be strictly ascending.

A step table gives ``points`` to every value at or above its ``from``, up to
the next threshold. With thresholds out of order or repeated, a value falls in
two steps at once and its points depend on reading order. A lower-is-better
step KPI keeps ascending thresholds with descending points.

Passes::

    kpis:
      resolution: {value: resolution_hours, weight: 100,
                   score: {step: [{from: 0, points: 100}, {from: 4, points: 60}, {from: 8, points: 0}]}}

Fails (8 before 4)::

    kpis:
      resolution: {value: resolution_hours, weight: 100,
                   score: {step: [{from: 0, points: 100}, {from: 8, points: 0}, {from: 4, points: 60}]}}
"""

from __future__ import annotations

from collections.abc import Iterable

from incentive.errors import Finding, Level
from incentive.policy.checks._common import finding, first_pos, num
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import Policy

CODE = "step-order"
LEVEL: Level = "error"


def check(policy: Policy, checked: CheckedPolicy | None) -> Iterable[Finding]:
    for kpi in policy.kpis:
        steps = kpi.scoring.step
        for n, (before, step) in enumerate(zip(steps, steps[1:]), start=2):
            if step.start <= before.start:
                how = "repeats" if step.start == before.start else "is below"
                yield finding(policy, first_pos(step.pos, kpi.scoring.pos, kpi.pos), CODE, LEVEL,
                              f"KPI {kpi.id}: step {n} starts at {num(step.start)}, which {how} the previous"
                              f" step's {num(before.start)}; step thresholds must be strictly ascending")
