"""``balances.csv``: each person's draw balances for the period -- opening,
movements, closing -- and the balances of people who left.

One row per person and draw, in id order, then one row per balance owed by
someone absent from the period's data (``status`` says whether it is
reported for recovery or forgiven): a balance is never dropped silently.
For every row ``closing = opening + shortfall - recovered - written_off``.
A hold (held until collected) has rows of its own (``status`` ``hold``): its
``shortfall`` is the amount newly held, ``recovered`` what was released from
the held balance, ``written_off`` what passed the hold's limit. A clawback's
rows (``status`` ``clawback``) show what is owed as a positive balance:
``shortfall`` newly owed for this period's refunds, ``recovered`` what this
period's pay took back, ``paid`` the total after it.
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
    clawbacks = [c for c in policy.clawbacks if c.recovers]
    if not policy.draws and not policy.holds and not clawbacks:
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
    for hold in policy.holds:
        def held(s: str) -> pl.Expr:
            return pl.col(names.step(hold.id, s)).cast(DTYPE)

        parts.append(frame.select(
            pl.col(id_col).cast(pl.String).alias("employee_id"), name.alias("name"), pl.lit(hold.id).alias("draw"),
            pl.lit(hold.of).alias("of"), held(names.OPENING).alias("opening"), held(names.EARNED).alias("earned"),
            lit(0).alias("draw_amount"), held(names.HELD).alias("shortfall"),
            held(names.RELEASED_EARLIER).alias("recovered"), lit(0).alias("forgiven"),
            pl.col(hold.of).cast(DTYPE).alias("paid"), held(names.WRITTEN_OFF).alias("written_off"),
            held(names.CLOSING).alias("closing"), pl.lit("hold").alias("status")))
    for clawback in clawbacks:  # a recovery owed, as a positive balance (the engine's columns are <= 0)
        def owed(s: str) -> pl.Expr:
            return (-pl.col(names.step(clawback.id, s)).cast(DTYPE)).cast(DTYPE)

        parts.append(frame.select(
            pl.col(id_col).cast(pl.String).alias("employee_id"), name.alias("name"), pl.lit(clawback.id).alias("draw"),
            pl.lit("+".join(clawback.payouts)).alias("of"), owed("opening").alias("opening"), lit(0).alias("earned"),
            lit(0).alias("draw_amount"), owed("new").alias("shortfall"),
            (-pl.col(clawback.id).cast(DTYPE)).cast(DTYPE).alias("recovered"), lit(0).alias("forgiven"),
            pl.col(names.TOTAL).cast(DTYPE).alias("paid"), lit(0).alias("written_off"),
            owed("carried").alias("closing"), pl.lit("clawback").alias("status")))
    table = pl.concat(parts).sort(["employee_id", "draw"])
    gone = results.departures
    holds = {h.id for h in policy.holds}
    if gone is not None and gone.height and holds:  # a hold's departures: by its on_leave (recover: a recovery owed)
        hold_gone, gone = gone.filter(pl.col("draw").is_in(list(holds))), gone.filter(~pl.col("draw").is_in(list(holds)))
        act = pl.col("action")
        left_holds = hold_gone.select(
            pl.col(id_col).alias("employee_id"), pl.lit("").alias("name"), pl.col("draw"),
            pl.col("draw").replace_strict({h.id: h.of for h in policy.holds}, return_dtype=pl.String).alias("of"),
            pl.col("balance").alias("opening"), lit(0).alias("earned"), lit(0).alias("draw_amount"),
            lit(0).alias("shortfall"),
            pl.when(act == "release").then(pl.col("balance")).otherwise(lit(0)).alias("recovered"),
            lit(0).alias("forgiven"), lit(0).alias("paid"),
            pl.when(act == "forfeit").then(pl.col("balance")).otherwise(lit(0)).alias("written_off"),
            pl.when(act.is_in(["report", "recover"])).then(pl.col("balance")).otherwise(lit(0)).alias("closing"),
            (pl.lit("left: hold ") + act).alias("status"))
        table = pl.concat([table, left_holds.select(table.columns).cast(table.schema)])
    if gone is not None and gone.height:
        ofs = {d.id: d.of for d in policy.draws} | {c.id: "+".join(c.payouts) for c in clawbacks}
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
