"""Stage 7: payout components, in file order.

For each component, in this order:

1. gross: ``base`` through its tier table, or the ``amount`` expression, or
   the ``base`` itself;
2. × the band factor (``band_factor: {A: 1.5, …}``; people without a band get
   the ``unranked`` factor, default 1);
3. × ``prorate`` (e.g. active days / period days);
4. raised to ``floor``, then limited to ``cap`` (the cap wins);
5. zero unless ``gate`` is true (a null gate is not true);
6. rounded to the money decimals with the policy's rounding mode.

Each step is kept as a column ``<id>.<step>`` for ``explain`` and the audit.
A later component may read an earlier one by its id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from incentive.engine.context import Work
from incentive.engine.tiers import tier_amount
from incentive.numeric import DTYPE, lit, round_expr
from incentive.policy import names
from incentive.policy.model import Payout

if TYPE_CHECKING:  # polars' when-chain classes are for annotations only
    from polars.expr.whenthen import ChainedThen, Then


def run(work: Work) -> None:
    for payout in work.policy.payouts:
        _component(work, payout)


def _component(work: Work, p: Payout) -> None:
    pid, money = p.id, work.policy.money
    path = names.item_path(names.PAYOUTS, pid)

    def col(name: str) -> pl.Expr:
        return pl.col(names.step(pid, name))

    def has(field: str) -> bool:
        return work.has(names.payout_path(pid, field))

    def expr(field: str) -> pl.Expr:
        return work.expr(names.payout_path(pid, field))

    inputs: dict[str, pl.Expr] = {}
    if has(names.BASE):
        inputs[names.BASE] = expr(names.BASE).cast(DTYPE)
    if p.tiers is not None and has(names.BASIS):
        inputs[names.BASIS] = expr(names.BASIS).cast(DTYPE)
    _steps(work, p, inputs)

    gross: pl.Expr
    if p.tiers is not None and names.BASE in inputs:
        gross = tier_amount(p.tiers.mode, p.tiers.table, col(names.BASE),
                            col(names.BASIS) if names.BASIS in inputs else None)
    elif has(names.AMOUNT):
        gross = expr(names.AMOUNT).cast(DTYPE)
    elif names.BASE in inputs:
        gross = col(names.BASE)
    else:
        gross = lit(0)
    adjust: dict[str, pl.Expr] = {names.GROSS: gross.fill_null(lit(0))}
    if p.by_band:
        chain: Then | ChainedThen = pl.when(pl.col("band").is_null()).then(lit(p.by_band.get("unranked", 1)))
        for band, coef in p.by_band.items():
            chain = chain.when(pl.col("band") == band).then(lit(coef))
        adjust[names.FACTOR] = chain.otherwise(lit(1))
    if has(names.PRORATE):
        adjust[names.PRORATE] = expr(names.PRORATE).cast(DTYPE)
    for field in (names.FLOOR, names.CAP):
        if has(field):
            adjust[field] = expr(field).cast(DTYPE)
    if has(names.GATE):
        adjust[names.GATE] = expr(names.GATE).fill_null(False)
    _steps(work, p, adjust)

    value = col(names.GROSS)
    if names.FACTOR in adjust:
        value = value * col(names.FACTOR)
    if names.PRORATE in adjust:
        value = value * col(names.PRORATE)
    if names.FLOOR in adjust:
        value = pl.max_horizontal(value, col(names.FLOOR))
    if names.CAP in adjust:
        value = pl.min_horizontal(value, col(names.CAP))
    if names.GATE in adjust:
        value = pl.when(col(names.GATE)).then(value).otherwise(lit(0))
    amount = round_expr(value.fill_null(lit(0)), money.decimals, money.rounding)
    work.add({pid: amount}, "payout", money=True, stage=path)


def _steps(work: Work, p: Payout, steps: dict[str, pl.Expr]) -> None:
    """Add ``<id>.<step>`` columns, each linked to the expression it shows."""
    if not steps:
        return
    paths = {}
    for name in steps:
        key = names.payout_path(p.id, name)
        if work.has(key):
            paths[names.step(p.id, name)] = key
    work.add({names.step(p.id, s): e for s, e in steps.items()}, "step", paths=paths, owner=p.id,
             stage=names.item_path(names.PAYOUTS, p.id))
