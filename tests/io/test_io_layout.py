"""A2: title rows above the header and totals rows below the data, found or given (--header-row / --skip-footer)."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from io_support import one, write_csv
from incentive.errors import DataInvalid, UsageError
from incentive.io import read_period_data
from incentive.io.layout import TOTALS
from test_io_xlsx_cells import book

D = Decimal
ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ROOT / "tests" / "hostile" / "fixtures" / "hostile.yaml"
POLICY = one("money", min=D(0))
TITLE = [["2026年一季度 销售数据"], [], ["制表: HR"]]


def test_xlsx_title_rows_and_totals_rows_are_skipped_with_notes(tmp_path):
    rows = [*TITLE, ["employee_id", "x"], ["E1", 100], ["E2", 200], ["小计", 300], ["E3", 50], ["合计", 350]]
    data = read_period_data(book(tmp_path / "d.xlsx", rows), POLICY)
    assert data.frame["employee_id"].to_list() == ["E1", "E2", "E3"]
    assert data.frame["__row__"].to_list() == [5, 6, 8]  # rows as the sheet numbers them
    assert any("skipped 2 row(s) above the header (row 4) -- row 1: '2026年一季度 销售数据'; row 3: '制表: HR'" in w
               for w in data.warnings)
    assert any("skipped totals row(s) (合计 / 总计 / 小计 / Total): row 7, 9" in w for w in data.warnings)


def test_csv_title_rows_and_a_totals_row(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("Q1 commission data,\n,\nemployee_id,x\nE1,100\nE2,oops\nTotal:,100\n", encoding="utf-8")
    with pytest.raises(DataInvalid) as info:
        read_period_data(path, POLICY)
    [problem] = info.value.problems
    assert problem.row == 5 and problem.value == "oops"  # row numbers still count the title lines
    path.write_text("Q1 commission data,\n,\nemployee_id,x\nE1,100\nE2,7\nTotal:,107\n", encoding="utf-8")
    data = read_period_data(path, POLICY)
    assert data.frame["x"].to_list() == [D(100), D(7)] and data.frame["__row__"].to_list() == [4, 5]


def test_a_totals_label_in_the_name_column_of_a_row_without_id(tmp_path):
    from io_support import policy_of
    from incentive.policy.model import Input

    policy = policy_of(Input(id="employee_id", type="id"), Input(id="name", type="text"), Input(id="x", type="money"))
    path = write_csv(tmp_path / "d.csv", ["employee_id", "name", "x"], [["E1", "Ann", "5"], ["", "总计", "5"]])
    assert read_period_data(path, policy).frame["employee_id"].to_list() == ["E1"]
    path = write_csv(tmp_path / "e.csv", ["employee_id", "name", "x"], [["E1", "Total", "5"]])
    assert read_period_data(path, policy).frame["name"].to_list() == ["Total"]  # a person with an id is kept


@pytest.mark.parametrize("label", ["合计", "总计", "小计", "共计", "合 计", "Total", "TOTAL", "Subtotal", "Sub-total",
                                   "Grand Total", "总计：", "Totals"])
def test_totals_labels(label):
    assert TOTALS.match(label)


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"\A[A-Z]{1,3}[0-9]{1,6}\Z"))
def test_employee_ids_are_never_totals_labels(text):
    assert not TOTALS.match(text)


def test_an_explicit_header_row_and_skip_footer(tmp_path):
    rows = [["employee_id", "x"], ["E0", 1], ["employee_id", "x"], ["E1", 100], [None, None], ["note: figures in CNY"]]
    path = book(tmp_path / "d.xlsx", rows)
    data = read_period_data(path, POLICY, header_row=3, skip_footer=True)
    assert data.frame["employee_id"].to_list() == ["E1"]
    assert any("skipped rows below the data (--skip-footer): row 5, 6" in w for w in data.warnings)
    with pytest.raises(UsageError, match="--header-row 99, but the sheet has 6 rows"):
        read_period_data(path, POLICY, header_row=99)


def test_no_header_found_shows_the_first_rows_and_the_other_sheets(tmp_path):
    rows = [["Summary"], ["region", "total"], ["North", 100]]
    with pytest.raises(DataInvalid) as info:
        read_period_data(book(tmp_path / "d.xlsx", rows), POLICY)
    last = str(info.value).splitlines()[-1]
    assert ("no row holds the expected columns; the first rows read are -- row 1: 'Summary'; row 2: 'region | total'; "
            "row 3: 'North | 100'; the other sheets are: 'Notes' (choose one with --sheet)") in last


def test_cli_header_row_and_skip_footer(tmp_path):
    (tmp_path / "d.csv").write_text("employee_id,name,region,team,revenue,target\nE0,Old,N,T,1,1\n"
                                    "employee_id,name,region,team,revenue,target\nE1,A,N,T,100,50\nE2,B,N,T,200,50\n"
                                    ",,,,,\nprinted 2026-02-01,,,,,\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "incentive", "evaluate", str(HOSTILE), "d.csv", "--period", "2026-01",
                          "--out", "o", "--header-row", "3", "--skip-footer"], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "skipped 2 row(s) above the header (row 3)" in out.stderr
    assert "skipped rows below the data (--skip-footer): row 6, 7" in out.stderr


def test_a_close_records_the_layout_options_and_verify_re_runs_with_them(tmp_path):
    (tmp_path / "d.csv").write_text("employee_id,name,region,team,revenue,target\nE0,Old,N,T,1,1\n"
                                    "employee_id,name,region,team,revenue,target\nE1,A,N,T,100,50\n"
                                    ",,,,,\nprinted 2026-02-01,,,,,\n", encoding="utf-8")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "incentive", *args], cwd=tmp_path, capture_output=True, text=True,
                              timeout=120)

    closed = run("close", str(HOSTILE), "d.csv", "--period", "2026-01", "--ledger", "l.sqlite", "--out", "out",
                 "--header-row", "3", "--skip-footer")
    assert closed.returncode == 0, closed.stderr
    checked = run("verify", "--ledger", "l.sqlite", "out/hostile/2026-01")
    assert checked.returncode == 0 and "verified: everything matches" in checked.stdout + checked.stderr, checked.stderr
