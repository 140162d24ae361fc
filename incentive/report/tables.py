"""The tables people read, built from results: the results table, payroll's
payouts table, the audit record, and the decimals of each money column.

Pure functions of ``Results``: the close, ``evaluate --out`` and
``results.xlsx`` all take their tables from here, and writing them is the
application layer's job (``app.tables.write_table``).
"""

from __future__ import annotations

import polars as pl

from incentive.engine.results import Results
from incentive.report.forfeits import COLUMN as FORFEITED, forfeit_penalties, with_forfeited


def results_table(results: Results, frame: pl.DataFrame | None = None) -> pl.DataFrame:
    """The per-person table users read (SPEC §5): ids, names and groups, every
    KPI value and its points, score, rank, percentile, band, each payout
    component, each penalty, the total and the recommendations.

    Numeric inputs, derived values, aggregates and intermediate steps are in
    the audit record (``audit.parquet`` of a close) and in ``explain``.
    """
    frame = results.frame if frame is None else frame
    keep_kinds = {"kpi_value", "kpi_points", "score", "ranking", "payout", "penalty", "adjustment", "total",
                  "recommendation"}
    text_inputs = {i.id for i in results.checked.policy.inputs if i.type in ("id", "text")}
    cols = [n for n in results.public_columns()
            if results.columns[n].kind in keep_kinds or (results.columns[n].kind == "input" and n in text_inputs)]
    if "band_reason" in frame.columns and "band_reason" not in cols:
        cols.append("band_reason")
    frame = with_forfeited(results, frame)  # A4: what a veto took, beside the penalties
    if FORFEITED in frame.columns and FORFEITED not in cols:
        cols.insert(cols.index("total") if "total" in cols else len(cols), FORFEITED)
    return frame.select(cols)


def money_decimals(results: Results) -> dict[str, int]:
    d = results.checked.policy.money.decimals
    return {c: d for c in results.money_columns()} | ({FORFEITED: d} if forfeit_penalties(results) else {})


def payouts_table(results: Results) -> pl.DataFrame:
    """Payroll-ready: id, name, currency, amount."""
    policy = results.checked.policy
    name_col = next((i.id for i in policy.inputs if i.id == "name"), None)
    cols = [pl.col(results.id_column).cast(pl.String).alias("employee_id")]
    cols.append(pl.col(name_col).alias("name") if name_col else pl.lit("").alias("name"))
    cols += [pl.lit(policy.currency).alias("currency"), pl.col("total").alias("amount")]
    return results.frame.select(cols)


def audit_frame(results: Results) -> pl.DataFrame:
    """Every named quantity and step of every person: the audit record (history reads it from the ledger)."""
    return results.frame.select(results.audit_columns())
