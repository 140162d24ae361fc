"""C9: results.xlsx is a workbook a person can read: one sheet per table, labels in the chosen
language above the ids, a number format on every numeric cell, widths that fit Chinese text, and
still no formula anywhere."""

from __future__ import annotations

import re
import zipfile
from decimal import Decimal
from pathlib import Path

import polars as pl
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from incentive.cli.main import cli
from incentive.output.safe_text import is_formula_like
from incentive.output.xlsx_book import Sheet, display_width, write_book
from tests.hostile.harness import read_xlsx_cells

ROOT = Path(__file__).parents[2]
POLICY = ROOT / "rules" / "sales-rep.yaml"
Q2 = ROOT / "examples" / "sales-rep" / "2026-Q2.csv"


def _sheet_xml(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        names = re.findall(r'<sheet name="([^"]+)"', z.read("xl/workbook.xml").decode())
        return {n: z.read(f"xl/worksheets/sheet{i + 1}.xml").decode() for i, n in enumerate(names)}


def _formats(path: Path) -> list[str]:
    """Number format code of every cell style (index = the ``s`` attribute of a cell)."""
    with zipfile.ZipFile(path) as z:
        styles = z.read("xl/styles.xml").decode()
    codes = {m[0]: m[1] for m in re.findall(r'<numFmt numFmtId="(\d+)" formatCode="([^"]+)"', styles)}
    xfs = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", styles, re.S).group(1)
    return [codes.get(n, "General" if n == "0" else n) for n in re.findall(r'<xf numFmtId="(\d+)"', xfs)]


def test_close_xlsx_in_chinese(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["close", str(POLICY), str(Q2), "--period", "2026-Q2", "--ledger",
                                      str(tmp_path / "l.sqlite"), "--out", str(out), "--xlsx", "--lang", "zh"])
    assert result.exit_code == 0, result.output
    path = out / "sales-rep" / "2026-Q2" / "results.xlsx"
    sheets = _sheet_xml(path)
    assert list(sheets) == ["结果", "发放", "建议", "分档线", "汇总"]
    formats = _formats(path)
    for name, xml in sheets.items():
        assert "<f>" not in xml  # never a formula
        for cell in re.finditer(r'<c r="([A-Z]+)(\d+)"(?: s="(\d+)")?(?: t="(\w+)")?', xml):
            _, row, style, kind = cell.groups()
            if kind is None and int(row) > 2:  # a number in a data row
                assert style is not None and formats[int(style)] != "General", (name, cell.group(0))
    rows, formula = read_xlsx_cells(path, first_sheet=True)
    assert not formula
    labels, ids = [t for _, t in rows[0]], [t for _, t in rows[1]]
    assert ids[:2] == ["employee_id", "name"] and "forfeited" in ids
    assert labels[ids.index("score")] == "综合得分" and labels[ids.index("forfeited")] == "没收金额"
    assert labels[ids.index("total")] == "合计（CNY）"
    # the ids row is what a program reads
    back = pl.read_excel(path, sheet_id=1, read_options={"header_row": 1})
    assert back.columns == ids
    e028 = back.filter(pl.col("employee_id") == "E028").row(0, named=True)
    assert Decimal(str(e028["forfeited"])) == Decimal("21510.80")
    xml = sheets["结果"]
    money_style = {i for i, f in enumerate(formats) if f == "#,##0.00"}
    score_col = chr(ord("A") + ids.index("score"))
    score_style = re.search(rf'<c r="{score_col}3" s="(\d+)"', xml).group(1)
    assert formats[int(score_style)] == "#,##0.00"  # the policy's score decimals (2)
    assert money_style
    widths = [float(w) for lo, hi, w in re.findall(r'<col min="(\d+)" max="(\d+)" width="([\d.]+)"', xml)
              for _ in range(int(lo), int(hi) + 1)]  # a <col> may span columns of one width
    team = ids.index("team")  # 华东一组: 4 wide characters = 8 columns, plus padding
    assert widths[team] >= 10


def test_evaluate_xlsx_keeps_the_formula_guard(tmp_path):
    fixture = ROOT / "tests" / "hostile" / "fixtures"
    result = CliRunner().invoke(cli, ["evaluate", str(fixture / "hostile.yaml"), str(fixture / "injection.csv"),
                                      "--period", "2026-01", "--out", str(tmp_path), "--format", "xlsx"])
    assert result.exit_code == 0, result.output
    rows, formula = read_xlsx_cells(tmp_path / "results.xlsx")
    assert not formula
    texts = [t for row in rows for k, t in row if k == "text"]
    assert texts and not [t for t in texts if is_formula_like(t)]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("ab中文ア한=+-@ "), min_size=1, max_size=12), min_size=1, max_size=5),
       st.lists(st.decimals(min_value=-10**9, max_value=10**9, places=3, allow_nan=False), min_size=1, max_size=5))
def test_generated_sheets_have_formats_and_cjk_widths(tmp_path_factory, texts, amounts):
    n = min(len(texts), len(amounts))
    frame = pl.DataFrame({"name": texts[:n], "amount": amounts[:n], "ratio": amounts[:n], "n": list(range(n))},
                         schema={"name": pl.String, "amount": pl.Decimal(38, 12), "ratio": pl.Decimal(38, 12),
                                 "n": pl.Int64})
    path = tmp_path_factory.mktemp("book") / "b.xlsx"
    write_book(path, [Sheet("t", frame, money={"amount": 2}, labels={"name": "姓名", "amount": "金额"})])
    xml = next(iter(_sheet_xml(path).values()))
    formats = _formats(path)
    styles = {c: set() for c in "BCD"}
    for col, style in re.findall(r'<c r="([BCD])(?:[3-9]|\d\d+)" s="(\d+)"', xml):
        styles[col].add(formats[int(style)])
    assert styles["B"] == {"#,##0.00"} and styles["D"] == {"#,##0"}
    assert all(f.startswith("#,##0") for f in styles["C"])
    widest = max(display_width(t) for t in texts[:n] + ["姓名"])
    first = float(re.search(r'<col min="1" max="\d+" width="([\d.]+)"', xml).group(1))
    assert first >= min(60, widest + 2)
    rows, formula = read_xlsx_cells(path)
    assert not formula and not [t for row in rows for k, t in row if k == "text" and is_formula_like(t)]
