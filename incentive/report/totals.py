"""Sums over everyone (summary, report, close totals) that never overflow silently.

Each person's amount fits the engine's ``Decimal(38, 12)``, but a sum over
many people may not: polars then raises ``ComputeError`` deep inside a
writer. ``column_sum`` sums exactly or refuses with a message naming the
column -- exit 2, before anything is written; ``forfeits.check_totals``
proves the same up front for the one summed column the engine does not
compute itself (what vetoes forfeited).
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from incentive.engine.results import Results
from incentive.errors import EvaluationError

RANGE = "38 digits, 12 of them after the decimal point: magnitude below 10^26"


def overflow(column: str, people: int) -> EvaluationError:
    return EvaluationError(f"{column}: the total over {people:,} people goes beyond the engine's range ({RANGE}); "
                           "split the data (e.g. by region) or check the amounts")


def column_sum(frame: pl.DataFrame, name: str) -> Decimal:
    """The exact sum of one decimal column (0 when empty), or ``EvaluationError`` past the engine's range."""
    try:
        value = frame.get_column(name).sum()
    except pl.exceptions.ComputeError:
        raise overflow(name, frame.height) from None
    if value is None:
        return Decimal(0)
    if not isinstance(value, Decimal):  # an int or float column: its sum is no exact amount
        raise TypeError(f"{name}: column_sum needs a decimal column, not {frame.schema[name]}")
    return value
