"""Readers that turn a period data file into a table of text cells.

Every format ends up the same way: the header texts, and the chosen columns
as polars String columns named ``c<i>`` (``i`` = the column's position in the
file) plus ``__row__``, the row number a user finds the record under:

- CSV / TSV / TXT and XLSX: the spreadsheet row (the header is row 1 -- or
  whichever row holds it in a sheet with blank rows on top -- and the first
  data row follows it; a quoted cell spanning lines is still one row);
- JSON and Parquet: the 1-based record number.

Typed cells (XLSX numbers and dates, JSON numbers and booleans, Parquet
columns) are rendered as text here so that one set of rules (``coerce``)
reads every format:

- binary floats (XLSX numeric cells, Parquet doubles) become the shortest
  decimal text that reads back as the same float -- Python's ``repr``, written
  without exponent -- so an Excel cell holding 0.1 arrives as exactly ``0.1``,
  and a formula result such as 0.1+0.2 as ``0.30000000000000004`` (refused:
  more than 12 decimals; round it in the sheet);
- XLSX date cells arrive as ``2026-01-31 00:00:00`` (time dropped for a date
  input); a plain number in a date column is not taken as an Excel serial
  date, except an 8-digit ``20260131``;
- JSON numbers keep their source text exactly (``1.50`` stays ``1.50``;
  ``1.5e3`` becomes ``1500``); ``true`` / ``false`` are booleans; ``null`` is
  an empty cell; a list or object in a cell is a problem;
- Parquet decimals, integers, dates, datetimes, booleans and categoricals
  are rendered exactly; list / struct / binary columns are problems.

CSV delimiter: ``.tsv`` is tab-separated; for ``.csv`` / ``.txt`` the header
line decides: whichever of comma, semicolon and tab occurs most often outside
quotes (comma on a tie or when there is none).
"""

from __future__ import annotations

import csv
import io
import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Callable

import polars as pl

from incentive.errors import DataInvalid, DataProblem, UsageError
from incentive.numeric import plain_text
from incentive.io.encoding import Decoded, text_of, to_utf8
from incentive.io.layout import SCAN_ROWS, HeaderRule, pick_header, preview, skipped_note
from incentive.io.source import check_json_depth
from incentive.io.xlsx_cells import CellMarks, cell_marks

FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "tsv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".json": "json",
           ".parquet": "parquet"}

#: given the headers and the header's row number, the columns to read: position -> kind (number / date / text)
Chooser = Callable[[list[str], int], dict[int, str]]

ROW = "__row__"
_SHOW = 60
#: a byte ``bytes.strip()`` would keep: finding the first one tells a blank file without copying it
_NOT_BLANK = re.compile(rb"[^ \t\n\r\x0b\x0c]")


def show(value: object) -> str:
    """A cell value as the user typed it, cut to a readable length."""
    text = "" if value is None else str(value)
    return text if len(text) <= _SHOW else text[: _SHOW - 3] + "..."


