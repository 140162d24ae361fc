"""The versions of one id must leave no day of a period uncovered.

Between two consecutive versions there must be no missing day; and the first
version must start, the last end, on the edge of a period of the policy
(``period:``; a quarterly plan on Jan 1 / Apr 1 / Jul 1 / Oct 1 and Mar 31 /
Jun 30 / Sep 30 / Dec 31), or part of that period would be covered by no
version. A single file is a set of one version, so this is also the check
that a lone policy's effective dates fit its period -- reported, for a set
of one, under the per-file code ``effective-period`` as it always was. A
version change inside a period is fine: that period is weighted by days
(docs/plan-versions.md).

Passes::

    policy: sales
    version: "1"
    period: quarter
    effective: {start: 2026-01-01, end: 2026-02-14}
    ---
    policy: sales
    version: "2"
    period: quarter
    effective: {start: 2026-02-15, end: 2026-12-31}

Fails (no version covers 2026-02-15 to 2026-02-28)::

    policy: sales
    version: "1"
    period: quarter
    effective: {start: 2026-01-01, end: 2026-02-14}
    ---
    policy: sales
    version: "2"
    period: quarter
    effective: {start: 2026-03-01, end: 2026-12-31}
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from incentive.errors import Finding, Level
from incentive.policy.model import Policy
from incentive.policy.version_checks._common import dated, effective_pos, finding, pairs
from incentive.policy.versions import dates, describe, period_containing

CODE = "version-gap"
LEVEL: Level = "error"
#: the code of an edge a lone file leaves uncovered (a set of one: no other version could cover it)
ALONE = "effective-period"


def check(versions: Sequence[Policy]) -> Iterable[Finding]:
    for (a, _, a_hi), (b, b_lo, _) in pairs(versions):
        if b_lo > a_hi + timedelta(days=1):
            yield finding(b, effective_pos(b), CODE, LEVEL,
                          f"no version of policy {b.id} covers {dates(a_hi + timedelta(days=1), b_lo - timedelta(days=1))}:"
                          f" {describe(a)} ends and {describe(b)} starts later; start it the day after")
    ranges = dated(versions)
    if not ranges:
        return
    code = ALONE if len(versions) == 1 else CODE
    first, lo, _ = ranges[0]
    if lo != date.min and first.period in ("month", "quarter", "half", "year"):
        label, p_start, _ = period_containing(lo, first.period)
        if lo != p_start:
            yield finding(first, effective_pos(first), code, LEVEL,
                          f"no version of policy {first.id} covers {dates(p_start, lo - timedelta(days=1))} of "
                          f"{label}: the first, {describe(first)}, starts inside that {first.period}; start it on "
                          f"{p_start.isoformat()}, or validate it together with the version before it")
    last, _, hi = ranges[-1]
    if hi != date.max and last.period in ("month", "quarter", "half", "year"):
        label, _, p_end = period_containing(hi, last.period)
        if hi != p_end:
            yield finding(last, effective_pos(last), code, LEVEL,
                          f"no version of policy {last.id} covers {dates(hi + timedelta(days=1), p_end)} of "
                          f"{label}: the last, {describe(last)}, ends inside that {last.period}; end it on "
                          f"{p_end.isoformat()}, or validate it together with the version after it")
