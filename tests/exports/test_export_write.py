"""Writing the table: exact amounts, thousands, encodings, text cells in XLSX, formulas made inert."""

from __future__ import annotations

import zipfile
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from incentive.errors import UsageError
from incentive.exports.build import ExportTable
from incentive.exports.layout import parse_layout
from incentive.exports.write import amount_text, write_export
from incentive.numeric import DTYPE


def table(fmt: str, extra: str = "", texts: list[str | None] | None = None,
          amounts: list[str] | None = None) -> ExportTable:
    lay = parse_layout(f"layout: t\nformat: {fmt}\n{extra}columns:\n  - {{header: 账号, source: 'people:account'}}\n"
                       "  - {header: 金额, source: amount}\n", "t.yaml")
    texts = texts if texts is not None else ["110101199003071234", "=SUM(A1)"]
    amounts = amounts if amounts is not None else ["1234567.5", "-20"]
    frame = pl.DataFrame({"c0": pl.Series(texts, dtype=pl.String),
                          "c1": pl.Series([Decimal(a) for a in amounts]).cast(DTYPE)})
    return ExportTable(frame=frame, layout=lay, control_total=sum(map(Decimal, amounts)), currency="CNY",
                       people=len(texts), footer=None)


@pytest.mark.parametrize(("value", "decimals", "thousands", "text"), [
    ("1234567.5", 2, True, "1,234,567.50"), ("-1234.5", 2, True, "-1,234.50"), ("123456", 0, True, "123,456"),
    ("999.999", 3, True, "999.999"), ("-0.5", 2, False, "-0.50"), ("1000000", 2, False, "1000000.00")])
def test_amount_text_is_exact_with_or_without_thousands(value, decimals, thousands, text):
    expr = amount_text(pl.lit(Decimal(value), dtype=DTYPE), decimals, thousands)
    assert pl.select(expr).item() == text


def test_csv_utf8_sig_crlf_and_quotes_where_needed(tmp_path):
    out = tmp_path / "x.csv"
    write_export(table("csv", "numbers: {thousands: true}\n", texts=["110101199003071234", '路"1", 2号']), out)
    assert out.read_bytes() == ('\ufeff账号,金额\r\n110101199003071234,"1,234,567.50"\r\n"路""1"", 2号",-20.00\r\n'
                                ).encode("utf-8")


def test_gbk_refuses_a_character_it_lacks_naming_row_and_column(tmp_path):
    out = tmp_path / "x.csv"
    with pytest.raises(UsageError) as caught:
        write_export(table("csv", "encoding: gbk\n", texts=["张三", "李\u20ac"]), out)
    assert str(caught.value).startswith("t.yaml: encoding gbk has no character '€' (U+20AC), found in row 3, "
                                        "column '账号' ('李€')")
    write_export(table("csv", "encoding: gbk\n", texts=["张三", "李四"]), out)
    assert out.read_bytes().decode("gbk").startswith("账号,金额\r\n张三,1234567.50\r\n")


def sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as book:
        return book.read("xl/worksheets/sheet1.xml").decode("utf-8")


def test_xlsx_writes_text_as_string_cells_and_amounts_as_numbers(tmp_path):
    out = tmp_path / "x.xlsx"
    write_export(table("xlsx", texts=["110101199003071234", " a<b&c"]), out)
    xml = sheet_xml(out)
    assert '<c r="A2" s="1" t="inlineStr"><is><t>110101199003071234</t></is></c>' in xml
    assert '<t xml:space="preserve"> a&lt;b&amp;c</t>' in xml  # a leading space kept
    assert '<c r="B2" s="2"><v>1234567.50</v></c>' in xml and '<c r="B3" s="2"><v>-20.00</v></c>' in xml
    assert "a&lt;b&amp;c" in xml
    fastexcel = pytest.importorskip("fastexcel")
    frame = fastexcel.read_excel(out.read_bytes()).load_sheet(0).to_polars()
    assert frame["账号"].to_list() == ["110101199003071234", " a<b&c"] and frame["金额"].to_list() == [1234567.5, -20.0]


def test_xlsx_is_the_same_bytes_for_the_same_table(tmp_path):
    write_export(table("xlsx"), tmp_path / "a.xlsx")
    write_export(table("xlsx"), tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_xlsx_refuses_a_control_character_and_leaves_empty_cells_out(tmp_path):
    with pytest.raises(UsageError) as caught:
        write_export(table("xlsx", texts=["ok", "bad\x07bell"]), tmp_path / "x.xlsx")
    assert str(caught.value).startswith("t.yaml: row 3, column '账号': the text 'bad\\x07bell' holds a control character")
    write_export(table("xlsx", texts=[None, ""]), tmp_path / "y.xlsx")
    assert 'r="A2"' not in sheet_xml(tmp_path / "y.xlsx") and 'r="B2"' in sheet_xml(tmp_path / "y.xlsx")


def test_xlsx_a_constant_column_is_written_once_escaped_and_the_footer_keeps_its_label(tmp_path):
    lay = parse_layout("layout: t\nformat: xlsx\ncolumns:\n  - {header: 备注, source: constant, value: ' a&b'}\n"
                       "  - {header: 用途, source: constant, value: 奖金}\n  - {header: 金额, source: amount}\n"
                       "control_total: {label: 合计, label_column: 用途}\n", "t.yaml")
    frame = pl.DataFrame({"c0": [" a&b", " a&b"], "c1": ["奖金", "奖金"],
                          "c2": pl.Series([Decimal(1), Decimal(2)]).cast(DTYPE)})
    t = ExportTable(frame=frame, layout=lay, control_total=Decimal(3), currency="CNY", people=2,
                    footer={1: "合计", 2: Decimal(3)})
    write_export(t, tmp_path / "x.xlsx")
    xml = sheet_xml(tmp_path / "x.xlsx")
    assert xml.count('<t xml:space="preserve"> a&amp;b</t>') == 2
    assert '<c r="B4" s="1" t="inlineStr"><is><t>合计</t></is></c><c r="C4" s="2"><v>3.00</v></c>' in xml
    assert 'r="A4"' not in xml  # the control-total line holds only its label and the sum
