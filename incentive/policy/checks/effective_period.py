"""Effective dates must be in order: ``effective.start`` not after ``effective.end``.

Whether the dates fit the policy's period (a quarterly plan starting on a
quarter's first day) depends on the other versions of the same id: a version
may hand over to the next inside a period, which is then weighted by days
(docs/plan-versions.md). That is checked over the versions ``validate`` is
given together (``policy.version_checks``: ``version-gap`` for a period left
partly uncovered, ``version-split`` for a hand-over a version refuses); a
lone file is a set of one.

Passes::

    period: quarter
    effective: {start: 2026-04-01, end: 2026-12-31}

Fails (start after end)::

    period: quarter
    effective: {start: 2026-07-01, end: 2026-06-30}
"""

from __future__ import annotations

from collections.abc import Iterable

from incentive.errors import Finding, Level
from incentive.policy.checks._common import finding, first_pos
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import Policy

CODE = "effective-period"
LEVEL: Level = "error"


def check(policy: Policy, checked: CheckedPolicy | None) -> Iterable[Finding]:
    eff = policy.effective
    if eff is None:
        return
    pos = first_pos(eff.pos, policy.pos)
    if eff.start is not None and eff.end is not None and eff.start > eff.end:
        yield finding(policy, pos, CODE, LEVEL,
                      f"effective start {eff.start.isoformat()} is after effective end {eff.end.isoformat()}")
