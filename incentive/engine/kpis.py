"""Stages 3-5: KPI values, KPI points, and the weighted composite score.

The composite is ``Σ weight × points / scale`` (scale 100 when weights are
percentages, 1 when they are fractions), rounded to ``score.decimals`` with
``score.rounding`` *before* ranking, so ties are well defined and never
depend on evaluation order.
"""

from __future__ import annotations

from polars import col

from incentive.engine.context import Work
from incentive.engine.scoring import points_expr
from incentive.numeric import DTYPE, factor, lit, round_expr


def run(work: Work) -> None:
    policy = work.policy
    kpis = policy.kpis
    if not kpis:
        return
    values = {f"{k.id}_value": work.expr(f"kpis.{k.id}.value").cast(DTYPE) for k in kpis}
    work.add(values, "kpi_value", paths={f"{k.id}_value": f"kpis.{k.id}.value" for k in kpis}, stage="kpis")
    points = {k.id: points_expr(k.scoring, col(f"{k.id}_value")) for k in kpis}
    work.add(points, "kpi_points", stage="kpi points")
    weighted = lit(0)
    for k in kpis:
        weighted = weighted + col(k.id) * factor(k.weight)
    spec = policy.score
    score = round_expr(weighted / lit(spec.scale), spec.decimals, spec.rounding)
    work.add({"score": score}, "score", stage="score")
