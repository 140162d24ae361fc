"""A veto should force the bottom band, not a better one (a warning).

Bands are listed best first (quotas are filled in that order), so the last
band is the bottom one. A compliance veto (一票否决) that forces ``A`` or
``B`` rewards or shelters the violation, which is almost always a slip.

Passes::

    bands: {A: {share: 0.2}, B: {share: 0.7}, C: {share: 0.1}}
    penalties:
      compliance: {when: violation, forfeit: all, band: C}

Fails (warning)::

    penalties:
      compliance: {when: violation, forfeit: all, band: A}
"""

from __future__ import annotations

from collections.abc import Iterable

from incentive.errors import Finding, Level
from incentive.policy.checks._common import finding, first_pos
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import Policy

CODE = "veto-band"
LEVEL: Level = "warning"


def check(policy: Policy, checked: CheckedPolicy | None) -> Iterable[Finding]:
    if policy.ranking is None or not policy.ranking.bands:
        return
    bands = [b.id for b in policy.ranking.bands]
    bottom = bands[-1]
    for pen in policy.penalties:
        if pen.band is not None and pen.band in bands and pen.band != bottom:
            yield finding(policy, first_pos(pen.pos, policy.pos), CODE, LEVEL,
                          f"penalty {pen.id} forces band {pen.band}, which is not the bottom band {bottom};"
                          " a veto normally forces the bottom band")
