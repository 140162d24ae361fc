"""A2, cell by cell: percentages by the input's range, Excel error values, booleans, full-width digits, serial dates."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from test_io_coerce import _NUMBERISH, read
from incentive.io.cell_rules import ERROR_TEXTS
from incentive.io.excel_dates import excel_serial_date

D = Decimal


@pytest.mark.parametrize("text, type_, kw, expected", [
    ("94.7%", "number", {"max": D(100)}, D("94.7")),          # a 0-100 score: points
    ("94.7 ％", "number", {"min": D(0), "max": D(100)}, D("94.7")),
    ("95%", "integer", {"max": D(100)}, D(95)),
    ("94.7%", "number", {"min": D(0), "max": D(1)}, D("0.947")),  # a 0-1 ratio: the fraction, as Excel stores it
    ("94.7", "number", {"max": D(100)}, D("94.7")),
    ("0.947", "number", {"max": D(1)}, D("0.947")),
    ("94.7%", "percent", {}, D("0.947")),
])
def test_a_percentage_reads_by_the_declared_range(text, type_, kw, expected):
    assert read(text, type_, **kw) == (expected, None)


@pytest.mark.parametrize("text, type_, kw", [
    ("94.7%", "number", {}), ("94.7%", "number", {"max": D(10)}), ("94.7%", "integer", {"max": D(1)}),
    ("95.5%", "integer", {"max": D(100)}),
])
def test_an_ambiguous_percentage_is_refused_naming_the_rule(text, type_, kw):
    value, problem = read(text, type_, **kw)
    assert value is None
    if type_ == "number":
        assert f"{text} is a percentage and input 'x' declares no range" in problem and "max: 100" in problem


def test_a_percentage_beyond_the_range_is_refused_after_scaling():
    assert read("101%", "number", max=D(100))[1] == "at most 100"
    assert read("150%", "number", max=D(1))[1] == "at most 1"


def test_a_percentage_is_never_money():
    assert "a percent sign is accepted only in percent columns" in read("5%", "money")[1]


@pytest.mark.parametrize("error", ERROR_TEXTS)
@pytest.mark.parametrize("type_", ["id", "text", "integer", "number", "money", "percent", "date", "boolean"])
def test_an_excel_error_value_is_refused_in_every_column_as_what_it_is(error, type_):
    kw = {"default": "0"} if type_ in ("number", "money") else {}
    value, problem = read(error, type_, **kw)
    assert value is None and f"the cell holds the Excel error {error}" in problem and "never replaced by the default" in problem


def test_error_values_name_their_meaning():
    assert "(a division by zero)" in read("#DIV/0!", "money")[1]


@pytest.mark.parametrize("text", ["TRUE", "FALSE", "true"])
@pytest.mark.parametrize("type_", ["integer", "number", "money", "percent"])
def test_a_boolean_is_never_a_number(text, type_):
    value, problem = read(text, type_)
    assert value is None and "is a yes/no value (a checkbox or a comparison), not a number" in problem


@pytest.mark.parametrize("text, ascii_", [("１２３", "123"), ("１，２３４．５", "1,234.5"), ("－５", "-5"), ("９４．７％", "94.7%")])
def test_full_width_digits_are_refused_with_a_hint(text, ascii_):
    value, problem = read(text, "number", max=D(10000))
    assert value is None and f"({text} is {ascii_} in ASCII)" in problem and "=ASC(cell)" in problem


def test_a_formula_text_is_refused_as_a_formula():
    assert "=A1*2 is a formula saved without its computed value" in read("=A1*2", "money")[1]


@pytest.mark.parametrize("serial, iso", [(1, "1900-01-01"), (59, "1900-02-28"), (60, "1900-02-29"), (61, "1900-03-01"),
                                         (46022, "2025-12-31"), (46053, "2026-01-31"), (2958465, "9999-12-31")])
def test_excel_serial_dates_in_the_1900_system(serial, iso):
    assert excel_serial_date(serial) == iso


def test_excel_serial_dates_in_the_1904_system():
    assert excel_serial_date(0, date1904=True) == "1904-01-01"
    assert excel_serial_date(46023 - 1462, date1904=True) == excel_serial_date(46023) == "2026-01-01"


def test_a_serial_number_in_a_csv_date_column_is_refused_with_its_date():
    value, problem = read("46053", "date")
    assert value is None and "46053 looks like an Excel serial date (2026-01-31" in problem


@settings(max_examples=300, deadline=None)
@given(_NUMBERISH, st.sampled_from(["integer", "number"]), st.sampled_from([D(1), D(100), D(1000), D(50)]), st.booleans())
def test_readings_agree_with_a_declared_range(text, type_, max_, grouping):
    read(text, type_, grouping, max=max_)  # the vectorized and the Python reading agree on % cells too


def test_polars_default_strip_removes_exactly_the_cell_whitespace():
    """Readers strip cells with ``str.strip_chars()`` (no argument: fast) trusting it removes exactly ``WS``."""
    import polars as pl

    from incentive.io.cell_rules import WS

    chars = [chr(i) for i in range(0x10000) if not 0xD800 <= i < 0xE000]
    stripped = pl.Series([f"{c}a{c}" for c in chars]).str.strip_chars().to_list()
    assert {c for c, v in zip(chars, stripped) if v == "a"} == set(WS)
