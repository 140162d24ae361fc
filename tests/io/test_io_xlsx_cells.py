"""A2: XLSX cells are read by their type and number format, as Excel really exports them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from io_support import one, policy_of
from incentive.errors import DataInvalid
from incentive.io import read_period_data
from incentive.io.readers.xlsx import excel_float_text, percent_text
from incentive.io.xlsx_cells import cell_marks
from incentive.policy.model import Input

import polars as pl

D = Decimal


def book(path: Path, rows: list[list], *, date1904: bool = False) -> Path:
    """Row 1 is the header; a cell is a value or (value, kind) with kind pct / pct2 / date / bool / formula:<f>."""
    wb = xlsxwriter.Workbook(str(path), {"date_1904": date1904})
    ws = wb.add_worksheet("Q1")
    wb.add_worksheet("Notes")
    fmt = {"pct": wb.add_format({"num_format": "0.0%"}), "pct2": wb.add_format({"num_format": "0%"}),
           "pctx": wb.add_format({"num_format": '[Red]0.00"%"%'}), "date": wb.add_format({"num_format": "yyyy-mm-dd"})}
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            value, kind = cell if isinstance(cell, tuple) else (cell, "")
            if kind in fmt and kind != "date":
                ws.write_number(r, c, value, fmt[kind])
            elif kind == "date":
                ws.write_datetime(r, c, value, fmt["date"])
            elif kind == "bool":
                ws.write_boolean(r, c, value)
            elif kind.startswith("formula:"):
                ws.write_formula(r, c, kind[8:], None, value)
            elif value is not None:
                ws.write(r, c, value)
    wb.close()
    return path


def problems(info) -> list[tuple[int, str, str, str]]:
    return [(p.row, p.column, p.value, p.expected) for p in info.value.problems]


SCORE = policy_of(Input(id="employee_id", type="id"), Input(id="x", type="number", min=D(0), max=D(100)))
RATIO = policy_of(Input(id="employee_id", type="id"), Input(id="x", type="number", min=D(0), max=D(1)))


def test_percent_cells_feeding_a_0_100_input_are_read_as_points_with_a_note(tmp_path):
    path = book(tmp_path / "d.xlsx", [["employee_id", "x"], ["E1", (0.947, "pct")], ["E2", (0.5, "pct2")], ["E3", 88.5]])
    data = read_period_data(path, SCORE)
    assert data.frame["x"].to_list() == [D("94.7"), D("50"), D("88.5")]
    assert any("column 'x': 2 percentage cell(s) (e.g. 94.7%) read as points (94.7), because input x declares max 100"
               in w for w in data.warnings)


def test_percent_cells_feeding_a_0_1_input_are_read_as_stored(tmp_path):
    path = book(tmp_path / "d.xlsx", [["employee_id", "x"], ["E1", (0.947, "pct")], ["E2", (0.25, "pctx")]])
    data = read_period_data(path, RATIO)
    assert data.frame["x"].to_list() == [D("0.947"), D("0.25")]
    assert not any("percentage" in w for w in data.warnings)


def test_percent_cells_feeding_an_input_without_a_range_are_refused_naming_the_rule(tmp_path):
    path = book(tmp_path / "d.xlsx", [["employee_id", "x"], ["E1", (0.947, "pct")]])
    with pytest.raises(DataInvalid) as info:
        read_period_data(path, one("number"))
    [(row, column, value, expected)] = problems(info)
    assert (row, column, value) == (2, "x", "94.7%")
    assert "94.7% is a percentage and input 'x' declares no range" in expected and "max: 100" in expected


def test_the_issue_example_satisfaction_scores_no_longer_drop_to_zero(tmp_path):
    """客户满意度 exported as percentages: read as 0-100 points, not 0.947 (which scored 0 and lost 93,300.00)."""
    policy = policy_of(Input(id="employee_id", type="id", column="工号"),
                       Input(id="satisfaction", type="number", column="客户满意度", min=D(0), max=D(100)))
    path = book(tmp_path / "d.xlsx", [["工号", "客户满意度"], *([f"E{i}", (0.9 + i / 1000, "pct")] for i in range(1, 40))])
    assert all(v > 90 for v in read_period_data(path, policy).frame["satisfaction"].to_list())


def test_a_boolean_cell_in_a_money_column_is_refused_never_paid_as_one(tmp_path):
    path = book(tmp_path / "d.xlsx", [["employee_id", "x"], ["E1", 100], ["E2", (True, "bool")], ["E3", (False, "bool")]])
    with pytest.raises(DataInvalid) as info:
        read_period_data(path, one("money", default=D(0)))
    assert [(r, c, v) for r, c, v, _ in problems(info)] == [(3, "x", "TRUE"), (4, "x", "FALSE")]
    assert "TRUE is a yes/no value (a checkbox or a comparison), not a number" in problems(info)[0][3]


def test_a_boolean_cell_in_a_boolean_column_is_fine(tmp_path):
    path = book(tmp_path / "d.xlsx", [["employee_id", "x"], ["E1", (True, "bool")], ["E2", (False, "bool")]])
    assert read_period_data(path, one("boolean")).frame["x"].to_list() == [True, False]


ERRORS = [("#DIV/0!", "=1/0"), ("#N/A", "=NA()"), ("#VALUE!", '="a"+1'), ("#REF!", "=#REF!"), ("#NAME?", "=NOPE()"),
          ("#NUM!", "=SQRT(-1)"), ("#NULL!", "=A1 B1")]


@pytest.mark.parametrize("type_", ["money", "number", "date", "text", "boolean"])
def test_every_error_cell_is_refused_as_what_it_is_even_with_a_default(tmp_path, type_):
    defaults = {"money": D(0), "number": D(0), "date": dt.date(2026, 1, 1), "text": "x", "boolean": False}
    rows = [["employee_id", "x"], *([f"E{k}", (err, f"formula:{f}")] for k, (err, f) in enumerate(ERRORS))]
    with pytest.raises(DataInvalid) as info:
        read_period_data(book(tmp_path / "d.xlsx", rows), one(type_, default=defaults[type_], required=False))
    got = problems(info)
    assert [(r, v) for r, _, v, _ in got] == [(k + 2, err) for k, (err, _) in enumerate(ERRORS)]
    assert all(f"holds the Excel error {v}" in e and "never replaced by the default" in e for _, _, v, e in got)


def test_an_error_cell_in_the_id_column_is_refused(tmp_path):
    rows = [["employee_id", "x"], ["E1", 1], [("#N/A", "formula:=VLOOKUP(1,A:A,2)"), 2]]
    with pytest.raises(DataInvalid) as info:
        read_period_data(book(tmp_path / "d.xlsx", rows), one("number"))
    assert [(r, c, v) for r, c, v, _ in problems(info)] == [(3, "employee_id", "#N/A")]


@pytest.mark.parametrize("type_", ["money", "text", "date"])
def test_a_formula_saved_without_a_value_is_refused(tmp_path, type_):
    rows = [["employee_id", "x"], ["E1", ("", "formula:=B3*2")]]
    with pytest.raises(DataInvalid) as info:
        read_period_data(book(tmp_path / "d.xlsx", rows), one(type_, required=False))
    [(row, column, value, expected)] = problems(info)
    assert (row, column, value) == (2, "x", "=B3*2") and "formula saved without its computed value" in expected


def test_binary_noise_from_a_formula_is_read_at_excels_15_digits(tmp_path):
    rows = [["employee_id", "x"], ["E1", (0.30000000000000004, "formula:=0.1+0.2")],
            ["E2", (0.9470000000000001, "formula:=B4+0.0000000000000001")], ["E3", 0.947], ["E4", 123456789.125]]
    data = read_period_data(book(tmp_path / "d.xlsx", rows), one("number"))
    assert data.frame["x"].to_list() == [D("0.3"), D("0.947"), D("0.947"), D("123456789.125")]


@settings(max_examples=300, deadline=None)
@given(st.decimals(min_value=D("-1e12"), max_value=D("1e12"), places=3, allow_nan=False, allow_infinity=False))
def test_a_typed_number_of_at_most_15_digits_reads_back_exactly(d):
    """What a person types (≤ 15 significant digits) is what is read, and its noisy neighbours read the same."""
    f = float(d)
    text = excel_float_text(pl.Series([f, f + f * 2.2e-16])).to_list()
    assert D(text[0]) == d.normalize() or D(text[0]) == D(format(f, ".15g"))
    if abs(d) >= D("0.001"):
        assert D(text[1]) == D(text[0])  # one ulp of formula noise disappears at 15 digits


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=D("0"), max_value=D("10"), places=4, allow_nan=False, allow_infinity=False))
def test_percent_text_is_the_stored_value_times_100(d):
    assert D(percent_text(float(d))[:-1]) == (d * 100).normalize()


def test_serial_dates_in_a_date_column_are_decoded_with_a_note(tmp_path):
    rows = [["employee_id", "x"], ["E1", 46022], ["E2", (dt.datetime(2026, 1, 31), "date")], ["E3", 61], ["E4", "2026-02-01"]]
    data = read_period_data(book(tmp_path / "d.xlsx", rows), one("date"))
    assert data.frame["x"].to_list() == [dt.date(2025, 12, 31), dt.date(2026, 1, 31), dt.date(1900, 3, 1), dt.date(2026, 2, 1)]
    assert any("2 Excel serial day number(s) read as dates (1900 date system), e.g. 46022 as 2025-12-31" in w
               for w in data.warnings)


def test_serial_day_60_is_the_1900_leap_day_that_never_was(tmp_path):
    with pytest.raises(DataInvalid) as info:
        read_period_data(book(tmp_path / "d.xlsx", [["employee_id", "x"], ["E1", 60]]), one("date"))
    assert "1900-02-29 does not exist" in problems(info)[0][3]


def test_serial_dates_in_a_1904_workbook(tmp_path):
    path = book(tmp_path / "d.xlsx", [["employee_id", "x"], ["E1", 46022 - 1462]], date1904=True)
    assert cell_marks(path.read_bytes(), None).date1904
    assert read_period_data(path, one("date")).frame["x"].to_list() == [dt.date(2025, 12, 31)]