@dataclass
class RawTable:
    headers: list[str]
    header_row: int  # row number of the header (0: the format has no header row)
    frame: pl.DataFrame  # String columns c<i> for the chosen positions, plus __row__ (Int64)
    format: str
    encoding: str | None = None
    grouping: bool = True  # may a comma group thousands? (not in ;-separated files)
    problems: list[DataProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unusable: set[int] = field(default_factory=set)  # chosen positions already reported as unreadable
    preview: str = ""  # the first rows read (and other sheets), for a file whose header is not found


def format_of(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(FORMATS))
        raise UsageError(f"{path}: unknown data file type {path.suffix or '(no extension)'!r}; use one of {known}")
    return fmt


def col(i: int) -> str:
    return f"c{i}"


def _with_rows(frame: pl.DataFrame, first: int) -> pl.DataFrame:
    return frame.with_columns(pl.int_range(first, first + frame.height, dtype=pl.Int64).alias(ROW))


def _frame(columns: list[pl.Series], height: int, first: int) -> pl.DataFrame:
    """The chosen text columns plus ``__row__`` numbered from ``first``."""
    rows = pl.int_range(first, first + height, dtype=pl.Int64, eager=True).alias(ROW)
    return pl.DataFrame([*columns, rows])


def _fail(file: str, message: str, row: int = 0) -> DataInvalid:
    return DataInvalid(problems=[DataProblem(file, row, "", "", message)])


# ------------------------------------------------------------------ typed values -> text


def float_text(s: pl.Series) -> pl.Series:
    """Floats as the shortest decimal text that reads back as the same float, without exponent."""
    text = s.cast(pl.String)
    exp = text.str.contains("e", literal=True).fill_null(False)
    if exp.any():
        idx = exp.arg_true()
        fixed = [plain_text(Decimal(v), trim=False) for v in text.gather(idx).to_list()]
        text = text.scatter(idx, pl.Series(fixed, dtype=pl.String))
    return text.str.replace(r"\.0$", "")


def typed_text(s: pl.Series) -> pl.Series | None:
    """Any scalar polars column as text (None for lists, structs, binary...)."""
    dt = s.dtype
    if dt == pl.String:
        return s
    if dt.is_float():
        return float_text(s)
    if dt.is_integer() or dt.is_decimal() or dt == pl.Boolean or dt == pl.Null or isinstance(dt, (pl.Categorical, pl.Enum)):
        return s.cast(pl.String)
    if dt == pl.Date:
        return s.dt.strftime("%Y-%m-%d")
    if isinstance(dt, pl.Datetime):
        midnight = (s.dt.hour() == 0) & (s.dt.minute() == 0) & (s.dt.second() == 0)
        return pl.select(pl.when(pl.lit(midnight)).then(pl.lit(s.dt.strftime("%Y-%m-%d")))
                         .otherwise(pl.lit(s.dt.strftime("%Y-%m-%d %H:%M:%S")))).to_series()
    return None


# ------------------------------------------------------------------ CSV


def _count_outside_quotes(line: str, sep: str) -> int:
    inside, n = False, 0
    for ch in line:
        if ch == '"':
            inside = not inside
        elif ch == sep and not inside:
            n += 1
    return n


def _delimiter(first_line: str) -> str:
    counts = {sep: _count_outside_quotes(first_line, sep) for sep in (",", "\t", ";")}
    best = max(counts, key=lambda s: counts[s])  # dict order breaks ties: comma, then tab
    return best if counts[best] else ","


def _absent_byte(data: bytes) -> str:
    for b in ("\x00", "\x1f", "\x1e", "\x01"):
        if b.encode() not in data:
            return b
    return ""


def _csv_scan(text: str, sep: str, ncols: int, file: str) -> tuple[list[tuple[int, int]], DataProblem | None]:
    """Slow exact pass with Python's csv module: ragged rows, or the first quoting error."""
    ragged: list[tuple[int, int]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    row = 0
    try:
        for row, record in enumerate(reader, start=1):
            if record and len(record) != ncols and any(cell.strip() for cell in record):
                ragged.append((row, len(record)))
    except csv.Error as exc:
        return ragged, DataProblem(file, row + 1, "", "", f"broken quoting: {exc} (a cell starting with \" must end with \" and double any \" inside)")
    return ragged, None


def _line_stats(data: bytes, sep: str) -> tuple[bool, int, int]:
    """Whether any cell is quoted, the number of lines and of separators: enough to
    prove, without parsing, that every row has the header's cell count."""
    return b'"' in data, data.count(b"\n") + (0 if data.endswith(b"\n") else 1), data.count(sep.encode())


def _ragged_rows(data: bytes, sep: str, ncols: int, records: int, file: str,
                 stats: tuple[bool, int, int] | None = None) -> tuple[list[tuple[int, int]], DataProblem | None]:
    """(row, cells) of rows whose cell count differs from the header's; blank lines are fine."""
    quoted, lines, seps = stats or _line_stats(data, sep)
    if not quoted and lines == records and seps == (ncols - 1) * records:
        return [], None  # the fast, common case: every line has exactly the header's separators
    marker = _absent_byte(data)
    if not marker:
        return _csv_scan(data.decode("utf-8", errors="replace"), sep, ncols, file)
    physical = pl.read_csv(data, has_header=False, separator=marker, quote_char=None, infer_schema=False,
                           empty_string_is_null=False, new_columns=["line"], raise_if_empty=False)["line"]
    if physical.len() != records:
        return _csv_scan(data.decode("utf-8", errors="replace"), sep, ncols, file)  # a quoted cell spans lines
    bare = physical.str.replace_all(r'"[^"]*"', "") if quoted else physical
    counts = bare.str.count_matches(sep, literal=True) + 1
    blank = physical.str.replace_all(f"[{re.escape(sep)}\"]", "").str.strip_chars().str.len_bytes() == 0
    check = pl.DataFrame({"n": counts, "blank": blank,
                          "odd": physical.str.count_matches('"', literal=True) % 2 == 1 if quoted else False})
    check = check.with_row_index("i").filter(((pl.col("n") != ncols) & ~pl.col("blank")) | pl.col("odd"))
    if quoted and check["odd"].any():
        return _csv_scan(data.decode("utf-8", errors="replace"), sep, ncols, file)
    return [(i + 1, n) for i, n in zip(check["i"].to_list(), check["n"].to_list())], None


def read_csv(raw: bytes, file: str, choose: Chooser, *, encoding: str | None, tsv: bool,
             header: HeaderRule | None = None) -> RawTable:
    decoded = to_utf8(raw, file, encoding, quick=True)
    try:
        return _read_csv(decoded, file, choose, tsv=tsv, header=header)
    except pl.exceptions.ComputeError as exc:
        if decoded.verified or "utf" not in str(exc).lower():
            raise
    return _read_csv(to_utf8(raw, file, encoding), file, choose, tsv=tsv, header=header)  # not UTF-8 after all


def _first_records(head: str, sep: str) -> list[tuple[int, int, list[str]]]:
    """(first line, last line, cells) of the first non-blank records of a CSV head (stops at broken quoting)."""
    out: list[tuple[int, int, list[str]]] = []
    reader = csv.reader(io.StringIO(head, newline=""), delimiter=sep, strict=True)
    start = 1
    try:
        for record in reader:
            if any(c.strip() for c in record):
                out.append((start, reader.line_num, record))
                if len(out) >= SCAN_ROWS:
                    break
            start = reader.line_num + 1
    except csv.Error:
        pass
    return out


def _line_offset(data: bytes, line: int) -> int:
    """Byte offset where 1-based ``line`` starts."""
    at = 0
    for _ in range(line - 1):
        at = data.find(b"\n", at) + 1
        if at == 0:
            return len(data)
    return at


def _read_csv(decoded: Decoded, file: str, choose: Chooser, *, tsv: bool, header: HeaderRule | None = None) -> RawTable:
    data = decoded.data
    if b"\r" in data and b"\n" not in data:  # classic Mac line ends
        data = data.replace(b"\r", b"\n")
    if _NOT_BLANK.search(data) is None:
        raise _fail(file, "the file is empty: expected a header row and data rows")
    first_end = data.find(b"\n")  # the whole header line, however long (a 20,000-column header is > 64 KiB)
    head = data[: len(data) if first_end < 0 else max(1 << 16, first_end + 1)].decode("utf-8", errors="ignore")
    sep = "\t" if tsv else _delimiter(head.split("\n", 1)[0])
    skip, notes, shown = 0, [], ""
    if header is not None and (header.row is not None or header.fits is not None):
        records = _first_records(head, sep)
        rows = [(first, cells) for first, _, cells in records]
        if header.row is not None:
            skip = header.row - 1
        elif records:
            k = pick_header(rows, header)
            skip = records[k][0] - 1
            shown = preview(rows) if k == 0 and header.fits is not None and not header.fits(rows[0][1]) else ""
        if skip:
            note = skipped_note(file, rows, len(rows), skip + 1)
            notes = [note] if note else []
            data = data[_line_offset(data, skip + 1):]
            if _NOT_BLANK.search(data) is None:
                raise _fail(file, f"no header row at line {skip + 1}: the file ends before it", row=skip + 1)
            first_end = data.find(b"\n")
            head = data[: len(data) if first_end < 0 else max(1 << 16, first_end + 1)].decode("utf-8", errors="ignore")
    try:
        headers = next(csv.reader(io.StringIO(head, newline=""), delimiter=sep, strict=True))
    except (csv.Error, StopIteration) as exc:
        raise _fail(file, f"cannot read the header row: {exc}", row=1 + skip) from None
    table = _read_csv_body(data, decoded, file, choose, sep, headers, skip, tsv)
    table.warnings.extend(notes)
    table.preview = shown
    return table


def _read_csv_body(data: bytes, decoded: Decoded, file: str, choose: Chooser, sep: str, headers: list[str], skip: int,
                   tsv: bool) -> RawTable:
    """The CSV from its header line on (``skip`` lines above it were cut off: row numbers count them)."""
    chosen = choose(headers, 1 + skip)
    positions = sorted(chosen) or [0]
    with ThreadPoolExecutor(max_workers=1) as pool:
        parsing = pool.submit(pl.read_csv, data, has_header=True, separator=sep, columns=positions,
                              infer_schema=False, empty_string_is_null=False, truncate_ragged_lines=True,
                              raise_if_empty=False, quote_char='"')
        stats = _line_stats(data, sep)  # counted here while polars parses (it releases the GIL)
    try:
        frame = parsing.result()
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        if not decoded.verified and "utf" in str(exc).lower():
            raise
        _, problem = _csv_scan(data.decode("utf-8", errors="replace"), sep, len(headers), file)
        if problem is None:
            first = str(exc).strip().splitlines()[0]
            problem = DataProblem(file, 0, "", "", f"cannot read the file as CSV: {first}")
        raise DataInvalid(problems=[problem]) from None
    frame.columns = [col(i) for i in positions]
    frame = _with_rows(frame, 2 + skip)
    if not chosen:
        frame = frame.select(ROW)
    table = RawTable(headers=headers, header_row=1 + skip, frame=frame, format="tsv" if tsv else "csv",
                     encoding=decoded.encoding, grouping=sep != ";")
    ragged, quoting = _ragged_rows(data, sep, len(headers), frame.height + 1, file, stats)
    if quoting is not None:
        raise DataInvalid(problems=[replace(quoting, row=quoting.row + skip) if quoting.row else quoting])
    if ragged:
        ragged = [(row + skip, n) for row, n in ragged]
        bad = [row for row, _ in ragged]
        table.problems.extend(
            DataProblem(file, row, "", "", f"this row has {n} cells but the header has {len(headers)}") for row, n in ragged)
        table.frame = frame.filter(~pl.col(ROW).is_in(bad))
    return table


# ------------------------------------------------------------------ XLSX


def read_xlsx(raw: bytes, file: str, choose: Chooser, *, sheet: str | None, header: HeaderRule | None = None) -> RawTable:
    import fastexcel

    from incentive.io.xlsx_guard import check_workbook

    check_workbook(raw, file, sheet)  # a stray far cell or a zip bomb would exhaust memory in the reader
    try:
        reader = fastexcel.read_excel(raw)
    except Exception as exc:  # calamine reports corrupt / non-XLSX files with assorted exception types
        raise _fail(file, f"cannot read the file as XLSX: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    names = reader.sheet_names
    if sheet is not None and sheet not in names:
        raise UsageError(f"{file}: no sheet named {sheet!r}; the sheets are: {', '.join(names)}")
    target = sheet if sheet is not None else 0
    if not names:
        raise _fail(file, "the workbook has no sheets")
    try:
        loaded_sheet = reader.load_sheet(target, header_row=None, skip_rows=0, dtypes="string")
        absolute = {c.index: c.absolute_index for c in loaded_sheet.available_columns()}
        cells = loaded_sheet.to_polars()
    except Exception as exc:
        raise _fail(file, f"the sheet {names[0] if sheet is None else sheet!r} is empty or unreadable: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    if cells.width == 0 or cells.height == 0:
        raise _fail(file, "the sheet is empty: expected a header row and data rows")
    filled = cells.select(pl.any_horizontal(pl.all().str.strip_chars().str.len_bytes() > 0).fill_null(False)).to_series()
    if not filled.any():
        raise _fail(file, "the sheet is empty: expected a header row and data rows")
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
    frame = _frame(columns, body.height, header_row + 1)
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
    from incentive.io.coerce import SERIAL_MAX, excel_serial_date

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


# ------------------------------------------------------------------ JSON


#: JSON numbers in exponent form are written out in full only up to this
#: exponent (far beyond any accepted value: inputs are below 10^20, 12 decimals)
_JSON_MAX_EXPONENT = 64


class _Number(str):
    """A JSON number kept as its exact source text."""


class _Object(dict):
    duplicates: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, object]]) -> _Object:
    obj = _Object(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        obj.duplicates = tuple(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
    return obj


def _json_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _Number) and ("e" in value or "E" in value):
        try:
            number = Decimal(value)
        except InvalidOperation:
            return str(value)
        if not number.is_finite() or abs(number.adjusted()) > _JSON_MAX_EXPONENT:
            return str(value)  # 1e999999999 written out would be a billion digits; refused as written
        return plain_text(number, trim=False)
    return str(value)


def _json_show(value: object) -> str:
    """A JSON value as it was written (numbers keep their source text)."""
    if isinstance(value, _Number):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_json_show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {_json_show(v)}" for k, v in value.items()) + "}"
    return json.dumps(value, ensure_ascii=False)


def read_json(raw: bytes, file: str, choose: Chooser, *, encoding: str | None) -> RawTable:
    text, used = text_of(raw, file, encoding)
    if not text.strip():
        raise _fail(file, "the file is empty: expected a JSON array of objects, one per employee")
    too_deep = check_json_depth(text, file)
    if too_deep:
        raise _fail(file, too_deep)
    try:
        doc = json.loads(text, parse_float=_Number, parse_int=_Number, parse_constant=_Number, object_pairs_hook=_object)
    except json.JSONDecodeError as exc:
        raise _fail(file, f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise _fail(file, "not usable JSON: nested too deeply") from None
    if not isinstance(doc, list):
        message = "expected a JSON array of objects (one per employee) at the top level"
        if isinstance(doc, dict):
            arrays = [k for k, v in doc.items() if isinstance(v, list)]
            message += f", found an object" + (f" holding the array {arrays[0]!r}: put that array at the top level" if len(arrays) == 1 else "")
        raise _fail(file, message)
    if not doc:
        raise _fail(file, "no data rows: the JSON array is empty")
    problems: list[DataProblem] = []
    headers: list[str] = []
    known: set[str] = set()
    for row, item in enumerate(doc, start=1):
        if isinstance(item, dict):
            for key in item:
                if key not in known:
                    known.add(key)
                    headers.append(key)
            for key in getattr(item, "duplicates", ()):
                problems.append(DataProblem(file, row, key, "", "each key once per object (this key appears more than once)"))
        else:
            problems.append(DataProblem(file, row, "", show(_json_show(item)),
                                        'an object such as {"employee_id": "E001", ...}'))
    chosen = choose(headers, 0)
    columns = []
    for i in sorted(chosen):
        key = headers[i]
        values: list[str | None] = []
        for row, item in enumerate(doc, start=1):
            cell = item.get(key) if isinstance(item, dict) else None
            if isinstance(cell, (list, dict)):
                problems.append(DataProblem(file, row, key, show(_json_show(cell)), "a single value, not a list or an object"))
                cell = None
            values.append(_json_text(cell))
        columns.append(pl.Series(col(i), values, dtype=pl.String))
    frame = _frame(columns, len(doc), 1)
    bad_rows = {p.row for p in problems}
    if bad_rows:
        frame = frame.filter(~pl.col(ROW).is_in(sorted(bad_rows)))
    return RawTable(headers=headers, header_row=0, frame=frame, format="json", encoding=used, problems=problems)


# ------------------------------------------------------------------ Parquet


def read_parquet(raw: bytes, file: str, choose: Chooser) -> RawTable:
    try:
        schema = pl.read_parquet_schema(io.BytesIO(raw))
    except Exception as exc:  # polars raises several types for non-Parquet bytes
        raise _fail(file, f"cannot read the file as Parquet: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    headers = list(schema)
    chosen = choose(headers, 0)
    names = [headers[i] for i in sorted(chosen)]
    try:
        data = pl.read_parquet(io.BytesIO(raw), columns=names) if names else pl.read_parquet(io.BytesIO(raw)).select([])
    except Exception as exc:
        raise _fail(file, f"cannot read the file as Parquet: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    height = data.height if names else pl.scan_parquet(io.BytesIO(raw)).select(pl.len()).collect().item()
    problems: list[DataProblem] = []
    unusable: set[int] = set()
    columns = []
    for i, name in zip(sorted(chosen), names):
        text = typed_text(data[name])
        if text is None:
            problems.append(DataProblem(file, 0, name, "", f"a column of single values (this column holds {data[name].dtype})"))
            unusable.add(i)
            text = pl.Series([None] * height, dtype=pl.String)
        columns.append(text.alias(col(i)))
    frame = _frame(columns, height, 1)
    return RawTable(headers=headers, header_row=0, frame=frame, format="parquet", problems=problems, unusable=unusable)


def read_table(path: Path, raw: bytes, file: str, choose: Chooser, *, encoding: str | None = None,
               sheet: str | None = None, header: HeaderRule | None = None) -> RawTable:
    """Read ``raw`` (the bytes of ``path``) in the format its extension names."""
    fmt = format_of(path)
    if sheet is not None and fmt != "xlsx":
        raise UsageError(f"{file}: a sheet can only be chosen in an XLSX file")
    if encoding is not None and fmt in ("xlsx", "parquet"):
        raise UsageError(f"{file}: an encoding applies only to CSV, TSV, TXT and JSON files")
    if header is not None and header.row is not None and fmt not in ("csv", "tsv", "xlsx"):
        raise UsageError(f"{file}: --header-row applies only to CSV, TSV, TXT and XLSX files")
    if fmt in ("csv", "tsv"):
        return read_csv(raw, file, choose, encoding=encoding, tsv=fmt == "tsv", header=header)
    if fmt == "xlsx":
        return read_xlsx(raw, file, choose, sheet=sheet, header=header)
    if fmt == "json":
        return read_json(raw, file, choose, encoding=encoding)
    return read_parquet(raw, file, choose)
