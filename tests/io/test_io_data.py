"""The whole reading: every problem reported, truncation, duplicate ids, and row-order independence."""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from io_support import SALES, SALES_HEADER, one, sales_row, write_csv
from incentive.errors import DataInvalid
from incentive.io import read_period_data

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
D = Decimal


def test_a_file_with_five_problems_reports_all_five_in_row_order():
    path = FIXTURES / "sales-rep-five-problems.csv"
    with pytest.raises(DataInvalid) as info:
        read_period_data(path, SALES)
    got = [(p.row, p.column, p.value, p.expected.split(";")[0]) for p in info.value.problems]
    assert got == [
        (3, "销售额", "12,34", "an amount such as 1234.56, 1,234.56, ¥1,234.56, 1234.56元 or (1,234.56) for a negative"),
        (4, "工号", "E0001", "a unique employee id: 'E0001' is also in row 2"),
        (5, "入职日期", "03/15/2024", "a date as YYYY-MM-DD (also YYYY/M/D, YYYY.M.D, YYYYMMDD or YYYY年M月D日)"),
        (5, "客户满意度", "101", "between 0 and 100"),
        (6, "合规违规", "maybe", "true/false, yes/no, y/n, t/f, 1/0 or 是/否"),
    ]
    assert info.value.truncated == 0
    assert str(info.value).splitlines()[0] == (
        f"{path}:3: column '销售额': value '12,34': an amount such as 1234.56, 1,234.56, ¥1,234.56, 1234.56元 or "
        "(1,234.56) for a negative; thousands separators must group exactly three digits (1,234,567)")


def test_duplicate_ids_name_both_rows_and_blank_ids_are_problems(tmp_path):
    rows = [["E1", "1"], [" E2 ", "2"], ["E1", "3"], ["E2", "4"], ["", "5"], ["E1", "6"], ["e1", "7"]]
    with pytest.raises(DataInvalid) as info:
        read_period_data(write_csv(tmp_path / "d.csv", ["employee_id", "x"], rows), one("number"))
    got = [(p.row, p.value, p.expected) for p in info.value.problems]
    assert got == [
        (4, "E1", "a unique employee id: 'E1' is also in row 2"),
        (5, "E2", "a unique employee id: 'E2' is also in row 3"),
        (6, "", "an employee id; ids cannot be empty"),
        (7, "E1", "a unique employee id: 'E1' is also in row 2"),
    ]


def test_max_errors_truncates_and_counts_the_rest(tmp_path):
    rows = [[f"E{i}", "bad", "x" if i % 2 else "true"] for i in range(300)]
    policy = one("number")
    from incentive.policy.model import Input
    from io_support import policy_of
    policy = policy_of(*policy.inputs, Input(id="flag", type="boolean"))
    path = write_csv(tmp_path / "d.csv", ["employee_id", "x", "flag"], rows)
    with pytest.raises(DataInvalid) as info:
        read_period_data(path, policy, max_errors=25)
    assert len(info.value.problems) == 25 and info.value.truncated == 450 - 25
    assert [(p.row, p.column) for p in info.value.problems[:4]] == [(2, "x"), (3, "x"), (3, "flag"), (4, "x")]
    assert str(info.value).endswith("... and 425 more problems (raise --max-errors to see them)")
    with pytest.raises(DataInvalid) as info:
        read_period_data(path, policy)
    assert len(info.value.problems) == 100 and info.value.truncated == 350


def test_long_values_are_cut_in_messages(tmp_path):
    path = write_csv(tmp_path / "d.csv", ["employee_id", "x"], [["E1", "9" * 30 + "x" * 70]])
    with pytest.raises(DataInvalid) as info:
        read_period_data(path, one("number"))
    (problem,) = info.value.problems
    assert len(problem.value) == 60 and problem.value.endswith("...")


def test_warnings_and_metadata(tmp_path):
    path = write_csv(tmp_path / "d.csv", SALES_HEADER + ["备注", "部门"], [sales_row(1) + ["a", "b"]])
    data = read_period_data(path, SALES)
    assert data.warnings == [f"{path}: ignored columns the policy does not use: 备注, 部门"]
    assert data.file == str(path) and data.format == "csv" and len(data.sha256) == 64
    assert data.raw is None  # the bytes are not kept unless asked for


def test_keep_bytes_gives_exactly_the_bytes_that_were_hashed(tmp_path):
    """A close archives the file it evaluated from this one read: no second read, no window for a change."""
    import hashlib

    path = write_csv(tmp_path / "d.csv", SALES_HEADER, [sales_row(1), sales_row(2)])
    data = read_period_data(path, SALES, keep_bytes=True)
    assert data.raw == Path(path).read_bytes()
    assert hashlib.sha256(data.raw).hexdigest() == data.sha256


def _csv_text(rows: list[list[str]]) -> str:
    return "\n".join(",".join(r) for r in [SALES_HEADER, *rows]) + "\n"


@settings(max_examples=30, deadline=None)
@given(st.randoms(use_true_random=False), st.integers(min_value=1, max_value=40))
def test_shuffled_rows_read_as_the_same_frame_in_id_order(tmp_path_factory, rnd: random.Random, n: int):
    base = tmp_path_factory.mktemp("shuffle")
    rows = [sales_row(i, 销售额=f"{rnd.randint(0, 10**9)}.{rnd.randint(0, 99):02d}", 合规违规=rnd.choice(["", "是", "n"]))
            for i in range(n)]
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    (base / "a.csv").write_text(_csv_text(rows), encoding="utf-8")
    (base / "b.csv").write_text(_csv_text(shuffled), encoding="utf-8")
    a = read_period_data(base / "a.csv", SALES).frame
    b = read_period_data(base / "b.csv", SALES).frame
    assert a.drop("__row__").equals(b.drop("__row__"))
    assert b["employee_id"].to_list() == sorted(b["employee_id"].to_list())
    # each row still knows its line in the file it came from (header = line 1)
    line = {r[0]: k + 2 for k, r in enumerate(shuffled)}
    assert dict(zip(b["employee_id"].to_list(), b["__row__"].to_list())) == line


@settings(max_examples=20, deadline=None)
@given(st.randoms(use_true_random=False))
def test_shuffling_a_bad_file_reports_the_same_problems(tmp_path_factory, rnd: random.Random):
    base = tmp_path_factory.mktemp("shuffle_bad")
    rows = [sales_row(i) for i in range(12)]
    rows[3][5] = "oops"
    rows[7][4] = "2026-02-30"
    rows[9][0] = rows[2][0]
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    found = []
    for name, body in (("a.csv", rows), ("b.csv", shuffled)):
        (base / name).write_text(_csv_text(body), encoding="utf-8")
        with pytest.raises(DataInvalid) as info:
            read_period_data(base / name, SALES)
        found.append(sorted((p.column, p.value) for p in info.value.problems))
    assert found[0] == found[1] and len(found[0]) == 3


def test_frame_is_exactly_typed_for_the_engine(tmp_path):
    data = read_period_data(FIXTURES / "sales-rep.csv", SALES)
    assert data.frame.height == 6
    assert data.frame.schema["revenue"] == pl.Decimal(38, 12)
    assert sum(data.frame["revenue"].to_list()) == D("6024")
