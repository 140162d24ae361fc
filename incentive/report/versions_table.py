"""``versions.csv``: a split period's amounts under each plan version, beside the weighted results.

A close of a period split between plan versions (docs/plan-versions.md)
records the day-weighted amounts in its results; this file keeps, per
person, what each version computed and the days it covered, so the close
directory alone shows where each weighted amount came from (``explain
--close`` reads it back into its versions step). One row per person,
version and component (payouts, penalties, adjustment lines and the total),
in id, then date order.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from incentive.engine.results import Results, VersionPart
from incentive.numeric import DTYPE

VERSIONS_FILE = "versions.csv"
COLUMNS = ("employee_id", "version", "file", "start", "end", "days", "total_days", "component", "amount")


def versions_frame(results: Results) -> pl.DataFrame | None:
    """The long table of ``results.split``, or None for a period inside one version."""
    if not results.split:
        return None
    key = results.id_column
    parts = []
    for order, p in enumerate(results.split):
        amounts = [c for c in p.amounts.columns if c != key]
        parts.append(p.amounts.unpivot(index=key, on=amounts, variable_name="component", value_name="amount")
                     .with_columns(pl.col("amount").cast(DTYPE))
                     .select(pl.col(key).cast(pl.String).alias("employee_id"), pl.lit(p.version).alias("version"),
                             pl.lit(Path(p.file).name).alias("file"), pl.lit(p.start.isoformat()).alias("start"),
                             pl.lit(p.end.isoformat()).alias("end"), pl.lit(p.days).alias("days"),
                             pl.lit(p.total_days).alias("total_days"), "component", "amount",
                             pl.lit(order).alias("__version__"), pl.int_range(pl.len()).alias("__row__")))
    table = pl.concat(parts)
    return table.sort("employee_id", "__version__", "__row__", maintain_order=True).select(COLUMNS)


def read_versions(path: Path, key: str) -> tuple[VersionPart, ...]:
    """The split parts a close recorded in ``path`` (``versions.csv``), amounts exact."""
    frame = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    parts = []
    for (version, file, start, end, days, total), rows in frame.group_by(
            "version", "file", "start", "end", "days", "total_days", maintain_order=True):
        wide = (rows.with_columns(pl.col("amount").str.to_decimal(scale=12).cast(DTYPE))
                .pivot(on="component", index="employee_id", values="amount", maintain_order=True)
                .rename({"employee_id": key}))
        parts.append(VersionPart(str(version), str(file), date.fromisoformat(str(start)), date.fromisoformat(str(end)),
                                 int(str(days)), int(str(total)), wide))
    return tuple(parts)
