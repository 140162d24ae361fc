"""KPI points from a KPI value: piecewise-linear curves and step thresholds.

A curve is clamped at both ends: below its first point a value earns the
first point's points, above its last point the last point's. A descending
curve (points falling as the value rises) is how a lower-is-better KPI such
as the sales cycle is written. Step thresholds are lower-bound inclusive; a
value below the first threshold earns 0 points. A missing (null) KPI value
earns 0 points: no result, no points.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import polars as pl

from incentive.engine.tiers import interpolate
from incentive.numeric import DTYPE, lit
from incentive.policy.model import Scoring

if TYPE_CHECKING:  # polars' when-chain classes are for annotations only
    from polars.expr.whenthen import ChainedThen, Then


def points_expr(scoring: Scoring, value: pl.Expr) -> pl.Expr:
    if scoring.curve:
        pts = [(p.value, p.points) for p in scoring.curve]
        out = interpolate(pts, value)
    else:
        chain: Then | ChainedThen | None = None
        for step in reversed(scoring.step):
            cond = value >= lit(step.start)
            chain = pl.when(cond).then(lit(step.points)) if chain is None else chain.when(cond).then(lit(step.points))
        assert chain is not None, "a step table has at least one threshold (schema)"
        out = chain.otherwise(lit(0))
    return pl.when(value.is_null()).then(lit(0)).otherwise(out).cast(DTYPE)


def py_points(scoring: Scoring, value: Decimal | None) -> Decimal:
    """Row-wise twin of ``points_expr`` (reference and ``explain``)."""
    from incentive.numeric import py_div, py_mul, to_dec

    if value is None:
        return Decimal(0)
    if scoring.curve:
        pts = [(to_dec(p.value), to_dec(p.points)) for p in scoring.curve]
        if value <= pts[0][0]:
            return pts[0][1]
        for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
            if value <= x1:
                return y0 + py_div(py_mul(value - x0, y1 - y0), x1 - x0)
        return pts[-1][1]
    earned = Decimal(0)
    for step in scoring.step:
        if value >= step.start:
            earned = to_dec(step.points)
    return earned
