"""Parquet: the file's own columns, typed cells rendered exactly as text.

Decimals, integers, dates, datetimes, booleans and categoricals are
rendered exactly; list / struct / binary columns are problems. Row numbers
are the 1-based record numbers.
"""

from __future__ import annotations

import io

import polars as pl

from incentive.errors import DataProblem
from incentive.io.raw_table import Chooser, RawTable, col, fail, frame_of, typed_text


def read_parquet(raw: bytes, file: str, choose: Chooser) -> RawTable:
    try:
        schema = pl.read_parquet_schema(io.BytesIO(raw))
    except Exception as exc:  # polars raises several types for non-Parquet bytes
        raise fail(file, f"cannot read the file as Parquet: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    headers = list(schema)
    chosen = choose(headers, 0)
    names = [headers[i] for i in sorted(chosen)]
    try:
        data = pl.read_parquet(io.BytesIO(raw), columns=names) if names else pl.read_parquet(io.BytesIO(raw)).select([])
    except Exception as exc:
        raise fail(file, f"cannot read the file as Parquet: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
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
    frame = frame_of(columns, height, 1)
    return RawTable(headers=headers, header_row=0, frame=frame, format="parquet", problems=problems, unusable=unusable)

