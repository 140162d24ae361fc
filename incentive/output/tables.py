"""Result tables as CSV, XLSX, JSON and Parquet -- exact and spreadsheet-safe.

Numbers are written from the engine's decimals, never through float:

* a *money* column (``money_columns`` maps its name to the policy's money
  decimals) is written with at least that many decimals: ``1234.50``,
  ``-20.00``. A value that carries more digits than that (an unrounded money
  input) keeps them, ``1234.567`` -- a writer never changes an amount;
* every other decimal column is written in its shortest exact form, without
  trailing zeros: ``0.85``, ``100``, ``87.5``;
* never scientific notation, never a thousands separator, ``.`` as the
  decimal point.

Text cells are neutralized (``safe_text``) in CSV and XLSX; JSON and Parquet
keep the original text, since no spreadsheet interprets them. Every file is
written atomically (``atomic.atomic_path``) and owner-only.
"""

from __future__ import annotations

import contextlib
import functools
import io
import threading
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Iterable, Iterator, Literal, Mapping, TypedDict

import polars as pl

from incentive.output.atomic import atomic_file, atomic_path
from incentive.output.safe_text import neutralize, neutralize_expr

MoneyColumns = Mapping[str, int]

#: data rows that fit one XLSX sheet (1,048,576 rows, one of them the header)
XLSX_MAX_ROWS = 1_048_575
XLSX_MAX_COLUMNS = 16_384
XLSX_MAX_TEXT = 32_767
#: fixed document timestamp so the same frame gives the same XLSX bytes
XLSX_DEFAULT_CREATED = datetime(2000, 1, 1)


def _is_decimal(dtype: pl.DataType) -> bool:
    return isinstance(dtype, pl.Decimal)


def _scale(dtype: pl.DataType) -> int:
    """The decimal places of a Decimal type (0 for any other type)."""
    return (dtype.scale or 0) if isinstance(dtype, pl.Decimal) else 0


def _check_dtype(name: str, dtype: pl.DataType) -> None:
    if dtype.is_float():
        raise TypeError(f"column {name!r} is {dtype}: binary floats never reach an output")
    if dtype.is_nested() or dtype == pl.Object:
        raise TypeError(f"column {name!r} is {dtype}: only flat columns can be written")


def _check_columns(frame: pl.DataFrame) -> None:
    for name, dtype in frame.schema.items():
        _check_dtype(name, dtype)


def decimal_text_expr(expr: pl.Expr, scale: int, min_decimals: int = 0, *, exact_at_min: bool = False) -> pl.Expr:
    """Exact text of a Decimal(·, ``scale``) column with at least ``min_decimals`` decimals.

    Trailing zeros beyond ``min_decimals`` are dropped; significant digits
    never are. ``exact_at_min`` promises that every value has at most
    ``min_decimals`` significant decimals (checked by ``text_frame``), which
    allows a much faster cast instead of a regular expression.
    """
    if min_decimals < 0:
        raise ValueError("min_decimals must be >= 0")
    text = expr.cast(pl.String)
    if scale == 0:
        return pl.concat_str([text, pl.lit("." + "0" * min_decimals)]) if min_decimals else text
    if min_decimals >= scale:
        pad = "0" * (min_decimals - scale)
        return pl.concat_str([text, pl.lit(pad)]) if pad else text
    if min_decimals == 0:
        # the text always has a point here (scale > 0), so only fraction zeros go
        return text.str.strip_chars_end("0").str.strip_chars_end(".")
    if exact_at_min:
        return expr.cast(pl.Decimal(38, min_decimals)).cast(pl.String)
    return text.str.replace(rf"^(-?\d+\.\d{{{min_decimals}}}(?:\d*[1-9])?)0*$", "${1}")


def _exact_at(frame: pl.DataFrame, wanted: dict[str, int]) -> dict[str, bool]:
    """Which decimal columns hold no digit beyond their money decimals (one pass)."""
    if not wanted:
        return {}
    checks = []
    for name, d in wanted.items():
        col = pl.col(name)
        # a cast that overflows gives null (strict=False): then not exact either
        back = col.cast(pl.Decimal(38, d), strict=False).cast(frame.schema[name], strict=False)
        checks.append(((back == col).fill_null(False) | col.is_null()).all().alias(name))
    return frame.select(checks).row(0, named=True)


