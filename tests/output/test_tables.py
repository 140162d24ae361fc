"""CSV / XLSX / JSON / Parquet writers: exact decimals, spreadsheet-safe text."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incentive.errors import UsageError
from incentive.numeric import DTYPE
from incentive.output import tables
from incentive.output.tables import decimal_text_expr, write_csv, write_json, write_parquet, write_xlsx

MONEY = {"total": 2, "bonus": 2}


@pytest.fixture
def frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "employee_id": ["E001", "E002", "E003"],
            "name": ["张三", "=HYPERLINK(\"http://evil\")", "O'Brien, \"Pat\""],
            "band": ["A", None, "-C"],
            "period_end": [date(2026, 9, 30)] * 3,
            "eligible": [True, False, None],
            "rank": [1, 2, None],
            "total": [Decimal("1234.5"), Decimal("-20"), Decimal("0")],
            "bonus": [Decimal("1000000.25"), None, Decimal("0.1")],
            "score": [Decimal("87.5"), Decimal("100"), Decimal("0.85")],
        },
        schema_overrides={"total": DTYPE, "bonus": DTYPE, "score": DTYPE},
    )


def test_csv_text_form(tmp_path, frame):
    path = tmp_path / "results.csv"
    write_csv(frame, path, money_columns=MONEY)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\r" not in raw
    text = raw.decode("utf-8-sig")
    assert text.splitlines() == [
        "employee_id,name,band,period_end,eligible,rank,total,bonus,score",
        "E001,张三,A,2026-09-30,true,1,1234.50,1000000.25,87.5",
        "E002,\"'=HYPERLINK(\"\"http://evil\"\")\",,2026-09-30,false,2,-20.00,,100",
        "E003,\"O'Brien, \"\"Pat\"\"\",'-C,2026-09-30,,,0.00,0.10,0.85",
    ]


def test_csv_without_bom(tmp_path, frame):
    path = tmp_path / "results.csv"
    write_csv(frame, path, money_columns=MONEY, bom=False)
    assert path.read_bytes().startswith(b"employee_id,")


def test_csv_bytes_are_deterministic(tmp_path, frame):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    write_csv(frame, a, money_columns=MONEY)
    write_csv(frame.clone(), b, money_columns=MONEY)
    assert a.read_bytes() == b.read_bytes()


def test_money_never_loses_digits_and_never_uses_exponents(tmp_path):
    frame = pl.DataFrame({"total": [Decimal("1234.567"), Decimal("0.000000000001"),
                                    Decimal("99999999999999999999999999.999999999999"), Decimal("-0.5")],
                          "units": [1, -2, 0, 30]},
                         schema_overrides={"total": DTYPE})
    path = tmp_path / "t.csv"
    write_csv(frame, path, money_columns={"total": 2, "units": 2}, bom=False)
    assert path.read_text().splitlines() == [
        "total,units", "1234.567,1.00", "0.000000000001,-2.00",
        "99999999999999999999999999.999999999999,0.00", "-0.50,30.00"]


_decimals = st.decimals(min_value=Decimal("-1e20"), max_value=Decimal("1e20"), allow_nan=False,
                        allow_infinity=False, places=12)
_cents = st.decimals(min_value=Decimal("-1e20"), max_value=Decimal("1e20"), allow_nan=False,
                     allow_infinity=False, places=2)


def _check_text(value: Decimal, text: str, min_decimals: int) -> None:
    assert re.fullmatch(r"-?\d+(\.\d+)?", text), text
    assert Decimal(text) == value
    decimals = len(text.split(".")[1]) if "." in text else 0
    assert decimals >= min_decimals
    if decimals > min_decimals:
        assert not text.endswith("0")


@settings(max_examples=200, deadline=None)
@given(st.lists(_decimals, min_size=1, max_size=10), st.integers(min_value=0, max_value=14))
def test_decimal_text_is_exact(values, min_decimals):
    frame = pl.DataFrame({"x": values}, schema={"x": DTYPE})
    texts = frame.select(decimal_text_expr(pl.col("x"), 12, min_decimals)).to_series().to_list()
    for value, text in zip(values, texts):
        _check_text(value, text, min_decimals)


@settings(max_examples=200, deadline=None)
@given(st.lists(_cents, max_size=10), st.lists(_decimals, max_size=3), st.integers(min_value=0, max_value=4))
def test_money_text_is_exact_on_the_fast_and_the_slow_path(cents, extra, decimals):
    values = cents + extra  # extra digits force the slow path when present
    frame = pl.DataFrame({"m": values}, schema={"m": DTYPE})
    texts = tables.text_frame(frame, money_columns={"m": decimals}, neutralize_text=True)["m"].to_list()
    for value, text in zip(values, texts):
        _check_text(value, text, decimals)


def test_xlsx_numbers_are_numbers_and_text_is_never_a_formula(tmp_path, frame):
    path = tmp_path / "results.xlsx"
    write_xlsx(frame, path, money_columns=MONEY)
    back = pl.read_excel(path)
    assert back.columns == frame.columns
    assert back.schema["total"].is_numeric() and back.schema["score"].is_numeric()
    assert back["total"].to_list() == [1234.5, -20.0, 0.0]
    assert back["name"].to_list() == ["张三", "'=HYPERLINK(\"http://evil\")", "O'Brien, \"Pat\""]
    assert back["band"].to_list() == ["A", None, "'-C"]
    assert back["period_end"].to_list() == [date(2026, 9, 30)] * 3
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        styles = z.read("xl/styles.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet
    assert 'state="frozen"' in sheet
    assert 'formatCode="#,##0.00"' in styles
    assert "<b/>" in styles


def test_xlsx_bytes_are_deterministic(tmp_path, frame):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_xlsx(frame, a, money_columns=MONEY)
    write_xlsx(frame, b, money_columns=MONEY)
    assert a.read_bytes() == b.read_bytes()


def test_xlsx_refuses_more_rows_than_a_sheet_holds(tmp_path):
    frame = pl.DataFrame({"rank": pl.int_range(tables.XLSX_MAX_ROWS + 1, eager=True)})
    path = tmp_path / "big.xlsx"
    with pytest.raises(UsageError, match="1,048,576 rows do not fit"):
        write_xlsx(frame, path)
    assert list(tmp_path.iterdir()) == []


def test_xlsx_refuses_text_longer_than_a_cell(tmp_path):
    frame = pl.DataFrame({"note": ["ok", "x" * 32_768]})
    with pytest.raises(UsageError, match=r"row 3, column 'note'"):
        write_xlsx(frame, tmp_path / "t.xlsx")


def test_json_keeps_text_and_writes_decimals_as_strings(tmp_path, frame):
    path = tmp_path / "results.json"
    write_json(frame, path, money_columns=MONEY)
    rows = json.loads(path.read_text(encoding="utf-8"))
    assert rows[1]["name"] == "=HYPERLINK(\"http://evil\")"
    assert rows[0]["name"] == "张三"
    assert rows[0]["total"] == "1234.50" and rows[1]["total"] == "-20.00"
    assert rows[0]["score"] == "87.5" and rows[1]["bonus"] is None
    assert rows[0]["eligible"] is True and rows[0]["rank"] == 1 and rows[0]["period_end"] == "2026-09-30"


def test_parquet_round_trips_exactly(tmp_path, frame):
    path = tmp_path / "audit.parquet"
    write_parquet(frame, path)
    back = pl.read_parquet(path)
    assert back.schema == frame.schema
    assert back.equals(frame)
    assert back["name"][1] == "=HYPERLINK(\"http://evil\")"


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), _decimals), min_size=1, max_size=12),
       st.lists(st.one_of(st.none(), _cents), min_size=1, max_size=12))
def test_csv_decimals_are_the_exact_text_whoever_formats_them(tmp_path_factory, values, money):
    """The CSV writer formats plain decimals itself (shortest form); the bytes
    equal those of turning every decimal into text first."""
    n = min(len(values), len(money))
    frame = pl.DataFrame({"x": values[:n], "m": money[:n]}, schema={"x": DTYPE, "m": DTYPE})
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    write_csv(frame, path, money_columns={"m": 2})
    texts = tables.text_frame(frame, money_columns={"m": 2}, neutralize_text=True)
    expected = texts.write_csv(include_bom=True, line_terminator="\n", quote_style="necessary", null_value="")
    assert path.read_bytes() == expected.encode("utf-8")
    rows = path.read_text(encoding="utf-8-sig").splitlines()[1:]
    for value, row in zip(values[:n], rows):
        cell = row.split(",")[0]
        if value is None:
            assert cell == ""
        else:
            _check_text(value, cell, 0)


def test_the_csv_writer_probe_holds():
    assert tables._csv_trims_decimals() is True  # else writing falls back to text (slower, same bytes)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), _decimals), min_size=1, max_size=8),
       st.lists(st.decimals(min_value=Decimal("-999999.999999999999"), max_value=Decimal("999999.999999999999"),
                            allow_nan=False, allow_infinity=False, places=12), min_size=1, max_size=8))
def test_audit_decimals_are_narrowed_without_changing_a_value(tmp_path_factory, wide, small):
    n = min(len(wide), len(small))
    frame = pl.DataFrame({"wide": wide[:n], "small": small[:n], "name": ["x"] * n},
                         schema={"wide": DTYPE, "small": DTYPE, "name": pl.String})
    path = tmp_path_factory.mktemp("audit") / "audit.parquet"
    data = tables.write_audit(frame, path)
    assert path.read_bytes() == data == tables.parquet_bytes(frame)
    back = pl.read_parquet(path)
    assert back.schema["small"] == pl.Decimal(18, 12)  # |x| < 10**6 fits 18 digits at scale 12
    assert back.schema["wide"] in (pl.Decimal(18, 12), pl.Decimal(28, 12), DTYPE)
    assert tables.widen_decimals(back, DTYPE).equals(frame)


def test_audit_keeps_the_engine_precision_when_a_value_needs_it(tmp_path):
    huge = Decimal("12345678901234567890.5")  # 20 integer digits: beyond precision 28 at scale 12
    frame = pl.DataFrame({"a": [huge, None], "b": [Decimal("10000000"), Decimal("-1")]}, schema={"a": DTYPE, "b": DTYPE})
    back = pl.read_parquet(io.BytesIO(tables.parquet_bytes(frame)))
    assert back.schema["a"] == DTYPE and back.schema["b"] == pl.Decimal(28, 12)
    assert back["a"].to_list() == [huge, None]


@pytest.mark.parametrize("writer", [write_csv, write_json, write_parquet, write_xlsx])
def test_floats_are_refused(tmp_path, writer):
    with pytest.raises(TypeError, match="binary floats"):
        writer(pl.DataFrame({"x": [0.1]}), tmp_path / "x.out")
    assert list(tmp_path.iterdir()) == []


def test_a_csv_written_in_slices_is_byte_for_byte_the_csv_written_whole(tmp_path, monkeypatch):
    """Big tables are written a slice at a time; the header and BOM once, every row as if written whole."""
    from decimal import Decimal

    from incentive.output import tables

    frame = pl.DataFrame({"name": ["=cmd", "张三", None, 'a"b', "+1", "x,y", "plain"],
                          "amount": [Decimal("1.50"), Decimal("2"), None, Decimal("-0.01"), Decimal("10.125"),
                                     Decimal("0"), Decimal("3.10")],
                          "rate": [Decimal("0.1"), Decimal("0.25"), None, Decimal("1"), Decimal("0.333333"),
                                   Decimal("0"), Decimal("2.5")]},
                         schema={"name": pl.String, "amount": pl.Decimal(18, 3), "rate": pl.Decimal(9, 6)})
    tables.write_csv(frame, tmp_path / "whole.csv", money_columns={"amount": 2})
    monkeypatch.setattr(tables, "CSV_SLICE", 2)
    tables.write_csv(frame, tmp_path / "sliced.csv", money_columns={"amount": 2})
    tables.write_csv(frame.clear(), tmp_path / "empty.csv", money_columns={"amount": 2})
    whole = (tmp_path / "whole.csv").read_bytes()
    # what the writer wrote before it wrote in slices (the frame whole, one polars call), byte for byte
    assert whole == ("\ufeffname,amount,rate\n'=cmd,1.50,0.1\n张三,2.00,0.25\n,,\n\"a\"\"b\",-0.01,1\n"
                     "'+1,10.125,0.333333\n\"x,y\",0.00,0\nplain,3.10,2.5\n").encode("utf-8")
    assert (tmp_path / "sliced.csv").read_bytes() == whole
    assert (tmp_path / "empty.csv").read_bytes() == b"\xef\xbb\xbfname,amount,rate\n"
