"""Settling an amount due against the total: the one rule true-ups and clawbacks share.

An amount due from an earlier period is paid in full when it is in the
person's favour and recovered from this period's pay otherwise, never
below a total of zero::

    applied = due                       when due >= 0
            = max(due, -max(total, 0))  when due <  0
    carried = due - applied             (the next close tries again)
    total   = total + applied

What pay cannot cover is carried, never dropped, so a recovery never makes
pay negative whatever the policy's floor.
"""

from __future__ import annotations

import polars as pl

from incentive.engine.context import Work
from incentive.numeric import DTYPE, lit
from incentive.policy import names


def join_columns(work: Work, frame: pl.DataFrame, columns: dict[str, str]) -> None:
    """Left-join ``frame``'s columns (``{its column: the frame's new column}``) by the id column."""
    id_col = work.id_col
    joined = frame.lazy().select(pl.col(id_col).cast(work.frame.collect_schema()[id_col]),
                                 *(pl.col(src).alias(dst) for src, dst in columns.items()))
    work.frame = work.frame.join(joined, on=id_col, how="left", maintain_order="left")


def settle(work: Work, *, due: str, applied: str, carried: str, owner: str, stage: str) -> None:
    """Settle the money column ``due`` (already in the frame) on the total: ``applied``, ``carried``, the total."""
    total = pl.col(names.TOTAL)
    owed = pl.col(due)
    most = pl.max_horizontal(total, lit(0))  # a recovery takes at most all of a positive total
    taken = pl.when(owed >= 0).then(owed).otherwise(pl.max_horizontal(owed, -most))
    work.add({applied: taken.cast(DTYPE)}, "adjustment", money=True, stage=stage)
    work.add({carried: (owed - pl.col(applied)).cast(DTYPE)}, "step", owner=owner, money=True, stage=stage)
    work.add({names.TOTAL: (total + pl.col(applied)).cast(DTYPE)}, "total", money=True, stage=stage)
    work.columns[names.TOTAL] = work.columns.pop(names.TOTAL)  # outputs list the adjustment before the total
