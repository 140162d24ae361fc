"""The one call that writes a table in the format a user chose.

The tables themselves are built in ``report.tables``.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from incentive.errors import UsageError
from incentive.output import tables
from incentive.report.labels import relabel

FORMATS = ("csv", "json", "parquet", "xlsx")


def write_table(frame: pl.DataFrame, path: Path, fmt: str, money: dict[str, int], *,
                labels: dict[str, str] | None = None, headers: str = "ids") -> None:
    """One table; ``labels`` give XLSX its label row, and CSV / JSON its headers when ``headers == "labels"``."""
    if labels is not None and headers == "labels" and fmt in ("csv", "json"):
        frame, money = relabel(frame, money, labels)
    if fmt == "csv":
        tables.write_csv(frame, path, money_columns=money)
    elif fmt == "xlsx":
        tables.write_xlsx(frame, path, money_columns=money, labels=labels)
    elif fmt == "json":
        tables.write_json(frame, path, money_columns=money)
    elif fmt == "parquet":
        tables.write_parquet(frame, path)
    else:
        raise UsageError(f"--format: expected one of {', '.join(FORMATS)}, got {fmt!r}")
