"""XLSX / XLSM: the first (or the chosen) sheet, its header row found, cells as text.

Numeric cells become the shortest decimal text that reads back as the same
float, cut to Excel's 15 significant digits (an Excel cell holding 0.1
arrives as exactly ``0.1``); date cells arrive as ``2026-01-31 00:00:00``;
a plain number in a date column is read as an Excel serial day number;
percent-formatted cells as ``94.7%``; formulas saved without a value and
other cells the bare values misrepresent are marked (see ``xlsx_cells``).
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from incentive.errors import DataProblem, UsageError
from incentive.io.excel_dates import SERIAL_MAX, excel_serial_date
from incentive.io.layout import SCAN_ROWS, HeaderRule, pick_header, preview, skipped_note
from incentive.io.raw_table import Chooser, RawTable, col, fail, float_text, frame_of, show
from incentive.io.xlsx_cells import CellMarks, cell_marks
from incentive.numeric import plain_text


def read_xlsx(raw: bytes, file: str, choose: Chooser, *, sheet: str | None, header: HeaderRule | None = None) -> RawTable:
    import fastexcel

    from incentive.io.xlsx_guard import check_workbook

    check_workbook(raw, file, sheet)  # a stray far cell or a zip bomb would exhaust memory in the reader
    try:
        reader = fastexcel.read_excel(raw)
    except Exception as exc:  # calamine reports corrupt / non-XLSX files with assorted exception types
        raise fail(file, f"cannot read the file as XLSX: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    names = reader.sheet_names
    if sheet is not None and sheet not in names:
        raise UsageError(f"{file}: no sheet named {sheet!r}; the sheets are: {', '.join(names)}")
    target = sheet if sheet is not None else 0
    if not names:
        raise fail(file, "the workbook has no sheets")
    try:
        loaded_sheet = reader.load_sheet(target, header_row=None, skip_rows=0, dtypes="string")
        absolute = {c.index: c.absolute_index for c in loaded_sheet.available_columns()}
        cells = loaded_sheet.to_polars()
    except Exception as exc:
        raise fail(file, f"the sheet {names[0] if sheet is None else sheet!r} is empty or unreadable: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    if cells.width == 0 or cells.height == 0:
        raise fail(file, "the sheet is empty: expected a header row and data rows")
    filled = cells.select(pl.any_horizontal(pl.all().str.strip_chars().str.len_bytes() > 0).fill_null(False)).to_series()
    if not filled.any():
        raise fail(file, "the sheet is empty: expected a header row and data rows")
    nonblank = [int(k) for k in filled.arg_true()[:SCAN_ROWS].to_list()]
    rows = [(k + 1, ["" if v is None else str(v) for v in cells.row(k)]) for k in nonblank]
    shown = ""
    if header is not None and header.row is not None:
        if header.row > cells.height:
            raise UsageError(f"{file}: --header-row {header.row}, but the sheet has {cells.height} rows")
        h = header.row - 1
    else:
        pick = pick_header(rows, header)
        h = rows[pick][0] - 1
        if pick == 0 and header is not None and header.fits is not None and not header.fits(rows[0][1]):
            shown = preview(rows, names, names[0] if sheet is None else sheet)
    headers = ["" if v is None else str(v) for v in cells.row(h)]
    header_row = h + 1
    chosen = choose(headers, header_row)
    body = cells.slice(h + 1)
    marks = cell_marks(raw, sheet) if chosen else CellMarks()
    # Date-formatted cells already arrive as ISO text; numeric cells need their exact float
    # (the text calamine makes of a float is rounded), so number columns are loaded again as floats.
    numbers = sorted(i for i, kind in chosen.items() if kind == "number")
    floats = None
    if numbers:  # fastexcel selects and types columns by their absolute sheet index
        floats = reader.load_sheet(target, header_row=None, skip_rows=0, use_columns=[absolute[i] for i in numbers],
                                   dtypes={absolute[i]: "float" for i in numbers}).to_polars().slice(h + 1)
        floats.columns = [col(i) for i in numbers]
    columns = []
    problems: list[DataProblem] = []
    warnings: list[str] = []
    for i in sorted(chosen):
        text = body.to_series(i).alias(col(i))
        if floats is not None and i in numbers:
            value = floats[col(i)]
            text = pl.select(pl.when(pl.lit(value).is_not_null()).then(pl.lit(excel_float_text(value)))
                             .otherwise(pl.lit(text))).to_series()
        elif chosen[i] == "date":
            before = text
            text = serial_dates(text, marks.date1904)
            changed = (before != text).fill_null(False)
            if changed.any():
                first = int(changed.arg_true()[0])
                warnings.append(f"{file}: column {headers[i].strip()!r}: {int(changed.sum())} Excel serial day number(s) "
                                f"read as dates ({'1904' if marks.date1904 else '1900'} date system), e.g. "
                                f"{before[first]} as {text[first]}")
        text = _marked(text, i, absolute[i], chosen[i], marks, h + 1, headers, file, problems,
                       value if floats is not None and i in numbers else None)
        columns.append(text.alias(col(i)))
    frame = frame_of(columns, body.height, header_row + 1)
    note = skipped_note(file, rows, len(rows), header_row)
    return RawTable(headers=headers, header_row=header_row, frame=frame, format="xlsx", problems=problems,
                    warnings=([note] if note else []) + warnings, preview=shown)


def excel_float_text(s: pl.Series) -> pl.Series:
    """XLSX numbers as text: the shortest round-trip decimal, cut to Excel's 15 significant digits.

    Excel keeps and shows at most 15 significant digits of a number, so any
    further digit in a stored double is binary noise from a formula
    (0.1+0.2 is stored as 0.30000000000000004, shown and meant as 0.3).
    """
    text = float_text(s)
    long = (text.str.len_chars() > 15).fill_null(False)
    if long.any():
        idx = long.arg_true()
        text = text.scatter(idx, pl.Series([_fifteen(v) for v in text.gather(idx).to_list()], dtype=pl.String))
    return text


def _fifteen(text: str) -> str:
    d = Decimal(text)
    if len(d.normalize().as_tuple().digits) <= 15:
        return text
    return plain_text(Decimal(format(float(text), ".15g")))


_SERIAL = r"^[0-9]{1,7}(?:\.[0-9]+)?$"


def serial_dates(text: pl.Series, date1904: bool) -> pl.Series:
    """An XLSX date column with its bare numbers (serial day numbers) as ISO dates (time of day dropped)."""
    numeric = text.str.contains(_SERIAL).fill_null(False)
    if not numeric.any():
        return text
    idx = numeric.arg_true()
    decoded: dict[str, str] = {}
    out = []
    for v in text.gather(idx).to_list():
        if v not in decoded:
            day = int(v.split(".")[0])
            decoded[v] = excel_serial_date(day, date1904) if 0 < day <= SERIAL_MAX or (date1904 and day == 0) else v
        out.append(decoded[v])
    return text.clone().scatter(idx, pl.Series(out, dtype=pl.String))


def _marked(text: pl.Series, i: int, absolute: int, kind: str, marks: CellMarks, first: int, headers: list[str],
            file: str, problems: list[DataProblem], floats: pl.Series | None) -> pl.Series:
    """Column ``i`` with the cells the bare values misrepresent written as they are (see ``xlsx_cells``)."""
    at: dict[int, str | None] = {}
    for (row, column), special in marks.special.items():
        if column != absolute or row < first:
            continue
        what = marks.kinds[(row, column)]
        if what == "boolean" and kind not in ("number", "date"):
            continue  # a TRUE cell is a fine boolean (and text)
        if what == "formula" and kind == "text":
            problems.append(DataProblem(file, row + 1, headers[i].strip(), show(special),
                                        "a value, but the cell holds a formula saved without its computed value: "
                                        "open the file in Excel and save it, or paste the values"))
            at[row - first] = None
            continue
        at[row - first] = special
    if floats is not None and marks.percent:
        for row, column in marks.percent:
            j = row - first
            if column == absolute and row >= first and j not in at and j < floats.len() and floats[j] is not None:
                at[j] = percent_text(floats[j])
    if not at:
        return text
    idx = sorted(at)
    return text.clone().scatter(idx, pl.Series([at[j] for j in idx], dtype=pl.String))


def percent_text(value: float) -> str:
    """A percent-formatted cell as Excel shows it: 0.947 -> ``94.7%`` (exact decimal, 15 significant digits)."""
    stored = Decimal(_fifteen(float_text(pl.Series([value]))[0]))
    return plain_text(stored * 100) + "%"

