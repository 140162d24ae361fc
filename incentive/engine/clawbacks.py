"""Stage 10e: clawbacks -- commission taken back on deals refunded after the period that paid them.

A policy clawback in ``recover`` mode (``clawbacks:``) does not let a
refund of an earlier period's line lower this period's measures; instead
the close works out, from the ledger, what the refunded part of the line
earned when it was paid (``incentive.app.clawbacks``) and hands the amount,
per person, with the deals it comes from, to this stage. What the last
close could not recover comes back from the ledger (history, one period
back), as a draw balance does. The stage recovers both from this period's
pay as a result column of its own, never below a total of zero, and
carries the rest (``incentive.engine.settle``)::

    <id>.opening  what the last close carried (<= 0)
    <id>.new      this period's recoveries (<= 0)
    <id>.deals    which deals, from which periods, and what each took (text, for explain and statements)
    <id>.due      opening + new
    <id>          recovered now (the line people see; an ``adjustment``)
    <id>.carried  due - recovered: still to recover, read by the next close

Every recover-mode clawback adds its columns to every close (zero when
nothing is due), so the balance is always in the record.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from incentive.engine.context import Work, history_column
from incentive.engine.departures import absent, gathered
from incentive.engine.settle import join_columns, settle
from incentive.numeric import DTYPE, lit
from incentive.policy import names
from incentive.policy.model import Clawback

#: the columns of a clawback's input frame, besides the id column
AMOUNT = "due"
DEALS = "deals"
STAGE = "clawbacks"


def step(clawback: str, part: str) -> str:
    return names.step(clawback, part)


def run(work: Work, frames: Mapping[str, pl.DataFrame] | None) -> None:
    """Recover each clawback's ``frames[id]`` (id column, ``due`` <= 0, ``deals``) and what the last close
    carried, in the policy's order."""
    for clawback in work.checked.policy.clawbacks:
        if not clawback.recovers:
            continue
        c = clawback.id
        frame = (frames or {}).get(c)
        if frame is not None and frame.height:
            join_columns(work, frame, {AMOUNT: step(c, "new"), DEALS: step(c, DEALS)})
            new = pl.col(step(c, "new")).cast(DTYPE).fill_null(lit(0))
            deals = pl.col(step(c, DEALS)).cast(pl.String)
        else:
            new, deals = lit(0), pl.lit(None, dtype=pl.String)
        carried_in = history_column(step(c, "carried"), 1)
        names_ = set(work.frame.collect_schema().names())
        opening = pl.col(carried_in).cast(DTYPE).fill_null(lit(0)) if carried_in in names_ else lit(0)
        work.add({step(c, "opening"): opening.cast(DTYPE), step(c, "new"): new.cast(DTYPE)}, "step", owner=c,
                 money=True, stage=STAGE)
        work.add({step(c, DEALS): deals}, "step", owner=c, stage=STAGE)
        work.add({step(c, "due"): (pl.col(step(c, "opening")) + pl.col(step(c, "new"))).cast(DTYPE)}, "step",
                 owner=c, money=True, stage=STAGE)
        settle(work, due=step(c, "due"), applied=c, carried=step(c, "carried"), owner=c, stage=STAGE)


def departures(clawbacks: tuple[Clawback, ...], frame: pl.DataFrame, last: pl.DataFrame | None,
               id_col: str) -> pl.DataFrame | None:
    """People the last close carried a clawback for who are not in this period's data: reported for
    recovery, never dropped (the ``draws.departures`` shape: the balance is what they owe, > 0)."""
    wanted = [c for c in clawbacks if c.recovers]
    if not wanted:
        return None
    gone = absent(frame, last, id_col)
    if gone is None:
        return gathered([], id_col)
    parts = [gone.filter(pl.col(step(c.id, "carried")).cast(DTYPE) < 0).select(
        pl.col(id_col).cast(pl.String), pl.lit(c.id).alias("draw"),
        (-pl.col(step(c.id, "carried")).cast(DTYPE)).alias("balance"), pl.lit("recover").alias("action"))
        for c in wanted if step(c.id, "carried") in gone.columns]
    return gathered(parts, id_col)
