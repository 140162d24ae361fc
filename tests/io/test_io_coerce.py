"""Per-type accept / reject tables for data cells, and the vectorized / Python-mirror agreement."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incentive.io.cell_check import check_cell
from incentive.io.coerce import coerce_series, column_plan, only_iso_dates
from incentive.policy.model import Input

D = Decimal


def read(text: str | None, type_: str, grouping: bool = True, **kw):
    """(value, problem) of one cell, asserting the vectorized and Python readings agree."""
    inp = Input(id="x", type=type_, **kw)
    frame = coerce_series(pl.Series([text], dtype=pl.String), inp, grouping=grouping)
    bad = frame["bad"][0]
    mirror = check_cell(text, inp, grouping=grouping)
    assert bad == (mirror.problem is not None), (text, type_, mirror)
    if bad:
        return None, mirror.problem
    value = frame["value"][0]
    assert value == mirror.value, (text, value, mirror.value)
    return value, None


@pytest.mark.parametrize("text, expected", [
    ("12", D(12)), ("12.0", D(12)), ("-3", D(-3)), ("+7", D(7)), ("1,234", D(1234)), ("1,234,567", D(1234567)),
    ("  42  ", D(42)), ("\u300042\u3000", D(42)), ("007", D(7)), ("12.", D(12)),
])
def test_integer_accepts(text, expected):
    assert read(text, "integer") == (expected, None)


@pytest.mark.parametrize("text, why", [
    ("12.5", "whole number"), ("1,23", "three digits"), ("12,34,567", "three digits"), ("1e3", "scientific"), ("NaN", "NaN"),
    ("abc", "whole number"), ("¥12", "currency"), ("12%", "percent"), ("(12)", "parentheses"),
])
def test_integer_rejects(text, why):
    value, problem = read(text, "integer")
    assert value is None and why in problem


@pytest.mark.parametrize("text, expected", [
    ("0.1", D("0.1")), ("1234.5", D("1234.5")), ("-0.25", D("-0.25")), (".5", D("0.5")), ("1,234.5", D("1234.5")),
    ("0.000000000001", D("1e-12")), ("99999999999999999999.999999999999", D("99999999999999999999.999999999999")),
    ("-99999999999999999999", D("-99999999999999999999")), ("00012.50", D("12.5")),
])
def test_number_accepts(text, expected):
    assert read(text, "number") == (expected, None)


@pytest.mark.parametrize("text, why", [
    ("NaN", "NaN"), ("nan", "NaN"), ("inf", "infinity"), ("-inf", "infinity"), ("Infinity", "infinity"),
    ("1.2E+07", "scientific"), ("1e-3", "scientific"), ("0.0000000000001", "12 decimal places"),
    ("100000000000000000000", "10^20"), ("-100000000000000000000.5", "10^20"), ("1,2345", "three digits"),
    ("$5", "currency"), ("5元", "currency"), ("(5)", "parentheses"), ("85%", "percent"), ("1 234", "number"),
    ("１２", "number"), ("--5", "number"), ("+", "number"), (".", "number"), ("1.2.3", "number"), ("- 5", "number"),
])
def test_number_rejects(text, why):
    value, problem = read(text, "number")
    assert value is None and why in problem


@pytest.mark.parametrize("text, expected", [
    ("1234.56", D("1234.56")), ("¥1,234.56", D("1234.56")), ("￥1,234.56", D("1234.56")), ("$12", D(12)),
    ("€ 12.5", D("12.5")), ("£0.01", D("0.01")), ("1234.5元", D("1234.5")), ("1,234.5 元", D("1234.5")),
    ("-¥5", D(-5)), ("¥-5", D(-5)), ("(1,234.00)", D("-1234")), ("(¥1,234.00)", D("-1234")),
    ("¥(1,234.00)", D("-1234")), ("( 12 )", D(-12)), ("(12元)", D(-12)), ("0.1", D("0.1")),
])
def test_money_accepts(text, expected):
    assert read(text, "money") == (expected, None)


@pytest.mark.parametrize("text, why", [
    ("-(5)", "amount"), ("(-5)", "amount"), ("-¥-5", "amount"), ("¥", "amount"), ("USD 5", "amount"),
    ("5 USD", "amount"), ("1.2E3", "scientific"), ("NaN", "NaN"), ("¥1,23", "three digits"), ("12%", "percent"),
    ("0.0000000000001", "12 decimal places"),
])
def test_money_rejects(text, why):
    value, problem = read(text, "money")
    assert value is None and why in problem


@pytest.mark.parametrize("text, expected", [
    ("85%", D("0.85")), ("85 %", D("0.85")), ("85％", D("0.85")), ("0.85", D("0.85")), ("-5%", D("-0.05")),
    ("12.5%", D("0.125")), ("150%", D("1.5")), ("0.0000000001%", D("1e-12")), ("1,000%", D(10)),
])
def test_percent_accepts(text, expected):
    assert read(text, "percent") == (expected, None)


@pytest.mark.parametrize("text, why", [
    ("85%%", "percentage"), ("%85", "percentage"), ("0.00000000001%", "10 decimal places"),
    ("¥5", "currency"), ("abc", "percentage"),
])
def test_percent_rejects(text, why):
    value, problem = read(text, "percent")
    assert value is None and why in problem


@pytest.mark.parametrize("text, expected", [
    ("2026-01-31", date(2026, 1, 31)), ("2026-1-5", date(2026, 1, 5)), ("2026/1/31", date(2026, 1, 31)),
    ("2026.1.31", date(2026, 1, 31)), ("20260131", date(2026, 1, 31)), ("2026年1月31日", date(2026, 1, 31)),
    ("2026-01-31T10:30:00", date(2026, 1, 31)), ("2026-01-31 10:30", date(2026, 1, 31)),
    ("2026-01-31T23:59:59.123+08:00", date(2026, 1, 31)), ("2026-01-31T00:00:00Z", date(2026, 1, 31)),
    ("2026/1/31 8:05:00", date(2026, 1, 31)), ("2024-02-29", date(2024, 2, 29)),
])
def test_date_accepts(text, expected):
    assert read(text, "date") == (expected, None)


@pytest.mark.parametrize("text, why", [
    ("01/02/2026", "ambiguous"), ("31/01/2026", "ambiguous"), ("1-2-2026", "ambiguous"),
    ("2026-02-30", "does not exist"), ("2025-02-29", "does not exist"), ("2026-13-01", "does not exist"),
    ("20261301", "does not exist"), ("2026-01", "YYYY-MM-DD"), ("46053", "YYYY-MM-DD"), ("0999-01-01", "YYYY-MM-DD"),
    ("2026-1/31", "YYYY-MM-DD"), ("2026.1.31 10:00", "YYYY-MM-DD"), ("Jan 31 2026", "YYYY-MM-DD"),
])
def test_date_rejects(text, why):
    value, problem = read(text, "date")
    assert value is None and why in problem


@pytest.mark.parametrize("text, expected", [
    ("true", True), ("TRUE", True), ("t", True), ("Yes", True), ("y", True), ("1", True), ("是", True),
    ("false", False), ("False", False), ("f", False), ("NO", False), ("n", False), ("0", False), ("否", False),
])
def test_boolean_accepts(text, expected):
    assert read(text, "boolean") == (expected, None)


@pytest.mark.parametrize("text", ["maybe", "2", "1.0", "on", "对"])
def test_boolean_rejects(text):
    value, problem = read(text, "boolean")
    assert value is None and "true/false" in problem


def test_text_is_stripped_and_kept_verbatim():
    assert read("  华东 ", "text") == ("华东", None)
    assert read("007", "id") == ("007", None)


def test_empty_cells_default_required_or_null():
    assert read("", "money", default=D(5)) == (D(5), None)
    assert read("   ", "integer", default=D(0)) == (D(0), None)
    assert read(None, "boolean", default=False) == (False, None)
    assert read("", "percent", default="85%") == (D("0.85"), None)
    assert read("", "text", required=False) == (None, None)
    value, problem = read("", "money")
    assert value is None and "required" in problem
    value, problem = read("", "id")
    assert value is None and "cannot be empty" in problem


def test_min_max_values_are_exact_decimal_bounds():
    assert read("0.01", "money", min=D("0.01")) == (D("0.01"), None)
    assert "at least 0.01" in read("0.009", "money", min=D("0.01"))[1]
    assert read("100", "number", min=D(0), max=D(100)) == (D(100), None)
    assert "between 0 and 100" in read("100.000000000001", "number", min=D(0), max=D(100))[1]
    assert "at most 1" in read("120%", "percent", max=D(1))[1]
    assert read("North", "text", values=("North", "South")) == ("North", None)
    problem = read("north", "text", values=("North", "South"))[1]
    assert "one of 'North', 'South'" in problem and "did you mean 'North'" in problem
    assert read("2", "integer", values=(D(1), D(2))) == (D(2), None)
    assert "one of 1, 2" in read("3", "integer", values=(D(1), D(2)))[1].replace("'", "")


def test_semicolon_files_refuse_commas_in_numbers():
    assert read("1234.5", "number", grouping=False) == (D("1234.5"), None)
    assert "ambiguous" in read("1234,5", "number", grouping=False)[1]
    assert "ambiguous" in read("1,234", "money", grouping=False)[1]


@settings(max_examples=200, deadline=None)
@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=D("-1e20") + 1, max_value=D("1e20") - 1,
                   places=None).filter(lambda d: d.as_tuple().exponent >= -12))
def test_money_written_by_str_decimal_round_trips_exactly(d):
    text = str(d)
    if "E" in text or "e" in text:
        text = format(d, "f")  # str() uses exponent notation for some values; the plain form is what files hold
    value, problem = read(text, "money")
    assert problem is None and value == d


_ALPHABET = st.sampled_from(list("0123456789,.-+ %％¥$元()eEnaif年月日/:T") + ["\u3000", "１", "Z"])


@settings(max_examples=200, deadline=None)
@given(st.text(_ALPHABET, max_size=14), st.sampled_from(["integer", "number", "money", "percent", "date", "boolean"]),
       st.booleans())
def test_vectorized_and_python_readings_agree(text, type_, grouping):
    read(text, type_, grouping)  # asserts agreement on accept / reject and on the value


_NUMBERISH = st.from_regex(r"\A[+-]?[¥$(]?[+-]?[0-9]{1,4}(,[0-9]{1,4}){0,2}(\.[0-9]{0,14})?( ?[%元)])?\Z")


@settings(max_examples=200, deadline=None)
@given(_NUMBERISH, st.sampled_from(["integer", "number", "money", "percent"]), st.booleans())
def test_readings_agree_on_number_like_text(text, type_, grouping):
    read(text, type_, grouping)


@settings(max_examples=100, deadline=None)
@given(st.from_regex(r"\A[0-9]{4}[-/.年]?[0-9]{1,2}[-/.月]?[0-9]{1,2}日?([T ][0-9]{1,2}:[0-9]{2})?\Z"))
def test_readings_agree_on_date_like_text(text):
    read(text, "date")


@pytest.mark.parametrize("cells", [
    ["2026-01-31", "", None, "2024-02-29"],
    ["2026-02-30", "2026-01-01"],
    ["1999-12-31", "2025-02-29", ""],
])
def test_iso_date_fast_path_reads_like_the_general_path(cells):
    inp = Input(id="x", type="date", required=False)
    raw = pl.Series(cells, dtype=pl.String)
    assert pl.DataFrame({"c": raw}).select(only_iso_dates(pl.col("c"))).item()
    plan = column_plan(pl.col("c"), inp, key="k", iso_dates=True)
    lf = pl.DataFrame({"c": raw}).lazy()
    for stage in plan.stages:
        lf = lf.with_columns(**stage)
    fast = lf.select(plan.value.alias("value"), plan.bad.alias("bad")).collect()
    general = coerce_series(raw, inp)
    assert fast["bad"].to_list() == general["bad"].to_list()
    ok = ~general["bad"]
    assert fast["value"].filter(ok).to_list() == general["value"].filter(ok).to_list()


def test_only_iso_dates_detects_other_forms():
    frame = pl.DataFrame({"a": ["2026-01-31", "2026/1/31"], "b": ["0999-01-01", None], "c": [" 2026-01-31", ""]})
    assert frame.select(only_iso_dates(pl.col(c)) for c in "abc").row(0) == (False, False, False)
