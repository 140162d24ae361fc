"""What a veto or forfeit took from each person, for the tables people read.

A penalty with ``forfeit`` sets the components it names to 0 when it fires;
the engine keeps each component's amount before that as the step
``<payout>.before_forfeit.<penalty>``. The amount is otherwise invisible: the
penalty's own column shows 0.00 (a veto deducts nothing, it takes
everything). This module turns those steps into a ``forfeited`` money column
(per person, all vetoes together) and per-veto totals for the summary and
the report. A component forfeited by two vetoes counts once: the second one
sees it at 0 already. Exact decimals throughout.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from incentive.engine.results import Results
from incentive.numeric import DTYPE, lit
from incentive.policy.model import Penalty
from incentive.policy.names import WHEN, step
from incentive.report.totals import column_sum, overflow

COLUMN = "forfeited"


def forfeit_penalties(results: Results) -> list[Penalty]:
    """The policy's penalties that forfeit components."""
    return [p for p in results.checked.policy.penalties if p.forfeit]


def forfeit_expr(results: Results, penalty: Penalty) -> pl.Expr:
    """What ``penalty`` took from one person: its targets' amounts before the forfeit, when it fired."""
    cols = [c for c in results.frame.columns if c.endswith(f".before_forfeit.{penalty.id}")]
    taken = lit(0)
    for c in cols:
        taken = taken + pl.col(c).fill_null(lit(0))
    fired = pl.col(step(penalty.id, WHEN)).fill_null(False)
    return pl.when(fired).then(taken).otherwise(lit(0)).cast(DTYPE)


def forfeited_expr(results: Results) -> pl.Expr | None:
    """The ``forfeited`` column (every veto of the policy), or None when the policy has no forfeit."""
    pens = forfeit_penalties(results)
    if not pens:
        return None
    total = lit(0)
    for pen in pens:
        total = total + forfeit_expr(results, pen)
    return total.cast(DTYPE).alias(COLUMN)


def with_forfeited(results: Results, frame: pl.DataFrame | None = None) -> pl.DataFrame:
    """``frame`` (default: the results frame) with the ``forfeited`` column, when the policy forfeits."""
    frame = results.frame if frame is None else frame
    expr = forfeited_expr(results)
    if expr is None or COLUMN in frame.columns:
        return frame
    return frame.with_columns(expr)


def forfeit_totals(results: Results) -> list[tuple[Penalty, Decimal]]:
    """(penalty, total amount it took over everyone) for every forfeiting penalty."""
    pens = forfeit_penalties(results)
    if not pens:
        return []
    sums = results.frame.select([forfeit_expr(results, p).alias(p.id) for p in pens])
    return [(p, column_sum(sums, p.id)) for p in pens]


def vetoed_people(results: Results) -> pl.DataFrame:
    """One row per person a veto hit (a forfeit or a forced band fired): id, score, band, band reason,
    what was forfeited -- so a band C beside a high score is explained where it is shown."""
    policy = results.checked.policy
    pens = [p for p in policy.penalties if p.forfeit or p.band]
    frame = results.frame
    if not pens or frame.height == 0:
        return pl.DataFrame()
    hit = pl.lit(False)
    for p in pens:
        hit = hit | pl.col(step(p.id, WHEN)).fill_null(False)
    cols = [pl.col(results.id_column)]
    cols += [pl.col(c) for c in ("score", "band", "band_reason") if c in frame.columns]
    expr = forfeited_expr(results)
    if expr is not None:
        cols.append(expr)
    return frame.filter(hit).select(cols)


def check_totals(results: Results) -> None:
    """Raise ``EvaluationError`` (exit 2) when a total of a summed column would leave the engine's range.

    The engine already proved it for payouts, penalties and the total at the end of the evaluation
    (``incentive.engine.totals``); what the report adds is the forfeited amount, checked here."""
    frame = with_forfeited(results)
    for name in (["forfeited"] if "forfeited" in frame.columns else []):
        col = pl.col(name)
        if not frame.schema[name].is_decimal():
            continue
        try:
            frame.select(pl.when(col > 0).then(col).otherwise(None).sum().alias("p"),
                         pl.when(col < 0).then(col).otherwise(None).sum().alias("n"))
        except pl.exceptions.ComputeError:
            raise overflow(name, frame.height) from None
