"""A period a policy applies to: wholly inside its ``effective`` dates (a close, or an evaluation of one file)."""

from __future__ import annotations

from incentive.errors import UsageError
from incentive.io.periods import Period, parse_period
from incentive.policy.model import Policy


def parse_effective_period(text: str, policy: Policy) -> Period:
    """The period to close (or to evaluate with a lone policy file), which must lie within the policy's
    ``effective`` dates."""
    period = parse_period(text, policy.period)
    eff = policy.effective
    if eff is not None and ((eff.start and period.start < eff.start) or (eff.end and period.end > eff.end)):
        start = eff.start.isoformat() if eff.start else "open"
        end = eff.end.isoformat() if eff.end else "open"
        raise UsageError(f"--period {period.label} ({period.start.isoformat()} to {period.end.isoformat()}) is "
                         f"not within the effective dates of policy {policy.id} ({start} to {end}); "
                         "give a period the policy applies to, or change its `effective`")
    return period
