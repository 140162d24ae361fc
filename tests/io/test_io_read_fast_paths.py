"""Whole-file reads through the fast paths (sorted ids, plain cells) agree with the general ones."""

from __future__ import annotations

import polars as pl
import pytest

from io_support import one, write_csv
from incentive.errors import DataInvalid
from incentive.io import read_period_data
from incentive.io.coerce import strictly_ascending


@pytest.mark.parametrize("ids, expected", [
    ([], True), (["E1"], True), (["E1", "E2", "E3"], True), (["E1", "E1"], False), (["E2", "E1"], False),
    (["E1", None, "E3"], False), ([None], False), (["", "E1"], True),
])
def test_strictly_ascending(ids, expected):
    assert strictly_ascending(pl.Series(ids, dtype=pl.String)) is expected


def test_repeated_ids_are_found_in_a_sorted_file_with_padding(tmp_path):
    # sorted as written, but " E2" strips to a repeat of "E2"; blank rows in between are skipped
    rows = [["E1", "1"], ["E2", "2"], ["", ""], [" E2", "3"], ["E3", "4"]]
    with pytest.raises(DataInvalid) as info:
        read_period_data(write_csv(tmp_path / "d.csv", ["employee_id", "x"], rows), one("number"))
    assert [(p.row, p.expected) for p in info.value.problems] == [
        (5, "a unique employee id: 'E2' is also in row 3")]


def test_sorted_unique_ids_read_without_problems(tmp_path):
    rows = [[f"E{i:03d}", str(i)] for i in range(50)]
    data = read_period_data(write_csv(tmp_path / "d.csv", ["employee_id", "x"], rows), one("number"))
    assert data.frame["employee_id"].to_list() == [r[0] for r in rows]
    assert data.frame["__row__"].to_list() == list(range(2, 52))


def test_a_plain_column_with_one_padded_cell_takes_the_general_path(tmp_path):
    rows = [["E1", "1.5"], ["E2", " 2 "], ["E3", "-3"]]
    data = read_period_data(write_csv(tmp_path / "d.csv", ["employee_id", "x"], rows), one("number"))
    assert [str(v.normalize()) for v in data.frame["x"].to_list()] == ["1.5", "2", "-3"]


@pytest.mark.parametrize("content", [b"", b" \n\t\r\n", b"\x0b\x0c"])
def test_a_blank_csv_is_an_empty_file(tmp_path, content):
    path = tmp_path / "d.csv"
    path.write_bytes(content)
    with pytest.raises(DataInvalid) as info:
        read_period_data(path, one("number"))
    assert "the file is empty" in str(info.value)
