"""``column_sum``: the exact sum of a decimal column, 0 for no rows, and no silent float for a non-decimal one."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest

from incentive.report.totals import column_sum


def test_sum_is_exact_decimal() -> None:
    frame = pl.DataFrame({"amount": [Decimal("0.10"), Decimal("0.20")]}, schema={"amount": pl.Decimal(38, 12)})
    total = column_sum(frame, "amount")
    assert isinstance(total, Decimal)
    assert total == Decimal("0.3")


def test_no_rows_sum_to_zero() -> None:
    frame = pl.DataFrame({"amount": []}, schema={"amount": pl.Decimal(38, 12)})
    assert column_sum(frame, "amount") == Decimal(0)


def test_non_decimal_column_is_refused() -> None:
    frame = pl.DataFrame({"amount": [0.1, 0.2]})
    with pytest.raises(TypeError, match="amount: column_sum needs a decimal column"):
        column_sum(frame, "amount")
