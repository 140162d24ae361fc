"""Stages 3-5: KPI values, KPI points, and the weighted composite score.

The composite is ``Σ weight × points / scale`` (scale 100 when weights are
percentages, 1 when they are fractions), rounded to ``score.decimals`` with
``score.rounding`` *before* ranking, so ties are well defined and never
depend on evaluation order.
"""

from __future__ import annotations

import polars as pl
from polars import col

from incentive.engine.context import Work
from incentive.engine.scoring import points_expr
from incentive.numeric import DTYPE, factor, lit, round_expr
from incentive.policy import names


def run(work: Work) -> None:
    policy = work.policy
    kpis = policy.kpis
    if not kpis:
        return
    paths = {names.kpi_value(k.id): names.expr_path(names.KPIS, k.id, names.VALUE) for k in kpis}
    values = {column: work.expr(path).cast(DTYPE) for column, path in paths.items()}
    work.add(values, "kpi_value", paths=paths, stage="kpis")
    points = {k.id: points_expr(k.scoring, col(names.kpi_value(k.id))) for k in kpis}
    work.add(points, "kpi_points", stage="kpi points")
    weighted = lit(0) + _balanced_sum([col(k.id) * factor(k.weight) for k in kpis])
    spec = policy.score
    score = round_expr(weighted / lit(spec.scale), spec.decimals, spec.rounding)
    work.add({"score": score}, "score", stage="score")


def _balanced_sum(terms: list[pl.Expr]) -> pl.Expr:
    """Add ``terms`` as a balanced tree, not a left-deep chain.

    A chain of 2,000 additions is an expression 2,000 levels deep, which
    polars plans and optimizes in quadratic time; a tree is 11 levels deep.
    Exact decimal addition does not depend on the grouping, so the score is
    the same to the last digit.
    """
    while len(terms) > 1:
        pairs = [a + b for a, b in zip(terms[0::2], terms[1::2])]
        terms = pairs + ([terms[-1]] if len(terms) % 2 else [])
    return terms[0]
