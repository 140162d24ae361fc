"""The versions of one id must share the period unit and the currency.

A period is one ``period:`` unit for every version (a quarter cannot be
split into a monthly and a quarterly version), and a split period adds the
versions' amounts, which only makes sense in one currency.

Passes::

    policy: sales
    version: "1"
    period: quarter
    currency: CNY
    effective: {start: 2026-01-01, end: 2026-02-14}
    ---
    policy: sales
    version: "2"
    period: quarter
    currency: CNY
    effective: {start: 2026-02-15}

Fails (version 2 is monthly)::

    policy: sales
    version: "1"
    period: quarter
    currency: CNY
    effective: {start: 2026-01-01, end: 2026-02-14}
    ---
    policy: sales
    version: "2"
    period: month
    currency: CNY
    effective: {start: 2026-02-15}
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from incentive.errors import Finding, Level
from incentive.policy.model import Policy
from incentive.policy.version_checks._common import finding, version_pos
from incentive.policy.versions import describe

CODE = "version-mismatch"
LEVEL: Level = "error"


def check(versions: Sequence[Policy]) -> Iterable[Finding]:
    if len(versions) < 2:
        return
    first = versions[0]
    for p in versions[1:]:
        for what, mine, theirs in (("period", p.period, first.period), ("currency", p.currency, first.currency)):
            if mine != theirs:
                yield finding(p, version_pos(p), CODE, LEVEL,
                              f"{describe(p)} has {what} {mine}, but {describe(first)} has {theirs}; "
                              f"every version of policy {p.id} needs the same {what}")
