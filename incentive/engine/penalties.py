"""Stages 9-10: penalties, forfeits, the floor and the total.

A penalty deducts ``amount`` (limited to ``cap``, rounded at the money
precision) when ``when`` holds. A veto (一票否决) ``forfeit``s components --
they become 0 -- and may force a band (applied at the ranking stage). The
total is the sum of the components minus the penalties, never below the
policy's ``floor`` (default 0; ``floor: null`` allows a negative total).
"""

from __future__ import annotations

import polars as pl

from incentive.engine.context import Work
from incentive.numeric import DTYPE, lit, round_expr
from incentive.policy import names


def run(work: Work) -> None:
    policy = work.policy
    money = policy.money
    payout_ids = [p.id for p in policy.payouts]
    for pen in policy.penalties:
        path = names.item_path(names.PENALTIES, pen.id)
        when_path, cap_path, amount_path = (names.expr_path(names.PENALTIES, pen.id, f)
                                            for f in (names.WHEN, names.CAP, names.AMOUNT))
        when_col, cap_col = names.step(pen.id, names.WHEN), names.step(pen.id, names.CAP)
        when = work.expr(when_path).fill_null(False) if work.has(when_path) else pl.lit(True)
        steps = {when_col: when}
        if work.has(cap_path):
            steps[cap_col] = work.expr(cap_path).cast(DTYPE)
        work.add(steps, "step", paths={when_col: when_path, cap_col: cap_path}, owner=pen.id, stage=path)
        amount = work.expr(amount_path).cast(DTYPE) if work.has(amount_path) else lit(0)
        if cap_col in steps:
            amount = pl.min_horizontal(amount, pl.col(cap_col))
        amount = pl.when(pl.col(when_col)).then(amount).otherwise(lit(0)).fill_null(lit(0))
        work.add({pen.id: round_expr(amount, money.decimals, money.rounding)}, "penalty",
                 paths={pen.id: amount_path}, money=True, stage=path)
        if pen.forfeit:
            targets = payout_ids if "all" in pen.forfeit else list(pen.forfeit)
            hit = pl.col(when_col)
            work.add({names.before_forfeit(t, pen.id): pl.col(t) for t in targets}, "step", owner=pen.id, stage=path)
            work.add({t: pl.when(hit).then(lit(0)).otherwise(pl.col(t)).cast(DTYPE) for t in targets},
                     "payout", money=True, stage=path)


def total(work: Work) -> None:
    """The total: the components minus the penalties, never below the floor (after any draw on a payout)."""
    policy = work.policy
    money = policy.money
    payout_ids = [p.id for p in policy.payouts]
    gross = lit(0)
    for pid in payout_ids:
        gross = gross + pl.col(pid)
    for pen in policy.penalties:
        gross = gross - pl.col(pen.id)
    before_floor = names.step(names.TOTAL, names.BEFORE_FLOOR)
    work.add({before_floor: gross}, "step", owner=names.TOTAL, stage="total")
    total = pl.col(before_floor)
    if policy.floor is not None:
        total = pl.max_horizontal(total, lit(policy.floor))
    work.add({"total": round_expr(total, money.decimals, money.rounding)}, "total", money=True, stage="total")
