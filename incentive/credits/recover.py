"""The policy's clawbacks against the crediting file: which refunds are recovered, counted in which measure.

A clawback in ``recover`` mode names adjustment sources of the crediting
file and a basis input; here they meet the definition: each source must be
an adjustment of kind ``refund`` and the basis a ``sum`` measure, else the
run stops before any source is read. The definition then carries the
sources (``Definition.recovered``: the sums leave their refunds of earlier
lines out) and each clawback becomes a ``Recovery`` the engine picks the
recovered credits for.
"""

from __future__ import annotations

from dataclasses import replace

from incentive.credits.definition import Definition
from incentive.credits.engine import Recovery
from incentive.errors import UsageError
from incentive.policy.model import Policy


def recoveries(policy: Policy, definition: Definition) -> tuple[Definition, tuple[Recovery, ...]]:
    """``definition`` with its recovered sources set, and what each recover-mode clawback picks out."""
    problems: list[str] = []
    found: list[Recovery] = []
    refunds = [a.name for a in definition.adjustments if a.kind == "refund"]
    for clawback in policy.clawbacks:
        if not clawback.recovers:
            continue
        where = f"{policy.file}:{clawback.pos.line}:{clawback.pos.col}: clawback {clawback.id}"
        for source in clawback.refunds:
            adjustment = next((a for a in definition.adjustments if a.name == source), None)
            if adjustment is None or adjustment.kind != "refund":
                what = "is no adjustment source" if adjustment is None else f"is an adjustment of kind {adjustment.kind}"
                problems.append(f"{where}: refunds {source!r} {what} of {definition.file}; expected one of its refund "
                                f"sources: {', '.join(refunds) or 'none declared'}")
        basis = next((m for m in definition.measures if m.id == clawback.basis), None)
        if basis is None or basis.kind != "sum":
            sums = [m.id for m in definition.measures if m.kind == "sum"]
            what = "is no measure" if basis is None else f"is a {basis.kind} measure"
            problems.append(f"{where}: basis {clawback.basis!r} {what} of {definition.file}; a clawback's basis is a "
                            f"sum measure (the payouts' share of a deal is refunded / basis): {', '.join(sums) or 'none'}")
            continue
        found.append(Recovery(clawback.id, clawback.refunds, basis))
    if problems:
        raise UsageError("\n".join(problems))
    recovered = tuple(s for r in found for s in r.refunds)
    return replace(definition, recovered=recovered), tuple(found)
