"""Parquet: the file's own columns, typed cells rendered exactly as text.

Decimals, integers, dates, datetimes, booleans and categoricals are
rendered exactly; list / struct / binary columns are problems. Row numbers
are the 1-based record numbers. ``parquet_slices`` reads a file some rows
at a time (a Parquet file of 50 million lines is small; its cells as text
are not).
"""

from __future__ import annotations

import io
from typing import Iterator

import polars as pl

from incentive.errors import DataProblem
from incentive.io.raw_table import Chooser, RawTable, col, fail, frame_of, typed_text


def _cannot(file: str, exc: Exception) -> Exception:
    return fail(file, f"cannot read the file as Parquet: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")


def read_parquet(raw: bytes, file: str, choose: Chooser) -> RawTable:
    return next(parquet_slices(raw, file, choose))


def parquet_slices(raw: bytes, file: str, choose: Chooser, rows: int | None = None) -> Iterator[RawTable]:
    """The file ``rows`` rows at a time (all at once when None), in order, each slice numbered as in the file; a
    column of a type that has no text form is a problem of the first slice (and null in every slice)."""
    try:
        schema = pl.read_parquet_schema(io.BytesIO(raw))
        height = pl.scan_parquet(io.BytesIO(raw)).select(pl.len()).collect().item()
    except Exception as exc:  # polars raises several types for non-Parquet bytes
        raise _cannot(file, exc) from None
    headers = list(schema)
    chosen = choose(headers, 0)
    names = [headers[i] for i in sorted(chosen)]
    size = max(rows or height, 1)
    for start in range(0, max(height, 1), size):
        n = max(min(size, height - start), 0)
        try:
            data = (pl.scan_parquet(io.BytesIO(raw)).select(names).slice(start, size).collect() if names
                    else pl.DataFrame())
        except Exception as exc:
            raise _cannot(file, exc) from None
        problems: list[DataProblem] = []
        unusable: set[int] = set()
        columns = []
        for i, name in zip(sorted(chosen), names):
            text = typed_text(data[name])
            if text is None:
                if start == 0:
                    problems.append(DataProblem(file, 0, name, "",
                                                f"a column of single values (this column holds {data[name].dtype})"))
                unusable.add(i)
                text = pl.Series([None] * n, dtype=pl.String)
            columns.append(text.alias(col(i)))
        yield RawTable(headers=headers, header_row=0, frame=frame_of(columns, n, 1 + start), format="parquet",
                       problems=problems, unusable=unusable)