def text_frame(frame: pl.DataFrame, *, money_columns: MoneyColumns = {}, neutralize_text: bool,
               native_decimals: bool = False) -> pl.DataFrame:
    """The frame with every decimal as exact text (and text neutralized if asked).

    Names in ``money_columns`` that are not in the frame are ignored, so one
    mapping for the whole policy serves every table. ``native_decimals``
    leaves the decimals that want their shortest form as decimals, for a
    writer that formats them so itself (``_csv_trims_decimals``).
    """
    schema = frame.schema
    for name, dtype in schema.items():
        _check_dtype(name, dtype)
    exact = _exact_at(frame, {name: d for name, d in money_columns.items()
                              if name in schema and _is_decimal(schema[name]) and 0 < d < _scale(schema[name])})
    exprs: list[pl.Expr] = []
    for name, dtype in schema.items():
        col = pl.col(name)
        if _is_decimal(dtype) and native_decimals and not money_columns.get(name, 0):
            exprs.append(col)
        elif _is_decimal(dtype):
            exprs.append(decimal_text_expr(col, _scale(dtype), money_columns.get(name, 0),
                                           exact_at_min=bool(exact.get(name))).alias(name))
        elif dtype.is_integer() and name in money_columns:
            exprs.append(decimal_text_expr(col.cast(pl.Decimal(38, 0)), 0, money_columns[name]).alias(name))
        elif isinstance(dtype, (pl.Categorical, pl.Enum)):
            text = col.cast(pl.String)
            exprs.append((neutralize_expr(text) if neutralize_text else text).alias(name))
        elif dtype == pl.String and neutralize_text:
            exprs.append(neutralize_expr(col).alias(name))
        else:
            exprs.append(col)
    return frame.select(exprs) if exprs else frame


#: rows per slice of ``write_csv``
CSV_SLICE = 500_000


def write_csv(frame: pl.DataFrame, path: Path | str, *, money_columns: MoneyColumns = {}, bom: bool = True) -> None:
    """RFC 4180 CSV, UTF-8 with a BOM by default (so Excel -- notably Chinese
    Excel, which otherwise assumes GBK -- opens it as UTF-8), ``\\n`` line
    endings, quotes only where needed, nulls as empty cells, dates ISO.
    The same frame always gives the same bytes. Written ``CSV_SLICE`` rows
    at a time: the text copy of a credit table of millions of rows never
    exists whole (every cell's text depends on its own value only)."""
    write_csv_parts((frame.slice(start, CSV_SLICE) for start in range(0, max(frame.height, 1), CSV_SLICE)), path,
                    money_columns=money_columns, bom=bom)


def write_csv_parts(parts: Iterable[pl.DataFrame], path: Path | str, *, money_columns: MoneyColumns = {},
                    bom: bool = True) -> None:
    """The CSV of the parts one after the other, as ``write_csv`` writes their concatenation (at least one part: its
    header is the file's), so a table read a slice at a time from a file is written in bounded memory."""
    renames: dict[str, str] | None = None
    with _trimmed_decimals(), atomic_path(path) as tmp:
        for i, part in enumerate(parts):
            if renames is None:
                renames = {c: neutralize(c) for c in part.columns if neutralize(c) != c}
            out = text_frame(part, money_columns=money_columns, neutralize_text=True,
                             native_decimals=_csv_trims_decimals())
            out = out.rename(renames) if renames else out
            if i == 0:  # polars writes the file itself, as for any table
                out.write_csv(tmp, include_bom=bom, line_terminator="\n", quote_style="necessary", null_value="",
                              date_format="%Y-%m-%d", datetime_format="%Y-%m-%dT%H:%M:%S%.f")
            else:  # the slice's text, appended here: polars never calls back into a Python file object
                text = out.write_csv(None, include_header=False, line_terminator="\n", quote_style="necessary",
                                     null_value="", date_format="%Y-%m-%d", datetime_format="%Y-%m-%dT%H:%M:%S%.f")
                with open(tmp, "ab") as fh:
                    fh.write(text.encode("utf-8"))


_trim_lock = threading.Lock()
_trim_writers = 0
_trim_found = False


@contextlib.contextmanager
def _trimmed_decimals() -> Iterator[None]:
    """polars' ``trim_decimal_zeros`` on while any CSV write is in progress,
    and back to what it was when the last one ends.

    The switch is process-wide: a plain ``with pl.Config(...)`` ending on one
    thread would switch it off under another thread's write, so the writers
    in progress are counted and only the last one restores the setting.
    """
    global _trim_writers, _trim_found
    with _trim_lock:
        if _trim_writers == 0:
            _trim_found = bool(pl.Config.state()["set_trim_decimal_zeros"])
            pl.Config.set_trim_decimal_zeros(True)
        _trim_writers += 1
    try:
        yield
    finally:
        with _trim_lock:
            _trim_writers -= 1
            if _trim_writers == 0:
                pl.Config.set_trim_decimal_zeros(_trim_found)


@functools.cache
def _csv_trims_decimals() -> bool:
    """Have polars' CSV writer format decimals in their shortest exact form
    (``1.5``, ``10``: what ``decimal_text_expr`` makes without minimum
    decimals), which costs a fraction of building the text first.

    Called inside ``_trimmed_decimals`` (``cast(pl.String)`` ignores the
    switch). A probe checks the writer honours it; if not, every decimal is
    turned into text first, as before.
    """
    probe = pl.DataFrame({"x": [Decimal("10.5"), Decimal("3"), Decimal("-0.000000000001"), Decimal("0"), None]},
                         schema={"x": pl.Decimal(38, 12)})
    return probe.write_csv(include_header=False, null_value="") == "10.5\n3\n-0.000000000001\n0\n\n"


