"""B6 (second half): a money column whose sum leaves Decimal(38, 12) is a user error, not a polars traceback."""

from __future__ import annotations

from decimal import Decimal as D

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incentive.engine.totals import check_sums
from incentive.errors import EvaluationError
from incentive.numeric import DTYPE, LIMIT

AMOUNTS = st.decimals(min_value=-(LIMIT - 1), max_value=LIMIT - 1, places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=80, deadline=None)
@given(st.lists(AMOUNTS, min_size=1, max_size=6), st.integers(0, 3))
def test_refused_exactly_when_the_absolute_sum_reaches_the_limit(values, near) -> None:
    values = values + [LIMIT - D("0.01")] * near  # push some lists over the edge
    frame = pl.DataFrame({"pay": values}, schema={"pay": DTYPE})
    over = sum(v for v in values if v > 0) >= LIMIT or -sum(v for v in values if v < 0) >= LIMIT
    if over:
        with pytest.raises(EvaluationError, match="pay: the total over .* people goes beyond the engine's range"):
            check_sums(frame, ["pay"], "totals")
    else:
        check_sums(frame, ["pay"], "totals")
        frame.select(pl.col("pay").sum())  # and polars can indeed add them up


def test_opposite_signs_that_cancel_pass() -> None:
    frame = pl.DataFrame({"pay": [LIMIT - 1, -(LIMIT - 1)]}, schema={"pay": DTYPE})
    check_sums(frame, ["pay"], "totals")


def test_just_below_the_limit_passes() -> None:
    frame = pl.DataFrame({"pay": [LIMIT / 2, LIMIT / 2 - D("0.01")]}, schema={"pay": DTYPE})
    check_sums(frame, ["pay", "absent"], "totals")
