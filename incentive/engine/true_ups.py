"""Stage 10d: true-ups -- what a corrected, already-paid period still owes or takes back.

A period that was exported to payroll and then reopened and closed again is
not paid twice: its re-close records the difference per person (see
``incentive.app.true_ups``), and the next close pays it, or recovers it,
as a line of its own after everything else the period computes::

    due      = the differences still pending for the person
    applied  = due                       when due >= 0 (paid in full)
             = max(due, -max(total, 0))  when due <  0 (recovered, never below 0)
    carried  = due - applied             (still pending: the next close tries again)
    total    = total + applied

A recovery never makes pay negative: what this period's pay cannot cover is
carried, not dropped. The stage adds its columns only when something is
due, so a close with no pending correction is exactly what it was before.
"""

from __future__ import annotations

import polars as pl

from incentive.engine.context import Work
from incentive.engine.settle import join_columns, settle
from incentive.numeric import DTYPE, lit
from incentive.policy import names

#: the step columns the stage adds to the results (owner: the total)
DUE = names.step(names.TOTAL, "true_up_due")
APPLIED = "true_up"  # a result column of its own (reserved): the line people see
CARRIED = names.step(names.TOTAL, "true_up_carried")
#: the column of the adjustments frame: a person's pending amount
AMOUNT = "due"


def run(work: Work, adjustments: pl.DataFrame | None) -> None:
    """Pay or recover ``adjustments`` (id column + ``due``, one row per person) on the total."""
    if adjustments is None or not adjustments.height:
        return
    join_columns(work, adjustments, {AMOUNT: DUE})
    work.add({DUE: pl.col(DUE).fill_null(lit(0)).cast(DTYPE)}, "step", owner=names.TOTAL, money=True,
             stage="true_ups")
    settle(work, due=DUE, applied=APPLIED, carried=CARRIED, owner=names.TOTAL, stage="true_ups")
