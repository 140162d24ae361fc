"""Every file format, and the structural problems a file can have."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter

from io_support import SALES, SALES_HEADER, one, policy_of, sales_row, write_csv
from incentive.errors import DataInvalid, UsageError
from incentive.io import read_period_data
from incentive.numeric import DTYPE
from incentive.policy.model import Input

D = Decimal


def problems(excinfo) -> list[tuple[int, str, str, str]]:
    return [(p.row, p.column, p.value, p.expected) for p in excinfo.value.problems]


# ------------------------------------------------------------------ CSV family


def test_csv_frame_types_rows_and_order(tmp_path):
    path = write_csv(tmp_path / "d.csv", SALES_HEADER, [sales_row(i) for i in range(1, 4)], newline="\r\n")
    data = read_period_data(path, SALES)
    assert data.format == "csv"
    assert data.frame.columns == [i.id for i in SALES.inputs] + ["__row__"]
    expected = {"id": pl.String, "text": pl.String, "date": pl.Date, "boolean": pl.Boolean}
    for inp in SALES.inputs:
        assert data.frame.schema[inp.id] == expected.get(inp.type, DTYPE), inp.id
    assert data.frame.schema["__row__"] == pl.Int64
    assert data.frame["__row__"].to_list() == [2, 3, 4]
    assert data.frame["revenue"].to_list() == [D("1001.5"), D("1002.5"), D("1003.5")]
    assert data.frame["missed_reports"].to_list() == [0, 0, 0]  # empty cells take the default
    assert data.frame["hire_date"][0] == dt.date(2024, 3, 15)
    import hashlib
    assert data.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("suffix, sep", [(".tsv", "\t"), (".txt", "\t"), (".csv", ";"), (".TXT", ","), (".CSV", "\t")])
def test_delimiters(tmp_path, suffix, sep):
    path = write_csv(tmp_path / f"d{suffix}", SALES_HEADER, [sales_row(1), sales_row(2)], sep=sep)
    data = read_period_data(path, SALES)
    assert data.frame["employee_id"].to_list() == ["E0001", "E0002"]
    assert data.frame["revenue"].to_list() == [D("1001.5"), D("1002.5")]


def test_semicolon_file_refuses_decimal_commas(tmp_path):
    path = write_csv(tmp_path / "d.csv", SALES_HEADER, [sales_row(1, 销售额="1234,5")], sep=";")
    with pytest.raises(DataInvalid) as info:
        read_period_data(path, SALES)
    assert problems(info) == [(2, "销售额", "1234,5", "an amount such as 1234.56, 1,234.56, ¥1,234.56, 1234.56元 or "
                               "(1,234.56) for a negative with a decimal point; this file is ;-separated, so a comma "
                               "in a number is ambiguous")]


def test_quoted_cells_with_commas_quotes_and_newlines(tmp_path):
    policy = policy_of(Input(id="employee_id", type="id"), Input(id="name", type="text"), Input(id="amount", type="money"))
    path = tmp_path / "d.csv"
    path.write_text('employee_id,name,amount\nE1,"Smith, John","1,234.50"\nE2,"say ""hi""",5\n'
                    'E3,"two\nlines",6\nE4,x,"¥7"\n', encoding="utf-8")
    data = read_period_data(path, policy)
    assert data.frame["name"].to_list() == ["Smith, John", 'say "hi"', "two\nlines", "x"]
    assert data.frame["amount"].to_list() == [D("1234.5"), D(5), D(6), D(7)]
    assert data.frame["__row__"].to_list() == [2, 3, 4, 5]  # a cell spanning lines is still one row


def test_ragged_rows_are_problems_with_row_numbers(tmp_path):
    policy = one("number")
    path = tmp_path / "d.csv"
    path.write_text("employee_id,x,note\nE1,1,a\nE2,2\nE3,3,c,extra\n\nE4,4,d\n", encoding="utf-8")
    with pytest.raises(DataInvalid) as info:
        read_period_data(path, policy)
    assert problems(info) == [(3, "", "", "this row has 2 cells but the header has 3"),
                              (4, "", "", "this row has 4 cells but the header has 3")]


