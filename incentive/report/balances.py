"""``balances.csv``: each person's draw balances for the period -- opening,
movements, closing -- and the balances of people who left.

One row per person and draw, in id order, then one row per balance owed by
someone absent from the period's data (``status`` says whether it is
reported for recovery or forgiven): a balance is never dropped silently.
For every row ``closing = opening + shortfall - recovered - written_off``.
"""

from __future__ import annotations

import polars as pl

from incentive.engine.results import Results
from incentive.numeric import DTYPE, lit
from incentive.policy import names

COLUMNS = ("employee_id", "name", "draw", "of", "opening", "earned", "draw_amount", "shortfall", "recovered",
           "forgiven", "paid", "written_off", "closing", "status")


def balances_frame(results: Results) -> pl.DataFrame | None:
    """The balances table, or None when the policy has no draws."""
    policy = results.checked.policy
    if not policy.draws:
        return None
    frame, id_col = results.frame, results.id_column
    name = pl.col("name").cast(pl.String) if any(i.id == "name" for i in policy.inputs) else pl.lit("")
    parts = []
    for draw in policy.draws:
        def step(s: str) -> pl.Expr:
            return pl.col(names.step(draw.id, s)).cast(DTYPE)

        parts.append(frame.select(
            pl.col(id_col).cast(pl.String).alias("employee_id"), name.alias("name"), pl.lit(draw.id).alias("draw"),
            pl.lit(draw.of).alias("of"), step(names.OPENING).alias("opening"), step(names.EARNED).alias("earned"),
            step(names.AMOUNT).alias("draw_amount"), step(names.SHORTFALL).alias("shortfall"),
            step(names.RECOVERED).alias("recovered"), step(names.FORGIVEN).alias("forgiven"),
            pl.col(draw.of).cast(DTYPE).alias("paid"), lit(0).alias("written_off"), step(names.CLOSING).alias("closing"),
            pl.lit("").alias("status")))
    table = pl.concat(parts).sort(["employee_id", "draw"])
    gone = results.departures
    if gone is not None and gone.height:
        ofs = {d.id: d.of for d in policy.draws}
        forgive = pl.col("action") == "forgive"
        zero = lit(0)
        left = gone.select(
            pl.col(id_col).alias("employee_id"), pl.lit("").alias("name"), pl.col("draw"),
            pl.col("draw").replace_strict(ofs, return_dtype=pl.String).alias("of"), pl.col("balance").alias("opening"),
            zero.alias("earned"), zero.alias("draw_amount"), zero.alias("shortfall"), zero.alias("recovered"),
            zero.alias("forgiven"), zero.alias("paid"),
            pl.when(forgive).then(pl.col("balance")).otherwise(zero).alias("written_off"),
            pl.when(forgive).then(zero).otherwise(pl.col("balance")).alias("closing"),
            pl.when(forgive).then(pl.lit("left: forgiven")).otherwise(pl.lit("left: reported for recovery"))
            .alias("status"))
        table = pl.concat([table, left.select(table.columns).cast(table.schema)])
    return table.select(COLUMNS)
