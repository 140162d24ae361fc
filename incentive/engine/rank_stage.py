"""Stage 6: ranking and bands, with vetoes that force a band.

The ranking itself (band sizes, ties, guards, pooling) lives in
``incentive.engine.ranking``; this stage only computes the columns it
needs -- ranking value, tie-breaks, eligibility, guards and forced bands --
and joins its answer back.
"""

from __future__ import annotations

import polars as pl

from incentive.engine.context import Work
from incentive.engine.results import ColumnInfo
from incentive.numeric import DTYPE
from incentive.policy import names
from incentive.policy.model import label_text

RANK_COLUMNS = ("rank", "percentile", "band", "band_reason", "rank_group", "group_size", "eligible")


def run(work: Work, lang: str = "en") -> pl.DataFrame | None:
    policy = work.policy
    spec = policy.ranking
    if spec is None:
        work.add({
            "rank": pl.lit(None, dtype=pl.Int64), "percentile": pl.lit(None, dtype=DTYPE),
            "band": pl.lit(None, dtype=pl.String), "band_reason": pl.lit("no ranking in this policy"),
            "rank_group": pl.lit(None, dtype=pl.String), "group_size": pl.lit(None, dtype=pl.Int64),
            "eligible": pl.lit(None, dtype=pl.Boolean),
        }, "ranking", stage="ranking")
        return None
    from incentive.engine.ranking import assign_bands

    cols: dict[str, pl.Expr] = {"__id__": pl.col(work.id_col).cast(pl.String), "__key__": work.expr(names.RANKING_BY).cast(DTYPE)}
    for i, _ in enumerate(spec.tie_break):
        cols[f"__tb{i}__"] = work.expr(names.tie_break_path(i))
    if work.has(names.RANKING_ELIGIBLE):
        cols["__eligible__"] = work.expr(names.RANKING_ELIGIBLE).fill_null(False)
    else:
        cols["__eligible__"] = pl.lit(True)
    reason = spec.eligible_reason
    cols["__reason__"] = pl.lit(label_text(reason, lang) if not isinstance(reason, str) else reason)
    for band in spec.bands:
        if band.guard is not None:
            cols[f"__guard_{band.id}__"] = work.expr(names.band_guard_path(band.id)).fill_null(False)
    cols["__forced__"], cols["__forced_by__"] = _forced_band(work)
    for g in spec.within:
        cols[g] = pl.col(g).cast(pl.String)
    done = work.materialize("ranking")
    result = assign_bands(done.select(**cols), spec)
    answer = result.frame.select(
        "rank", "percentile", "band", "band_reason", "rank_group", "group_size",
        pl.col("__eligible__").alias("eligible"),
    )
    # assign_bands keeps the row order, so its answer lines up with `done`
    if not result.frame.get_column("__id__").equals(done.get_column(work.id_col).cast(pl.String)):
        raise AssertionError("ranking changed the row order")
    work.frame = done.hstack(answer).lazy()
    for name in RANK_COLUMNS:
        work.columns[name] = ColumnInfo(name, "ranking", names.RANKING_BY if name == "rank" else None)
    return result.summary


def _forced_band(work: Work) -> tuple[pl.Expr, pl.Expr]:
    """The band a veto forces, and the veto's id (the first veto in file order wins).

    The ``veto-too-late`` check guarantees a veto's ``when`` reads nothing
    computed after ranking.
    """
    forced = pl.lit(None, dtype=pl.String)
    by = pl.lit(None, dtype=pl.String)
    for pen in reversed(work.policy.penalties):
        if pen.band is None:
            continue
        path = names.expr_path(names.PENALTIES, pen.id, names.WHEN)
        if not work.has(path):
            forced, by = pl.lit(pen.band), pl.lit(pen.id)
            continue
        hit = work.expr(path).fill_null(False)
        forced = pl.when(hit).then(pl.lit(pen.band)).otherwise(forced)
        by = pl.when(hit).then(pl.lit(pen.id)).otherwise(by)
    return forced, by
