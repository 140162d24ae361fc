"""The engine's rounding is Python's ``decimal`` rounding, for every mode and place."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incentive.numeric import DTYPE, LIMIT, ROUNDING_MODES, factor, py_mul, py_round, round_expr, to_dec

MODES = (*ROUNDING_MODES, "floor", "ceiling")
_values = st.decimals(min_value=Decimal("-1e25"), max_value=Decimal("1e25"), allow_nan=False, allow_infinity=False,
                      places=12)
# values sitting exactly on a half at some place are where modes differ
_halves = st.builds(lambda n, k: Decimal(2 * n + 1).scaleb(-k) / 2, st.integers(-10**12, 10**12),
                    st.integers(0, 11))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_values, _halves, st.none()), min_size=1, max_size=20), st.integers(0, 12),
       st.sampled_from(MODES))
def test_round_expr_is_python_decimal_rounding(values, decimals, mode):
    frame = pl.DataFrame({"x": values}, schema={"x": DTYPE})
    out = frame.select(round_expr(pl.col("x"), decimals, mode).alias("r"))
    assert out.schema["r"] == DTYPE
    for value, got in zip(values, out["r"].to_list()):
        assert got == (None if value is None else py_round(value, decimals, mode)), (value, decimals, mode)


@pytest.mark.parametrize(("value", "mode", "expected"), [
    ("2.5", "half_up", "3"), ("-2.5", "half_up", "-3"), ("2.5", "half_even", "2"), ("3.5", "half_even", "4"),
    ("-2.5", "down", "-2"), ("-2.1", "up", "-3"), ("-2.1", "floor", "-3"), ("-2.9", "ceiling", "-2"),
])
def test_round_to_units(value, mode, expected):
    frame = pl.DataFrame({"x": [Decimal(value)]}, schema={"x": DTYPE})
    assert frame.select(round_expr(pl.col("x"), 0, mode)).item() == Decimal(expected)


def test_rounding_the_largest_values_does_not_overflow():
    big = Decimal("99999999999999999999999999.994999999999")
    frame = pl.DataFrame({"x": [big, -big]}, schema={"x": DTYPE})
    assert frame.select(round_expr(pl.col("x"), 2, "half_up")).to_series().to_list() == [
        Decimal("99999999999999999999999999.99"), Decimal("-99999999999999999999999999.99")]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_values, st.none()), min_size=1, max_size=10),
       st.one_of(st.integers(-10**6, 10**6), st.decimals(min_value=-1000, max_value=1000, places=3,
                                                         allow_nan=False, allow_infinity=False)))
def test_multiplying_by_a_literal_factor_is_the_decimal_product(values, k):
    frame = pl.DataFrame({"x": values}, schema={"x": DTYPE})
    expected = [None if v is None or abs(py_mul(v, to_dec(k))) >= LIMIT else py_mul(v, to_dec(k)) for v in values]
    expr = pl.col("x") * factor(k)
    if any(v is not None and e is None for v, e in zip(values, expected)):
        with pytest.raises(pl.exceptions.ComputeError, match="overflow"):
            frame.select(expr)
        return
    out = frame.select(expr.alias("p"))
    assert out.schema["p"] == DTYPE
    assert out["p"].to_list() == expected


def test_an_integer_factor_is_a_scale_0_literal():
    assert frame_dtype(factor(40)) == pl.Decimal(38, 0)
    assert frame_dtype(factor(Decimal("2.0"))) == pl.Decimal(38, 0)
    assert frame_dtype(factor(Decimal("0.4"))) == DTYPE


def frame_dtype(expr: pl.Expr) -> pl.DataType:
    return pl.select(expr.alias("v")).schema["v"]


def test_plain_text_never_uses_an_exponent_and_trims_only_when_asked() -> None:
    from incentive.numeric import plain_text

    assert plain_text(Decimal("1E+2")) == "100"
    assert plain_text(Decimal("1.500")) == "1.5"
    assert plain_text(Decimal("-0.00")) == "0"
    assert plain_text(Decimal("1234.50"), trim=False) == "1234.50"
    assert plain_text(Decimal("1.5E-7"), trim=False) == "0.00000015"
    assert plain_text(Decimal("-0.00"), trim=False) == "-0.00"