def write_json(frame: pl.DataFrame, path: Path | str, *, money_columns: MoneyColumns = {}) -> None:
    """A JSON array of row objects; decimals as exact strings (``"1234.50"``),
    since JSON numbers are read as binary floats by most consumers."""
    out = text_frame(frame, money_columns=money_columns, neutralize_text=False)
    # encoded in memory and written by Python: polars' own write_json(path)
    # leaves an empty file and no error when the disk is full
    data = out.write_json().encode("utf-8")
    with atomic_file(path, "wb") as fh:
        fh.write(data)


class ParquetOptions(TypedDict):
    compression: Literal["zstd"]
    compression_level: int


#: zstd level 1: as small as the default level 3 on engine frames (wide exact
#: decimals), about a third less CPU
PARQUET_OPTIONS: ParquetOptions = {"compression": "zstd", "compression_level": 1}


def write_parquet(frame: pl.DataFrame | pl.LazyFrame, path: Path | str) -> None:
    """Parquet (zstd, with column statistics for query engines); decimals keep their exact type. A lazy frame (a
    scan of a big file) is streamed through, never collected whole."""
    with atomic_path(path) as tmp:
        if isinstance(frame, pl.LazyFrame):
            for name, dtype in frame.collect_schema().items():
                _check_dtype(name, dtype)
            frame.sink_parquet(tmp, **PARQUET_OPTIONS)
        else:
            _check_columns(frame)
            frame.write_parquet(tmp, **PARQUET_OPTIONS)


#: Parquet stores a decimal of precision <= 18 as an 8-byte integer and one of
#: precision <= 28 in 12 bytes, against 16 for precision 38
AUDIT_PRECISIONS = (18, 28)


def narrow_decimals(frame: pl.DataFrame) -> pl.DataFrame:
    """Each decimal column in the smallest of precision 18, 28 or its own that
    holds every value, scale unchanged -- so the values are the same numbers.

    The audit record is mostly wide engine decimals (38 digits, 16 bytes
    each) whose values use a fraction of them; narrower columns cost about
    a third less to encode and compress. Which precision a column gets
    depends only on its values, so the same results give the same file.
    Readers widen the columns back (``widen_decimals``).
    """
    exprs = []
    for name, dtype in frame.schema.items():
        if not isinstance(dtype, pl.Decimal) or dtype.precision is None:
            continue
        column = frame.get_column(name)
        for precision in AUDIT_PRECISIONS:
            if precision >= dtype.precision:
                break
            # a value that does not fit becomes null (strict=False): then try the next precision
            narrow = column.cast(pl.Decimal(precision, dtype.scale), strict=False)
            if narrow.null_count() == column.null_count():
                exprs.append(narrow)
                break
    return frame.with_columns(exprs) if exprs else frame


def widen_decimals(frame: pl.DataFrame, dtype: pl.DataType) -> pl.DataFrame:
    """Every decimal column of ``frame`` (as ``narrow_decimals`` stored it) in ``dtype``."""
    wide = [pl.col(n).cast(dtype) for n, t in frame.schema.items() if isinstance(t, pl.Decimal) and t != dtype]
    return frame.with_columns(wide) if wide else frame


def write_audit(frame: pl.DataFrame, path: Path | str) -> bytes:
    """Write the audit record (``narrow_decimals``, zstd, no column
    statistics: it is read whole, by ``explain``, history and ``verify``, never
    filtered) and return the file's bytes, which the ledger stores as they are.

    Written by polars straight to the file and read back: cheaper than
    encoding into a growing in-memory buffer."""
    _check_columns(frame)
    narrow = narrow_decimals(frame)
    with atomic_path(path) as tmp:
        narrow.write_parquet(tmp, statistics=False, **PARQUET_OPTIONS)
        return Path(tmp).read_bytes()


def parquet_bytes(frame: pl.DataFrame) -> bytes:
    """The audit record's Parquet bytes (as ``write_audit`` writes them), in memory."""
    _check_columns(frame)
    buf = io.BytesIO()
    narrow_decimals(frame).write_parquet(buf, statistics=False, **PARQUET_OPTIONS)
    return buf.getvalue()


def write_xlsx(frame: pl.DataFrame, path: Path | str, *, money_columns: MoneyColumns = {}, sheet_name: str = "results",
               created: datetime | None = None, labels: Mapping[str, str] | None = None,
               decimals: Mapping[str, int] | None = None) -> None:
    """One sheet (``xlsx_book``): bold frozen header (with ``labels``: a label row above the ids row),
    every number formatted (money ``#,##0.00``), widths that fit CJK text, text always as strings (never
    formulas, and neutralized), dates as dates.

    Excel stores numbers as binary doubles: amounts up to 15 significant
    digits display exactly; the exact values are in the CSV / Parquet files.
    A frame beyond one sheet (1,048,575 data rows) is refused.
    """
    from incentive.output.xlsx_book import Sheet, write_book

    write_book(path, [Sheet(sheet_name, frame, money=money_columns, decimals=decimals or {}, labels=labels)],
               created=created)