def test_ragged_rows_in_a_quoted_file(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text('employee_id,x\n"E1","1"\n"E2"\n"E3","3,5",7\n', encoding="utf-8")
    with pytest.raises(DataInvalid) as info:
        read_period_data(path, one("number"))
    assert [(r, e) for r, _, _, e in problems(info)] == [(3, "this row has 1 cells but the header has 2"),
                                                         (4, "this row has 3 cells but the header has 2")]


@pytest.mark.parametrize("body, row", [('E1,"1\nE2,2\n', 2), ('E1,1\nE2,"2"x\n', 3)])
def test_broken_quoting_is_a_problem_not_a_traceback(tmp_path, body, row):
    path = tmp_path / "d.csv"
    path.write_text("employee_id,x\n" + body, encoding="utf-8")
    with pytest.raises(DataInvalid) as info:
        read_period_data(path, one("number"))
    (problem,) = info.value.problems
    assert problem.row == row and "quoting" in problem.expected


def test_blank_and_padding_rows_are_skipped_but_keep_numbering(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("employee_id,x,note\nE1,1,\n,,\n\nE2,2,\n,,only a note\n", encoding="utf-8")
    data = read_period_data(path, one("number"))
    assert data.frame["__row__"].to_list() == [2, 5]


@pytest.mark.parametrize("content, message", [
    ("", "the file is empty"), ("\n\n  \n", "the file is empty"), ("employee_id,x\n", "no data rows"),
    ("employee_id,x\n,\n\n", "no data rows"),
])
def test_empty_and_header_only_files(tmp_path, content, message):
    path = tmp_path / "d.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataInvalid, match=message):
        read_period_data(path, one("number"))


def test_missing_file_directory_and_unknown_type(tmp_path):
    with pytest.raises(UsageError, match="data file not found"):
        read_period_data(tmp_path / "nope.csv", SALES)
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(UsageError, match="is a directory"):
        read_period_data(tmp_path / "dir.csv", SALES)
    (tmp_path / "d.xls").write_bytes(b"x")
    with pytest.raises(UsageError, match=r"unknown data file type '\.xls'; use one of .*\.csv"):
        read_period_data(tmp_path / "d.xls", SALES)
    with pytest.raises(UsageError, match="sheet can only be chosen in an XLSX"):
        read_period_data(write_csv(tmp_path / "d.csv", ["employee_id"], [["E1"]]), SALES, sheet="S")
    with pytest.raises(UsageError, match="max_errors must be at least 1"):
        read_period_data(tmp_path / "d.csv", SALES, max_errors=0)


# ------------------------------------------------------------------ XLSX


def _workbook(path: Path, rows: list[list], *, sheet: str = "数据", first_row: int = 0, first_col: int = 0,
              extra_sheet: bool = False) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    if extra_sheet:
        wb.add_worksheet("说明").write(0, 0, "read me")
    ws = wb.add_worksheet(sheet)
    date_format = wb.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, (dt.date, dt.datetime)):
                ws.write_datetime(first_row + r, first_col + c, value, date_format)
            elif value is not None:
                ws.write(first_row + r, first_col + c, value)
    wb.close()
    return path


def test_xlsx_typed_cells(tmp_path):
    policy = policy_of(
        Input(id="employee_id", type="id", column="工号"), Input(id="hired", type="date", column="入职日期"),
        Input(id="revenue", type="money", column="销售额"), Input(id="rate", type="percent", column="达成率"),
        Input(id="n", type="integer", column="新客户数"), Input(id="ok", type="boolean", column="合规"),
        Input(id="name", type="text", column="姓名"),
    )
    rows = [
        ["工号", "入职日期", "销售额", "达成率", "新客户数", "合规", "姓名"],
        [1001, dt.date(2024, 3, 15), 0.1, 0.85, 12, True, "张伟"],
        ["007", dt.datetime(2024, 3, 16, 10, 30), 1234.56, "85%", 3.0, False, "王芳"],
        ["E3", "2024/3/17", "¥1,234.50", 1, 0, "是", 42],
        ["E4", 20240318, 1e15, 0.125, "7", 1, "李娜"],
    ]
    data = read_period_data(_workbook(tmp_path / "d.xlsx", rows), policy)
    f = data.frame.sort("__row__")  # the frame comes in id order; here, file order reads better
    assert data.format == "xlsx" and data.encoding is None
    assert f["employee_id"].to_list() == ["1001", "007", "E3", "E4"]
    assert f["hired"].to_list() == [dt.date(2024, 3, d) for d in (15, 16, 17, 18)]
    assert f["revenue"].to_list() == [D("0.1"), D("1234.56"), D("1234.5"), D(10**15)]
    assert f["rate"].to_list() == [D("0.85"), D("0.85"), D(1), D("0.125")]
    assert f["n"].to_list() == [12, 3, 0, 7]
    assert f["ok"].to_list() == [True, False, True, True]
    assert f["name"].to_list() == ["张伟", "王芳", "42", "李娜"]
    assert f["__row__"].to_list() == [2, 3, 4, 5]


def test_xlsx_blank_rows_on_top_named_sheet_and_offset_columns(tmp_path):
    rows = [["employee_id", "x"], ["E1", 1.5], [None, None], ["E2", "bad"]]
    path = _workbook(tmp_path / "d.xlsx", rows, sheet="Q3", first_row=2, first_col=1, extra_sheet=True)
    with pytest.raises(DataInvalid) as info:
        read_period_data(path, one("number"), sheet="Q3")
    assert problems(info) == [(6, "x", "bad", "a number such as 1234.5 or 1,234.5")]
    with pytest.raises(UsageError, match="no sheet named 'Q4'; the sheets are: 说明, Q3"):
        read_period_data(path, one("number"), sheet="Q4")


def test_xlsx_problem_values_show_the_cell(tmp_path):
    rows = [["employee_id", "x"], ["E1", 0.1234567890123], ["E2", 1e-13], ["E3", dt.date(2026, 1, 1)], ["E4", 1001]]
    with pytest.raises(DataInvalid) as info:
        read_period_data(_workbook(tmp_path / "d.xlsx", rows), one("money", max=D(1000)))
    assert [(r, v, e.split(";")[0]) for r, _, v, e in problems(info)] == [
        (2, "0.1234567890123", "at most 12 decimal places"),  # the cell's own value, not calamine's rounded text
        (3, "0.0000000000001", "at most 12 decimal places"),
        (4, "2026-01-01 00:00:00", "an amount such as 1234.56, 1,234.56, ¥1,234.56, 1234.56元 or (1,234.56) for a negative"),
        (5, "1001", "at most 1000"),
    ]


def test_not_an_xlsx(tmp_path):
    path = tmp_path / "d.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(DataInvalid, match="cannot read the file as XLSX"):
        read_period_data(path, SALES)


# ------------------------------------------------------------------ JSON


def test_json_array_of_objects(tmp_path):
    path = tmp_path / "d.json"
    path.write_text('[{"工号": "E1", "销售额": 0.1, "x": true},\n {"工号": 7, "销售额": "¥1,234.50"},\n'
                    ' {"工号": "E3", "销售额": 1.5e3, "note": [1]}]', encoding="utf-8")
    policy = policy_of(Input(id="employee_id", type="id", column="工号"), Input(id="revenue", type="money", column="销售额"),
                       Input(id="x", type="boolean", required=False))
    data = read_period_data(path, policy)
    data = replace(data, frame=data.frame.sort("__row__"))  # file order
    assert data.format == "json" and data.encoding == "utf-8"
    assert data.frame["employee_id"].to_list() == ["E1", "7", "E3"]
    assert data.frame["revenue"].to_list() == [D("0.1"), D("1234.5"), D(1500)]
    assert data.frame["x"].to_list() == [True, None, None]
    assert data.frame["__row__"].to_list() == [1, 2, 3]
    assert any("ignored columns the policy does not use: note" in w for w in data.warnings)


@pytest.mark.parametrize("content, message", [
    ('{"rows": [{"employee_id": "E1"}]}', "found an object holding the array 'rows': put that array at the top level"),
    ('{"a": 1}', "expected a JSON array of objects"),
    ('[{"employee_id": "E1",]', "not valid JSON: .* at line 1 column"),
    ("[]", "no data rows"),
    ("", "the file is empty"),
])
def test_json_shape_problems(tmp_path, content, message):
    path = tmp_path / "d.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataInvalid, match=message):
        read_period_data(path, one("number"))


def test_json_row_problems(tmp_path):
    path = tmp_path / "d.json"
    path.write_text('[{"employee_id": "E1", "x": 1}, [1, 2], {"employee_id": "E3", "x": {"v": 1}}, '
                    '{"employee_id": "E4", "x": NaN}, {"employee_id": "E5", "x": 2, "x": 3}]', encoding="utf-8")
    with pytest.raises(DataInvalid) as info:
        read_period_data(path, one("number"))
    assert problems(info) == [
        (2, "", "[1, 2]", 'an object such as {"employee_id": "E001", ...}'),
        (3, "x", '{"v": 1}', "a single value, not a list or an object"),
        (4, "x", "NaN", "a number such as 1234.5 or 1,234.5; NaN and infinity are not numbers"),
        (5, "x", "", "each key once per object (this key appears more than once)"),
    ]


# ------------------------------------------------------------------ Parquet


def test_parquet_typed_columns(tmp_path):
    frame = pl.DataFrame({
        "工号": ["E1", "E2"],
        "销售额": pl.Series([D("0.10"), D("1234.56")], dtype=pl.Decimal(10, 2)),
        "rate": [0.85, 1e-5],
        "n": pl.Series([12, 3], dtype=pl.Int32),
        "hired": [dt.date(2024, 3, 15), dt.date(2024, 3, 16)],
        "at": [dt.datetime(2024, 3, 15, 9), dt.datetime(2024, 3, 16)],
        "ok": [True, False],
        "team": pl.Series(["a", "b"], dtype=pl.Categorical),
    })
    path = tmp_path / "d.parquet"
    frame.write_parquet(path)
    policy = policy_of(
        Input(id="employee_id", type="id", column="工号"), Input(id="revenue", type="money", column="销售额"),
        Input(id="rate", type="percent"), Input(id="n", type="integer"), Input(id="hired", type="date"),
        Input(id="at", type="date"), Input(id="ok", type="boolean"), Input(id="team", type="text"),
    )
    data = read_period_data(path, policy)
    f = data.frame
    assert data.format == "parquet"
    assert f["revenue"].to_list() == [D("0.1"), D("1234.56")]
    assert f["rate"].to_list() == [D("0.85"), D("0.00001")]
    assert f["n"].to_list() == [12, 3]
    assert f["hired"].to_list() == f["at"].to_list() == [dt.date(2024, 3, 15), dt.date(2024, 3, 16)]
    assert f["ok"].to_list() == [True, False] and f["team"].to_list() == ["a", "b"]
    assert f["__row__"].to_list() == [1, 2]


def test_parquet_bad_values_and_nested_columns(tmp_path):
    path = tmp_path / "d.parquet"
    pl.DataFrame({"employee_id": ["E1", "E2"], "x": [float("nan"), 1e20], "y": [[1], [2]]}).write_parquet(path)
    policy = policy_of(Input(id="employee_id", type="id"), Input(id="x", type="number"), Input(id="y", type="number"))
    with pytest.raises(DataInvalid) as info:
        read_period_data(path, policy)
    assert problems(info) == [
        (0, "y", "", "a column of single values (this column holds List(Int64))"),
        (1, "x", "NaN", "a number such as 1234.5 or 1,234.5; NaN and infinity are not numbers"),
        (2, "x", "100000000000000000000", "a number less than 10^20 in magnitude"),
    ]


def test_not_a_parquet_file(tmp_path):
    path = tmp_path / "d.parquet"
    path.write_bytes(b"hello")
    with pytest.raises(DataInvalid, match="cannot read the file as Parquet"):
        read_period_data(path, SALES)


def test_xlsx_header_only_and_empty_sheet(tmp_path):
    with pytest.raises(DataInvalid, match="no data rows"):
        read_period_data(_workbook(tmp_path / "a.xlsx", [["employee_id", "x"]]), one("number"))
    with pytest.raises(DataInvalid, match="the sheet is empty"):
        read_period_data(_workbook(tmp_path / "b.xlsx", []), one("number"))


def test_xlsx_dates_mixed_with_text_and_iso_fast_path_problems(tmp_path):
    policy = policy_of(Input(id="employee_id", type="id"), Input(id="d", type="date"))
    rows = [["employee_id", "d"], ["E1", dt.date(2026, 1, 31)], ["E2", "2026-02-30"], ["E3", "2026/3/1"]]
    with pytest.raises(DataInvalid) as info:
        read_period_data(_workbook(tmp_path / "d.xlsx", rows), policy)
    assert problems(info) == [(3, "d", "2026-02-30", "a real calendar date (2026-02-30 does not exist)")]
    path = write_csv(tmp_path / "d.csv", ["employee_id", "d"], [["E1", "2026-01-31"], ["E2", "2026-02-30"]])
    with pytest.raises(DataInvalid) as info:
        read_period_data(path, policy)
    assert problems(info) == [(3, "d", "2026-02-30", "a real calendar date (2026-02-30 does not exist)")]


def test_blank_rows_of_any_width_are_skipped_in_quoted_files(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text('employee_id,x\n"E1","1"\n,,,\n"",""\n"E2",2\n', encoding="utf-8")
    assert read_period_data(path, one("number")).frame["__row__"].to_list() == [2, 5]
    path.write_text('employee_id,x\nE1,1\n,,,\nE2,2\n', encoding="utf-8")
    assert read_period_data(path, one("number")).frame["__row__"].to_list() == [2, 4]
