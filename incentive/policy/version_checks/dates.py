"""Several versions of one id need the effective dates that put them in order.

With two or more versions, each needs ``effective``; only the earliest may
leave its start open (it applies from the beginning) and only the latest its
end (it applies until further notice). Otherwise two versions would both
claim the open side and no period could tell them apart.

Passes::

    policy: sales
    version: "1"
    effective: {start: 2026-01-01, end: 2026-06-30}
    ---
    policy: sales
    version: "2"
    effective: {start: 2026-07-01}

Fails (version 1 has no end, so it never hands over to version 2)::

    policy: sales
    version: "1"
    effective: {start: 2026-01-01}
    ---
    policy: sales
    version: "2"
    effective: {start: 2026-07-01}
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from incentive.errors import Finding, Level
from incentive.policy.model import Policy
from incentive.policy.version_checks._common import effective_pos, finding, version_pos
from incentive.policy.versions import describe, end_of, start_of

CODE = "version-dates"
LEVEL: Level = "error"


def check(versions: Sequence[Policy]) -> Iterable[Finding]:
    if len(versions) < 2:
        return
    others = lambda p: ", ".join(describe(o) for o in versions if o is not p)  # noqa: E731
    last = len(versions) - 1
    for i, p in enumerate(versions):
        if p.effective is None:
            yield finding(p, version_pos(p), CODE, LEVEL,
                          f"version {p.version} of policy {p.id} has no `effective` dates, but the id has other "
                          f"versions ({others(p)}); give each version `effective: {{start, end}}`")
            continue
        if start_of(p) is None and i > 0:
            yield finding(p, effective_pos(p), CODE, LEVEL,
                          f"version {p.version} of policy {p.id} has no effective start; only the earliest of "
                          f"several versions may leave it open (the others: {others(p)})")
        if end_of(p) is None and i < last:
            yield finding(p, effective_pos(p), CODE, LEVEL,
                          f"version {p.version} of policy {p.id} has no effective end, but a later version follows "
                          f"({others(p)}); give it the day before the next version starts")
