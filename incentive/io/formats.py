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

from pathlib import Path
from typing import Iterator

from incentive.errors import UsageError
from incentive.io.layout import HeaderRule
from incentive.io.raw_table import Chooser, RawTable
from incentive.io.readers.csv import read_csv
from incentive.io.readers.json import read_json
from incentive.io.readers.parquet import parquet_slices, read_parquet
from incentive.io.readers.xlsx import read_xlsx

FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "tsv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".json": "json",
           ".parquet": "parquet"}


def format_of(path: Path) -> str:
    """The format a file's extension names (``UsageError`` for any other extension)."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(FORMATS))
        raise UsageError(f"{path}: unknown data file type {path.suffix or '(no extension)'!r}; use one of {known}")
    return fmt


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


def read_table_slices(path: Path, raw: bytes, file: str, choose: Chooser, *, rows: int,
                      encoding: str | None = None) -> Iterator[RawTable]:
    """``read_table`` a slice of at most ``rows`` rows at a time where the format allows it (Parquet), else the
    whole table as one slice: for sources of millions of lines whose cells as text would not fit in memory."""
    if format_of(path) == "parquet" and encoding is None:
        yield from parquet_slices(raw, file, choose, rows)
    else:
        yield read_table(path, raw, file, choose, encoding=encoding)
