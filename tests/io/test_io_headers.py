"""Matching file columns to policy inputs by Chinese header, id, or ASCII case-insensitively."""

from __future__ import annotations

from decimal import Decimal

import pytest

from io_support import SALES, SALES_HEADER, policy_of, sales_row, write_csv
from incentive.errors import DataInvalid
from incentive.io import read_period_data
from incentive.policy.model import Input

D = Decimal


def test_chinese_headers_match_column_and_ids_match_too(tmp_path):
    by_column = read_period_data(write_csv(tmp_path / "a.csv", SALES_HEADER, [sales_row(1)]), SALES)
    ids = [i.id for i in SALES.inputs]
    by_id = read_period_data(write_csv(tmp_path / "b.csv", ids, [sales_row(1)]), SALES)
    mixed = [h if k % 2 else i for k, (h, i) in enumerate(zip(SALES_HEADER, ids))]
    by_both = read_period_data(write_csv(tmp_path / "c.csv", mixed, [sales_row(1)]), SALES)
    assert by_column.frame.equals(by_id.frame) and by_column.frame.equals(by_both.frame)


def test_header_order_does_not_matter_and_whitespace_is_stripped(tmp_path):
    order = list(reversed(range(len(SALES_HEADER))))
    header = [f" {SALES_HEADER[k]}\u3000" for k in order]
    row = sales_row(1)
    data = read_period_data(write_csv(tmp_path / "d.csv", header, [[row[k] for k in order]]), SALES)
    assert data.frame.columns[:-1] == [i.id for i in SALES.inputs]
    assert data.frame["revenue"][0] == D("1001.5")


def test_ascii_headers_match_case_insensitively_chinese_exactly(tmp_path):
    policy = policy_of(Input(id="employee_id", type="id"), Input(id="revenue", type="money", column="Revenue"))
    data = read_period_data(write_csv(tmp_path / "d.csv", ["EMPLOYEE_ID", "REVENUE"], [["E1", "5"]]), policy)
    assert data.frame["revenue"][0] == D(5)


def test_exact_match_wins_over_case_insensitive(tmp_path):
    policy = policy_of(Input(id="employee_id", type="id"), Input(id="x", type="number"))
    data = read_period_data(write_csv(tmp_path / "d.csv", ["employee_id", "X", "x"], [["E1", "1", "2"]]), policy)
    assert data.frame["x"][0] == D(2)


def test_missing_required_column_lists_headers_with_a_hint(tmp_path):
    header = [h if h != "销售额" else "销售 额" for h in SALES_HEADER]
    with pytest.raises(DataInvalid) as info:
        read_period_data(write_csv(tmp_path / "d.csv", header, [sales_row(1)]), SALES)
    (problem,) = info.value.problems
    assert (problem.row, problem.column) == (1, "销售额")
    assert problem.expected.startswith("a column '销售额' or 'revenue' for input revenue (money); the headers found are: 工号, 姓名")
    assert problem.expected.endswith("did you mean '销售 额'?")


def test_missing_optional_columns_take_defaults_with_a_warning(tmp_path):
    header = [h for h in SALES_HEADER if h not in ("日报缺交次数", "合规违规")]
    row = [c for h, c in zip(SALES_HEADER, sales_row(1)) if h in header]
    policy = policy_of(*SALES.inputs, Input(id="note", type="text", required=False))
    data = read_period_data(write_csv(tmp_path / "d.csv", header + ["备注"], [row + ["x"]]), policy)
    assert data.frame["missed_reports"].to_list() == [0] and data.frame["violation"].to_list() == [False]
    assert data.frame["note"].to_list() == [None]
    assert any("no column '日报缺交次数' (input missed_reports): every row gets the default 0" in w for w in data.warnings)
    assert any("no column 'note' (input note): every row gets no value (null)" in w for w in data.warnings)
    assert any("ignored columns the policy does not use: 备注" in w for w in data.warnings)


def test_duplicate_and_ambiguous_headers_are_problems(tmp_path):
    policy = policy_of(Input(id="employee_id", type="id", column="工号"), Input(id="x", type="number"),
                       Input(id="y", type="number", column="Y值"))
    path = write_csv(tmp_path / "d.csv", ["工号", "x", "x", "employee_id", "Y值", "y", "", ""], [["E1", "1", "2", "E1", "3", "4", "", ""]])
    with pytest.raises(DataInvalid) as info:
        read_period_data(path, policy)
    messages = [(p.row, p.column, p.expected) for p in info.value.problems]
    assert (1, "x", "each header once; 'x' heads columns 2 and 3") in messages
    assert (1, "employee_id", "one column for input 'employee_id', but 'employee_id' and '工号' both match it: "
                              "keep one of them") in messages
    assert (1, "Y值", "one column for input 'y', but 'Y值' and 'y' both match it: keep one of them") in messages
    assert len(messages) == 3  # blank headers of empty padding columns are not duplicates
