"""The people file: fields found by their Chinese or English headers, text kept as text, Excel's damage refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from incentive.errors import DataInvalid, UsageError
from incentive.exports.people import read_people


def write_csv(tmp: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp / "people.csv"
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(tmp: Path, rows: list[list[object]]) -> Path:
    xlsxwriter = pytest.importorskip("xlsxwriter")
    path = tmp / "people.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if isinstance(v, str):
                sheet.write_string(i, j, v)
            else:
                sheet.write_number(i, j, v)
    book.close()
    return path


def test_chinese_headers_in_a_gbk_file_with_a_title_row(tmp_path):
    path = write_csv(tmp_path, "2026年人员银行信息\n工号,姓名,银行账号,证件号码\n"
                               "E001,张三,0200012345678901234,11010519491231002X\n", "gbk")
    people = read_people(path, ("name", "account", "id_number"))
    assert people.frame.select("employee_id", "name", "account", "id_number").rows() == [
        ("E001", "张三", "0200012345678901234", "11010519491231002X")]  # leading zero and X kept
    assert people.headers["account"] == "银行账号"


def test_text_cells_in_xlsx_stay_exact_and_a_number_cell_is_refused_with_row_and_column(tmp_path):
    ok = write_xlsx(tmp_path, [["工号", "账号"], ["E001", "622202123456789012"], ["E002", "0200012345678901234"]])
    assert read_people(ok, ("account",)).frame["account"].to_list() == ["622202123456789012", "0200012345678901234"]
    bad = write_xlsx(tmp_path, [["工号", "账号"], ["E001", "622202123456789012"], ["E002", 622202123456789012]])
    with pytest.raises(DataInvalid) as caught:
        read_people(bad, ("account",))
    [problem] = caught.value.problems
    assert (problem.row, problem.column) == (3, "账号")
    assert "it is a number cell" in problem.expected


def test_an_id_number_in_scientific_notation_is_refused(tmp_path):
    path = write_csv(tmp_path, "工号,证件号码\nE001,1.10105E+17\n")
    with pytest.raises(DataInvalid) as caught:
        read_people(path, ("id_number",))
    assert str(caught.value) == (f"{path}:2: column '证件号码': value '1.10105E+17': the full number as text, not in "
                                 "scientific notation: the digits past the 15th were lost when Excel showed it this "
                                 "way; enter it again as text")


def test_a_missing_field_column_and_a_repeated_person_are_refused(tmp_path):
    path = write_csv(tmp_path, "工号,姓名\nE001,张三\n")
    with pytest.raises(UsageError) as caught:
        read_people(path, ("account",))
    assert str(caught.value).startswith(f"{path}:1: no column for the people field 'account' (a header among "
                                        "'account', '账号', '银行账号'")
    path = write_csv(tmp_path, "工号,姓名\nE001,张三\nE001,李四\n")
    with pytest.raises(DataInvalid) as caught:
        read_people(path, ("name",))
    assert [(p.row, p.value) for p in caught.value.problems] == [(2, "E001"), (3, "E001")]


def test_any_other_header_is_a_field_by_its_own_name(tmp_path):
    path = write_csv(tmp_path, "employee_id,基本养老保险费\nE001,800.00\n")
    assert read_people(path, ("基本养老保险费",)).frame["基本养老保险费"].to_list() == ["800.00"]
