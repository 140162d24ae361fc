"""Sums of money columns must stay inside the engine's numeric range.

Each person's amounts are checked where they are computed, but the summary,
the report, ``diff``, budgets and the ledger's totals add them up: 3 people
with 9 × 10^25 each are fine one by one and overflow ``Decimal(38, 12)``
together (polars raised ``ComputeError: overflow in decimal addition``, a
traceback). Checked once per evaluation: the sum of absolute values bounds
every partial, group and grand sum, so when it is below ``LIMIT`` nothing
downstream can overflow.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import polars as pl

from incentive.errors import EvaluationError
from incentive.numeric import LIMIT

_SAFE = float(LIMIT) / 2  # a float sum this far below the limit cannot hide an exact sum above it


def check_sums(frame: pl.DataFrame, columns: Iterable[str], stage: str) -> None:
    """Raise ``EvaluationError`` naming the column when its sum of absolute values reaches ``LIMIT``."""
    names = [c for c in columns if c in frame.columns]
    if not names or not frame.height:
        return
    rough = frame.select(pl.col(c).cast(pl.Float64).abs().sum() for c in names).row(0)
    for name, approx in zip(names, rough):
        if approx is None or approx < _SAFE:
            continue
        exact = sum((abs(v) for v in frame.get_column(name).to_list() if v is not None), Decimal(0))
        if exact >= LIMIT:
            raise EvaluationError(
                f"{stage}: the amounts of {name!r} over {frame.height:,} people add up to about {approx:.3e}, "
                "beyond the engine's range for sums (numbers must stay below 10^26: 38 digits, 12 of them after "
                "the decimal point); the summary, report, budgets and ledger totals add them up. Check the "
                "data's magnitudes (a value in cents, or an extra digit?)")
