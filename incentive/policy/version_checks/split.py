"""A version that says ``split: error`` must not hand over inside a period.

``effective: {split: error}`` makes a period shared by two versions a user
error when it is evaluated; a hand-over between that version and its
neighbour on a day that is not a period edge makes that one period
impossible to evaluate (exit 2 when it is), so validate warns first. The
other periods of the plan are evaluated as usual, hence a warning.

Passes::

    policy: sales
    version: "1"
    period: quarter
    effective: {start: 2026-01-01, end: 2026-03-31, split: error}
    ---
    policy: sales
    version: "2"
    period: quarter
    effective: {start: 2026-04-01, end: 2026-12-31}

Fails (2026-Q1 would be split, and version 2 refuses splits)::

    policy: sales
    version: "1"
    period: quarter
    effective: {start: 2026-01-01, end: 2026-02-14}
    ---
    policy: sales
    version: "2"
    period: quarter
    effective: {start: 2026-02-15, end: 2026-12-31, split: error}
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta

from incentive.errors import Finding, Level
from incentive.policy.model import Policy
from incentive.policy.version_checks._common import effective_pos, finding, pairs
from incentive.policy.versions import describe, period_containing

CODE = "version-split"
LEVEL: Level = "warning"


def _refuses(p: Policy) -> bool:
    return p.effective is not None and p.effective.split == "error"


def check(versions: Sequence[Policy]) -> Iterable[Finding]:
    for (a, _, a_hi), (b, b_lo, _) in pairs(versions):
        if b_lo != a_hi + timedelta(days=1) or not (_refuses(a) or _refuses(b)):
            continue
        if b.period not in ("month", "quarter", "half", "year"):
            continue
        label, p_start, _ = period_containing(b_lo, b.period)
        if b_lo != p_start:
            who = b if _refuses(b) else a
            yield finding(who, effective_pos(who), CODE, LEVEL,
                          f"{label} would be split between {describe(a)} and {describe(b)}, and version "
                          f"{who.version} says `split: error`; hand over on {p_start.isoformat()} (a {b.period} "
                          f"edge), or drop `split: error` to weight that {b.period} by days")
