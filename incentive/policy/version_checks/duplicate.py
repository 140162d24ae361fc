"""Two files of one policy id must not carry the same ``version``.

History, closes and messages name a version by its ``version:`` string; two
files with one string (a copy edited and not renumbered) could not be told
apart.

Passes::

    policy: sales
    version: "2026.1"
    effective: {start: 2026-01-01, end: 2026-02-14}
    ---
    policy: sales
    version: "2026.2"
    effective: {start: 2026-02-15, end: 2026-12-31}

Fails::

    policy: sales
    version: "2026.1"
    effective: {start: 2026-01-01, end: 2026-02-14}
    ---
    policy: sales
    version: "2026.1"
    effective: {start: 2026-02-15, end: 2026-12-31}
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from incentive.errors import Finding, Level
from incentive.policy.model import Policy
from incentive.policy.version_checks._common import finding, version_pos

CODE = "version-duplicate"
LEVEL: Level = "error"


def check(versions: Sequence[Policy]) -> Iterable[Finding]:
    seen: dict[str, Policy] = {}
    for p in sorted(versions, key=lambda v: v.file):
        first = seen.setdefault(p.version, p)
        if first is not p:
            yield finding(p, version_pos(p), CODE, LEVEL,
                          f"version {p.version!r} of policy {p.id} is also the version of {first.file}; "
                          f"each version file needs its own version string")
