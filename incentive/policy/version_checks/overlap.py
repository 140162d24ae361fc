"""The effective ranges of two versions of one id must not overlap.

A day inside two versions would be paid under both rules; the message names
both files, both versions and the days they share.

Passes::

    policy: sales
    version: "1"
    effective: {start: 2026-01-01, end: 2026-02-14}
    ---
    policy: sales
    version: "2"
    effective: {start: 2026-02-15, end: 2026-12-31}

Fails (both cover 2026-02-01 to 2026-02-14)::

    policy: sales
    version: "1"
    effective: {start: 2026-01-01, end: 2026-02-14}
    ---
    policy: sales
    version: "2"
    effective: {start: 2026-02-01, end: 2026-12-31}
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from incentive.errors import Finding, Level
from incentive.policy.model import Policy
from incentive.policy.version_checks._common import dated, effective_pos, finding
from incentive.policy.versions import dates, describe

CODE = "version-overlap"
LEVEL: Level = "error"


def check(versions: Sequence[Policy]) -> Iterable[Finding]:
    ranges = dated(versions)
    for i, (a, a_lo, a_hi) in enumerate(ranges):
        for b, b_lo, b_hi in ranges[i + 1:]:
            lo, hi = max(a_lo, b_lo), min(a_hi, b_hi)
            if lo <= hi:
                yield finding(b, effective_pos(b), CODE, LEVEL,
                              f"{describe(b)} overlaps {describe(a)} on {dates(lo, hi)} "
                              f"(policy {b.id}); end one version the day before the next starts")
