"""The tables users read, built from results, and the one call that writes a table.

``report.book`` (results.xlsx) takes its sheets from here too, so this
module imports nothing of the application layer.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from incentive.engine.results import Results
from incentive.errors import UsageError
from incentive.output import tables
from incentive.report.forfeits import COLUMN as FORFEITED, forfeit_penalties, with_forfeited
from incentive.report.labels import column_labels as _column_labels, relabel

FORMATS = ("csv", "json", "parquet", "xlsx")


def results_table(results: Results, frame: pl.DataFrame | None = None) -> pl.DataFrame:
    """The per-person table users read (SPEC §5): ids, names and groups, every
    KPI value and its points, score, rank, percentile, band, each payout
    component, each penalty, the total and the recommendations.

    Numeric inputs, derived values, aggregates and intermediate steps are in
    the audit record (``audit.parquet`` of a close) and in ``explain``.
    """
    frame = results.frame if frame is None else frame
    keep_kinds = {"kpi_value", "kpi_points", "score", "ranking", "payout", "penalty", "total", "recommendation"}
    text_inputs = {i.id for i in results.policy.policy.inputs if i.type in ("id", "text")}
    cols = [n for n in results.public_columns()
            if results.columns[n].kind in keep_kinds or (results.columns[n].kind == "input" and n in text_inputs)]
    if "band_reason" in frame.columns and "band_reason" not in cols:
        cols.append("band_reason")
    frame = with_forfeited(results, frame)  # A4: what a veto took, beside the penalties
    if FORFEITED in frame.columns and FORFEITED not in cols:
        cols.insert(cols.index("total") if "total" in cols else len(cols), FORFEITED)
    return frame.select(cols)


def money_decimals(results: Results) -> dict[str, int]:
    d = results.policy.policy.money.decimals
    return {c: d for c in results.money_columns()} | ({FORFEITED: d} if forfeit_penalties(results) else {})


def payouts_table(results: Results) -> pl.DataFrame:
    """Payroll-ready: id, name, currency, amount."""
    policy = results.policy.policy
    name_col = next((i.id for i in policy.inputs if i.id == "name"), None)
    cols = [pl.col(results.id_column).cast(pl.String).alias("employee_id")]
    cols.append(pl.col(name_col).alias("name") if name_col else pl.lit("").alias("name"))
    cols += [pl.lit(policy.currency).alias("currency"), pl.col("total").alias("amount")]
    return results.frame.select(cols)


def audit_frame(results: Results) -> pl.DataFrame:
    """Every named quantity and step of every person: the audit record (history reads it from the ledger)."""
    return results.frame.select(results.audit_columns())


def column_labels(results: Results, lang: str) -> dict[str, str]:
    return _column_labels(results, lang)


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
