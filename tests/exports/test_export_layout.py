"""Layout files: the shipped ones load, and every mistake is reported at its line:col with what was expected."""

from __future__ import annotations

import pytest

from incentive.errors import PolicyLoadError, UsageError
from incentive.exports.layout import load_layout, parse_layout, shipped_layouts

HEAD = "layout: mine\nformat: csv\ncolumns:\n  - {header: 金额, source: amount}\n"


def problem(text: str) -> str:
    with pytest.raises(UsageError) as caught:
        parse_layout(text, "l.yaml")
    return str(caught.value)


def test_the_four_shipped_layouts_load_by_name():
    assert shipped_layouts() == ["bank-cn-salary-csv", "bank-cn-salary-xlsx", "payroll-generic", "tax-cn-salary"]
    tax = load_layout("tax-cn-salary")
    assert [c.header for c in tax.columns][:5] == ["工号", "*姓名", "*证件类型", "*证件号码", "本期收入"]
    assert len(tax.columns) == 24 and tax.columns[-1].header == "备注"
    assert tax.format == "xlsx" and tax.sheet == "正常工资薪金收入" and tax.amount_column.header == "本期收入"
    assert tax.people_fields == ("name", "id_type", "id_number")
    bank = load_layout("bank-cn-salary-csv")
    assert [c.header for c in bank.columns] == ["账号", "户名", "金额", "备注"] and bank.encoding == "gbk"
    generic = load_layout("payroll-generic")
    assert generic.rows == "person_component" and generic.people_fields == ()


def test_a_layout_file_is_read_from_its_path(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(HEAD + "  - {header: 账号, source: 'people:account'}\n", encoding="utf-8")
    layout = load_layout(str(path))
    assert layout.name == "mine" and layout.people_fields == ("account",) and layout.encoding == "utf-8-sig"


def test_an_unknown_column_source_names_its_position_and_the_expected_sources():
    message = problem(HEAD + "  - header: 账号\n    source: foo\n")
    assert message.startswith('l.yaml:6:13: unknown column source "foo" (expected one of amount, total, ')
    assert message.endswith("payout:<id>, penalty:<id>, people:<field>)")


def test_a_misspelt_source_gets_a_suggestion():
    assert problem(HEAD + "  - {header: p, source: periods}\n").endswith("(did you mean 'period'?)")


def test_an_unknown_key_and_a_bad_value_are_each_reported_at_their_place():
    message = problem(HEAD + "deductoins: negative\nsheets: x\n").splitlines()
    assert message[0].startswith("l.yaml:5:1: unknown key 'deductoins' at the top level (did you mean 'deductions'?); "
                                 "allowed: layout, title, format, encoding, sheet, rows, ")
    assert message[1].startswith("l.yaml:6:1: unknown key 'sheets' at the top level (did you mean 'sheet'?)")
    assert problem(HEAD.replace("format: csv", "format: xls")).startswith(
        "l.yaml:2:9: format: 'xls' is not one of csv, xlsx (did you mean 'xlsx'?)")
    assert problem(HEAD + "encoding: latin-1\n").startswith("l.yaml:5:11: encoding: 'latin-1' is not one of")


def test_exactly_one_amount_column():
    assert "exactly one column with source \"amount\"" in problem(
        "layout: mine\nformat: csv\ncolumns:\n  - {header: a, source: total}\n")
    assert problem(HEAD + "  - {header: b, source: amount}\n").startswith("l.yaml:5:25: a layout has exactly one")


def test_options_that_do_not_fit_the_rest_of_the_layout():
    assert problem(HEAD + "  - {header: 备注, source: constant}\n").startswith(
        'l.yaml:5:26: source "constant" needs a value')
    assert problem(HEAD + "  - {header: c, source: component}\n").startswith(
        'l.yaml:5:25: source "component" needs rows: person_component')
    assert problem(HEAD.replace("csv", "xlsx") + "encoding: gbk\n").startswith(
        "l.yaml:5:11: encoding applies to CSV files")
    assert problem(HEAD + "  - {header: 金额, source: total}\n").startswith("l.yaml:5:14: header '金额' is used twice")
    assert problem(HEAD + "control_total: {label: 合计, label_column: 姓名}\n").startswith(
        "l.yaml:5:42: control_total.label_column '姓名' is not a column header")
    assert problem(HEAD + "  - {header: x, source: 'people:'}\n").startswith(
        'l.yaml:5:25: source "people:" needs a field name')


def test_yaml_bombs_and_aliases_are_refused_like_in_a_policy():
    with pytest.raises(PolicyLoadError) as caught:
        parse_layout("layout: &a x\nformat: *a\ncolumns: []\n", "l.yaml")
    assert "l.yaml:1:" in str(caught.value) and "anchors" in str(caught.value)


def test_an_unknown_layout_name_lists_the_shipped_ones():
    with pytest.raises(UsageError) as caught:
        load_layout("tax")
    assert str(caught.value).startswith("--layout: unknown layout 'tax'")
    assert "bank-cn-salary-csv, bank-cn-salary-xlsx, payroll-generic, tax-cn-salary" in str(caught.value)
