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
#: the wording of incentive.report.totals, so the engine and the summary refuse a sum the same way
RANGE = "38 digits, 12 of them after the decimal point: magnitude below 10^26"


def check_sums(frame: pl.DataFrame, columns: Iterable[str], stage: str) -> None:
    """Raise ``EvaluationError`` naming the column when its positive or negative part reaches ``LIMIT``.

    The positive part and the negative part bound every partial, group and grand sum (``stage`` is
    kept for the caller's reading; the message names the column, as the summary's check does).
    """
    names = [c for c in columns if c in frame.columns and frame.schema[c].is_decimal()]
    if not names or not frame.height:
        return
    # one pass: the sum of magnitudes bounds the positive and the negative part alike
    rough = frame.select(pl.col(c).cast(pl.Float64).abs().sum().alias(c) for c in names).row(0)
    for i, name in enumerate(names):
        if (rough[i] or 0) < _SAFE:
            continue
        values = [v for v in frame.get_column(name).to_list() if v is not None]
        positive = sum((v for v in values if v > 0), Decimal(0))
        negative = sum((-v for v in values if v < 0), Decimal(0))
        if positive >= LIMIT or negative >= LIMIT:
            raise EvaluationError(f"{name}: the total over {frame.height:,} people goes beyond the engine's range "
                                  f"({RANGE}); split the data (e.g. by region) or check the amounts")
