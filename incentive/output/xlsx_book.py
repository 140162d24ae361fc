"""Workbooks a person opens: one sheet per table, labels, number formats, widths.

``tables.write_xlsx`` writes one table; ``write_book`` writes several
sheets into one ``.xlsx`` (``results.xlsx`` of a close: results, payouts,
recommendations, cutoffs, summary). For every sheet:

* two header rows when ``labels`` are given: row 1 what a person reads (the
  policy's labels in the chosen language), row 2 the column ids a program
  reads (``pl.read_excel(path, read_options={"header_row": 1})``); the
  filter and the frozen panes sit on the ids row. Without labels one header
  row of ids, as every reader expects (``sample`` data, for one);
* every number has a format: money ``#,##0.00`` with the currency's
  decimals, a column with declared decimals (score, a derived value with
  ``decimals``) exactly those, any other decimal column as many decimals as
  its values need (at most ``MAX_SHOWN_DECIMALS``), integers ``#,##0`` --
  never General with 12 digits. The cell keeps the full value;
* column widths fit the longest cell, counting East Asian wide characters
  (中文) as two;
* text is always a string, never a formula, and neutralized (``safe_text``);
  dates are dates. The same sheets give the same bytes (fixed timestamp).
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping

import polars as pl

from incentive.errors import UsageError
from incentive.output.atomic import atomic_path

if TYPE_CHECKING:  # xlsxwriter is imported only when a workbook is written
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet
from incentive.output.safe_text import neutralize, neutralize_expr

XLSX_MAX_ROWS = 1_048_576
XLSX_MAX_COLUMNS = 16_384
XLSX_MAX_TEXT = 32_767
XLSX_DEFAULT_CREATED = datetime(2000, 1, 1)
#: decimals shown for a column without declared decimals (the cell holds every digit)
MAX_SHOWN_DECIMALS = 6
MIN_WIDTH, MAX_WIDTH = 6, 60

#: East Asian Wide / Fullwidth ranges (Unicode UAX #11), as a Rust / Python regex class
WIDE = (r"\x{1100}-\x{115F}\x{2E80}-\x{303E}\x{3041}-\x{33FF}\x{3400}-\x{4DBF}\x{4E00}-\x{9FFF}\x{A000}-\x{A4CF}"
        r"\x{AC00}-\x{D7A3}\x{F900}-\x{FAFF}\x{FE30}-\x{FE4F}\x{FF00}-\x{FF60}\x{FFE0}-\x{FFE6}"
        r"\x{20000}-\x{3FFFD}")
_WIDE_PY = re.compile("[" + re.sub(r"\\x\{([0-9A-F]+)\}", lambda m: chr(int(m.group(1), 16)), WIDE) + "]")


def display_width(text: str) -> int:
    """Columns ``text`` takes in a spreadsheet cell: wide (CJK) characters count two."""
    return len(text) + len(_WIDE_PY.findall(text))


def number_format(decimals: int, *, thousands: bool = True) -> str:
    return ("#,##0" if thousands else "0") + ("." + "0" * decimals if decimals > 0 else "")


@dataclass
class Sheet:
    """One table of a workbook. ``money`` and ``decimals`` map column ids to their decimals;
    ``labels`` (column id → label) adds the label row above the ids; ``percent`` columns show as %."""

    name: str
    frame: pl.DataFrame
    money: Mapping[str, int] = field(default_factory=dict)
    decimals: Mapping[str, int] = field(default_factory=dict)
    labels: Mapping[str, str] | None = None
    percent: tuple[str, ...] = ()


def _needed_decimals(column: pl.Series) -> int:
    """The fewest decimals (up to MAX_SHOWN_DECIMALS) that show every value of a decimal column exactly."""
    dtype = column.dtype
    scale = (dtype.scale or 0) if isinstance(dtype, pl.Decimal) else 0
    values = column.drop_nulls()
    if not values.len():
        return 0
    for k in range(min(scale, MAX_SHOWN_DECIMALS)):
        back = values.cast(pl.Decimal(38, k), strict=False).cast(column.dtype, strict=False)
        if bool((back == values).fill_null(False).all()):
            return k
    return min(scale, MAX_SHOWN_DECIMALS)


def column_formats(sheet: Sheet) -> dict[str, str]:
    """The number format of every numeric column of ``sheet``."""
    out: dict[str, str] = {}
    for name, dtype in sheet.frame.schema.items():
        if name in sheet.percent and (dtype.is_decimal() or dtype.is_integer()):
            out[name] = "0.00%"
        elif name in sheet.money and (dtype.is_decimal() or dtype.is_integer()):
            out[name] = number_format(sheet.money[name])
        elif name in sheet.decimals and (dtype.is_decimal() or dtype.is_integer()):
            out[name] = number_format(sheet.decimals[name])
        elif dtype.is_decimal():
            out[name] = number_format(_needed_decimals(sheet.frame.get_column(name)))
        elif dtype.is_integer():
            out[name] = number_format(0)
    return out


def _width(frame: pl.DataFrame, name: str, fmt: str | None, heads: list[str]) -> int:
    """A width that fits the header cells and the longest value, CJK counted twice."""
    best = max((display_width(h) for h in heads), default=0)
    col = frame.get_column(name)
    dtype = col.dtype
    if dtype == pl.String or isinstance(dtype, (pl.Categorical, pl.Enum)):
        text = col.cast(pl.String)
        widths = text.str.len_chars() + text.str.count_matches(f"[{WIDE}]")
        longest = widths.max()
        best = max(best, longest if isinstance(longest, int) else 0)
    elif (dtype.is_decimal() or dtype.is_integer()) and col.len() and col.null_count() < col.len():
        biggest = max(abs(Decimal(str(col.max()))), abs(Decimal(str(col.min()))))
        decimals = len(fmt.split(".")[1]) if fmt and "." in fmt else 0
        best = max(best, len(f"{biggest:,.{decimals}f}") + 1 + (1 if fmt and "%" in fmt else 0))
    elif dtype == pl.Date:
        best = max(best, 10)
    elif dtype == pl.Boolean:
        best = max(best, 5)
    return max(MIN_WIDTH, min(MAX_WIDTH, best + 2))


def _check(sheet: Sheet, path: Path | str) -> pl.DataFrame:
    frame = sheet.frame
    head = 2 if sheet.labels is not None else 1
    if frame.height + head > XLSX_MAX_ROWS:
        raise UsageError(f"{path}: {frame.height:,} rows do not fit one XLSX sheet "
                         f"(at most {XLSX_MAX_ROWS - head:,}); write CSV or Parquet instead")
    if frame.width > XLSX_MAX_COLUMNS:
        raise UsageError(f"{path}: {frame.width:,} columns do not fit one XLSX sheet (at most {XLSX_MAX_COLUMNS:,})")
    prepared = []
    for name, dtype in frame.schema.items():
        if dtype.is_float():
            raise TypeError(f"column {name!r} is {dtype}: binary floats never reach an output")
        if dtype.is_nested() or dtype == pl.Object:
            raise TypeError(f"column {name!r} is {dtype}: only flat columns can be written")
        col = pl.col(name)
        if dtype == pl.String or isinstance(dtype, (pl.Categorical, pl.Enum)):
            prepared.append(neutralize_expr(col.cast(pl.String)).alias(name))
        else:
            prepared.append(col)
    data = frame.select(prepared) if prepared else frame
    for name, dtype in data.schema.items():
        if dtype != pl.String:
            continue
        column = data.get_column(name)
        # Excel counts UTF-16 code units: characters beyond the BMP count twice
        lengths = column.str.len_chars() + column.str.count_matches(r"[\x{10000}-\x{10FFFF}]")
        longest = lengths.max()
        if isinstance(longest, int) and longest > XLSX_MAX_TEXT:
            row = (lengths.arg_max() or 0) + 1 + head  # spreadsheet row
            raise UsageError(f"{path}: row {row}, column {name!r}: text of {longest:,} characters exceeds "
                             f"Excel's {XLSX_MAX_TEXT:,}-character cell limit; write CSV instead")
    return data


def write_book(path: Path | str, sheets: list[Sheet], *, created: datetime | None = None) -> None:
    """Write ``sheets`` into one workbook at ``path``, atomically."""
    prepared = [(sheet, _check(sheet, path)) for sheet in sheets]

    import xlsxwriter  # only when a workbook is asked for: keeps CLI start-up short

    # xlsxwriter's scratch files (one per part) would stay in /tmp when the
    # workbook fails half way (a full disk): give it a directory that goes
    with atomic_path(path) as tmp, tempfile.TemporaryDirectory(prefix="incentive-xlsx-") as scratch:
        wb = xlsxwriter.Workbook(str(tmp), {
            "tmpdir": scratch,
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        })
        try:
            wb.set_properties({"created": created or XLSX_DEFAULT_CREATED})
            if any(sheet.labels is not None for sheet, _ in prepared):
                # tells a program which row holds the column ids (row 2), e.g. the hostile-case harness
                wb.set_custom_property("incentive_id_row", 2)
            styles = _Styles(wb)
            for sheet, data in prepared:
                _write_sheet(wb, styles, sheet, data)
        finally:
            wb.close()


class _Styles:
    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self.label = wb.add_format({"bold": True, "text_wrap": False})
        self.ids = wb.add_format({"font_color": "#757575", "italic": True})
        self.single = wb.add_format({"bold": True})
        self.date = wb.add_format({"num_format": "yyyy-mm-dd"})
        self._numbers: dict[str, object] = {}

    def number(self, fmt: str) -> object:
        if fmt not in self._numbers:
            self._numbers[fmt] = self.wb.add_format({"num_format": fmt})
        return self._numbers[fmt]


def _write_sheet(wb: Workbook, styles: _Styles, sheet: Sheet, data: pl.DataFrame) -> None:
    ws = wb.add_worksheet(_sheet_name(sheet.name))
    formats = column_formats(Sheet(sheet.name, data, sheet.money, sheet.decimals, sheet.labels, sheet.percent))
    two = sheet.labels is not None
    writers: list[Callable] = []
    labels = [(sheet.labels or {}).get(name, name) for name in data.columns]
    # constant_memory writes a row once the next one starts: each header row whole, in order
    for c, name in enumerate(data.columns):
        ws.set_column(c, c, _width(data, name, formats.get(name), [name, labels[c]]))
        ws.write_string(0, c, neutralize(labels[c] if two else name), styles.label if two else styles.single)
    if two:
        for c, name in enumerate(data.columns):
            ws.write_string(1, c, neutralize(name), styles.ids)
    for name, dtype in data.schema.items():
        writers.append(_cell_writer(ws, dtype, formats.get(name), styles))
    top = 2 if two else 1
    ws.freeze_panes(top, 0)
    if data.width:
        ws.autofilter(top - 1, 0, top - 1 + max(data.height, 1), data.width - 1)
    for r, row in enumerate(data.iter_rows(), start=top):
        for c, value in enumerate(row):
            if value is not None:
                writers[c](r, c, value)


def _sheet_name(name: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "sheet"


def _cell_writer(ws: Worksheet, dtype: pl.DataType, fmt: str | None, styles: _Styles) -> Callable:
    if fmt is not None and (dtype.is_decimal() or dtype.is_integer()):
        style = styles.number(fmt)
        return lambda r, c, v: ws.write_number(r, c, v, style)
    if dtype == pl.Date:
        return lambda r, c, v: ws.write_datetime(r, c, v, styles.date)
    if dtype.is_temporal():
        raise TypeError(f"{dtype} columns are not written to XLSX; convert them to Date or text")
    if dtype.is_decimal() or dtype.is_integer():
        return ws.write_number
    if dtype == pl.Boolean:
        return ws.write_boolean
    if dtype == pl.Null:
        return ws.write_blank
    return ws.write_string
