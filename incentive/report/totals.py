"""Sums over everyone (summary, report, close totals) that never overflow silently.

Each person's amount fits the engine's ``Decimal(38, 12)``, but a sum over
many people may not: polars then raises ``ComputeError`` deep inside a
writer. ``check_totals`` proves up front that every sum a summary, a report
or a close can take of a money column fits (the sum of the positive parts
and of the negative parts bound every total, by group or overall), and
refuses with a message naming the column otherwise -- exit 2, before
anything is written.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from incentive.engine.results import Results
from incentive.errors import EvaluationError

RANGE = "38 digits, 12 of them after the decimal point: magnitude below 10^26"


def _overflow(column: str, people: int) -> EvaluationError:
    return EvaluationError(f"{column}: the total over {people:,} people goes beyond the engine's range ({RANGE}); "
                           "split the data (e.g. by region) or check the amounts")


def check_totals(results: Results) -> None:
    """Raise ``EvaluationError`` (exit 2) when a total of a summed column would leave the engine's range.

    The engine already proved it for payouts, penalties and the total at the end of the evaluation
    (``incentive.engine.totals``); what the report adds is the forfeited amount, checked here."""
    from incentive.report.forfeits import with_forfeited

    frame = with_forfeited(results)
    for name in (["forfeited"] if "forfeited" in frame.columns else []):
        col = pl.col(name)
        if not frame.schema[name].is_decimal():
            continue
        try:
            frame.select(pl.when(col > 0).then(col).otherwise(None).sum().alias("p"),
                         pl.when(col < 0).then(col).otherwise(None).sum().alias("n"))
        except pl.exceptions.ComputeError:
            raise _overflow(name, frame.height) from None


def column_sum(frame: pl.DataFrame, name: str) -> Decimal:
    """The exact sum of one decimal column (0 when empty), or ``EvaluationError`` past the engine's range."""
    try:
        value = frame.get_column(name).sum()
    except pl.exceptions.ComputeError:
        raise _overflow(name, frame.height) from None
    if value is None:
        return Decimal(0)
    if not isinstance(value, Decimal):  # an int or float column: its sum is no exact amount
        raise TypeError(f"{name}: column_sum needs a decimal column, not {frame.schema[name]}")
    return value
