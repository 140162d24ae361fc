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


def run(work: Work) -> None:
    policy = work.policy
    money = policy.money
    payout_ids = [p.id for p in policy.payouts]
    for pen in policy.penalties:
        path = f"penalties.{pen.id}"
        when = work.expr(f"{path}.when").fill_null(False) if work.has(f"{path}.when") else pl.lit(True)
        steps = {f"{pen.id}.when": when}
        if work.has(f"{path}.cap"):
            steps[f"{pen.id}.cap"] = work.expr(f"{path}.cap").cast(DTYPE)
        work.add(steps, "step", paths={f"{pen.id}.when": f"{path}.when", f"{pen.id}.cap": f"{path}.cap"},
                 owner=pen.id, stage=path)
        amount = work.expr(f"{path}.amount").cast(DTYPE) if work.has(f"{path}.amount") else lit(0)
        if f"{pen.id}.cap" in steps:
            amount = pl.min_horizontal(amount, pl.col(f"{pen.id}.cap"))
        amount = pl.when(pl.col(f"{pen.id}.when")).then(amount).otherwise(lit(0)).fill_null(lit(0))
        work.add({pen.id: round_expr(amount, money.decimals, money.rounding)}, "penalty",
                 paths={pen.id: f"{path}.amount"}, money=True, stage=path)
        if pen.forfeit:
            targets = payout_ids if "all" in pen.forfeit else list(pen.forfeit)
            hit = pl.col(f"{pen.id}.when")
            work.add({f"{t}.before_forfeit.{pen.id}": pl.col(t) for t in targets}, "step", owner=pen.id, stage=path)
            work.add({t: pl.when(hit).then(lit(0)).otherwise(pl.col(t)).cast(DTYPE) for t in targets},
                     "payout", money=True, stage=path)
    gross = lit(0)
    for pid in payout_ids:
        gross = gross + pl.col(pid)
    for pen in policy.penalties:
        gross = gross - pl.col(pen.id)
    work.add({"total.before_floor": gross}, "step", owner="total", stage="total")
    total = pl.col("total.before_floor")
    if policy.floor is not None:
        total = pl.max_horizontal(total, lit(policy.floor))
    work.add({"total": round_expr(total, money.decimals, money.rounding)}, "total", money=True, stage="total")
