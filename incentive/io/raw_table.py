"""The one shape every period-data reader produces, and typed cells as text.

Every format ends up the same way (see ``incentive.io.formats``): the header
texts, and the chosen columns as polars String columns named ``c<i>``
(``i`` = the column's position in the file) plus ``__row__``, the row number
a user finds the record under. Typed cells are rendered as text so that one
set of rules (``coerce``) reads every format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable

import polars as pl

from incentive.errors import DataInvalid, DataProblem
from incentive.numeric import plain_text

#: given the headers and the header's row number, the columns to read: position -> kind (number / date / text)
Chooser = Callable[[list[str], int], dict[int, str]]

ROW = "__row__"
_SHOW = 60


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


def col(i: int) -> str:
    """The frame column name of the file's ``i``-th column."""
    return f"c{i}"


def numbered(frame: pl.DataFrame, first: int) -> pl.DataFrame:
    """``frame`` with ``__row__`` numbered from ``first``."""
    return frame.with_columns(pl.int_range(first, first + frame.height, dtype=pl.Int64).alias(ROW))


def frame_of(columns: list[pl.Series], height: int, first: int) -> pl.DataFrame:
    """The chosen text columns plus ``__row__`` numbered from ``first``."""
    rows = pl.int_range(first, first + height, dtype=pl.Int64, eager=True).alias(ROW)
    return pl.DataFrame([*columns, rows])


def fail(file: str, message: str, row: int = 0) -> DataInvalid:
    """A whole-file problem (``row`` 0: no particular row)."""
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

