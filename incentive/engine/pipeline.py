"""The evaluation pipeline: policy + one period's data → results.

Stages run in the order of SPEC §4, each adding whole columns:

    inputs → derived / aggregates → KPI values → KPI points → score (rounded)
    → ranking and bands (vetoes force a band here) → payouts → budgets
    → penalties and forfeits → holds (回款) → draws on payouts → floor → total → draws on the total
    → true-ups of corrected earlier periods → clawbacks of refunded deals → recommendations

Rows are sorted by employee id first, so results never depend on the input
row order. History (earlier closed periods, from the ledger) arrives as one
frame per period offset and is joined by employee id; a person absent from
an earlier period simply has nulls there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import polars as pl

from incentive.engine import (budget, clawbacks, derive, draws, holds, kpis, payouts, penalties, rank_stage, recommend,
                              true_ups)
from incentive.engine.totals import check_sums
from incentive.engine.context import POLARS_TYPE, CompileCtx, Overflow, Work, history_column
from incentive.engine.results import ColumnInfo, Results
from incentive.numeric import lit
from incentive.policy.expr.checked import CheckedPolicy

if TYPE_CHECKING:  # the engine does not load the io layer at run time; it only names its types
    from polars._typing import PolarsDataType

    from incentive.io.data import PeriodData
    from incentive.io.periods import Period

PERIOD_NAMES = ("period_start", "period_end", "period_days")


def evaluate(checked: CheckedPolicy, data: PeriodData, period: Period, *,
             history: dict[int, pl.DataFrame] | None = None, lang: str = "en",
             adjustments: pl.DataFrame | None = None, recoveries: Mapping[str, pl.DataFrame] | None = None) -> Results:
    """Evaluate ``checked`` on ``data`` for ``period``.

    ``history`` maps an offset (1 = the previous period) to that period's
    recorded results; missing offsets are periods that were never closed.
    ``adjustments`` are the true-ups due to people (id column + ``due``),
    from earlier periods corrected after they were paid; ``recoveries`` the
    clawbacks of refunded deals (clawback id -> id column, ``due``, ``deals``).
    Should a number leave the engine's range, the evaluation is re-run step
    by step so the error names the quantity and the people.
    """
    try:
        return _evaluate(checked, data, period, history, lang, adjustments, recoveries, diagnose=False)
    except Overflow:
        return _evaluate(checked, data, period, history, lang, adjustments, recoveries, diagnose=True)


def _evaluate(checked: CheckedPolicy, data: PeriodData, period: Period, history: dict[int, pl.DataFrame] | None,
              lang: str, adjustments: pl.DataFrame | None, recoveries: Mapping[str, pl.DataFrame] | None, *,
              diagnose: bool) -> Results:
    policy = checked.policy
    id_col = policy.id_input.id
    rows = data.frame
    # files often come in id order: then nothing moves (the rechunk is a no-op for a frame in one piece,
    # and a many-piece one would make later eager steps copy every column); the drop is lazy for that reason
    rows = rows.rechunk() if rows.get_column(id_col).is_sorted() else rows.sort(id_col)
    inputs = rows.lazy().drop("__row__", strict=False)
    needed = int(checked.history_depth_needed or 0)
    # offsets past the last recorded period are null either way: no columns for them
    depth = max((k for k in (history or {}) if 1 <= k <= needed), default=0)
    ctx = CompileCtx(dict(checked.types), depth, period.periods_per_year)
    work = Work(checked, ctx, inputs, id_col, diagnose=diagnose)
    for inp in policy.inputs:
        work.columns[inp.id] = ColumnInfo(inp.id, "input", None, inp.type == "money")
    work.add({
        "period_start": pl.lit(period.start, dtype=pl.Date),
        "period_end": pl.lit(period.end, dtype=pl.Date),
        "period_days": lit(period.days),
    }, "period", stage="period")
    _join_history(work, checked, history or {}, depth, data.frame.schema[id_col])

    derive.run(work)
    kpis.run(work)
    summary = rank_stage.run(work, lang)
    payouts.run(work)
    if policy.budgets:  # budgets sum components per group: check the sums first
        check_sums(work.materialize("payouts"), [p.id for p in policy.payouts], "payouts")
    budget.run(work)
    penalties.run(work)
    holds.run(work)  # a draw on a held payout guarantees what is released
    draws.on_payouts(work)
    penalties.total(work)
    draws.on_total(work)
    true_ups.run(work, adjustments)
    clawbacks.run(work, recoveries)
    recommend.add_rules(work)
    recs = recommend.fired(work, work.materialize("recommendations"), lang)
    frame = work.finish()
    check_sums(frame, [*(p.id for p in policy.payouts), *(p.id for p in policy.penalties), "total"], "totals")
    if not frame.get_column(id_col).is_sorted():  # one canonical order, whatever a join did
        frame = frame.sort(id_col)
    present = set(frame.columns)  # one lookup set: frame.columns builds a new list on every call
    columns = {n: c for n, c in work.columns.items() if n in present}
    last = (history or {}).get(1)
    found = [g for g in (draws.departures(policy.draws, frame, last, id_col),
                         holds.departures(policy.holds, frame, last, id_col),
                         clawbacks.departures(policy.clawbacks, frame, last, id_col)) if g is not None]
    gone = pl.concat(found) if found else None
    return Results(checked=checked, period=period, frame=frame, columns=columns, ranking_summary=summary,
                   recommendations=recs, data_file=data.file, data_sha256=data.sha256,
                   warnings=list(data.warnings), departures=gone)


def _join_history(work: Work, checked: CheckedPolicy, history: dict[int, pl.DataFrame], depth: int,
                  id_dtype: PolarsDataType) -> None:
    """Add ``__h<k>__<name>`` columns for every name history functions read."""
    names = sorted(checked.history_names)
    if not depth or not names:
        return
    types = work.ctx.types
    for k in range(1, depth + 1):
        past = history.get(k)
        wanted = {n: history_column(n, k) for n in names}
        if past is None or work.id_col not in past.columns:
            work.frame = work.frame.with_columns(
                **{c: pl.lit(None, dtype=POLARS_TYPE[types[n]]) for n, c in wanted.items()})
            continue
        cols = [pl.col(work.id_col).cast(id_dtype)]
        for n, c in wanted.items():
            dtype = POLARS_TYPE[types[n]]
            cols.append((pl.col(n).cast(dtype) if n in past.columns else pl.lit(None, dtype=dtype)).alias(c))
        work.frame = work.frame.join(past.lazy().select(cols).unique(work.id_col, keep="first"), on=work.id_col,
                                     how="left", maintain_order="left")

